"""The map page and its two scoped JSON feeds. Views parse and call one selector each."""

from __future__ import annotations

import functools
import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shaobao.org.models import Jurisdiction
from shaobao.places import selectors as S
from shaobao.ui.helpers import actor

LEVELS = dict(Jurisdiction.LEVELS)


def tile_settings() -> tuple[str, str]:
    """A raster tile URL template ({z}/{x}/{y}) and its attribution, or "" for none (the map is
    drawn on a plain background, which works offline)."""
    url = getattr(settings, "SHAOBAO_MAP_TILE_URL", None)
    if url is None:
        url = os.environ.get("SHAOBAO_MAP_TILE_URL", "")
    attribution = getattr(settings, "SHAOBAO_MAP_TILE_ATTRIBUTION", None)
    if attribution is None:
        attribution = os.environ.get("SHAOBAO_MAP_TILE_ATTRIBUTION", "")
    return url, attribution


def _json_login_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"code": "unauthenticated", "message": _("请先登录")}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


def _bbox(request):
    try:
        return S.parse_bbox(request.GET.get("bbox")), None
    except ValueError:
        return None, JsonResponse(
            {"code": "invalid_input", "message": _("bbox 参数无效"), "fields": {"bbox": "invalid"}},
            status=400,
        )


def _detail_prefix(name: str) -> str:
    """ "/problems/" for "/problems/<id>/": one reverse per response, not one per marker."""
    try:
        return reverse(name, args=[1])[: -len("1/")]
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def map_page(request):
    scope = S.map_scope(actor(request))
    if not scope:
        return render(request, "ui/no_role.html", status=403)
    bounds = S.scope_bounds(scope)
    center = S.scope_center(scope)
    tile_url, tile_attribution = tile_settings()
    return render(
        request,
        "places/map.html",
        {
            "bounds": ",".join(f"{x:.6f}" for x in bounds) if bounds else "",
            "center": ",".join(f"{x:.6f}" for x in center) if center else "",
            "tile_url": tile_url,
            "tile_attribution": tile_attribution,
        },
    )


@_json_login_required
@require_GET
def boundaries_json(request):
    level = request.GET.get("level") or Jurisdiction.TOWNSHIP
    if level not in LEVELS:
        return JsonResponse(
            {"code": "invalid_input", "message": _("层级无效"), "fields": {"level": "invalid"}},
            status=400,
        )
    bbox, error = _bbox(request)
    if error:
        return error
    features, truncated = S.boundaries_for(
        scope=S.map_scope(actor(request)), level=level, bbox=bbox
    )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "truncated": truncated},
        json_dumps_params={"ensure_ascii": False},
    )


@_json_login_required
@require_GET
def markers_json(request):
    bbox, error = _bbox(request)
    if error:
        return error
    viewer = actor(request)
    if not S.map_scope(viewer):
        return JsonResponse({"markers": [], "truncated": False})
    markers, truncated = S.markers_for(actor=viewer, bbox=bbox)
    links = {
        "problem": _detail_prefix("problems:detail"),
        "demand": _detail_prefix("demands:detail"),
    }
    for m in markers:
        prefix = links[m["kind"]]
        m["url"] = f"{prefix}{m['id']}/" if prefix else ""
    return JsonResponse(
        {"markers": markers, "truncated": truncated}, json_dumps_params={"ensure_ascii": False}
    )
