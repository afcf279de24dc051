"""Dashboards: the rollup agrees with the demands, figures are scoped to the viewer, sealed
whistles never show, and the pages answer for the roles that have them."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shaobao.dashboards import rollup
from shaobao.dashboards import selectors as S
from shaobao.dashboards.models import DemandDay
from shaobao.testing.demands import handled
from shaobao.whistles.tests.test_services import blow

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_rollup_counts_equal_the_demands(world, actors, t0, cal):
    handled(world, actors, t0, cal, contact_after=H, sat="SATISFIED", phone="13900000001")
    handled(world, actors, t0, cal, contact_after=300 * H, sat="BASIC", phone="13900000002")
    handled(
        world,
        actors,
        t0,
        cal,
        contact_after=H,
        sat="UNSATISFIED",
        solved=False,
        phone="13900000003",
    )
    later = t0 + 20 * 24 * H
    assert rollup.refresh(now=later) == 1  # one day, one handler
    row = DemandDay.objects.get()
    assert (row.received, row.dispatched, row.response_due, row.on_time) == (3, 3, 3, 2)
    assert (row.reached, row.solved, row.rated, row.satisfied, row.basic) == (3, 2, 3, 1, 1)
    assert row.day == t0.date() and row.department_id == world.depts["CGZF"].pk
    assert rollup.refresh(now=later) == 1 and DemandDay.objects.count() == 1  # recount, no doubles
    assert rollup.refresh_due(now=later + dt.timedelta(minutes=5)) is None  # counted just now
    assert rollup.refresh_due(now=later + H) == 1
    scope = S.scope_for(actors.supervisor)
    trend = S.rate_trend(scope, later)
    assert trend[-1] == {
        "month": "2026-11",
        "received": 3,
        "response": round(100 * 2 / 3, 1),
        "resolution": round(100 * 2 / 3, 1),
        "satisfaction": round(100 * (1 + 0.8) / 3, 1),
    }


def test_figures_are_scoped_and_sealed_whistles_never_show(world, actors, t0, cal):
    blow(world, actors, t0, cal, lat=40.2, lng=117.2)
    blow(
        world,
        actors,
        t0,
        cal,
        title="突击检查",
        mode="SURPRISE",
        launch_at=t0 + 48 * H,
        meeting_point="镇政府",
        lat=40.21,
        lng=117.21,
    )
    now = t0 + H
    sup = S.scope_for(actors.supervisor)
    figures = S.figures(actors.supervisor, sup, now)
    assert figures["whistles"]["active"] == 1  # the sealed one is not counted
    assert [m["state"] for m in S.whistle_markers(actors.supervisor, sup, now)] == ["overdue"]
    other = S.scope_for(actors.other_commander)
    assert other.kind == "township"
    assert S.figures(actors.other_commander, other, now)["whistles"]["active"] == 0
    sw = S.scope_for(actors.sw_head)
    assert sw.kind == "department"
    # SW assists in both; its head may read the sealed one on its pages (each read audited), but
    # no dashboard or wall screen ever shows it
    assert S.figures(actors.sw_head, sw, now)["whistles"]["active"] == 1
    assert len(S.whistle_markers(actors.sw_head, sw, now)) == 1
    commander = S.scope_for(actors.commander)
    assert S.figures(actors.commander, commander, now)["whistles"]["active"] == 1
    gh_officer = S.scope_for(actors.gh_officer)
    assert S.figures(actors.gh_officer, gh_officer, now)["whistles"]["active"] == 1
    assert S.scope_for(actors.grid) is None


def test_pages_by_role_and_bounded_queries(world, actors, t0, cal):
    for i in range(3):
        blow(world, actors, t0, cal, title=f"吹哨{i}", lat=40.2, lng=117.2 + i / 100)
    c = Client()
    c.force_login(world.users["supervisor"])
    assert c.get("/command/").status_code == 200
    with CaptureQueriesContext(connection) as q:
        data = c.get("/command/data.json").json()
    assert len(data["markers"]) == 3 and len(q.captured_queries) <= 25
    assert c.get("/dashboard/").status_code == 200
    c.force_login(world.users["grid"])
    assert c.get("/command/").status_code == 403
    assert c.get("/command/data.json").status_code == 403
    c.force_login(world.users["gh_head"])
    page = c.get("/dashboard/").content.decode()
    assert "规划自然资源分局" in page


def test_a_claimed_summons_waits_on_the_township_not_overdue(world, actors, t0, cal):
    from shaobao.whistles import services as WS
    from shaobao.whistles.tests.test_services import lead_of

    w = blow(
        world,
        actors,
        t0,
        cal,
        lat=40.2,
        lng=117.2,
        summoned=[WS.SummonsSpec(world.depts["GHZY"].pk, "LEAD")],
    )
    s = lead_of(w)
    WS.summons_acknowledge(
        actor=actors.gh_head, summons_id=s.pk, officer_ids=[world.users["gh_officer"].pk], now=t0
    )
    WS.summons_check_in(actor=actors.gh_officer, summons_id=s.pk, now=t0 + 0.2 * H)
    WS.summons_record_outcome(actor=actors.gh_officer, summons_id=s.pk, inspections=1, now=t0 + H)
    WS.summons_claim_completion(actor=actors.gh_officer, summons_id=s.pk, now=t0 + H)
    later = t0 + 10 * H  # long past the 2-hour finish-by, but claimed in time
    scope = S.scope_for(actors.supervisor)
    figures = S.figures(actors.supervisor, scope, later)["whistles"]
    assert figures["overdue_count"] == 0 and figures["overdue"] == []
    assert [m["state"] for m in S.whistle_markers(actors.supervisor, scope, later)] == ["claimed"]
