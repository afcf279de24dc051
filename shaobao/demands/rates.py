"""The three rates (三率) over a set of demands. Pure: the caller passes plain records, so the
definitions can be tested by hand and versioned in configuration.

Working definitions (domain.md §2, [L]): response = dispatched demands whose handler contacted the
caller by the deadline; resolution = callbacks where the caller says solved; satisfaction =
callbacks rated satisfied (basic satisfaction counted with `basic_weight`). Demands the hotline
ruled out of assessment, and duplicates, never count."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Record:
    dispatched: bool
    excluded: bool
    deadline_at: dt.datetime | None
    contacted_at: dt.datetime | None
    reached: bool | None  # the callback reached the caller (None: no callback)
    solved: bool | None
    satisfaction: str  # SATISFIED / BASIC / UNSATISFIED / ""


@dataclass(frozen=True)
class Rates:
    dispatched: int
    responded_on_time: int
    callbacks: int
    solved: int
    satisfied: float
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


def three_rates(records, *, basic_weight: float = 0.8) -> Rates:
    counted = [r for r in records if r.dispatched and not r.excluded]
    on_time = sum(
        1 for r in counted if r.contacted_at and r.deadline_at and r.contacted_at <= r.deadline_at
    )
    called = [r for r in counted if r.reached]
    solved = sum(1 for r in called if r.solved)
    rated = [r for r in called if r.satisfaction]
    weights = {"SATISFIED": 1.0, "BASIC": basic_weight, "UNSATISFIED": 0.0}
    satisfied = sum(weights[r.satisfaction] for r in rated)
    return Rates(
        dispatched=len(counted),
        responded_on_time=on_time,
        callbacks=len(called),
        solved=solved,
        satisfied=satisfied,
        response_rate=on_time / len(counted) if counted else None,
        resolution_rate=solved / len(called) if called else None,
        satisfaction_rate=satisfied / len(rated) if rated else None,
    )
