"""Writers of the problem list. A problem is never deleted: closing needs a reason and a
different role than the reporter's, and merged problems stay visible with their history."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core import validate as V
from shaobao.core.errors import Conflict, InvalidInput, PermissionDenied
from shaobao.duties.models import Matter
from shaobao.duties.routing import suggest
from shaobao.notify.services import enqueue
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import Actor
from shaobao.problems import permissions as P
from shaobao.problems.models import SOURCES, Problem, ProblemPhoto


def _matter(matter_id):
    if not matter_id:
        return None
    m = Matter.objects.filter(pk=matter_id, active=True).first()
    if m is None:
        raise InvalidInput(_("事项无效"), fields={"matter": "invalid"})
    return m


def _place(actor: Actor, township: Jurisdiction, place_id):
    if not place_id:
        return None
    place = Jurisdiction.objects.filter(pk=place_id, active=True).first()
    if place is None or not place.code.startswith(township.code) or place.pk == township.pk:
        raise InvalidInput(_("社区/网格不属于该街乡"), fields={"place": "invalid"})
    return place


@transaction.atomic
def problem_create(
    *,
    actor: Actor,
    township_id,
    title,
    description,
    address,
    source=None,
    matter_id=None,
    place_id=None,
    lat=None,
    lng=None,
    priority=1,
    reporting_department_id=None,
    photos: list[UploadedFile] = (),
    now,
) -> Problem:
    township = Jurisdiction.objects.filter(
        pk=township_id, level=Jurisdiction.TOWNSHIP, active=True
    ).first()
    if township is None:
        raise InvalidInput(_("请选择有效的街乡"), fields={"township": "invalid"})
    dept_id = None
    if actor.covers(R.TOWNSHIP_ROLES, township.code):
        default_source = "TOWNSHIP"
    elif any(c[:9] == township.code for c in actor.codes(R.GRID_ROLES)):
        default_source = "GRID_PATROL"
    elif (
        reporting_department_id
        and actor.in_department(
            R.DEPARTMENT_ROLES, V.object_id(reporting_department_id, "department")
        )
        # a department reports only within its own district
        and Department.objects.filter(
            pk=reporting_department_id, district__code=township.code[:6]
        ).exists()
    ):
        default_source, dept_id = "DEPARTMENT", int(reporting_department_id)
    else:
        raise PermissionDenied()
    source = V.choice(source or default_source, SOURCES, "source")
    priority = V.priority(priority)
    lat, lng = V.coords(lat, lng)
    place = _place(actor, township, place_id)
    if place is None and lat is not None:
        # Placed in its grid by the outlines, when the point lies inside the chosen township.
        from shaobao.places.selectors import locate

        found = locate(lat, lng, district_code=township.code[:6])
        if found is not None and found.code.startswith(township.code) and found.pk != township.pk:
            place = found
    problem = Problem.objects.create(
        township=township,
        place=place,
        matter=_matter(matter_id),
        title=V.text(title, _("标题"), max_len=120),
        description=V.text(description, _("问题描述"), max_len=4000),
        address=V.text(address, _("地址"), max_len=200),
        lat=lat,
        lng=lng,
        source=source,
        priority=priority,
        reported_by_id=actor.user_id,
        reporting_department_id=dept_id,
        created_at=now,
        updated_at=now,
    )
    for f in V.images(photos):
        ProblemPhoto.objects.create(
            problem=problem, image=f, uploaded_by_id=actor.user_id, uploaded_at=now
        )
    record(
        actor=actor,
        action="problem.create",
        obj=problem,
        data={
            "township": township.code,
            "title": problem.title,
            "source": source,
            "matter": problem.matter_id,
            "photos": len(photos or []),
        },
        now=now,
    )
    enqueue(
        event="problem_reported",
        dedupe_key=f"problem_reported:{problem.pk}",
        title=_("新问题：%(t)s") % {"t": problem.title},
        link=f"/problems/{problem.pk}/",
        jurisdiction=township,
        audience=[R.TOWNSHIP_STAFF, R.TOWNSHIP_COMMANDER],
        now=now,
    )
    return problem


def _locked_for_edit(actor: Actor, problem_id) -> Problem:
    seen = P.access_problem(actor, problem_id)
    if not P.may_edit(actor, seen):
        raise PermissionDenied()
    return (
        Problem.objects.select_for_update(of=("self",)).select_related("township").get(pk=seen.pk)
    )


EDITABLE = ("title", "description", "address", "matter_id", "place_id", "priority", "lat", "lng")


@transaction.atomic
def problem_update(*, actor: Actor, problem_id, now, **changes) -> Problem:
    problem = _locked_for_edit(actor, problem_id)
    if problem.status in {Problem.CLOSED, Problem.MERGED}:
        raise Conflict(_("已关闭或已合并的问题不能修改"), code="invalid_state")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    before = {}
    if "title" in changes:
        changes["title"] = V.text(changes["title"], _("标题"), max_len=120)
    if "description" in changes:
        changes["description"] = V.text(changes["description"], _("问题描述"), max_len=4000)
    if "address" in changes:
        changes["address"] = V.text(changes["address"], _("地址"), max_len=200)
    if "matter_id" in changes:
        changes["matter_id"] = _matter(changes["matter_id"]).pk if changes["matter_id"] else None
    if "place_id" in changes:
        place = _place(actor, problem.township, changes["place_id"])
        changes["place_id"] = place.pk if place else None
    if "priority" in changes:
        changes["priority"] = V.priority(changes["priority"])
    if "lat" in changes or "lng" in changes:
        changes["lat"], changes["lng"] = V.coords(
            changes.get("lat", problem.lat), changes.get("lng", problem.lng)
        )
    for field, value in changes.items():
        old = getattr(problem, field)
        if old != value:
            before[field] = [old, value]
            setattr(problem, field, value)
    if not before:
        return problem
    problem.updated_at = now
    problem.save()
    record(actor=actor, action="problem.update", obj=problem, data={"changes": before}, now=now)
    return problem


@transaction.atomic
def problem_triage(*, actor: Actor, problem_id, matter_id, priority=1, note="", now) -> Problem:
    """A person decides the matter; what the router suggested (computed here, never taken from
    the client) is stored beside the decision, so that agreement can be measured."""
    problem = _locked_for_edit(actor, problem_id)
    if problem.status not in {Problem.NEW, Problem.TRIAGED}:
        raise Conflict(_("只有待研判的问题可以研判"), code="invalid_state")
    matter = _matter(matter_id)
    if matter is None:
        raise InvalidInput(_("研判须确定事项"), fields={"matter": "required"})
    priority = V.priority(priority)
    problem.matter, problem.priority, problem.status, problem.updated_at = (
        matter,
        priority,
        Problem.TRIAGED,
        now,
    )
    routing = suggest(
        text=problem.description,
        subject=problem.title,
        district_code=problem.township.code[:6],
        now=now,
    )
    top = routing.suggestions[0] if routing.suggestions else None
    problem.router_version = routing.version
    problem.router_matter = top.matter if top else None
    problem.router_confidence = top.confidence if top else None
    problem.save(
        update_fields=[
            "matter",
            "priority",
            "status",
            "updated_at",
            "router_version",
            "router_matter",
            "router_confidence",
        ]
    )
    record(
        actor=actor,
        action="problem.triage",
        obj=problem,
        data={
            "matter": matter.pk,
            "priority": priority,
            "note": (note or "")[:500],
            "router_version": routing.version,
            "router_matter": top.matter.code if top else None,
        },
        now=now,
    )
    return problem


@transaction.atomic
def problem_close(*, actor: Actor, problem_id, reason, merged_into_id=None, now) -> Problem:
    """Close (with a reason) or merge into another problem. The reporter is told; a reporter may
    not close their own problem (a different role verifies)."""
    problem = _locked_for_edit(actor, problem_id)
    if problem.status in {Problem.CLOSED, Problem.MERGED, Problem.WHISTLED}:
        raise Conflict(_("该问题当前不能关闭（已关闭、已合并或吹哨处理中）"), code="invalid_state")
    if problem.reported_by_id == actor.user_id:
        raise PermissionDenied(_("问题不能由上报人自己关闭"))
    reason = V.text(reason, _("关闭原因"), max_len=500)
    target = None
    if merged_into_id:
        target = (
            Problem.objects.filter(pk=merged_into_id, township=problem.township)
            .exclude(pk=problem.pk)
            .exclude(status__in=[Problem.CLOSED, Problem.MERGED])
            .first()
        )
        if target is None:
            raise InvalidInput(_("合并目标无效"), fields={"merged_into": "invalid"})
    problem.status = Problem.MERGED if target else Problem.CLOSED
    problem.merged_into, problem.close_reason, problem.updated_at = target, reason, now
    problem.save(update_fields=["status", "merged_into", "close_reason", "updated_at"])
    record(
        actor=actor,
        action="problem.merge" if target else "problem.close",
        obj=problem,
        data={"reason": reason, "merged_into": target.pk if target else None},
        now=now,
    )
    if problem.reported_by_id:
        enqueue(
            event="problem_closed",
            dedupe_key=f"problem_closed:{problem.pk}",
            title=_("您上报的问题已关闭：%(t)s") % {"t": problem.title},
            body=reason,
            link=f"/problems/{problem.pk}/",
            user=problem.reported_by,
            now=now,
        )
    return problem
