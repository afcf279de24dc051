"""Evaluations: the township rates each verified summons. Never edited; corrections are versions."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shaobao.assessments.models import Evaluation
from shaobao.audit.services import record
from shaobao.core.errors import Conflict, InvalidInput
from shaobao.org.scoping import Actor
from shaobao.whistles import permissions as P
from shaobao.whistles.models import Summons, Whistle


def _score(value, field):
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("评分须为1至5的整数"), fields={field: "invalid"}) from None
    if not 1 <= v <= 5:
        raise InvalidInput(_("评分须为1至5的整数"), fields={field: "out_of_range"})
    return v


@transaction.atomic
def evaluation_submit(
    *,
    actor: Actor,
    summons_id,
    timeliness,
    cooperation,
    effectiveness,
    comment="",
    correction_reason="",
    now,
) -> Evaluation:
    seen = P.access_summons(actor, summons_id, now=now)
    # whistle before summons, the lock order of every whistle service
    Whistle.objects.select_for_update().filter(pk=seen.whistle_id).first()
    summons = (
        Summons.objects.select_for_update(of=("self",))
        .select_related("whistle__township")
        .get(pk=seen.pk)
    )
    P.check(actor, "evaluate", summons)
    scores = {
        "timeliness": _score(timeliness, "timeliness"),
        "cooperation": _score(cooperation, "cooperation"),
        "effectiveness": _score(effectiveness, "effectiveness"),
    }
    comment = (comment or "").strip()
    correction_reason = (correction_reason or "").strip()
    if len(comment) > 1000 or len(correction_reason) > 500:
        raise InvalidInput(_("评价意见过长"), fields={"comment": "too_long"})
    latest = summons.evaluations.aggregate(v=Max("version"))["v"] or 0
    if latest and not correction_reason:
        raise Conflict(_("已评价过；更正评价须说明原因"), code="correction_needs_reason")
    if not latest and correction_reason:
        correction_reason = ""
    evaluation = Evaluation.objects.create(
        summons=summons,
        version=latest + 1,
        comment=comment,
        correction_reason=correction_reason,
        by_id=actor.user_id,
        at=now,
        **scores,
    )
    record(
        actor=actor,
        action="evaluation.submit" if latest == 0 else "evaluation.correct",
        obj=evaluation,
        whistle_id=summons.whistle_id,
        data={
            "summons": summons.pk,
            "version": evaluation.version,
            "comment": comment,
            "correction_reason": correction_reason,
            **scores,
        },
        now=now,
    )
    return evaluation


def current_evaluation(summons: Summons) -> Evaluation | None:
    return summons.evaluations.order_by("-version").first()
