"""Pages of 接诉即办: the hotline operator's intake (keyboard first, with router suggestions and
duplicate hints), the work order with dispatch/route/callback, the handler's contact and
response, and the citizen's own form and tracking page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.core.errors import DomainError, InvalidInput, PermissionDenied
from shaobao.core.timeutil import work_calendar
from shaobao.demands import forms as F
from shaobao.demands import selectors as Sel
from shaobao.demands import services as S
from shaobao.demands.models import KINDS, SOURCES, Demand
from shaobao.demands.permissions import (
    access_demand,
    callers_seen_by,
    demands_visible_to,
    is_handler,
    mask_name,
    mask_phone,
    may,
    may_see_caller,
)
from shaobao.duties.routing import suggest
from shaobao.duties.selectors import active_matters
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction, LoginAttempt
from shaobao.ui.helpers import actor, client_address, form_errors_message, now
from shaobao.ui.helpers import post_action as _post


def _district_of(a) -> str | None:
    codes = sorted({c[:6] for c in a.codes({R.OPERATOR} | R.READ_ALL_ROLES)})
    return codes[0] if codes else None


def _townships(code):
    return list(
        Jurisdiction.objects.filter(
            level=Jurisdiction.TOWNSHIP, active=True, code__startswith=code or "-"
        ).order_by("code")
    )


@login_required
def intake(request):
    a = actor(request)
    district = next(iter(sorted({c[:6] for c in a.codes({R.OPERATOR})})), None)
    if district is None:
        raise PermissionDenied()
    form = F.IntakeForm(request.POST or None, townships=_townships(district))
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                demand = S.demand_create(
                    actor=a,
                    source="HOTLINE",
                    kind=d["kind"],
                    text=d["text"],
                    caller_phone=d["caller_phone"],
                    caller_name=d["caller_name"],
                    address=d["address"],
                    township_id=d["township"],
                    district_code=district,
                    now=now(),
                    cal=work_calendar(),
                )
            except DomainError as e:
                messages.error(request, str(e.message))
            else:
                messages.success(
                    request,
                    _("已受理：%(n)s（%(s)s）")
                    % {"n": demand.number, "s": demand.get_status_display()},
                )
                return redirect("demands:detail", demand.pk)
        else:
            messages.error(request, form_errors_message(form))
    return render(request, "demands/intake.html", {"form": form})


@login_required
def hints(request):
    """htmx: router suggestions and possible repeats while the operator types."""
    a = actor(request)
    district = _district_of(a)
    text = (request.GET.get("text") or "")[:4000]
    phone = (request.GET.get("caller_phone") or "")[:20]
    routing = suggest(text=text, district_code=district, now=now()) if len(text) >= 6 else None
    repeats = []
    if phone and district:
        # only demands whose caller the user may see: else the full number would find out who
        # filed what for a role that sees phones masked
        repeats = list(
            demands_visible_to(a)
            .filter(callers_seen_by(a))
            .filter(caller_phone=phone, created_at__gte=now() - dt.timedelta(days=30))
            .order_by("-created_at")[:5]
        )
    return render(request, "demands/_hints.html", {"routing": routing, "repeats": repeats})


@login_required
def demand_list(request):
    """The demands the user may see, with filters (status, source, kind, dates, number, waiting
    for me) and the same list as .xlsx (`format=xlsx`: at once when small, else an export job)."""
    a = actor(request)
    raw = {k: request.GET.get(k, "") for k in Sel.LIST_PARAMS}
    try:
        params, error = Sel.clean_list_params(raw), None
    except InvalidInput as e:
        if request.GET.get("format") == "xlsx":
            raise
        # the filters as typed, the message, and no rows (not an unfiltered list that looks
        # filtered)
        params, error = {k: v[:40] for k, v in raw.items()}, e.message
    if request.GET.get("format") == "xlsx":
        from shaobao.exports.views import answer_export

        return answer_export(request, "demands", params)
    if error:
        qs = Demand.objects.none()
    else:
        qs = Sel.demand_list(viewer=a, params=params).select_related(
            "district", "handler_department", "handler_township"
        )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "demands/list.html",
        {
            "page": page,
            "filters": params,
            "error": error,
            "statuses": Demand.STATUSES,
            "sources": SOURCES,
            "kinds": KINDS,
            "query": "" if error else urlencode({k: v for k, v in params.items() if v}),
        },
    )


@login_required
def demand_detail(request, demand_id):
    a = actor(request)
    d = access_demand(a, demand_id)
    see = may_see_caller(a, d)
    can = {
        act: may(a, act, d)
        for act in ["dispatch", "close_by_route", "callback", "exclude", "contact"]
    }
    district_code = d.district.code
    routing = (
        suggest(text=d.text, subject=d.subject, district_code=district_code, now=now())
        if can["dispatch"] and d.status in ("RECEIVED", "DISPATCHED")
        else None
    )
    initial = {}
    if routing and routing.suggestions:
        top = routing.suggestions[0]
        initial["matter"] = top.matter.pk
        from shaobao.duties.selectors import owners_for

        duty, _list = owners_for(matter=top.matter, at=now(), district_code=district_code)
        if duty:
            initial["handler"] = f"d{duty.lead_department_id}"
    return render(
        request,
        "demands/detail.html",
        {
            "d": d,
            "caller_name": d.caller_name if see else mask_name(d.caller_name),
            "caller_phone": d.caller_phone if see else mask_phone(d.caller_phone),
            "events": d.events.all(),
            "dispatches": d.dispatches.select_related("department", "township", "matter"),
            "callbacks": d.callbacks.all(),
            "routing": routing,
            "can": can,
            "is_handler": is_handler(a, d),
            "dispatch_form": F.DispatchForm(
                initial=initial,
                matters=active_matters(),
                departments=Department.objects.filter(district=d.district, active=True).order_by(
                    "code"
                ),
                townships=_townships(district_code),
                district=d.district,
            ),
            "route_form": F.RouteForm(),
            "respond_form": F.RespondForm(),
            "callback_form": F.CallbackForm(),
            "exclude_form": F.ReasonForm(),
            "objection_form": F.ObjectionForm(
                departments=Department.objects.filter(district=d.district, active=True)
                .exclude(pk=d.handler_department_id or 0)
                .order_by("code")
            ),
            "objections": d.objections.all(),
            "appeals": d.appeals.all(),
            "appeal_form": F.AppealRuleForm(),
            "pending_objection": d.objections.filter(state="PENDING").exists(),
        },
    )


@login_required
@require_POST
def demand_action(request, demand_id, action):
    a = actor(request)
    back = f"/demands/{demand_id}/"
    t = now()
    if action == "dispatch":
        d0 = access_demand(a, demand_id)
        form = F.DispatchForm(
            request.POST,
            matters=active_matters(),
            departments=Department.objects.filter(district=d0.district, active=True),
            townships=_townships(d0.district.code),
            district=d0.district,
        )

        def go(d):
            h = d["handler"]
            return S.demand_dispatch(
                actor=a,
                demand_id=demand_id,
                matter_id=d["matter"],
                department_id=int(h[1:]) if h.startswith("d") else None,
                township_id=int(h[1:]) if h.startswith("t") else None,
                to_district=h == "district",
                seen_status=(request.POST.get("seen_status") or "")[:20],
                now=t,
                cal=work_calendar(),
            )

        return _post(request, form, go, _("已派单"), back)
    table = {
        "close_by_route": (
            F.RouteForm(request.POST),
            _("已按不派单情形办结"),
            lambda d: S.demand_close_by_route(
                actor=a, demand_id=demand_id, route=d["route"], reply=d["reply"], now=t
            ),
        ),
        "contact": (
            None,
            _("已登记联系来电人"),
            lambda d: S.demand_contact(actor=a, demand_id=demand_id, now=t),
        ),
        "respond": (
            F.RespondForm(request.POST),
            _("已反馈办理结果"),
            lambda d: S.demand_respond(actor=a, demand_id=demand_id, response=d["response"], now=t),
        ),
        "callback": (
            F.CallbackForm(request.POST),
            _("回访已记录"),
            lambda d: S.callback_record(
                actor=a,
                demand_id=demand_id,
                reached=d["reached"],
                solved=d["solved"],
                satisfaction=d["satisfaction"],
                note=d["note"],
                now=t,
            ),
        ),
        "exclude": (
            F.ReasonForm(request.POST),
            _("已不纳入考核"),
            lambda d: S.demand_exclude(actor=a, demand_id=demand_id, reason=d["reason"], now=t),
        ),
        "to_problem": (
            None,
            _("已转入问题清单"),
            lambda d: S.demand_to_problem(actor=a, demand_id=demand_id, now=t),
        ),
        "object": (
            F.ObjectionForm(request.POST, departments=Department.objects.filter(active=True)),
            _("异议已提交法制办裁定；裁定前请继续办理"),
            lambda d: S.objection_raise(
                actor=a,
                demand_id=demand_id,
                reason=d["reason"],
                claimed_owner_id=d["claimed_owner"],
                claimed_duty=d["claimed_duty"],
                now=t,
                cal=work_calendar(),
            ),
        ),
    }
    if action not in table:
        from django.http import Http404

        raise Http404
    form, success, fn = table[action]
    return _post(request, form, fn, success, back)


# --- the citizen's side: no login -------------------------------------------------------------


def _public_district() -> str:
    return settings.SHAOBAO.get("PUBLIC_DISTRICT") or (
        Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT, active=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
        or ""
    )


def citizen_new(request):
    district = _public_district()
    form = F.CitizenForm(request.POST or None, townships=_townships(district))
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                demand = S.demand_create(
                    actor=None,
                    source="WEB",
                    kind=d["kind"],
                    text=d["text"],
                    address=d["address"],
                    township_id=d["township"],
                    caller_name=d["caller_name"],
                    caller_phone=d["caller_phone"],
                    district_code=district,
                    now=now(),
                    cal=work_calendar(),
                )
            except DomainError as e:
                messages.error(request, str(e.message))
            else:
                return render(request, "demands/citizen_done.html", {"d": demand})
        else:
            messages.error(request, form_errors_message(form))
    return render(request, "demands/citizen_new.html", {"form": form})


TRACK_WINDOW = dt.timedelta(minutes=15)
TRACK_MAX_PER_NUMBER = 5
TRACK_MAX_PER_ADDRESS = 20


def _citizens_demand(request, number: str, last4: str) -> tuple[Demand | None, bool]:
    """(the demand, throttled): the citizen proves a demand is theirs with its number and the
    phone's last four digits. Misses are counted per number and per address (in the database,
    shared by every web process) for every page that checks them, so no page can be used to
    guess the digits past the limit."""
    t = now()
    addr = client_address(request)
    recent = LoginAttempt.objects.filter(at__gte=t - TRACK_WINDOW)
    if (
        recent.filter(username=f"track:{number}").count() >= TRACK_MAX_PER_NUMBER
        or recent.filter(address=addr, username__startswith="track:").count()
        >= TRACK_MAX_PER_ADDRESS
    ):
        return None, True
    candidate = Demand.objects.filter(pk=int(number[2:])).first()
    if candidate and candidate.caller_phone.endswith(last4):
        return candidate, False
    with transaction.atomic():
        LoginAttempt.objects.create(username=f"track:{number}", address=addr, at=t)
    return None, False


def citizen_track(request):
    """The citizen's tracking page (`_citizens_demand` checks and throttles)."""
    form = F.TrackForm(request.POST or None)
    demand = None
    if request.method == "POST" and form.is_valid():
        number, last4 = form.cleaned_data["number"], form.cleaned_data["phone_last4"]
        demand, throttled = _citizens_demand(request, number, last4)
        if throttled:
            messages.error(request, _("查询次数过多，请稍后再试"))
            return render(request, "demands/citizen_track.html", {"form": form}, status=429)
        if demand is None:
            messages.error(request, _("编号或手机号后四位不正确"))
    return _track_page(request, form, demand)


def _track_page(request, form, demand, *, reason="", status=200):
    """The tracking page showing `demand` (already proven the citizen's) or only the form."""
    last4 = form.cleaned_data.get("phone_last4") if demand else ""
    return render(
        request,
        "demands/citizen_track.html",
        {
            "form": form,
            "d": demand,
            "events": demand.events.filter(public=True) if demand else [],
            "callback": demand.callbacks.order_by("-version").first() if demand else None,
            "number": demand.number if demand else "",
            "last4": last4,
            "reason": reason,
        },
        status=status,
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
            amend_duty_list=d["amend_duty_list"],
            now=now(),
            cal=work_calendar(),
        ),
        _("裁定已保存"),
        "/objections/",
    )


@login_required
def rates(request):
    """The three rates per handler for a month (response, resolution, satisfaction), with the
    definition version they were computed under."""
    import calendar as _calendar

    from shaobao.core.workdays import LOCAL_TZ
    from shaobao.demands.selectors import rates_by_handler

    a = actor(request)
    if not a.has_any({R.OPERATOR, R.ASSESSOR, R.DISTRICT_SUPERVISOR, R.INSPECTOR, R.ADMIN}):
        raise PermissionDenied()
    today = now().astimezone(LOCAL_TZ)
    month = request.GET.get("month") or today.strftime("%Y-%m")
    try:
        y, m = (int(x) for x in month.split("-"))
        if y not in Sel.FILTER_YEARS:
            raise ValueError(month)
        start = dt.datetime(y, m, 1, tzinfo=LOCAL_TZ)
        end = start + dt.timedelta(days=_calendar.monthrange(y, m)[1])
    except (ValueError, TypeError):
        y, m = today.year, today.month
        start = dt.datetime(y, m, 1, tzinfo=LOCAL_TZ)
        end = start + dt.timedelta(days=_calendar.monthrange(y, m)[1])
        month = f"{y:04d}-{m:02d}"
    cfg = settings.SHAOBAO["RATES"]
    demands = demands_visible_to(a).filter(dispatched_at__gte=start, dispatched_at__lt=end)
    return render(
        request,
        "demands/rates.html",
        {
            "rows": rates_by_handler(demands, basic_weight=cfg["basic_weight"]),
            "month": month,
            "definition": cfg["version"],
            "basic_weight": cfg["basic_weight"],
        },
    )


@require_POST
def citizen_appeal(request):
    """From the tracking page, after the number and the phone's last digits were checked again.
    The citizen stays on their demand's page, with what they wrote if it was refused."""
    form = F.TrackForm(request.POST)
    reason = (request.POST.get("reason") or "")[:1000]
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("citizen:track")
    number, last4 = form.cleaned_data["number"], form.cleaned_data["phone_last4"]
    demand, throttled = _citizens_demand(request, number, last4)
    if throttled:
        messages.error(request, _("查询次数过多，请稍后再试"))
        return redirect("citizen:track")
    if demand is None:
        messages.error(request, _("编号或手机号后四位不正确"))
        return redirect("citizen:track")
    try:
        S.appeal_raise(demand=demand, reason=reason, now=now())
    except DomainError as e:
        messages.error(request, str(e.message))
        return _track_page(request, form, demand, reason=reason, status=400)
    messages.success(request, _("申诉已提交，热线将复核"))
    return _track_page(request, form, demand)


@login_required
@require_POST
def appeal_rule(request, appeal_id):
    a = actor(request)
    form = F.AppealRuleForm(request.POST)
    back = request.POST.get("back") or "/demands/"
    back = back if back.startswith("/") and not back.startswith("//") else "/demands/"
    return _post(
        request,
        form,
        lambda d: S.appeal_rule(
            actor=a,
            appeal_id=appeal_id,
            uphold=d["uphold"],
            ruling=d["ruling"],
            solved=d["solved"],
            satisfaction=d["satisfaction"],
            now=now(),
        ),
        _("申诉已复核"),
        back,
    )
