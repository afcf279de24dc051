"""The hot spots page (热点): the viewer's current hot spots with trend and examples, the
township's two actions on them, and the monthly topic candidates (每月一题)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.core.errors import PermissionDenied
from shaobao.core.timeutil import work_calendar
from shaobao.demands.permissions import demands_visible_to
from shaobao.hotspots import forms as F
from shaobao.hotspots import permissions as P
from shaobao.hotspots import selectors as Q
from shaobao.hotspots import services as S
from shaobao.org.models import Jurisdiction
from shaobao.ui.helpers import actor, now, post_action
from shaobao.whistles.models import KINDS

TOPICS_CACHE_SECONDS = 3600


@login_required
def index(request):
    a = actor(request)
    if not P.may_view(a):
        raise PermissionDenied()
    t = now()
    today = S.local_today(t)
    codes = P.districts_of(a)
    visible = P.hotspots_visible_to(a)
    window_end = Q.latest_window_end(codes)
    hotspots = list(Q.current(visible, window_end))
    examples = Q.examples_for(hotspots, demands_visible_to(a))
    rows = [
        {
            "h": h,
            "bars": Q.sparkline(h),
            "weeks": Q.weekly(h),
            "examples": examples.get(h.pk, []),
            "can_act": P.may_act(a, h),
        }
        for h in hotspots
    ]
    districts = list(Jurisdiction.objects.filter(code__in=codes, level=Jurisdiction.DISTRICT))
    # last month's candidates change only as late callbacks arrive: computed at most hourly
    topics = [
        (
            d,
            cache.get_or_set(
                f"hotspots:topics:{d.pk}:{today.isoformat()}",
                lambda d=d: Q.monthly_topics(d, today=today),
                TOPICS_CACHE_SECONDS,
            ),
        )
        for d in districts
    ]
    return render(
        request,
        "hotspots/index.html",
        {
            "rows": rows,
            "window_end": window_end,
            "params": S.params(),
            "topics": topics,
            "decided": list(Q.recently_decided(visible, t - dt.timedelta(days=30))[:20]),
            "kinds": KINDS,
        },
    )


@login_required
@require_POST
def action(request, hotspot_id, action):
    a = actor(request)
    t = now()
    back = "/hotspots/"
    # Out of scope is a 404, in scope without the township's role a 403: before any form.
    if not P.may_act(a, P.access_hotspot(a, hotspot_id)):
        raise PermissionDenied()
    if action == "convert":
        return post_action(
            request,
            F.ConvertForm(request.POST),
            lambda d: S.hotspot_convert(
                actor=a, hotspot_id=hotspot_id, kind=d["kind"], now=t, cal=work_calendar()
            ),
            _("已转为问题并吹哨"),
            back,
        )
    if action == "dismiss":
        return post_action(
            request,
            F.DismissForm(request.POST),
            lambda d: S.hotspot_dismiss(actor=a, hotspot_id=hotspot_id, reason=d["reason"], now=t),
            _("已忽略该热点"),
            back,
        )
    raise Http404
