"""Writers of the duty list (权责清单), kept by the district legal affairs office. Drafts are
edited; publishing freezes a version and closes the one before it. Nothing is ever deleted:
a version that is no longer wanted is simply never published, or superseded."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core import validate as V
from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.duties.models import Duty, DutyList, Matter
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import Actor

EDIT_ROLES = {R.LEGAL_OFFICER}


def district_for_editing(actor: Actor, district_id) -> Jurisdiction:
    district = Jurisdiction.objects.filter(
        pk=V.pk(district_id), level=Jurisdiction.DISTRICT
    ).first()
    if district is None or not actor.covers(EDIT_ROLES, district.code):
        raise PermissionDenied()
    return district


def _locked_draft(actor: Actor, duty_list_id) -> DutyList:
    dl = (
        DutyList.objects.select_for_update(of=("self",))
        .select_related("district")
        .filter(pk=V.pk(duty_list_id))
        .first()
    )
    if dl is None or dl.district is None or not actor.covers(EDIT_ROLES, dl.district.code):
        raise NotFound()
    if dl.status != DutyList.DRAFT:
        raise Conflict(_("已发布的权责清单不能修改，请新建草稿"), code="published_is_frozen")
    return dl


@transaction.atomic
def draft_create(
    *, actor: Actor, district_id, note="", based_on_id=None, copy=True, now
) -> DutyList:
    """A new draft, copied from a version (by default the newest published one); `copy=False`
    starts it empty (an Excel import fills it)."""
    district = district_for_editing(actor, district_id)
    lists = DutyList.objects.select_for_update().filter(district=district)
    if lists.filter(status=DutyList.DRAFT).exists():
        raise Conflict(_("已有一份草稿，请先发布或继续编辑它"), code="draft_exists")
    base = (
        lists.filter(pk=V.pk(based_on_id)).first()
        if based_on_id
        else lists.filter(status=DutyList.PUBLISHED).order_by("-version").first()
    )
    version = (lists.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    draft = DutyList.objects.create(
        district=district,
        version=version,
        status=DutyList.DRAFT,
        based_on=base,
        note=V.text(note, _("说明"), max_len=200, required=False),
        created_at=now,
    )
    if base and copy:
        for duty in base.duties.all():
            assists = list(duty.assist_departments.all())
            duty.pk = None  # saved again as a new row of the draft
            duty.duty_list = draft
            duty.save()
            duty.assist_departments.set(assists)
    record(
        actor=actor,
        action="duty_list.draft",
        obj=draft,
        data={"version": version, "based_on": base.version if base else None},
        now=now,
    )
    return draft


def _duty_fields(district: Jurisdiction, row: dict) -> tuple[dict, list[Department]]:
    from django.conf import settings

    depts = Department.objects.filter(district=district, active=True)
    lead = depts.filter(pk=V.pk(row.get("lead_department_id"))).first()
    if lead is None:
        raise InvalidInput(_("牵头部门无效"), fields={"lead_department": "invalid"})
    assist_ids = {V.pk(x) for x in row.get("assist_department_ids") or []}
    assists = list(depts.filter(pk__in=assist_ids).exclude(pk=lead.pk))
    if len(assists) != len(assist_ids - {lead.pk}):
        raise InvalidInput(_("配合部门无效"), fields={"assist_departments": "invalid"})
    tier = (row.get("tier") or "").strip()
    if tier and tier not in settings.SHAOBAO["TIME_LIMIT_TIERS"]:
        raise InvalidInput(_("时限档位无效"), fields={"tier": "invalid"})
    fields = {
        "lead_department": lead,
        "law": V.text(row.get("law"), _("法律依据"), max_len=200, required=False),
        "article": V.text(row.get("article"), _("条款"), max_len=50, required=False),
        "basis_text": V.text(row.get("basis_text"), _("依据原文"), max_len=4000, required=False),
        "tier": tier,
        "closing_condition": V.text(
            row.get("closing_condition"), _("办结标准"), max_len=200, required=False
        ),
        "keywords": V.text(row.get("keywords"), _("关键词"), max_len=300, required=False),
        "community_role": V.choice(
            row.get("community_role") or "ASSIST", Duty.COMMUNITY_ROLES, "community_role"
        ),
    }
    return fields, assists


@transaction.atomic
def duty_save(*, actor: Actor, duty_list_id, matter_id, duty_id=None, now, **row) -> Duty:
    """Add a duty to a draft, or change one (by `duty_id`)."""
    draft = _locked_draft(actor, duty_list_id)
    matter = Matter.objects.filter(pk=V.pk(matter_id), active=True).first()
    if matter is None:
        raise InvalidInput(_("事项无效"), fields={"matter": "invalid"})
    fields, assists = _duty_fields(draft.district, row)
    if duty_id:
        duty = draft.duties.filter(pk=V.pk(duty_id)).first()
        if duty is None:
            raise NotFound()
        for k, v in fields.items():
            setattr(duty, k, v)
        duty.matter = matter
        duty.save()
    else:
        duty = Duty.objects.create(duty_list=draft, matter=matter, **fields)
    duty.assist_departments.set(assists)
    record(
        actor=actor,
        action="duty.save",
        obj=duty,
        data={
            "version": draft.version,
            "matter": matter.code,
            "lead": fields["lead_department"].code,
            "assists": sorted(d.code for d in assists),
        },
        now=now,
    )
    return duty


@transaction.atomic
def duty_remove(*, actor: Actor, duty_list_id, duty_id, now) -> None:
    """Only from a draft: a published version keeps every row it had."""
    draft = _locked_draft(actor, duty_list_id)
    duty = draft.duties.filter(pk=V.pk(duty_id)).select_related("matter").first()
    if duty is None:
        raise NotFound()
    record(
        actor=actor,
        action="duty.remove",
        obj=duty,
        data={"version": draft.version, "matter": duty.matter.code},
        now=now,
    )
    duty.assist_departments.clear()
    duty.delete()


@transaction.atomic
def publish(*, actor: Actor, duty_list_id, active_from: dt.datetime | None = None, now) -> DutyList:
    """Freeze the draft; it is in force from `active_from` (default now) and the version in force
    before it ends there. Whistles and dispatches keep the version they were decided under."""
    draft = _locked_draft(actor, duty_list_id)
    active_from = active_from or now
    if not draft.duties.exists():
        raise InvalidInput(_("空的权责清单不能发布"), code="empty_duty_list")
    previous = (
        DutyList.objects.select_for_update()
        .filter(district=draft.district, status=DutyList.PUBLISHED, active_to__isnull=True)
        .order_by("-version")
    )
    for p in previous:
        if p.active_from and p.active_from >= active_from:
            raise InvalidInput(
                _("生效时间须晚于现行版本的生效时间"), fields={"active_from": "too_early"}
            )
        p.active_to = active_from
        p.save(update_fields=["active_to"])
    draft.status, draft.active_from, draft.published_at = DutyList.PUBLISHED, active_from, now
    draft.save(update_fields=["status", "active_from", "published_at"])
    record(
        actor=actor,
        action="duty_list.publish",
        obj=draft,
        data={"version": draft.version, "active_from": active_from},
        now=now,
    )
    return draft
