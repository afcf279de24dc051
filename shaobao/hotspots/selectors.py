"""Reads for the hot spots page: the current hot spots in the viewer's scope, their example
demands (number and text only, never the caller), and the monthly topic candidates (每月一题)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    FloatField,
    Max,
    OuterRef,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from shaobao.demands.models import Callback, Demand
from shaobao.duties.models import Matter
from shaobao.hotspots.models import DetectionRun, HotSpot
from shaobao.hotspots.services import counted_demands_all
from shaobao.org.models import Jurisdiction


def latest_window_end(district_codes) -> dt.date | None:
    return DetectionRun.objects.filter(district__code__in=district_codes).aggregate(
        m=Max("window_end")
    )["m"]


def current(visible, window_end: dt.date | None):
    """Open hot spots still hot at the last detection."""
    if window_end is None:
        return HotSpot.objects.none()
    return (
        visible.filter(state=HotSpot.OPEN, window_end=window_end)
        .select_related("place", "matter", "township")
        .order_by("-ratio", "-count", "pk")
    )


def recently_decided(visible, since: dt.datetime):
    return (
        visible.filter(decided_at__gte=since)
        .exclude(state=HotSpot.OPEN)
        .select_related("place", "matter", "township", "problem", "whistle")
        .order_by("-decided_at", "-pk")
    )


@dataclass(frozen=True)
class Example:
    pk: int
    number: str
    text: str
    created_at: dt.datetime
    visible: bool


def examples_for(hotspots, visible_demands) -> dict[int, list[Example]]:
    """The example demands of several hot spots in two queries: their subject or a text excerpt
    (the excerpt only for demands the viewer may open), and whether the viewer may open them.
    Caller names and phones are never read."""
    ids = {pk for h in hotspots for pk in h.examples}
    if not ids:
        return {}
    rows = {
        d["pk"]: d
        for d in Demand.objects.filter(pk__in=ids).values("pk", "subject", "text", "created_at")
    }
    openable = set(visible_demands.filter(pk__in=ids).values_list("pk", flat=True))
    out = {}
    for h in hotspots:
        out[h.pk] = [
            Example(
                pk=pk,
                number=f"SQ{pk:09d}",
                # the citizen's own words (which may carry names and numbers) only to those
                # who may open the demand; others see its subject line
                text=(
                    (rows[pk]["subject"] or rows[pk]["text"])
                    if pk in openable
                    else rows[pk]["subject"]
                )[:60],
                created_at=rows[pk]["created_at"],
                visible=pk in openable,
            )
            for pk in h.examples
            if pk in rows
        ]
    return out


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    h: int
    n: int
    day: dt.date


def sparkline(h: HotSpot, days: int = 28, height: int = 24, width: int = 4) -> list[Bar]:
    """Bars for the last `days` days of a hot spot's daily counts (oldest first)."""
    series = list(h.daily)[-days:]
    top = max(series or [0]) or 1
    first = h.window_end - dt.timedelta(days=len(series) - 1)
    bars = []
    for i, n in enumerate(series):
        bh = max(1, round(n / top * height)) if n else 1  # an empty day: a faint tick
        bars.append(
            Bar(
                x=i * (width + 1),
                y=height - bh,
                h=bh,
                n=n,
                day=first + dt.timedelta(days=i),
            )
        )
    return bars


def weekly(h: HotSpot, weeks: int = 4) -> list[int]:
    """Counts of the last `weeks` 7-day periods ending with the window (oldest first)."""
    series = list(h.daily)
    return [
        sum(series[max(0, len(series) - 7 * (k + 1)) : len(series) - 7 * k])
        for k in reversed(range(weeks))
    ]


# ------------------------------------------------------------------------- monthly topics


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first_this = today.replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return last.replace(day=1), last


@dataclass(frozen=True)
class Topic:
    matter: Matter
    count: int
    townships: int
    previous: int
    change: float | None  # vs the previous month; None when it had none
    rated: int
    satisfaction_rate: float | None


def monthly_topics(district: Jurisdiction, *, today: dt.date, limit: int = 10) -> dict:
    """每月一题 candidates: matters ranked by demands (repeats not counted) across the district
    over the last full month, with the townships they touched, the change from the month before
    and the satisfaction of their callbacks (the latest callback of each demand, basic
    satisfaction weighted as in the three rates). Counted in the database: three queries."""
    start, end = last_full_month(today)
    prev_start, prev_end = last_full_month(start)
    weight = settings.SHAOBAO["RATES"]["basic_weight"]
    month = counted_demands_all(district, start, end)
    rows = list(
        month.values("topic")
        .annotate(n=Count("pk"), townships=Count("township", distinct=True))
        .order_by("-n", "topic")[:limit]
    )
    topics = [r["topic"] for r in rows]
    # satisfaction of the top topics only, from each demand's latest callback (an anti-join,
    # not a correlated subquery per demand: a month is ~170,000 demands in a large district)
    newer = Callback.objects.filter(
        demand_id=OuterRef("demand_id"), version__gt=OuterRef("version")
    )
    rated = {
        r["topic"]: r
        for r in Callback.objects.filter(
            demand__in=month.filter(topic__in=topics).values("pk"), reached=True
        )
        .exclude(satisfaction="")
        .exclude(Exists(newer))
        .values(topic=Coalesce("demand__matter_id", "demand__router_matter_id"))
        .annotate(
            rated=Count("pk"),
            satisfied=Sum(
                Case(
                    When(satisfaction="SATISFIED", then=Value(1.0)),
                    When(satisfaction="BASIC", then=Value(weight)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            ),
        )
        .order_by()
    }
    for r in rows:
        r["rated"] = rated.get(r["topic"], {}).get("rated", 0)
        r["satisfied"] = rated.get(r["topic"], {}).get("satisfied", 0.0)
    previous = dict(
        counted_demands_all(district, prev_start, prev_end)
        .filter(topic__in=topics)
        .values("topic")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("topic", "n")
    )
    matters = Matter.objects.in_bulk(topics)
    out = []
    for r in rows:
        prev = previous.get(r["topic"], 0)
        out.append(
            Topic(
                matter=matters[r["topic"]],
                count=r["n"],
                townships=r["townships"],
                previous=prev,
                change=(r["n"] - prev) / prev if prev else None,
                rated=r["rated"],
                satisfaction_rate=(r["satisfied"] or 0.0) / r["rated"] if r["rated"] else None,
            )
        )
    return {"month": start, "previous_month": prev_start, "topics": out}
