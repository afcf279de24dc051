"""Assessment schemes: a draft per district and subject, published as a numbered version.

The assessment office edits the draft (weights, minimum volumes, smoothing, tolerance,
exclusions) and publishes it; a published version is never edited. Runs use the latest published
version at the time they are created and keep it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shaobao.assessments import indicators as I
from shaobao.assessments.models import Scheme
from shaobao.assessments.runs import check_manager
from shaobao.audit.services import record
from shaobao.core.errors import Conflict, InvalidInput, NotFound
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import Actor

DEFAULT_NAMES = {Scheme.DEPARTMENT: "部门考核方案", Scheme.TOWNSHIP: "街乡考核方案"}


def _district(district_id) -> Jurisdiction:
    try:
        return Jurisdiction.objects.get(pk=int(district_id), level=Jurisdiction.DISTRICT)
    except (Jurisdiction.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(_("区不存在")) from None


def current(district, subject: str) -> Scheme | None:
    """The latest published version."""
    return (
        Scheme.objects.filter(district=district, subject=subject, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def scheme_save_draft(
    *, actor: Actor, district_id, subject: str, name: str, indicators, note: str = "", now
) -> Scheme:
    district = _district(district_id)
    check_manager(actor, district)
    if subject not in dict(Scheme.SUBJECTS):
        raise InvalidInput(_("考核对象不正确"), fields={"subject": "invalid"})
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("请填写方案名称（100字以内）"), fields={"name": "required"})
    note = (note or "").strip()
    if len(note) > 1000:
        raise InvalidInput(_("修订说明过长"), fields={"note": "too_long"})
    clean = I.clean_indicators(subject, indicators)
    # lock the district row: two editors of the same draft are ordered
    Jurisdiction.objects.select_for_update().filter(pk=district.pk).first()
    draft = Scheme.objects.filter(
        district=district, subject=subject, published_at__isnull=True
    ).first()
    if draft is None:
        latest = Scheme.objects.filter(district=district, subject=subject).aggregate(
            v=Max("version")
        )["v"]
        draft = Scheme(
            district=district,
            subject=subject,
            version=(latest or 0) + 1,
            created_by_id=actor.user_id,
            created_at=now,
        )
    draft.name, draft.indicators, draft.note = name, clean, note
    draft.save()
    record(
        actor=actor,
        action="scheme.draft",
        obj=draft,
        data={"subject": subject, "version": draft.version, "name": name, "indicators": clean},
        now=now,
    )
    return draft


@transaction.atomic
def scheme_publish(*, actor: Actor, scheme_id, now) -> Scheme:
    try:
        scheme = (
            Scheme.objects.select_for_update(of=("self",))
            .select_related("district")
            .get(pk=int(scheme_id))
        )
    except (Scheme.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(_("考核方案不存在")) from None
    check_manager(actor, scheme.district)
    if not scheme.is_draft:
        raise Conflict(_("该版本已发布，不能再改"), code="already_published")
    scheme.published_at, scheme.published_by_id = now, actor.user_id
    scheme.save(update_fields=["published_at", "published_by"])
    record(
        actor=actor,
        action="scheme.publish",
        obj=scheme,
        data={"subject": scheme.subject, "version": scheme.version},
        now=now,
    )
    return scheme


def ensure_defaults(*, actor: Actor, district, now) -> list[Scheme]:
    """Publish the documented default schemes for a district that has none (demo, new
    districts). Returns the current scheme per subject."""
    out = []
    for subject in (Scheme.DEPARTMENT, Scheme.TOWNSHIP):
        scheme = current(district, subject)
        if scheme is None:
            draft = scheme_save_draft(
                actor=actor,
                district_id=district.pk,
                subject=subject,
                name=DEFAULT_NAMES[subject],
                indicators=I.default_indicators(subject),
                note="默认方案",
                now=now,
            )
            scheme = scheme_publish(actor=actor, scheme_id=draft.pk, now=now)
        out.append(scheme)
    return out
