"""Every role × every demand action, on a demand dispatched to 城管执法局 (in scope) — written
by hand from the statute: the hotline takes, routes, dispatches, calls back and rules out; the
handler contacts and responds; nobody else acts."""

import pytest
from django.db import transaction

from shaobao.core.errors import NotFound, PermissionDenied
from shaobao.demands import services as S
from shaobao.org.cast import USERS

pytestmark = pytest.mark.django_db

EXPECTED = {
    "close_by_route": {"operator"},
    "dispatch": {"operator"},
    "redispatch": {"operator"},
    "contact": {"cg_head", "cg_officer"},
    "respond": {"cg_head", "cg_officer"},
    "callback": {"operator"},
    "exclude": {"operator"},
}


def attempt(action, a, d, world, t0, cal):
    calls = {
        "close_by_route": lambda: S.demand_close_by_route(
            actor=a, demand_id=d.pk, route="OUTSIDE_REMIT", now=t0
        ),
        "dispatch": lambda: S.demand_dispatch(
            actor=a, demand_id=d.pk, department_id=world.depts["CGZF"].pk, now=t0, cal=cal
        ),
        "redispatch": lambda: S.demand_dispatch(
            actor=a, demand_id=d.pk, department_id=world.depts["SW"].pk, now=t0, cal=cal
        ),
        "contact": lambda: S.demand_contact(actor=a, demand_id=d.pk, now=t0),
        "respond": lambda: S.demand_respond(actor=a, demand_id=d.pk, response="已处理", now=t0),
        "callback": lambda: S.callback_record(
            actor=a, demand_id=d.pk, solved=True, satisfaction="SATISFIED", now=t0
        ),
        "exclude": lambda: S.demand_exclude(actor=a, demand_id=d.pk, reason="不合理", now=t0),
    }
    sid = transaction.savepoint()
    try:
        calls[action]()
        return True
    except (PermissionDenied, NotFound):
        return False
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_demand_matrix(world, actors, t0, cal, action):
    d = S.demand_create(
        actor=actors.operator,
        source="HOTLINE",
        kind="COMPLAINT",
        text="路边垃圾无人清运",
        caller_phone="13912345678",
        district_code="110117",
        now=t0,
        cal=cal,
    )
    if action not in ("close_by_route", "dispatch"):
        S.demand_dispatch(
            actor=actors.operator,
            demand_id=d.pk,
            department_id=world.depts["CGZF"].pk,
            now=t0,
            cal=cal,
        )
    if action == "respond":
        S.demand_contact(actor=actors.cg_officer, demand_id=d.pk, now=t0)
    allowed = {name for name in USERS if attempt(action, actors[name], d, world, t0, cal)}
    assert allowed == EXPECTED[action]
