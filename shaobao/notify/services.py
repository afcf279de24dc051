"""Queue notifications as outbox rows in the caller's transaction (nothing leaves the process),
and the administrators' writes of the notify app (retry, endpoints, subscriptions)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.notify.conf import conf
from shaobao.notify.models import (
    ADDRESS_CHANNELS,
    CHANNELS,
    ENDPOINT_CHANNELS,
    ChannelEndpoint,
    Delivery,
    Notification,
    Subscription,
)
from shaobao.org import roles as R
from shaobao.org.scoping import prefix_q


def enqueue(
    *,
    event: str,
    dedupe_key: str,
    title: str,
    body: str = "",
    link: str = "",
    department=None,
    jurisdiction=None,
    user=None,
    audience=(),
    urgent=False,
    fresh=False,
    now,
) -> Notification | None:
    """One row per cause: a second enqueue with the same key is a no-op (returns None).

    `fresh`: the key names a row inserted in this same transaction (e.g. the dispatch just
    created), which no earlier notification can name, since ids are never reused. The row is then
    inserted without the savepoint that catches a repeated key: two statements fewer on the
    intake worker's path, and a repeated key would be a bug that must fail loudly."""
    row = Notification(
        event=event,
        dedupe_key=dedupe_key[:200],
        title=title[:200],
        body=body,
        link=link,
        department=department,
        jurisdiction=jurisdiction,
        user=user,
        audience=list(audience),
        urgent=urgent,
        next_attempt_at=now,
        created_at=now,
    )
    if fresh:
        row.save(force_insert=True)
        return row
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            return row
    except IntegrityError:
        return None


# ---------------------------------------------------------------- administration
# Every admin write below is checked against the `admin` role and audited in its transaction.


def _require_admin(actor) -> None:
    if not actor.has_any({R.ADMIN}):
        raise PermissionDenied()


def _administered_districts(actor) -> list[str]:
    return sorted({c[:6] for c in actor.codes({R.ADMIN})})


def administered_subscriptions(actor) -> Q:
    """The subscriptions of the districts `actor` administers: to their departments and places."""
    districts = _administered_districts(actor)
    return Q(department__district__code__in=districts) | prefix_q("jurisdiction__code", districts)


def administered(actor) -> Q:
    """The notifications of the districts `actor` administers: addressed to their departments
    and places, or to a person holding a role there. What the dead-letter page lists and what
    its buttons may touch (a notification names demands and its deliveries name receivers);
    one addressed to no one in particular belongs to every administrator."""
    from shaobao.org.models import Membership

    districts = _administered_districts(actor)
    people = Membership.objects.filter(
        prefix_q("jurisdiction__code", districts) | Q(department__district__code__in=districts)
    ).values("user_id")
    return (
        administered_subscriptions(actor)  # the same departments and places
        | Q(user_id__in=people)
        | Q(department__isnull=True, jurisdiction__isnull=True, user__isnull=True)  # no one's
    )


@transaction.atomic
def delivery_retry(*, actor, delivery_id, now: dt.datetime) -> Delivery:
    """Put a dead letter back in the queue (the dead-letter page's retry button)."""
    _require_admin(actor)
    d = (
        Delivery.objects.select_for_update()
        .filter(pk=delivery_id, notification__in=Notification.objects.filter(administered(actor)))
        .first()
    )
    if d is None:
        raise NotFound()
    if d.state != Delivery.DEAD:
        raise Conflict(_("该通知不是投递失败状态"), code="not_dead")
    previous = d.last_error
    d.state, d.attempts, d.next_attempt_at = Delivery.PENDING, 0, now
    d.save(update_fields=["state", "attempts", "next_attempt_at"])
    record(
        actor=actor,
        action="notify.delivery_retry",
        obj=d,
        data={"channel": d.channel, "receiver": d.receiver, "last_error": previous},
        now=now,
    )
    return d


@transaction.atomic
def notification_retry(*, actor, notification_id, now: dt.datetime) -> Notification:
    """Route again a notification whose fan-out kept failing."""
    _require_admin(actor)
    n = (
        Notification.objects.select_for_update(of=("self",))  # not the joined scope rows
        .filter(administered(actor), pk=notification_id)
        .first()
    )
    if n is None:
        raise NotFound()
    if n.state != Notification.DEAD:
        raise Conflict(_("该通知不是投递失败状态"), code="not_dead")
    previous = n.last_error
    n.state, n.attempts, n.next_attempt_at = Notification.PENDING, 0, now
    n.save(update_fields=["state", "attempts", "next_attempt_at"])
    record(
        actor=actor,
        action="notify.notification_retry",
        obj=n,
        data={"event": n.event, "last_error": previous},
        now=now,
    )
    return n


def _channel(value) -> str:
    if value not in dict(CHANNELS) or value == "log":
        raise InvalidInput(_("渠道无效"), fields={"channel": "invalid"})
    return value


@transaction.atomic
def endpoint_create(
    *,
    actor,
    name,
    channel,
    url,
    secret="",
    format="markdown",
    rate_limit=None,
    rate_window_seconds=None,
    now: dt.datetime,
) -> ChannelEndpoint:
    _require_admin(actor)
    channel = _channel(channel)
    if channel not in ENDPOINT_CHANNELS:
        raise InvalidInput(_("该渠道不使用接收端"), fields={"channel": "invalid"})
    name, url = (name or "").strip(), (url or "").strip()
    if not name or not url.startswith(("https://", "http://")):
        raise InvalidInput(_("请填写名称和有效的地址"), fields={"url": "invalid"})
    if ChannelEndpoint.objects.filter(name=name).exists():
        raise InvalidInput(_("名称已存在"), fields={"name": "duplicate"})
    default_limit, default_window = conf("ROBOT_RATE")
    ep = ChannelEndpoint.objects.create(
        name=name,
        channel=channel,
        url=url,
        secret=secret or "",
        format="text" if format == "text" else "markdown",
        rate_limit=int(rate_limit if rate_limit is not None else default_limit),
        rate_window_seconds=int(
            rate_window_seconds if rate_window_seconds is not None else default_window
        ),
        created_at=now,
    )
    # Neither the URL (robot URLs carry their key) nor the secret goes into the audit log.
    record(
        actor=actor,
        action="notify.endpoint_create",
        obj=ep,
        data={"name": name, "channel": channel, "rate": [ep.rate_limit, ep.rate_window_seconds]},
        now=now,
    )
    return ep


@transaction.atomic
def endpoint_update(
    *, actor, endpoint_id, url=None, secret=None, active=None, now: dt.datetime
) -> ChannelEndpoint:
    """Secrets are write-only: None or "" keeps the stored one."""
    _require_admin(actor)
    ep = ChannelEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if ep is None:
        raise NotFound()
    changed = []
    if url:
        ep.url, changed = url.strip(), [*changed, "url"]
    if secret:
        ep.secret, changed = secret, [*changed, "secret"]
    if active is not None:
        ep.active, changed = bool(active), [*changed, "active"]
    ep.save()
    record(actor=actor, action="notify.endpoint_update", obj=ep, data={"changed": changed}, now=now)
    return ep


@transaction.atomic
def subscription_create(
    *,
    actor,
    channel,
    department=None,
    jurisdiction=None,
    user=None,
    endpoint=None,
    address="",
    events=(),
    roles=(),
    urgent_only=False,
    quiet_from=None,
    quiet_to=None,
    now: dt.datetime,
) -> Subscription:
    """Admins subscribe any unit or user; a user may subscribe themself (their own phone/mail)."""
    own = user is not None and actor.user_id == user.pk and endpoint is None
    if not own:
        _require_admin(actor)
    channel = _channel(channel)
    if sum(x is not None for x in (department, jurisdiction, user)) != 1:
        raise InvalidInput(_("请选择一个订阅对象"), fields={"scope": "invalid"})
    if channel in ENDPOINT_CHANNELS and (endpoint is None or endpoint.channel != channel):
        raise InvalidInput(_("请选择该渠道的接收端"), fields={"endpoint": "invalid"})
    if channel in ADDRESS_CHANNELS and not (address or user is not None):
        raise InvalidInput(_("请填写地址"), fields={"address": "required"})
    sub = Subscription.objects.create(
        channel=channel,
        department=department,
        jurisdiction=jurisdiction,
        user=user,
        endpoint=endpoint if channel in ENDPOINT_CHANNELS else None,
        address=(address or "").strip() if channel in ADDRESS_CHANNELS else "",
        events=list(events),
        roles=list(roles),
        urgent_only=bool(urgent_only),
        quiet_from=quiet_from,
        quiet_to=quiet_to,
        created_at=now,
    )
    record(
        actor=actor,
        action="notify.subscription_create",
        obj=sub,
        data={
            "channel": channel,
            "department": getattr(department, "pk", None),
            "jurisdiction": getattr(jurisdiction, "pk", None),
            "user": getattr(user, "pk", None),
            "endpoint": getattr(endpoint, "pk", None),
            "events": list(events),
        },
        now=now,
    )
    return sub


@transaction.atomic
def subscription_deactivate(*, actor, subscription_id, now: dt.datetime) -> Subscription:
    sub = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound()
    if not (sub.user_id and sub.user_id == actor.user_id):
        _require_admin(actor)
        if not Subscription.objects.filter(administered_subscriptions(actor), pk=sub.pk).exists():
            raise NotFound()
    sub.active = False
    sub.save(update_fields=["active"])
    record(actor=actor, action="notify.subscription_deactivate", obj=sub, data={}, now=now)
    return sub
