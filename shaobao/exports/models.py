from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """One large export, built by a worker (exports/runner.py) and kept for its requester alone.

    QUEUED → RUNNING (claimed under a lease that each progress report extends) → DONE or FAILED.
    A RUNNING job whose lease ran out (its worker died) is queued again; `attempts` counts the
    claims and also tells a worker whether the job is still its own. The file lives in the
    default storage under exports/ with a random name, is served only by the download view, and
    is deleted once `expires_at` has passed (the row stays, without a file)."""

    QUEUED, RUNNING, DONE, FAILED = "QUEUED", "RUNNING", "DONE", "FAILED"
    STATES = [
        (QUEUED, _("排队中")),
        (RUNNING, _("生成中")),
        (DONE, _("已完成")),
        (FAILED, _("失败")),
    ]
    ACTIVE = (QUEUED, RUNNING)

    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    # sha256 of the canonical params: a second request for the same export finds the first.
    params_key = models.CharField(max_length=64)
    language = models.CharField(max_length=10, default="zh-hans")
    # the requester's roles and scopes when the file was built: the download needs the same
    scope_key = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    state = models.CharField(max_length=8, choices=STATES, default=QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="exports_job_state_idx"),
            models.Index(fields=["expires_at"], name="exports_job_expires_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requested_by", "kind", "params_key"],
                condition=Q(state__in=["QUEUED", "RUNNING"]),
                name="exports_one_active_job_per_request",
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (self.DONE, self.FAILED)

    @property
    def percent(self) -> int:
        if self.state == self.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def label(self) -> str:
        from shaobao.exports.registry import get

        spec = get(self.kind)
        return str(spec.label) if spec else self.kind
