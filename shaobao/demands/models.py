import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shaobao.demands.routes import ROUTES
from shaobao.duties.models import Matter
from shaobao.org.models import Department, Jurisdiction
from shaobao.problems.models import Problem

USER = settings.AUTH_USER_MODEL

SOURCES = [("HOTLINE", _("12345热线")), ("WEB", _("网上诉求")), ("OPEN311", _("Open311应用"))]
KINDS = [
    ("CONSULTATION", _("咨询")),
    ("HELP", _("求助")),
    ("COMPLAINT", _("投诉")),
    ("REPORT_OF_VIOLATION", _("举报")),
    ("SUGGESTION", _("建议")),
]


NUMBER_RE = re.compile(r"^SQ(\d{1,18})$")


def parse_number(value: str) -> int | None:
    """A demand's id from its number ("SQ000000123" → 123), or None if it is not one."""
    m = NUMBER_RE.match(value or "")
    return int(m.group(1)) if m and 0 < int(m.group(1)) <= 2**62 else None


class Demand(models.Model):
    """One submission by one person (诉求/工单). Its caller's name and phone are personal data:
    shown only to roles that need them (selectors.mask)."""

    RECEIVED, CLOSED_BY_ROUTE, DUPLICATE, DISPATCHED, RESPONDED, CLOSED = (
        "RECEIVED",
        "CLOSED_BY_ROUTE",
        "DUPLICATE",
        "DISPATCHED",
        "RESPONDED",
        "CLOSED",
    )
    STATUSES = [
        (RECEIVED, _("待分派")),
        (CLOSED_BY_ROUTE, _("不派单办结")),
        (DUPLICATE, _("重复诉求")),
        (DISPATCHED, _("已派单")),
        (RESPONDED, _("已反馈")),
        (CLOSED, _("已回访办结")),
    ]

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=10, choices=SOURCES, verbose_name=_("来源"))
    kind = models.CharField(max_length=20, choices=KINDS, verbose_name=_("诉求类型"))
    caller_name = models.CharField(max_length=50, blank=True, verbose_name=_("来电人"))
    caller_phone = models.CharField(
        max_length=20, blank=True, db_index=True, verbose_name=_("联系电话")
    )
    caller_email = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("标题"))
    text = models.TextField(max_length=4000, verbose_name=_("诉求内容"))
    address = models.CharField(max_length=200, blank=True, verbose_name=_("地址"))
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    district = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("事项")
    )
    router_version = models.CharField(max_length=64, blank=True)
    router_matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    router_confidence = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=RECEIVED, db_index=True)
    route = models.CharField(
        max_length=20, choices=ROUTES, blank=True, verbose_name=_("不派单情形")
    )
    reply = models.CharField(max_length=1000, blank=True, verbose_name=_("答复"))
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="repeats"
    )
    handler_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handler_township = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Remit unclear: the district government owns it (兜底). A direct dispatch to a township is
    # copied to the district.
    handler_is_district = models.BooleanField(default=False)
    copied_to_district = models.BooleanField(default=False)
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(max_length=2000, blank=True, verbose_name=_("办理结果"))
    closed_at = models.DateTimeField(null=True, blank=True)
    excluded = models.BooleanField(default=False, verbose_name=_("不纳入考核"))
    exclusion_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    # Asynchronous intake (demands.intake): stored by the request, then placed, routed, checked
    # for repeats and dispatched by the worker, which clears the marker. A failed attempt is
    # retried at `intake_retry_at`.
    intake_pending = models.BooleanField(default=False)
    intake_attempts = models.PositiveSmallIntegerField(default=0)
    intake_retry_at = models.DateTimeField(null=True, blank=True)
    intake_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(intake_pending=True), name="demand_intake_pending"
            ),
            models.Index(fields=["district", "status", "created_at"]),
            models.Index(fields=["handler_department", "status"]),
            models.Index(fields=["handler_township", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="DUPLICATE") | Q(duplicate_of__isnull=False),
                name="duplicate_has_original",
            )
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"SQ{self.pk:09d}" if self.pk else "SQ—"

    @property
    def handler_label(self) -> str:
        if self.handler_department_id:
            return str(self.handler_department)
        if self.handler_township_id:
            return str(self.handler_township)
        return str(self.district) if self.handler_is_district else ""


class DemandEvent(models.Model):
    """The demand's log: what the citizen's status page and Open311 notes show (public ones)."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=30)
    note = models.CharField(max_length=1000, blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]


class Dispatch(models.Model):
    """One hand-off of a demand to a handler; re-dispatches are counted from these rows."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="dispatches")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_district = models.BooleanField(default=False)
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duty_list_version = models.PositiveIntegerField(null=True, blank=True)
    router_version = models.CharField(max_length=64, blank=True)
    auto = models.BooleanField(default=False)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    deadline_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class Callback(models.Model):
    """The hotline's call back to the caller (回访). Only hotline roles record it; a correction is
    a new version."""

    SATISFIED, BASIC, UNSATISFIED = "SATISFIED", "BASIC", "UNSATISFIED"
    SATISFACTION = [(SATISFIED, _("满意")), (BASIC, _("基本满意")), (UNSATISFIED, _("不满意"))]

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="callbacks")
    version = models.PositiveSmallIntegerField(default=1)
    reached = models.BooleanField(default=True, verbose_name=_("联系上来电人"))
    solved = models.BooleanField(null=True, verbose_name=_("是否解决"))
    satisfaction = models.CharField(
        max_length=12, choices=SATISFACTION, blank=True, verbose_name=_("满意度")
    )
    note = models.CharField(max_length=1000, blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["demand_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "version"], name="callback_version_unique")
        ]


class DemandObjection(models.Model):
    """A handler's dispatch objection (派单异议): the demand is not theirs. The legal affairs
    office rules within a deadline; meanwhile the first handler keeps it (首接负责)."""

    PENDING, DISMISSED, REASSIGNED = "PENDING", "DISMISSED", "REASSIGNED"
    STATES = [(PENDING, _("待裁定")), (DISMISSED, _("驳回异议")), (REASSIGNED, _("异议成立，改派"))]

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="objections")
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="objections")
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
    duty_list_amended = models.BooleanField(default=False)

    class Meta:
        ordering = ["rule_by_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand"], condition=Q(state="PENDING"), name="one_pending_demand_objection"
            )
        ]


class Appeal(models.Model):
    """A caller's appeal against the callback's record (申诉): the hotline reviews it; an upheld
    appeal is a new callback version, never an edit."""

    PENDING, UPHELD, REJECTED = "PENDING", "UPHELD", "REJECTED"
    STATES = [(PENDING, _("待复核")), (UPHELD, _("申诉成立")), (REJECTED, _("维持原回访结果"))]

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="appeals")
    callback = models.ForeignKey(Callback, on_delete=models.PROTECT, related_name="appeals")
    reason = models.CharField(max_length=1000, verbose_name=_("申诉理由"))
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    raised_at = models.DateTimeField()
    ruled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ruled_at = models.DateTimeField(null=True, blank=True)
    ruling = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand"], condition=Q(state="PENDING"), name="one_pending_appeal"
            )
        ]
