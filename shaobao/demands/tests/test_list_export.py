"""The demand list's filters and its .xlsx: the same rows as the page, the viewer's scope, the
caller's name and phone only for those who may see them, bad filters refused without effect,
and large lists as export jobs."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from shaobao.core.errors import InvalidInput
from shaobao.demands import services as S
from shaobao.demands.models import Demand
from shaobao.demands.selectors import clean_list_params
from shaobao.exports.models import ExportJob

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    from shaobao.exports.management.commands import exports_run

    # in-process, inside the test's transaction (see exports/tests/test_jobs.py)
    monkeypatch.setattr(exports_run, "close_old_connections", lambda: None)


def client_for(world, username):
    c = Client()
    c.force_login(world.users[username])
    return c


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.values)


@pytest.fixture
def demands(hotline_demand, t0):
    """Four demands over three days: two dispatched to 城管 (one from the web), one dispatched to
    水务, one left RECEIVED; all in 金海湖镇."""
    return [
        hotline_demand(
            source=source,
            kind=kind,
            text=text,
            caller_phone=PHONE,
            now=t0 + dt.timedelta(days=i - 2),
            dept=dept,
        )
        for i, (source, kind, text, dept) in enumerate(
            [
                ("HOTLINE", "COMPLAINT", "村口垃圾堆积三天无人清运", "CGZF"),
                ("WEB", "COMPLAINT", "小区门口垃圾桶满了没人管", "CGZF"),
                ("HOTLINE", "REPORT_OF_VIOLATION", "河道里有人倾倒建筑垃圾", "SW"),
                ("HOTLINE", "CONSULTATION", "请问居住证怎么办理", None),
            ]
        )
    ]


def test_filters_choose_the_rows_and_the_file_matches_the_page(world, demands, t0, settings):
    op = client_for(world, "operator")
    everything = rows_of(op.get("/demands/?format=xlsx").content)
    assert everything[0][:3] == ("编号", "受理时间", "来源")
    assert sorted(r[0] for r in everything[1:]) == sorted(d.number for d in demands)
    # newest first, local time, the hotline sees the caller
    assert [r[0] for r in everything[1:]] == [d.number for d in reversed(demands)]
    assert everything[1][1] == (t0 + dt.timedelta(days=1)).replace(tzinfo=None)
    assert {r[8] for r in everything[1:]} == {"张三"} and {r[9] for r in everything[1:]} == {PHONE}

    def numbers(query):
        r = op.get(f"/demands/?{query}&format=xlsx")
        assert r.status_code == 200, r.content[:200]
        return {row[0] for row in rows_of(r.content)[1:]}

    assert numbers("source=WEB") == {demands[1].number}
    assert numbers("kind=CONSULTATION") == {demands[3].number}
    day = (t0 - dt.timedelta(days=1)).date().isoformat()
    assert numbers(f"from={day}&to={day}") == {demands[1].number}
    assert numbers(f"from={day}") == {d.number for d in demands[1:]}
    assert numbers(f"q={demands[2].number.lower()}") == {demands[2].number}
    assert numbers("status=RECEIVED") == {
        d.number for d in Demand.objects.filter(status="RECEIVED")
    }
    # the page shows the same rows for the same filters, and links the file with them
    page = op.get(f"/demands/?source=WEB&from={day}").content.decode()
    assert demands[1].number in page and demands[0].number not in page
    assert f"source=WEB&amp;from={day}&amp;format=xlsx" in page
    # in English when the user chose English
    op.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = rows_of(op.get("/demands/?source=WEB&format=xlsx").content)
    assert english[0][:3] == ("Number", "Taken at", "Source") and len(english) == 2


def test_scope_and_personal_data(world, demands):
    sw = client_for(world, "sw_head")  # 水务局: only what it handles, and it may call the caller
    rows = rows_of(sw.get("/demands/?format=xlsx").content)[1:]
    assert [r[0] for r in rows] == [demands[2].number]
    assert rows[0][9] == PHONE and rows[0][11] == "水务局"
    assessor = client_for(world, "assessor")  # reads the whole district, never the caller
    rows = rows_of(assessor.get("/demands/?format=xlsx").content)[1:]
    assert len(rows) == len(demands)
    assert {r[9] for r in rows} == {"139****5678"} and {r[8] for r in rows} == {"张*"}
    street = client_for(world, "other_commander")  # another township: nothing of 金海湖镇
    assert rows_of(street.get("/demands/?format=xlsx").content)[1:] == []
    citizen_page = Client().get("/demands/?format=xlsx")
    assert citizen_page.status_code == 302  # to the login page


@pytest.mark.parametrize(
    "query, field",
    [
        ("status=OPENISH", "status"),
        ("source=FAX", "source"),
        ("from=2026-13-01", "from"),
        ("from=20261101", "from"),
        ("from=2026-11-20&to=2026-11-01", "from"),
        ("q=12345", "q"),
        ("q=" + "SQ1" * 20, "q"),
        ("mine=yes", "mine"),
        ("to=9999-12-31", "to"),  # the day after it does not exist
        ("from=0001-01-01", "from"),  # its midnight in Beijing is before the first UTC instant
    ],
)
def test_bad_filters_are_refused_and_change_nothing(world, demands, query, field):
    op = client_for(world, "operator")
    r = op.get(f"/demands/?{query}&format=xlsx")
    assert r.status_code == 422
    assert ExportJob.objects.count() == 0
    page = op.get(f"/demands/?{query}")
    assert page.status_code == 200 and 'role="alert"' in page.content.decode()
    with pytest.raises(InvalidInput) as e:
        clean_list_params(dict(p.split("=", 1) for p in query.split("&")))
    assert field in e.value.fields
    with pytest.raises(InvalidInput):
        clean_list_params({"status": "", "district": "110117"})  # no unknown keys in a job


def test_a_large_list_becomes_a_job_with_the_same_rows(world, demands, settings):
    op = client_for(world, "operator")
    inline = rows_of(op.get("/demands/?source=HOTLINE&format=xlsx").content)
    settings.SHAOBAO = {**settings.SHAOBAO, "EXPORT_INLINE_MAX_ROWS": 1}
    r = op.get("/demands/?source=HOTLINE&format=xlsx")
    job = ExportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/exports/{job.pk}/"
    assert job.kind == "demands" and job.params["source"] == "HOTLINE" and job.rows_total == 3
    call_command("exports_run", "--once")
    job.refresh_from_db()
    assert job.state == ExportJob.DONE
    got = op.get(f"/exports/{job.pk}/download/")
    assert rows_of(b"".join(got.streaming_content)) == inline


def test_mine_is_what_the_viewer_handles(world, actors, demands, t0, cal, hotline_demand):
    """`handled_by` (the "waiting for me" filter) answers what `is_handler` answers, for every
    role and every kind of handler: a department, a township, the district."""
    from shaobao.demands.permissions import handled_by, is_handler

    received = [d for d in Demand.objects.filter(status="RECEIVED").order_by("pk")]
    for d in received[:1]:
        S.demand_dispatch(actor=actors.operator, demand_id=d.pk, to_district=True, now=t0, cal=cal)
    extra = hotline_demand(
        kind="HELP",
        text="兴谷街道某小区电梯停运",
        caller_name="",
        caller_phone="",
        township_id=world.street.pk,
    )
    extra.refresh_from_db()
    if extra.status == "RECEIVED":
        S.demand_dispatch(
            actor=actors.operator, demand_id=extra.pk, township_id=world.street.pk, now=t0, cal=cal
        )
    rows = list(Demand.objects.select_related("district", "handler_township"))
    assert {bool(d.handler_department_id) for d in rows} == {True, False}
    assert any(d.handler_township_id for d in rows) and any(d.handler_is_district for d in rows)
    for name, who in actors.items():
        expected = {d.pk for d in rows if is_handler(who, d)}
        assert (
            set(Demand.objects.filter(handled_by(who)).values_list("pk", flat=True)) == expected
        ), name
    cg = client_for(world, "cg_officer")
    page = cg.get("/demands/?mine=1").content.decode()
    waiting = {
        d.number
        for d in rows
        if d.handler_department == world.depts["CGZF"] and d.status == "DISPATCHED"
    }
    assert waiting and all(n in page for n in waiting) and extra.number not in page
    assert "mine=1&amp;format=xlsx" in page  # the file keeps the filter
    exported = rows_of(cg.get("/demands/?mine=1&format=xlsx").content)[1:]
    assert {r[0] for r in exported} == waiting
    street = rows_of(
        client_for(world, "other_commander").get("/demands/?mine=1&format=xlsx").content
    )
    extra.refresh_from_db()
    assert extra.handler_township == world.street and extra.status == "DISPATCHED"
    assert [r[0] for r in street[1:]] == [extra.number]
