"""Reads over demands, always scoped by the caller."""

from __future__ import annotations

from django.db.models import Count

from shaobao.demands.models import DemandObjection
from shaobao.org import roles as R
from shaobao.org.scoping import Actor, prefix_q


def objection_queue(*, viewer: Actor, pending_only=True):
    codes = [
        c[:6] for c in viewer.codes({R.LEGAL_OFFICER, R.INSPECTOR, R.DISTRICT_SUPERVISOR, R.ADMIN})
    ]
    qs = DemandObjection.objects.filter(prefix_q("demand__district__code", codes))
    if pending_only:
        qs = qs.filter(state=DemandObjection.PENDING)
    return qs.select_related(
        "demand", "dispatch__department", "dispatch__township", "claimed_owner"
    ).order_by("rule_by_at")


def handoff_stats(demands) -> dict:
    """Re-dispatches and the time lost per hand-off (objection raised → ruled), over a scoped
    queryset of demands. Counted in the database; only ruled objections are read."""
    from shaobao.demands.models import Dispatch

    dispatched = demands.filter(dispatches__isnull=False).distinct().count()
    total = Dispatch.objects.filter(demand__in=demands).count()
    redispatched = demands.annotate(n=Count("dispatches")).filter(n__gt=1).count()
    ruled = DemandObjection.objects.filter(demand__in=demands, ruled_at__isnull=False)
    lost = [
        (b - a).total_seconds() / 3600
        for a, b in ruled.values_list("raised_at", "ruled_at")[:10000]
    ]
    return {
        "dispatched_demands": dispatched,
        "redispatched_demands": redispatched,
        "redispatches": max(0, total - dispatched),
        "objections_ruled": len(lost),
        "hours_lost_per_handoff": round(sum(lost) / len(lost), 1) if lost else None,
    }
