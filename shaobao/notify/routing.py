"""Fan-out: who hears a notification, over which channel, and from when (quiet hours).

Only the notification row's own title/body/link travel; nothing is read back from the object
that caused it, so a sealed whistle's neutral notice stays neutral."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from shaobao.core.workdays import LOCAL_TZ
from shaobao.notify.models import ADDRESS_CHANNELS, ENDPOINT_CHANNELS, Notification, Subscription
from shaobao.org.models import Membership


@dataclass
class Target:
    channel: str
    receiver: str
    endpoint_id: int | None = None
    address: str = ""
    not_before: dt.datetime | None = None


def quiet_until(sub: Subscription, now: dt.datetime) -> dt.datetime | None:
    """End of the quiet window `now` falls in, or None."""
    if sub.quiet_from is None or sub.quiet_to is None or sub.quiet_from == sub.quiet_to:
        return None
    local = now.astimezone(LOCAL_TZ)
    t = local.time()
    start, end = sub.quiet_from, sub.quiet_to
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += dt.timedelta(days=1)
    return until


def _hears(sub: Subscription, n: Notification) -> bool:
    if sub.events and n.event not in sub.events:
        return False
    if sub.urgent_only and not n.urgent:
        return False
    if sub.user_id is None and sub.roles and n.audience:
        return set(sub.roles) <= set(n.audience)  # every reader of the group may hear it
    return True


def _target(sub: Subscription) -> Target | None:
    if sub.channel in ENDPOINT_CHANNELS:
        if sub.endpoint_id is None or not sub.endpoint.active:
            return None
        return Target(sub.channel, f"ep:{sub.endpoint_id}", endpoint_id=sub.endpoint_id)
    if sub.channel in ADDRESS_CHANNELS:
        address = sub.address
        if not address and sub.user_id:
            address = sub.user.email if sub.channel == "email" else sub.user.phone
        address = (address or "").strip()
        if not address:
            return None
        key = address.lower() if sub.channel == "email" else address.replace(" ", "")
        return Target(sub.channel, f"{sub.channel}:{key}", address=address)
    return None


def audience_users(n: Notification) -> set[int]:
    """Users holding one of the audience roles over the notification's department, or over a
    jurisdiction containing its jurisdiction (a district supervisor hears of every township)."""
    ids = {n.user_id} if n.user_id else set()
    if not n.audience:
        return ids
    q = Q(pk__in=[])
    if n.department_id:
        q |= Q(department_id=n.department_id)
    if n.jurisdiction_id:
        code = n.jurisdiction.code
        prefixes = [code[:k] for k in (6, 9, 12, 15) if k <= len(code)]
        q |= Q(jurisdiction__code__in=prefixes)
    ids |= set(
        Membership.objects.filter(q, active=True, role__in=n.audience, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return ids


def targets_for(n: Notification, now: dt.datetime) -> list[Target]:
    q = Q(pk__in=[])
    if n.department_id:
        q |= Q(department_id=n.department_id)
    if n.jurisdiction_id:
        q |= Q(jurisdiction_id=n.jurisdiction_id)
    users = audience_users(n)
    if users:
        q |= Q(user_id__in=users)
    subs = Subscription.objects.filter(q, active=True).select_related("endpoint", "user")
    found: dict[tuple[str, str], Target] = {}
    for sub in subs.order_by("pk"):
        if not _hears(sub, n):
            continue
        t = _target(sub)
        if t is None:
            continue
        t.not_before = None if n.urgent else quiet_until(sub, now)
        seen = found.get((t.channel, t.receiver))
        if seen is None:
            found[(t.channel, t.receiver)] = t
        elif seen.not_before is not None and (
            t.not_before is None or t.not_before < seen.not_before
        ):
            seen.not_before = t.not_before  # one subscription without quiet hours is enough
    return list(found.values())
