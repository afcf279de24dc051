"""The summons lifecycle through the services: the whole loop, the guards, the sweep."""

import datetime as dt

import pytest

from shaobao.assessments.services import evaluation_submit
from shaobao.audit.models import AuditEntry
from shaobao.audit.services import verify
from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.notify.models import Notification
from shaobao.org.scoping import SYSTEM
from shaobao.problems.models import Problem
from shaobao.problems.services import problem_create
from shaobao.whistles import services as S
from shaobao.whistles.models import Summons, Whistle
from shaobao.whistles.permissions import whistles_visible_to

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def blow(world, actors, t0, cal, **kw):
    args = dict(
        actor=actors.commander,
        township_id=world.town.pk,
        title="金海湖非法采砂",
        description="河道夜间有人采砂",
        address="金海湖东岸",
        area="JOINT_ENFORCEMENT",
        kind="ENFORCEMENT",
        mode="ROUTINE",
        summoned=[],
        matter_id=world.matters["ZY-KC-01"].pk,
        now=t0,
        cal=cal,
    )
    args.update(kw)
    return S.whistle_blow(**args)


def lead_of(whistle):
    return whistle.summonses.get(role="LEAD")


def test_defaults_come_from_duty_list_and_configuration(world, actors, t0, cal):
    w = blow(world, actors, t0, cal)
    depts = {(s.department.code, s.role) for s in w.summonses.all()}
    assert depts == {("GHZY", "LEAD"), ("GA", "ASSIST"), ("SW", "ASSIST")}
    assert w.report_by_at == t0 + dt.timedelta(minutes=30)  # enforcement: 30 minutes
    assert w.finish_by_at == t0 + 2 * H  # the matter's tier: EMERGENCY_2H
    assert w.duty_list == world.duty_list
    assert Notification.objects.filter(event="whistle_issued").count() == 3


def test_full_loop_with_rework(world, actors, t0, cal):
    problem = problem_create(
        actor=actors.staff,
        township_id=world.town.pk,
        title="采砂",
        description="夜间采砂",
        address="东岸",
        now=t0,
    )
    w = blow(
        world,
        actors,
        t0,
        cal,
        problem_ids=[problem.pk],
        summoned=[S.SummonsSpec(world.depts["GHZY"].pk, "LEAD")],
    )
    s = lead_of(w)
    S.summons_acknowledge(
        actor=actors.gh_head,
        summons_id=s.pk,
        officer_ids=[world.users["gh_officer"].pk],
        now=t0 + 0.1 * H,
    )
    S.summons_check_in(
        actor=actors.gh_officer, summons_id=s.pk, lat=40.18, lng=117.29, now=t0 + 0.4 * H
    )
    S.summons_record_outcome(
        actor=actors.gh_officer,
        summons_id=s.pk,
        inspections=2,
        cases_filed=1,
        fines_yuan="5000",
        note="查扣采砂船一艘",
        now=t0 + H,
    )
    S.summons_claim_completion(actor=actors.gh_officer, summons_id=s.pk, now=t0 + H)
    S.summons_verify(
        actor=actors.staff, summons_id=s.pk, accept=False, reason="仍有设备未清走", now=t0 + H
    )
    s.refresh_from_db()
    assert s.state == "REWORK" and s.rework_count == 1
    S.summons_claim_completion(actor=actors.gh_head, summons_id=s.pk, now=t0 + 1.5 * H)
    S.summons_verify(actor=actors.commander, summons_id=s.pk, accept=True, now=t0 + 1.6 * H)
    w.refresh_from_db()
    problem.refresh_from_db()
    assert w.status == Whistle.CLOSED and problem.status == Problem.SOLVED
    e = evaluation_submit(
        actor=actors.commander,
        summons_id=s.pk,
        timeliness=5,
        cooperation=4,
        effectiveness=4,
        comment="到位及时",
        now=t0 + 2 * H,
    )
    assert e.version == 1 and e.score == pytest.approx(83.3)
    with pytest.raises(Conflict):
        evaluation_submit(
            actor=actors.commander,
            summons_id=s.pk,
            timeliness=1,
            cooperation=1,
            effectiveness=1,
            now=t0 + 2 * H,
        )
    e2 = evaluation_submit(
        actor=actors.commander,
        summons_id=s.pk,
        timeliness=4,
        cooperation=4,
        effectiveness=4,
        correction_reason="误填",
        now=t0 + 3 * H,
    )
    assert e2.version == 2
    e.refresh_from_db()
    assert e.timeliness == 5  # the first version is never edited
    assert verify().ok
    actions = list(AuditEntry.objects.filter(whistle_id=w.pk).values_list("action", flat=True))
    assert actions[:3] == ["whistle.blow", "summons.acknowledge", "summons.check_in"]
    assert "summons.verify_reject" in actions and "whistle.close" in actions


def test_stay_rule_no_end_without_verification(world, actors, t0, cal):
    w = blow(world, actors, t0, cal)
    s = lead_of(w)
    with pytest.raises(Conflict):  # cannot claim before acknowledging and checking in
        S.summons_claim_completion(actor=actors.gh_head, summons_id=s.pk, now=t0)
    S.summons_acknowledge(actor=actors.gh_head, summons_id=s.pk, officer_names="杨磊", now=t0)
    S.summons_check_in(actor=actors.gh_head, summons_id=s.pk, now=t0)
    with pytest.raises(Conflict, match="执法效果"):
        S.summons_claim_completion(actor=actors.gh_head, summons_id=s.pk, now=t0)
    S.summons_record_outcome(actor=actors.gh_head, summons_id=s.pk, note="巡查", now=t0)
    S.summons_claim_completion(actor=actors.gh_head, summons_id=s.pk, now=t0)
    with pytest.raises(PermissionDenied):  # the doer never verifies its own work
        S.summons_verify(actor=actors.gh_head, summons_id=s.pk, accept=True, now=t0)
    s.refresh_from_db()
    assert s.state == "CLAIMED"


def test_wrong_department_cannot_act_and_outsiders_see_nothing(world, actors, t0, cal):
    w = blow(world, actors, t0, cal)
    s = lead_of(w)
    with pytest.raises(PermissionDenied):  # summoned as ASSIST, not this summons
        S.summons_acknowledge(actor=actors.ga_head, summons_id=s.pk, officer_names="x", now=t0)
    with pytest.raises(NotFound):  # not summoned at all: the summons does not exist for it
        S.summons_acknowledge(actor=actors.cg_head, summons_id=s.pk, officer_names="x", now=t0)
    with pytest.raises(NotFound):
        S.summons_verify(actor=actors.other_commander, summons_id=s.pk, accept=True, now=t0)
    assert not whistles_visible_to(actors.other_commander, now=t0).exists()
    assert whistles_visible_to(actors.inspector, now=t0).filter(pk=w.pk).exists()


def test_bad_input_changes_nothing(world, actors, t0, cal):
    before = (Whistle.objects.count(), Summons.objects.count(), AuditEntry.objects.count())
    bad = [
        dict(area="NOPE"),
        dict(title=""),
        dict(summoned=[S.SummonsSpec(world.depts["GA"].pk, "ASSIST")]),  # no lead
        dict(
            summoned=[
                S.SummonsSpec(world.depts["GA"].pk, "LEAD"),
                S.SummonsSpec(world.depts["GA"].pk, "ASSIST"),
            ]
        ),
        dict(summoned=[S.SummonsSpec(999999, "LEAD")]),
        dict(mode="SURPRISE"),  # no launch time
        dict(mode="LEDGER"),  # no items
        dict(report_by_at=t0 - H),
        dict(lat=200, lng=1),
        dict(problem_ids=[987654]),
    ]
    for kw in bad:
        with pytest.raises(InvalidInput):
            blow(world, actors, t0, cal, **kw)
    with pytest.raises(PermissionDenied):
        blow(world, actors, t0, cal, actor=actors.cg_officer)
    assert (Whistle.objects.count(), Summons.objects.count(), AuditEntry.objects.count()) == before


def test_ledger_closes_only_when_all_items_cleared(world, actors, t0, cal):
    w = blow(
        world,
        actors,
        t0,
        cal,
        mode="LEDGER",
        ledger_items=["拆除违建一处", "清运渣土"],
        summoned=[S.SummonsSpec(world.depts["CGZF"].pk, "LEAD")],
    )
    s = lead_of(w)
    S.summons_acknowledge(actor=actors.cg_head, summons_id=s.pk, officer_names="刘洋", now=t0)
    S.summons_check_in(actor=actors.cg_officer, summons_id=s.pk, now=t0)
    S.summons_record_outcome(actor=actors.cg_officer, summons_id=s.pk, items_removed=1, now=t0)
    items = list(w.ledger_items.all())
    S.ledger_item_clear(
        actor=actors.cg_officer, item_id=items[0].pk, evidence_note="已拆除", now=t0
    )
    with pytest.raises(Conflict, match="账单"):
        S.summons_claim_completion(actor=actors.cg_officer, summons_id=s.pk, now=t0)
    with pytest.raises(Conflict):
        S.ledger_item_clear(
            actor=actors.cg_officer, item_id=items[0].pk, evidence_note="again", now=t0
        )
    S.ledger_item_clear(
        actor=actors.cg_officer, item_id=items[1].pk, evidence_note="已清运", now=t0
    )
    S.summons_claim_completion(actor=actors.cg_officer, summons_id=s.pk, now=t0)
    S.summons_verify(actor=actors.commander, summons_id=s.pk, accept=True, now=t0)
    w.refresh_from_db()
    assert w.status == Whistle.CLOSED


def test_surprise_is_sealed_until_launch(world, actors, t0, cal):
    w = blow(
        world,
        actors,
        t0,
        cal,
        mode="SURPRISE",
        launch_at=t0 + 5 * H,
        meeting_point="镇政府东门",
        summoned=[
            S.SummonsSpec(world.depts["GHZY"].pk, "LEAD"),
            S.SummonsSpec(world.depts["GA"].pk, "ASSIST"),
        ],
    )
    assert w.report_by_at == t0 + 5 * H + dt.timedelta(minutes=30)
    for who in ("commander", "gh_head", "ga_head"):
        assert whistles_visible_to(actors[who], now=t0).filter(pk=w.pk).exists(), who
    for who in (
        "staff",
        "gh_officer",
        "supervisor",
        "inspector",
        "legal",
        "cg_head",
        "other_commander",
    ):
        assert not whistles_visible_to(actors[who], now=t0).filter(pk=w.pk).exists(), who
    blow_entry = AuditEntry.objects.get(action="whistle.blow", whistle_id=w.pk)
    assert "金海湖" not in str(blow_entry.data) and blow_entry.data["sealed"] is True
    sealed_notes = Notification.objects.filter(event="whistle_issued")
    assert all("金海湖" not in n.title + n.body for n in sealed_notes)
    s = lead_of(w)
    S.summons_acknowledge(actor=actors.gh_head, summons_id=s.pk, officer_names="杨磊", now=t0)
    with pytest.raises(Conflict):
        S.summons_check_in(actor=actors.gh_head, summons_id=s.pk, now=t0 + H)
    # after the launch time everyone in scope sees it
    assert whistles_visible_to(actors.gh_officer, now=t0 + 6 * H).filter(pk=w.pk).exists()
    S.whistle_launch(actor=actors.commander, whistle_id=w.pk, now=t0 + 2 * H)
    assert whistles_visible_to(actors.staff, now=t0 + 2 * H).filter(pk=w.pk).exists()


def test_objection_keeps_ownership_until_ruling_then_reassigns(world, actors, t0, cal):
    w = blow(world, actors, t0, cal, summoned=[S.SummonsSpec(world.depts["SW"].pk, "LEAD")])
    s = lead_of(w)
    o = S.objection_raise(
        actor=actors.sw_head,
        summons_id=s.pk,
        reason="采砂归规自分局管",
        claimed_owner_id=world.depts["GHZY"].pk,
        now=t0,
        cal=cal,
    )
    s.refresh_from_db()
    assert s.state == "ISSUED"  # first handler keeps it while the objection is pending
    with pytest.raises(Conflict):
        S.objection_raise(actor=actors.sw_head, summons_id=s.pk, reason="again", now=t0, cal=cal)
    with pytest.raises(NotFound):
        S.objection_rule(
            actor=actors.commander, objection_id=o.pk, decision="REASSIGN", ruling="x", now=t0
        )
    S.objection_rule(
        actor=actors.legal,
        objection_id=o.pk,
        decision="REASSIGN",
        ruling="按权责清单改派",
        reassign_to_id=world.depts["GHZY"].pk,
        now=t0 + H,
    )
    s.refresh_from_db()
    assert s.state == "RELEASED"
    new = w.summonses.get(department=world.depts["GHZY"])
    assert new.replaces_id == s.pk and new.state == "ISSUED"
    with pytest.raises(Conflict):
        S.objection_rule(
            actor=actors.legal, objection_id=o.pk, decision="DISMISS", ruling="x", now=t0
        )


def test_sweep_marks_and_escalates_once(world, actors, t0, cal):
    w = blow(world, actors, t0, cal)
    later = t0 + H
    first = S.sweep_deadlines(now=later, actor=SYSTEM)
    second = S.sweep_deadlines(now=later + 2 * H, actor=SYSTEM)
    assert first["report_overdue_at"] == 3 and second["report_overdue_at"] == 0
    assert second["finish_overdue_at"] == 3  # the 2 h finish-by passed too
    assert Notification.objects.filter(event="escalated").count() == 6
    assert AuditEntry.objects.filter(action="summons.escalate").count() == 3
    assert all(s.escalated_at == later for s in w.summonses.all())


def test_routine_schedule_blows_once_per_period(world, actors, t0, cal):
    sched = S.routine_create(
        actor=actors.commander,
        township_id=world.town.pk,
        title="河道周巡",
        description="每周联合巡河",
        area="KEY_TASK",
        kind="MANAGEMENT",
        address="金海湖沿岸",
        lead_department_id=world.depts["SW"].pk,
        assist_department_ids=[world.depts["CGZF"].pk],
        every_days=7,
        first_run_at=t0 + H,
        now=t0,
    )
    assert S.routine_run_due(now=t0, cal=cal, actor=SYSTEM) == 0
    assert S.routine_run_due(now=t0 + 2 * H, cal=cal, actor=SYSTEM) == 1
    assert S.routine_run_due(now=t0 + 3 * H, cal=cal, actor=SYSTEM) == 0
    # down for three weeks: one whistle, not three
    assert S.routine_run_due(now=t0 + dt.timedelta(days=22), cal=cal, actor=SYSTEM) == 1
    whistles = Whistle.objects.filter(routine=sched)
    assert whistles.count() == 2 and all(w.mode == "ROUTINE" for w in whistles)


def test_department_may_whistle_for_other_departments(world, actors, t0, cal):
    w = blow(
        world,
        actors,
        t0,
        cal,
        actor=actors.cg_head,
        blown_by_department_id=world.depts["CGZF"].pk,
        summoned=[S.SummonsSpec(world.depts["SCJG"].pk, "LEAD")],
        matter_id=None,
    )
    assert w.blown_by_department.code == "CGZF"
    with pytest.raises(InvalidInput):
        blow(
            world,
            actors,
            t0,
            cal,
            actor=actors.cg_head,
            blown_by_department_id=world.depts["CGZF"].pk,
            summoned=[S.SummonsSpec(world.depts["CGZF"].pk, "LEAD")],
            matter_id=None,
        )


def test_campaign(world, actors, t0, cal):
    c = S.campaign_create(
        actor=actors.commander,
        township_id=world.town.pk,
        name="双安双打",
        commander_id=world.users["commander"].pk,
        executive_commander_id=world.users["staff"].pk,
        department_ids=[d.pk for d in world.depts.values()],
        starts_date=t0.date(),
        ends_date=t0.date() + dt.timedelta(days=117),
        now=t0,
    )
    w = blow(world, actors, t0, cal, campaign_id=c.pk)
    with pytest.raises(Conflict):
        S.campaign_end(actor=actors.commander, campaign_id=c.pk, now=t0)
    assert w.campaign == c
    with pytest.raises(PermissionDenied):
        S.campaign_create(
            actor=actors.staff,
            township_id=world.town.pk,
            name="x",
            commander_id=world.users["commander"].pk,
            executive_commander_id=world.users["staff"].pk,
            department_ids=[],
            starts_date=t0.date(),
            ends_date=t0.date(),
            now=t0,
        )


def test_sweep_launches_due_surprise_once(world, actors, t0, cal):
    from shaobao.whistles.services import launch_due

    w = blow(
        world,
        actors,
        t0,
        cal,
        mode="SURPRISE",
        launch_at=t0 + 2 * H,
        meeting_point="东门",
        summoned=[S.SummonsSpec(world.depts["GHZY"].pk, "LEAD")],
    )
    assert launch_due(now=t0 + H, actor=SYSTEM) == 0
    assert launch_due(now=t0 + 3 * H, actor=SYSTEM) == 1
    assert launch_due(now=t0 + 4 * H, actor=SYSTEM) == 0
    w.refresh_from_db()
    assert w.launched_at == t0 + 3 * H
    launched = Notification.objects.get(event="whistle_launched")
    assert launched.body == "东门"  # now the meeting point may travel


def test_reassign_to_a_department_already_done_here_is_a_conflict(world, actors, t0, cal):
    w = blow(
        world,
        actors,
        t0,
        cal,
        summoned=[
            S.SummonsSpec(world.depts["SW"].pk, "LEAD"),
            S.SummonsSpec(world.depts["CGZF"].pk, "ASSIST"),
        ],
    )
    cg = w.summonses.get(department=world.depts["CGZF"])
    S.summons_acknowledge(actor=actors.cg_head, summons_id=cg.pk, officer_names="刘洋", now=t0)
    S.summons_check_in(actor=actors.cg_head, summons_id=cg.pk, now=t0)
    S.summons_record_outcome(actor=actors.cg_head, summons_id=cg.pk, note="清理", now=t0)
    S.summons_claim_completion(actor=actors.cg_head, summons_id=cg.pk, now=t0)
    S.summons_verify(actor=actors.commander, summons_id=cg.pk, accept=True, now=t0)
    sw = w.summonses.get(department=world.depts["SW"])
    o = S.objection_raise(
        actor=actors.sw_head, summons_id=sw.pk, reason="不是水务", now=t0, cal=cal
    )
    with pytest.raises(Conflict):
        S.objection_rule(
            actor=actors.legal,
            objection_id=o.pk,
            decision="REASSIGN",
            ruling="改派城管",
            reassign_to_id=world.depts["CGZF"].pk,
            now=t0,
        )


def test_cancelling_a_whistle_voids_its_pending_objections(world, actors, t0, cal):
    from shaobao.whistles.models import Objection

    w = blow(world, actors, t0, cal, summoned=[S.SummonsSpec(world.depts["SW"].pk, "LEAD")])
    s = lead_of(w)
    o = S.objection_raise(actor=actors.sw_head, summons_id=s.pk, reason="不是水务", now=t0, cal=cal)
    S.whistle_cancel(actor=actors.commander, whistle_id=w.pk, reason="重复吹哨", now=t0)
    o.refresh_from_db()
    assert o.state == Objection.VOID
    assert not Objection.objects.filter(state=Objection.PENDING).exists()
