"""Writers of hot spots: detection (a daily upsert from counts made in the database), the
township's conversion into a problem and a whistle, and dismissal with a reason. Each runs in one
transaction and is audited; conversion goes through the problem and whistle services, which
validate, audit and notify for themselves."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core import validate as V
from shaobao.core.errors import Conflict, InvalidInput, PermissionDenied
from shaobao.core.workdays import LOCAL_TZ, WorkCalendar
from shaobao.demands.models import Demand, DemandEvent
from shaobao.hotspots import permissions as P
from shaobao.hotspots.detect import Cluster, Params, Span, detect, span
from shaobao.hotspots.models import DetectionRun, HotSpot
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import SYSTEM, Actor

EXAMPLES = 5


def params() -> Params:
    return Params.from_config(settings.SHAOBAO.get("HOTSPOTS"))


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def local_today(now: dt.datetime) -> dt.date:
    return now.astimezone(LOCAL_TZ).date()


def counted_demands_all(district: Jurisdiction, start: dt.date, end: dt.date):
    """The demands hot spots and monthly topics count: not repeats (a repeat is the same demand
    again), with a matter (decided, else the router's, annotated as `topic`), created in
    [start, end] local days. The created_at range keeps the read to these days only."""
    return (
        Demand.objects.filter(
            district=district,
            created_at__gte=local_midnight(start),
            created_at__lt=local_midnight(end + dt.timedelta(days=1)),
            duplicate_of__isnull=True,
        )
        .annotate(topic=Coalesce("matter_id", "router_matter_id"))
        .filter(topic__isnull=False)
    )


def counted_demands(district: Jurisdiction, start: dt.date, end: dt.date):
    """... and, for hot spots, placed in a grid or a community."""
    return counted_demands_all(district, start, end).filter(place__isnull=False)


def daily_counts(district: Jurisdiction, s: Span) -> list[tuple[str, int, dt.date, int]]:
    """(place code, matter id, local day, demands) over the baseline and the window: one GROUP BY
    in the database, then the place ids resolved to codes in one more query."""
    rows = list(
        counted_demands(district, s.baseline_start, s.window_end)
        .annotate(day=TruncDate("created_at", tzinfo=LOCAL_TZ))
        .values("place_id", "topic", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    codes = dict(
        Jurisdiction.objects.filter(pk__in={r["place_id"] for r in rows}).values_list("pk", "code")
    )
    return [(codes[r["place_id"]], r["topic"], _as_date(r["day"]), r["n"]) for r in rows]


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def cluster_demands(hotspot: HotSpot):
    """The demands that make up a hot spot (its place, matter and window)."""
    qs = counted_demands(hotspot.district, hotspot.window_start, hotspot.window_end).filter(
        topic=hotspot.matter_id
    )
    if len(hotspot.place.code) == 15:
        return qs.filter(place_id=hotspot.place_id)
    return qs.filter(place__code__startswith=hotspot.place.code)


@transaction.atomic
def hotspots_detect(*, district: Jurisdiction, today: dt.date, now: dt.datetime) -> dict:
    """Detect the district's hot spots for `today` (window: the full days before it) and upsert
    them. Safe to run twice, or concurrently (the day's run row is locked first). An open hot
    spot that is still hot moves its window forward instead of becoming a second row; one the
    township already converted or dismissed is not reported again until its window has passed."""
    p = params()
    s = span(today, p)
    run, _c = DetectionRun.objects.get_or_create(
        district=district, day=today, defaults={"window_end": s.window_end, "ran_at": now}
    )
    run = DetectionRun.objects.select_for_update().get(pk=run.pk)
    clusters = detect(daily_counts(district, s), today=today, params=p)
    places = {
        j.code: j
        for j in Jurisdiction.objects.filter(
            code__in={c.place for c in clusters} | {c.place[:9] for c in clusters}
        )
    }
    recent: dict[tuple[int, int], list[HotSpot]] = {}
    for h in HotSpot.objects.filter(district=district, window_end__gte=s.window_start).order_by(
        "-window_end", "-pk"
    ):
        recent.setdefault((h.place_id, h.matter_id), []).append(h)
    created = updated = 0
    for c in clusters:
        place, township = places.get(c.place), places.get(c.place[:9])
        if place is None or township is None:
            continue
        rows = recent.get((place.pk, c.matter), [])
        if any(h.window_end > s.window_end or h.state != HotSpot.OPEN for h in rows):
            continue  # a later run covers it, or the township has already decided
        values = _values(c, district, township)
        if rows:
            h = rows[0]
            h.district, h.place = district, place
            old = {k: getattr(h, k) for k in [*values, "examples"]}
            for k, v in values.items():
                setattr(h, k, v)
            h.examples = _examples(h)  # from the new window
            values["examples"] = h.examples
            if any(old[k] != v for k, v in values.items()):
                h.detected_at = now
                h.save(update_fields=[*values, "detected_at"])
                updated += 1
            continue
        h = HotSpot(place=place, matter_id=c.matter, state=HotSpot.OPEN, detected_at=now, **values)
        h.district, h.township = district, township
        h.examples = _examples(h)
        h.save()
        created += 1
    run.window_end, run.found, run.ran_at = s.window_end, len(clusters), now
    run.save(update_fields=["window_end", "found", "ran_at"])
    counts = {"found": len(clusters), "created": created, "updated": updated}
    record(
        actor=SYSTEM,
        action="hotspots.detect",
        obj=run,
        data={"district": district.code, "day": today, "window_end": s.window_end, **counts},
        now=now,
    )
    return counts


def _values(c: Cluster, district, township) -> dict:
    return {
        "district_id": district.pk,
        "township_id": township.pk,
        "window_start": c.window_start,
        "window_end": c.window_end,
        "count": c.count,
        "baseline": c.baseline,
        "ratio": c.ratio,
        "daily": list(c.daily),
    }


def _examples(h: HotSpot) -> list[int]:
    return list(
        cluster_demands(h).order_by("-created_at", "-pk").values_list("pk", flat=True)[:EXAMPLES]
    )


def hotspots_detect_due(*, now: dt.datetime) -> int:
    """The worker's daily step: detect for every district that has no run for today yet."""
    today = local_today(now)
    done = DetectionRun.objects.filter(day=today).values_list("district_id", flat=True)
    n = 0
    for district in Jurisdiction.objects.filter(level=Jurisdiction.DISTRICT, active=True).exclude(
        pk__in=done
    ):
        n += hotspots_detect(district=district, today=today, now=now)["created"]
    return n


def _lock_for_decision(actor: Actor, hotspot_id) -> HotSpot:
    seen = P.access_hotspot(actor, hotspot_id)
    if not P.may_act(actor, seen):
        raise PermissionDenied()
    h = (
        HotSpot.objects.select_for_update(of=("self",))
        .select_related("township", "place", "matter", "district")
        .get(pk=seen.pk)
    )
    if h.state != HotSpot.OPEN:
        raise Conflict(_("该热点已处理（已转为问题或已忽略）"), code="invalid_state")
    return h


@transaction.atomic
def hotspot_convert(
    *, actor: Actor, hotspot_id, kind="MANAGEMENT", now: dt.datetime, cal: WorkCalendar
) -> HotSpot:
    """Turn a hot spot into a problem on the township's list, with the cluster's demands linked
    to it, and blow a whistle on that problem, summoning the departments the duty list names
    for the matter. One transaction: if the whistle cannot be blown, nothing is created."""
    from shaobao.problems.services import problem_create
    from shaobao.whistles.services import suggest_departments, whistle_blow

    h = _lock_for_decision(actor, hotspot_id)
    specs = suggest_departments(matter=h.matter, now=now, district_code=h.district.code)
    if not specs:
        raise InvalidInput(
            _("权责清单中没有该事项的责任部门，请在问题清单中手动吹哨"),
            fields={"matter": "no_duty"},
        )
    demands = list(
        cluster_demands(h)
        .select_for_update(of=("self",))
        .order_by("-created_at", "-pk")
        .only("pk", "problem_id", "created_at")
    )
    period = {
        "s": h.window_start.strftime("%m-%d"),
        "e": h.window_end.strftime("%m-%d"),
    }
    title = _("热点：%(place)s%(matter)s（%(s)s至%(e)s，%(n)s件诉求）") % {
        "place": h.place.name,
        "matter": h.matter.name,
        "n": len(demands),
        **period,
    }
    numbers = "、".join(d.number for d in demands[:50]) + ("等" if len(demands) > 50 else "")
    description = _(
        "%(s)s至%(e)s，%(place)s关于“%(matter)s”的诉求共%(n)s件，此前%(w)s周同期平均%(b)s件"
        "（平滑后为%(r)s倍）。涉及诉求：%(numbers)s。"
    ) % {
        "place": h.place.name,
        "matter": h.matter.path,
        "n": len(demands),
        "w": params().baseline_weeks,
        "b": h.baseline,
        "r": h.ratio,
        "numbers": numbers or "—",
        **period,
    }
    address = f"{h.township.name}{h.place.name}"
    problem = problem_create(
        actor=actor,
        township_id=h.township_id,
        title=title[:120],
        description=description[:4000],
        address=address[:200],
        matter_id=h.matter_id,
        place_id=h.place_id,
        now=now,
    )
    linked = []
    for d in demands:
        if d.problem_id is None:
            linked.append(d.pk)
    if linked:
        Demand.objects.filter(pk__in=linked).update(problem=problem, updated_at=now)
        note = _("已转入街乡问题清单，将协调相关部门办理")
        DemandEvent.objects.bulk_create(
            DemandEvent(demand_id=pk, kind="to_problem", note=note, at=now, public=True)
            for pk in linked
        )
        for pk in linked:
            record(
                actor=actor,
                action="demand.to_problem",
                object_type="demand",
                object_id=pk,
                data={"problem": problem.pk, "hotspot": h.pk},
                now=now,
            )
    whistle = whistle_blow(
        actor=actor,
        township_id=h.township_id,
        title=title[:120],
        description=description[:4000],
        address=address[:200],
        area="CITIZEN_DEMAND",
        kind=kind,
        mode="ROUTINE",
        summoned=specs,
        matter_id=h.matter_id,
        problem_ids=[problem.pk],
        now=now,
        cal=cal,
    )
    problem.refresh_from_db(fields=["status", "updated_at"])  # the whistle moved it on
    h.state, h.problem, h.whistle = HotSpot.CONVERTED, problem, whistle
    h.decided_by_id, h.decided_at = actor.user_id, now
    h.save(update_fields=["state", "problem", "whistle", "decided_by", "decided_at"])
    record(
        actor=actor,
        action="hotspot.convert",
        obj=h,
        data={
            "place": h.place.code,
            "matter": h.matter_id,
            "window": [h.window_start, h.window_end],
            "problem": problem.pk,
            "whistle": whistle.pk,
            "demands_linked": len(linked),
            "demands_in_cluster": len(demands),
        },
        now=now,
    )
    return h


@transaction.atomic
def hotspot_dismiss(*, actor: Actor, hotspot_id, reason, now: dt.datetime) -> HotSpot:
    """The township decides the cluster needs no action now; the reason is kept."""
    reason = V.text(reason, _("忽略原因"), max_len=500)
    h = _lock_for_decision(actor, hotspot_id)
    h.state, h.dismissed_reason = HotSpot.DISMISSED, reason
    h.decided_by_id, h.decided_at = actor.user_id, now
    h.save(update_fields=["state", "dismissed_reason", "decided_by", "decided_at"])
    record(
        actor=actor,
        action="hotspot.dismiss",
        obj=h,
        data={"place": h.place.code, "matter": h.matter_id, "reason": reason},
        now=now,
    )
    return h
