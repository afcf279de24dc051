"""Deliver the outbox after commit. Two steps, each in short transactions so that several
workers may run at once (rows claimed with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL;
SQLite has one writer anyway):

1. route_due: a PENDING Notification becomes one Delivery per receiver (routing.py), atomically.
2. deliver_due: a due Delivery is claimed under a lease (next_attempt_at moves past the lease,
   the attempt is counted), sent outside any transaction, then marked SENT — only after the
   channel call returned. A worker killed between sending and marking leaves the row to be
   retried when the lease ends: delivery is at-least-once, and every attempt carries the same
   idempotency key (Delivery.key) so the receiver can drop the repeat.

Rate limits are sliding windows kept in the database (RateBucket), shared by all workers; a
delivery that finds its channel full is put back until a slot frees (queued, never dropped)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F

from shaobao.notify import channels
from shaobao.notify.channels import ChannelError, Message, PermanentError, RateLimited
from shaobao.notify.conf import conf
from shaobao.notify.models import Delivery, Notification, RateBucket
from shaobao.notify.routing import targets_for

log = logging.getLogger("shaobao.notify")


def backoff(attempts: int) -> dt.timedelta:
    base, cap = conf("RETRY_BASE_SECONDS"), conf("RETRY_MAX_SECONDS")
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# ---------------------------------------------------------------- fan-out


def route_due(*, now: dt.datetime, batch: int = 50) -> int:
    """Fan out pending notifications; returns how many were routed."""
    routed = 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=Notification.PENDING, next_attempt_at__lte=now)
            .select_related("jurisdiction")
            .order_by("-urgent", "next_attempt_at", "pk")[:batch]
        )
        for n in rows:
            try:
                with transaction.atomic():
                    _route(n, now)
                routed += 1
            except Exception as exc:  # keep the row; a broken subscription must not lose it
                log.exception("routing notification %s failed", n.pk)
                n.attempts += 1
                n.last_error = f"routing: {exc}"[:500]
                if n.attempts >= conf("MAX_ATTEMPTS"):
                    n.state = Notification.DEAD
                n.next_attempt_at = now + backoff(n.attempts)
                n.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    return routed


def _route(n: Notification, now: dt.datetime) -> None:
    targets = targets_for(n, now)
    if not targets and conf("LOG_UNROUTED"):
        from shaobao.notify.routing import Target

        targets = [Target("log", "log")]
    Delivery.objects.bulk_create(
        [
            Delivery(
                notification=n,
                channel=t.channel,
                receiver=t.receiver[:200],
                endpoint_id=t.endpoint_id,
                address=t.address[:200],
                next_attempt_at=t.not_before or now,
                created_at=now,
            )
            for t in targets
        ],
        ignore_conflicts=True,  # routing twice never makes a second delivery per receiver
    )
    n.state, n.sent_at = Notification.ROUTED, now
    n.save(update_fields=["state", "sent_at"])


# ---------------------------------------------------------------- rate limits


def bucket_for(d: Delivery) -> tuple[str, int, int] | None:
    """(bucket key, limit, window seconds) or None for unlimited channels."""
    if d.endpoint_id:
        ep = d.endpoint
        return f"ep:{ep.pk}", ep.rate_limit, ep.rate_window_seconds
    if d.channel == "email":
        return ("email", *conf("EMAIL_RATE"))
    if d.channel == "sms":
        return ("sms", *conf("SMS_RATE"))
    return None


def take_slot(key: str, limit: int, window: float, *, at: float) -> float:
    """Reserve one send in the sliding window: 0 if granted, else seconds until a slot frees.
    The bucket row is locked, so concurrent workers see each other's sends."""
    if limit <= 0:
        return 0.0
    with transaction.atomic():
        RateBucket.objects.get_or_create(key=key)
        bucket = RateBucket.objects.select_for_update().get(key=key)
        recent = sorted(t for t in bucket.sent if t > at - window)
        if len(recent) < limit:
            recent.append(at)
            bucket.sent = recent
            bucket.save(update_fields=["sent"])
            return 0.0
        return max(0.01, recent[-limit] + window - at)


# ---------------------------------------------------------------- delivery


def _claim(now: dt.datetime, batch: int) -> list[Delivery]:
    lease_end = now + dt.timedelta(seconds=conf("LEASE_SECONDS"))
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=Delivery.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:batch]
        )
        ids = [d.pk for d in rows]
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                next_attempt_at=lease_end, attempts=F("attempts") + 1
            )
    if not ids:
        return []
    return list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("notification", "endpoint")
        .order_by("-notification__urgent", "pk")
    )


def message_for(d: Delivery) -> Message:
    n = d.notification
    link = n.link
    if link.startswith("/"):
        link = conf("BASE_URL").rstrip("/") + link
    return Message(
        key=str(d.key),
        event=n.event,
        title=n.title,
        body=n.body,
        link=link,
        urgent=n.urgent,
        created_at=n.created_at.isoformat(),
    )


def _mark_sent(d: Delivery, at: dt.datetime) -> None:
    Delivery.objects.filter(pk=d.pk, state=Delivery.PENDING).update(
        state=Delivery.SENT, sent_at=at, last_error=""
    )


def _defer(d: Delivery, seconds: float, now: dt.datetime, reason: str = "") -> None:
    """Back in the queue without counting the attempt (rate limit)."""
    fields = {
        "next_attempt_at": now + dt.timedelta(seconds=seconds),
        "attempts": F("attempts") - 1,
    }
    if reason:
        fields["last_error"] = reason[:500]
    Delivery.objects.filter(pk=d.pk, state=Delivery.PENDING).update(**fields)


def _fail(d: Delivery, exc: Exception, now: dt.datetime, *, permanent=False) -> None:
    dead = permanent or d.attempts >= conf("MAX_ATTEMPTS")
    Delivery.objects.filter(pk=d.pk, state=Delivery.PENDING).update(
        state=Delivery.DEAD if dead else Delivery.PENDING,
        last_error=f"{type(exc).__name__}: {exc}"[:500],
        next_attempt_at=now + backoff(d.attempts),
    )
    log.warning("delivery %s (%s %s) failed: %s", d.pk, d.channel, d.receiver, exc)


def deliver_due(*, now: dt.datetime, batch: int | None = None, send=None, clock=None) -> int:
    """Claim and send one batch of due deliveries. Returns the number attempted (sent or
    failed); deliveries held back by a rate limit do not count, so `while deliver_due(...)`
    ends when only those remain. `clock()` gives the current time for rate limits (defaults to
    `now`, advanced by nothing: pass a real clock in workers)."""
    send = send or channels.send
    rows = _claim(now, batch or conf("BATCH"))
    full: dict[str, float] = {}  # bucket key → when a slot frees, learnt in this batch
    done = 0
    for d in rows:
        t = clock() if clock else now
        bucket = bucket_for(d)
        if bucket:
            key, limit, window = bucket
            if key in full and full[key] > t.timestamp():
                _defer(d, full[key] - t.timestamp(), t)
                continue
            window += conf("RATE_MARGIN_SECONDS")
            wait = take_slot(key, limit, window, at=t.timestamp())
            if wait:
                full[key] = t.timestamp() + wait
                _defer(d, wait, t)
                continue
        try:
            send(d, message_for(d))
        except RateLimited as exc:
            _defer(d, exc.retry_after, t, reason=f"rate limited: {exc}")
            continue
        except PermanentError as exc:
            _fail(d, exc, t, permanent=True)
        except ChannelError as exc:
            _fail(d, exc, t)
        except Exception as exc:  # an adapter bug must not lose the message either
            log.exception("delivery %s crashed", d.pk)
            _fail(d, exc, t)
        else:
            _mark_sent(d, clock() if clock else now)
        done += 1
    return done


def next_due_at() -> dt.datetime | None:
    a = (
        Delivery.objects.filter(state=Delivery.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    b = (
        Notification.objects.filter(state=Notification.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return min([x for x in (a, b) if x is not None], default=None)


def run_once(*, now_fn, batch: int | None = None) -> int:
    """Route and deliver everything due now (what a worker does each round)."""
    total = 0
    while True:
        t = now_fn()
        n = route_due(now=t) + deliver_due(now=t, batch=batch, clock=now_fn)
        total += n
        if not n:
            return total
