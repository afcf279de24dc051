import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from shaobao.demands.models import Demand
from shaobao.org.cast import PASSWORD
from shaobao.org.models import User
from shaobao.org.scoping import SYSTEM
from shaobao.places.services import boundaries_import
from shaobao.places.tests.helpers import world_collection
from shaobao.problems.models import Problem

STATIC = [
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/LICENSE",
    "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "vendor/leaflet.markercluster/MIT-LICENCE.txt",
    "places/map.js",
    "places/map.css",
]


def client_for(username):
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


@pytest.fixture
def mapped(world, t0):
    boundaries_import(actor=SYSTEM, collection=world_collection(), now=t0)
    town_problem = Problem.objects.create(
        township=world.town,
        title="海子村暴露垃圾",
        description="路边垃圾",
        address="金海湖镇海子村",
        lat=40.2,
        lng=117.27,
        source="GRID_PATROL",
        reported_by=world.users["grid"],
        created_at=t0,
        updated_at=t0,
    )
    street_problem = Problem.objects.create(
        township=world.street,
        title="兴谷街道占道经营",
        description="占道",
        address="兴谷街道",
        lat=40.15,
        lng=117.10,
        source="TOWNSHIP",
        reported_by=world.users["other_commander"],
        created_at=t0,
        updated_at=t0,
    )
    closed = Problem.objects.create(
        township=world.town,
        title="已关闭的问题",
        description="x",
        address="x",
        lat=40.21,
        lng=117.28,
        source="TOWNSHIP",
        status=Problem.CLOSED,
        created_at=t0,
        updated_at=t0,
    )
    demand = Demand.objects.create(
        source="HOTLINE",
        kind="COMPLAINT",
        caller_name="张三丰",
        caller_phone="13900001111",
        caller_email="zs@example.com",
        subject="夜间施工扰民",
        text="张三丰来电反映",
        address="金海湖镇海子村5号",
        lat=40.19,
        lng=117.26,
        district=world.district,
        township=world.town,
        handler_township=world.town,
        status=Demand.DISPATCHED,
        created_at=t0,
        updated_at=t0,
    )
    return town_problem, street_problem, closed, demand


def test_map_page_renders_with_its_static_files(mapped):
    r = client_for("commander").get("/map/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<script>" not in html  # CSP: no inline scripts
    for path in STATIC:
        if not path.endswith(("LICENSE", ".txt")):
            assert f"/static/{path}" in html
        assert finders.find(path), path
    assert 'data-bounds="40.100000,117.200000,40.300000,117.400000"' in html
    assert 'data-tile-url=""' in html


def test_map_page_tile_url_is_configurable(mapped, settings):
    settings.SHAOBAO_MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    html = client_for("commander").get("/map/").content.decode()
    assert 'data-tile-url="/tiles/{z}/{x}/{y}.png"' in html


def test_map_needs_login_and_a_staff_scope(mapped):
    assert Client().get("/map/").status_code == 302
    assert Client().get("/map/markers.json").status_code == 401
    User.objects.create_user("nobody", password=PASSWORD)
    assert client_for("nobody").get("/map/").status_code == 403
    assert client_for("nobody").get("/map/boundaries.json").json()["features"] == []
    assert client_for("nobody").get("/map/markers.json").json()["markers"] == []


def codes(response):
    return sorted(f["properties"]["code"] for f in response.json()["features"])


def test_boundaries_are_scoped(mapped):
    c = client_for("commander")  # 金海湖镇
    assert codes(c.get("/map/boundaries.json?level=TOWNSHIP")) == ["110117104"]
    assert codes(c.get("/map/boundaries.json?level=GRID")) == ["110117104201001", "110117104201002"]
    other = client_for("other_commander")  # 兴谷街道
    assert codes(other.get("/map/boundaries.json?level=TOWNSHIP")) == ["110117001"]
    assert codes(other.get("/map/boundaries.json?level=GRID")) == []
    sup = client_for("supervisor")
    assert codes(sup.get("/map/boundaries.json?level=TOWNSHIP")) == ["110117001", "110117104"]
    # Department roles see their district.
    assert codes(client_for("cg_head").get("/map/boundaries.json?level=DISTRICT")) == ["110117"]
    # The map view narrows further.
    assert codes(sup.get("/map/boundaries.json?level=TOWNSHIP&bbox=117.0,40.0,117.16,40.3")) == [
        "110117001"
    ]


@pytest.mark.parametrize("query", ["level=STATE", "bbox=1,2,3", "bbox=a,b,c,d", "bbox=10,50,5,60"])
def test_bad_parameters(mapped, query):
    url = "/map/markers.json?" if query.startswith("bbox") else "/map/boundaries.json?"
    r = client_for("commander").get(url + query)
    assert r.status_code == 400 and r.json()["code"] == "invalid_input"


def marker_ids(response):
    return sorted((m["kind"], m["id"]) for m in response.json()["markers"])


def test_markers_are_scoped_and_carry_no_caller_data(mapped):
    town_problem, street_problem, _closed, demand = mapped
    r = client_for("commander").get("/map/markers.json")
    assert marker_ids(r) == [("demand", demand.pk), ("problem", town_problem.pk)]
    body = r.content.decode()
    for secret in ("张三丰", "13900001111", "zs@example.com", "5号", "来电反映"):
        assert secret not in body
    m = next(m for m in r.json()["markers"] if m["kind"] == "problem")
    assert m["url"] == f"/problems/{town_problem.pk}/" and m["status"] == "待研判"

    # The other township sees neither 金海湖镇's problem nor its demand.
    assert marker_ids(client_for("other_commander").get("/map/markers.json")) == [
        ("problem", street_problem.pk)
    ]
    assert marker_ids(client_for("supervisor").get("/map/markers.json")) == sorted(
        [("demand", demand.pk), ("problem", town_problem.pk), ("problem", street_problem.pk)]
    )
    # bbox narrows the markers.
    r = client_for("supervisor").get("/map/markers.json?bbox=117.0,40.0,117.16,40.3")
    assert marker_ids(r) == [("problem", street_problem.pk)]


def test_json_endpoints_cost_a_fixed_number_of_queries(mapped, django_assert_max_num_queries):
    c = client_for("supervisor")
    with django_assert_max_num_queries(8):
        c.get("/map/markers.json")
    with django_assert_max_num_queries(6):
        c.get("/map/boundaries.json?level=GRID")


def test_a_sealed_whistle_does_not_leak_through_the_map(world, actors, cal):
    import datetime as dt

    from django.utils import timezone

    from shaobao.problems.services import problem_create
    from shaobao.whistles import services as W

    secrets = ["绝密行动甲", "秘密集合点乙", "凌晨突查丙"]
    now = timezone.now()
    problem = problem_create(
        actor=actors.staff,
        township_id=world.town.pk,
        title="采砂线索",
        description="群众举报",
        address="东岸",
        now=now,
    )
    Problem.objects.filter(pk=problem.pk).update(lat=40.2, lng=117.27)
    W.whistle_blow(
        actor=actors.commander,
        township_id=world.town.pk,
        title=secrets[0],
        description=secrets[2],
        address="金海湖东岸",
        area="JOINT_ENFORCEMENT",
        kind="ENFORCEMENT",
        mode="SURPRISE",
        launch_at=now + dt.timedelta(hours=6),
        meeting_point=secrets[1],
        problem_ids=[problem.pk],
        summoned=[W.SummonsSpec(world.depts["GHZY"].pk, "LEAD")],
        now=now,
        cal=cal,
    )
    for username in world.users:
        body = client_for(username).get("/map/markers.json").content.decode()
        assert not any(s in body for s in secrets), username
