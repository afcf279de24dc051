import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An outbox row, written in the transaction of the change that caused it and delivered
    after commit by the worker. `dedupe_key` makes a repeated cause produce one message.

    PENDING rows wait for fan-out; fan-out turns one row into one `Delivery` per receiver and
    marks it ROUTED in the same transaction. DEAD means fan-out itself kept failing."""

    PENDING, ROUTED, SENT, DEAD = "PENDING", "ROUTED", "SENT", "DEAD"
    STATES = [
        (PENDING, "pending"),
        (ROUTED, "routed"),
        (SENT, "sent"),  # before per-receiver deliveries existed; kept for old rows
        (DEAD, "dead letter"),
    ]

    event = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=200, unique=True)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # Roles of the receiving unit who should hear it, e.g. ["department_dispatcher"].
    audience = models.JSONField(default=list)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)
    urgent = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=STATES, default=PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.event} #{self.pk}"


CHANNELS = [
    ("email", _("电子邮件")),
    ("webhook", _("Webhook")),
    ("wecom", _("企业微信群机器人")),
    ("dingtalk", _("钉钉群机器人")),
    ("sms", _("短信")),
    ("log", _("日志")),
]
ENDPOINT_CHANNELS = {"webhook", "wecom", "dingtalk"}
ADDRESS_CHANNELS = {"email", "sms"}


class ChannelEndpoint(models.Model):
    """A place messages are posted to: a webhook receiver or a group robot. Managed by
    administrators; the secret is write-only (never rendered back)."""

    name = models.CharField(max_length=100, unique=True)
    channel = models.CharField(max_length=10, choices=CHANNELS)
    url = models.CharField(max_length=500)
    secret = models.CharField(max_length=200, blank=True)
    # "text" or "markdown" for robots.
    format = models.CharField(max_length=10, default="markdown")
    # Sliding window: at most rate_limit messages in any rate_window_seconds (robots: 20/60 s).
    rate_limit = models.PositiveIntegerField(default=20)
    rate_window_seconds = models.PositiveIntegerField(default=60)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """Who hears what, how. Exactly one of department / jurisdiction / user. Robots and webhooks
    name an endpoint; e-mail and SMS an address (blank: the user's own e-mail / phone)."""

    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notify_subscriptions",
    )
    channel = models.CharField(max_length=10, choices=CHANNELS)
    endpoint = models.ForeignKey(
        ChannelEndpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=200, blank=True)
    # Event names heard; empty means all.
    events = models.JSONField(default=list, blank=True)
    # Department / township channels: roles of the people who read it (a group robot's members).
    # It hears a notification only if every one of them is in the notification's audience
    # (empty: all). A group with officers in it should say so, so that notices meant for heads
    # only (sealed operations) are not posted there.
    roles = models.JSONField(default=list, blank=True)
    urgent_only = models.BooleanField(default=False)
    # Local time; a window may wrap midnight (22:00–07:00). Never delays urgent notifications.
    quiet_from = models.TimeField(null=True, blank=True)
    quiet_to = models.TimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(department__isnull=False, jurisdiction__isnull=True, user__isnull=True)
                    | Q(department__isnull=True, jurisdiction__isnull=False, user__isnull=True)
                    | Q(department__isnull=True, jurisdiction__isnull=True, user__isnull=False)
                ),
                name="subscription_one_scope",
            )
        ]

    def __str__(self):
        return f"{self.department or self.jurisdiction or self.user} → {self.channel}"


class Delivery(models.Model):
    """One message to one receiver over one channel. `key` is the idempotency key sent with
    every attempt (header / Message-ID), so a receiver can drop a repeated attempt."""

    PENDING, SENT, DEAD = "PENDING", "SENT", "DEAD"
    STATES = [(PENDING, "pending"), (SENT, "sent"), (DEAD, "dead letter")]

    notification = models.ForeignKey(
        Notification, on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=CHANNELS)
    receiver = models.CharField(max_length=200)
    endpoint = models.ForeignKey(
        ChannelEndpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=200, blank=True)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=8, choices=STATES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "receiver"], name="delivery_once_per_receiver"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.channel}:{self.receiver} #{self.notification_id}"


class RateBucket(models.Model):
    """Send times of one rate-limited channel or endpoint, shared by all worker processes (the
    row is locked while a slot is taken)."""

    key = models.CharField(max_length=100, unique=True)
    sent = models.JSONField(default=list)  # epoch seconds of the sends in the current window


# The events that can be subscribed to (an empty list on a subscription means all of them).
EVENTS = [
    ("whistle_issued", _("吹哨召集")),
    ("whistle_launched", _("突击行动发起")),
    ("whistle_cancelled", _("吹哨撤销")),
    ("deadline_approaching", _("即将到时限")),
    ("overdue", _("已超时")),
    ("escalated", _("超时升级")),
    ("supervised", _("区级督办意见")),
    ("completion_claimed", _("申请办结待核查")),
    ("verification_rejected", _("核查不通过")),
    ("objection_raised", _("派单异议待裁定")),
    ("objection_ruled", _("派单异议已裁定")),
    ("problem_reported", _("新问题上报")),
    ("problem_closed", _("问题已关闭")),
    ("demand_dispatched", _("新派诉求")),
    ("callback_due", _("诉求待回访")),
]
