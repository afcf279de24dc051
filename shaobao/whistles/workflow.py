"""The whistle-and-report state machines as pure tables. `docs/workflow.md` is rendered from here
(`shaobao workflow_doc`), and a test keeps the two in step.

A transition names the party that may take it:
* `department` — the summoned department (dispatcher = its head, officers);
* `whistler`   — the whistling township's command centre (or, for a whistle a department blew,
                 that department's dispatcher): it verifies and evaluates, never the doer (§4);
* `legal`      — the district legal affairs office (rules on objections);
* `district`   — the district supervisor (督办).
"""

from __future__ import annotations

from dataclasses import dataclass

from shaobao.org import roles as R

ISSUED, ACKNOWLEDGED, CHECKED_IN, CLAIMED, REWORK, VERIFIED, RELEASED, CANCELLED = (
    "ISSUED",
    "ACKNOWLEDGED",
    "CHECKED_IN",
    "CLAIMED",
    "REWORK",
    "VERIFIED",
    "RELEASED",
    "CANCELLED",
)
OPEN_STATES = frozenset({ISSUED, ACKNOWLEDGED, CHECKED_IN, CLAIMED, REWORK})
ENDED_STATES = frozenset({VERIFIED, RELEASED, CANCELLED})
DEPT = frozenset({R.DEPARTMENT_DISPATCHER, R.DEPARTMENT_OFFICER})
HEAD = frozenset({R.DEPARTMENT_DISPATCHER})
WHISTLER = frozenset({R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF, R.DEPARTMENT_DISPATCHER})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the state stays as it is
    party: str
    roles: frozenset[str]
    deadline: str = ""  # which deadline the action answers to, or sets


SUMMONS_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "acknowledge",
        frozenset({ISSUED}),
        ACKNOWLEDGED,
        "department",
        HEAD,
        "before report-by; names the officers",
    ),
    Transition(
        "check_in",
        frozenset({ACKNOWLEDGED}),
        CHECKED_IN,
        "department",
        DEPT,
        "before report-by; time and position recorded",
    ),
    Transition("record_outcome", frozenset({CHECKED_IN, REWORK}), None, "department", DEPT),
    Transition("clear_ledger_item", frozenset({CHECKED_IN, REWORK}), None, "department", DEPT),
    Transition(
        "claim_completion",
        frozenset({CHECKED_IN, REWORK}),
        CLAIMED,
        "department",
        DEPT,
        "before finish-by; ledger items of the department all cleared",
    ),
    Transition("verify_accept", frozenset({CLAIMED}), VERIFIED, "whistler", WHISTLER),
    Transition(
        "verify_reject",
        frozenset({CLAIMED}),
        REWORK,
        "whistler",
        WHISTLER,
        "reason required; finish-by unchanged",
    ),
    Transition(
        "object",
        frozenset({ISSUED, ACKNOWLEDGED, CHECKED_IN, REWORK}),
        None,
        "department",
        HEAD,
        "legal office rules within the objection time limit; the summons stays",
    ),
    Transition(
        "rule_dismiss",
        frozenset({ISSUED, ACKNOWLEDGED, CHECKED_IN, REWORK, CLAIMED}),
        None,
        "legal",
        frozenset({R.LEGAL_OFFICER}),
    ),
    Transition(
        "rule_reassign",
        frozenset({ISSUED, ACKNOWLEDGED, CHECKED_IN, REWORK, CLAIMED}),
        RELEASED,
        "legal",
        frozenset({R.LEGAL_OFFICER}),
        "the new department's summons gets fresh report-by and finish-by",
    ),
    Transition("supervise", OPEN_STATES, None, "district", frozenset({R.DISTRICT_SUPERVISOR})),
    Transition(
        "evaluate",
        frozenset({VERIFIED}),
        None,
        "whistler",
        frozenset({R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF, R.DEPARTMENT_DISPATCHER}),
    ),
    Transition(
        "cancel",
        OPEN_STATES,
        CANCELLED,
        "whistler",
        frozenset({R.TOWNSHIP_COMMANDER, R.DEPARTMENT_DISPATCHER}),
    ),
)

# The sweep's table: a summons in one of these states whose deadline has passed becomes overdue
# and is escalated to the district supervisor.
OVERDUE_RULES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("report_by_at", frozenset({ISSUED, ACKNOWLEDGED}), "report_overdue_at"),
    ("finish_by_at", frozenset({ISSUED, ACKNOWLEDGED, CHECKED_IN, REWORK}), "finish_overdue_at"),
)

# Whistle-level actions: action -> (party, roles).
WHISTLE_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "blow": (
        "whistler",
        frozenset({R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF, R.DEPARTMENT_DISPATCHER}),
    ),
    "launch": ("whistler", frozenset({R.TOWNSHIP_COMMANDER, R.DEPARTMENT_DISPATCHER})),
    "cancel": ("whistler", frozenset({R.TOWNSHIP_COMMANDER, R.DEPARTMENT_DISPATCHER})),
    "add_ledger_item": ("whistler", frozenset({R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF})),
    "create_campaign": ("whistler", frozenset({R.TOWNSHIP_COMMANDER})),
    "end_campaign": ("whistler", frozenset({R.TOWNSHIP_COMMANDER})),
    "create_routine": ("whistler", frozenset({R.TOWNSHIP_COMMANDER, R.TOWNSHIP_STAFF})),
}

_BY_KEY = {(src, t.action): t for t in SUMMONS_TRANSITIONS for src in t.sources}
_BY_ACTION = {t.action: t for t in SUMMONS_TRANSITIONS}


def transition(state: str, action: str) -> Transition | None:
    return _BY_KEY.get((state, action))


def spec(action: str) -> Transition:
    return _BY_ACTION[action]


def actions_from(state: str) -> list[str]:
    return [t.action for t in SUMMONS_TRANSITIONS if state in t.sources]


def whistle_closes(summons_states: list[str], uncleared_ledger_items: int) -> bool:
    """A whistle ends when every summons has ended, at least one was verified, and (ledger
    mode) every item is cleared."""
    return (
        bool(summons_states)
        and all(s in ENDED_STATES for s in summons_states)
        and any(s == VERIFIED for s in summons_states)
        and uncleared_ledger_items == 0
    )
