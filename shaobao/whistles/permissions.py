"""Scope for whistles and summonses: who may see which rows, and who may act on which.

Missing and out-of-scope give the same NotFound. Sealed surprise whistles are visible before
launch only to the whistling township's commanders, the author, and the heads (dispatchers) of
the summoned departments.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shaobao.core import validate as V
from shaobao.core.errors import NotFound, PermissionDenied
from shaobao.org import roles as R
from shaobao.org.scoping import Actor, prefix_q
from shaobao.whistles import workflow
from shaobao.whistles.models import Summons, Whistle


def _sealed_q(now) -> Q:
    return Q(mode="SURPRISE", launched_at__isnull=True, launch_at__gt=now)


def sealed_q(now) -> Q:
    """Surprise operations not launched yet (for surfaces that must never show them, e.g. a
    wall screen, even to those who may read them)."""
    return _sealed_q(now)


def _may_see_sealed_q(actor: Actor) -> Q:
    heads = actor.departments({R.DEPARTMENT_DISPATCHER})
    return (
        Q(created_by_id=actor.user_id)
        | prefix_q("township__code", actor.codes({R.TOWNSHIP_COMMANDER}))
        | Q(blown_by_department_id__in=heads)
        | Q(pk__in=Summons.objects.filter(department_id__in=heads).values("whistle_id"))
    )


def whistles_visible_to(actor: Actor, *, now) -> QuerySet[Whistle]:
    if actor.user_id is None:
        return Whistle.objects.none()
    depts = actor.departments(R.DEPARTMENT_ROLES)
    scope = (
        prefix_q("township__code", actor.codes(R.READ_ALL_ROLES | R.TOWNSHIP_ROLES))
        | Q(blown_by_department_id__in=depts)
        | Q(pk__in=Summons.objects.filter(department_id__in=depts).values("whistle_id"))
    )
    return Whistle.objects.filter(scope).exclude(_sealed_q(now) & ~_may_see_sealed_q(actor))


def summonses_visible_to(actor: Actor, *, now) -> QuerySet[Summons]:
    return Summons.objects.filter(whistle__in=whistles_visible_to(actor, now=now))


def access_whistle(actor: Actor, whistle_id, *, now) -> Whistle:
    try:
        return (
            whistles_visible_to(actor, now=now).select_related("township").get(pk=V.pk(whistle_id))
        )
    except (Whistle.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def access_summons(actor: Actor, summons_id, *, now) -> Summons:
    try:
        return (
            summonses_visible_to(actor, now=now)
            .select_related("whistle", "department")
            .get(pk=V.pk(summons_id))
        )
    except (Summons.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def is_whistler(actor: Actor, whistle: Whistle, wanted) -> bool:
    if whistle.blown_by_department_id:
        return actor.in_department(
            wanted & {R.DEPARTMENT_DISPATCHER}, whistle.blown_by_department_id
        )
    township_roles = set(wanted) - {R.DEPARTMENT_DISPATCHER}
    return actor.covers(township_roles, whistle.township.code)


def may(actor: Actor, action: str, summons: Summons) -> bool:
    """Role and party check for a summons action (the state is checked separately)."""
    t = workflow.spec(action)
    if t.party == "department":
        return actor.in_department(t.roles, summons.department_id)
    if t.party == "whistler":
        return is_whistler(actor, summons.whistle, t.roles)
    # legal office and district supervisor act within their district
    return actor.covers(t.roles, summons.whistle.township.code)


def check(actor: Actor, action: str, summons: Summons) -> workflow.Transition:
    from shaobao.core.errors import Conflict

    if not may(actor, action, summons):
        raise PermissionDenied()
    t = workflow.transition(summons.state, action)
    if t is None:
        raise Conflict(code="invalid_state", message=_state_message(summons.state, action))
    return t


def may_whistle(actor: Actor, action: str, whistle: Whistle) -> bool:
    _party, wanted = workflow.WHISTLE_ACTIONS[action]
    return is_whistler(actor, whistle, wanted)


def _state_message(state: str, action: str):
    from django.utils.translation import gettext as _

    return _("当前状态（%(state)s）不能执行此操作") % {
        "state": dict(Summons.STATES).get(state, state)
    }
