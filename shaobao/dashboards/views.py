"""The command-centre screen (full screen, refreshes itself) and the dashboard page; both show
the same scoped figures (selectors.figures), the screen also the map of active whistles."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shaobao.dashboards import selectors as S
from shaobao.ui.helpers import actor, now

REFRESH_SECONDS = 60


def _scope_or_403(request):
    scope = S.scope_for(actor(request))
    if scope is None:
        return None, render(request, "ui/no_role.html", status=403)
    return scope, None


def _latest_rank(a, scope):
    """The viewer's unit in the latest published run of its kind (township / department)."""
    from django.db.models import F

    from shaobao.assessments.models import Result, Run

    if scope.kind == "district":
        return None
    subject, units = (
        ("TOWNSHIP", scope.township_ids)
        if scope.kind == "township"
        else ("DEPARTMENT", scope.department_ids)
    )
    run = (
        Run.objects.filter(district_id__in=scope.district_ids, subject=subject, state="PUBLISHED")
        .order_by("-period_start", "-pk")
        .first()
    )
    if run is None:
        return None
    result = (
        Result.objects.filter(run=run, unit__in=units)
        .order_by(F("rank").asc(nulls_last=True), "unit_name")
        .first()
    )
    if result is None:
        return None
    total = Result.objects.filter(run=run, rank__isnull=False).count()
    return {"run": run, "result": result, "of": total}


@login_required
@require_GET
def command(request):
    scope, denied = _scope_or_403(request)
    if denied:
        return denied
    from shaobao.places import selectors as P
    from shaobao.places.views import tile_settings

    a = actor(request)
    map_scope = P.map_scope(a)
    bounds = P.scope_bounds(map_scope) if map_scope else None
    tile_url, tile_attribution = tile_settings()
    return render(
        request,
        "dashboards/command.html",
        {
            "f": S.figures(a, scope, now()),
            "refresh": REFRESH_SECONDS,
            "bounds": ",".join(f"{x:.6f}" for x in bounds) if bounds else "",
            "tile_url": tile_url,
            "tile_attribution": tile_attribution,
        },
    )


@login_required
@require_GET
def command_data(request):
    a = actor(request)
    scope = S.scope_for(a)
    if scope is None:
        return JsonResponse({"code": "forbidden", "message": "forbidden"}, status=403)
    t = now()
    data = S.figures(a, scope, t)
    data["markers"] = S.whistle_markers(a, scope, t)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def dashboard(request):
    scope, denied = _scope_or_403(request)
    if denied:
        return denied
    a = actor(request)
    return render(
        request,
        "dashboards/dashboard.html",
        {"f": S.figures(a, scope, now()), "rank": _latest_rank(a, scope)},
    )
