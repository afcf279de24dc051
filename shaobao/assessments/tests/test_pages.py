"""The ranking, drill-down and scheme pages: who sees what, exports that match the screen."""

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client

from shaobao.assessments import runs as RUNS
from shaobao.assessments import schemes as SCHEMES
from shaobao.assessments.models import Result, Run, Scheme
from shaobao.assessments.tests.test_runs import NOV, history  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def client_for(world, name):
    c = Client()
    c.force_login(world.users[name])
    return c


@pytest.fixture
def run(world, actors, t0, history):  # noqa: F811
    return RUNS.run_create(
        actor=actors.assessor,
        scheme_id=history["dept"].pk,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 20 * 24 * H,
    )


def test_draft_runs_only_for_the_assessment_office(world, run):
    assert client_for(world, "assessor").get(f"/assessments/runs/{run.pk}/").status_code == 200
    for name in ("commander", "gh_head", "supervisor"):
        assert client_for(world, name).get(f"/assessments/runs/{run.pk}/").status_code == 404
    client_for(world, "assessor").post(f"/assessments/runs/{run.pk}/publish")
    run.refresh_from_db()
    assert run.state == Run.PUBLISHED
    for name in ("commander", "gh_head", "supervisor"):
        page = client_for(world, name).get(f"/assessments/runs/{run.pk}/")
        assert page.status_code == 200 and "规划自然资源分局" in page.content.decode()
    assert client_for(world, "grid").get("/assessments/").status_code in (200, 403)
    citizenless = Client().get(f"/assessments/runs/{run.pk}/")
    assert citizenless.status_code == 302  # login first


def test_only_managers_publish_and_drill_down_is_scoped(world, run):
    gh = world.depts["GHZY"].pk
    cg = world.depts["CGZF"].pk
    client_for(world, "commander").post(f"/assessments/runs/{run.pk}/publish")
    run.refresh_from_db()
    assert run.state == Run.DRAFT  # a commander cannot publish (and cannot even see the draft)
    client_for(world, "assessor").post(f"/assessments/runs/{run.pk}/publish")
    head = client_for(world, "gh_head")
    assert head.get(f"/assessments/runs/{run.pk}/units/{gh}/").status_code == 200
    assert head.get(f"/assessments/runs/{run.pk}/units/{cg}/").status_code == 404
    sup = client_for(world, "supervisor")
    page = sup.get(f"/assessments/runs/{run.pk}/units/{cg}/?indicator=response&outcome=miss")
    assert page.status_code == 200
    body = page.content.decode()
    late = Result.objects.get(run=run, unit=cg).detail["response"]
    assert late["den"] - late["num"] == 1 and body.count("SQ0000000") == 1
    for bad in ("?indicator=nope", "?indicator=response&page=999", "?outcome=x"):
        assert sup.get(f"/assessments/runs/{run.pk}/units/{cg}/{bad}").status_code in (200, 404)


def test_export_matches_the_screen_and_pdf_renders(world, run):
    c = client_for(world, "assessor")
    xlsx = c.get(f"/assessments/runs/{run.pk}/results.xlsx")
    assert xlsx.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))[2:]
    results = {r.unit_name: r for r in Result.objects.filter(run=run)}
    assert len(rows) == len(results)
    for line in rows:
        r = results[line[1]]
        assert (line[0], line[2], line[3]) == (r.rank, r.total, r.volume)
    page = c.get(f"/assessments/runs/{run.pk}/").content.decode()
    ranked = [r for r in results.values() if r.rank]
    for r in ranked:
        assert f"<strong>{r.total}</strong>" in page
    pdf = c.get(f"/assessments/runs/{run.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_scheme_page_saves_a_draft_and_publishes_a_version(world, history):  # noqa: F811
    c = client_for(world, "assessor")
    assert c.get("/assessments/schemes/").status_code == 200
    form = {"name": "街乡考核方案（修订）", "note": "提高满意率权重"}
    for code, weight in (("response", 20), ("satisfaction", 50)):
        form |= {f"{code}-used": "1", f"{code}-weight": weight, f"{code}-min_volume": 5}
        form |= {f"{code}-prior": 20, f"{code}-tolerance": 0}
    form["satisfaction-basic_weight"] = "0.7"
    form["satisfaction-exclude-kinds"] = ["CONSULTATION"]
    c.post("/assessments/schemes/TOWNSHIP/draft", form)
    draft = Scheme.objects.get(subject="TOWNSHIP", published_at__isnull=True)
    assert draft.version == 2 and [i["code"] for i in draft.indicators] == [
        "response",
        "satisfaction",
    ]
    assert draft.indicators[1]["exclude"] == {"kinds": ["CONSULTATION"]}
    bad = dict(form, **{"response-weight": "lots"})
    c.post("/assessments/schemes/TOWNSHIP/draft", bad)
    draft.refresh_from_db()
    assert draft.indicators[0]["weight"] == 20  # the bad form changed nothing
    client_for(world, "commander").post(f"/assessments/schemes/{draft.pk}/publish")
    draft.refresh_from_db()
    assert draft.is_draft
    c.post(f"/assessments/schemes/{draft.pk}/publish")
    draft.refresh_from_db()
    assert not draft.is_draft


def test_new_run_from_the_page(world, history):  # noqa: F811
    c = client_for(world, "assessor")
    r = c.post(
        "/assessments/runs/new",
        {"subject": "TOWNSHIP", "period": "YEAR", "period_start": "2026-01-01"},
    )
    run = Run.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/assessments/runs/{run.pk}/")
    c.post(
        "/assessments/runs/new",
        {"subject": "TOWNSHIP", "period": "YEAR", "period_start": "2026-02-01"},
    )
    assert Run.objects.count() == 1
    assert (
        client_for(world, "commander")
        .post(
            "/assessments/runs/new",
            {"subject": "TOWNSHIP", "period": "YEAR", "period_start": "2026-01-01"},
        )
        .status_code
        == 403
    )


def test_ranking_and_drill_down_queries_do_not_grow_with_units(world, actors, t0, run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shaobao.org.models import Department

    c = client_for(world, "assessor")

    def count(url):
        with CaptureQueriesContext(connection) as q:
            assert c.get(url).status_code == 200
        return len(q.captured_queries)

    ranking = f"/assessments/runs/{run.pk}/"
    unit = f"/assessments/runs/{run.pk}/units/{world.depts['CGZF'].pk}/?indicator=response"
    before = (count(ranking), count(unit))
    for i in range(20):
        Department.objects.create(code=f"X{i}", name=f"新部门{i}", district=world.district)
    rerun = RUNS.run_create(
        actor=actors.assessor,
        scheme_id=run.scheme_id,
        period=Run.MONTH,
        period_start=NOV,
        now=t0 + 21 * 24 * H,
    )
    assert Result.objects.filter(run=rerun).count() == Result.objects.filter(run=run).count() + 20
    after = (
        count(f"/assessments/runs/{rerun.pk}/"),
        count(f"/assessments/runs/{rerun.pk}/units/{world.depts['CGZF'].pk}/?indicator=response"),
    )
    assert after == before and max(after) <= 20


def test_a_manager_of_two_districts_chooses_the_district(world, actors, t0):
    from shaobao.org.models import Jurisdiction, Membership

    other = Jurisdiction.objects.create(code="110105", name="朝阳区", level="DISTRICT")
    Membership.objects.create(user=world.users["admin"], role="admin", jurisdiction=other)
    from shaobao.org.scoping import actor_for

    admin = actor_for(type(world.users["admin"]).objects.get(pk=world.users["admin"].pk))
    SCHEMES.ensure_defaults(actor=admin, district=other, now=t0)
    SCHEMES.ensure_defaults(actor=admin, district=world.district, now=t0)
    c = client_for(world, "admin")
    page = c.get("/assessments/").content.decode()
    assert 'name="district"' in page and "朝阳区" in page
    c.post(
        "/assessments/runs/new",
        {
            "district": other.pk,
            "subject": "TOWNSHIP",
            "period": "MONTH",
            "period_start": "2026-11-01",
        },
    )
    assert Run.objects.get().district == other
    assert "朝阳区" in c.get(f"/assessments/schemes/?district={other.pk}").content.decode()
    # the assessor of Pinggu cannot choose Chaoyang
    client_for(world, "assessor").post(
        "/assessments/runs/new",
        {
            "district": other.pk,
            "subject": "TOWNSHIP",
            "period": "MONTH",
            "period_start": "2026-11-01",
        },
    )
    assert Run.objects.filter(district=world.district).count() == 1
