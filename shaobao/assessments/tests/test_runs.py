"""Runs freeze their inputs: reproducible, untouched by later edits, and every score drills down
to the items behind it."""

import datetime as dt

import pytest

from shaobao.assessments import indicators as I
from shaobao.assessments import runs as RUNS
from shaobao.assessments import schemes as SCHEMES
from shaobao.assessments.models import DemandFact, Result, Run, Scheme, SummonsFact
from shaobao.assessments.services import evaluation_submit
from shaobao.audit.services import verify
from shaobao.core.errors import Conflict, InvalidInput, PermissionDenied
from shaobao.demands import services as DS
from shaobao.testing.demands import handled
from shaobao.whistles import services as WS
from shaobao.whistles.tests.test_services import blow, lead_of

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)
NOV = dt.date(2026, 11, 1)


def verified_summons(world, actors, t0, cal, *, marks=(5, 4, 4)):
    w = blow(world, actors, t0, cal, summoned=[WS.SummonsSpec(world.depts["GHZY"].pk, "LEAD")])
    s = lead_of(w)
    WS.summons_acknowledge(
        actor=actors.gh_head,
        summons_id=s.pk,
        officer_ids=[world.users["gh_officer"].pk],
        now=t0 + 0.1 * H,
    )
    WS.summons_check_in(actor=actors.gh_officer, summons_id=s.pk, now=t0 + 0.2 * H)
    WS.summons_record_outcome(
        actor=actors.gh_officer, summons_id=s.pk, inspections=1, note="已处置", now=t0 + H
    )
    WS.summons_claim_completion(actor=actors.gh_officer, summons_id=s.pk, now=t0 + H)
    WS.summons_verify(actor=actors.commander, summons_id=s.pk, accept=True, now=t0 + 1.2 * H)
    evaluation_submit(
        actor=actors.commander,
        summons_id=s.pk,
        timeliness=marks[0],
        cooperation=marks[1],
        effectiveness=marks[2],
        now=t0 + 2 * H,
    )
    return s


@pytest.fixture
def history(world, actors, t0, cal):
    schemes = SCHEMES.ensure_defaults(actor=actors.assessor, district=world.district, now=t0)
    s = verified_summons(world, actors, t0, cal)
    on_time = handled(world, actors, t0, cal, contact_after=H, sat="SATISFIED", phone="13900000001")
    late = handled(world, actors, t0, cal, contact_after=300 * H, sat="BASIC", phone="13900000002")
    return {"dept": schemes[0], "town": schemes[1], "summons": s, "demands": [on_time, late]}


def result(run, unit):
    return Result.objects.get(run=run, unit=unit)


def test_run_freezes_scores_and_drills_down(world, actors, t0, history):
    run = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["dept"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 20 * 24 * H,
    )
    assert run.period_end == dt.date(2026, 11, 30) and run.label == "2026年11月"
    assert (run.summons_facts, run.demand_facts) == (1, 2)
    gh = result(run, world.depts["GHZY"].pk)
    ev = gh.detail["evaluation"]
    assert ev["den"] == 1 and ev["num"] == pytest.approx((5 + 4 + 4 - 3) / 12, abs=1e-4)
    assert gh.detail["checkin_on_time"] == {**gh.detail["checkin_on_time"], "num": 1, "den": 1}
    cg = result(run, world.depts["CGZF"].pk)
    assert cg.detail["response"]["num"] == 1 and cg.detail["response"]["den"] == 2
    # satisfaction: one satisfied + one basic × 0.8 over two rated callbacks
    assert cg.detail["satisfaction"]["num"] == pytest.approx(1.8)
    # every unit of the district has a row; units without data are not ranked
    assert Result.objects.filter(run=run).count() == len(world.depts)
    assert result(run, world.depts["SCJG"].pk).rank is None
    # drill-down: the facts behind each figure add up to it
    for r in Result.objects.filter(run=run):
        for conf in run.scheme.indicators:
            model = DemandFact if I.CATALOGUE[conf["code"]].facts == I.DEMAND else SummonsFact
            items = model.objects.filter(run=run, unit=r.unit).filter(I.denominator_q(conf))
            assert items.count() == r.detail[conf["code"]]["den"]
    assert RUNS.run_recompute(run) == (run.results_digest, True)
    assert verify().ok
    # the same request again within a minute (double submit, retry) gives the same draft
    again = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["dept"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 20 * 24 * H + dt.timedelta(seconds=20),
    )
    assert again.pk == run.pk and Run.objects.count() == 1


def test_published_run_is_untouched_by_later_edits(world, actors, t0, cal, history):
    later = t0 + 20 * 24 * H
    run = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["dept"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=later,
    )
    RUNS.run_publish(actor=actors.assessor, run_id=run.pk, now=later)
    before = {r.unit: (r.total, r.detail) for r in Result.objects.filter(run=run)}
    # the township corrects its evaluation; the hotline excludes a demand
    evaluation_submit(
        actor=actors.commander,
        summons_id=history["summons"].pk,
        timeliness=1,
        cooperation=1,
        effectiveness=1,
        correction_reason="核实后更正",
        now=later + H,
    )
    DS.demand_exclude(
        actor=actors.operator, demand_id=history["demands"][1].pk, reason="无理诉求", now=later
    )
    run.refresh_from_db()
    assert {r.unit: (r.total, r.detail) for r in Result.objects.filter(run=run)} == before
    assert RUNS.run_recompute(run) == (run.results_digest, True)
    # a new run of the same period sees the corrections and supersedes on publishing
    rerun = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["dept"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=later + 2 * H,
    )
    assert result(rerun, world.depts["GHZY"].pk).detail["evaluation"]["num"] == 0
    assert result(rerun, world.depts["CGZF"].pk).detail["response"]["den"] == 1
    assert rerun.results_digest != run.results_digest
    RUNS.run_publish(actor=actors.assessor, run_id=rerun.pk, now=later + 3 * H)
    run.refresh_from_db()
    assert run.state == Run.SUPERSEDED
    with pytest.raises(Conflict):
        RUNS.run_publish(actor=actors.assessor, run_id=rerun.pk, now=later + 3 * H)
    with pytest.raises(Conflict):
        RUNS.run_discard(actor=actors.assessor, run_id=run.pk, now=later + 3 * H)


def test_township_run_counts_whistles_and_demands_per_township(world, actors, t0, history):
    run = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["town"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 20 * 24 * H,
    )
    town = result(run, world.town.pk)
    assert town.detail["whistle_outcome"]["num"] == 1
    assert town.detail["evaluation_done"] == {**town.detail["evaluation_done"], "num": 1, "den": 1}
    # the demands went to a department, so no township is counted on the three rates
    assert town.detail["response"]["den"] == 0


def test_only_the_assessment_office_runs_and_bad_input_changes_nothing(world, actors, t0, history):
    now = t0 + 20 * 24 * H
    args = dict(scheme_id=history["dept"].pk, period=Run.MONTH, now=now)
    with pytest.raises(PermissionDenied):
        RUNS.run_create(actor=actors.commander, period_start=NOV, **args)
    with pytest.raises(InvalidInput):
        RUNS.run_create(actor=actors.assessor, period_start=dt.date(2026, 11, 2), **args)
    with pytest.raises(InvalidInput):
        RUNS.run_create(actor=actors.assessor, period_start=dt.date(2027, 1, 1), **args)
    draft = SCHEMES.scheme_save_draft(
        actor=actors.assessor,
        district_id=world.district.pk,
        subject=Scheme.DEPARTMENT,
        name="试行方案",
        indicators=[{"code": "evaluation", "weight": 1}],
        now=now,
    )
    with pytest.raises(Conflict):
        RUNS.run_create(
            actor=actors.assessor, scheme_id=draft.pk, period="MONTH", period_start=NOV, now=now
        )
    assert Run.objects.count() == 0 and DemandFact.objects.count() == 0


def test_scheme_versions_validate_and_never_change_once_published(world, actors, t0):
    def save(indicators, **kw):
        return SCHEMES.scheme_save_draft(
            actor=actors.assessor,
            district_id=world.district.pk,
            subject=Scheme.TOWNSHIP,
            name="街乡方案",
            indicators=indicators,
            now=t0,
            **kw,
        )

    for bad in (
        [],
        [{"code": "evaluation", "weight": 1}],  # a department indicator
        [{"code": "response", "weight": -1}],
        [{"code": "response", "weight": 1, "tolerance": 0.9}],
        [{"code": "response", "weight": 1, "exclude": {"whistle_kinds": ["ENFORCEMENT"]}}],
        [{"code": "response", "weight": 1, "exclude": {"kinds": ["NONSENSE"]}}],
        [{"code": "response", "weight": 1}, {"code": "response", "weight": 2}],
    ):
        with pytest.raises(InvalidInput):
            save(bad)
    assert Scheme.objects.count() == 0
    v1 = save([{"code": "response", "weight": 1, "exclude": {"kinds": ["CONSULTATION"]}}])
    v1b = save([{"code": "response", "weight": 2}])
    assert v1b.pk == v1.pk and v1b.version == 1  # one draft, edited in place
    SCHEMES.scheme_publish(actor=actors.assessor, scheme_id=v1.pk, now=t0)
    with pytest.raises(Conflict):
        SCHEMES.scheme_publish(actor=actors.assessor, scheme_id=v1.pk, now=t0)
    v2 = save([{"code": "satisfaction", "weight": 1}])
    assert v2.version == 2 and v2.pk != v1.pk
    v1.refresh_from_db()
    assert v1.indicators[0]["weight"] == 2.0
    assert v2.indicators[0]["basic_weight"] == 0.8
    with pytest.raises(PermissionDenied):
        SCHEMES.scheme_publish(actor=actors.commander, scheme_id=v2.pk, now=t0)


def test_recompute_ignores_units_created_after_the_run(world, actors, t0, history):
    from shaobao.org.models import Department

    run = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["dept"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 20 * 24 * H,
    )
    Department.objects.create(code="NEW", name="区新设局", district=world.district)
    Department.objects.filter(code="SCJG").update(active=False)
    assert RUNS.run_recompute(run) == (run.results_digest, True)


def test_far_periods_are_refused_not_crashed(world, actors, t0, history):
    for start in (dt.date(1, 1, 1), dt.date(9999, 1, 1)):
        with pytest.raises(InvalidInput):
            RUNS.run_create(
                actor=actors.assessor,
                scheme_id=history["dept"].pk,
                period=Run.YEAR,
                period_start=start,
                now=t0,
            )


def test_a_township_answers_only_for_the_whistles_it_blew(world, actors, t0, cal, history):
    # a department head whistles for other departments in the town (Pinggu's practice)
    w = blow(
        world,
        actors,
        t0,
        cal,
        actor=actors.cg_head,
        blown_by_department_id=world.depts["CGZF"].pk,
        summoned=[WS.SummonsSpec(world.depts["SW"].pk, "LEAD")],
        matter_id=None,
    )
    assert w.blown_by_department_id == world.depts["CGZF"].pk
    run = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["town"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 20 * 24 * H,
    )
    whistles = set(SummonsFact.objects.filter(run=run).values_list("whistle_id", flat=True))
    assert w.pk not in whistles and history["summons"].whistle_id in whistles
    dept = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["dept"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 20 * 24 * H,
    )
    assert SummonsFact.objects.filter(run=dept, whistle_id=w.pk).exists()  # SW is assessed on it
