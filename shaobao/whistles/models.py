from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shaobao.duties.models import DutyList, Matter
from shaobao.org.models import Department, Jurisdiction
from shaobao.problems.models import Problem

USER = settings.AUTH_USER_MODEL

AREAS = [
    ("CITIZEN_DEMAND", _("群众诉求")),
    ("KEY_TASK", _("重点工作")),
    ("JOINT_ENFORCEMENT", _("综合执法")),
    ("EMERGENCY", _("应急处置")),
]
KINDS = [("ENFORCEMENT", _("执法哨")), ("MANAGEMENT", _("管理哨")), ("DEVELOPMENT", _("发展哨"))]
MODES = [("ROUTINE", _("常态化")), ("SURPRISE", _("突击式")), ("LEDGER", _("账单式"))]
URGENCIES = [("NORMAL", _("一般")), ("URGENT", _("紧急")), ("CRITICAL", _("特急"))]
SUMMONS_ROLES = [("LEAD", _("牵头")), ("ASSIST", _("配合"))]


class Campaign(models.Model):
    """A command post (指挥部) for a period; member departments stay attached until it ends."""

    township = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=100, verbose_name=_("专项行动名称"))
    commander = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("总指挥")
    )
    executive_commander = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("执行指挥")
    )
    member_departments = models.ManyToManyField(
        Department, related_name="campaigns", verbose_name=_("成员单位")
    )
    starts_date = models.DateField(verbose_name=_("开始日期"))
    ends_date = models.DateField(verbose_name=_("结束日期"))
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_date__gte=models.F("starts_date")), name="campaign_period"
            )
        ]

    def __str__(self):
        return self.name


class RoutineSchedule(models.Model):
    """A routine (常态化) whistle that recurs: every `every_days` days from `next_run_at`."""

    township = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000)
    area = models.CharField(max_length=20, choices=AREAS)
    kind = models.CharField(max_length=12, choices=KINDS)
    matter = models.ForeignKey(Matter, null=True, blank=True, on_delete=models.PROTECT)
    address = models.CharField(max_length=200)
    lead_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    assist_departments = models.ManyToManyField(Department, blank=True, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT)
    every_days = models.PositiveSmallIntegerField()
    next_run_at = models.DateTimeField(db_index=True)
    active_to = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    def __str__(self):
        return self.title


class Whistle(models.Model):
    ACTIVE, CLOSED, CANCELLED = "ACTIVE", "CLOSED", "CANCELLED"
    STATUSES = [(ACTIVE, _("进行中")), (CLOSED, _("已办结")), (CANCELLED, _("已撤销"))]

    township = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="whistles", verbose_name=_("吹哨街乡")
    )
    # Set when a department whistles for other departments.
    blown_by_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=120, verbose_name=_("标题"))
    description = models.TextField(max_length=4000, verbose_name=_("情况说明"))
    address = models.CharField(max_length=200, verbose_name=_("地点"))
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    area = models.CharField(max_length=20, choices=AREAS, verbose_name=_("领域"))
    kind = models.CharField(max_length=12, choices=KINDS, verbose_name=_("哨类"))
    mode = models.CharField(max_length=10, choices=MODES, verbose_name=_("方式"))
    urgency = models.CharField(
        max_length=10, choices=URGENCIES, default="NORMAL", verbose_name=_("紧急程度")
    )
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("事项")
    )
    problems = models.ManyToManyField(
        Problem, blank=True, related_name="whistles", verbose_name=_("问题")
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="whistles"
    )
    routine = models.ForeignKey(RoutineSchedule, null=True, blank=True, on_delete=models.PROTECT)
    routine_run_date = models.DateField(null=True, blank=True)
    duty_list = models.ForeignKey(DutyList, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(
        max_length=10, choices=STATUSES, default=ACTIVE, verbose_name=_("状态")
    )
    report_by_at = models.DateTimeField(verbose_name=_("报到时限"))
    finish_by_at = models.DateTimeField(verbose_name=_("办结时限"))
    # Surprise mode: sealed until launch; only the summoned departments' heads see these two.
    launch_at = models.DateTimeField(null=True, blank=True, verbose_name=_("行动时间"))
    meeting_point = models.CharField(max_length=200, blank=True, verbose_name=_("集合地点"))
    launched_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["township", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["routine", "routine_run_date"],
                name="whistle_routine_run_once",
                condition=Q(routine__isnull=False),
            ),
            models.CheckConstraint(
                condition=~Q(mode="SURPRISE") | Q(launch_at__isnull=False),
                name="surprise_has_launch",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return f"CS{self.pk:07d}" if self.pk else "CS—"

    def is_sealed(self, now) -> bool:
        return (
            self.mode == "SURPRISE"
            and self.launched_at is None
            and (self.launch_at is None or now < self.launch_at)
        )


class Summons(models.Model):
    """One department's part in one whistle (召集), with its own deadlines and state."""

    ISSUED, ACKNOWLEDGED, CHECKED_IN, CLAIMED, REWORK, VERIFIED, RELEASED, CANCELLED = (
        "ISSUED",
        "ACKNOWLEDGED",
        "CHECKED_IN",
        "CLAIMED",
        "REWORK",
        "VERIFIED",
        "RELEASED",
        "CANCELLED",
    )
    STATES = [
        (ISSUED, _("待签收")),
        (ACKNOWLEDGED, _("已签收")),
        (CHECKED_IN, _("已报到")),
        (CLAIMED, _("待核查")),
        (REWORK, _("返工")),
        (VERIFIED, _("已核查")),
        (RELEASED, _("已改派")),
        (CANCELLED, _("已撤销")),
    ]
    ENDED = {VERIFIED, RELEASED, CANCELLED}

    whistle = models.ForeignKey(Whistle, on_delete=models.PROTECT, related_name="summonses")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="summonses", verbose_name=_("部门")
    )
    role = models.CharField(max_length=6, choices=SUMMONS_ROLES, verbose_name=_("职责"))
    state = models.CharField(max_length=12, choices=STATES, default=ISSUED, verbose_name=_("状态"))
    report_by_at = models.DateTimeField(db_index=True)
    finish_by_at = models.DateTimeField(db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    officers = models.ManyToManyField(
        USER, blank=True, related_name="summonses", verbose_name=_("执法人员")
    )
    officer_names = models.CharField(max_length=200, blank=True, verbose_name=_("到场人员"))
    checked_in_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(default=0)
    # Overdue and escalation are facts that stay once true; the sweep sets them exactly once.
    report_overdue_at = models.DateTimeField(null=True, blank=True)
    finish_overdue_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["whistle_id", "role", "pk"]
        indexes = [
            models.Index(fields=["department", "state"]),
            # the few open summonses of a year's hundreds of thousands (dashboards, sweep)
            models.Index(
                fields=["finish_by_at"],
                name="summons_open_idx",
                condition=Q(
                    state__in=["ISSUED", "ACKNOWLEDGED", "CHECKED_IN", "CLAIMED", "REWORK"]
                ),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["whistle", "department"],
                name="summons_once_per_department",
                condition=~Q(state__in=["RELEASED", "CANCELLED"]),
            )
        ]

    def __str__(self):
        return f"{self.whistle.number} {self.department}"

    @property
    def is_overdue(self) -> bool:
        return bool(self.report_overdue_at or self.finish_overdue_at)


class CheckIn(models.Model):
    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="check_ins")
    officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)


class Outcome(models.Model):
    """One entry of the effect list (执法效果清单)."""

    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="outcomes")
    inspections = models.PositiveIntegerField(default=0, verbose_name=_("检查次数"))
    cases_filed = models.PositiveIntegerField(default=0, verbose_name=_("立案数"))
    fines_yuan = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, verbose_name=_("罚款（元）")
    )
    items_removed = models.PositiveIntegerField(default=0, verbose_name=_("拆除/清理数"))
    note = models.TextField(max_length=2000, blank=True, verbose_name=_("工作情况"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()


class Evidence(models.Model):
    """A photo attached to an outcome or a ledger item, time-stamped at upload."""

    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    ledger_item = models.ForeignKey(
        "LedgerItem", null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(upload_to="evidence/%Y/%m/")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)


class LedgerItem(models.Model):
    whistle = models.ForeignKey(Whistle, on_delete=models.PROTECT, related_name="ledger_items")
    seq = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, verbose_name=_("事项"))
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_note = models.CharField(max_length=500, blank=True, verbose_name=_("销账说明"))

    class Meta:
        ordering = ["whistle_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["whistle", "seq"], name="ledger_seq_unique")]


class Verification(models.Model):
    ACCEPT, REJECT = "ACCEPT", "REJECT"
    DECISIONS = [(ACCEPT, _("通过")), (REJECT, _("不通过，返工"))]

    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="verifications")
    decision = models.CharField(max_length=6, choices=DECISIONS)
    reason = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()


class Objection(models.Model):
    """A department's claim that a summons is not its duty; the legal office rules on it.
    Meanwhile the department keeps the summons (首接负责)."""

    PENDING, DISMISSED, REASSIGNED, VOID = "PENDING", "DISMISSED", "REASSIGNED", "VOID"
    STATES = [
        (PENDING, _("待裁定")),
        (DISMISSED, _("驳回异议")),
        (REASSIGNED, _("异议成立，改派")),
        (VOID, _("吹哨撤销，异议作废")),
    ]

    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField(max_length=2000, verbose_name=_("异议理由"))
    claimed_owner = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("应由哪个部门负责"),
    )
    claimed_duty = models.CharField(max_length=300, blank=True, verbose_name=_("依据的职责"))
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    raised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    rule_by_at = models.DateTimeField()
    ruled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)
    ruling = models.CharField(max_length=1000, blank=True, verbose_name=_("裁定意见"))
    reassigned_to = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["summons"], condition=Q(state="PENDING"), name="one_pending_objection"
            )
        ]


class Supervision(models.Model):
    """A district supervisor's urging (督办) on an overdue or escalated summons."""

    summons = models.ForeignKey(Summons, on_delete=models.PROTECT, related_name="supervisions")
    comment = models.CharField(max_length=500)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
