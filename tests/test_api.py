"""The REST API end to end: the loop, errors with stable codes, idempotency, scope."""

import pytest

from shaobao.whistles.models import Summons, Whistle

pytestmark = pytest.mark.django_db
J = "application/json"


def blow_body(world, **kw):
    body = {
        "township_id": world.town.pk,
        "title": "河道乱堆",
        "description": "东岸堆放渣土",
        "address": "金海湖东岸",
        "area": "KEY_TASK",
        "kind": "MANAGEMENT",
        "mode": "ROUTINE",
        "departments": [{"department_id": world.depts["SW"].pk, "role": "LEAD"}],
    }
    body.update(kw)
    return body


def test_whole_loop_over_the_api(world, api_client):
    town, sw = api_client("commander"), api_client("sw_head")
    r = town.post("/api/v1/whistles", blow_body(world), content_type=J)
    assert r.status_code == 201, r.content
    wid = r.json()["id"]
    sid = r.json()["summonses"][0]["id"]
    inbox = sw.get("/api/v1/summonses?open_only=true").json()
    assert [s["id"] for s in inbox["items"]] == [sid]
    assert (
        sw.post(
            f"/api/v1/summonses/{sid}/acknowledge", {"officer_names": "周敏"}, content_type=J
        ).status_code
        == 200
    )
    assert (
        sw.post(
            f"/api/v1/summonses/{sid}/check-in", {"lat": 40.1, "lng": 117.2}, content_type=J
        ).json()["state"]
        == "CHECKED_IN"
    )
    r = sw.post(
        f"/api/v1/summonses/{sid}/outcomes",
        {"items_removed": 3, "note": "清运渣土"},
        content_type=J,
    )
    assert r.status_code == 201
    assert (
        sw.post(f"/api/v1/summonses/{sid}/claim-completion", {}, content_type=J).json()["state"]
        == "CLAIMED"
    )
    r = town.post(f"/api/v1/summonses/{sid}/verify", {"accept": True}, content_type=J)
    assert r.json()["state"] == "VERIFIED"
    assert town.get(f"/api/v1/whistles/{wid}").json()["status"] == "CLOSED"
    r = town.post(
        f"/api/v1/summonses/{sid}/evaluations",
        {"timeliness": 5, "cooperation": 5, "effectiveness": 4},
        content_type=J,
    )
    assert r.status_code == 201 and r.json()["version"] == 1
    trail = api_client("inspector").get(f"/api/v1/whistles/{wid}/audit").json()
    assert trail[0]["action"] == "whistle.blow" and len(trail) >= 7


def test_errors_have_stable_codes_and_change_nothing(world, api_client):
    town = api_client("commander")
    r = town.post("/api/v1/whistles", blow_body(world, area="NOPE"), content_type=J)
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = town.post("/api/v1/whistles", "{not json", content_type=J)
    assert r.status_code in (400, 422)
    r = town.post("/api/v1/whistles", blow_body(world, title="x" * 500), content_type=J)
    assert r.status_code == 422
    assert Whistle.objects.count() == 0
    assert town.get("/api/v1/whistles/999999").json()["code"] == "not_found"
    assert (
        api_client("cg_officer")
        .post("/api/v1/whistles", blow_body(world), content_type=J)
        .status_code
        == 403
    )
    from django.test import Client

    assert Client().get("/api/v1/whistles").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/v1/whistles").status_code == 401


def test_state_conflict_is_409(world, api_client):
    town = api_client("commander")
    sid = town.post("/api/v1/whistles", blow_body(world), content_type=J).json()["summonses"][0][
        "id"
    ]
    r = api_client("sw_head").post(f"/api/v1/summonses/{sid}/claim-completion", {}, content_type=J)
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"


def test_idempotency_key_replays_and_refuses_reuse(world, api_client):
    town = api_client("commander")
    body = blow_body(world)
    r1 = town.post("/api/v1/whistles", body, content_type=J, HTTP_IDEMPOTENCY_KEY="k-1")
    r2 = town.post("/api/v1/whistles", body, content_type=J, HTTP_IDEMPOTENCY_KEY="k-1")
    assert r1.status_code == r2.status_code == 201 and r1.json()["id"] == r2.json()["id"]
    assert Whistle.objects.count() == 1 and Summons.objects.count() == 1
    r3 = town.post(
        "/api/v1/whistles",
        blow_body(world, title="另一个"),
        content_type=J,
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert r3.status_code == 409 and r3.json()["code"] == "idempotency_key_reused"


def test_session_auth_needs_csrf(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["commander"])
    assert c.get("/api/v1/whistles").status_code == 200
    assert c.post("/api/v1/whistles", blow_body(world), content_type=J).status_code == 403
    assert Whistle.objects.count() == 0


def test_problem_api_and_xlsx_export(world, api_client):
    import io

    from openpyxl import load_workbook

    staff = api_client("staff")
    r = staff.post(
        "/api/v1/problems",
        {
            "township_id": world.town.pk,
            "title": "路灯不亮",
            "description": "村口路灯坏了三天",
            "address": "海子村口",
        },
        content_type=J,
    )
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert (
        staff.post(
            f"/api/v1/problems/{pid}/triage",
            {"matter_id": world.matters["CX-HJ-01"].pk},
            content_type=J,
        ).json()["status"]
        == "TRIAGED"
    )
    x = staff.get("/api/v1/problems/export.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "编号" and rows[1][2] == "路灯不亮"
    assert api_client("other_commander").get(f"/api/v1/problems/{pid}").status_code == 404
    assert (
        len(
            list(
                load_workbook(
                    io.BytesIO(
                        api_client("other_commander").get("/api/v1/problems/export.xlsx").content
                    )
                ).active.values
            )
        )
        == 1
    )


@pytest.mark.parametrize(
    "extra, field",
    [
        (
            {"mode": "SURPRISE", "launch_at": "2099-01-01T10:00:00", "meeting_point": "东门"},
            "launch_at",
        ),
        ({"report_by_at": "2026-12-01T10:00:00"}, "report_by_at"),
        (
            {"mode": "SURPRISE", "launch_at": "9999-12-31T23:00:00+08:00", "meeting_point": "东门"},
            "launch_at",
        ),
        ({"finish_by_at": "9999-12-31T23:00:00+08:00"}, "finish_by_at"),
    ],
)
def test_times_without_a_zone_or_years_ahead_are_refused(world, api_client, extra, field):
    """A time without its zone cannot be compared with the clock, and deadlines are counted on
    from the times set: both are a clear 422 naming the field, and nothing is stored."""
    town = api_client("commander")
    r = town.post("/api/v1/whistles", blow_body(world, **extra), content_type=J)
    assert r.status_code == 422, r.content
    assert field in r.json()["fields"] and not Whistle.objects.exists()
    r = town.post(
        "/api/v1/routines",
        {
            "township_id": world.town.pk,
            "title": "周巡",
            "description": "每周巡查河道",
            "address": "金海湖",
            "area": "KEY_TASK",
            "kind": "MANAGEMENT",
            "lead_department_id": world.depts["SW"].pk,
            "every_days": 7,
            "first_run_at": extra.get(field, "").removesuffix("+08:00") or "2030-01-01T09:00:00",
        },
        content_type=J,
    )
    assert r.status_code == 422 and "first_run_at" in r.json()["fields"], r.content
