"""The router inside the system: retraining from decided cases, suggestions that combine the
duty list's keywords with the classifier, and the version stored on each decision."""

import pytest
from django.test import Client

from shaobao.core.errors import InvalidInput
from shaobao.duties.models import RouterVersion
from shaobao.duties.routing import retrain, suggest
from shaobao.org.scoping import SYSTEM
from shaobao.problems.models import Problem
from shaobao.problems.services import problem_create, problem_triage

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(decided_history):
    return decided_history


def test_retrain_refuses_without_history(world, t0, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with pytest.raises(InvalidInput):
        retrain(now=t0, actor=SYSTEM)


def test_retrain_then_suggest_with_owners_confidence_and_reasons(history, actors, t0):
    rv = retrain(now=t0, actor=SYSTEM)
    assert rv.active and rv.rows == 72 and set(rv.labels) == {"CX-WJ-01", "CX-HJ-01", "SW-HD-01"}
    r = suggest(text="河道里被人倾倒了大量渣土", subject="河道渣土", district_code="110117", now=t0)
    assert r.version == rv.version
    top = r.suggestions[0]
    assert top.matter.code == "SW-HD-01" and 0 < top.confidence <= 1
    assert top.lead == "区水务局" and top.assists == ["区城市管理综合行政执法局"]
    assert any("模型依据" in reason for reason in top.reasons)
    assert [s.confidence for s in r.suggestions] == sorted(
        (s.confidence for s in r.suggestions), reverse=True
    )


def test_duty_keywords_are_rules(world, t0):
    duty = world.duty_list.duties.get(matter=world.matters["SC-SP-01"])
    duty.keywords = "无证经营 黑作坊"
    duty.save()
    r = suggest(text="村口有个黑作坊", district_code="110117", now=t0)  # no model trained yet
    assert [s.matter.code for s in r.suggestions] == ["SC-SP-01"]
    assert "黑作坊" in r.suggestions[0].reasons[0] and not r.auto and r.version == ""


def test_triage_stores_the_version_that_suggested(history, actors, t0):
    rv = retrain(now=t0, actor=SYSTEM)
    p = problem_create(
        actor=actors.staff,
        township_id=history.town.pk,
        title="垃圾",
        description="小区门口垃圾成堆无人清运",
        address="x",
        now=t0,
    )
    problem_triage(
        actor=actors.commander, problem_id=p.pk, matter_id=history.matters["CX-HJ-01"].pk, now=t0
    )
    p.refresh_from_db()
    assert p.router_version == rv.version and p.router_matter.code == "CX-HJ-01"
    assert Problem.objects.filter(router_version=rv.version).count() == 1


def test_retraining_makes_a_new_active_version_and_keeps_the_old(history, actors, t0):
    first = retrain(now=t0, actor=SYSTEM)
    p = problem_create(
        actor=actors.staff,
        township_id=history.town.pk,
        title="违建",
        description="屋顶私搭乱建彩钢房一处",
        address="x",
        now=t0,
    )
    problem_triage(
        actor=actors.commander, problem_id=p.pk, matter_id=history.matters["CX-WJ-01"].pk, now=t0
    )
    second = retrain(now=t0, actor=SYSTEM)
    first.refresh_from_db()
    assert second.active and not first.active and RouterVersion.objects.count() == 2


def test_suggest_api(history, t0):
    retrain(now=t0, actor=SYSTEM)
    c = Client()
    c.force_login(history.users["commander"])
    r = c.post(
        "/api/v1/router/suggest",
        {"text": "院子里违法加盖了二层", "subject": "违建"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["suggestions"][0]["matter_code"] == "CX-WJ-01"


def test_an_unreadable_model_falls_back_to_the_duty_list(history, t0, caplog):
    """A model file this code cannot read (e.g. trained before an upgrade that changed the
    format) never breaks routing: suggestions come from the duty list's keywords, nothing is
    dispatched automatically, and `check --database default` names the problem (W003)."""
    from django.core import checks

    from shaobao.core.checks import router_model_is_usable
    from shaobao.duties import routing

    rv = retrain(now=t0, actor=SYSTEM)
    assert router_model_is_usable(None, databases=["default"]) == []
    with open(rv.path, "wb") as f:
        f.write(b"not a model")
    routing._load.cache_clear()
    assert routing.active_model() == (None, None)
    assert "router_retrain" in caplog.text
    duty = history.duty_list.duties.get(matter=history.matters["SW-HD-01"])
    duty.keywords = "河道 渣土"
    duty.save()
    r = suggest(text="河道里被人倾倒了大量渣土", subject="", district_code="110117", now=t0)
    assert r.version == "" and not r.auto
    assert r.suggestions and r.suggestions[0].matter.code == "SW-HD-01"
    found = router_model_is_usable(None, databases=["default"])
    assert [w.id for w in found] == ["shaobao.W003"] and isinstance(found[0], checks.Warning)
    assert router_model_is_usable(None, databases=None) == []  # only with --database
    routing._load.cache_clear()
