"""Detection in the database: what it counts, idempotence, the episode rule, scope."""

import datetime as dt

import pytest

from shaobao.audit.services import verify
from shaobao.demands.models import Demand
from shaobao.hotspots import permissions as P
from shaobao.hotspots.models import DetectionRun, HotSpot
from shaobao.hotspots.services import hotspot_dismiss, hotspots_detect, hotspots_detect_due

from .conftest import add_demands

pytestmark = pytest.mark.django_db


def test_counts_grids_by_matter_without_repeats_or_today(clustered, t0):
    w = clustered
    counts = hotspots_detect(district=w.district, today=t0.date(), now=t0)
    assert counts == {"found": 2, "created": 2, "updated": 0}
    town = HotSpot.objects.get(place=w.grid)
    assert (town.matter, town.township, town.district) == (
        w.matters["CX-HJ-01"],
        w.town,
        w.district,
    )
    # 6 in the window (the repeat and today's demand do not count); baseline 2×7/28 = 0.5
    assert (town.count, town.baseline, town.ratio) == (6, 0.5, 4.0)
    assert (town.window_start, town.window_end) == (dt.date(2026, 11, 18), dt.date(2026, 11, 24))
    assert len(town.daily) == 35 and sum(town.daily) == 8
    # the five latest of the cluster, newest first, never the repeat
    latest = list(
        Demand.objects.filter(place=w.grid, duplicate_of__isnull=True, created_at__lt=t0)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:5]
    )
    assert town.examples == latest
    street = HotSpot.objects.get(township=w.street)
    assert (street.count, street.matter.code, street.state) == (5, "CX-WJ-01", "OPEN")
    assert verify().ok


def test_twice_is_once(clustered, t0):
    hotspots_detect(district=clustered.district, today=t0.date(), now=t0)
    before = list(HotSpot.objects.values())
    again = hotspots_detect(
        district=clustered.district, today=t0.date(), now=t0 + dt.timedelta(hours=3)
    )
    assert again == {"found": 2, "created": 0, "updated": 0}
    assert list(HotSpot.objects.values()) == before
    assert DetectionRun.objects.count() == 1


def test_router_matter_counts_while_undecided(world, t0):
    add_demands(world, place=world.grid, matter=None, at=t0 - dt.timedelta(days=1), n=5)
    Demand.objects.update(router_matter=world.matters["SW-HD-01"])
    hotspots_detect(district=world.district, today=t0.date(), now=t0)
    assert HotSpot.objects.get().matter.code == "SW-HD-01"


def test_community_when_no_grid_alone(world, t0):
    from shaobao.org import services as O
    from shaobao.org.scoping import SYSTEM

    grid2 = O.jurisdiction_create(
        actor=SYSTEM, code="110117104201002", name="海子村第2网格", level="GRID", now=t0
    )
    m = world.matters["CX-HJ-01"]
    add_demands(world, place=world.grid, matter=m, at=t0 - dt.timedelta(days=1), n=3)
    add_demands(world, place=grid2, matter=m, at=t0 - dt.timedelta(days=2), n=3)
    hotspots_detect(district=world.district, today=t0.date(), now=t0)
    (h,) = HotSpot.objects.all()
    assert (h.place, h.count, h.township) == (world.village, 6, world.town)
    assert len(h.examples) == 5


def test_still_hot_next_day_moves_the_window_and_a_decision_holds(clustered, actors, t0):
    w = clustered
    hotspots_detect(district=w.district, today=t0.date(), now=t0)
    town = HotSpot.objects.get(place=w.grid)
    add_demands(w, place=w.grid, matter=w.matters["CX-HJ-01"], at=t0 + dt.timedelta(hours=2))
    tomorrow = t0 + dt.timedelta(days=1)
    counts = hotspots_detect(district=w.district, today=tomorrow.date(), now=tomorrow)
    assert counts["created"] == 0 and counts["updated"] == 2
    town.refresh_from_db()
    # 11-19 … 11-25: the six of 11-19 … 11-24, and the two of 11-25 joined
    assert town.window_end == dt.date(2026, 11, 25) and town.count == 8
    assert HotSpot.objects.count() == 2
    hotspot_dismiss(
        actor=actors.commander, hotspot_id=town.pk, reason="已纳入专项整治", now=tomorrow
    )
    later = tomorrow + dt.timedelta(days=1)
    hotspots_detect(district=w.district, today=later.date(), now=later)
    town.refresh_from_db()
    assert town.state == "DISMISSED" and town.window_end == dt.date(2026, 11, 25)
    assert HotSpot.objects.filter(place=w.grid).count() == 1  # not reported again in its window


def test_only_the_window_and_baseline_are_read(clustered, t0, django_assert_max_num_queries):
    w = clustered
    # a year-old burst in the same grid neither counts nor appears in the series
    add_demands(w, place=w.grid, matter=w.matters["CX-HJ-01"], at=t0 - dt.timedelta(days=300), n=9)
    # a grid elsewhere in the district, quiet: no hot spot
    add_demands(w, place=w.grid, matter=w.matters["SC-SP-01"], at=t0 - dt.timedelta(days=3), n=2)
    with django_assert_max_num_queries(20):
        hotspots_detect(district=w.district, today=t0.date(), now=t0)
    assert sum(HotSpot.objects.get(place=w.grid).daily) == 8
    assert HotSpot.objects.count() == 2


def test_scope(clustered, actors, t0):
    hotspots_detect(district=clustered.district, today=t0.date(), now=t0)
    town = set(P.hotspots_visible_to(actors.commander).values_list("township__code", flat=True))
    assert town == {"110117104"}
    assert set(
        P.hotspots_visible_to(actors.other_commander).values_list("township__code", flat=True)
    ) == {"110117001"}
    assert P.hotspots_visible_to(actors.supervisor).count() == 2
    assert P.hotspots_visible_to(actors.inspector).count() == 2
    for name in ("cg_officer", "cg_head", "grid", "operator"):
        assert P.hotspots_visible_to(actors[name]).count() == 0
        assert not P.may_view(actors[name])


def test_worker_step_runs_once_a_day(clustered, t0):
    assert hotspots_detect_due(now=t0) == 2
    assert hotspots_detect_due(now=t0 + dt.timedelta(minutes=5)) == 0
    assert DetectionRun.objects.count() == 1
    assert hotspots_detect_due(now=t0 + dt.timedelta(days=1)) == 0  # moved, not created
    assert DetectionRun.objects.count() == 2


def test_command(clustered, t0, capsys):
    from django.core.management import CommandError, call_command

    call_command("hotspots_detect", "--district", "110117", "--date", "2026-11-25")
    assert "created" in capsys.readouterr().out
    assert HotSpot.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("hotspots_detect", "--date", "25/11/2026")
    with pytest.raises(CommandError):
        call_command("hotspots_detect", "--district", "999999")
