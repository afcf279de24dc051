"""Pages of the whistle loop. Each POST is one form → one service call; domain errors come back
as messages and change nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.assessments.services import current_evaluation, evaluation_submit
from shaobao.audit.models import AuditEntry
from shaobao.audit.services import verify as audit_verify
from shaobao.core import validate as V
from shaobao.core.errors import DomainError, PermissionDenied
from shaobao.core.timeutil import work_calendar
from shaobao.duties.models import Matter
from shaobao.duties.selectors import active_matters
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction, User
from shaobao.org.scoping import prefix_q
from shaobao.problems.permissions import problems_visible_to
from shaobao.ui.helpers import actor, form_errors_message, image_response, now
from shaobao.ui.helpers import post_action as _post
from shaobao.whistles import forms as F
from shaobao.whistles import permissions as P
from shaobao.whistles import selectors as Q
from shaobao.whistles import services as S
from shaobao.whistles import workflow as W
from shaobao.whistles.models import Campaign, LedgerItem, Objection, RoutineSchedule, Whistle


def _district_departments(codes):
    return Department.objects.filter(
        active=True, district__code__in={c[:6] for c in codes}
    ).order_by("code")


def _blowing_department(a):
    """A department head without a township role whistles for their department (Pinggu: a
    department may summon other departments)."""
    if a.codes(R.TOWNSHIP_ROLES):
        return None
    heads = sorted(a.departments({R.DEPARTMENT_DISPATCHER}))
    return Department.objects.filter(pk__in=heads[:1]).select_related("district").first()


def _whistler_townships(a):
    dept = _blowing_department(a)
    if dept is not None:
        return list(
            Jurisdiction.objects.filter(
                level=Jurisdiction.TOWNSHIP, active=True, code__startswith=dept.district.code
            ).order_by("code")
        )
    return list(
        Jurisdiction.objects.filter(level=Jurisdiction.TOWNSHIP, active=True)
        .filter(prefix_q("code", a.codes(R.TOWNSHIP_ROLES)))
        .order_by("code")
    )


@login_required
def board(request):
    a = actor(request)
    status = request.GET.get("status", Whistle.ACTIVE)
    overdue = request.GET.get("overdue") == "1"
    qs = Q.whistle_list(
        viewer=a,
        now=now(),
        status=status if status != "all" else "",
        overdue=overdue,
        q=request.GET.get("q", ""),
    )
    page = Paginator(qs, 24).get_page(request.GET.get("page"))
    Q.audit_sealed_reads(viewer=a, whistles=page.object_list, now=now(), via="board")
    ctx = {
        "page": page,
        "status": status,
        "overdue": overdue,
        "q": request.GET.get("q", ""),
        "can_blow": bool(a.codes(R.TOWNSHIP_ROLES)) or _blowing_department(a) is not None,
        "now": now(),
    }
    return render(request, "whistles/board.html", ctx)


def _whistle_form_context(a, data=None, initial=None):
    townships = _whistler_townships(a)
    departments = _district_departments([t.code for t in townships])
    campaigns = Campaign.objects.filter(township__in=townships, ended_at__isnull=True)
    blowing = _blowing_department(a)
    if blowing is not None:
        departments = departments.exclude(pk=blowing.pk)
        campaigns = campaigns.none()
    form = F.WhistleForm(
        data,
        townships=townships,
        matters=active_matters(),
        departments=departments,
        campaigns=campaigns,
        initial=initial,
    )
    return form


@login_required
def whistle_new(request):
    a = actor(request)
    blowing = _blowing_department(a)
    if not a.codes(R.TOWNSHIP_ROLES) and blowing is None:
        raise PermissionDenied()
    initial = {
        "area": "JOINT_ENFORCEMENT",
        "kind": "ENFORCEMENT",
        "mode": "ROUTINE",
        "urgency": "NORMAL",
    }
    problem_id = request.GET.get("problem")
    if problem_id and V.is_digits(problem_id) and len(problem_id) <= 12:
        p = problems_visible_to(a).filter(pk=int(problem_id)).first()
        if p:
            initial.update(
                township=p.township_id,
                title=p.title,
                description=p.description,
                address=p.address,
                matter=p.matter_id,
                problem_ids=str(p.pk),
            )
            _apply_suggestion(initial, p.matter)
    form = _whistle_form_context(a, request.POST or None, initial)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            specs = []
            if d["lead"]:
                specs.append(S.SummonsSpec(d["lead"], "LEAD"))
            specs += [S.SummonsSpec(x, "ASSIST") for x in d["assists"] if x != d["lead"]]
            try:
                w = S.whistle_blow(
                    actor=a,
                    township_id=d["township"],
                    title=d["title"],
                    description=d["description"],
                    address=d["address"],
                    area=d["area"],
                    kind=d["kind"],
                    mode=d["mode"],
                    urgency=d["urgency"],
                    matter_id=d["matter"],
                    summoned=specs,
                    problem_ids=d["problem_ids"],
                    report_by_at=d["report_by_at"],
                    finish_by_at=d["finish_by_at"],
                    campaign_id=d["campaign"],
                    launch_at=d["launch_at"],
                    meeting_point=d["meeting_point"],
                    ledger_items=d["ledger_items"],
                    blown_by_department_id=blowing.pk if blowing else None,
                    now=now(),
                    cal=work_calendar(),
                )
            except DomainError as e:
                messages.error(request, str(e.message))
            else:
                messages.success(request, _("已吹哨：%(n)s，已通知被召集部门") % {"n": w.number})
                return redirect("whistles:detail", w.pk)
        else:
            messages.error(request, form_errors_message(form))
    return render(
        request,
        "whistles/new.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _apply_suggestion(initial: dict, matter: Matter | None):
    specs = S.suggest_departments(matter=matter, now=now())
    initial["lead"] = next((s.department_id for s in specs if s.role == "LEAD"), None)
    initial["assists"] = [s.department_id for s in specs if s.role == "ASSIST"]


@login_required
def suggest(request):
    """htmx: the department block of the whistle form, pre-filled from the duty list."""
    a = actor(request)
    initial = {}
    m = request.GET.get("matter", "")
    matter = (
        Matter.objects.filter(pk=int(m), active=True).first()
        if V.is_digits(m) and len(m) < 12
        else None
    )
    _apply_suggestion(initial, matter)
    form = _whistle_form_context(a, None, initial)
    return render(request, "whistles/_departments.html", {"form": form, "matter": matter})


def _timeline(whistle, a):
    qs = AuditEntry.objects.filter(whistle_id=whistle.pk).order_by("seq")
    if R.INSPECTOR not in a.roles:
        qs = qs.exclude(action="whistle.sealed_read")
    return list(qs[:500])


@login_required
def whistle_detail(request, whistle_id):
    a = actor(request)
    t = now()
    w = Q.whistle_detail(viewer=a, whistle_id=whistle_id, now=t)
    summonses = list(
        w.summonses.select_related("department").prefetch_related("outcomes", "evaluations")
    )
    rows = []
    for s in summonses:
        s.whistle = w
        rows.append(
            {
                "s": s,
                "evaluation": current_evaluation(s),
                "can_verify": s.state == W.CLAIMED
                and P.may(a, "verify_accept", s)
                and not a.in_department(W.DEPT, s.department_id),
                "can_evaluate": s.state == W.VERIFIED and P.may(a, "evaluate", s),
                "mine": a.in_department(W.DEPT, s.department_id),
                "verify_form": F.VerifyForm(auto_id=f"id_s{s.pk}_%s"),
                "evaluation_form": F.EvaluationForm(auto_id=f"id_s{s.pk}_%s"),
            }
        )
    return render(
        request,
        "whistles/detail.html",
        {
            "w": w,
            "rows": rows,
            "sealed": w.is_sealed(t),
            "ledger": w.ledger_items.all(),
            "timeline": _timeline(w, a),
            "problems": w.problems.all(),
            "can_launch": w.mode == "SURPRISE"
            and w.launched_at is None
            and w.status == "ACTIVE"
            and P.may_whistle(a, "launch", w),
            "can_cancel": w.status == "ACTIVE" and P.may_whistle(a, "cancel", w),
            "cancel_form": F.ReasonForm(auto_id="id_cancel_%s"),
        },
    )


@login_required
def inbox(request):
    a = actor(request)
    open_only = request.GET.get("all") != "1"
    qs = Q.summons_inbox(viewer=a, now=now(), open_only=open_only)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    Q.audit_sealed_reads(
        viewer=a, whistles=[x.whistle for x in page.object_list], now=now(), via="inbox"
    )
    return render(request, "whistles/inbox.html", {"page": page, "open_only": open_only})


@login_required
def summons_detail(request, summons_id):
    a = actor(request)
    t = now()
    s = Q.summons_detail(viewer=a, summons_id=summons_id, now=t)
    w = s.whistle
    mine = a.in_department(W.DEPT, s.department_id)
    available = {act for act in W.actions_from(s.state) if P.may(a, act, s)}
    officers = (
        User.objects.filter(
            memberships__department_id=s.department_id,
            memberships__active=True,
            memberships__role__in=W.DEPT,
        )
        .distinct()
        .order_by("pk")
    )
    ledger = [i for i in w.ledger_items.all() if i.department_id in (None, s.department_id)]
    return render(
        request,
        "whistles/summons.html",
        {
            "s": s,
            "w": w,
            "mine": mine,
            "available": available,
            "sealed": w.is_sealed(t),
            "outcomes": s.outcomes.prefetch_related("photos"),
            "verifications": s.verifications.all(),
            "objections": s.objections.all(),
            "supervisions": s.supervisions.all(),
            "ledger": ledger,
            "ack_form": F.AcknowledgeForm(officers=officers),
            "checkin_form": F.CheckInForm(),
            "outcome_form": F.OutcomeForm(),
            "claim_form": F.ClaimForm(),
            "objection_form": F.ObjectionForm(
                departments=_district_departments([w.township.code]).exclude(pk=s.department_id)
            ),
            "comment_form": F.CommentForm(),
            "ledger_form": F.LedgerClearForm(),
            "pending_objection": s.objections.filter(state=Objection.PENDING).exists(),
        },
    )


@login_required
@require_POST
def summons_action(request, summons_id, action):
    a = actor(request)
    t = now()
    back = request.POST.get("back") or ""
    back = (
        back if back.startswith("/") and not back.startswith("//") else f"/summonses/{summons_id}/"
    )
    officers = User.objects.filter(
        memberships__department__summonses=summons_id, memberships__active=True
    ).distinct()
    table = {
        "acknowledge": (
            F.AcknowledgeForm(request.POST, officers=officers),
            _("已签收"),
            lambda d: S.summons_acknowledge(
                actor=a,
                summons_id=summons_id,
                officer_ids=d["officers"],
                officer_names=d["officer_names"],
                now=t,
            ),
        ),
        "check_in": (
            F.CheckInForm(request.POST),
            _("已报到"),
            lambda d: S.summons_check_in(
                actor=a,
                summons_id=summons_id,
                lat=d["lat"],
                lng=d["lng"],
                accuracy_m=d["accuracy_m"],
                note=d["note"],
                now=t,
            ),
        ),
        "record_outcome": (
            F.OutcomeForm(request.POST),
            _("执法效果已登记"),
            lambda d: S.summons_record_outcome(
                actor=a,
                summons_id=summons_id,
                now=t,
                photos=request.FILES.getlist("photos"),
                **{k: v for k, v in d.items() if k != "accuracy_m"},
            ),
        ),
        "claim_completion": (
            F.ClaimForm(request.POST),
            _("已申请办结，等待街乡核查"),
            lambda d: S.summons_claim_completion(
                actor=a, summons_id=summons_id, note=d["note"], now=t
            ),
        ),
        "verify": (
            F.VerifyForm(request.POST),
            _("核查结果已保存"),
            lambda d: S.summons_verify(
                actor=a,
                summons_id=summons_id,
                accept=d["decision"] == "ACCEPT",
                reason=d["reason"],
                now=t,
            ),
        ),
        "evaluate": (
            F.EvaluationForm(request.POST),
            _("评价已提交"),
            lambda d: evaluation_submit(actor=a, summons_id=summons_id, now=t, **d),
        ),
        "object": (
            F.ObjectionForm(request.POST, departments=Department.objects.filter(active=True)),
            _("异议已提交法制办裁定；裁定前请继续履职"),
            lambda d: S.objection_raise(
                actor=a,
                summons_id=summons_id,
                reason=d["reason"],
                claimed_owner_id=d["claimed_owner"],
                claimed_duty=d["claimed_duty"],
                now=t,
                cal=work_calendar(),
            ),
        ),
        "supervise": (
            F.CommentForm(request.POST),
            _("督办意见已发送"),
            lambda d: S.summons_supervise(
                actor=a, summons_id=summons_id, comment=d["comment"], now=t
            ),
        ),
    }
    if action not in table:
        raise Http404
    form, success, call = table[action]
    return _post(request, form, call, success, back)


@login_required
@require_POST
def ledger_clear(request, item_id):
    a = actor(request)
    item = LedgerItem.objects.filter(pk=item_id).first()
    back = request.POST.get("back") or "/"
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    if item is None:
        raise Http404
    return _post(
        request,
        F.LedgerClearForm(request.POST),
        lambda d: S.ledger_item_clear(
            actor=a, item_id=item_id, evidence_note=d["evidence_note"], now=now()
        ),
        _("已销账"),
        back,
    )


@login_required
@require_POST
def whistle_action(request, whistle_id, action):
    a = actor(request)
    back = f"/whistles/{whistle_id}/"
    if action == "launch":
        return _post(
            request,
            F.forms.Form(request.POST),
            lambda d: S.whistle_launch(actor=a, whistle_id=whistle_id, now=now()),
            _("行动已发起，已通知全部人员"),
            back,
        )
    if action == "cancel":
        return _post(
            request,
            F.ReasonForm(request.POST),
            lambda d: S.whistle_cancel(
                actor=a, whistle_id=whistle_id, reason=d["reason"], now=now()
            ),
            _("吹哨已撤销"),
            back,
        )
    raise Http404


@login_required
def escalated(request):
    a = actor(request)
    page = Paginator(Q.escalated(viewer=a, now=now()), 30).get_page(request.GET.get("page"))
    return render(request, "whistles/escalated.html", {"page": page})


@login_required
def objections(request):
    a = actor(request)
    pending = request.GET.get("all") != "1"
    items = list(Q.objection_queue(viewer=a, now=now(), pending_only=pending)[:200])
    codes = a.codes({R.LEGAL_OFFICER})
    departments = {}  # per district, loaded once
    for o in items:
        district = o.summons.whistle.township.code[:6]
        if o.state == Objection.PENDING and district not in departments:
            departments[district] = list(_district_departments([district]))
    forms_by_id = {
        o.pk: F.RuleForm(
            departments=[
                d
                for d in departments[o.summons.whistle.township.code[:6]]
                if d.pk != o.summons.department_id
            ]
        )
        for o in items
        if o.state == Objection.PENDING
    }
    from shaobao.demands.forms import RuleForm as DemandRuleForm
    from shaobao.demands.permissions import demands_visible_to
    from shaobao.demands.selectors import handoff_stats
    from shaobao.demands.selectors import objection_queue as demand_queue

    demand_items = list(demand_queue(viewer=a, pending_only=pending)[:200])
    # one department list per district, not one query per objection
    by_district = {}
    for o in demand_items:
        if o.state == "PENDING" and o.demand.district_id not in by_district:
            by_district[o.demand.district_id] = list(
                Department.objects.filter(district_id=o.demand.district_id, active=True)
            )
    demand_forms = {
        o.pk: DemandRuleForm(
            auto_id=f"id_do{o.pk}_%s",
            departments=[
                d for d in by_district[o.demand.district_id] if d.pk != o.dispatch.department_id
            ],
        )
        for o in demand_items
        if o.state == "PENDING"
    }
    extra = {
        "demand_items": [(o, demand_forms.get(o.pk)) for o in demand_items],
        # hand-offs of the last 90 days: the figure the legal office acts on
        # (a trend figure over ~500,000 demands in a large district: recounted every 10 minutes)
        "handoffs": cache.get_or_set(
            f"handoffs:{','.join(sorted(codes))}",
            lambda: handoff_stats(demands_visible_to(a), since=now() - dt.timedelta(days=90)),
            600,
        )
        if codes
        else None,
    }
    return render(
        request,
        "whistles/objections.html",
        {
            "items": [(o, forms_by_id.get(o.pk)) for o in items],
            "pending": pending,
            "can_rule": bool(codes),
            "now": now(),
            **extra,
        },
    )


@login_required
@require_POST
def objection_rule(request, objection_id):
    a = actor(request)
    form = F.RuleForm(request.POST, departments=Department.objects.filter(active=True))
    return _post(
        request,
        form,
        lambda d: S.objection_rule(
            actor=a,
            objection_id=objection_id,
            decision=d["decision"],
            ruling=d["ruling"],
            reassign_to_id=d["reassign_to"],
            now=now(),
        ),
        _("裁定已保存"),
        "/objections/",
    )


@login_required
def audit(request):
    a = actor(request)
    if not a.has_any({R.INSPECTOR, R.ADMIN}):
        raise PermissionDenied()
    result = audit_verify() if request.GET.get("verify") == "1" else None
    number = (request.GET.get("whistle") or "").strip().upper().removeprefix("CS")
    entries = []
    whistle = None
    if V.is_digits(number) and len(number) <= 12:
        whistle = P.whistles_visible_to(a, now=now()).filter(pk=int(number)).first()
        if whistle:
            entries = list(AuditEntry.objects.filter(whistle_id=whistle.pk).order_by("seq")[:1000])
        else:
            messages.error(request, _("未找到该吹哨，或您无权查看"))
    else:
        visible = P.whistles_visible_to(a, now=now()).values("pk")
        entries = list(AuditEntry.objects.filter(whistle_id__in=visible).order_by("-seq")[:100])
    return render(
        request,
        "whistles/audit.html",
        {
            "result": result,
            "entries": entries,
            "whistle": whistle,
            "q": request.GET.get("whistle", ""),
        },
    )


@login_required
def campaigns(request):
    a = actor(request)
    townships = _whistler_townships(a)
    visible = Campaign.objects.filter(
        prefix_q("township__code", a.codes(R.TOWNSHIP_ROLES | R.READ_ALL_ROLES))
    )
    people = User.objects.filter(
        memberships__jurisdiction__in=townships,
        memberships__role__in=R.TOWNSHIP_ROLES,
        memberships__active=True,
    ).distinct()
    form = F.CampaignForm(
        request.POST or None,
        townships=townships,
        people=people,
        departments=_district_departments([t.code for t in townships]),
    )
    if request.method == "POST":
        return _post(
            request,
            form,
            lambda d: S.campaign_create(
                actor=a,
                township_id=d["township"],
                name=d["name"],
                commander_id=d["commander"],
                executive_commander_id=d["executive_commander"],
                department_ids=d["departments"],
                starts_date=d["starts_date"],
                ends_date=d["ends_date"],
                now=now(),
            ),
            _("专项行动已建立"),
            "/campaigns/",
        )
    return render(
        request,
        "whistles/campaigns.html",
        {
            "campaigns": visible.prefetch_related("member_departments").select_related(
                "commander", "executive_commander", "township"
            )[:200],
            "form": form,
            "can_create": bool(a.codes({R.TOWNSHIP_COMMANDER})),
        },
    )


@login_required
def evidence_file(request, evidence_id):
    """Evidence photos are served only to those who may see the summons."""
    from shaobao.whistles.models import Evidence

    ev = Evidence.objects.filter(pk=evidence_id).select_related("outcome").first()
    if ev is None or ev.outcome is None:
        raise Http404
    P.access_summons(actor(request), ev.outcome.summons_id, now=now())
    return image_response(ev.file)


@login_required
def routines(request):
    """Routine (常态化) whistles that blow themselves on a schedule."""
    a = actor(request)
    townships = _whistler_townships(a) if a.codes(R.TOWNSHIP_ROLES) else []
    visible = RoutineSchedule.objects.filter(
        prefix_q("township__code", a.codes(R.TOWNSHIP_ROLES | R.READ_ALL_ROLES))
    ).select_related("township", "lead_department")
    form = F.RoutineForm(
        request.POST or None,
        townships=townships,
        departments=_district_departments([t.code for t in townships]),
    )
    if request.method == "POST":
        return _post(
            request,
            form,
            lambda d: S.routine_create(
                actor=a,
                township_id=d["township"],
                title=d["title"],
                description=d["description"],
                area=d["area"],
                kind=d["kind"],
                address=d["address"],
                lead_department_id=d["lead"],
                assist_department_ids=d["assists"],
                every_days=d["every_days"],
                first_run_at=d["first_run_at"],
                now=now(),
            ),
            _("常态化吹哨已设定，到时自动吹哨"),
            "/routines/",
        )
    return render(
        request,
        "whistles/routines.html",
        {
            "routines": visible.order_by("next_run_at")[:200],
            "form": form,
            "can_create": bool(townships),
        },
    )


@login_required
@require_POST
def campaign_end(request, campaign_id):
    a = actor(request)
    return _post(
        request,
        F.forms.Form(request.POST),
        lambda d: S.campaign_end(actor=a, campaign_id=campaign_id, now=now()),
        _("专项行动已结束"),
        "/campaigns/",
    )


@login_required
def export(request, what):
    """The effect list or the evaluations of the whistles the viewer can see, as .xlsx (large
    ones become a job, shaobao/exports)."""
    from shaobao.exports.views import answer_export

    kinds = {"effects": "effect_list", "evaluations": "evaluations"}
    if what not in kinds:
        raise Http404
    return answer_export(request, kinds[what])
