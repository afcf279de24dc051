"""Writers of demands (接诉即办): intake with routing and duplicate detection, the six
non-dispatch routes, dispatch with a deadline, the handler's contact and response, and the
hotline's callback. Each validates, locks, checks the transition table, saves, logs, audits and
queues notifications in one transaction."""

from __future__ import annotations

import bisect
import datetime as dt
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from shaobao.audit.services import deferred, record
from shaobao.core import validate as V
from shaobao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shaobao.core.workdays import LOCAL_TZ, WorkCalendar, deadline
from shaobao.demands import workflow as W
from shaobao.demands.models import KINDS, SOURCES, Callback, Demand, DemandEvent, Dispatch
from shaobao.demands.routes import REPLIES, ROUTES
from shaobao.duties.models import Matter
from shaobao.duties.routing import suggest
from shaobao.duties.selectors import owners_for
from shaobao.notify.services import enqueue
from shaobao.org import roles as R
from shaobao.org.models import Department, Jurisdiction
from shaobao.org.scoping import Actor


def _log(demand, kind, note, now, public=True):
    DemandEvent.objects.create(
        demand=demand, kind=kind, note=str(note)[:1000], at=now, public=public
    )


def _audit(actor, action, demand, now, **data):
    # Personal data stays out of the log: the demand's id is enough to find it.
    record(actor=actor, action=action, obj=demand, data=data, now=now)


def _shingles(text: str) -> set[str]:
    t = "".join(ch for ch in text if not ch.isspace())
    return {t[i : i + 3] for i in range(max(0, len(t) - 2))}


# A demand in one of these states is no longer open: never the original of a repeat.
CLOSED_STATES = (Demand.CLOSED_BY_ROUTE, Demand.CLOSED)


class RepeatCandidates:
    """The repeat check's candidates for a batch of checks (the intake worker), read once per
    batch and kept up to date with the demands the batch settles (`add`), instead of two
    queries (and 200 texts) for every check: per township, the open demands of the window with
    their text shingles; per district, the open demands of the batch's callers (`phones`).
    What other transactions commit meanwhile (another worker's batch, a hotline demand) is
    fetched at most REFRESH_SECONDS later (the rows above the highest id read); an original
    closed meanwhile is caught when it is locked (`_settle` then asks the database again)."""

    # Rows read per township: the 200 a check compares, and a batch's worth (the intake worker's
    # 64) for demands settled out of order (by other workers or operators, or retried). When
    # they are not enough, a check falls back to its own query.
    LOAD = 200 + 64
    REFRESH_SECONDS = 1.0

    def __init__(self, phones=(), clock=time.monotonic):
        self._clock = clock
        # (district pk, township pk) → _Rows
        self._by_township: dict[tuple, _Rows] = {}
        self._phones = frozenset(p for p in phones if p)
        # district pk → _Rows of the batch's callers: {(phone, matter pk): [(created_at, pk), …]}
        self._by_caller: dict[int, _Rows] = {}

    def _fresh(self, entry) -> bool:
        return self._clock() - entry.read_at <= self.REFRESH_SECONDS

    def same_caller(self, open_demands, district, phone, matter, since, exclude_pk):
        """(True, pk or None) — the earliest open demand of this caller about this matter — or
        (False, None) when the phone is not one of the batch's."""
        if phone not in self._phones:
            return False, None
        entry = self._by_caller.get(district.pk)
        if entry is None or since < entry.since:
            entry = self._by_caller[district.pk] = _Rows(since, {}, True, 0, self._clock())
            self._read_callers(entry, open_demands())
        elif not self._fresh(entry):
            self._read_callers(entry, open_demands().filter(pk__gt=entry.max_pk))
        best = min(
            (
                (at, pk)
                for at, pk in entry.rows.get((phone, matter.pk), ())
                if at >= since and (exclude_pk is None or pk < exclude_pk)
            ),
            default=None,
        )
        return True, best[1] if best else None

    def _read_callers(self, entry, found) -> None:
        rows = found.filter(caller_phone__in=self._phones).values_list(
            "caller_phone", "matter_id", "created_at", "pk"
        )
        for p, matter_id, at, pk in rows:
            self._add_caller(entry, p, matter_id, at, pk)
            entry.max_pk = max(entry.max_pk, pk)
        entry.read_at = self._clock()

    @staticmethod
    def _add_caller(entry, phone, matter_id, at, pk) -> None:
        if pk not in entry.pks:
            entry.rows.setdefault((phone, matter_id), []).append((at, pk))
            entry.pks.add(pk)

    def rows(self, open_demands, district, township, since, exclude_pk) -> list | None:
        """(pk, shingles) of the 200 newest candidates (earlier than `exclude_pk`), newest
        first, or None when the cached rows cannot answer exactly (too many to cache)."""
        key = (district.pk, township.pk)
        entry = self._by_township.get(key)
        if entry is None or since < entry.since:
            found = list(
                open_demands()
                .filter(township=township)
                .order_by("-created_at", "-pk")
                .values_list("created_at", "pk", "text")[: self.LOAD]
            )
            entry = self._by_township[key] = _Rows(
                since, [], len(found) < self.LOAD, 0, self._clock()
            )
            for at, pk, text in reversed(found):
                self._insert(entry, at, pk, text)
        elif not self._fresh(entry):
            newer = open_demands().filter(township=township, pk__gt=entry.max_pk)
            newer = newer.values_list("created_at", "pk", "text")
            for at, pk, text in newer:
                self._insert(entry, at, pk, text)
            entry.read_at = self._clock()
        out = []
        for at, pk, shingles in reversed(entry.rows):
            if at < since:
                break
            if exclude_pk is None or pk < exclude_pk:
                out.append((pk, shingles))
                if len(out) == 200:
                    return out
        return out if entry.complete else None

    @staticmethod
    def _insert(entry, at, pk, text, *, read=True) -> None:
        """Into the rows (oldest first), unless there or, in a truncated read, older than all
        read: those rows stand for everything newer than the oldest of them."""
        if pk in entry.pks or (not entry.complete and entry.rows and at < entry.rows[0][0]):
            return
        bisect.insort(entry.rows, (at, pk, _shingles(text)), key=lambda r: (r[0], r[1]))
        entry.pks.add(pk)
        if read:
            entry.max_pk = max(entry.max_pk, pk)

    def add(self, demand: Demand) -> None:
        """A demand the batch has just settled as an original (open, not a repeat)."""
        entry = self._by_township.get((demand.district_id, demand.township_id))
        if entry is not None:
            self._insert(entry, demand.created_at, demand.pk, demand.text, read=False)
        callers = self._by_caller.get(demand.district_id)
        if callers is not None and demand.caller_phone in self._phones:
            self._add_caller(
                callers, demand.caller_phone, demand.matter_id, demand.created_at, demand.pk
            )


@dataclass
class _Rows:
    """What RepeatCandidates read for one township or one district's callers."""

    since: dt.datetime  # the window's start they were read for
    rows: object  # township: [(created_at, pk, shingles)] oldest first; callers: {key: [...]}
    complete: bool  # every open demand of the window is in `rows` (not truncated at LOAD)
    max_pk: int  # the highest id read from the database (newer rows are fetched on refresh)
    read_at: float  # clock() of the last read
    pks: set = field(default_factory=set)


def find_original(
    *,
    district: Jurisdiction,
    township,
    phone: str,
    text: str,
    matter,
    now,
    exclude_pk=None,
    candidates: RepeatCandidates | None = None,
) -> Demand | None:
    """An open demand this one repeats: the same caller about the same matter, or very similar
    text in the same township, within the window. Never counts twice: the repeat is linked.
    With `exclude_pk` (the demand being checked) only earlier demands count: a demand settled
    by the intake worker never takes one filed after it as its original. `candidates` lets a
    batch of checks share what they read instead of querying each time."""
    cfg = settings.SHAOBAO
    since = now - dt.timedelta(days=cfg["DUPLICATE_WINDOW_DAYS"])

    # Not one still waiting for the intake worker: it may itself turn out to be a repeat, and a
    # repeat must point at the original, never at another repeat.
    def open_demands():
        return Demand.objects.filter(
            district=district,
            created_at__gte=since,
            duplicate_of__isnull=True,
            intake_pending=False,
        ).exclude(status__in=CLOSED_STATES)

    def earlier():
        found = open_demands()
        return found if exclude_pk is None else found.filter(pk__lt=exclude_pk)

    if phone and matter is not None:
        answered, pk = False, None
        if candidates is not None:
            answered, pk = candidates.same_caller(
                open_demands, district, phone, matter, since, exclude_pk
            )
        if answered:
            if pk is not None:
                return Demand.objects.get(pk=pk)
        else:
            same = earlier().filter(caller_phone=phone, matter=matter)
            if first := same.order_by("created_at", "pk").first():
                return first
    if township is not None:
        mine = _shingles(text)
        if len(mine) >= 5:
            rows = None
            if candidates is not None:
                rows = candidates.rows(open_demands, district, township, since, exclude_pk)
            if rows is None:
                # Only the text is needed to compare; the one that matches is then read whole.
                found = earlier().filter(township=township).order_by("-created_at", "-pk")
                rows = ((pk, _shingles(t)) for pk, t in found.values_list("pk", "text")[:200])
            threshold = cfg["DUPLICATE_TEXT_SIMILARITY"]
            for pk, theirs in rows:
                if theirs and len(mine & theirs) / len(mine | theirs) >= threshold:
                    return Demand.objects.get(pk=pk)
    return None


def _deadline(matter: Matter | None, duty, start, cal: WorkCalendar):
    tiers = settings.SHAOBAO["DEMAND_TIERS"]
    tier = (duty.effective_tier if duty else None) or (matter.tier if matter else "")
    unit, amount = tiers.get(tier, tiers["ORDINARY_7D"])
    return deadline(start, unit, amount, cal)


# What _dispatch changes on the demand.
_DISPATCH_FIELDS = (
    "matter",
    "handler_department",
    "handler_township",
    "handler_is_district",
    "copied_to_district",
    "status",
    "dispatched_at",
    "deadline_at",
    "updated_at",
    "contacted_at",
    "responded_at",
)
# What _settle changes on a repeat.
_DUPLICATE_FIELDS = ("status", "duplicate_of", "route", "reply", "closed_at", "updated_at")


def _save_with(demand: Demand, dirty, fields) -> None:
    """Save `fields` and the caller's `dirty` ones; the whole row when the caller named none."""
    if dirty:
        demand.save(update_fields=sorted({*dirty, *fields}))
    else:
        demand.save()


def _dispatch(
    demand: Demand,
    *,
    by_actor: Actor,
    matter,
    department=None,
    township=None,
    to_district=False,
    auto=False,
    owners=None,
    dirty=None,
    now,
    cal,
) -> Dispatch:
    """Dispatch a demand (its row locked or just claimed): the Dispatch, the demand's handler,
    status and deadline, its log line and the handler's notification. `dirty`: fields the caller
    changed and wants saved with these (then only those and the dispatch's own are written, not
    the whole row); none saves the whole row."""
    if owners is None:
        owners = (
            owners_for(matter=matter, at=now, district_code=demand.district.code)
            if matter
            else (None, None)
        )
    duty, duty_list = owners
    due = _deadline(matter, duty, now, cal)
    d = Dispatch.objects.create(
        demand=demand,
        department=department,
        township=township,
        to_district=to_district,
        matter=matter,
        duty_list_version=duty_list.version if duty_list else None,
        router_version=demand.router_version,
        auto=auto,
        by_id=by_actor.user_id,
        at=now,
        deadline_at=due,
    )
    demand.matter = matter or demand.matter
    demand.handler_department, demand.handler_township = department, township
    demand.handler_is_district = to_district
    demand.copied_to_district = township is not None
    demand.status, demand.dispatched_at, demand.deadline_at, demand.updated_at = (
        W.DISPATCHED,
        now,
        due,
        now,
    )
    demand.contacted_at = demand.responded_at = None
    _save_with(demand, dirty, _DISPATCH_FIELDS)
    _log(
        demand,
        "dispatched",
        _("已派至%(h)s，办理时限 %(d)s")
        % {"h": demand.handler_label, "d": due.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")},
        now,
    )
    enqueue(
        event="demand_dispatched",
        dedupe_key=f"demand_dispatched:{d.pk}",
        title=_("新派诉求：%(n)s") % {"n": demand.number},
        link=f"/demands/{demand.pk}/",
        department=department,
        jurisdiction=township or (demand.district if to_district else None),
        audience=sorted(W.HANDLER),
        urgent=matter is not None
        and (duty.effective_tier if duty else matter.tier) == "EMERGENCY_2H",
        fresh=True,  # names the dispatch just inserted
        now=now,
    )
    return d


def _intake_fields(
    *,
    source,
    kind,
    text,
    district_code,
    district,
    subject,
    caller_name,
    caller_phone,
    caller_email,
    address,
    lat,
    lng,
    township_id,
) -> dict:
    """What every intake channel sends, validated: the Demand's fields."""
    source = V.choice(source, SOURCES, "source")
    kind = V.choice(kind, KINDS, "kind")
    text = V.text(text, _("诉求内容"), max_len=4000)
    subject = V.text(subject, _("标题"), max_len=200, required=False)
    caller_name = V.text(caller_name, _("来电人"), max_len=50, required=False)
    caller_phone = V.text(caller_phone, _("联系电话"), max_len=20, required=False)
    if caller_phone and not V.is_digits(caller_phone.replace("-", "").replace("+", "")):
        raise InvalidInput(_("联系电话无效"), fields={"caller_phone": "invalid"})
    caller_email = V.text(caller_email, "email", max_len=200, required=False)
    address = V.text(address, _("地址"), max_len=200, required=False)
    lat, lng = V.coords(lat, lng)
    if district is None or district.level != Jurisdiction.DISTRICT or not district.active:
        district = Jurisdiction.objects.filter(
            code=str(district_code)[:6], level=Jurisdiction.DISTRICT, active=True
        ).first()
    if district is None:
        raise InvalidInput(_("区无效"), fields={"district": "invalid"})
    township = None
    if township_id:
        township = Jurisdiction.objects.filter(
            pk=V.pk(township_id),
            level=Jurisdiction.TOWNSHIP,
            code__startswith=district.code,
            active=True,
        ).first()
        if township is None:
            raise InvalidInput(_("街乡无效"), fields={"township": "invalid"})
    return dict(
        source=source,
        kind=kind,
        text=text,
        subject=subject,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller_email=caller_email,
        address=address,
        lat=lat,
        lng=lng,
        district=district,
        township=township,
    )


def _place(lat, lng, district_code: str, township):
    """A located demand is placed in its grid → community → township by its outline. Answers
    (place, township); a township already given wins."""
    if lat is None:
        return None, township
    from shaobao.places.selectors import locate, place_chain

    grid, community, town, _district = place_chain(locate(lat, lng, district_code=district_code))
    return grid or community, township or town


@transaction.atomic(savepoint=False)
@deferred()
def demand_receive(
    *,
    actor: Actor,
    source,
    kind,
    text,
    district_code="",
    district: Jurisdiction | None = None,
    subject="",
    caller_name="",
    caller_phone="",
    caller_email="",
    address="",
    lat=None,
    lng=None,
    township_id=None,
    audit_data: dict | None = None,
    now,
) -> Demand:
    """The synchronous half of asynchronous intake (Open311): validate, store the demand as
    received with the `intake_pending` marker, log and audit its creation. Nothing else: the
    intake worker (demands.intake) places, routes, checks for repeats and dispatches it. The
    number and token exist at once. Runs in the caller's transaction if there is one."""
    f = _intake_fields(
        source=source,
        kind=kind,
        text=text,
        district_code=district_code,
        district=district,
        subject=subject,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller_email=caller_email,
        address=address,
        lat=lat,
        lng=lng,
        township_id=township_id,
    )
    demand = Demand.objects.create(
        **f, intake_pending=True, created_by_id=actor.user_id, created_at=now, updated_at=now
    )
    _log(demand, "received", _("诉求已受理，编号 %(n)s") % {"n": demand.number}, now)
    _audit(
        actor,
        "demand.create",
        demand,
        now,
        source=f["source"],
        kind=f["kind"],
        district=f["district"].code,
        intake="pending",
        **(audit_data or {}),
    )
    return demand


@transaction.atomic
@deferred()
def demand_create(
    *,
    actor: Actor | None,
    source,
    kind,
    text,
    district_code,
    subject="",
    caller_name="",
    caller_phone="",
    caller_email="",
    address="",
    lat=None,
    lng=None,
    township_id=None,
    matter_hint=None,
    now,
    cal: WorkCalendar,
) -> Demand:
    """Intake from any channel, settled at once (hotline operator, web form, demo): the router
    suggests; above its threshold it dispatches by itself (to the matter's lead department); a
    repeat is linked to its original and told its progress. Open311 stores and answers first
    (demand_receive) and leaves the same settling to the intake worker."""

    actor = actor or Actor(user_id=None, label=_("市民"))
    if actor.user_id is not None and R.OPERATOR not in actor.roles:
        raise PermissionDenied()
    f = _intake_fields(
        source=source,
        kind=kind,
        text=text,
        district_code=district_code,
        district=None,
        subject=subject,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller_email=caller_email,
        address=address,
        lat=lat,
        lng=lng,
        township_id=township_id,
    )
    district = f["district"]
    place, f["township"] = _place(f["lat"], f["lng"], district.code, f["township"])
    routing = suggest(text=f["text"], subject=f["subject"], district_code=district.code, now=now)
    top = routing.suggestions[0] if routing.suggestions else None
    demand = Demand.objects.create(
        **f,
        place=place,
        router_version=routing.version,
        router_matter=top.matter if top else None,
        router_confidence=top.confidence if top else None,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    _log(demand, "received", _("诉求已受理，编号 %(n)s") % {"n": demand.number}, now)
    _audit(
        actor,
        "demand.create",
        demand,
        now,
        source=f["source"],
        kind=f["kind"],
        district=district.code,
        router_version=routing.version,
        router_matter=top.matter.code if top else None,
    )
    _settle(
        demand,
        actor=actor,
        matter=top.matter if top else None,
        auto=routing.auto,
        hint=matter_hint,
        now=now,
        cal=cal,
    )
    return demand


def _locked_root(original: Demand | None, demand: Demand) -> Demand | None:
    """The original as it is now, locked: if it has meanwhile been linked, its own original."""
    if original is None or original.pk == demand.pk:
        return None
    original = Demand.objects.select_for_update(of=("self",)).get(pk=original.pk)
    seen = {demand.pk}
    while original.duplicate_of_id and original.duplicate_of_id not in seen:
        seen.add(original.pk)
        original = Demand.objects.select_for_update(of=("self",)).get(pk=original.duplicate_of_id)
    return original


def _settle(
    demand: Demand,
    *,
    actor: Actor,
    matter: Matter | None,
    auto: bool,
    hint: Matter | None,
    since=None,
    owners=None,
    dirty=(),
    audit_data: dict | None = None,
    candidates: RepeatCandidates | None = None,
    now,
    cal: WorkCalendar,
) -> str:
    """After routing, for a demand still RECEIVED: a repeat of an open demand is linked to it and
    closed; otherwise the caller's own choice of service is recorded and, if the router is
    confident (and agrees with that choice), the demand is dispatched to the matter's lead
    department. `since` is when the demand came in (the repeat window counts from there);
    `owners` the (duty, duty list) of `matter` if already known; `dirty` fields the caller set
    and wants saved with the outcome; `audit_data` goes into the outcome's audit entry. Answers
    the outcome ("duplicate", "dispatched" or "received"; nothing is audited for the last)."""
    extra = audit_data or {}
    check = dict(
        district=demand.district,
        township=demand.township,
        phone=demand.caller_phone,
        text=demand.text,
        matter=matter if auto else None,
        now=since or now,
        exclude_pk=demand.pk,
    )
    original = _locked_root(find_original(**check, candidates=candidates), demand)
    if original is not None and original.status in CLOSED_STATES and candidates is not None:
        # the batch's candidates are a moment old: ask the database itself once more
        original = _locked_root(find_original(**check), demand)
    if original is not None and original.status not in CLOSED_STATES:
        demand.status, demand.duplicate_of, demand.route = W.DUPLICATE, original, "REPEAT"
        demand.reply = _("您反映的问题已于%(d)s受理（编号 %(n)s），目前状态：%(s)s。") % {
            "d": original.created_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d"),
            "n": original.number,
            "s": original.get_status_display(),
        }
        demand.closed_at, demand.updated_at = now, now
        _save_with(demand, dirty, _DUPLICATE_FIELDS)
        # repeats already linked to this one follow it to its original (no chains)
        Demand.objects.filter(duplicate_of=demand).update(duplicate_of=original, updated_at=now)
        _log(demand, "duplicate", demand.reply, now)
        _log(
            original,
            "repeat",
            _("同一问题再次来电（%(n)s）") % {"n": demand.number},
            now,
            public=False,
        )
        _audit(actor, "demand.duplicate", demand, now, original=original.pk, **extra)
        return "duplicate"
    dirty = list(dirty)
    if hint is not None:
        # The caller's own choice of service (Open311): recorded as the matter; the router may
        # still dispatch by itself, but only when it agrees.
        demand.matter = hint
        dirty.append("matter")
    agrees = hint is None or (matter is not None and matter.pk == hint.pk)
    if auto and matter is not None and demand.kind != "CONSULTATION" and agrees:
        if owners is None:
            owners = owners_for(matter=matter, at=now, district_code=demand.district.code)
        duty = owners[0]
        if duty is not None:
            _dispatch(
                demand,
                by_actor=actor,
                matter=matter,
                department=duty.lead_department,
                auto=True,
                owners=owners,
                dirty=dirty,
                now=now,
                cal=cal,
            )
            data = {
                "auto": True,
                "matter": matter.code,
                "department": duty.lead_department.code,
                "router_version": demand.router_version,
            }
            _audit(actor, "demand.dispatch", demand, now, **{**data, **extra})
            return "dispatched"
    if dirty:
        demand.save(update_fields=dirty)
    return "received"


def _lock(actor: Actor, demand_id, action: str) -> tuple[Demand, W.Transition]:
    from shaobao.demands.permissions import access_demand, may

    seen = access_demand(actor, demand_id)
    demand = (
        Demand.objects.select_for_update(of=("self",)).select_related("district").get(pk=seen.pk)
    )
    if not may(actor, action, demand):
        raise PermissionDenied()
    t = W.transition(demand.status, action)
    if t is None:
        raise Conflict(
            _("当前状态（%(s)s）不能执行此操作") % {"s": demand.get_status_display()},
            code="invalid_state",
        )
    return demand, t


@transaction.atomic
def demand_close_by_route(*, actor: Actor, demand_id, route, reply="", now) -> Demand:
    demand, t = _lock(actor, demand_id, "close_by_route")
    route = V.choice(route, ROUTES, "route")
    reply = V.text(reply, _("答复"), max_len=1000, required=False) or str(REPLIES[route])
    demand.status, demand.route, demand.reply, demand.closed_at, demand.updated_at = (
        t.target,
        route,
        reply,
        now,
        now,
    )
    demand.save()
    _log(demand, "closed_by_route", reply, now)
    _audit(actor, "demand.close_by_route", demand, now, route=route)
    return demand


@transaction.atomic
def demand_dispatch(
    *,
    actor: Actor,
    demand_id,
    matter_id=None,
    department_id=None,
    township_id=None,
    to_district=False,
    seen_status: str = "",
    now,
    cal: WorkCalendar,
) -> Demand:
    """Clear remit → the handling unit; a township is copied to the district; unclear → the district."""
    from shaobao.demands.permissions import access_demand

    # Dispatch or redispatch: as the operator saw it (`seen_status`, from the page), checked on
    # the locked row — the intake worker may have dispatched it a moment ago, and an operator
    # never redispatches without knowing it.
    seen = seen_status or access_demand(actor, demand_id).status
    action = "redispatch" if seen == W.DISPATCHED else "dispatch"
    demand, _t = _lock(actor, demand_id, action)
    if demand.status != seen:
        raise Conflict(
            _("该诉求刚刚已被处理（当前状态：%(s)s），请刷新后再操作")
            % {"s": demand.get_status_display()},
            code="changed_meanwhile",
        )
    matter = Matter.objects.filter(pk=V.pk(matter_id), active=True).first() if matter_id else None
    if matter_id and matter is None:
        raise InvalidInput(_("事项无效"), fields={"matter": "invalid"})
    targets = sum(bool(x) for x in (department_id, township_id, to_district))
    if targets != 1:
        raise InvalidInput(_("请选择一个承办单位：部门、街乡或区"), fields={"handler": "required"})
    dept = town = None
    if department_id:
        dept = Department.objects.filter(
            pk=V.pk(department_id), district=demand.district, active=True
        ).first()
        if dept is None:
            raise InvalidInput(_("部门无效"), fields={"department": "invalid"})
    if township_id:
        town = Jurisdiction.objects.filter(
            pk=V.pk(township_id), level=Jurisdiction.TOWNSHIP, code__startswith=demand.district.code
        ).first()
        if town is None:
            raise InvalidInput(_("街乡无效"), fields={"township": "invalid"})
    if (
        action == "redispatch"
        and dept == demand.handler_department
        and town == demand.handler_township
        and bool(to_district) == demand.handler_is_district
    ):
        raise Conflict(_("已派给该单位"), code="same_handler")
    _dispatch(
        demand,
        by_actor=actor,
        matter=matter,
        department=dept,
        township=town,
        to_district=bool(to_district),
        now=now,
        cal=cal,
    )
    _audit(
        actor,
        f"demand.{action}",
        demand,
        now,
        matter=matter.code if matter else None,
        department=dept.code if dept else None,
        township=town.code if town else None,
        district=bool(to_district),
    )
    return demand


@transaction.atomic
def demand_contact(*, actor: Actor, demand_id, note="", now) -> Demand:
    demand, _t = _lock(actor, demand_id, "contact")
    if demand.contacted_at:
        raise Conflict(_("已登记过联系来电人"), code="already_contacted")
    demand.contacted_at, demand.updated_at = now, now
    demand.save(update_fields=["contacted_at", "updated_at"])
    _log(demand, "contacted", _("承办单位已联系来电人"), now)
    _audit(
        actor,
        "demand.contact",
        demand,
        now,
        note=V.text(note, _("备注"), max_len=500, required=False),
        on_time=bool(demand.deadline_at and now <= demand.deadline_at),
    )
    return demand


@transaction.atomic
def demand_respond(*, actor: Actor, demand_id, response, now) -> Demand:
    demand, t = _lock(actor, demand_id, "respond")
    response = V.text(response, _("办理结果"), max_len=2000)
    if not demand.contacted_at:
        raise Conflict(_("请先联系来电人，再反馈办理结果"), code="not_contacted")
    demand.status, demand.response, demand.responded_at, demand.updated_at = (
        t.target,
        response,
        now,
        now,
    )
    demand.save()
    _log(demand, "responded", response, now)
    _audit(actor, "demand.respond", demand, now, response=response)
    return demand


@transaction.atomic
def callback_record(
    *, actor: Actor, demand_id, reached=True, solved=None, satisfaction="", note="", now
) -> Callback:
    """Only the hotline asks the caller; handlers cannot touch the rating."""
    demand, t = _lock(actor, demand_id, "callback")
    if reached:
        if solved is None or satisfaction not in dict(Callback.SATISFACTION):
            raise InvalidInput(
                _("联系上来电人时须记录是否解决和满意度"), fields={"satisfaction": "required"}
            )
    else:
        solved, satisfaction = None, ""
    # A call that did not reach the caller is followed by another: each is a new version (the
    # demand's row lock orders them), and the latest is the one the rates read.
    last = demand.callbacks.order_by("-version").values_list("version", flat=True).first()
    cb = Callback.objects.create(
        demand=demand,
        version=(last or 0) + 1,
        reached=bool(reached),
        solved=solved,
        satisfaction=satisfaction,
        note=V.text(note, _("备注"), max_len=1000, required=False),
        by_id=actor.user_id,
        at=now,
    )
    if reached:
        demand.status, demand.closed_at = t.target, now
    demand.updated_at = now
    demand.save()
    _log(demand, "callback", _("热线已回访") if reached else _("回访未联系上来电人"), now)
    _audit(
        actor,
        "demand.callback",
        demand,
        now,
        reached=bool(reached),
        solved=solved,
        satisfaction=satisfaction,
    )
    return cb


@transaction.atomic
def demand_exclude(*, actor: Actor, demand_id, reason, now) -> Demand:
    """The hotline (not the handler) rules an order out of assessment: unreasonable, out of remit."""
    demand, _t = _lock(actor, demand_id, "exclude")
    demand.excluded, demand.exclusion_reason = True, V.text(reason, _("原因"), max_len=500)
    demand.updated_at = now
    demand.save(update_fields=["excluded", "exclusion_reason", "updated_at"])
    _log(demand, "excluded", demand.exclusion_reason, now, public=False)
    _audit(actor, "demand.exclude", demand, now, reason=demand.exclusion_reason)
    return demand


@transaction.atomic
def demand_to_problem(*, actor: Actor, demand_id, now) -> Demand:
    """A township handling a demand puts it on its problem list (where it can be whistled on);
    the demand then follows the problem."""
    from shaobao.problems.services import problem_create

    demand, _t = _lock(actor, demand_id, "contact")
    if demand.handler_township_id is None or not actor.covers(
        R.TOWNSHIP_ROLES, demand.handler_township.code
    ):
        raise PermissionDenied()
    if demand.problem_id:
        raise Conflict(_("已转入问题清单"), code="already_linked")
    source = {"HOTLINE": "HOTLINE", "WEB": "WEB", "OPEN311": "OPEN311"}[demand.source]
    problem = problem_create(
        actor=actor,
        township_id=demand.handler_township_id,
        title=(demand.subject or demand.text)[:120],
        description=demand.text,
        address=demand.address or demand.handler_township.name,
        source=source,
        matter_id=demand.matter_id,
        lat=demand.lat,
        lng=demand.lng,
        now=now,
    )
    demand.problem, demand.updated_at = problem, now
    demand.save(update_fields=["problem", "updated_at"])
    _log(demand, "to_problem", _("已转入街乡问题清单，将协调相关部门办理"), now)
    _audit(actor, "demand.to_problem", demand, now, problem=problem.pk)
    return demand


def follow_problem(*, problem, actor: Actor, now) -> int:
    """Called when a problem is solved (e.g. its whistle closed): demands on it that were waiting
    for the handler get the outcome as their response; the hotline then calls back as usual."""
    n = 0
    for demand in Demand.objects.select_for_update(of=("self",)).filter(
        problem=problem, status=W.DISPATCHED
    ):
        demand.contacted_at = demand.contacted_at or now
        demand.status, demand.responded_at, demand.updated_at = W.RESPONDED, now, now
        demand.response = _("经街乡吹哨、部门报到，问题已解决（%(p)s）") % {"p": problem.number}
        demand.save()
        _log(demand, "responded", demand.response, now)
        _audit(actor, "demand.follow_problem", demand, now, problem=problem.pk)
        n += 1
    return n


@transaction.atomic
def demand_note_add(
    *, demand: Demand, note: str, kind: str = "note", public: bool = True, actor: Actor, now
) -> DemandEvent:
    """A note on the demand's log (e.g. an Open311 client's update). It never changes the status.
    The caller has already established who may add it."""
    note = V.text(note, _("备注"), max_len=1000)
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=demand.pk)
    event = DemandEvent.objects.create(
        demand=demand, kind=kind[:30], note=note, at=now, public=public
    )
    demand.updated_at = now
    demand.save(update_fields=["updated_at"])
    _audit(actor, "demand.note", demand, now, kind=kind, public=public)
    return event


OBJECTION_RULE_WORKING_HOURS = 8


@transaction.atomic
def objection_raise(
    *,
    actor: Actor,
    demand_id,
    reason,
    claimed_owner_id=None,
    claimed_duty="",
    now,
    cal: WorkCalendar,
):
    """The handler says the demand is not its duty, naming the duty it says applies. The demand
    stays with it until the ruling."""
    from shaobao.demands.models import DemandObjection

    demand, _t = _lock(actor, demand_id, "contact")
    reason = V.text(reason, _("异议理由"), max_len=2000)
    claimed_duty = V.text(claimed_duty, _("依据的职责"), max_len=300, required=False)
    owner = None
    if claimed_owner_id:
        owner = Department.objects.filter(
            pk=V.pk(claimed_owner_id), district=demand.district, active=True
        ).first()
        if owner is None or owner.pk == demand.handler_department_id:
            raise InvalidInput(_("所指部门无效"), fields={"claimed_owner": "invalid"})
    if demand.objections.filter(state=DemandObjection.PENDING).exists():
        raise Conflict(_("已有待裁定的异议"), code="objection_pending")
    hours = settings.SHAOBAO.get("OBJECTION_RULE_WORKING_HOURS", OBJECTION_RULE_WORKING_HOURS)
    objection = DemandObjection.objects.create(
        demand=demand,
        dispatch=demand.dispatches.order_by("-at", "-pk").first(),
        reason=reason,
        claimed_owner=owner,
        claimed_duty=claimed_duty,
        raised_by_id=actor.user_id,
        raised_at=now,
        rule_by_at=deadline(now, "working_hours", hours, cal),
    )
    _log(demand, "objection", _("承办单位提出派单异议，裁定前由其继续办理"), now, public=False)
    _audit(
        actor,
        "demand.objection_raise",
        demand,
        now,
        objection=objection.pk,
        reason=reason,
        claimed_owner=owner.code if owner else None,
        claimed_duty=claimed_duty,
    )
    enqueue(
        event="objection_raised",
        dedupe_key=f"demand_objection_raised:{objection.pk}",
        title=_("派单异议待裁定：%(n)s") % {"n": demand.number},
        link="/objections/",
        jurisdiction=demand.district,
        audience=[R.LEGAL_OFFICER],
        now=now,
    )
    return objection


@transaction.atomic
def objection_rule(
    *,
    actor: Actor,
    objection_id,
    decision: str,
    ruling,
    reassign_to_id=None,
    amend_duty_list=False,
    now,
    cal: WorkCalendar,
):
    """DISMISS: the handler keeps it. REASSIGN: dispatched to the named department (a re-dispatch,
    counted); with `amend_duty_list` the ruling also goes into the district's draft duty list, so
    that the next version routes the matter there. The ruled matter becomes training data."""
    from shaobao.demands.models import DemandObjection

    objection = (
        DemandObjection.objects.select_for_update(of=("self",))
        .select_related("demand__district")
        .filter(pk=V.pk(objection_id))
        .first()
    )
    if objection is None or not actor.covers({R.LEGAL_OFFICER}, objection.demand.district.code):
        raise NotFound()
    if objection.state != DemandObjection.PENDING:
        raise Conflict(_("该异议已裁定"), code="already_ruled")
    if decision not in ("DISMISS", "REASSIGN"):
        raise InvalidInput(_("裁定结果无效"), fields={"decision": "invalid"})
    ruling = V.text(ruling, _("裁定意见"), max_len=1000)
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("district")
        .get(pk=objection.demand_id)
    )
    new_dept = None
    if decision == "REASSIGN":
        new_dept = (
            Department.objects.filter(
                pk=V.pk(reassign_to_id or 0), district=demand.district, active=True
            )
            .exclude(pk=demand.handler_department_id or 0)
            .first()
        )
        if new_dept is None:
            raise InvalidInput(_("请选择改派的部门"), fields={"reassign_to": "required"})
        if demand.status != W.DISPATCHED:
            raise Conflict(_("诉求已办结，不能改派"), code="invalid_state")
    objection.state = DemandObjection.REASSIGNED if new_dept else DemandObjection.DISMISSED
    objection.ruled_by_id, objection.ruled_at, objection.ruling = actor.user_id, now, ruling
    objection.reassigned_to = new_dept
    if new_dept:
        _dispatch(
            demand, by_actor=actor, matter=demand.matter, department=new_dept, now=now, cal=cal
        )
        if amend_duty_list and demand.matter_id:
            objection.duty_list_amended = _amend_duty_list(actor, demand, new_dept, ruling, now)
    objection.save()
    _log(demand, "objection_ruled", _("派单异议已裁定：%(r)s") % {"r": ruling}, now, public=False)
    _audit(
        actor,
        "demand.objection_rule",
        demand,
        now,
        objection=objection.pk,
        decision=decision,
        ruling=ruling,
        reassigned_to=new_dept.code if new_dept else None,
        duty_list_amended=objection.duty_list_amended,
    )
    return objection


def _amend_duty_list(actor: Actor, demand: Demand, dept, ruling, now) -> bool:
    from shaobao.duties import services as DS
    from shaobao.duties.models import DutyList

    draft = DutyList.objects.filter(district=demand.district, status=DutyList.DRAFT).first()
    if draft is None:
        draft = DS.draft_create(
            actor=actor, district_id=demand.district_id, note=_("据派单异议裁定修订"), now=now
        )
    duty = draft.duties.filter(matter=demand.matter).first()
    fields = {
        "lead_department_id": dept.pk,
        "law": duty.law if duty else "",
        "article": duty.article if duty else "",
        "basis_text": (duty.basis_text + "\n" if duty and duty.basis_text else "")
        + _("裁定：")
        + ruling,
        "tier": duty.tier if duty else "",
        "closing_condition": duty.closing_condition if duty else "",
        "keywords": duty.keywords if duty else "",
        "community_role": duty.community_role if duty else "ASSIST",
        "assist_department_ids": [a.pk for a in duty.assist_departments.all() if a.pk != dept.pk]
        if duty
        else [],
    }
    DS.duty_save(
        actor=actor,
        duty_list_id=draft.pk,
        duty_id=duty.pk if duty else None,
        matter_id=demand.matter_id,
        now=now,
        **fields,
    )
    return True


@transaction.atomic
def appeal_raise(*, demand: Demand, reason, now):
    """The caller (already identified by the tracking page) contests the callback's record."""
    from shaobao.demands.models import Appeal

    demand = Demand.objects.select_for_update(of=("self",)).get(pk=demand.pk)
    callback = demand.callbacks.order_by("-version").first()
    if callback is None or not callback.reached:
        raise Conflict(_("还没有回访结果，无需申诉"), code="no_callback")
    if demand.appeals.filter(state=Appeal.PENDING).exists():
        raise Conflict(_("已有待复核的申诉"), code="appeal_pending")
    appeal = Appeal.objects.create(
        demand=demand,
        callback=callback,
        raised_at=now,
        reason=V.text(reason, _("申诉理由"), max_len=1000),
    )
    _log(demand, "appeal", _("来电人对回访结果提出申诉，热线将复核"), now)
    _audit(Actor(user_id=None, label=_("来电人")), "demand.appeal", demand, now, appeal=appeal.pk)
    return appeal


@transaction.atomic
def appeal_rule(
    *, actor: Actor, appeal_id, uphold: bool, ruling, solved=None, satisfaction="", now
):
    """Only the hotline reviews. Upheld: a new callback version with the corrected answers."""
    from shaobao.demands.models import Appeal

    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("demand__district")
        .filter(pk=V.pk(appeal_id))
        .first()
    )
    if appeal is None or not actor.covers({R.OPERATOR}, appeal.demand.district.code):
        raise NotFound()
    if appeal.state != Appeal.PENDING:
        raise Conflict(_("该申诉已复核"), code="already_ruled")
    ruling = V.text(ruling, _("复核意见"), max_len=1000)
    if uphold:
        if solved is None or satisfaction not in dict(Callback.SATISFACTION):
            raise InvalidInput(
                _("申诉成立时须给出更正后的是否解决和满意度"), fields={"satisfaction": "required"}
            )
        last = appeal.demand.callbacks.order_by("-version").first()
        Callback.objects.create(
            demand=appeal.demand,
            version=last.version + 1,
            reached=True,
            solved=solved,
            satisfaction=satisfaction,
            note=_("申诉复核更正：") + ruling,
            by_id=actor.user_id,
            at=now,
        )
    appeal.state = Appeal.UPHELD if uphold else Appeal.REJECTED
    appeal.ruled_by_id, appeal.ruled_at, appeal.ruling = actor.user_id, now, ruling
    appeal.save()
    _log(appeal.demand, "appeal_ruled", _("申诉已复核：%(r)s") % {"r": ruling}, now)
    _audit(
        actor,
        "demand.appeal_rule",
        appeal.demand,
        now,
        appeal=appeal.pk,
        uphold=uphold,
        solved=solved,
        satisfaction=satisfaction,
    )
    return appeal
