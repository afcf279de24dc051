"""Reads of whistles and summonses, always scoped to the viewer. Reading a sealed whistle's
content is itself an audited event."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, Q

from shaobao.audit.services import record
from shaobao.org.scoping import Actor
from shaobao.whistles import permissions as P
from shaobao.whistles import workflow as W
from shaobao.whistles.models import Objection, Summons, Whistle


def whistle_list(
    *, viewer: Actor, now, status: str = "", township_id=None, overdue: bool = False, q: str = ""
):
    qs = P.whistles_visible_to(viewer, now=now).select_related(
        "township", "matter", "blown_by_department"
    )
    if status:
        qs = qs.filter(status__in=status.split(","))
    if township_id:
        qs = qs.filter(township_id=township_id)
    if overdue:
        qs = qs.filter(
            summonses__in=Summons.objects.filter(
                Q(report_overdue_at__isnull=False) | Q(finish_overdue_at__isnull=False)
            ).exclude(state__in=W.ENDED_STATES)
        ).distinct()
    if q:
        qs = qs.filter(title__icontains=q[:50])
    return qs.prefetch_related(
        Prefetch(
            "summonses",
            queryset=Summons.objects.select_related("department").order_by("role", "pk"),
        )
    ).order_by("-created_at", "-pk")


def audit_sealed_reads(*, viewer: Actor, whistles, now, via: str) -> None:
    """Lists show a sealed whistle's title to those allowed to see it; that is a read too."""
    sealed = [w for w in whistles if w.is_sealed(now)]
    if not sealed:
        return
    with transaction.atomic():
        for w in sealed:
            record(
                actor=viewer,
                action="whistle.sealed_read",
                obj=w,
                whistle_id=w.pk,
                data={"via": via},
                now=now,
            )


def whistle_detail(*, viewer: Actor, whistle_id, now) -> Whistle:
    whistle = P.access_whistle(viewer, whistle_id, now=now)
    if whistle.is_sealed(now):
        with transaction.atomic():
            record(
                actor=viewer,
                action="whistle.sealed_read",
                obj=whistle,
                whistle_id=whistle.pk,
                data={},
                now=now,
            )
    return whistle


def summons_inbox(*, viewer: Actor, now, state: str = "", open_only: bool = False):
    from shaobao.org import roles as R

    depts = viewer.departments(R.DEPARTMENT_ROLES)
    qs = P.summonses_visible_to(viewer, now=now).filter(department_id__in=depts)
    if state:
        qs = qs.filter(state__in=state.split(","))
    if open_only:
        qs = qs.exclude(state__in=W.ENDED_STATES)
    return qs.select_related("whistle__township", "department").order_by("report_by_at", "pk")


def summons_detail(*, viewer: Actor, summons_id, now) -> Summons:
    summons = P.access_summons(viewer, summons_id, now=now)
    if summons.whistle.is_sealed(now):
        with transaction.atomic():
            record(
                actor=viewer,
                action="whistle.sealed_read",
                obj=summons.whistle,
                whistle_id=summons.whistle_id,
                data={"via": "summons", "summons": summons.pk},
                now=now,
            )
    return summons


def escalated(*, viewer: Actor, now):
    """Overdue or escalated open summonses in the viewer's district (district supervisor)."""
    return (
        P.summonses_visible_to(viewer, now=now)
        .filter(
            Q(escalated_at__isnull=False)
            | Q(report_overdue_at__isnull=False)
            | Q(finish_overdue_at__isnull=False)
        )
        .exclude(state__in=W.ENDED_STATES)
        .select_related("whistle__township", "department")
        .order_by("escalated_at", "pk")
    )


def objection_queue(*, viewer: Actor, now, pending_only=True):
    from shaobao.org import roles as R
    from shaobao.org.scoping import prefix_q

    codes = viewer.codes({R.LEGAL_OFFICER, R.INSPECTOR, R.DISTRICT_SUPERVISOR, R.ADMIN})
    qs = Objection.objects.filter(prefix_q("summons__whistle__township__code", codes))
    qs = qs.exclude(P_sealed(now))
    if pending_only:
        qs = qs.filter(state=Objection.PENDING)
    return qs.select_related(
        "summons__whistle__township", "summons__department", "claimed_owner"
    ).order_by("rule_by_at")


def P_sealed(now) -> Q:
    return Q(
        summons__whistle__mode="SURPRISE",
        summons__whistle__launched_at__isnull=True,
        summons__whistle__launch_at__gt=now,
    )
