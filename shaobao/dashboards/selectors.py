"""The figures of the command-centre screen and the dashboards, scoped to the viewer.

A viewer's scope is the largest area they hold a government role over: a district (district
roles), townships (township roles) or departments (department roles). Every query filters on ids
of that scope directly, so a district-year of two million demands is read through indexes: live
counts only for today and the open items, the daily rollup (models.DemandDay) for trends.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from shaobao.core.workdays import LOCAL_TZ
from shaobao.dashboards.models import DemandDay
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import Actor
from shaobao.whistles import workflow as W

OPEN_SUMMONS = ["ISSUED", "ACKNOWLEDGED", "CHECKED_IN", "CLAIMED", "REWORK"]


def _late_q(now, prefix: str = "") -> Q:
    """Open summonses past a deadline that still binds them: the sweep's own table
    (whistles.workflow.OVERDUE_RULES — report-by until checked in, finish-by until claimed)."""
    return reduce(
        operator.or_,
        (
            Q(**{f"{prefix}state__in": states, f"{prefix}{field}__lt": now})
            for field, states, _mark in W.OVERDUE_RULES
        ),
    )


MAX_MARKERS = 500


@dataclass(frozen=True)
class Scope:
    kind: str  # "district", "township" or "department"
    label: str
    district_ids: tuple[int, ...]
    township_ids: tuple[int, ...] = ()
    department_ids: tuple[int, ...] = ()


def scope_for(actor: Actor) -> Scope | None:
    district_codes = sorted({c[:6] for c in actor.codes(R.READ_ALL_ROLES | {R.OPERATOR})})
    if district_codes:
        ds = list(Jurisdiction.objects.filter(code__in=district_codes, level="DISTRICT"))
        return Scope("district", "、".join(d.name for d in ds), tuple(d.pk for d in ds))
    town_codes = sorted({c[:9] for c in actor.codes(R.TOWNSHIP_ROLES) if len(c) >= 9})
    if town_codes:
        ts = list(Jurisdiction.objects.filter(code__in=town_codes, level="TOWNSHIP"))
        districts = Jurisdiction.objects.filter(code__in={t.code[:6] for t in ts})
        return Scope(
            "township",
            "、".join(t.name for t in ts),
            tuple(districts.values_list("pk", flat=True)),
            township_ids=tuple(t.pk for t in ts),
        )
    dept_ids = actor.departments(R.DEPARTMENT_ROLES)
    if dept_ids:
        depts = list(Department.objects.filter(pk__in=dept_ids))
        return Scope(
            "department",
            "、".join(str(d) for d in depts),
            tuple({d.district_id for d in depts}),
            department_ids=tuple(d.pk for d in depts),
        )
    return None


def _demand_q(scope: Scope, prefix: str = "") -> Q:
    if scope.kind == "district":
        return Q(**{f"{prefix}district_id__in": scope.district_ids})
    if scope.kind == "township":
        return Q(**{f"{prefix}handler_township_id__in": scope.township_ids})
    return Q(**{f"{prefix}handler_department_id__in": scope.department_ids})


def _rollup_q(scope: Scope) -> Q:
    if scope.kind == "district":
        return Q(district_id__in=scope.district_ids)
    if scope.kind == "township":
        return Q(township_id__in=scope.township_ids)
    return Q(department_id__in=scope.department_ids)


def _active_whistles(actor: Actor, scope: Scope, now):
    from shaobao.whistles.models import Whistle
    from shaobao.whistles.permissions import sealed_q, whistles_visible_to

    # Sealed surprise operations never go on a dashboard or the wall screen, even for the few
    # who may read them (their pages record each read; a screen in a command room cannot).
    qs = whistles_visible_to(actor, now=now).filter(status=Whistle.ACTIVE).exclude(sealed_q(now))
    if scope.kind == "township":
        qs = qs.filter(township_id__in=scope.township_ids)
    elif scope.kind == "department":
        qs = qs.filter(summonses__department_id__in=scope.department_ids).distinct()
    return qs


def _summons_scope(scope: Scope) -> Q:
    if scope.kind == "department":
        return Q(department_id__in=scope.department_ids)
    return Q()


def whistle_figures(actor: Actor, scope: Scope, now) -> dict:
    from shaobao.whistles.models import Summons

    active = _active_whistles(actor, scope, now)
    open_summonses = Summons.objects.filter(
        whistle__in=active.values("pk"), state__in=OPEN_SUMMONS
    ).filter(_summons_scope(scope))
    late = _late_q(now)
    counts = open_summonses.aggregate(
        overdue=Count("pk", filter=late),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        **{st: Count("pk", filter=Q(state=st)) for st in OPEN_SUMMONS},
    )
    labels = dict(Summons.STATES)
    overdue = open_summonses.filter(late).select_related("whistle", "department")
    overdue_rows = [
        {
            "number": s.whistle.number,
            "whistle_id": s.whistle_id,
            "title": s.whistle.title,
            "department": str(s.department),
            "state": str(labels.get(s.state, s.state)),
            "hours": round((now - _missed(s, now)).total_seconds() / 3600, 1),
        }
        for s in overdue.order_by("finish_by_at")[:10]
    ]
    return {
        "active": active.count(),
        "states": [{"state": st, "label": str(labels[st]), "n": counts[st]} for st in OPEN_SUMMONS],
        "overdue_count": counts["overdue"],
        "overdue": overdue_rows,
        "escalated": counts["escalated"],
    }


def _missed(s, now):
    """The earliest deadline an overdue summons has missed (by OVERDUE_RULES)."""
    return min(
        getattr(s, field)
        for field, states, _mark in W.OVERDUE_RULES
        if s.state in states and getattr(s, field) < now
    )


def whistle_markers(actor: Actor, scope: Scope, now) -> list[dict]:
    active = _active_whistles(actor, scope, now).filter(lat__isnull=False, lng__isnull=False)
    rows = (
        active.annotate(
            late=Count("summonses", filter=_late_q(now, "summonses__")),
            waiting=Count("summonses", filter=Q(summonses__state__in=["ISSUED", "ACKNOWLEDGED"])),
            working=Count("summonses", filter=Q(summonses__state__in=["CHECKED_IN", "REWORK"])),
        )
        .order_by("-created_at")
        .values("pk", "title", "lat", "lng", "late", "waiting", "working")[:MAX_MARKERS]
    )
    out = []
    for w in rows:
        if w["late"]:
            state = "overdue"
        elif w["waiting"]:
            state = "waiting"
        elif w["working"]:
            state = "working"
        else:
            state = "claimed"
        out.append(
            {
                "id": w["pk"],
                "number": f"CS{w['pk']:07d}",
                "title": w["title"],
                "lat": w["lat"],
                "lng": w["lng"],
                "state": state,
            }
        )
    return out


def demand_figures(scope: Scope, now) -> dict:
    from shaobao.demands.models import Demand

    local = now.astimezone(LOCAL_TZ)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    mine = Demand.objects.filter(_demand_q(scope), created_at__lte=now)
    today = dict(
        mine.filter(created_at__gte=midnight)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    overdue = mine.filter(status=Demand.DISPATCHED, deadline_at__lt=now).count()
    week = now - dt.timedelta(days=7)
    top = (
        mine.filter(created_at__gte=week, matter__isnull=False)
        .values("matter__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "matter__name")[:8]
    )
    prev = dict(
        mine.filter(
            created_at__gte=week - dt.timedelta(days=7), created_at__lt=week, matter__isnull=False
        )
        .values_list("matter__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "today_total": sum(today.values()),
        "today": [{"status": k, "label": str(v), "n": today.get(k, 0)} for k, v in Demand.STATUSES],
        "overdue": overdue,
        "top_matters": [
            {"name": t["matter__name"], "n": t["n"], "prev": prev.get(t["matter__name"], 0)}
            for t in top
        ],
    }


def rate_trend(scope: Scope, now, months: int = 12) -> list[dict]:
    basic = settings.SHAOBAO["RATES"]["basic_weight"]
    local = now.astimezone(LOCAL_TZ).date()
    first = local.replace(day=1)
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = (
        DemandDay.objects.filter(_rollup_q(scope), day__gte=first)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(
            received=Sum("received"),
            due=Sum("response_due"),
            on_time=Sum("on_time"),
            reached=Sum("reached"),
            solved=Sum("solved"),
            rated=Sum("rated"),
            satisfied=Sum("satisfied"),
            basic=Sum("basic"),
        )
        .order_by("month")
    )
    out = []
    for r in rows:
        month = r["month"]
        out.append(
            {
                "month": f"{month:%Y-%m}",
                "received": r["received"],
                "response": _rate(r["on_time"], r["due"]),
                "resolution": _rate(r["solved"], r["reached"]),
                "satisfaction": _rate(r["satisfied"] + basic * r["basic"], r["rated"]),
            }
        )
    return out


def _rate(num, den):
    return round(100 * num / den, 1) if den else None


def hotspots(scope: Scope, limit: int = 6) -> list[dict]:
    """The hot spots of the latest detection (as the hot spots page shows them)."""
    from shaobao.hotspots import selectors as H
    from shaobao.hotspots.models import HotSpot

    if scope.kind == "department":
        return []
    visible = HotSpot.objects.filter(district_id__in=scope.district_ids)
    if scope.kind == "township":
        visible = visible.filter(township_id__in=scope.township_ids)
    codes = Jurisdiction.objects.filter(pk__in=scope.district_ids).values_list("code", flat=True)
    rows = H.current(visible, H.latest_window_end(list(codes)))[:limit]
    return [
        {
            "place": str(h.place),
            "matter": str(h.matter) if h.matter_id else "",
            "count": h.count,
            "ratio": round(h.ratio, 1) if h.ratio is not None else None,
        }
        for h in rows
    ]


def _shared(scope: Scope, now) -> dict:
    """The figures that depend on the scope only (not on who looks: sealed whistles are not in
    them), shared by every viewer of the scope for DASHBOARD_CACHE_SECONDS."""
    seconds = settings.SHAOBAO.get("DASHBOARD_CACHE_SECONDS", 30)

    def compute():
        return {"demands": demand_figures(scope, now), "trend": rate_trend(scope, now)}

    if not seconds:
        return compute()
    key = f"dash:{scope.kind}:{scope.district_ids}:{scope.township_ids}:{scope.department_ids}"
    return cache.get_or_set(key, compute, seconds)


def figures(actor: Actor, scope: Scope, now) -> dict:
    shared = _shared(scope, now)
    return {
        "scope": {"kind": scope.kind, "label": scope.label},
        "whistles": whistle_figures(actor, scope, now),
        "demands": shared["demands"],
        "trend": shared["trend"],
        "hotspots": hotspots(scope),
        "updated": now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S"),
    }
