from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shaobao.whistles.models import Summons

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class Evaluation(models.Model):
    """The township's rating of one summons. Never edited: a correction is a new version."""

    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="evaluations")
    version = models.PositiveSmallIntegerField()
    timeliness = models.PositiveSmallIntegerField(validators=SCORE, verbose_name=_("及时性"))
    cooperation = models.PositiveSmallIntegerField(validators=SCORE, verbose_name=_("配合度"))
    effectiveness = models.PositiveSmallIntegerField(validators=SCORE, verbose_name=_("实效性"))
    comment = models.CharField(max_length=1000, blank=True, verbose_name=_("评价意见"))
    correction_reason = models.CharField(max_length=500, blank=True, verbose_name=_("更正原因"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["summons_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["summons", "version"], name="evaluation_version_unique"
            ),
        ]

    @property
    def score(self) -> float:
        """0–100: the mean of the three 1–5 ratings, scaled."""
        return round((self.timeliness + self.cooperation + self.effectiveness - 3) / 12 * 100, 1)


class Scheme(models.Model):
    """An assessment scheme (考核方案) of one district for one kind of unit, versioned: a version
    is a draft until published, never edited once published; a change is a new version. Runs
    keep the version they used, so a published run always reads the rules it was scored by."""

    DEPARTMENT, TOWNSHIP = "DEPARTMENT", "TOWNSHIP"
    SUBJECTS = [(DEPARTMENT, _("部门考核")), (TOWNSHIP, _("街乡考核"))]

    district = models.ForeignKey(
        "org.Jurisdiction", on_delete=models.PROTECT, related_name="assessment_schemes"
    )
    subject = models.CharField(max_length=12, choices=SUBJECTS, verbose_name=_("考核对象"))
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=100, verbose_name=_("方案名称"))
    # [{"code", "weight", "min_volume", "prior", "tolerance", "exclude": {...}}], validated by
    # `indicators.clean_indicators`; the formulas themselves live in code (indicators.CATALOGUE).
    indicators = models.JSONField()
    note = models.CharField(max_length=1000, blank=True, verbose_name=_("修订说明"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["district_id", "subject", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "subject", "version"], name="scheme_version_unique"
            ),
            # at most one draft per district and subject
            models.UniqueConstraint(
                fields=["district", "subject"],
                condition=models.Q(published_at__isnull=True),
                name="scheme_one_draft",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class Run(models.Model):
    """One assessment of one period (考核批次). Its inputs are frozen into fact rows when it is
    created; scores are computed from those facts only, so re-computing gives the same result and
    later edits of whistles, evaluations or demands never change it. A published run is final; a
    later run of the same period supersedes it (both stay readable)."""

    MONTH, QUARTER, YEAR = "MONTH", "QUARTER", "YEAR"
    PERIODS = [(MONTH, _("月度")), (QUARTER, _("季度")), (YEAR, _("年度"))]
    DRAFT, PUBLISHED, SUPERSEDED = "DRAFT", "PUBLISHED", "SUPERSEDED"
    STATES = [(DRAFT, _("待发布")), (PUBLISHED, _("已发布")), (SUPERSEDED, _("已被替代"))]

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    district = models.ForeignKey("org.Jurisdiction", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=12, choices=Scheme.SUBJECTS)
    period = models.CharField(max_length=8, choices=PERIODS, verbose_name=_("周期"))
    period_start = models.DateField(verbose_name=_("开始日期"))
    period_end = models.DateField(verbose_name=_("结束日期"))  # inclusive
    state = models.CharField(max_length=12, choices=STATES, default=DRAFT)
    frozen_at = models.DateTimeField()
    demand_facts = models.PositiveIntegerField(default=0)
    summons_facts = models.PositiveIntegerField(default=0)
    results_digest = models.CharField(max_length=64, blank=True)
    # per indicator: pooled mean rate, mean score, items counted (scoring.score's "indicators")
    summary = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-pk"]
        indexes = [models.Index(fields=["district", "subject", "period", "state", "period_start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "subject", "period", "period_start"],
                condition=models.Q(state="PUBLISHED"),
                name="run_one_published_per_period",
            )
        ]

    def __str__(self):
        return f"{self.get_subject_display()} {self.label}"

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        s = self.period_start
        if self.period == self.YEAR:
            return gettext("%(y)s年度") % {"y": s.year}
        if self.period == self.QUARTER:
            return gettext("%(y)s年第%(q)s季度") % {"y": s.year, "q": (s.month - 1) // 3 + 1}
        return gettext("%(y)s年%(m)s月") % {"y": s.year, "m": s.month}


class DemandFact(models.Model):
    """One demand as a run saw it when it was frozen. `unit` is the handling department (for a
    department run) or the handling township (for a township run)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="+")
    demand_id = models.BigIntegerField()
    unit = models.BigIntegerField()
    source = models.CharField(max_length=10)
    kind = models.CharField(max_length=20)
    counted = models.BooleanField()  # dispatched, not excluded by the hotline, not a duplicate
    excluded = models.BooleanField()  # ruled out of assessment by the hotline
    response_due = models.BooleanField()  # contacted, or its deadline had passed
    on_time = models.BooleanField()  # contacted the caller by the deadline
    reached = models.BooleanField()  # the latest callback reached the caller
    solved = models.BooleanField()
    satisfaction = models.CharField(max_length=12)  # latest callback's rating, "" if none
    closing_due = models.BooleanField()  # fed back, or its deadline had passed
    closed_on_time = models.BooleanField()  # fed back by the deadline

    class Meta:
        indexes = [models.Index(fields=["run", "unit"])]


class SummonsFact(models.Model):
    """One summons as a run saw it. `unit` is the department (department run) or the whistling
    township (township run)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="+")
    summons_id = models.BigIntegerField()
    whistle_id = models.BigIntegerField()
    unit = models.BigIntegerField()
    whistle_kind = models.CharField(max_length=12)
    whistle_mode = models.CharField(max_length=10)
    state = models.CharField(max_length=12)
    report_due = models.BooleanField()  # its report deadline had passed or it checked in
    checked_in_on_time = models.BooleanField()
    refused = models.BooleanField()  # report deadline passed with no check-in
    finish_due = models.BooleanField()  # its finish deadline had passed or it was claimed
    finished_on_time = models.BooleanField()
    claimed = models.BooleanField()
    reworked = models.BooleanField()
    verified = models.BooleanField()
    objection_lost = models.BooleanField()  # an objection it raised was dismissed
    evaluation_id = models.BigIntegerField(null=True)
    evaluation_score = models.FloatField(null=True)  # 0..1, the latest evaluation version

    class Meta:
        indexes = [models.Index(fields=["run", "unit"])]


class Result(models.Model):
    """A unit's score in a run: total, rank and per-indicator detail (numerator, denominator,
    raw and smoothed rate, score, whether scored) as computed by `scoring.score`."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    unit = models.BigIntegerField()
    unit_name = models.CharField(max_length=100)
    total = models.FloatField(null=True)
    rank = models.PositiveIntegerField(null=True)
    volume = models.PositiveIntegerField(default=0)
    detail = models.JSONField()
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["run_id", "rank", "unit_name"]
        constraints = [models.UniqueConstraint(fields=["run", "unit"], name="result_once")]
