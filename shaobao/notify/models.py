from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An outbox row, written in the transaction of the change that caused it and delivered
    after commit by the worker. `dedupe_key` makes a repeated cause produce one message."""

    PENDING, SENT, DEAD = "PENDING", "SENT", "DEAD"
    STATES = [(PENDING, "pending"), (SENT, "sent"), (DEAD, "dead letter")]

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
