"""Who sees which demands, who may act, and who may see the caller's name and phone."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shaobao.core import validate as V
from shaobao.core.errors import NotFound
from shaobao.demands import workflow as W
from shaobao.demands.models import Demand
from shaobao.org import roles as R
from shaobao.org.scoping import Actor, prefix_q


def demands_visible_to(actor: Actor) -> QuerySet[Demand]:
    if actor.user_id is None:
        return Demand.objects.none()
    district_roles = {R.OPERATOR} | R.READ_ALL_ROLES
    q = (
        prefix_q("district__code", [c[:6] for c in actor.codes(district_roles)])
        | Q(handler_department_id__in=actor.departments(R.DEPARTMENT_ROLES))
        | prefix_q("handler_township__code", actor.codes(R.TOWNSHIP_ROLES))
    )
    return Demand.objects.filter(q)


def access_demand(actor: Actor, demand_id) -> Demand:
    try:
        return demands_visible_to(actor).select_related("district").get(pk=V.pk(demand_id))
    except Demand.DoesNotExist:
        raise NotFound() from None


def is_handler(actor: Actor, demand: Demand) -> bool:
    if demand.handler_department_id:
        return actor.in_department(R.DEPARTMENT_ROLES, demand.handler_department_id)
    if demand.handler_township_id:
        return actor.covers(R.TOWNSHIP_ROLES, demand.handler_township.code)
    if demand.handler_is_district:
        return actor.covers({R.DISTRICT_SUPERVISOR}, demand.district.code)
    return False


def handled_by(actor: Actor) -> Q:
    """`is_handler` as a query: the demands `actor` handles."""
    return (
        Q(handler_department_id__in=actor.departments(R.DEPARTMENT_ROLES))
        | (
            Q(handler_department__isnull=True)
            & prefix_q("handler_township__code", actor.codes(R.TOWNSHIP_ROLES))
        )
        | (
            Q(handler_department__isnull=True, handler_township__isnull=True)
            & Q(handler_is_district=True)
            & prefix_q("district__code", actor.codes({R.DISTRICT_SUPERVISOR}))
        )
    )


def may(actor: Actor, action: str, demand: Demand) -> bool:
    t = next((t for t in W.TRANSITIONS if t.action == action), None)
    if t is None:
        return False
    if t.party == "hotline":
        return actor.covers(t.roles, demand.district.code)
    return is_handler(actor, demand)


def may_see_caller(actor: Actor, demand: Demand) -> bool:
    """The hotline takes and calls back; the handler must contact the caller. Nobody else."""
    return actor.covers({R.OPERATOR}, demand.district.code) or is_handler(actor, demand)


def callers_seen_by(actor: Actor) -> Q:
    """`may_see_caller` as a query: the demands whose caller `actor` may see (and so look up by
    the caller's phone)."""
    return prefix_q("district__code", actor.codes({R.OPERATOR})) | handled_by(actor)


def mask_name(name: str) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def mask_phone(phone: str) -> str:
    return (phone[:3] + "****" + phone[-4:]) if len(phone) >= 7 else ("*" * len(phone))
