"""Deliver outbox rows after commit. Several workers may run at once: each claims a batch with
SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has one writer anyway).

Channels are adapters; until the channel issue lands, the only one is `log`, which writes the
message to the worker's log (what the demo uses)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from shaobao.notify.models import Notification

log = logging.getLogger("shaobao.notify")
MAX_ATTEMPTS = 8


def log_channel(n: Notification) -> None:
    target = n.user or n.department or n.jurisdiction or "-"
    log.warning("notify %s → %s: %s %s", n.event, target, n.title, n.link)


def deliver_due(*, now: dt.datetime, batch: int = 100, channel=log_channel) -> int:
    sent = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=Notification.PENDING, next_attempt_at__lte=now)
            .select_related("user", "department", "jurisdiction")
            .order_by("-urgent", "next_attempt_at", "pk")[:batch]
        )
        for n in rows:
            try:
                channel(n)
            except Exception as exc:  # a channel failure must not lose the message: retry later
                n.attempts += 1
                n.last_error = str(exc)[:500]
                if n.attempts >= MAX_ATTEMPTS:
                    n.state = Notification.DEAD
                n.next_attempt_at = now + dt.timedelta(seconds=min(3600, 15 * 2**n.attempts))
                n.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
                continue
            n.state, n.sent_at, n.attempts = Notification.SENT, now, n.attempts + 1
            n.save(update_fields=["state", "sent_at", "attempts"])
            sent += 1
    return sent
