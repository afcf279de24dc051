"""The map page in a real browser: demo-like outlines and clustered markers appear, with no
script blocked by the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from shaobao.places.demo import demo_boundaries
from shaobao.problems.models import Problem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_map_shows_outlines_and_markers(login, live_server, world, t0):  # noqa: F811
    demo_boundaries(now=t0)
    for i in range(12):
        Problem.objects.create(
            township=world.town,
            title=f"海子村暴露垃圾{i}",
            description="路边垃圾",
            address="金海湖镇海子村",
            lat=40.18 + i * 0.001,
            lng=117.28 + i * 0.001,
            source="GRID_PATROL",
            reported_by=world.users["grid"],
            created_at=t0,
            updated_at=t0,
        )
    page = login("supervisor")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/map/")
    m = page.locator("#map")
    expect(m).to_have_attribute("data-loaded-township", "2")
    expect(m).to_have_attribute("data-loaded-markers", "12")
    expect(page.locator("#map-status")).to_contain_text("已显示 12 个问题")
    # Two township outlines drawn as SVG paths, and markers (clustered or single) on top.
    assert page.locator("#map path.leaflet-interactive").count() >= 2
    assert page.locator("#map .marker-cluster, #map .sb-marker").count() >= 1
    # Zooming in brings the grids and splits the clusters.
    page.locator("#map .marker-cluster").first.click()
    page.wait_for_function(
        "() => Number(document.getElementById('map').dataset.loadedGrid || 0) > 0"
    )
    assert not problems, problems
