"""The command-centre screen and a ranking page in a real browser, with screenshots
(test-results/screenshots/): charts drawn, whistle markers on the map, no script errors."""

import datetime as dt
from pathlib import Path

import pytest

from shaobao.assessments import runs as RUNS
from shaobao.assessments import schemes as SCHEMES
from shaobao.assessments.models import Run
from shaobao.dashboards import rollup
from shaobao.testing.demands import handled
from shaobao.whistles.tests.test_services import blow

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
H = dt.timedelta(hours=1)


def watch(page):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_command_centre_screen(login, world, actors, cal):
    from django.utils import timezone

    now = timezone.now()
    for i in range(3):
        blow(world, actors, now - 2 * H, cal, title=f"河道采砂{i}", lat=40.18, lng=117.28 + i / 50)
    handled(world, actors, now - 2 * H, cal, contact_after=H, sat="SATISFIED")
    rollup.refresh(now=now, days=None)
    page = login("supervisor")
    errors = watch(page)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/command/")
    page.wait_for_selector("#command-map[data-markers='3']")
    page.wait_for_selector("#chart-trend canvas")
    page.wait_for_selector("#chart-states canvas")
    assert page.inner_text("[data-k='whistles.active']") == "3"
    assert "指挥大屏" in page.inner_text("h1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "command-centre.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20000
    assert errors == []
    # in English (longer words) and on a phone, nothing makes the page wider than the screen
    root = page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/"
    page.context.add_cookies([{"name": "shaobao_lang", "value": "en", "url": root}])
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path in ("command/", "dashboard/"):
            page.goto(root + path)
            page.wait_for_selector("#chart-trend canvas")
            assert "Response" in page.inner_text("#trend-table")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (path, width, wide)
    assert errors == []


def test_ranking_page_with_trend(login, world, actors, t0, cal, live_server):
    draft = SCHEMES.scheme_save_draft(
        actor=actors.assessor,
        district_id=world.district.pk,
        subject="DEPARTMENT",
        name="试点方案",
        indicators=[{"code": "response", "weight": 1, "min_volume": 1, "prior": 0}],
        now=t0,
    )
    scheme = SCHEMES.scheme_publish(actor=actors.assessor, scheme_id=draft.pk, now=t0)
    later = t0 + 40 * 24 * H
    for month, marks in ((dt.date(2026, 10, 1), 0), (dt.date(2026, 11, 1), 1)):
        start = dt.datetime(month.year, month.month, 3, 10, tzinfo=t0.tzinfo)
        handled(
            world,
            actors,
            start,
            cal,
            contact_after=(1 + 300 * marks) * H,
            sat="SATISFIED",
            phone=f"1390000000{marks}",
        )
        run = RUNS.run_create(
            actor=actors.assessor,
            scheme_id=scheme.pk,
            period=Run.MONTH,
            period_start=month,
            now=later,
        )
        RUNS.run_publish(actor=actors.assessor, run_id=run.pk, now=later)
    page = login("commander")
    errors = watch(page)
    page.goto(f"{live_server.url}/assessments/runs/{run.pk}/")
    row = page.locator("#ranking tbody tr", has_text="城管执法局")
    assert row.locator("td.rank").inner_text() == "1"
    assert "1 → 1" in row.locator("td.trend").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "ranking.png"), full_page=True)
    # the commander may not drill into a department's items
    assert row.locator("a").count() == 0
    assert errors == []
