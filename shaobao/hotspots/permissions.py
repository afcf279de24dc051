"""Who sees which hot spots and who may act on them: a township's command centre its township's,
the district's read-all roles their district's. Only the township's command centre acts."""

from __future__ import annotations

from django.db.models import QuerySet

from shaobao.core import validate as V
from shaobao.core.errors import NotFound
from shaobao.hotspots.models import HotSpot
from shaobao.org import roles as R
from shaobao.org.scoping import Actor, prefix_q

ACTING_ROLES = {R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF}
VIEWING_ROLES = R.TOWNSHIP_ROLES | R.READ_ALL_ROLES


def may_view(actor: Actor) -> bool:
    return actor.user_id is not None and actor.has_any(VIEWING_ROLES)


def hotspots_visible_to(actor: Actor) -> QuerySet[HotSpot]:
    if actor.user_id is None:
        return HotSpot.objects.none()
    q = prefix_q("township__code", actor.codes(R.TOWNSHIP_ROLES)) | prefix_q(
        "district__code", sorted({c[:6] for c in actor.codes(R.READ_ALL_ROLES)})
    )
    return HotSpot.objects.filter(q)


def districts_of(actor: Actor) -> list[str]:
    """The district codes whose hot spots (and monthly topics) the viewer sees."""
    return sorted({c[:6] for c in actor.codes(VIEWING_ROLES)})


def access_hotspot(actor: Actor, hotspot_id) -> HotSpot:
    try:
        return (
            hotspots_visible_to(actor)
            .select_related("township", "place", "matter", "district")
            .get(pk=V.pk(hotspot_id))
        )
    except HotSpot.DoesNotExist:
        raise NotFound() from None


def may_act(actor: Actor, hotspot: HotSpot) -> bool:
    return actor.covers(ACTING_ROLES, hotspot.township.code)
