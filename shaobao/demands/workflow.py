"""The demand (接诉即办) state machine as a pure table: (state, action) → next state, roles,
and which side acts (`hotline` or the `handler` the demand was dispatched to)."""

from __future__ import annotations

from dataclasses import dataclass

from shaobao.org import roles as R

RECEIVED, CLOSED_BY_ROUTE, DUPLICATE, DISPATCHED, RESPONDED, CLOSED = (
    "RECEIVED",
    "CLOSED_BY_ROUTE",
    "DUPLICATE",
    "DISPATCHED",
    "RESPONDED",
    "CLOSED",
)
HOTLINE = frozenset({R.OPERATOR})
HANDLER = frozenset(
    {
        R.DEPARTMENT_DISPATCHER,
        R.DEPARTMENT_OFFICER,
        R.TOWNSHIP_COMMANDER,
        R.TOWNSHIP_STAFF,
        R.DISTRICT_SUPERVISOR,
    }
)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None
    party: str
    roles: frozenset[str]


TRANSITIONS: tuple[Transition, ...] = (
    Transition("close_by_route", frozenset({RECEIVED}), CLOSED_BY_ROUTE, "hotline", HOTLINE),
    Transition("mark_duplicate", frozenset({RECEIVED}), DUPLICATE, "hotline", HOTLINE),
    Transition("dispatch", frozenset({RECEIVED}), DISPATCHED, "hotline", HOTLINE),
    Transition("redispatch", frozenset({DISPATCHED}), DISPATCHED, "hotline", HOTLINE),
    Transition("contact", frozenset({DISPATCHED}), None, "handler", HANDLER),
    Transition("respond", frozenset({DISPATCHED}), RESPONDED, "handler", HANDLER),
    # The hotline calls back at the deadline whether or not the handler has answered.
    Transition("callback", frozenset({DISPATCHED, RESPONDED}), CLOSED, "hotline", HOTLINE),
    Transition("exclude", frozenset({DISPATCHED, RESPONDED, CLOSED}), None, "hotline", HOTLINE),
)
_BY_KEY = {(s, t.action): t for t in TRANSITIONS for s in t.sources}


def transition(state: str, action: str) -> Transition | None:
    return _BY_KEY.get((state, action))
