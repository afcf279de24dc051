from django.db.models import Q as Q_
from ninja import Router

from shaobao.assessments.services import evaluation_submit
from shaobao.audit.models import AuditEntry
from shaobao.core.api_utils import ERRORS, Id, Limit, Offset, actor, create, page
from shaobao.core.timeutil import now, work_calendar
from shaobao.org import roles as R
from shaobao.whistles import selectors as Q
from shaobao.whistles import services as S
from shaobao.whistles.models import Campaign, RoutineSchedule
from shaobao.whistles.permissions import access_whistle
from shaobao.whistles.schemas import (
    AcknowledgeIn,
    AuditOut,
    CampaignIn,
    CampaignOut,
    CancelIn,
    CheckInIn,
    ClaimIn,
    EvaluationIn,
    EvaluationOut,
    LedgerClearIn,
    LedgerItemOut,
    ObjectionIn,
    ObjectionOut,
    OutcomeIn,
    OutcomeOut,
    RoutineIn,
    RoutineOut,
    RuleIn,
    SummonsOut,
    SummonsPage,
    SuperviseIn,
    VerifyIn,
    WhistleIn,
    WhistleOut,
    WhistlePage,
)

router = Router(tags=["whistles"])


@router.get("/whistles", response={200: WhistlePage, **ERRORS})
def list_whistles(
    request,
    status: str = "",
    township_id: Id | None = None,
    overdue: bool = False,
    q: str = "",
    limit: Limit = 50,
    offset: Offset = 0,
):
    qs = Q.whistle_list(
        viewer=actor(request),
        now=now(),
        status=status,
        township_id=township_id,
        overdue=overdue,
        q=q,
    )
    result = page(qs, limit, offset)
    Q.audit_sealed_reads(viewer=actor(request), whistles=result["items"], now=now(), via="api")
    return result


@router.post("/whistles", response={201: WhistleOut, **ERRORS})
def blow_whistle(request, body: WhistleIn):
    data = body.dict()
    specs = [S.SummonsSpec(d["department_id"], d["role"]) for d in data.pop("departments")]
    return create(
        request,
        endpoint="whistles.blow",
        payload=body.dict(),
        out_schema=WhistleOut,
        make=lambda: S.whistle_blow(
            actor=actor(request), summoned=specs, now=now(), cal=work_calendar(), **data
        ),
    )


@router.get("/whistles/{int:whistle_id}", response={200: WhistleOut, **ERRORS})
def get_whistle(request, whistle_id: Id):
    return Q.whistle_detail(viewer=actor(request), whistle_id=whistle_id, now=now())


@router.post("/whistles/{int:whistle_id}/launch", response={200: WhistleOut, **ERRORS})
def launch_whistle(request, whistle_id: Id):
    return S.whistle_launch(actor=actor(request), whistle_id=whistle_id, now=now())


@router.post("/whistles/{int:whistle_id}/cancel", response={200: WhistleOut, **ERRORS})
def cancel_whistle(request, whistle_id: Id, body: CancelIn):
    return S.whistle_cancel(
        actor=actor(request), whistle_id=whistle_id, reason=body.reason, now=now()
    )


@router.get("/whistles/{int:whistle_id}/ledger", response={200: list[LedgerItemOut], **ERRORS})
def whistle_ledger(request, whistle_id: Id):
    return list(access_whistle(actor(request), whistle_id, now=now()).ledger_items.all())


@router.post("/ledger-items/{int:item_id}/clear", response={200: LedgerItemOut, **ERRORS})
def clear_ledger_item(request, item_id: Id, body: LedgerClearIn):
    return S.ledger_item_clear(
        actor=actor(request), item_id=item_id, evidence_note=body.evidence_note, now=now()
    )


@router.get("/whistles/{int:whistle_id}/audit", response={200: list[AuditOut], **ERRORS})
def whistle_audit(request, whistle_id: Id):
    """The whistle's trail, for inspectors and the whistle's own parties."""
    a = actor(request)
    whistle = access_whistle(a, whistle_id, now=now())
    qs = AuditEntry.objects.filter(whistle_id=whistle.pk).order_by("seq")
    if R.INSPECTOR not in a.roles:
        qs = qs.exclude(action="whistle.sealed_read")
    return list(qs[:5000])


@router.get("/summonses", response={200: SummonsPage, **ERRORS})
def inbox(request, state: str = "", open_only: bool = False, limit: Limit = 50, offset: Offset = 0):
    result = page(
        Q.summons_inbox(viewer=actor(request), now=now(), state=state, open_only=open_only),
        limit,
        offset,
    )
    whistles = [s.whistle for s in result["items"]]
    Q.audit_sealed_reads(viewer=actor(request), whistles=whistles, now=now(), via="api")
    return result


@router.get("/summonses/escalated", response={200: SummonsPage, **ERRORS})
def escalated(request, limit: Limit = 50, offset: Offset = 0):
    return page(Q.escalated(viewer=actor(request), now=now()), limit, offset)


@router.get("/summonses/{int:summons_id}", response={200: SummonsOut, **ERRORS})
def get_summons(request, summons_id: Id):
    return Q.summons_detail(viewer=actor(request), summons_id=summons_id, now=now())


@router.post("/summonses/{int:summons_id}/acknowledge", response={200: SummonsOut, **ERRORS})
def acknowledge(request, summons_id: Id, body: AcknowledgeIn):
    return S.summons_acknowledge(
        actor=actor(request), summons_id=summons_id, now=now(), **body.dict()
    )


@router.post("/summonses/{int:summons_id}/check-in", response={200: SummonsOut, **ERRORS})
def check_in(request, summons_id: Id, body: CheckInIn):
    return S.summons_check_in(actor=actor(request), summons_id=summons_id, now=now(), **body.dict())


@router.post("/summonses/{int:summons_id}/outcomes", response={201: OutcomeOut, **ERRORS})
def record_outcome(request, summons_id: Id, body: OutcomeIn):
    return create(
        request,
        endpoint=f"summons.{summons_id}.outcome",
        payload=body.dict(),
        out_schema=OutcomeOut,
        make=lambda: S.summons_record_outcome(
            actor=actor(request), summons_id=summons_id, now=now(), **body.dict()
        ),
    )


@router.post("/summonses/{int:summons_id}/claim-completion", response={200: SummonsOut, **ERRORS})
def claim_completion(request, summons_id: Id, body: ClaimIn):
    return S.summons_claim_completion(
        actor=actor(request), summons_id=summons_id, note=body.note, now=now()
    )


@router.post("/summonses/{int:summons_id}/verify", response={200: SummonsOut, **ERRORS})
def verify(request, summons_id: Id, body: VerifyIn):
    return S.summons_verify(actor=actor(request), summons_id=summons_id, now=now(), **body.dict())


@router.post("/summonses/{int:summons_id}/supervise", response={200: SummonsOut, **ERRORS})
def supervise(request, summons_id: Id, body: SuperviseIn):
    return S.summons_supervise(
        actor=actor(request), summons_id=summons_id, comment=body.comment, now=now()
    ).summons


@router.post("/summonses/{int:summons_id}/objections", response={201: ObjectionOut, **ERRORS})
def raise_objection(request, summons_id: Id, body: ObjectionIn):
    return create(
        request,
        endpoint=f"summons.{summons_id}.objection",
        payload=body.dict(),
        out_schema=ObjectionOut,
        make=lambda: S.objection_raise(
            actor=actor(request),
            summons_id=summons_id,
            now=now(),
            cal=work_calendar(),
            **body.dict(),
        ),
    )


@router.post("/summonses/{int:summons_id}/evaluations", response={201: EvaluationOut, **ERRORS})
def evaluate(request, summons_id: Id, body: EvaluationIn):
    return create(
        request,
        endpoint=f"summons.{summons_id}.evaluation",
        payload=body.dict(),
        out_schema=EvaluationOut,
        make=lambda: evaluation_submit(
            actor=actor(request), summons_id=summons_id, now=now(), **body.dict()
        ),
    )


@router.get("/objections", response={200: list[ObjectionOut], **ERRORS})
def objections(request, pending_only: bool = True):
    return list(
        Q.objection_queue(viewer=actor(request), now=now(), pending_only=pending_only)[:500]
    )


@router.post("/objections/{int:objection_id}/rule", response={200: ObjectionOut, **ERRORS})
def rule(request, objection_id: Id, body: RuleIn):
    return S.objection_rule(
        actor=actor(request), objection_id=objection_id, now=now(), **body.dict()
    )


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS})
def campaigns(request):
    a = actor(request)
    codes = a.codes(R.TOWNSHIP_ROLES | R.READ_ALL_ROLES)
    from shaobao.org.scoping import prefix_q

    depts = a.departments(R.DEPARTMENT_ROLES)
    visible = Campaign.objects.filter(
        prefix_q("township__code", codes) | Q_(member_departments__in=depts)
    ).values("pk")
    return list(Campaign.objects.filter(pk__in=visible).order_by("-starts_date")[:500])


@router.post("/campaigns", response={201: CampaignOut, **ERRORS})
def create_campaign(request, body: CampaignIn):
    return create(
        request,
        endpoint="campaigns.create",
        payload=body.dict(),
        out_schema=CampaignOut,
        make=lambda: S.campaign_create(actor=actor(request), now=now(), **body.dict()),
    )


@router.post("/campaigns/{int:campaign_id}/end", response={200: CampaignOut, **ERRORS})
def end_campaign(request, campaign_id: Id):
    return S.campaign_end(actor=actor(request), campaign_id=campaign_id, now=now())


@router.get("/routines", response={200: list[RoutineOut], **ERRORS})
def routines(request):
    a = actor(request)
    from shaobao.org.scoping import prefix_q

    qs = RoutineSchedule.objects.filter(
        prefix_q("township__code", a.codes(R.TOWNSHIP_ROLES | R.READ_ALL_ROLES))
    )
    return list(qs.order_by("next_run_at")[:500])


@router.post("/routines", response={201: RoutineOut, **ERRORS})
def create_routine(request, body: RoutineIn):
    return create(
        request,
        endpoint="routines.create",
        payload=body.dict(),
        out_schema=RoutineOut,
        make=lambda: S.routine_create(actor=actor(request), now=now(), **body.dict()),
    )
