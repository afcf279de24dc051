"""GeoReport v2 conformance: every resource in XML and JSON, roots and arrays, schemas, errors,
datetimes, Chinese, filters and paging, the updates extension both ways, privacy, and that a
request filed here is an ordinary Demand handled like any other."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import jsonschema_rs
import pytest
from django.core.management import call_command

from shaobao.audit.models import AuditEntry
from shaobao.core.timeutil import now, work_calendar
from shaobao.demands import services as DS
from shaobao.demands.models import Demand, DemandEvent
from shaobao.open311.models import ClientApp, Open311Request, Open311Update, key_digest
from shaobao.open311.services import DEMO_KEY, client_create, ensure_demo_client
from shaobao.open311.tests.conftest import BASE, load_schema, process_intake
from shaobao.org.scoping import SYSTEM

pytestmark = pytest.mark.django_db
DT_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
DECL = b'<?xml version="1.0" encoding="utf-8"?>'


def validate(schema_name, body):
    validator = jsonschema_rs.Draft4Validator(load_schema(schema_name), validate_formats=True)
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, errors


def get_json(client, path, **params):
    r = client.get(BASE + path, params)
    assert r["Content-Type"] == "application/json; charset=utf-8"
    return r


def get_xml(client, path, **params):
    r = client.get(BASE + path, params)
    assert r["Content-Type"] == "text/xml; charset=utf-8"
    assert r.content.startswith(DECL)
    return r, ET.fromstring(r.content)


def assert_errors_xml(r, status):
    assert r.status_code == status
    assert r["Content-Type"] == "text/xml; charset=utf-8" and r.content.startswith(DECL)
    root = ET.fromstring(r.content)
    assert root.tag == "errors"
    errs = root.findall("error")
    assert errs and all(e.find("code") is not None and e.find("description").text for e in errs)
    assert errs[0].find("code").text == str(status)


def assert_errors_json(r, status):
    assert r.status_code == status
    assert r["Content-Type"] == "application/json; charset=utf-8"
    body = r.json()
    assert isinstance(body, list) and body
    assert set(body[0]) == {"code", "description"} and body[0]["code"] == str(status)


def assert_errors(r, status, fmt):
    (assert_errors_json if fmt == "json" else assert_errors_xml)(r, status)


# ---- discovery and services --------------------------------------------------------------


def test_discovery_both_formats(client, world):
    body = get_json(client, "discovery.json").json()
    assert isinstance(body, dict)
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    ep = body["endpoints"][0]
    assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ep["url"].endswith("/open311/v2") and DT_RE.match(ep["changeset"])
    assert ep["formats"] == ["text/xml", "application/json"]
    r, root = get_xml(client, "discovery.xml")
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert root.find("endpoints/endpoint/type").text == "production"


def test_services_both_formats_and_schema(client, world):
    body = get_json(client, "services.json").json()
    validate("services.json", body)
    assert isinstance(body, list) and len(body) == 5
    s = next(x for x in body if x["service_code"] == "CX-WJ-01")
    assert s == {
        "service_code": "CX-WJ-01",
        "service_name": "私搭乱建",
        "description": "城乡建设/违法建设/私搭乱建",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "城乡建设",
    }
    r, root = get_xml(client, "services.xml")
    assert root.tag == "services"
    codes = [s.find("service_code").text for s in root.findall("service")]
    assert "CX-WJ-01" in codes and len(codes) == 5
    first = root.find("service")
    assert first.find("metadata").text == "true" and first.find("type").text == "realtime"
    assert "私搭乱建" in r.content.decode("utf-8")


def test_inactive_matter_is_not_a_service(client, world):
    world.matters["SC-SP-01"].active = False
    world.matters["SC-SP-01"].save()
    codes = [s["service_code"] for s in get_json(client, "services.json").json()]
    assert "SC-SP-01" not in codes
    assert_errors_json(client.get(BASE + "services/SC-SP-01.json"), 404)


def test_service_definition_both_formats(client, world):
    body = get_json(client, "services/CX-WJ-01.json").json()
    validate("service-definition.json", body)
    assert body["service_code"] == "CX-WJ-01"
    kind = body["attributes"][0]
    assert kind["code"] == "kind" and kind["datatype"] == "singlevaluelist"
    assert {"key": "COMPLAINT", "name": "投诉"} in kind["values"]
    r, root = get_xml(client, "services/CX-WJ-01.xml")
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/code").text == "kind"
    assert root.find("attributes/attribute/required").text == "false"
    assert root.find("attributes/attribute/values/value/key").text == "CONSULTATION"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_things_are_404(client, world, fmt):
    for path in [
        f"services/NOPE.{fmt}",
        f"requests/SQ999999999.{fmt}",
        f"requests/garbage.{fmt}",
        f"tokens/3f1c0e1e-0000-4000-8000-000000000000.{fmt}",
        f"tokens/not-a-uuid.{fmt}",
        f"nothing.{fmt}",
    ]:
        assert_errors(client.get(BASE + path), 404, fmt)
    assert_errors(client.get(BASE + f"services.{fmt}", {"jurisdiction_id": "999999"}), 404, fmt)
    # a known district is fine
    assert client.get(BASE + f"services.{fmt}", {"jurisdiction_id": "110117"}).status_code == 200
    # unknown format: XML error list
    assert_errors_xml(client.get(BASE + "services.csv"), 404)


# ---- POST requests -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_request_is_an_ordinary_demand(client, world, actors, post_form, demo_client, fmt):
    r = post_form(
        f"requests.{fmt}",
        {
            "api_key": DEMO_KEY,
            "service_code": "CX-HJ-01",
            "lat": "40.18",
            "long": "117.29",
            "description": "村口垃圾堆积三天无人清运，气味很大",
            "first_name": "三",
            "last_name": "张",
            "phone": "13912345678",
            "email": "zhangsan@example.com",
            "account_id": "fms-42",
            "device_id": "dev-1",
            "media_url": "https://example.com/a.jpg",
            "attribute[kind]": "REPORT_OF_VIOLATION",
        },
    )
    assert r.status_code == 201
    if fmt == "json":
        out = r.json()
        assert isinstance(out, list) and len(out) == 1
        out = out[0]
    else:
        assert r.content.startswith(DECL)
        root = ET.fromstring(r.content)
        assert root.tag == "service_requests"
        out = {c.tag: c.text for c in root.find("request")}
    number = out["service_request_id"]
    assert re.match(r"^SQ\d{9}$", number) and out["account_id"] == "fms-42"
    assert "已受理" in out["service_notice"]
    d = Demand.objects.get(pk=int(number[2:]))
    # an ordinary demand, created through demands.services: stored, logged and audited at once
    # (one entry, naming the client and its service), then settled by the intake worker
    assert d.source == "OPEN311" and d.kind == "REPORT_OF_VIOLATION" and d.status == "RECEIVED"
    assert d.intake_pending and d.place is None and d.router_version == ""
    assert d.caller_name == "张三" and d.caller_phone == "13912345678"
    assert d.lat == 40.18 and d.district == world.district
    assert [e.kind for e in d.events.all()] == ["received"]
    (entry,) = AuditEntry.objects.filter(object_type="demand", object_id=str(d.pk))
    assert entry.action == "demand.create" and entry.actor_label == "open311:" + demo_client.name
    assert entry.data["client"] == demo_client.pk and entry.data["service_code"] == "CX-HJ-01"
    assert process_intake() == 1
    d.refresh_from_db()
    assert not d.intake_pending and d.intake_attempts == 0
    assert d.status == "RECEIVED" and d.matter.code == "CX-HJ-01"  # the client's choice
    assert [e.kind for e in d.events.all()] == ["received"]
    actions = AuditEntry.objects.filter(object_type="demand", object_id=str(d.pk))
    assert list(actions.order_by("seq").values_list("action", flat=True)) == [
        "demand.create",
        "demand.route",
    ]
    assert process_intake() == 0  # settled once
    o = Open311Request.objects.get(demand=d)
    assert o.client == demo_client and o.matter.code == "CX-HJ-01" and o.device_id == "dev-1"
    assert str(d.token) == out["token"]
    # the token maps to the id
    t = client.get(BASE + f"tokens/{d.token}.json").json()
    assert t == [{"service_request_id": number, "token": str(d.token)}]
    _r, root = get_xml(client, f"tokens/{d.token}.xml")
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == number


def test_multipart_post_and_address_forms(client, world, demo_client):
    # Django's test client posts multipart by default (as some FixMyStreet installs do).
    r = client.post(
        BASE + "requests.json",
        {"api_key": DEMO_KEY, "service_code": "SW-HD-01", "address_string": "泃河北岸桥下"},
    )
    assert r.status_code == 201
    d = Demand.objects.get(pk=int(r.json()[0]["service_request_id"][2:]))
    assert d.address == "泃河北岸桥下" and d.text == "水务/河道管理/河道乱堆乱放"
    # address_id: our area codes; the township is taken from it
    r = client.post(
        BASE + "requests.json",
        {
            "api_key": DEMO_KEY,
            "service_code": "SW-HD-01",
            "address_id": world.grid.code,
            "description": "河边堆了很多建筑垃圾",
        },
    )
    assert r.status_code == 201
    d = Demand.objects.get(pk=int(r.json()[0]["service_request_id"][2:]))
    assert d.township == world.town and d.address == world.grid.name


def test_repeats_are_separate_demands_linked_by_duplicate_detection(client, world, demo_client):
    data = {
        "api_key": DEMO_KEY,
        "service_code": "CX-HJ-01",
        "address_id": world.town.code,
        "description": "金海湖镇政府门口垃圾桶满溢，无人清理已经三天",
    }
    a = client.post(BASE + "requests.json", data).json()[0]["service_request_id"]
    b = client.post(BASE + "requests.json", data).json()[0]["service_request_id"]
    assert a != b
    # before the intake worker ran: both open, nothing linked yet (GeoReport allows it)
    row = client.get(BASE + f"requests/{b}.json", {"extensions": "true"}).json()[0]
    assert row["status"] == "open" and row["extended_attributes"]["duplicate_of"] is None
    assert process_intake() == 2
    second = Demand.objects.get(pk=int(b[2:]))
    assert second.status == "DUPLICATE" and second.duplicate_of.number == a
    row = client.get(BASE + f"requests/{b}.json", {"extensions": "true"}).json()[0]
    assert row["status"] == "closed" and row["extended_attributes"]["duplicate_of"] == a
    assert a in row["service_notice"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_key_errors_are_403(client, world, post_form, demo_client, fmt):
    good = {"service_code": "CX-HJ-01", "lat": "40.1", "long": "117.1", "description": "路灯不亮"}
    assert_errors(post_form(f"requests.{fmt}", good), 403, fmt)
    assert_errors(post_form(f"requests.{fmt}", {**good, "api_key": "wrong"}), 403, fmt)
    assert_errors(post_form(f"requests.{fmt}", {**good, "api_key": ""}), 403, fmt)
    demo_client.active = False
    demo_client.save()
    assert_errors(post_form(f"requests.{fmt}", {**good, "api_key": DEMO_KEY}), 403, fmt)
    # GET never needs a key
    assert client.get(BASE + f"requests.{fmt}").status_code == 200
    assert Demand.objects.count() == 0


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_validation(client, world, post_form, demo_client, fmt):
    base = {
        "api_key": DEMO_KEY,
        "service_code": "CX-HJ-01",
        "lat": "40.1",
        "long": "117.1",
        "description": "路灯不亮",
    }

    def status(**change):
        data = {k: v for k, v in {**base, **change}.items() if v is not None}
        return post_form(f"requests.{fmt}", data)

    bad400 = [
        {"lat": None, "long": None},  # no location at all
        {"long": None},  # lat without long
        {"lat": "north", "long": "east"},
        {"lat": "91", "long": "0"},
        {"lat": "nan", "long": "nan"},
        {"description": "长" * 4001},
        {"service_code": None},
        {"email": "not-an-email"},
        {"phone": "call me"},
        {"media_url": "javascript:alert(1)"},
        {"attribute[kind]": "NOPE"},
        {"attribute[kind][]": ["HELP", "COMPLAINT"]},
        {"address_id": "999999999"},
        {"address_string": "地" * 201, "lat": None, "long": None},
        {"first_name": "x" * 51},
    ]
    for change in bad400:
        assert_errors(status(**change), 400, fmt)
    # NUL is refused before us by core's RejectNulMiddleware (plain-text 400)
    assert status(description="a\x00b").status_code == 400
    assert_errors(status(service_code="NOPE"), 404, fmt)
    assert_errors(status(jurisdiction_id="999999"), 404, fmt)
    assert status(description="长" * 4000).status_code == 201
    assert status(lat=None, long=None, address_string="平谷区金海湖镇").status_code == 201
    assert status(jurisdiction_id="110117", email="").status_code == 201  # empty = absent
    assert Demand.objects.count() == 3


def test_key_is_bound_to_its_district(client, world, post_form, demo_client):
    from shaobao.org import services as OS

    other = OS.jurisdiction_create(
        actor=SYSTEM, code="110118", name="密云区", level="DISTRICT", now=now()
    )
    r = post_form(
        "requests.json",
        {
            "api_key": DEMO_KEY,
            "jurisdiction_id": other.code,
            "service_code": "CX-HJ-01",
            "address_string": "某地",
        },
    )
    assert_errors_json(r, 403)


# ---- GET requests ------------------------------------------------------------------------


def test_request_fields_track_the_real_handling(client, world, actors, file_request):
    number = file_request()
    pk = int(number[2:])
    rows = get_json(client, f"requests/{number}.json").json()
    validate("requests.json", rows)
    row = rows[0]
    assert row["status"] == "open" and row["service_code"] == "CX-HJ-01"
    assert row["service_name"] == "暴露垃圾" and row["agency_responsible"] is None
    assert row["description"] == "村口垃圾堆积三天无人清运，气味很大"
    assert DT_RE.match(row["requested_datetime"]) and DT_RE.match(row["updated_datetime"])
    assert row["expected_datetime"] is None and row["lat"] == 40.18 and row["long"] == 117.29
    t, cal = now(), work_calendar()
    DS.demand_dispatch(
        actor=actors.operator,
        demand_id=pk,
        matter_id=world.matters["CX-HJ-01"].pk,
        department_id=world.depts["CGZF"].pk,
        now=t,
        cal=cal,
    )
    row = client.get(BASE + f"requests/{number}.json").json()[0]
    assert row["status"] == "open" and row["agency_responsible"] == "城管执法局"
    assert DT_RE.match(row["expected_datetime"]) and "已派至" in row["status_notes"]
    DS.demand_contact(actor=actors.cg_officer, demand_id=pk, now=t)
    DS.demand_respond(actor=actors.cg_officer, demand_id=pk, response="垃圾已清运完毕", now=t)
    DS.callback_record(
        actor=actors.operator, demand_id=pk, solved=True, satisfaction="SATISFIED", now=t
    )
    rows = client.get(BASE + f"requests/{number}.json").json()
    validate("requests.json", rows)
    assert rows[0]["status"] == "closed" and rows[0]["status_notes"] == "垃圾已清运完毕"
    _r, root = get_xml(client, f"requests/{number}.xml")
    assert root.tag == "service_requests" and len(root.findall("request")) == 1
    req = root.find("request")
    assert req.find("status").text == "closed"
    assert DT_RE.match(req.find("requested_datetime").text)
    assert req.find("description").text == "村口垃圾堆积三天无人清运，气味很大"


def test_privacy_caller_never_output(client, world, file_request):
    number = file_request()
    for path in [
        "requests.json",
        "requests.xml",
        f"requests/{number}.json",
        f"requests/{number}.xml",
        "servicerequestupdates.json",
        "servicerequestupdates.xml",
    ]:
        text = client.get(BASE + path, {"extensions": "true"}).content.decode("utf-8")
        assert number in text
        for secret in ("张三", "13912345678", "zhangsan@example.com", "1391234"):
            assert secret not in text, (path, secret)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_chinese_round_trip(client, world, file_request, fmt):
    text = "「朝阳门」外的𠮷野家门口有人占道经营，噪音扰民！& <b>不是标签</b>"
    number = file_request(fmt, description=text, address_string="平谷区·金海湖镇 8号")
    if fmt == "json":
        row = client.get(BASE + f"requests/{number}.json").json()[0]
        got, addr = row["description"], row["address"]
    else:
        _r, root = get_xml(client, f"requests/{number}.xml")
        got = root.find("request/description").text
        addr = root.find("request/address").text
    assert got == text and addr == "平谷区·金海湖镇 8号"


def test_filters_and_paging(client, world, file_request):
    a = file_request(service_code="CX-HJ-01", description="第一件事：垃圾")
    b = file_request(service_code="SW-HD-01", description="第二件事：河道")
    c = file_request(service_code="CX-WJ-01", description="第三件事：违建")
    Demand.objects.filter(pk=int(c[2:])).update(
        status="CLOSED_BY_ROUTE", route="OUTSIDE_REMIT", reply="不属于公共管理范围"
    )

    def ids(**params):
        body = get_json(client, "requests.json", **params).json()
        validate("requests.json", body) if body else None
        return [x["service_request_id"] for x in body]

    assert ids() == [c, b, a]  # newest first
    assert ids(service_code="CX-HJ-01,SW-HD-01") == [b, a]
    assert ids(status="open") == [b, a] and ids(status="closed") == [c]
    assert ids(status="open,closed") == [c, b, a]
    # service_request_id overrides every other filter
    assert ids(service_request_id=f"{a},{c},SQ999,bogus", status="open") == [c, a]
    assert ids(page_size="2") == [c, b] and ids(page_size="2", page="2") == [a]
    assert ids(page="9") == []
    t = now()
    assert ids(start_date=(t + dt.timedelta(days=1)).isoformat()) == []
    assert ids(end_date=(t - dt.timedelta(days=1)).isoformat()) == []
    assert ids(start_date="2020-01-01T00:00:00Z", end_date="2099-01-01T00:00:00+08:00") == [c, b, a]
    # older than the default 90 days: only with explicit dates
    Demand.objects.filter(pk=int(a[2:])).update(created_at=t - dt.timedelta(days=120))
    assert ids() == [c, b]
    assert a in ids(start_date=(t - dt.timedelta(days=200)).isoformat())
    _r, root = get_xml(client, "requests.xml", status="closed")
    assert [x.text for x in root.findall("request/service_request_id")] == [c]
    # an empty list is still the root element / an array
    _r, root = get_xml(client, "requests.xml", service_code="NOPE")
    assert root.tag == "service_requests" and list(root) == []
    assert get_json(client, "requests.json", service_code="NOPE").json() == []


def test_extensions_notes_and_attributes(client, world, actors, file_request):
    number = file_request()
    DS.demand_dispatch(
        actor=actors.operator,
        demand_id=int(number[2:]),
        township_id=world.town.pk,
        now=now(),
        cal=work_calendar(),
    )
    plain = client.get(BASE + f"requests/{number}.json").json()[0]
    assert "extended_attributes" not in plain and "notes" not in plain
    row = client.get(BASE + f"requests/{number}.json", {"extensions": "true"}).json()[0]
    validate("requests.json", [row])
    ext = row["extended_attributes"]
    assert ext["channel"] == "OPEN311" and ext["district"] == "110117"
    assert ext["internal_status"] == "DISPATCHED" and ext["duplicate_of"] is None
    assert [n["type"] for n in row["notes"]] == ["received", "dispatched"]
    assert all(DT_RE.match(n["datetime"]) for n in row["notes"])
    _r, root = get_xml(client, f"requests/{number}.xml", extensions="true")
    req = root.find("request")
    assert req.find("extended_attributes/channel").text == "OPEN311"
    assert [n.find("type").text for n in req.findall("notes/note")] == ["received", "dispatched"]


# ---- updates (mySociety extension) -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_updates_both_ways(client, world, actors, post_form, file_request, demo_client, fmt):
    number = file_request()
    pk = int(number[2:])
    t, cal = now(), work_calendar()
    DS.demand_dispatch(
        actor=actors.operator,
        demand_id=pk,
        department_id=world.depts["CGZF"].pk,
        now=t,
        cal=cal,
    )
    # a client posts an update: a public note, never a status change
    data = {
        "api_key": DEMO_KEY,
        "service_request_id": number,
        "update_id": "fms-update-7",
        "status": "CLOSED",
        "description": "市民补充：垃圾旁边还有一只死猫",
        "updated_datetime": "2026-11-29T10:00:00+08:00",
        "first_name": "三",
        "last_name": "张",
        "email": "zhangsan@example.com",
    }
    r = post_form(f"servicerequestupdates.{fmt}", data)
    assert r.status_code == 201
    if fmt == "json":
        event_id = r.json()[0]["update_id"]
    else:
        root = ET.fromstring(r.content)
        assert root.tag == "service_request_updates"
        event_id = root.find("request_update/update_id").text
    again = post_form(f"servicerequestupdates.{fmt}", data)  # de-duplicated by update_id
    assert again.status_code == 200 and event_id in again.content.decode()
    assert Open311Update.objects.count() == 1
    d = Demand.objects.get(pk=pk)
    assert d.status == "DISPATCHED"
    note = DemandEvent.objects.get(pk=int(event_id))
    assert note.public and note.kind == "client_update" and note.note.startswith("市民补充")
    assert_errors(post_form(f"servicerequestupdates.{fmt}", {**data, "api_key": "x"}), 403, fmt)
    assert_errors(
        post_form(
            f"servicerequestupdates.{fmt}",
            {**data, "update_id": "u2", "service_request_id": "SQ999999999"},
        ),
        404,
        fmt,
    )
    assert_errors(
        post_form(f"servicerequestupdates.{fmt}", {**data, "update_id": "", "x": "1"}), 400, fmt
    )
    assert_errors(
        post_form(
            f"servicerequestupdates.{fmt}", {**data, "update_id": "u3", "description": "x" * 1001}
        ),
        400,
        fmt,
    )
    # the hotline's callback closes it; the updates list tells the story in lower case
    t = now()
    DS.demand_contact(actor=actors.cg_officer, demand_id=pk, now=t)
    DS.demand_respond(actor=actors.cg_officer, demand_id=pk, response="已清运", now=t)
    DS.callback_record(
        actor=actors.operator, demand_id=pk, solved=True, satisfaction="SATISFIED", now=t
    )
    if fmt == "json":
        ups = get_json(client, "servicerequestupdates.json").json()
    else:
        _r, root = get_xml(client, "servicerequestupdates.xml")
        assert root.tag == "service_request_updates"
        ups = [{c.tag: c.text for c in u} for u in root.findall("request_update")]
    assert isinstance(ups, list)
    assert [u["status"] for u in ups] == [
        "open",
        "in_progress",
        "in_progress",
        "in_progress",
        "in_progress",
        "fixed",
    ]
    assert all(u["service_request_id"] == number for u in ups)
    assert all(DT_RE.match(u["updated_datetime"]) for u in ups)
    assert ups[2]["update_id"] == event_id and ups[2]["description"].startswith("市民补充")
    assert set(ups[0]) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    }
    future = (now() + dt.timedelta(days=1)).isoformat()
    assert get_json(client, "servicerequestupdates.json", start_date=future).json() == []


def test_update_statuses_for_routes(client, world, actors, file_request):
    number = file_request()
    DS.demand_close_by_route(
        actor=actors.operator, demand_id=int(number[2:]), route="OUTSIDE_REMIT", now=now()
    )
    ups = client.get(BASE + "servicerequestupdates.json").json()
    assert [u["status"] for u in ups] == ["open", "not_councils_responsibility"]
    assert client.get(BASE + f"requests/{number}.json").json()[0]["status"] == "closed"


def test_private_route_hides_text(client, world, actors, file_request):
    number = file_request(description="我家邻居王某某在家开设赌场")
    DS.demand_close_by_route(
        actor=actors.operator, demand_id=int(number[2:]), route="SECRET_OR_PRIVACY", now=now()
    )
    row = client.get(BASE + f"requests/{number}.json").json()[0]
    validate("requests.json", [row])
    assert row["description"] is None and row["lat"] is None and row["status"] == "closed"


# ---- hostile input -----------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999999",
    "1e9",
    "abc",
    "%00",
    "'; DROP TABLE demands_demand;--",
    "<x>&amp;</x>",
    "\u202e\ufeff",
    "𠮷" * 300,
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "2026-13-45",
    "SQ" + "9" * 30,
    ",,,,",
    "open,closed,whatever",
    "true",
    "x" * 5000,
]


def test_hostile_params_never_500(client, world, file_request):
    number = file_request()
    paths = [
        "discovery",
        "services",
        "services/CX-HJ-01",
        "requests",
        f"requests/{number}",
        "servicerequestupdates",
        "tokens/abc",
    ]
    names = [
        "page",
        "page_size",
        "start_date",
        "end_date",
        "status",
        "service_code",
        "service_request_id",
        "jurisdiction_id",
        "extensions",
    ]
    for fmt in ("xml", "json"):
        for path in paths:
            for name in names:
                for value in HOSTILE:
                    r = client.get(BASE + f"{path}.{fmt}", {name: value})
                    assert r.status_code in (200, 400, 404), (path, name, value, r.status_code)
                    if r.status_code != 200:
                        assert_errors(r, r.status_code, fmt)
    for weird in ["requests/%2e%2e.json", "requests/SQ0.xml", "services/%F0%9F%92%A9.json"]:
        assert client.get(BASE + weird).status_code == 404


def test_hostile_posts_never_500(client, world, post_form, demo_client):
    for name in [
        "service_code",
        "lat",
        "long",
        "address_id",
        "description",
        "jurisdiction_id",
        "email",
        "phone",
        "media_url",
        "attribute[kind]",
        "first_name",
        "account_id",
    ]:
        for value in HOSTILE:
            data = {
                "api_key": DEMO_KEY,
                "service_code": "CX-HJ-01",
                "address_string": "某地",
                name: value,
            }
            r = post_form("requests.json", data)
            assert r.status_code in (201, 400, 403, 404), (name, value, r.status_code)
    # methods other than GET/POST, and GET-only resources posted to
    assert_errors_json(client.put(BASE + "requests.json"), 400)
    assert_errors_xml(client.post(BASE + "services.xml", {}), 400)
    assert_errors_json(client.delete(BASE + "requests/SQ000000001.json"), 400)


# ---- keys, admin page, command, demo hook ------------------------------------------------


def test_ensure_demo_client_is_idempotent(world):
    a = ensure_demo_client(now=now())
    b = ensure_demo_client(now=now())
    assert a.pk == b.pk and ClientApp.objects.count() == 1
    assert a.key_hash == key_digest("demo-open311-key") and a.district == world.district
    assert "demo-open311-key" not in str(ClientApp.objects.values().first())


def test_management_command(world, capsys):
    call_command("open311_create_key", "FixMyStreet 平谷", "--key", "fms-key-123456789")
    out = capsys.readouterr().out
    assert "fms-key-123456789" in out
    c = ClientApp.objects.get(name="FixMyStreet 平谷")
    assert c.key_hash == key_digest("fms-key-123456789") and c.active
    call_command("open311_create_key", "Random")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert ClientApp.objects.get(name="Random").key_hash == key_digest(key)


def test_admin_page(client, world, actors):
    url = "/open311/admin/"
    client.force_login(world.users["operator"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["admin"])
    assert client.get(url).status_code == 200
    r = client.post(url, {"name": "城市App", "district": "110117"})
    assert r.status_code == 200
    key = r.context["new_key"]
    assert key and key in r.content.decode()
    c = ClientApp.objects.get(name="城市App")
    assert c.key_hash == key_digest(key)
    assert AuditEntry.objects.filter(action="open311.client_create").exists()
    page = client.get(url).content.decode()
    assert "城市App" in page and key not in page  # shown once
    r = client.post(f"/open311/admin/{c.pk}/disable/")
    assert r.status_code == 302
    c.refresh_from_db()
    assert not c.active and AuditEntry.objects.filter(action="open311.client_disable").exists()
    # a non-admin cannot create keys through the service either
    from shaobao.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        client_create(actor=actors.operator, name="x", district_code="110117", now=now())


@pytest.mark.django_db(transaction=True)  # the confirmation runs only after a real commit
def test_a_stored_request_whose_flush_cannot_be_confirmed_is_503_not_400(
    post_form, demo_client, world, monkeypatch
):
    from django.db import DatabaseError

    from shaobao.demands.models import Demand
    from shaobao.open311 import services as OS

    calls = []

    def broken(req):
        calls.append(req.pk)
        raise DatabaseError("connection lost")

    monkeypatch.setattr(OS, "_wait_until_durable", broken)
    r = post_form(
        "requests.json",
        {
            "api_key": DEMO_KEY,
            "service_code": "CX-HJ-01",
            "lat": "40.18",
            "long": "117.29",
            "description": "村口垃圾堆积三天无人清运",
        },
    )
    assert r.status_code == 503 and len(calls) == 2  # tried again once on a fresh connection
    assert str(r.json()[0]["code"]) == "503"
    assert Demand.objects.count() == 1  # it is stored: the client must not file it again
