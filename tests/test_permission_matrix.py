"""Every role × every action × an in-scope and an out-of-scope object.

The expected table below is written by hand from the brief (who does what, domain.md §6), not
derived from the workflow table, so that a wrong row in either one fails here."""

import pytest
from django.db import transaction

from shaobao.assessments.services import evaluation_submit
from shaobao.core.errors import NotFound, PermissionDenied
from shaobao.org import services as O
from shaobao.org.cast import USERS
from shaobao.org.scoping import SYSTEM, actor_for
from shaobao.problems.services import problem_close, problem_create, problem_triage
from shaobao.whistles import services as S

pytestmark = pytest.mark.django_db
ALL = set(USERS)

# action -> users (of the cast) allowed on the in-scope object. Nobody is allowed out of scope.
EXPECTED = {
    "acknowledge": {"gh_head"},
    "check_in": {"gh_head", "gh_officer"},
    "record_outcome": {"gh_head", "gh_officer"},
    "claim_completion": {"gh_head", "gh_officer"},
    "verify_accept": {"commander", "staff"},
    "verify_reject": {"commander", "staff"},
    "object": {"gh_head"},
    "rule_dismiss": {"legal"},
    "supervise": {"supervisor"},
    "evaluate": {"commander", "staff"},
    "cancel_whistle": {"commander"},
    "launch": {"commander"},
    "blow": {"commander", "staff"},
    "problem_create": {
        "commander",
        "staff",
        "grid",
        "cg_head",
        "cg_officer",
        "gh_head",
        "gh_officer",
        "ga_head",
        "sw_head",
    },
    "problem_triage": {"commander", "staff"},
    "problem_close": {"commander"},  # staff reported it, and a reporter never closes their own
}


@pytest.fixture
def scene(world, actors, t0, cal):
    """An in-scope whistle (金海湖镇 summons 规划自然资源分局 to lead) and an out-of-scope twin
    in another district, each with a problem; both driven to the state each action needs."""
    O.jurisdiction_create(actor=SYSTEM, code="110105", name="朝阳区", level="DISTRICT", now=t0)
    far_town = O.jurisdiction_create(
        actor=SYSTEM, code="110105001", name="建外街道", level="TOWNSHIP", kind="STREET", now=t0
    )
    far_dept = O.department_create(
        actor=SYSTEM, code="CY-CG", name="朝阳城管", district_code="110105", now=t0
    )
    far = {}
    for username, role, scope in [
        ("far_cmd", "township_commander", far_town),
        ("far_head", "department_dispatcher", far_dept),
    ]:
        u = O.user_create(
            actor=SYSTEM, username=username, display_name=username, password="x" * 12, now=t0
        )
        kw = {"department": scope} if role.startswith("department") else {"jurisdiction": scope}
        O.membership_grant(actor=SYSTEM, user=u, role=role, now=t0, **kw)
        far[username] = actor_for(u)
    return {
        "in": {
            "township": world.town,
            "cmd": actors.commander,
            "staff": actors.staff,
            "dept": world.depts["GHZY"],
            "head": actors.gh_head,
        },
        "out": {
            "township": far_town,
            "cmd": far["far_cmd"],
            "staff": far["far_cmd"],
            "dept": far_dept,
            "head": far["far_head"],
        },
    }


def make_whistle(side, t0, cal, mode="ROUTINE", **kw):
    extra = (
        {"launch_at": t0 + __import__("datetime").timedelta(hours=3), "meeting_point": "东门"}
        if mode == "SURPRISE"
        else {}
    )
    return S.whistle_blow(
        actor=side["cmd"],
        township_id=side["township"].pk,
        title="采砂",
        description="夜间采砂",
        address="东岸",
        area="JOINT_ENFORCEMENT",
        kind="ENFORCEMENT",
        mode=mode,
        summoned=[S.SummonsSpec(side["dept"].pk, "LEAD")],
        now=t0,
        cal=cal,
        **extra,
        **kw,
    )


def advance(side, summons, upto, t0):
    head = side["head"]
    steps = ["acknowledge", "check_in", "record_outcome", "claim_completion", "verify_accept"]
    calls = {
        "acknowledge": lambda: S.summons_acknowledge(
            actor=head, summons_id=summons.pk, officer_names="x", now=t0
        ),
        "check_in": lambda: S.summons_check_in(actor=head, summons_id=summons.pk, now=t0),
        "record_outcome": lambda: S.summons_record_outcome(
            actor=head, summons_id=summons.pk, note="n", now=t0
        ),
        "claim_completion": lambda: S.summons_claim_completion(
            actor=head, summons_id=summons.pk, now=t0
        ),
        "verify_accept": lambda: S.summons_verify(
            actor=side["cmd"], summons_id=summons.pk, accept=True, now=t0
        ),
    }
    for step in steps[: steps.index(upto)] if upto in steps else steps:
        calls[step]()


# action -> (state to reach first: the step before which we stop, or "verified"; the call)
def attempts(t0, cal):
    def summons_call(fn):
        return lambda a, ctx: fn(a, ctx["summons"].pk)

    return {
        "acknowledge": (
            "acknowledge",
            summons_call(
                lambda a, sid: S.summons_acknowledge(
                    actor=a, summons_id=sid, officer_names="x", now=t0
                )
            ),
        ),
        "check_in": (
            "check_in",
            summons_call(lambda a, sid: S.summons_check_in(actor=a, summons_id=sid, now=t0)),
        ),
        "record_outcome": (
            "record_outcome",
            summons_call(
                lambda a, sid: S.summons_record_outcome(actor=a, summons_id=sid, note="n", now=t0)
            ),
        ),
        "claim_completion": (
            "claim_completion",
            summons_call(
                lambda a, sid: S.summons_claim_completion(actor=a, summons_id=sid, now=t0)
            ),
        ),
        "verify_accept": (
            "verify_accept",
            summons_call(
                lambda a, sid: S.summons_verify(actor=a, summons_id=sid, accept=True, now=t0)
            ),
        ),
        "verify_reject": (
            "verify_accept",
            summons_call(
                lambda a, sid: S.summons_verify(
                    actor=a, summons_id=sid, accept=False, reason="r", now=t0
                )
            ),
        ),
        "object": (
            "acknowledge",
            summons_call(
                lambda a, sid: S.objection_raise(
                    actor=a, summons_id=sid, reason="r", now=t0, cal=cal
                )
            ),
        ),
        "rule_dismiss": (
            "objection",
            lambda a, ctx: S.objection_rule(
                actor=a, objection_id=ctx["objection"].pk, decision="DISMISS", ruling="r", now=t0
            ),
        ),
        "supervise": (
            "acknowledge",
            summons_call(
                lambda a, sid: S.summons_supervise(actor=a, summons_id=sid, comment="c", now=t0)
            ),
        ),
        "evaluate": (
            "verified",
            summons_call(
                lambda a, sid: evaluation_submit(
                    actor=a, summons_id=sid, timeliness=5, cooperation=5, effectiveness=5, now=t0
                )
            ),
        ),
        "cancel_whistle": (
            "acknowledge",
            lambda a, ctx: S.whistle_cancel(
                actor=a, whistle_id=ctx["whistle"].pk, reason="r", now=t0
            ),
        ),
        "launch": (
            "surprise",
            lambda a, ctx: S.whistle_launch(actor=a, whistle_id=ctx["whistle"].pk, now=t0),
        ),
        "blow": (
            "none",
            lambda a, ctx: S.whistle_blow(
                actor=a,
                township_id=ctx["side"]["township"].pk,
                title="t",
                description="d",
                address="a",
                area="KEY_TASK",
                kind="MANAGEMENT",
                mode="ROUTINE",
                summoned=[S.SummonsSpec(ctx["side"]["dept"].pk, "LEAD")],
                now=t0,
                cal=cal,
            ),
        ),
        "problem_create": (
            "none",
            lambda a, ctx: problem_create(
                actor=a,
                township_id=ctx["side"]["township"].pk,
                title="t",
                description="d",
                address="a",
                reporting_department_id=next(
                    iter(a.departments({"department_dispatcher", "department_officer"})), None
                ),
                now=t0,
            ),
        ),
        "problem_triage": (
            "problem",
            lambda a, ctx: problem_triage(
                actor=a, problem_id=ctx["problem"].pk, matter_id=ctx["matter"].pk, now=t0
            ),
        ),
        "problem_close": (
            "problem",
            lambda a, ctx: problem_close(
                actor=a, problem_id=ctx["problem"].pk, reason="重复", now=t0
            ),
        ),
    }


def prepare(stage, side, world, t0, cal):
    ctx = {"side": side, "matter": world.matters["CX-HJ-01"]}
    if stage == "none":
        return ctx
    if stage == "problem":
        ctx["problem"] = problem_create(
            actor=side["staff"],
            township_id=side["township"].pk,
            title="t",
            description="d",
            address="a",
            now=t0,
        )
        return ctx
    w = make_whistle(side, t0, cal, mode="SURPRISE" if stage == "surprise" else "ROUTINE")
    ctx["whistle"], ctx["summons"] = w, w.summonses.get()
    if stage in ("surprise", "none"):
        return ctx
    if stage == "objection":
        advance(side, ctx["summons"], "acknowledge", t0)
        ctx["objection"] = S.objection_raise(
            actor=side["head"], summons_id=ctx["summons"].pk, reason="r", now=t0, cal=cal
        )
        return ctx
    advance(side, ctx["summons"], "never" if stage == "verified" else stage, t0)
    return ctx


def outcome(fn, actor, ctx) -> str:
    sid = transaction.savepoint()
    try:
        fn(actor, ctx)
        return "ok"
    except (PermissionDenied, NotFound):
        return "denied"
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_permission_matrix(world, actors, scene, t0, cal, action):
    stage, fn = attempts(t0, cal)[action]
    got_in, got_out = set(), set()
    ctx_in = prepare(stage, scene["in"], world, t0, cal)
    ctx_out = prepare(stage, scene["out"], world, t0, cal)
    for name in sorted(ALL):
        if outcome(fn, actors[name], ctx_in) == "ok":
            got_in.add(name)
        if outcome(fn, actors[name], ctx_out) == "ok":
            got_out.add(name)
    assert got_in == EXPECTED[action], f"{action}: in scope"
    assert got_out == set(), f"{action}: out of scope"
