from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from shaobao.core.api_utils import Id


class SummonsIn(Schema):
    department_id: Id
    role: str = Field(pattern="^(LEAD|ASSIST)$")


class WhistleIn(Schema):
    township_id: Id
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    address: str = Field(max_length=200)
    area: str
    kind: str
    mode: str
    urgency: str = "NORMAL"
    matter_id: Id | None = None
    problem_ids: list[Id] = Field(default_factory=list, max_length=50)
    departments: list[SummonsIn] = Field(default_factory=list, max_length=40)
    lat: float | None = None
    lng: float | None = None
    report_by_at: datetime | None = None
    finish_by_at: datetime | None = None
    campaign_id: Id | None = None
    launch_at: datetime | None = None
    meeting_point: str = Field("", max_length=200)
    ledger_items: list[str] = Field(default_factory=list, max_length=100)
    blown_by_department_id: Id | None = None


class SummonsBrief(Schema):
    id: int
    department_id: int
    department_name: str = Field(alias="department.name")
    role: str
    state: str
    report_by_at: datetime
    finish_by_at: datetime
    acknowledged_at: datetime | None
    checked_in_at: datetime | None
    claimed_at: datetime | None
    verified_at: datetime | None
    rework_count: int
    report_overdue_at: datetime | None
    finish_overdue_at: datetime | None
    escalated_at: datetime | None


class WhistleOut(Schema):
    id: int
    number: str
    township_id: int
    title: str
    description: str
    address: str
    area: str
    kind: str
    mode: str
    urgency: str
    status: str
    matter_id: int | None
    campaign_id: int | None
    report_by_at: datetime
    finish_by_at: datetime
    launch_at: datetime | None
    meeting_point: str
    launched_at: datetime | None
    created_at: datetime
    closed_at: datetime | None
    summonses: list[SummonsBrief]

    @staticmethod
    def resolve_summonses(obj):
        return list(obj.summonses.all())


class WhistlePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[WhistleOut]


class SummonsOut(SummonsBrief):
    whistle_id: int
    whistle_title: str = Field(alias="whistle.title")
    whistle_mode: str = Field(alias="whistle.mode")
    officer_names: str


class SummonsPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SummonsOut]


class AcknowledgeIn(Schema):
    officer_ids: list[Id] = Field(default_factory=list, max_length=50)
    officer_names: str = Field("", max_length=200)


class CheckInIn(Schema):
    lat: float | None = None
    lng: float | None = None
    accuracy_m: float | None = None
    note: str = Field("", max_length=200)


class OutcomeIn(Schema):
    inspections: int = Field(0, ge=0, le=1_000_000)
    cases_filed: int = Field(0, ge=0, le=1_000_000)
    fines_yuan: Decimal = Field(Decimal("0"), ge=0, lt=Decimal("1e10"))
    items_removed: int = Field(0, ge=0, le=1_000_000)
    note: str = Field("", max_length=2000)


class OutcomeOut(Schema):
    id: int
    summons_id: int
    inspections: int
    cases_filed: int
    fines_yuan: Decimal
    items_removed: int
    note: str
    recorded_at: datetime


class ClaimIn(Schema):
    note: str = Field("", max_length=500)


class VerifyIn(Schema):
    accept: bool
    reason: str = Field("", max_length=500)


class ObjectionIn(Schema):
    reason: str = Field(max_length=2000)
    claimed_owner_id: Id | None = None
    claimed_duty: str = Field("", max_length=300)


class RuleIn(Schema):
    decision: str = Field(pattern="^(DISMISS|REASSIGN)$")
    ruling: str = Field(max_length=1000)
    reassign_to_id: Id | None = None


class ObjectionOut(Schema):
    id: int
    summons_id: int
    reason: str
    claimed_owner_id: int | None
    claimed_duty: str
    state: str
    raised_at: datetime
    rule_by_at: datetime
    ruled_at: datetime | None
    ruling: str
    reassigned_to_id: int | None


class SuperviseIn(Schema):
    comment: str = Field(max_length=500)


class CancelIn(Schema):
    reason: str = Field(max_length=500)


class LedgerClearIn(Schema):
    evidence_note: str = Field(max_length=500)


class LedgerItemOut(Schema):
    id: int
    whistle_id: int
    seq: int
    title: str
    cleared_at: datetime | None
    evidence_note: str


class EvaluationIn(Schema):
    timeliness: int = Field(ge=1, le=5)
    cooperation: int = Field(ge=1, le=5)
    effectiveness: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=1000)
    correction_reason: str = Field("", max_length=500)


class EvaluationOut(Schema):
    id: int
    summons_id: int
    version: int
    timeliness: int
    cooperation: int
    effectiveness: int
    score: float
    comment: str
    correction_reason: str
    at: datetime


class CampaignIn(Schema):
    township_id: Id
    name: str = Field(max_length=100)
    commander_id: Id
    executive_commander_id: Id
    department_ids: list[Id] = Field(max_length=100)
    starts_date: date
    ends_date: date


class CampaignOut(Schema):
    id: int
    township_id: int
    name: str
    commander_id: int
    executive_commander_id: int
    starts_date: date
    ends_date: date
    ended_at: datetime | None


class AuditOut(Schema):
    seq: int
    at: datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    whistle_id: int | None
    data: dict
    hash: str


class SweepOut(Schema):
    report_overdue_at: int
    finish_overdue_at: int


class RoutineIn(Schema):
    township_id: Id
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    area: str
    kind: str
    address: str = Field(max_length=200)
    lead_department_id: Id
    assist_department_ids: list[Id] = Field(default_factory=list, max_length=40)
    every_days: int = Field(ge=1, le=366)
    first_run_at: datetime
    matter_id: Id | None = None
    campaign_id: Id | None = None


class RoutineOut(Schema):
    id: int
    township_id: int
    title: str
    area: str
    kind: str
    lead_department_id: int
    every_days: int
    next_run_at: datetime
    active: bool
