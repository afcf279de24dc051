"""Assessment pages: runs and rankings, drill-down to the items, schemes, exports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shaobao.assessments import indicators as I
from shaobao.assessments import runs as RUNS
from shaobao.assessments import schemes as SCHEMES
from shaobao.assessments import selectors as SEL
from shaobao.assessments.models import Result, Run, Scheme
from shaobao.core import validate as V
from shaobao.core.errors import DomainError
from shaobao.core.workdays import LOCAL_TZ
from shaobao.org import roles as R
from shaobao.org.models import Jurisdiction
from shaobao.ui.helpers import actor, form_errors_message, now, post_action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RunForm(forms.Form):
    subject = forms.ChoiceField(label=gettext_lazy("考核对象"), choices=Scheme.SUBJECTS)
    period = forms.ChoiceField(label=gettext_lazy("周期"), choices=Run.PERIODS)
    period_start = forms.DateField(
        label=gettext_lazy("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


def _run(request, pk) -> Run:
    run = SEL.runs_visible_to(actor(request)).filter(pk=V.pk(pk)).first()
    if run is None:
        raise Http404
    return run


def _pct(x):
    return None if x is None else round(100 * x, 1)


def indicator_columns(run: Run) -> list[dict]:
    cols = []
    for conf in run.scheme.indicators:
        ind = I.CATALOGUE[conf["code"]]
        summary = run.summary.get(conf["code"], {})
        cols.append(
            {
                "code": conf["code"],
                "label": str(ind.label),
                "formula": str(ind.formula),
                "weight": conf["weight"],
                "min_volume": conf["min_volume"],
                "prior": conf["prior"],
                "tolerance": conf["tolerance"],
                "higher": ind.higher_is_better,
                "exclude": conf.get("exclude") or {},
                "mean": _pct(summary.get("mean")),
                "mean_score": summary.get("mean_score"),
                "items": summary.get("items", 0),
            }
        )
    return cols


def reason_text(reason: dict) -> str:
    ind = I.CATALOGUE.get(reason["code"])
    label = str(ind.label) if ind else reason["code"]
    if reason.get("raw") is None:
        return label
    return _("%(label)s %(raw)s%%（均值 %(mean)s%%，%(den)s 件）") % {
        "label": label,
        "raw": _pct(reason["raw"]),
        "mean": _pct(reason.get("mean")),
        "den": reason.get("den"),
    }


def ranking_rows(run: Run) -> list[dict]:
    trend = SEL.trend(run)
    rows = []
    for r in Result.objects.filter(run=run).order_by("rank", "unit_name"):
        rows.append(
            {
                "unit": r.unit,
                "name": r.unit_name,
                "rank": r.rank,
                "total": r.total,
                "volume": r.volume,
                "scores": [r.detail.get(c["code"], {}).get("score") for c in run.scheme.indicators],
                "cells": [r.detail.get(c["code"], {}) for c in run.scheme.indicators],
                "reasons": [reason_text(x) for x in r.reasons],
                "trend": trend.get(r.unit, []) if any(trend.get(r.unit, [])) else [],
            }
        )
    rows.sort(key=lambda x: (x["rank"] is None, x["rank"] or 0, x["name"]))
    return rows


@login_required
def index(request):
    a = actor(request)
    runs = SEL.runs_visible_to(a).order_by("-period_start", "subject", "-pk")
    subject = request.GET.get("subject")
    if subject in dict(Scheme.SUBJECTS):
        runs = runs.filter(subject=subject)
    if not runs.exists() and not a.has_any(SEL.GOVERNMENT_ROLES):
        raise PermissionDenied()
    managed = _managed_districts(a)
    page = Paginator(runs, 30).get_page(request.GET.get("page"))
    today = now().astimezone(LOCAL_TZ).date()
    form = RunForm(initial={"period": Run.MONTH, "period_start": today.replace(day=1)})
    return render(
        request,
        "assessments/index.html",
        {"page": page, "form": form, "managed": managed, "subject": subject or ""},
    )


@login_required
@require_POST
def run_new(request):
    a = actor(request)
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("assessments:index")
    district = _chosen(request, _managed_districts(a))
    if district is None:
        raise PermissionDenied()
    scheme = SCHEMES.current(district, form.cleaned_data["subject"])
    if scheme is None:
        messages.error(request, _("尚无已发布的考核方案"))
        return redirect("assessments:schemes")
    try:
        run = RUNS.run_create(
            actor=a,
            scheme_id=scheme.pk,
            period=form.cleaned_data["period"],
            period_start=form.cleaned_data["period_start"],
            now=now(),
        )
    except DomainError as e:
        messages.error(request, str(e.message))
        return redirect("assessments:index")
    messages.success(request, _("考核已计算，请核对后发布"))
    return redirect("assessments:run", run.pk)


@login_required
def run_detail(request, pk):
    a = actor(request)
    run = _run(request, pk)
    drill = SEL.drillable_units(a, run)
    return render(
        request,
        "assessments/run.html",
        {
            "run": run,
            "columns": indicator_columns(run),
            "rows": ranking_rows(run),
            "can_manage": SEL.can_manage(a, run),
            "drill_all": drill is None,
            "drill_units": drill or set(),
        },
    )


@login_required
@require_POST
def run_action(request, pk, action):
    a = actor(request)
    run = _run(request, pk)
    back = reverse("assessments:run", args=[run.pk])
    if action == "publish":
        return post_action(
            request,
            None,
            lambda _d: RUNS.run_publish(actor=a, run_id=run.pk, now=now()),
            _("考核结果已发布"),
            back,
        )
    if action == "discard":
        result = post_action(
            request,
            None,
            lambda _d: RUNS.run_discard(actor=a, run_id=run.pk, now=now()),
            _("已删除未发布的考核批次"),
            reverse("assessments:index"),
        )
        if Run.objects.filter(pk=run.pk).exists():
            return redirect(back)
        return result
    if action == "verify":
        if not SEL.can_manage(a, run) and not a.covers({R.INSPECTOR}, run.district.code):
            raise PermissionDenied()
        digest, same = RUNS.run_recompute(run)
        if same:
            messages.success(request, _("复算结果与发布结果一致（%(d)s）") % {"d": digest[:12]})
        else:
            messages.error(request, _("复算结果与保存的结果不一致！"))
        return redirect(back)
    raise Http404


@login_required
def run_unit(request, pk, unit):
    """Drill-down: the frozen items behind one unit's figures."""
    a = actor(request)
    run = _run(request, pk)
    unit = V.pk(unit)
    drill = SEL.drillable_units(a, run)
    if drill is not None and unit not in drill:
        raise Http404
    result = Result.objects.filter(run=run, unit=unit).first()
    if result is None:
        raise Http404
    confs = {c["code"]: c for c in run.scheme.indicators}
    code = request.GET.get("indicator") or next(iter(confs))
    if code not in confs:
        raise Http404
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in ("hit", "miss") else ""
    facts = SEL.facts_behind(run, unit, confs[code], outcome)
    page = Paginator(facts, 50).get_page(request.GET.get("page"))
    ind = I.CATALOGUE[code]
    return render(
        request,
        "assessments/unit.html",
        {
            "run": run,
            "result": result,
            "columns": indicator_columns(run),
            "code": code,
            "indicator": ind,
            "cell": result.detail.get(code, {}),
            "outcome": outcome,
            "page": page,
            "is_demand": ind.facts == I.DEMAND,
            "reasons": [reason_text(x) for x in result.reasons],
        },
    )


@login_required
def run_export(request, pk):
    from shaobao.assessments.exports import results_xlsx

    run = _run(request, pk)
    body = results_xlsx(run, indicator_columns(run), ranking_rows(run))
    resp = HttpResponse(body, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="assessment-{run.pk}.xlsx"'
    return resp


@login_required
def run_pdf(request, pk):
    from shaobao.assessments.exports import report_pdf

    run = _run(request, pk)
    body = report_pdf(run, indicator_columns(run), ranking_rows(run), now=now())
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="assessment-report-{run.pk}.pdf"'
    return resp


# ---- schemes -------------------------------------------------------------------------------


def _scheme_rows(scheme: Scheme | None, subject: str) -> list[dict]:
    configured = {c["code"]: c for c in (scheme.indicators if scheme else [])}
    rows = []
    for code, ind in I.CATALOGUE.items():
        if subject not in ind.subjects:
            continue
        conf = configured.get(code)
        exclusions = []
        for key in I.EXCLUSIONS[ind.facts]:
            exclusions.append(
                {
                    "key": key,
                    "choices": I.exclusion_choices(key),
                    "selected": set((conf or {}).get("exclude", {}).get(key, [])),
                }
            )
        rows.append(
            {
                "code": code,
                "label": ind.label,
                "formula": ind.formula,
                "higher": ind.higher_is_better,
                "used": conf is not None,
                "conf": conf or {},
                "satisfaction": ind.satisfaction,
                "exclusions": exclusions,
            }
        )
    return rows


def _managed_districts(a) -> list[Jurisdiction]:
    codes = SEL.district_codes(a, {R.ASSESSOR, R.ADMIN}) if a.has_any({R.ASSESSOR, R.ADMIN}) else []
    return list(Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT, code__in=codes))


def _chosen(request, districts):
    """The district a page or form is about: `district` (id) when the user manages several."""
    wanted = request.POST.get("district") or request.GET.get("district")
    for d in districts:
        if str(d.pk) == wanted:
            return d
    return districts[0] if districts else None


def _managed_district(request):
    return _chosen(request, _managed_districts(actor(request)))


@login_required
def schemes(request):
    a = actor(request)
    district = _managed_district(request)
    if district is None:
        codes = SEL.district_codes(a)
        district = Jurisdiction.objects.filter(
            level=Jurisdiction.DISTRICT, code__in=[c[:6] for c in codes]
        ).first()
        if district is None:
            raise PermissionDenied()
    blocks = []
    for subject, label in Scheme.SUBJECTS:
        versions = list(Scheme.objects.filter(district=district, subject=subject))
        draft = next((s for s in versions if s.is_draft), None)
        current = next((s for s in versions if not s.is_draft), None)
        blocks.append(
            {
                "subject": subject,
                "label": label,
                "versions": versions,
                "draft": draft,
                "current": current,
                "rows": _scheme_rows(draft or current, subject),
                "name": (draft or current).name
                if (draft or current)
                else SCHEMES.DEFAULT_NAMES[subject],
            }
        )
    return render(
        request,
        "assessments/schemes.html",
        {
            "blocks": blocks,
            "district": district,
            "can_manage": SEL.can_manage(a, district),
            "managed": _managed_districts(a),
        },
    )


@login_required
@require_POST
def scheme_save(request, subject):
    a = actor(request)
    district = _managed_district(request)
    if district is None or subject not in dict(Scheme.SUBJECTS):
        raise PermissionDenied()
    post = request.POST
    items = []
    for code, ind in I.CATALOGUE.items():
        if subject not in ind.subjects or not post.get(f"{code}-used"):
            continue
        item = {
            "code": code,
            "weight": post.get(f"{code}-weight"),
            "min_volume": post.get(f"{code}-min_volume"),
            "prior": post.get(f"{code}-prior"),
            "tolerance": post.get(f"{code}-tolerance"),
            "exclude": {
                key: post.getlist(f"{code}-exclude-{key}") for key in I.EXCLUSIONS[ind.facts]
            },
        }
        if ind.satisfaction:
            item["basic_weight"] = post.get(f"{code}-basic_weight")
        items.append(item)
    return post_action(
        request,
        None,
        lambda _d: SCHEMES.scheme_save_draft(
            actor=a,
            district_id=district.pk,
            subject=subject,
            name=post.get("name", ""),
            indicators=items,
            note=post.get("note", ""),
            now=now(),
        ),
        _("草稿已保存"),
        reverse("assessments:schemes") + f"?district={district.pk}",
    )


@login_required
@require_POST
def scheme_publish(request, pk):
    a = actor(request)
    return post_action(
        request,
        None,
        lambda _d: SCHEMES.scheme_publish(actor=a, scheme_id=V.pk(pk), now=now()),
        _("方案已发布"),
        reverse("assessments:schemes"),
    )
