"""Dispatch objections on demands: the first handler keeps it, the legal office rules within a
deadline, a reassignment is a counted re-dispatch, and a ruling can amend the duty list."""

import datetime as dt

import pytest

from shaobao.core.errors import Conflict, NotFound
from shaobao.demands import services as S
from shaobao.demands.models import Demand
from shaobao.demands.selectors import handoff_stats, objection_queue
from shaobao.duties.models import DutyList

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def dispatched(world, actors, t0, cal):
    d = S.demand_create(
        actor=actors.operator,
        source="HOTLINE",
        kind="COMPLAINT",
        text="河道里堆满渣土",
        caller_phone="13912345678",
        district_code="110117",
        now=t0,
        cal=cal,
    )
    S.demand_dispatch(
        actor=actors.operator,
        demand_id=d.pk,
        matter_id=world.matters["SW-HD-01"].pk,
        department_id=world.depts["CGZF"].pk,
        now=t0,
        cal=cal,
    )
    return d


def test_objection_reassign_counts_a_redispatch_and_amends_the_duty_list(
    world, actors, t0, cal, dispatched
):
    o = S.objection_raise(
        actor=actors.cg_head,
        demand_id=dispatched.pk,
        reason="河道属水务局",
        claimed_owner_id=world.depts["SW"].pk,
        claimed_duty="河道管理",
        now=t0,
        cal=cal,
    )
    dispatched.refresh_from_db()
    assert dispatched.handler_department == world.depts["CGZF"]  # first handler keeps it meanwhile
    assert o.rule_by_at > t0 and list(objection_queue(viewer=actors.legal)) == [o]
    with pytest.raises(Conflict):
        S.objection_raise(
            actor=actors.cg_head, demand_id=dispatched.pk, reason="again", now=t0, cal=cal
        )
    with pytest.raises(NotFound):
        S.objection_rule(
            actor=actors.commander,
            objection_id=o.pk,
            decision="DISMISS",
            ruling="x",
            now=t0,
            cal=cal,
        )
    S.objection_rule(
        actor=actors.legal,
        objection_id=o.pk,
        decision="REASSIGN",
        ruling="按权责清单属水务局",
        reassign_to_id=world.depts["SW"].pk,
        amend_duty_list=True,
        now=t0 + 2 * H,
        cal=cal,
    )
    dispatched.refresh_from_db()
    o.refresh_from_db()
    assert dispatched.handler_department == world.depts["SW"] and o.duty_list_amended
    draft = DutyList.objects.get(status=DutyList.DRAFT)
    assert draft.duties.get(matter=world.matters["SW-HD-01"]).lead_department == world.depts["SW"]
    stats = handoff_stats(Demand.objects.all())
    assert stats["redispatches"] == 1 and stats["redispatched_demands"] == 1
    assert stats["hours_lost_per_handoff"] == 2.0


def test_dismissed_objection_leaves_the_handler(world, actors, t0, cal, dispatched):
    o = S.objection_raise(
        actor=actors.cg_head, demand_id=dispatched.pk, reason="不是我们的", now=t0, cal=cal
    )
    S.objection_rule(
        actor=actors.legal,
        objection_id=o.pk,
        decision="DISMISS",
        ruling="属城管职责",
        now=t0,
        cal=cal,
    )
    dispatched.refresh_from_db()
    assert (
        dispatched.handler_department == world.depts["CGZF"] and dispatched.dispatches.count() == 1
    )
    with pytest.raises(Conflict):
        S.objection_rule(
            actor=actors.legal, objection_id=o.pk, decision="DISMISS", ruling="x", now=t0, cal=cal
        )


def test_only_the_handler_objects(world, actors, t0, cal, dispatched):
    for who in ["operator", "sw_head", "commander"]:
        with pytest.raises((NotFound, Exception)):
            S.objection_raise(
                actor=actors[who], demand_id=dispatched.pk, reason="r", now=t0, cal=cal
            )


def test_objection_pages(world, actors, t0, cal, dispatched):
    from django.test import Client

    cg = Client()
    cg.force_login(world.users["cg_head"])
    cg.post(
        f"/demands/{dispatched.pk}/object/",
        {"reason": "河道属水务局", "claimed_owner": world.depts["SW"].pk},
    )
    o = dispatched.objections.get()
    legal = Client()
    legal.force_login(world.users["legal"])
    page = legal.get("/objections/").content.decode()
    assert dispatched.number in page and "诉求派单异议" in page
    legal.post(
        f"/demands/objections/{o.pk}/rule/",
        {"decision": "REASSIGN", "reassign_to": world.depts["SW"].pk, "ruling": "属水务局职责"},
    )
    o.refresh_from_db()
    dispatched.refresh_from_db()
    assert o.state == "REASSIGNED" and dispatched.handler_department == world.depts["SW"]


def test_rulings_become_training_data(world, actors, t0, cal, dispatched):
    from shaobao.duties.routing import training_rows

    texts, _subjects, labels = training_rows()
    assert "河道里堆满渣土" in texts and labels[texts.index("河道里堆满渣土")] == "SW-HD-01"
