"""The asynchronous half of intake: demands stored by `services.demand_receive` (RECEIVED, with the
`intake_pending` marker) are placed, routed, checked for repeats and — when the router is
confident — dispatched, here, in the background worker.

`process_pending` claims a batch of pending demands with SELECT … FOR UPDATE SKIP LOCKED (on
PostgreSQL; SQLite has one writer anyway) and settles each inside the claiming transaction, in
its own savepoint: several workers may run at once and never take the same demand; a worker
killed mid-batch rolls back and releases its rows, which the next round takes again (no lease to
expire: the row lock *is* the claim). Clearing the marker is part of the same transaction as the
work, so a demand is settled exactly once. A demand whose settling raises is rolled back alone
(its savepoint and its audit entries), counted, and retried later with a back-off; the others in
the batch commit. The audit entries of the whole batch are chained at its end (audit.deferred),
so the chain-head lock that web requests also wait for is held only for the last moments.

Routing is done for the whole batch in one model call (`route_many`): the same combination of
the duty list's keyword rules and the classifier as `duties.routing.suggest`, without the word
explanations that only the operator's screen shows (a test keeps the two in agreement)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from shaobao.audit.services import deferred
from shaobao.core.workdays import WorkCalendar
from shaobao.demands import services as S
from shaobao.demands.models import Demand
from shaobao.duties.models import Duty, Matter
from shaobao.duties.routing import _rule_hits, active_model, duties_in_force
from shaobao.org.scoping import SYSTEM, Actor

log = logging.getLogger("shaobao.intake")

BATCH = 64
TOP_K = 3  # as duties.routing.suggest
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


@dataclass
class Route:
    """The router's answer as intake uses it: the top matter, its confidence, whether it is
    confident enough to dispatch by itself, and the duty that owns each matter."""

    version: str = ""
    matter: Matter | None = None
    confidence: float | None = None
    auto: bool = False


@dataclass
class DutyBook:
    """The duty list in force for one district, loaded once per batch."""

    duty_list: object | None
    duties: list[Duty]
    owner: dict[int, Duty]  # matter id → its duty (the lowest pk, as duties.selectors.owners_for)


def _duty_book(district_code: str, now: dt.datetime, cache: dict) -> DutyBook:
    if district_code not in cache:
        duty_list, duties = duties_in_force(district_code, now)
        owner: dict[int, Duty] = {}
        for d in sorted(duties, key=lambda d: d.pk):
            owner.setdefault(d.matter_id, d)
        cache[district_code] = DutyBook(duty_list, duties, owner)
    return cache[district_code]


def route_many(items: list[tuple[str, str, str]], *, now: dt.datetime, books: dict) -> list[Route]:
    """(text, subject, district code) → the top suggestion of each, with one model call for all.
    Mirrors duties.routing.suggest: the classifier's top TOP_K matters, then the matters whose
    duty keywords occur in the text (confidence 0 unless the model scored them), best first;
    `auto` when the model is loaded and the best reaches the threshold."""
    if not items:
        return []
    texts = [(t or "")[:4000] for t, _s, _d in items]
    subjects = [(s or "")[:200] for _t, s, _d in items]
    rv, model = active_model()
    preds = model.predict(texts, subjects) if model is not None else [None] * len(items)
    threshold = 1.0
    if model is not None:
        threshold = settings.SHAOBAO.get("ROUTER_AUTO_THRESHOLD") or rv.threshold
    codes = {label for p in preds if p is not None for label, _p in p.top[:TOP_K]}
    matters = {m.code: m for m in Matter.objects.filter(code__in=codes)} if codes else {}
    out = []
    for text, subject, (_t, _s, district_code), pred in zip(
        texts, subjects, items, preds, strict=True
    ):
        book = _duty_book(district_code, now, books)
        by_matter = {d.matter_id: d for d in book.duties}
        hits = _rule_hits(subject + text, book.duties)
        scored: dict[str, float] = {}
        if pred is not None:
            for label, p in pred.top[:TOP_K]:
                scored[label] = float(p)
        known = dict(matters)
        for matter_id in hits:
            m = by_matter[matter_id].matter
            known.setdefault(m.code, m)
            scored.setdefault(m.code, 0.0)
        ranked = [
            (known[code], conf)
            for code, conf in sorted(scored.items(), key=lambda x: -x[1])
            if code in known
        ]
        if not ranked:
            out.append(Route(version=rv.version if rv else ""))
            continue
        top, conf = ranked[0]
        out.append(
            Route(
                version=rv.version if rv else "",
                matter=top,
                confidence=round(conf, 4),
                # on the unrounded confidence, as the threshold was chosen
                auto=model is not None and conf >= threshold,
            )
        )
    return out


def immediate_constraints() -> None:
    """PostgreSQL checks foreign keys (DEFERRABLE INITIALLY DEFERRED, as Django creates them) at
    COMMIT — i.e. after audit.deferred has taken the chain-head lock. A key check waits for any
    row lock on the referenced row (a repeat's original locked by another worker's batch, a
    demand an operator is changing), so two transactions could each hold what the other needs:
    a deadlock. Checked at each statement instead, those waits come before the chain head."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")


# After this many failed attempts a demand is left to the operators (still RECEIVED, listed
# with the other undispatched demands; its error kept in intake_error).
MAX_ATTEMPTS = 8


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempts - 1)))


def _claim(now: dt.datetime, batch: int) -> list[Demand]:
    return list(
        Demand.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(intake_pending=True)
        .filter(Q(intake_retry_at__isnull=True) | Q(intake_retry_at__lte=now))
        .select_related("district", "township")
        .order_by("pk")[:batch]
    )


def _hints(demands: list[Demand]) -> dict[int, Matter]:
    """The service the caller chose, where the channel has one (Open311)."""
    from shaobao.open311.models import Open311Request

    ids = [d.pk for d in demands if d.source == "OPEN311"]
    if not ids:
        return {}
    rows = Open311Request.objects.filter(demand_id__in=ids).select_related("matter")
    return {r.demand_id: r.matter for r in rows}


class Places:
    """Placement for a batch: the district's grid, community and township outlines (their
    bounding boxes and jurisdictions, without geometry) read once, the prepared geometry from
    the places cache. Answers what places.selectors.locate + place_chain answer, without two
    queries per demand."""

    def __init__(self):
        self._rows: dict[str, list] = {}
        self._by_code: dict[str, object] = {}

    def _load(self, district_code: str) -> list:
        if district_code not in self._rows:
            from shaobao.places.models import Boundary
            from shaobao.places.selectors import PLACE_LEVELS

            rows = list(
                Boundary.objects.filter(
                    jurisdiction__code__startswith=district_code,
                    jurisdiction__active=True,
                    jurisdiction__level__in=PLACE_LEVELS,
                )
                .select_related("jurisdiction")
                .defer("geometry")
            )
            rows.sort(key=lambda b: (-len(b.jurisdiction.code), b.jurisdiction.code))
            self._rows[district_code] = rows
            self._by_code.update({b.jurisdiction.code: b.jurisdiction for b in rows})
        return self._rows[district_code]

    def place(self, lat: float, lng: float, district_code: str, township):
        """(place, township) as services._place answers them."""
        import math

        import shapely

        from shaobao.places.selectors import _prepared, place_chain

        if not (math.isfinite(lat) and math.isfinite(lng)):
            return None, township
        rows = [
            b
            for b in self._load(district_code)
            if b.min_lat <= lat <= b.max_lat and b.min_lng <= lng <= b.max_lng
        ]
        found = None
        if rows:
            geoms = _prepared(rows)
            point = shapely.Point(lng, lat)
            found = next(
                (b.jurisdiction for b in rows if geoms.get(b.pk) and geoms[b.pk].covers(point)),
                None,
            )
        if found is None:
            return None, township
        codes = [found.code[:n] for n in (15, 12, 9) if len(found.code) >= n]
        if all(c in self._by_code for c in codes):
            by_len = {len(c): self._by_code[c] for c in codes}
            grid, community, town = by_len.get(15), by_len.get(12), by_len.get(9)
        else:
            grid, community, town, _d = place_chain(found)
        return grid or community, township or town


def settle(
    demand: Demand,
    *,
    route: Route,
    hint: Matter | None,
    book: DutyBook | None,
    places: Places | None = None,
    candidates: S.RepeatCandidates | None = None,
    actor: Actor = SYSTEM,
    now: dt.datetime,
    cal: WorkCalendar,
) -> str:
    """One claimed demand: place, routing fields, then (if nobody has acted on it meanwhile)
    repeat check and auto-dispatch as at synchronous intake; clears the marker, all in one
    UPDATE and one audit entry: `demand.duplicate`, `demand.dispatch` or — left for the
    operator — `demand.route`, each with the routing data. Answers the outcome: "duplicate",
    "dispatched", "received" or "handled" (an operator acted first)."""
    dirty = ["intake_pending", "intake_retry_at", "intake_error"]
    dirty += ["router_version", "router_matter", "router_confidence"]
    if demand.lat is not None and demand.place_id is None:
        if places is not None:
            place, township = places.place(
                demand.lat, demand.lng, demand.district.code, demand.township
            )
        else:
            place, township = S._place(
                demand.lat, demand.lng, demand.district.code, demand.township
            )
        demand.place, demand.township = place, township
        dirty += ["place", "township"]
    demand.router_version = route.version
    demand.router_matter = route.matter
    demand.router_confidence = route.confidence
    demand.intake_pending, demand.intake_retry_at, demand.intake_error = False, None, ""
    data = {
        "intake": "settled",
        "router_version": route.version,
        "router_matter": route.matter.code if route.matter else None,
        "router_confidence": route.confidence,
        "router_auto": route.auto,
        "place": demand.place.code if demand.place_id else None,
        "township": demand.township.code if demand.township_id else None,
    }
    outcome = "handled"
    if demand.status == Demand.RECEIVED and demand.dispatched_at is None:
        owners = None
        if route.matter is not None and book is not None and book.duty_list is not None:
            owners = (book.owner.get(route.matter.pk), book.duty_list)
        outcome = S._settle(
            demand,
            actor=actor,
            matter=route.matter,
            auto=route.auto,
            hint=hint,
            since=demand.created_at,
            owners=owners,
            dirty=dirty,
            audit_data=data,
            candidates=candidates,
            now=now,
            cal=cal,
        )
    else:  # an operator was quicker: routing is recorded, nothing else changes
        demand.save(update_fields=dirty)
    if outcome in ("received", "handled"):
        S._audit(actor, "demand.route", demand, now, **data)
    return outcome


def process_pending(*, now: dt.datetime, cal: WorkCalendar, batch: int = BATCH) -> dict:
    """Claim and settle one batch of pending demands; answers counts per outcome (and "failed").
    Each call is one transaction; run it until it answers nothing (`drain`).

    The batch is first settled in one savepoint. Only if a demand of it raises is that pass
    rolled back (with its audit entries) and the batch settled again one demand per savepoint,
    so that the failing one is rolled back alone and retried later. A savepoint costs two
    statements (SAVEPOINT, RELEASE) per demand, a quarter of what settling one costs; failures
    are rare, so the common batch does not pay for them."""
    with transaction.atomic(), deferred():
        immediate_constraints()
        demands = _claim(now, batch)
        if not demands:
            return {}
        hints = _hints(demands)
        books: dict = {}
        places = Places()
        try:
            routes = route_many(
                [(d.text, d.subject, d.district.code) for d in demands], now=now, books=books
            )
        except Exception:  # one text must not stop the batch: route them one by one below
            log.exception("routing a batch of %s demands failed", len(demands))
            routes = [None] * len(demands)
        shared = dict(hints=hints, books=books, places=places, now=now, cal=cal)
        try:
            with transaction.atomic(), deferred():
                return _settle_batch(demands, routes, isolate=False, **shared)
        except Exception:
            log.info("a demand of a batch of %s failed: settling them one by one", len(demands))
        # the rolled-back pass changed the rows in memory: read them again (still locked by us)
        demands = list(
            Demand.objects.filter(pk__in=[d.pk for d in demands])
            .select_related("district", "township")
            .order_by("pk")
        )
        return _settle_batch(demands, routes, isolate=True, **shared)


def _settle_batch(demands, routes, *, isolate, hints, books, places, now, cal) -> dict:
    """Settle claimed demands in order. With `isolate`, each in its own savepoint: one that raises
    is rolled back alone and marked for a retry with back-off (or given up); without, the first
    error propagates."""
    counts: dict[str, int] = {}
    # the townships' repeat candidates, read once and shared by the batch's repeat checks
    candidates = S.RepeatCandidates(phones={d.caller_phone for d in demands})
    for d, route in zip(demands, routes, strict=True):

        def one(d=d, route=route):
            if route is None:
                route = route_many([(d.text, d.subject, d.district.code)], now=now, books=books)[0]
            return settle(
                d,
                route=route,
                hint=hints.get(d.pk),
                book=_duty_book(d.district.code, now, books),
                places=places,
                candidates=candidates,
                now=now,
                cal=cal,
            )

        if not isolate:
            outcome = one()
        else:
            try:
                with transaction.atomic(), deferred():
                    outcome = one()
            except Exception as exc:
                log.exception("intake of demand %s failed", d.pk)
                _failed(d, exc, now)
                counts["failed"] = counts.get("failed", 0) + 1
                continue
        # settled: a candidate for the rest of the batch
        if d.duplicate_of_id is None and d.status not in S.CLOSED_STATES:
            candidates.add(d)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _failed(d: Demand, exc: Exception, now: dt.datetime) -> None:
    attempts = d.intake_attempts + 1
    give_up = attempts >= MAX_ATTEMPTS
    if give_up:  # left RECEIVED for the operators, with the error, not retried
        log.error("intake of demand %s given up after %s attempts", d.pk, attempts)
    Demand.objects.filter(pk=d.pk).update(
        intake_attempts=F("intake_attempts") + 1,
        intake_pending=not give_up,
        intake_retry_at=None if give_up else now + _backoff(attempts),
        intake_error=f"{type(exc).__name__}: {exc}"[:500],
    )


def drain(*, now_fn, cal: WorkCalendar, batch: int = BATCH, max_batches: int | None = None) -> int:
    """Settle pending demands until none is due (or `max_batches`); answers how many were
    settled (failures not counted). What `worker --once` and the tests run."""
    total, rounds = 0, 0
    while max_batches is None or rounds < max_batches:
        counts = process_pending(now=now_fn(), cal=cal, batch=batch)
        rounds += 1
        done = sum(n for k, n in counts.items() if k != "failed")
        total += done
        if not done:
            return total
    return total


def pending_count() -> int:
    return Demand.objects.filter(intake_pending=True).count()
