from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shaobao.duties.models import Matter
from shaobao.org.models import Jurisdiction
from shaobao.problems.models import Problem
from shaobao.whistles.models import Whistle

USER = settings.AUTH_USER_MODEL


class HotSpot(models.Model):
    """A cluster of demands about one matter in one grid (or community) over a window (热点).
    Written only by services: detection upserts it while it is open; a township turns it into a
    problem and a whistle (CONVERTED) or dismisses it with a reason (DISMISSED). One row per
    episode: while it stays hot, the next day's detection moves its window forward."""

    OPEN, CONVERTED, DISMISSED = "OPEN", "CONVERTED", "DISMISSED"
    STATES = [(OPEN, _("待处理")), (CONVERTED, _("已转为问题并吹哨")), (DISMISSED, _("已忽略"))]

    district = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("街乡")
    )
    place = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区/网格")
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, verbose_name=_("事项"))
    window_start = models.DateField()
    window_end = models.DateField(db_index=True)
    count = models.PositiveIntegerField(verbose_name=_("诉求件数"))
    baseline = models.FloatField(verbose_name=_("基线"))
    ratio = models.FloatField()
    # Per-day counts from the baseline's first day to window_end (the sparkline).
    daily = models.JSONField(default=list)
    # The latest demands of the cluster (ids, newest first, at most 5).
    examples = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=STATES, default=OPEN, db_index=True)
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    whistle = models.ForeignKey(
        Whistle, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_reason = models.CharField(max_length=500, blank=True, verbose_name=_("忽略原因"))
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField()

    class Meta:
        ordering = ["-window_end", "-ratio", "-count", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "matter", "window_end"], name="hotspot_place_matter_window"
            )
        ]
        indexes = [models.Index(fields=["district", "state", "window_end"])]

    def __str__(self):
        return f"{self.place} · {self.matter} · {self.window_end}"

    @property
    def number(self) -> str:
        return f"RD{self.pk:07d}" if self.pk else "RD—"


class DetectionRun(models.Model):
    """One detection of a district's hot spots for a day; the worker runs detection when today's
    is missing, and concurrent runs for the same day wait on this row."""

    district = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    window_end = models.DateField()
    found = models.PositiveIntegerField(default=0)
    ran_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["district", "day"], name="hotspot_run_district_day")
        ]
