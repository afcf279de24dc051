"""The hot spots page: who sees it, what it shows (never the caller), the two actions by POST,
and a bounded number of queries."""

import datetime as dt

import pytest
from django.test import Client

from shaobao.hotspots.models import HotSpot
from shaobao.hotspots.services import hotspots_detect
from shaobao.whistles.models import Whistle

from .conftest import add_demands

pytestmark = pytest.mark.django_db


def login(world, username):
    c = Client()
    c.force_login(world.users[username])
    return c


@pytest.fixture
def detected(clustered, t0, monkeypatch):
    hotspots_detect(district=clustered.district, today=t0.date(), now=t0)
    monkeypatch.setattr("shaobao.hotspots.views.now", lambda: t0 + dt.timedelta(hours=1))
    return clustered


def test_commander_sees_the_township_hot_spots_and_actions(detected):
    w = detected
    r = login(w, "commander").get("/hotspots/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "海子村第1网格" in page and "暴露垃圾" in page and "新平社区" not in page
    assert "转为问题并吹哨" in page and "忽略原因" in page
    assert "垃圾堆放无人清运" in page  # an example's text
    assert "张三丰" not in page and "1390000" not in page  # never the caller
    assert 'href="/hotspots/"' in page  # the nav entry


def test_supervisor_sees_the_district_without_actions(detected):
    page = login(detected, "supervisor").get("/hotspots/").content.decode()
    assert "海子村第1网格" in page and "新平社区第1网格" in page
    assert "转为问题并吹哨" not in page
    assert "每月一题" in page


def test_others_may_not(detected):
    for name in ("cg_officer", "cg_head", "operator", "grid"):
        assert login(detected, name).get("/hotspots/").status_code == 403
    r = Client().get("/hotspots/")
    assert r.status_code == 302 and "/login" in r["Location"]


def test_convert_and_dismiss_by_post(detected):
    w = detected
    town = HotSpot.objects.get(township=w.town)
    street = HotSpot.objects.get(township=w.street)
    c = login(w, "commander")
    assert c.get(f"/hotspots/{town.pk}/convert/").status_code == 405
    assert login(w, "other_commander").post(f"/hotspots/{town.pk}/convert/").status_code == 404
    assert login(w, "supervisor").post(f"/hotspots/{town.pk}/convert/").status_code == 403
    assert c.post(f"/hotspots/{town.pk}/convert/", {"kind": "NOPE"}).status_code == 302
    assert not Whistle.objects.exists()
    r = c.post(f"/hotspots/{town.pk}/convert/", {"kind": "MANAGEMENT"})
    assert r.status_code == 302 and r["Location"] == "/hotspots/"
    town.refresh_from_db()
    assert town.state == "CONVERTED" and Whistle.objects.count() == 1
    r = c.post(f"/hotspots/{town.pk}/convert/", {"kind": "MANAGEMENT"}, follow=True)
    assert "已处理" in r.content.decode() and Whistle.objects.count() == 1
    page = c.get("/hotspots/").content.decode()
    assert town.problem.number in page and town.whistle.number in page  # recently decided

    o = login(w, "other_commander")
    o.post(f"/hotspots/{street.pk}/dismiss/", {"reason": ""})
    street.refresh_from_db()
    assert street.state == "OPEN"
    o.post(f"/hotspots/{street.pk}/dismiss/", {"reason": "已列入拆违计划"})
    street.refresh_from_db()
    assert (street.state, street.dismissed_reason) == ("DISMISSED", "已列入拆违计划")
    assert c.post(f"/hotspots/{town.pk}/other/").status_code == 404


def _queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/hotspots/").status_code == 200
    return len(ctx.captured_queries)


def test_page_queries_do_not_grow_with_hot_spots(detected, t0, django_assert_max_num_queries):
    w = detected
    c = login(w, "supervisor")
    with django_assert_max_num_queries(16):
        c.get("/hotspots/")
    few = _queries(c)
    for m in ("SW-HD-01", "SC-SP-01", "ZY-KC-01"):
        add_demands(w, place=w.grid, matter=w.matters[m], at=t0 - dt.timedelta(days=1), n=6)
    hotspots_detect(district=w.district, today=t0.date(), now=t0 + dt.timedelta(minutes=1))
    assert HotSpot.objects.count() == 5
    assert _queries(c) == few
