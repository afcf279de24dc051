"""The rates page agrees with the pure definition; callers' appeals are reviewed by the hotline
and an upheld one is a new callback version."""

import datetime as dt

import pytest
from django.test import Client

from shaobao.core.errors import Conflict, NotFound
from shaobao.demands import services as S
from shaobao.demands.models import Demand
from shaobao.demands.rates import Record, three_rates
from shaobao.demands.selectors import rates_by_handler
from shaobao.testing.demands import handled

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_rates_in_sql_equal_the_pure_definition(world, actors, t0, cal):
    handled(world, actors, t0, cal, contact_after=H, sat="SATISFIED", phone="13900000001")
    handled(world, actors, t0, cal, contact_after=48 * H, sat="BASIC", phone="13900000002")
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
    excluded = handled(
        world,
        actors,
        t0,
        cal,
        contact_after=H,
        sat="UNSATISFIED",
        solved=False,
        phone="13900000004",
    )
    S.demand_exclude(actor=actors.operator, demand_id=excluded.pk, reason="不合理", now=t0 + 31 * H)
    rows = rates_by_handler(Demand.objects.all(), basic_weight=0.8)
    assert len(rows) == 1 and rows[0]["handler"] == world.depts["CGZF"].name
    records = []
    for d in Demand.objects.all():
        cb = d.callbacks.order_by("-version").first()
        records.append(
            Record(
                True,
                d.excluded,
                d.deadline_at,
                d.contacted_at,
                cb.reached,
                cb.solved,
                cb.satisfaction,
            )
        )
    pure = three_rates(records, basic_weight=0.8)
    row = rows[0]
    assert row["dispatched"] == pure.dispatched == 3
    assert row["response_rate"] == pytest.approx(pure.response_rate) == pytest.approx(2 / 3)
    assert row["resolution_rate"] == pytest.approx(pure.resolution_rate)
    assert (
        row["satisfaction_rate"] == pytest.approx(pure.satisfaction_rate) == pytest.approx(1.8 / 3)
    )


def test_rates_page(world, actors, t0, cal):
    handled(world, actors, t0, cal, contact_after=H, sat="SATISFIED")
    c = Client()
    c.force_login(world.users["assessor"])
    page = c.get("/demands/rates/?month=2026-11").content.decode()
    assert world.depts["CGZF"].name in page and "100%" in page
    assert c.get("/demands/rates/?month=garbage").status_code == 200
    cg = Client()
    cg.force_login(world.users["cg_head"])
    assert cg.get("/demands/rates/").status_code == 403


def test_appeal_upheld_is_a_new_callback_version(world, actors, t0, cal):
    d = handled(world, actors, t0, cal, contact_after=H, sat="UNSATISFIED", solved=False)
    c = Client()
    # an empty reason is refused on the citizen's own page, the demand still shown
    r = c.post("/citizen/appeal/", {"number": d.number, "phone_last4": "0001", "reason": " "})
    assert r.status_code == 400 and d.number in r.content.decode() and not d.appeals.exists()
    r = c.post(
        "/citizen/appeal/",
        {"number": d.number, "phone_last4": "0001", "reason": "我说的是满意，记录错了"},
    )
    page = r.content.decode()
    assert r.status_code == 200 and d.number in page and "申诉已提交" in page
    ap = d.appeals.get()
    with pytest.raises(Conflict):
        S.appeal_raise(demand=d, reason="again", now=t0)
    with pytest.raises(NotFound):
        S.appeal_rule(
            actor=actors.cg_head,
            appeal_id=ap.pk,
            uphold=True,
            ruling="x",
            solved=True,
            satisfaction="SATISFIED",
            now=t0,
        )
    S.appeal_rule(
        actor=actors.operator,
        appeal_id=ap.pk,
        uphold=True,
        ruling="核对录音，来电人满意",
        solved=True,
        satisfaction="SATISFIED",
        now=t0 + 40 * H,
    )
    versions = list(d.callbacks.order_by("version").values_list("version", "satisfaction"))
    assert versions == [(1, "UNSATISFIED"), (2, "SATISFIED")]
    assert rates_by_handler(Demand.objects.all(), basic_weight=0.8)[0]["satisfaction_rate"] == 1.0
    bad = Client().post(
        "/citizen/appeal/", {"number": d.number, "phone_last4": "9999", "reason": "x"}
    )
    assert bad.status_code == 302 and d.appeals.count() == 1
