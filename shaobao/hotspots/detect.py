"""Hot spots (热点): where a matter suddenly draws many more demands than usual. Pure: the caller
passes counts per (place, matter, day), so the rule can be checked by hand.

The window is the `window_days` full days before `today` (today itself is still filling up, so a
run in the morning and one in the evening agree). The baseline is the mean count per window over
the `baseline_weeks` weeks before the window. A (place, matter) is hot when

    count >= min_count  and  count / (baseline + 1) >= min_ratio

(the +1 keeps a place that never had a demand from dividing by zero, and lets a burst in a new
place count). Grids are checked first; a community is reported when its grids (and demands placed
on the community itself) pass together although none of its grids does alone, so the same demands
are never reported twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

GRID_LEN, COMMUNITY_LEN = 15, 12


@dataclass(frozen=True)
class Params:
    window_days: int = 7
    baseline_weeks: int = 4
    min_count: int = 5
    min_ratio: float = 2.0

    @classmethod
    def from_config(cls, cfg: dict | None) -> Params:
        cfg = cfg or {}
        p = cls(
            window_days=int(cfg.get("window_days", cls.window_days)),
            baseline_weeks=int(cfg.get("baseline_weeks", cls.baseline_weeks)),
            min_count=int(cfg.get("min_count", cls.min_count)),
            min_ratio=float(cfg.get("min_ratio", cls.min_ratio)),
        )
        if p.window_days < 1 or p.baseline_weeks < 1 or p.min_count < 1 or p.min_ratio <= 0:
            raise ValueError(f"invalid hot spot parameters: {p}")
        return p


@dataclass(frozen=True)
class Span:
    baseline_start: dt.date
    window_start: dt.date
    window_end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.window_end - self.baseline_start).days + 1


def span(today: dt.date, params: Params) -> Span:
    window_end = today - dt.timedelta(days=1)
    window_start = window_end - dt.timedelta(days=params.window_days - 1)
    baseline_start = window_start - dt.timedelta(days=7 * params.baseline_weeks)
    return Span(baseline_start, window_start, window_end)


@dataclass(frozen=True)
class Cluster:
    place: str  # a grid's (15) or a community's (12) code
    matter: Hashable
    window_start: dt.date
    window_end: dt.date
    count: int
    baseline: float  # expected count per window, from the baseline weeks
    ratio: float  # count / (baseline + 1)
    daily: tuple[int, ...]  # one count per day, baseline_start .. window_end
    places: tuple[str, ...]  # the codes whose demands make it up (a community: its grids)

    @property
    def level(self) -> str:
        return "GRID" if len(self.place) == GRID_LEN else "COMMUNITY"


def _series(days: dict[dt.date, int], s: Span) -> tuple[int, ...]:
    return tuple(days.get(s.baseline_start + dt.timedelta(days=i), 0) for i in range(s.days))


def _judge(place, matter, series, places, s: Span, p: Params) -> Cluster | None:
    base_days = 7 * p.baseline_weeks
    count = sum(series[base_days:])
    baseline = sum(series[:base_days]) * p.window_days / base_days
    ratio = count / (baseline + 1)
    if count < p.min_count or ratio < p.min_ratio:
        return None
    return Cluster(
        place=place,
        matter=matter,
        window_start=s.window_start,
        window_end=s.window_end,
        count=count,
        baseline=round(baseline, 2),
        ratio=round(ratio, 2),
        daily=series,
        places=tuple(sorted(places)),
    )


def detect(
    counts: Iterable[tuple[str, Hashable, dt.date, int]], *, today: dt.date, params: Params
) -> list[Cluster]:
    """Hot spots among `counts` (place code, matter, day, n). Places other than grids and
    communities, and days outside baseline + window, are ignored. Hottest first."""
    s = span(today, params)
    by_place: dict[tuple[str, Hashable], dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for place, matter, day, n in counts:
        if len(place) not in (GRID_LEN, COMMUNITY_LEN) or not (
            s.baseline_start <= day <= s.window_end
        ):
            continue
        by_place[(place, matter)][day] += n
    found: list[Cluster] = []
    hot_communities = set()
    community: dict[tuple[str, Hashable], dict[dt.date, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    members: dict[tuple[str, Hashable], set[str]] = defaultdict(set)
    for (place, matter), days in sorted(by_place.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        key = (place[:COMMUNITY_LEN], matter)
        for day, n in days.items():
            community[key][day] += n
        series = _series(days, s)
        if any(series[7 * params.baseline_weeks :]):
            members[key].add(place)
        if len(place) == GRID_LEN:
            c = _judge(place, matter, series, {place}, s, params)
            if c is not None:
                found.append(c)
                hot_communities.add(key)
    for key, days in sorted(community.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        if key in hot_communities:
            continue  # its hot grid already reports these demands
        c = _judge(key[0], key[1], _series(days, s), members[key], s, params)
        if c is not None:
            found.append(c)
    found.sort(key=lambda c: (-c.ratio, -c.count, c.place, str(c.matter)))
    return found
