"""Every page renders for the roles that use it, in Chinese by default and in English on request;
out-of-scope objects look missing."""

import pytest
from django.test import Client

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
