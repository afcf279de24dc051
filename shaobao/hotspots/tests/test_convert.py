"""Turning a hot spot into a problem and a whistle, or dismissing it: who may, what it creates,
and that a second try changes nothing."""

import datetime as dt

import pytest

from shaobao.audit.models import AuditEntry
from shaobao.audit.services import verify
from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.demands.models import Demand
from shaobao.hotspots.models import HotSpot
from shaobao.hotspots.services import hotspot_convert, hotspot_dismiss, hotspots_detect
from shaobao.problems.models import Problem
from shaobao.whistles.models import Summons, Whistle

from .conftest import add_demands

pytestmark = pytest.mark.django_db


@pytest.fixture
def spots(clustered, t0):
    hotspots_detect(district=clustered.district, today=t0.date(), now=t0)
    return (
        HotSpot.objects.get(township=clustered.town),
        HotSpot.objects.get(township=clustered.street),
    )


def test_convert_creates_problem_and_whistle_with_the_demands(clustered, spots, actors, t0, cal):
    w, (town, _street) = clustered, spots
    # one demand of the cluster already follows another problem: it keeps it
    other = Problem.objects.create(
        township=w.town,
        title="旧问题",
        description="旧",
        address="海子村",
        source="TOWNSHIP",
        created_at=t0,
        updated_at=t0,
    )
    kept = Demand.objects.filter(place=w.grid, duplicate_of__isnull=True).earliest("created_at")
    in_window = Demand.objects.filter(
        place=w.grid,
        duplicate_of__isnull=True,
        created_at__gte=t0 - dt.timedelta(days=7),
        created_at__lt=t0 - dt.timedelta(hours=9),
    ).exclude(pk=kept.pk)
    Demand.objects.filter(pk=in_window.first().pk).update(problem=other)
    now = t0 + dt.timedelta(minutes=10)
    h = hotspot_convert(actor=actors.commander, hotspot_id=town.pk, now=now, cal=cal)
    assert h.state == "CONVERTED" and h.decided_by_id == actors.commander.user_id
    p, wh = h.problem, h.whistle
    assert (p.township, p.place, p.matter, p.status, p.source) == (
        w.town,
        w.grid,
        w.matters["CX-HJ-01"],
        Problem.WHISTLED,
        "TOWNSHIP",
    )
    assert "6" in p.title and "海子村第1网格" in p.title
    assert list(wh.problems.all()) == [p]
    assert (wh.area, wh.kind, wh.matter) == ("CITIZEN_DEMAND", "MANAGEMENT", w.matters["CX-HJ-01"])
    # the duty list: 暴露垃圾 is led by 城管执法局 alone
    assert list(Summons.objects.filter(whistle=wh).values_list("department__code", "role")) == [
        ("CGZF", "LEAD")
    ]
    linked = set(Demand.objects.filter(problem=p).values_list("pk", flat=True))
    assert len(linked) == 5  # the six of the window but the one that had a problem already
    assert Demand.objects.filter(problem=other).count() == 1
    assert not Demand.objects.filter(problem=p, duplicate_of__isnull=False).exists()
    assert not Demand.objects.filter(problem=p, created_at__gte=t0).exists()  # today's: not
    for d in Demand.objects.filter(problem=p):
        assert d.events.filter(kind="to_problem").exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"hotspot.convert", "problem.create", "whistle.blow", "demand.to_problem"} <= actions
    assert verify().ok

    # twice: a conflict, and nothing new
    with pytest.raises(Conflict):
        hotspot_convert(actor=actors.staff, hotspot_id=town.pk, now=now, cal=cal)
    assert Whistle.objects.count() == 1 and Problem.objects.count() == 2
    with pytest.raises(Conflict):
        hotspot_dismiss(actor=actors.commander, hotspot_id=town.pk, reason="重复", now=now)


def test_who_may_convert(clustered, spots, actors, t0, cal):
    town, street = spots
    for name in ("other_commander", "cg_head", "cg_officer", "grid", "operator"):
        with pytest.raises(NotFound):
            hotspot_convert(actor=actors[name], hotspot_id=town.pk, now=t0, cal=cal)
    for name in ("supervisor", "inspector", "admin", "assessor"):
        with pytest.raises(PermissionDenied):  # sees it, may not act on it
            hotspot_convert(actor=actors[name], hotspot_id=town.pk, now=t0, cal=cal)
    with pytest.raises(NotFound):
        hotspot_convert(actor=actors.commander, hotspot_id=street.pk, now=t0, cal=cal)
    with pytest.raises(NotFound):
        hotspot_convert(actor=actors.commander, hotspot_id="x", now=t0, cal=cal)
    assert not Whistle.objects.exists() and not Problem.objects.exists()
    assert HotSpot.objects.filter(state="OPEN").count() == 2
    h = hotspot_convert(actor=actors.other_commander, hotspot_id=street.pk, now=t0, cal=cal)
    # 私搭乱建: led by 城管执法局, assisted by 规划自然资源分局
    assert sorted(h.whistle.summonses.values_list("department__code", "role")) == [
        ("CGZF", "LEAD"),
        ("GHZY", "ASSIST"),
    ]


def test_dismiss_needs_a_reason(clustered, spots, actors, t0, cal):
    town, _street = spots
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(InvalidInput):
            hotspot_dismiss(actor=actors.staff, hotspot_id=town.pk, reason=reason, now=t0)
    town.refresh_from_db()
    assert town.state == "OPEN"
    with pytest.raises(PermissionDenied):
        hotspot_dismiss(actor=actors.supervisor, hotspot_id=town.pk, reason="不需要", now=t0)
    h = hotspot_dismiss(
        actor=actors.staff, hotspot_id=town.pk, reason="施工临时堆放，已协调", now=t0
    )
    assert (h.state, h.dismissed_reason) == ("DISMISSED", "施工临时堆放，已协调")
    assert AuditEntry.objects.filter(action="hotspot.dismiss").count() == 1
    with pytest.raises(Conflict):
        hotspot_convert(actor=actors.commander, hotspot_id=town.pk, now=t0, cal=cal)
    assert not Whistle.objects.exists()


def test_no_duty_for_the_matter_changes_nothing(world, actors, t0, cal):
    from shaobao.duties.models import Matter

    orphan = Matter.objects.create(
        code="QT-QT-01", level1="其他", level2="其他", name="无主事项", tier="ORDINARY_7D"
    )
    add_demands(world, place=world.grid, matter=orphan, at=t0 - dt.timedelta(days=1), n=5)
    hotspots_detect(district=world.district, today=t0.date(), now=t0)
    h = HotSpot.objects.get()
    with pytest.raises(InvalidInput):
        hotspot_convert(actor=actors.commander, hotspot_id=h.pk, now=t0, cal=cal)
    h.refresh_from_db()
    assert h.state == "OPEN"
    assert (
        not Problem.objects.exists() and not Demand.objects.filter(problem__isnull=False).exists()
    )
