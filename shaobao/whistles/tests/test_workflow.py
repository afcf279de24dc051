"""The transition table itself: pure tests, and the rendered docs/workflow.md kept in step."""

from pathlib import Path

from django.conf import settings

from shaobao.whistles import workflow as W
from shaobao.whistles.docs import render_workflow
from shaobao.whistles.models import Summons


def test_every_state_is_known_and_every_open_state_can_move_on():
    states = {code for code, _ in Summons.STATES}
    for t in W.SUMMONS_TRANSITIONS:
        assert t.sources <= states and (t.target is None or t.target in states)
    for state in W.OPEN_STATES:
        assert any(
            t.target and t.target != state for t in W.SUMMONS_TRANSITIONS if state in t.sources
        )


def test_ended_states_accept_nothing_but_evaluation():
    for state in W.ENDED_STATES:
        assert set(W.actions_from(state)) <= {"evaluate"}


def test_stay_rule_only_verification_ends_a_summons_by_the_department():
    enders = {t.action for t in W.SUMMONS_TRANSITIONS if t.target in W.ENDED_STATES}
    assert enders == {"verify_accept", "rule_reassign", "cancel"}
    for t in W.SUMMONS_TRANSITIONS:
        if t.target in W.ENDED_STATES:
            assert t.party != "department"


def test_whistle_closes_only_when_everything_has_ended():
    assert W.whistle_closes(["VERIFIED", "RELEASED"], 0)
    assert not W.whistle_closes(["VERIFIED", "CLAIMED"], 0)
    assert not W.whistle_closes(["VERIFIED"], 1)
    assert not W.whistle_closes(["CANCELLED"], 0)
    assert not W.whistle_closes([], 0)


def test_docs_workflow_md_is_current():
    path = Path(settings.BASE_DIR) / "docs" / "workflow.md"
    assert path.read_text(encoding="utf-8") == render_workflow(), "run `shaobao workflow_doc`"
