"""The only writers of whistles and summonses. Each function: validate, lock (whistle before
summons), check the transition table, save, audit, queue notifications — in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core import validate as V
from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.core.workdays import LOCAL_TZ, WorkCalendar, deadline
from shaobao.duties.models import Matter
from shaobao.duties.selectors import owners_for
from shaobao.notify.services import enqueue
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import Actor
from shaobao.problems.models import Problem
from shaobao.whistles import permissions as P
from shaobao.whistles import workflow as W
from shaobao.whistles.models import (
    AREAS,
    KINDS,
    MODES,
    SUMMONS_ROLES,
    URGENCIES,
    Campaign,
    CheckIn,
    Evidence,
    LedgerItem,
    Objection,
    Outcome,
    RoutineSchedule,
    Summons,
    Supervision,
    Verification,
    Whistle,
)

OBJECTION_RULE_HOURS = 8  # working hours the legal office has to rule (configurable below)


def _cfg(key, default):
    return settings.SHAOBAO.get(key, default)


@dataclass(frozen=True)
class SummonsSpec:
    department_id: int
    role: str  # LEAD / ASSIST


def _lock_whistle(whistle_id) -> Whistle:
    return (
        Whistle.objects.select_for_update(of=("self",))
        .select_related("township")
        .get(pk=whistle_id)
    )


def _lock_summons(actor: Actor, summons_id, now) -> Summons:
    """Scope first (unlocked read), then lock whistle then summons in that fixed order."""
    seen = P.access_summons(actor, summons_id, now=now)
    whistle = _lock_whistle(seen.whistle_id)
    summons = (
        Summons.objects.select_for_update(of=("self",)).select_related("department").get(pk=seen.pk)
    )
    summons.whistle = whistle
    return summons


def _audit(actor, action, obj, whistle, now, **data):
    sealed = whistle.is_sealed(now)
    # A sealed whistle's content must not leak through the log either: ids and state only.
    if sealed:
        data = {k: v for k, v in data.items() if k in {"state", "from", "to", "department"}}
        data["sealed"] = True
    return record(actor=actor, action=action, obj=obj, whistle_id=whistle.pk, data=data, now=now)


def _notify_department(summons: Summons, event: str, title: str, now, *, urgent=False, body=""):
    whistle = summons.whistle
    if whistle.is_sealed(now):
        title, body = _("您单位有一项保密行动召集，请登录系统查看"), ""
        audience = [R.DEPARTMENT_DISPATCHER]
    else:
        audience = [R.DEPARTMENT_DISPATCHER, R.DEPARTMENT_OFFICER]
    enqueue(
        event=event,
        dedupe_key=f"{event}:summons:{summons.pk}:{now.isoformat()}",
        title=title,
        body=body,
        link=f"/summonses/{summons.pk}/",
        department=summons.department,
        audience=audience,
        urgent=urgent or whistle.urgency != "NORMAL",
        now=now,
    )


def _notify_whistler(whistle: Whistle, event: str, title: str, now, *, key: str):
    enqueue(
        event=event,
        dedupe_key=f"{event}:{key}",
        title=title,
        link=f"/whistles/{whistle.pk}/",
        jurisdiction=whistle.township,
        department=whistle.blown_by_department,
        audience=[R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF, R.DEPARTMENT_DISPATCHER],
        now=now,
    )


def default_deadlines(
    *,
    kind: str,
    area: str,
    matter: Matter | None,
    start: dt.datetime,
    cal: WorkCalendar,
    tier: str | None = None,
) -> tuple[dt.datetime, dt.datetime]:
    """Report-by from the kind/area; finish-by from the duty's (else the matter's) tier."""
    minutes_by = _cfg("REPORT_BY_MINUTES", {"DEFAULT": 240})
    minutes = min(
        minutes_by.get(kind, minutes_by["DEFAULT"]), minutes_by.get(area, minutes_by["DEFAULT"])
    )
    report_by = start + dt.timedelta(minutes=minutes)
    tiers = settings.SHAOBAO["TIME_LIMIT_TIERS"]
    tier = tier or (matter.tier if matter else "")
    unit, amount = tiers.get(tier, tiers[settings.SHAOBAO["DEFAULT_TIER"]])
    finish_by = deadline(start, unit, amount, cal)
    return report_by, max(finish_by, report_by)


def suggest_departments(
    *, matter: Matter | None, now, district_code: str | None = None
) -> list[SummonsSpec]:
    """Lead and assisting departments from the duty list in force, where it knows the matter."""
    if matter is None:
        return []
    duty, _list = owners_for(matter=matter, at=now, district_code=district_code)
    if duty is None:
        return []
    specs = [SummonsSpec(duty.lead_department_id, "LEAD")]
    specs += [SummonsSpec(d.pk, "ASSIST") for d in duty.assist_departments.all()]
    return specs


@transaction.atomic
def whistle_blow(
    *,
    actor: Actor,
    township_id,
    title,
    description,
    address,
    area,
    kind,
    mode,
    summoned: list[SummonsSpec],
    urgency="NORMAL",
    matter_id=None,
    problem_ids=(),
    lat=None,
    lng=None,
    report_by_at=None,
    finish_by_at=None,
    campaign_id=None,
    launch_at=None,
    meeting_point="",
    ledger_items=(),
    blown_by_department_id=None,
    routine: RoutineSchedule | None = None,
    routine_run_date=None,
    now: dt.datetime,
    cal: WorkCalendar,
) -> Whistle:
    title = V.text(title, _("标题"), max_len=120)
    description = V.text(description, _("情况说明"), max_len=4000)
    address = V.text(address, _("地点"), max_len=200)
    area = V.choice(area, AREAS, "area")
    kind = V.choice(kind, KINDS, "kind")
    mode = V.choice(mode, MODES, "mode")
    urgency = V.choice(urgency, URGENCIES, "urgency")
    lat, lng = V.coords(lat, lng)
    launch_at = V.moment(launch_at, "launch_at", now=now)
    report_by_at = V.moment(report_by_at, "report_by_at", now=now)
    finish_by_at = V.moment(finish_by_at, "finish_by_at", now=now)
    try:
        township = Jurisdiction.objects.get(
            pk=int(township_id), level=Jurisdiction.TOWNSHIP, active=True
        )
    except (Jurisdiction.DoesNotExist, TypeError, ValueError):
        raise InvalidInput(_("请选择有效的街乡"), fields={"township": "invalid"}) from None

    # Who may blow here: the township's command centre, or a department's head for its department.
    blown_by = None
    if blown_by_department_id:
        if not actor.in_department({R.DEPARTMENT_DISPATCHER}, int(blown_by_department_id)):
            raise PermissionDenied()
        blown_by = Department.objects.get(pk=int(blown_by_department_id))
        if township.code[:6] != blown_by.district.code:
            raise InvalidInput(_("只能在本区范围内吹哨"), fields={"township": "out_of_district"})
    elif routine is None and not actor.covers(
        {R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF}, township.code
    ):
        raise PermissionDenied()

    matter = None
    if matter_id:
        matter = Matter.objects.filter(pk=matter_id, active=True).first()
        if matter is None:
            raise InvalidInput(_("事项无效"), fields={"matter": "invalid"})

    specs = list(summoned) or suggest_departments(
        matter=matter, now=now, district_code=township.code[:6]
    )
    if not specs:
        raise InvalidInput(_("请至少召集一个部门"), fields={"departments": "required"})
    seen_depts = set()
    for s in specs:
        V.choice(s.role, SUMMONS_ROLES, "role")
        if s.department_id in seen_depts:
            raise InvalidInput(_("同一部门不能重复召集"), fields={"departments": "duplicate"})
        seen_depts.add(s.department_id)
    if sum(1 for s in specs if s.role == "LEAD") != 1:
        raise InvalidInput(_("必须且只能指定一个牵头部门"), fields={"departments": "one_lead"})
    departments = {
        d.pk: d
        for d in Department.objects.filter(
            pk__in=seen_depts, active=True, district__code=township.code[:6]
        )
    }
    if len(departments) != len(seen_depts):
        raise InvalidInput(_("召集的部门无效或不属于本区"), fields={"departments": "invalid"})
    if blown_by and blown_by.pk in departments:
        raise InvalidInput(_("部门不能召集自己"), fields={"departments": "self"})

    campaign = None
    if campaign_id:
        campaign = Campaign.objects.filter(
            pk=campaign_id, township=township, ended_at__isnull=True
        ).first()
        if campaign is None:
            raise InvalidInput(_("专项行动无效或已结束"), fields={"campaign": "invalid"})

    start = now
    meeting_point = (meeting_point or "").strip()
    if mode == "SURPRISE":
        if launch_at is None or launch_at <= now:
            raise InvalidInput(
                _("突击式行动须设定未来的行动时间"), fields={"launch_at": "required"}
            )
        meeting_point = V.text(meeting_point, _("集合地点"), max_len=200)
        start = launch_at
    else:
        launch_at, meeting_point = None, ""
    items = [V.text(t, _("账单事项"), max_len=200) for t in ledger_items if (t or "").strip()]
    if mode == "LEDGER" and not items:
        raise InvalidInput(_("账单式吹哨须列出至少一项账单"), fields={"ledger_items": "required"})
    if mode != "LEDGER" and items:
        raise InvalidInput(_("只有账单式吹哨才有账单事项"), fields={"ledger_items": "not_ledger"})

    duty, duty_list = (
        owners_for(matter=matter, at=now, district_code=township.code[:6])
        if matter
        else (None, None)
    )
    default_report, default_finish = default_deadlines(
        kind=kind,
        area=area,
        matter=matter,
        start=start,
        cal=cal,
        tier=duty.effective_tier if duty else None,
    )
    report_by_at = report_by_at or default_report
    finish_by_at = finish_by_at or default_finish
    if report_by_at <= now or finish_by_at < report_by_at:
        raise InvalidInput(
            _("时限无效：报到时限须晚于现在，办结时限不得早于报到时限"),
            fields={"report_by_at": "invalid"},
        )

    problems = []
    if problem_ids:
        ids = {int(p) for p in problem_ids}
        problems = list(Problem.objects.select_for_update().filter(pk__in=ids, township=township))
        if len(problems) != len(ids):
            raise InvalidInput(_("问题无效或不属于本街乡"), fields={"problems": "invalid"})
        if any(p.status in {Problem.CLOSED, Problem.MERGED, Problem.SOLVED} for p in problems):
            raise InvalidInput(
                _("已办结、已关闭或已合并的问题不能吹哨"), fields={"problems": "closed"}
            )

    whistle = Whistle.objects.create(
        township=township,
        blown_by_department=blown_by,
        title=title,
        description=description,
        address=address,
        lat=lat,
        lng=lng,
        area=area,
        kind=kind,
        mode=mode,
        urgency=urgency,
        matter=matter,
        campaign=campaign,
        routine=routine,
        routine_run_date=routine_run_date,
        duty_list=duty_list,
        report_by_at=report_by_at,
        finish_by_at=finish_by_at,
        launch_at=launch_at,
        meeting_point=meeting_point,
        created_by_id=actor.user_id or (routine.created_by_id if routine else None),
        created_at=now,
    )
    for p in problems:
        whistle.problems.add(p)
        if p.status != Problem.WHISTLED:
            p.status, p.updated_at = Problem.WHISTLED, now
            p.save(update_fields=["status", "updated_at"])
    for i, item in enumerate(items, start=1):
        LedgerItem.objects.create(whistle=whistle, seq=i, title=item)
    _audit(
        actor,
        "whistle.blow",
        whistle,
        whistle,
        now,
        title=title,
        area=area,
        kind=kind,
        mode=mode,
        urgency=urgency,
        township=township.code,
        departments=[[s.department_id, s.role] for s in specs],
        report_by_at=report_by_at,
        finish_by_at=finish_by_at,
        problems=sorted(p.pk for p in problems),
    )
    for s in specs:
        summons = Summons.objects.create(
            whistle=whistle,
            department=departments[s.department_id],
            role=s.role,
            report_by_at=report_by_at,
            finish_by_at=finish_by_at,
            created_at=now,
        )
        _notify_department(
            summons,
            "whistle_issued",
            _("吹哨召集：%(t)s") % {"t": title},
            now,
            urgent=area == "EMERGENCY",
        )
    return whistle


@transaction.atomic
def whistle_launch(*, actor: Actor, whistle_id, now) -> Whistle:
    seen = P.access_whistle(actor, whistle_id, now=now)
    whistle = _lock_whistle(seen.pk)
    if not P.may_whistle(actor, "launch", whistle):
        raise PermissionDenied()
    if (
        whistle.mode != "SURPRISE"
        or whistle.launched_at is not None
        or whistle.status != Whistle.ACTIVE
    ):
        raise Conflict(_("该吹哨不是待发起的突击行动"), code="invalid_state")
    _launch(actor, whistle, now)
    return whistle


def _launch(actor: Actor, whistle: Whistle, now):
    whistle.launched_at = now
    whistle.save(update_fields=["launched_at"])
    record(
        actor=actor, action="whistle.launch", obj=whistle, whistle_id=whistle.pk, data={}, now=now
    )
    for s in whistle.summonses.exclude(state__in=W.ENDED_STATES).select_related("department"):
        s.whistle = whistle
        _notify_department(
            s,
            "whistle_launched",
            _("突击行动已发起：%(t)s") % {"t": whistle.title},
            now,
            urgent=True,
            body=whistle.meeting_point,
        )


def launch_due(*, now, actor: Actor) -> int:
    """Unseal surprise whistles whose launch time has come and tell everyone summoned. Each is
    claimed under its row lock, so a second or concurrent sweep launches nothing twice."""
    launched = 0
    due = Whistle.objects.filter(
        mode="SURPRISE", launched_at__isnull=True, launch_at__lte=now, status=Whistle.ACTIVE
    ).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            whistle = (
                Whistle.objects.select_for_update(of=("self",))
                .filter(pk=pk, launched_at__isnull=True)
                .select_related("township")
                .first()
            )
            if whistle is None:
                continue
            _launch(actor, whistle, now)
            launched += 1
    return launched


@transaction.atomic
def whistle_cancel(*, actor: Actor, whistle_id, reason, now) -> Whistle:
    reason = V.text(reason, _("撤销原因"), max_len=500)
    seen = P.access_whistle(actor, whistle_id, now=now)
    whistle = _lock_whistle(seen.pk)
    if not P.may_whistle(actor, "cancel", whistle):
        raise PermissionDenied()
    if whistle.status != Whistle.ACTIVE:
        raise Conflict(_("该吹哨已结束"), code="invalid_state")
    if whistle.summonses.filter(state=W.VERIFIED).exists():
        raise Conflict(_("已有部门通过核查，不能撤销，请逐个办结"), code="has_verified")
    whistle.status, whistle.closed_at, whistle.cancel_reason = Whistle.CANCELLED, now, reason
    whistle.save(update_fields=["status", "closed_at", "cancel_reason"])
    for s in whistle.summonses.select_for_update().exclude(state__in=W.ENDED_STATES):
        prev = s.state
        s.state, s.ended_at = W.CANCELLED, now
        s.save(update_fields=["state", "ended_at"])
        s.whistle = whistle
        _audit(actor, "summons.cancel", s, whistle, now, **{"from": prev, "to": s.state})
        for o in s.objections.select_for_update().filter(state=Objection.PENDING):
            o.state, o.ruled_at, o.ruling = Objection.VOID, now, _("吹哨已撤销，异议不再裁定")
            o.save(update_fields=["state", "ruled_at", "ruling"])
            _audit(actor, "objection.void", o, whistle, now, summons=s.pk)
        _notify_department(
            s, "whistle_cancelled", _("吹哨已撤销：%(t)s") % {"t": whistle.title}, now
        )
    _audit(actor, "whistle.cancel", whistle, whistle, now, reason=reason)
    # A cancelled whistle hands its problems back to the problem list; they are never lost.
    for p in whistle.problems.filter(status=Problem.WHISTLED):
        if not p.whistles.filter(status=Whistle.ACTIVE).exists():
            p.status, p.updated_at = Problem.TRIAGED, now
            p.save(update_fields=["status", "updated_at"])
    return whistle


@transaction.atomic
def summons_acknowledge(
    *, actor: Actor, summons_id, officer_ids=(), officer_names="", now
) -> Summons:
    summons = _lock_summons(actor, summons_id, now)
    t = P.check(actor, "acknowledge", summons)
    officer_names = V.text(officer_names, _("到场人员"), max_len=200, required=False)
    officers = []
    if officer_ids:
        from shaobao.org.models import User

        officers = list(
            User.objects.filter(
                pk__in=[int(i) for i in officer_ids],
                is_active=True,
                memberships__department_id=summons.department_id,
                memberships__active=True,
            ).distinct()
        )
        if len(officers) != len(set(officer_ids)):
            raise InvalidInput(_("执法人员须为本部门人员"), fields={"officers": "invalid"})
    if not officers and not officer_names:
        raise InvalidInput(_("签收时须指派到场人员"), fields={"officers": "required"})
    prev = summons.state
    summons.state, summons.acknowledged_at, summons.officer_names = t.target, now, officer_names
    summons.save(update_fields=["state", "acknowledged_at", "officer_names"])
    summons.officers.set(officers)
    _audit(
        actor,
        "summons.acknowledge",
        summons,
        summons.whistle,
        now,
        **{
            "from": prev,
            "to": summons.state,
            "officers": [o.pk for o in officers],
            "officer_names": officer_names,
        },
    )
    return summons


@transaction.atomic
def summons_check_in(
    *, actor: Actor, summons_id, lat=None, lng=None, accuracy_m=None, note="", now
) -> Summons:
    summons = _lock_summons(actor, summons_id, now)
    t = P.check(actor, "check_in", summons)
    if summons.whistle.is_sealed(now):
        raise Conflict(_("突击行动尚未发起，不能报到"), code="not_launched")
    lat, lng = V.coords(lat, lng)
    note = V.text(note, _("备注"), max_len=200, required=False)
    try:
        accuracy_m = float(accuracy_m) if accuracy_m not in (None, "") else None
    except (TypeError, ValueError):
        raise InvalidInput(_("定位精度无效"), fields={"accuracy_m": "invalid"}) from None
    CheckIn.objects.create(
        summons=summons,
        officer_id=actor.user_id,
        at=now,
        lat=lat,
        lng=lng,
        accuracy_m=accuracy_m,
        note=note,
    )
    prev = summons.state
    summons.state, summons.checked_in_at = t.target, now
    summons.save(update_fields=["state", "checked_in_at"])
    _audit(
        actor,
        "summons.check_in",
        summons,
        summons.whistle,
        now,
        **{
            "from": prev,
            "to": summons.state,
            "lat": lat,
            "lng": lng,
            "accuracy_m": accuracy_m,
            "late": now > summons.report_by_at,
        },
    )
    return summons


@transaction.atomic
def summons_record_outcome(
    *,
    actor: Actor,
    summons_id,
    inspections=0,
    cases_filed=0,
    fines_yuan="0",
    items_removed=0,
    note="",
    photos=(),
    lat=None,
    lng=None,
    now,
) -> Outcome:
    summons = _lock_summons(actor, summons_id, now)
    P.check(actor, "record_outcome", summons)
    try:
        fines = Decimal(str(fines_yuan or "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("罚款金额无效"), fields={"fines_yuan": "invalid"}) from None
    if fines < 0 or fines >= Decimal("1e10"):
        raise InvalidInput(_("罚款金额超出范围"), fields={"fines_yuan": "out_of_range"})
    values = {
        "inspections": V.nonneg_int(inspections, "inspections"),
        "cases_filed": V.nonneg_int(cases_filed, "cases_filed"),
        "items_removed": V.nonneg_int(items_removed, "items_removed"),
    }
    note = V.text(note, _("工作情况"), max_len=2000, required=False)
    photos = V.images(photos)
    lat, lng = V.coords(lat, lng)
    if not note and not any(values.values()) and not fines and not photos:
        raise InvalidInput(_("请填写至少一项执法效果"), fields={"note": "required"})
    outcome = Outcome.objects.create(
        summons=summons,
        fines_yuan=fines,
        note=note,
        recorded_by_id=actor.user_id,
        recorded_at=now,
        **values,
    )
    # Evidence is time-stamped (and, where the phone gave it, placed) when it is uploaded.
    for f in photos:
        Evidence.objects.create(
            outcome=outcome, file=f, uploaded_by_id=actor.user_id, uploaded_at=now, lat=lat, lng=lng
        )
    _audit(
        actor,
        "summons.record_outcome",
        outcome,
        summons.whistle,
        now,
        summons=summons.pk,
        fines_yuan=str(fines),
        note=note,
        photos=len(photos),
        **values,
    )
    return outcome


@transaction.atomic
def ledger_item_clear(*, actor: Actor, item_id, evidence_note, now) -> LedgerItem:
    try:
        item = LedgerItem.objects.get(pk=V.pk(item_id))
    except (LedgerItem.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    summons = (
        Summons.objects.filter(
            whistle_id=item.whistle_id, department_id__in=actor.departments(W.DEPT)
        )
        .exclude(state__in=W.ENDED_STATES)
        .first()
    )
    if summons is None:
        # Out of scope looks the same as missing, unless the actor can see the whistle.
        P.access_whistle(actor, item.whistle_id, now=now)
        raise PermissionDenied()
    summons = _lock_summons(actor, summons.pk, now)
    P.check(actor, "clear_ledger_item", summons)
    item = LedgerItem.objects.select_for_update().get(pk=item.pk)
    if item.department_id and item.department_id != summons.department_id:
        raise PermissionDenied(_("该账单事项由其他部门负责"))
    if item.cleared_at:
        raise Conflict(_("该账单事项已销账"), code="already_cleared")
    evidence_note = V.text(evidence_note, _("销账说明"), max_len=500)
    item.cleared_at, item.cleared_by_id, item.evidence_note = now, actor.user_id, evidence_note
    item.save(update_fields=["cleared_at", "cleared_by", "evidence_note"])
    _audit(actor, "ledger_item.clear", item, summons.whistle, now, seq=item.seq, note=evidence_note)
    return item


@transaction.atomic
def summons_claim_completion(*, actor: Actor, summons_id, note="", now) -> Summons:
    summons = _lock_summons(actor, summons_id, now)
    t = P.check(actor, "claim_completion", summons)
    whistle = summons.whistle
    if whistle.mode == "LEDGER":
        open_items = whistle.ledger_items.filter(cleared_at__isnull=True).filter(
            Q(department_id=summons.department_id) | Q(department__isnull=True)
        )
        if open_items.exists():
            raise Conflict(_("还有未销账的账单事项，不能申请办结"), code="ledger_items_open")
    if not summons.outcomes.exists():
        raise Conflict(_("请先登记执法效果，再申请办结"), code="no_outcome")
    prev = summons.state
    summons.state, summons.claimed_at = t.target, now
    summons.save(update_fields=["state", "claimed_at"])
    _audit(
        actor,
        "summons.claim_completion",
        summons,
        whistle,
        now,
        **{"from": prev, "to": summons.state, "note": (note or "")[:500]},
    )
    _notify_whistler(
        whistle,
        "completion_claimed",
        _("%(d)s申请办结：%(t)s") % {"d": summons.department, "t": whistle.title},
        now,
        key=f"summons:{summons.pk}:claim:{now.isoformat()}",
    )
    return summons


def _close_if_done(actor, whistle: Whistle, now):
    states = list(whistle.summonses.values_list("state", flat=True))
    uncleared = whistle.ledger_items.filter(cleared_at__isnull=True).count()
    if whistle.status == Whistle.ACTIVE and W.whistle_closes(states, uncleared):
        whistle.status, whistle.closed_at = Whistle.CLOSED, now
        whistle.save(update_fields=["status", "closed_at"])
        _audit(actor, "whistle.close", whistle, whistle, now)
        for p in whistle.problems.filter(status=Problem.WHISTLED):
            if not p.whistles.filter(status=Whistle.ACTIVE).exists():
                p.status, p.updated_at = Problem.SOLVED, now
                p.save(update_fields=["status", "updated_at"])
                from shaobao.demands.services import follow_problem

                follow_problem(problem=p, actor=actor, now=now)
                record(
                    actor=actor,
                    action="problem.solved",
                    obj=p,
                    whistle_id=whistle.pk,
                    data={"whistle": whistle.pk},
                    now=now,
                )


@transaction.atomic
def summons_verify(*, actor: Actor, summons_id, accept: bool, reason="", now) -> Summons:
    summons = _lock_summons(actor, summons_id, now)
    action = "verify_accept" if accept else "verify_reject"
    t = P.check(actor, action, summons)
    if actor.in_department(W.DEPT, summons.department_id):
        raise PermissionDenied(_("核查须由吹哨方进行，不能由承办部门自己核查"))
    reason = V.text(reason, _("核查意见"), max_len=500, required=not accept)
    Verification.objects.create(
        summons=summons,
        decision="ACCEPT" if accept else "REJECT",
        reason=reason,
        by_id=actor.user_id,
        at=now,
    )
    prev = summons.state
    summons.state = t.target
    fields = ["state"]
    if accept:
        summons.verified_at = summons.ended_at = now
        fields += ["verified_at", "ended_at"]
    else:
        summons.rework_count += 1
        fields.append("rework_count")
    summons.save(update_fields=fields)
    _audit(
        actor,
        f"summons.{action}",
        summons,
        summons.whistle,
        now,
        **{"from": prev, "to": summons.state, "reason": reason},
    )
    if not accept:
        _notify_department(
            summons,
            "verification_rejected",
            _("核查未通过，请返工：%(t)s") % {"t": summons.whistle.title},
            now,
            body=reason,
        )
    _close_if_done(actor, summons.whistle, now)
    return summons


@transaction.atomic
def objection_raise(
    *,
    actor: Actor,
    summons_id,
    reason,
    claimed_owner_id=None,
    claimed_duty="",
    now,
    cal: WorkCalendar,
) -> Objection:
    summons = _lock_summons(actor, summons_id, now)
    P.check(actor, "object", summons)
    reason = V.text(reason, _("异议理由"), max_len=2000)
    claimed_duty = V.text(claimed_duty, _("依据的职责"), max_len=300, required=False)
    owner = None
    if claimed_owner_id:
        owner = (
            Department.objects.filter(pk=int(claimed_owner_id), active=True)
            .exclude(pk=summons.department_id)
            .first()
        )
        if owner is None:
            raise InvalidInput(_("所指部门无效"), fields={"claimed_owner": "invalid"})
    if summons.objections.filter(state=Objection.PENDING).exists():
        raise Conflict(_("已有待裁定的异议"), code="objection_pending")
    hours = _cfg("OBJECTION_RULE_WORKING_HOURS", OBJECTION_RULE_HOURS)
    objection = Objection.objects.create(
        summons=summons,
        reason=reason,
        claimed_owner=owner,
        claimed_duty=claimed_duty,
        raised_by_id=actor.user_id,
        raised_at=now,
        rule_by_at=deadline(now, "working_hours", hours, cal),
    )
    _audit(
        actor,
        "objection.raise",
        objection,
        summons.whistle,
        now,
        summons=summons.pk,
        reason=reason,
        claimed_owner=owner.pk if owner else None,
        claimed_duty=claimed_duty,
    )
    enqueue(
        event="objection_raised",
        dedupe_key=f"objection_raised:{objection.pk}",
        title=_("派单异议待裁定：%(d)s") % {"d": summons.department},
        link="/objections/",
        jurisdiction=summons.whistle.township.parent,
        audience=[R.LEGAL_OFFICER],
        now=now,
    )
    return objection


@transaction.atomic
def objection_rule(
    *, actor: Actor, objection_id, decision: str, ruling, reassign_to_id=None, now
) -> Objection:
    try:
        objection = Objection.objects.select_related("summons").get(pk=V.pk(objection_id))
    except (Objection.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None
    if not actor.covers({R.LEGAL_OFFICER}, objection.summons.whistle.township.code):
        raise NotFound()
    summons = _lock_summons(actor, objection.summons_id, now)
    action = {"DISMISS": "rule_dismiss", "REASSIGN": "rule_reassign"}.get(decision)
    if action is None:
        raise InvalidInput(_("裁定结果无效"), fields={"decision": "invalid"})
    t = P.check(actor, action, summons)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.state != Objection.PENDING:
        raise Conflict(_("该异议已裁定"), code="already_ruled")
    ruling = V.text(ruling, _("裁定意见"), max_len=1000)
    new_dept = None
    if action == "rule_reassign":
        new_dept = (
            Department.objects.filter(
                pk=int(reassign_to_id or 0),
                active=True,
                district__code=summons.whistle.township.code[:6],
            )
            .exclude(pk=summons.department_id)
            .first()
        )
        if new_dept is None:
            raise InvalidInput(_("请选择改派的部门"), fields={"reassign_to": "required"})
        if (
            # as the unique constraint counts it: any summons not released or cancelled
            summons.whistle.summonses.filter(department=new_dept)
            .exclude(state__in=[W.RELEASED, W.CANCELLED])
            .exists()
        ):
            raise Conflict(_("该部门已在本次召集中"), code="already_summoned")
    objection.state = Objection.REASSIGNED if new_dept else Objection.DISMISSED
    objection.ruled_by_id, objection.ruled_at, objection.ruling = actor.user_id, now, ruling
    objection.reassigned_to = new_dept
    objection.save()
    _audit(
        actor,
        "objection.rule",
        objection,
        summons.whistle,
        now,
        decision=decision,
        ruling=ruling,
        reassigned_to=new_dept.pk if new_dept else None,
        summons=summons.pk,
    )
    if new_dept:
        prev = summons.state
        summons.state, summons.ended_at = t.target, now
        summons.save(update_fields=["state", "ended_at"])
        _audit(
            actor,
            "summons.release",
            summons,
            summons.whistle,
            now,
            **{"from": prev, "to": summons.state},
        )
        # The new department gets the same report window from now, and at least the old finish-by.
        start = max(now, summons.whistle.launch_at or now)
        report_by = start + (summons.report_by_at - summons.created_at)
        replacement = Summons.objects.create(
            whistle=summons.whistle,
            department=new_dept,
            role=summons.role,
            replaces=summons,
            report_by_at=report_by,
            finish_by_at=max(summons.finish_by_at, report_by),
            created_at=now,
        )
        replacement.whistle = summons.whistle
        _audit(
            actor,
            "summons.issue",
            replacement,
            summons.whistle,
            now,
            department=new_dept.pk,
            replaces=summons.pk,
        )
        _notify_department(
            replacement, "whistle_issued", _("改派召集：%(t)s") % {"t": summons.whistle.title}, now
        )
    enqueue(
        event="objection_ruled",
        dedupe_key=f"objection_ruled:{objection.pk}",
        title=_("派单异议已裁定"),
        body=ruling,
        link=f"/summonses/{summons.pk}/",
        department=summons.department,
        audience=[R.DEPARTMENT_DISPATCHER],
        now=now,
    )
    return objection


@transaction.atomic
def summons_supervise(*, actor: Actor, summons_id, comment, now) -> Supervision:
    summons = _lock_summons(actor, summons_id, now)
    P.check(actor, "supervise", summons)
    comment = V.text(comment, _("督办意见"), max_len=500)
    sup = Supervision.objects.create(summons=summons, comment=comment, by_id=actor.user_id, at=now)
    _audit(
        actor, "summons.supervise", sup, summons.whistle, now, summons=summons.pk, comment=comment
    )
    _notify_department(
        summons,
        "supervised",
        _("区级督办：%(t)s") % {"t": summons.whistle.title},
        now,
        urgent=True,
        body=comment,
    )
    return sup


def sweep_deadlines(*, now, actor: Actor) -> dict[str, int]:
    """Mark overdue summonses and escalate them. Each row is claimed with a conditional update,
    so two sweeps at once (or one run twice) mark and escalate each summons exactly once."""
    counts = {}
    for deadline_field, states, mark_field in W.OVERDUE_RULES:
        due = (
            Summons.objects.filter(
                state__in=states, **{f"{deadline_field}__lt": now, f"{mark_field}__isnull": True}
            )
            .exclude(whistle__status__in=[Whistle.CLOSED, Whistle.CANCELLED])
            .values_list("pk", flat=True)
        )
        n = 0
        for pk in list(due[:5000]):
            with transaction.atomic():
                claimed = Summons.objects.filter(pk=pk, **{f"{mark_field}__isnull": True}).update(
                    **{mark_field: now}
                )
                if not claimed:
                    continue
                summons = Summons.objects.select_related("whistle__township", "department").get(
                    pk=pk
                )
                first_escalation = Summons.objects.filter(pk=pk, escalated_at__isnull=True).update(
                    escalated_at=now
                )
                _audit(
                    actor,
                    "summons.overdue",
                    summons,
                    summons.whistle,
                    now,
                    deadline=deadline_field,
                    state=summons.state,
                )
                if first_escalation:
                    _audit(
                        actor,
                        "summons.escalate",
                        summons,
                        summons.whistle,
                        now,
                        state=summons.state,
                    )
                enqueue(
                    event="escalated",
                    dedupe_key=f"escalated:{pk}:{mark_field}",
                    title=_("超时升级：%(d)s（%(t)s）")
                    % {"d": summons.department, "t": summons.whistle.number},
                    link=f"/summonses/{pk}/",
                    jurisdiction=summons.whistle.township.parent,
                    audience=[R.DISTRICT_SUPERVISOR],
                    urgent=True,
                    now=now,
                )
                _notify_department(
                    summons, "overdue", _("已超时：%(t)s") % {"t": summons.whistle.number}, now
                )
                n += 1
        counts[mark_field] = n
    return counts


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    township_id,
    name,
    commander_id,
    executive_commander_id,
    department_ids,
    starts_date,
    ends_date,
    now,
) -> Campaign:
    name = V.text(name, _("专项行动名称"), max_len=100)
    township = Jurisdiction.objects.filter(pk=township_id, level=Jurisdiction.TOWNSHIP).first()
    if township is None or not actor.covers({R.TOWNSHIP_COMMANDER}, township.code):
        raise PermissionDenied()
    if not starts_date or not ends_date or ends_date < starts_date:
        raise InvalidInput(_("起止日期无效"), fields={"ends_date": "invalid"})
    from shaobao.org.models import User

    people = {
        u.pk: u
        for u in User.objects.filter(
            pk__in=[commander_id, executive_commander_id],
            is_active=True,
            memberships__role__in=R.TOWNSHIP_ROLES,
            memberships__jurisdiction=township,
        ).distinct()
    }
    if int(commander_id or 0) not in people or int(executive_commander_id or 0) not in people:
        raise InvalidInput(_("总指挥和执行指挥须为本街乡人员"), fields={"commander": "invalid"})
    depts = list(
        Department.objects.filter(
            pk__in=department_ids, active=True, district__code=township.code[:6]
        )
    )
    if not depts or len(depts) != len(set(department_ids)):
        raise InvalidInput(_("成员单位无效"), fields={"departments": "invalid"})
    campaign = Campaign.objects.create(
        township=township,
        name=name,
        commander_id=int(commander_id),
        executive_commander_id=int(executive_commander_id),
        starts_date=starts_date,
        ends_date=ends_date,
        created_at=now,
    )
    campaign.member_departments.set(depts)
    record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        data={
            "name": name,
            "departments": sorted(d.pk for d in depts),
            "commander": int(commander_id),
            "executive_commander": int(executive_commander_id),
        },
        now=now,
    )
    return campaign


@transaction.atomic
def campaign_end(*, actor: Actor, campaign_id, now) -> Campaign:
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("township")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None or not actor.covers({R.TOWNSHIP_COMMANDER}, campaign.township.code):
        raise NotFound()
    if campaign.ended_at:
        raise Conflict(_("专项行动已结束"), code="invalid_state")
    if campaign.whistles.filter(status=Whistle.ACTIVE).exists():
        raise Conflict(_("专项行动下仍有未办结的吹哨"), code="active_whistles")
    campaign.ended_at = now
    campaign.save(update_fields=["ended_at"])
    record(actor=actor, action="campaign.end", obj=campaign, data={}, now=now)
    return campaign


@transaction.atomic
def routine_create(
    *,
    actor: Actor,
    township_id,
    title,
    description,
    area,
    kind,
    address,
    lead_department_id,
    assist_department_ids=(),
    every_days,
    first_run_at,
    matter_id=None,
    campaign_id=None,
    now,
) -> RoutineSchedule:
    township = Jurisdiction.objects.filter(pk=township_id, level=Jurisdiction.TOWNSHIP).first()
    if township is None or not actor.covers(
        {R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF}, township.code
    ):
        raise PermissionDenied()
    every = V.nonneg_int(every_days, "every_days")
    if not 1 <= every <= 366:
        raise InvalidInput(_("周期须为1至366天"), fields={"every_days": "out_of_range"})
    first_run_at = V.moment(first_run_at, "first_run_at", now=now)
    if first_run_at is None or first_run_at < now - dt.timedelta(minutes=5):
        raise InvalidInput(_("首次时间须在未来"), fields={"first_run_at": "invalid"})
    depts = Department.objects.filter(district__code=township.code[:6], active=True)
    lead = depts.filter(pk=lead_department_id).first()
    assists = list(depts.filter(pk__in=assist_department_ids).exclude(pk=lead_department_id))
    if lead is None:
        raise InvalidInput(_("请选择牵头部门"), fields={"lead_department": "required"})
    if matter_id and not Matter.objects.filter(pk=matter_id, active=True).exists():
        raise InvalidInput(_("事项无效"), fields={"matter": "invalid"})
    if (
        campaign_id
        and not Campaign.objects.filter(
            pk=campaign_id, township=township, ended_at__isnull=True
        ).exists()
    ):
        raise InvalidInput(_("专项行动无效或已结束"), fields={"campaign": "invalid"})
    schedule = RoutineSchedule.objects.create(
        township=township,
        title=V.text(title, _("标题"), max_len=120),
        description=V.text(description, _("情况说明"), max_len=4000),
        area=V.choice(area, AREAS, "area"),
        kind=V.choice(kind, KINDS, "kind"),
        address=V.text(address, _("地点"), max_len=200),
        lead_department=lead,
        every_days=every,
        next_run_at=first_run_at,
        matter_id=matter_id or None,
        campaign_id=campaign_id or None,
        created_by_id=actor.user_id,
    )
    schedule.assist_departments.set(assists)
    record(
        actor=actor,
        action="routine.create",
        obj=schedule,
        data={"title": schedule.title, "every_days": every},
        now=now,
    )
    return schedule


def routine_run_due(*, now, cal: WorkCalendar, actor: Actor) -> int:
    """Blow the whistles of routine schedules that are due. A unique (schedule, run date) makes a
    second or concurrent run create nothing twice."""
    created = 0
    for schedule_id in list(
        RoutineSchedule.objects.filter(active=True, next_run_at__lte=now).values_list(
            "pk", flat=True
        )[:1000]
    ):
        with transaction.atomic():
            s = (
                RoutineSchedule.objects.select_for_update()
                .filter(pk=schedule_id, active=True, next_run_at__lte=now)
                .first()
            )
            if s is None:
                continue
            run_at = s.next_run_at
            if s.active_to and run_at >= s.active_to:
                s.active = False
                s.save(update_fields=["active"])
                continue
            specs = [SummonsSpec(s.lead_department_id, "LEAD")] + [
                SummonsSpec(d.pk, "ASSIST") for d in s.assist_departments.all()
            ]
            whistle_blow(
                actor=actor,
                township_id=s.township_id,
                title=s.title,
                description=s.description,
                address=s.address,
                area=s.area,
                kind=s.kind,
                mode="ROUTINE",
                summoned=specs,
                matter_id=s.matter_id,
                campaign_id=s.campaign_id,
                routine=s,
                routine_run_date=run_at.astimezone(LOCAL_TZ).date(),
                now=now,
                cal=cal,
            )
            # Catch up by whole periods, so a sweep that was down for days blows once, not N times.
            while s.next_run_at <= now:
                s.next_run_at += dt.timedelta(days=s.every_days)
            s.save(update_fields=["next_run_at"])
            created += 1
    return created
