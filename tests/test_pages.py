"""Every page renders for the roles that use it, in Chinese by default and in English on request;
out-of-scope objects look missing."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from shaobao.org.cast import USERS
from shaobao.whistles import services as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def loop(world, actors, t0, cal):
    w = S.whistle_blow(
        actor=actors.commander,
        township_id=world.town.pk,
        title="河道采砂",
        description="夜间采砂",
        address="东岸",
        area="JOINT_ENFORCEMENT",
        kind="ENFORCEMENT",
        mode="LEDGER",
        ledger_items=["查扣设备"],
        summoned=[],
        matter_id=world.matters["ZY-KC-01"].pk,
        now=t0,
        cal=cal,
    )
    return w


def client_for(world, username):
    c = Client()
    c.force_login(world.users[username])
    return c


@pytest.mark.parametrize("username", list(USERS))
def test_home_and_pages_render_for_every_role(world, loop, username):
    c = client_for(world, username)
    r = c.get("/", follow=True)
    assert r.status_code == 200
    assert "哨报" in r.content.decode()
    for url in [
        "/whistles/",
        "/problems/",
        "/inbox/",
        "/campaigns/",
        "/escalated/",
        "/objections/",
    ]:
        assert c.get(url).status_code == 200, url


def test_detail_pages_and_scope(world, loop):
    s = loop.summonses.get(role="LEAD")
    for who in ["commander", "staff", "gh_head", "gh_officer", "inspector", "supervisor", "legal"]:
        c = client_for(world, who)
        assert c.get(f"/whistles/{loop.pk}/").status_code == 200, who
        assert c.get(f"/summonses/{s.pk}/").status_code == 200, who
    outsider = client_for(world, "other_commander")
    assert outsider.get(f"/whistles/{loop.pk}/").status_code == 404
    assert outsider.get(f"/summonses/{s.pk}/").status_code == 404
    assert client_for(world, "cg_head").get(f"/whistles/{loop.pk}/").status_code == 404
    assert (
        client_for(world, "inspector").get(f"/audit/?whistle={loop.number}&verify=1").status_code
        == 200
    )
    assert client_for(world, "commander").get("/audit/").status_code == 403


def test_english_is_available(world, loop):
    c = client_for(world, "commander")
    c.post("/i18n/setlang/", {"language": "en", "next": "/whistles/"})
    body = c.get("/whistles/").content.decode()
    assert 'lang="en"' in body
    # labels end in English punctuation, not the full-width forms Chinese uses
    s = loop.summonses.get(role="LEAD")
    for url in (f"/whistles/{loop.pk}/", f"/summonses/{s.pk}/"):
        page = c.get(url).content.decode()
        assert not re.search(r"[A-Za-z)]：", page), url


def test_english_labels_take_english_punctuation(world, actors, t0, hotline_demand):
    from shaobao.demands import services as DS

    d = hotline_demand(dept="CGZF")
    DS.demand_contact(actor=actors.cg_head, demand_id=d.pk, now=t0)
    DS.demand_respond(actor=actors.cg_head, demand_id=d.pk, response="已清运", now=t0)
    c = client_for(world, "operator")
    c.cookies["shaobao_lang"] = "en"
    page = c.get(f"/demands/{d.pk}/").content.decode()
    assert "Handling result: 已清运" in page and not re.search(r"[A-Za-z)]：", page)
    c.cookies["shaobao_lang"] = "zh-hans"
    assert "办理结果：已清运" in c.get(f"/demands/{d.pk}/").content.decode()


def test_forms_render(world, loop):
    c = client_for(world, "commander")
    assert c.get("/whistles/new/").status_code == 200
    assert c.get(f"/whistles/suggest/?matter={world.matters['ZY-KC-01'].pk}").status_code == 200
    assert c.get("/problems/new/").status_code == 200
    assert client_for(world, "grid").get("/problems/new/").status_code == 200


def test_outcome_with_photo_evidence_served_only_in_scope(
    world, loop, actors, t0, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shaobao.whistles.models import Evidence, Outcome

    settings.MEDIA_ROOT = tmp_path
    s = loop.summonses.get(role="LEAD")
    S.summons_acknowledge(actor=actors.gh_head, summons_id=s.pk, officer_names="杨磊", now=t0)
    S.summons_check_in(actor=actors.gh_head, summons_id=s.pk, now=t0)
    c = client_for(world, "gh_officer")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    bad = SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")
    r = c.post(
        f"/summonses/{s.pk}/record_outcome/",
        {
            "inspections": 1,
            "cases_filed": 0,
            "fines_yuan": "0",
            "items_removed": 0,
            "note": "现场取证",
            "lat": "40.18",
            "lng": "117.29",
            "photos": [bad],
        },
    )
    assert r.status_code == 302 and Outcome.objects.count() == 0  # refused whole, nothing saved
    good = SimpleUploadedFile("x.png", png, content_type="image/png")
    c.post(
        f"/summonses/{s.pk}/record_outcome/",
        {
            "inspections": 1,
            "cases_filed": 0,
            "fines_yuan": "0",
            "items_removed": 0,
            "note": "现场取证",
            "lat": "40.18",
            "lng": "117.29",
            "photos": [good],
        },
    )
    ev = Evidence.objects.get()
    assert ev.lat == 40.18 and ev.uploaded_at == ev.outcome.recorded_at
    r = c.get(f"/evidence/{ev.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content) == png
    assert client_for(world, "other_commander").get(f"/evidence/{ev.pk}/").status_code == 404


def test_department_head_whistles_for_other_departments_through_the_page(world, loop):
    from shaobao.whistles.models import Whistle

    c = client_for(world, "cg_head")
    assert c.get("/whistles/new/").status_code == 200
    r = c.post(
        "/whistles/new/",
        {
            "township": world.street.pk,
            "title": "占道经营联合整治",
            "description": "市场监管配合",
            "address": "兴谷街道",
            "area": "JOINT_ENFORCEMENT",
            "kind": "ENFORCEMENT",
            "mode": "ROUTINE",
            "urgency": "NORMAL",
            "lead": world.depts["SCJG"].pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[-500:]
    w = Whistle.objects.get(title="占道经营联合整治")
    assert w.blown_by_department == world.depts["CGZF"]


def test_routine_page_creates_a_schedule(world, loop):
    from shaobao.whistles.models import RoutineSchedule

    c = client_for(world, "commander")
    assert c.get("/routines/").status_code == 200
    r = c.post(
        "/routines/",
        {
            "township": world.town.pk,
            "title": "河道周巡",
            "description": "每周联合巡河",
            "address": "沿岸",
            "area": "KEY_TASK",
            "kind": "MANAGEMENT",
            "lead": world.depts["SW"].pk,
            "every_days": 7,
            "first_run_at": (timezone.localtime() + dt.timedelta(days=30)).strftime(
                "%Y-%m-%dT09:00"
            ),
        },
    )
    assert r.status_code == 302
    assert RoutineSchedule.objects.get().every_days == 7


def test_problem_edit(world, loop, actors, t0):
    from shaobao.problems.services import problem_create

    p = problem_create(
        actor=actors.grid,
        township_id=world.town.pk,
        title="井盖缺失",
        description="村口",
        address="海子村",
        now=t0,
    )
    c = client_for(world, "staff")
    c.post(
        f"/problems/{p.pk}/edit/",
        {
            "title": "井盖缺失（两处）",
            "description": "村口两处",
            "address": "海子村口",
            "priority": 2,
        },
    )
    p.refresh_from_db()
    assert p.title == "井盖缺失（两处）" and p.priority == 2
    r = client_for(world, "grid").post(
        f"/problems/{p.pk}/edit/", {"title": "x", "description": "y", "address": "z", "priority": 1}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.title == "井盖缺失（两处）"  # a grid worker reports; only the command centre edits


def test_effect_list_and_evaluations_export(world, actors, t0, cal, loop):
    import io

    from openpyxl import load_workbook

    from shaobao.assessments.services import evaluation_submit

    s = loop.summonses.get(role="LEAD")
    S.summons_acknowledge(actor=actors.gh_head, summons_id=s.pk, officer_names="杨磊", now=t0)
    S.summons_check_in(actor=actors.gh_head, summons_id=s.pk, now=t0)
    S.summons_record_outcome(
        actor=actors.gh_head,
        summons_id=s.pk,
        inspections=3,
        cases_filed=1,
        fines_yuan="2000",
        note="查扣采砂船",
        now=t0,
    )
    item = loop.ledger_items.get()
    S.ledger_item_clear(actor=actors.gh_head, item_id=item.pk, evidence_note="已查扣", now=t0)
    S.summons_claim_completion(actor=actors.gh_head, summons_id=s.pk, now=t0)
    S.summons_verify(actor=actors.commander, summons_id=s.pk, accept=True, now=t0)
    evaluation_submit(
        actor=actors.commander,
        summons_id=s.pk,
        timeliness=5,
        cooperation=4,
        effectiveness=4,
        now=t0,
    )
    evaluation_submit(
        actor=actors.commander,
        summons_id=s.pk,
        timeliness=4,
        cooperation=4,
        effectiveness=4,
        correction_reason="误填",
        now=t0,
    )
    c = client_for(world, "commander")
    rows = list(
        load_workbook(io.BytesIO(c.get("/whistles/export/effects.xlsx").content)).active.values
    )
    assert rows[0][0] == "吹哨编号" and rows[1][0] == loop.number and rows[1][6:9] == (3, 1, 2000)
    rows = list(
        load_workbook(io.BytesIO(c.get("/whistles/export/evaluations.xlsx").content)).active.values
    )
    assert [r[3] for r in rows[1:]] == [1, 2] and rows[2][9] == "误填"
    other = client_for(world, "other_commander")
    assert (
        len(
            list(
                load_workbook(
                    io.BytesIO(other.get("/whistles/export/effects.xlsx").content)
                ).active.values
            )
        )
        == 1
    )
