"""Assessment runs over the API: scoped reads, the office computes a run (idempotently)."""

import pytest

from shaobao.assessments import schemes as SCHEMES
from shaobao.assessments.models import Run

pytestmark = pytest.mark.django_db


def test_runs_over_the_api(world, actors, t0, api_client):
    SCHEMES.ensure_defaults(actor=actors.assessor, district=world.district, now=t0)
    office = api_client("assessor")
    body = {
        "district_code": "110117",
        "subject": "TOWNSHIP",
        "period": "MONTH",
        "period_start": "2026-11-01",
    }
    r = office.post(
        "/api/v1/assessments/runs",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="run-2026-11",
    )
    assert r.status_code == 201, r.content
    run = r.json()
    assert run["state"] == "DRAFT" and run["district_code"] == "110117"
    again = office.post(
        "/api/v1/assessments/runs",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="run-2026-11",
    )
    assert again.json()["id"] == run["id"] and Run.objects.count() == 1
    results = office.get(f"/api/v1/assessments/runs/{run['id']}/results").json()
    assert {r["unit_name"] for r in results} == {world.town.name, world.street.name}
    # a draft is the office's only; a commander sees it once published
    commander = api_client("commander")
    assert commander.get(f"/api/v1/assessments/runs/{run['id']}").status_code == 404
    assert commander.get("/api/v1/assessments/runs").json()["count"] == 0
    Run.objects.filter(pk=run["id"]).update(state="PUBLISHED")
    assert commander.get("/api/v1/assessments/runs?subject=TOWNSHIP").json()["count"] == 1
    # only the office computes runs; bad input is a clear error and changes nothing
    r = commander.post("/api/v1/assessments/runs", body, content_type="application/json")
    assert r.status_code == 403
    for bad in (
        dict(body, period_start="2026-11-02"),
        dict(body, subject="NOPE"),
        dict(body, period="DECADE"),
    ):
        r = office.post("/api/v1/assessments/runs", bad, content_type="application/json")
        assert r.status_code in (400, 422), r.content
    assert (
        office.post(
            "/api/v1/assessments/runs",
            dict(body, district_code="999999"),
            content_type="application/json",
        ).status_code
        == 404
    )
    assert Run.objects.count() == 1
