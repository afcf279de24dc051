"""Demands: intake, routing, duplicates, the six routes, dispatch, handling, callback, rates,
privacy."""

import datetime as dt

import pytest

from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.demands import services as S
from shaobao.demands.models import Callback, Demand
from shaobao.demands.permissions import mask_name, mask_phone, may_see_caller
from shaobao.demands.rates import Record, three_rates
from shaobao.org.scoping import actor_for

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def test_whole_path_dispatch_handle_callback(world, actors, t0, cal, hotline_demand):
    d = hotline_demand()
    assert d.status == "RECEIVED" and d.number.startswith("SQ")
    S.demand_dispatch(
        actor=actors.operator,
        demand_id=d.pk,
        matter_id=world.matters["CX-HJ-01"].pk,
        department_id=world.depts["CGZF"].pk,
        now=t0,
        cal=cal,
    )
    d.refresh_from_db()
    assert d.status == "DISPATCHED" and d.deadline_at == t0 + dt.timedelta(hours=24)
    with pytest.raises(Conflict):
        S.demand_respond(actor=actors.cg_officer, demand_id=d.pk, response="已清运", now=t0)
    S.demand_contact(actor=actors.cg_officer, demand_id=d.pk, now=t0 + H)
    S.demand_respond(actor=actors.cg_officer, demand_id=d.pk, response="已清运", now=t0 + 2 * H)
    with pytest.raises(PermissionDenied):  # handlers never touch the rating
        S.callback_record(
            actor=actors.cg_head, demand_id=d.pk, solved=True, satisfaction="SATISFIED", now=t0
        )
    S.callback_record(
        actor=actors.operator, demand_id=d.pk, solved=True, satisfaction="SATISFIED", now=t0 + 3 * H
    )
    d.refresh_from_db()
    assert d.status == "CLOSED"
    assert [e.kind for e in d.events.all()] == [
        "received",
        "dispatched",
        "contacted",
        "responded",
        "callback",
    ]


def test_township_dispatch_is_copied_to_district_and_unclear_goes_to_district(
    world, actors, t0, cal, hotline_demand
):
    d = hotline_demand()
    S.demand_dispatch(
        actor=actors.operator, demand_id=d.pk, township_id=world.town.pk, now=t0, cal=cal
    )
    d.refresh_from_db()
    assert d.copied_to_district and d.handler_township == world.town
    S.demand_contact(actor=actors.staff, demand_id=d.pk, now=t0)
    e = hotline_demand(
        text="一件说不清归谁管的事情，需要政府协调",
        caller_phone="13800000000",
    )
    S.demand_dispatch(actor=actors.operator, demand_id=e.pk, to_district=True, now=t0, cal=cal)
    S.demand_contact(actor=actors.supervisor, demand_id=e.pk, now=t0)
    with pytest.raises(NotFound):
        S.demand_contact(actor=actors.cg_head, demand_id=e.pk, now=t0)


@pytest.mark.parametrize(
    "route",
    ["EMERGENCY", "OTHER_CHANNEL", "REPEAT", "SECRET_OR_PRIVACY", "OUTSIDE_REMIT", "UNLAWFUL"],
)
def test_six_routes_close_with_a_reply(world, actors, t0, cal, route, hotline_demand):
    d = hotline_demand()
    S.demand_close_by_route(actor=actors.operator, demand_id=d.pk, route=route, now=t0)
    d.refresh_from_db()
    assert d.status == "CLOSED_BY_ROUTE" and d.reply and d.events.last().note == d.reply


def test_repeats_are_linked_and_told_the_progress(world, actors, t0, cal, hotline_demand):
    first = hotline_demand()
    again = hotline_demand(now=t0 + H, caller_phone="13700000000", caller_name="李四")
    assert (
        again.status == "DUPLICATE" and again.duplicate_of == first and first.number in again.reply
    )
    other = hotline_demand(
        now=t0 + H,
        text="学校门口的红绿灯坏了，早上上学很危险",
        caller_phone="13600000000",
    )
    assert other.status == "RECEIVED"


def test_bad_input_changes_nothing(world, actors, t0, cal, hotline_demand):
    for kw in [
        dict(text=""),
        dict(kind="NOPE"),
        dict(district_code="999999"),
        dict(caller_phone="abc"),
        dict(township_id=world.street.pk + 999),
    ]:
        with pytest.raises(InvalidInput):
            hotline_demand(**kw)
    with pytest.raises(PermissionDenied):
        hotline_demand(actor=actors.commander)
    assert Demand.objects.count() == 0


def test_only_the_hotline_excludes_and_callback_needs_answers(
    world, actors, t0, cal, hotline_demand
):
    d = hotline_demand()
    S.demand_dispatch(
        actor=actors.operator, demand_id=d.pk, department_id=world.depts["CGZF"].pk, now=t0, cal=cal
    )
    with pytest.raises(PermissionDenied):
        S.demand_exclude(actor=actors.cg_head, demand_id=d.pk, reason="不合理", now=t0)
    S.demand_exclude(actor=actors.operator, demand_id=d.pk, reason="诉求明显不合理", now=t0)
    with pytest.raises(InvalidInput):
        S.callback_record(
            actor=actors.operator, demand_id=d.pk, solved=True, satisfaction="", now=t0
        )
    S.callback_record(actor=actors.operator, demand_id=d.pk, reached=False, now=t0)
    assert Callback.objects.get().solved is None


def test_a_callback_that_missed_the_caller_is_followed_by_another(actors, t0, hotline_demand):
    """Not reached: the demand waits for the next call, which is version 2 and closes it; the
    rates read the latest."""
    from shaobao.demands.selectors import rates_by_handler

    d = hotline_demand(dept="CGZF")
    S.demand_contact(actor=actors.cg_head, demand_id=d.pk, now=t0 + H)
    S.demand_respond(actor=actors.cg_head, demand_id=d.pk, response="已修复", now=t0 + H)
    S.callback_record(actor=actors.operator, demand_id=d.pk, reached=False, now=t0 + 25 * H)
    d.refresh_from_db()
    assert d.status == "RESPONDED"
    S.callback_record(
        actor=actors.operator,
        demand_id=d.pk,
        solved=True,
        satisfaction="SATISFIED",
        now=t0 + 26 * H,
    )
    d.refresh_from_db()
    assert d.status == "CLOSED"
    assert list(d.callbacks.order_by("version").values_list("version", "reached")) == [
        (1, False),
        (2, True),
    ]
    row = rates_by_handler(Demand.objects.filter(pk=d.pk), basic_weight=0.8)[0]
    assert (row["callbacks"], row["satisfaction_rate"]) == (1, 1.0)


def test_privacy_masks_caller_for_roles_that_do_not_need_it(world, actors, t0, cal, hotline_demand):
    d = hotline_demand()
    S.demand_dispatch(
        actor=actors.operator, demand_id=d.pk, department_id=world.depts["CGZF"].pk, now=t0, cal=cal
    )
    d.refresh_from_db()
    assert may_see_caller(actors.operator, d) and may_see_caller(actors.cg_officer, d)
    for who in ["inspector", "supervisor", "assessor", "legal", "commander"]:
        assert not may_see_caller(actor_for(world.users[who]), d), who
    assert mask_name("张三丰") == "张**" and mask_phone("13912345678") == "139****5678"


def test_three_rates_by_hand():
    t = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    rows = [
        Record(True, False, t, t - H, True, True, "SATISFIED"),
        Record(True, False, t, t + H, True, False, "UNSATISFIED"),
        Record(True, False, t, None, True, True, "BASIC"),
        Record(True, True, t, None, True, False, "UNSATISFIED"),  # ruled out: never counts
        Record(False, False, None, None, None, None, ""),  # not dispatched
    ]
    r = three_rates(rows, basic_weight=0.8)
    assert (r.dispatched, r.responded_on_time, r.callbacks, r.solved) == (3, 1, 3, 2)
    assert r.response_rate == pytest.approx(1 / 3)
    assert r.resolution_rate == pytest.approx(2 / 3)
    assert r.satisfaction_rate == pytest.approx((1 + 0 + 0.8) / 3)
    assert three_rates([]).response_rate is None


def test_located_demand_is_placed_in_its_grid(world, actors, t0, cal, hotline_demand):
    from shaobao.org.scoping import SYSTEM
    from shaobao.places.services import boundary_set
    from shaobao.places.tests.helpers import square

    boundary_set(
        actor=SYSTEM,
        jurisdiction=world.town,
        geometry=square(117.2, 40.1, 117.4, 40.3),
        source="t",
        now=t0,
    )
    boundary_set(
        actor=SYSTEM,
        jurisdiction=world.village,
        geometry=square(117.2, 40.1, 117.3, 40.2),
        source="t",
        now=t0,
    )
    boundary_set(
        actor=SYSTEM,
        jurisdiction=world.grid,
        geometry=square(117.2, 40.1, 117.25, 40.15),
        source="t",
        now=t0,
    )
    d = hotline_demand(township_id=None, lat=40.12, lng=117.22)
    assert d.place == world.grid and d.township == world.town


def test_callback_due_reaches_the_hotline_once(world, t0, hotline_demand):
    from shaobao.notify.models import Notification
    from shaobao.notify.reminders import callbacks_due

    hotline_demand(dept="CGZF")
    assert callbacks_due(now=t0 + H) == 0
    assert callbacks_due(now=t0 + 25 * H) == 1
    assert callbacks_due(now=t0 + 26 * H) == 0
    n = Notification.objects.get(event="callback_due")
    assert n.jurisdiction == world.district and n.audience == ["operator"]
