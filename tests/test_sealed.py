"""A sealed surprise whistle cannot be seen, before launch, by anyone but the whistling
township's commander and the heads of the summoned departments: not through any page, list,
search, API endpoint, export or notification. Every permitted read is audited."""

import datetime as dt
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from shaobao.audit.models import AuditEntry
from shaobao.notify.models import Notification
from shaobao.problems.services import problem_create
from shaobao.whistles import services as S

pytestmark = pytest.mark.django_db
SECRETS = ["绝密行动甲", "秘密集合点乙", "凌晨突查丙"]
ALLOWED = {"commander", "gh_head", "ga_head"}
OUTSIDERS = [
    "staff",
    "gh_officer",
    "supervisor",
    "inspector",
    "legal",
    "cg_head",
    "cg_officer",
    "sw_head",
    "other_commander",
    "grid",
    "assessor",
    "admin",
    "operator",
]


@pytest.fixture
def sealed(world, actors, cal):
    from django.utils import timezone

    now = timezone.now()
    problem = problem_create(
        actor=actors.staff,
        township_id=world.town.pk,
        title="采砂线索",
        description="群众举报",
        address="东岸",
        lat=40.18,
        lng=117.29,
        now=now,
    )
    w = S.whistle_blow(
        actor=actors.commander,
        township_id=world.town.pk,
        title=SECRETS[0],
        description=SECRETS[2],
        address="金海湖东岸",
        area="JOINT_ENFORCEMENT",
        kind="ENFORCEMENT",
        mode="SURPRISE",
        launch_at=now + dt.timedelta(hours=6),
        meeting_point=SECRETS[1],
        problem_ids=[problem.pk],
        summoned=[
            S.SummonsSpec(world.depts["GHZY"].pk, "LEAD"),
            S.SummonsSpec(world.depts["GA"].pk, "ASSIST"),
        ],
        now=now,
        cal=cal,
    )
    return w, problem


def surfaces(w, problem):
    s = w.summonses.get(role="LEAD")
    pages = [
        "/whistles/?status=all",
        f"/whistles/?status=all&q={SECRETS[0][:2]}",
        f"/whistles/{w.pk}/",
        f"/summonses/{s.pk}/",
        "/inbox/?all=1",
        "/escalated/",
        "/objections/?all=1",
        "/audit/",
        f"/audit/?whistle={w.number}",
        "/map/",
        "/map/markers.json",
        "/map/boundaries.json?level=TOWNSHIP",
        "/demands/",
        "/objections/?all=1",
        "/problems/",
        f"/problems/{problem.pk}/",
        "/campaigns/",
        "/command/",
        "/command/data.json",
        "/dashboard/",
        "/hotspots/",
        "/assessments/",
    ]
    api = [
        "/api/v1/whistles?status=",
        f"/api/v1/whistles?q={SECRETS[0][:2]}",
        f"/api/v1/whistles/{w.pk}",
        "/api/v1/summonses",
        f"/api/v1/summonses/{s.pk}",
        f"/api/v1/whistles/{w.pk}/audit",
        f"/api/v1/whistles/{w.pk}/ledger",
        "/api/v1/objections?pending_only=false",
        "/api/v1/summonses/escalated",
        "/api/v1/problems",
        f"/api/v1/problems/{problem.pk}",
    ]
    exports = ["/problems/?format=xlsx", "/api/v1/problems/export.xlsx"]
    return pages, api, exports


def text_of(response) -> str:
    """What a reader of the response sees: a workbook's cells, JSON with its \\u escapes
    decoded (the API's encoder writes Chinese that way), else the body."""
    kind = response.get("Content-Type", "")
    if kind.startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(response.content))
        return " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row)
    if kind.startswith("application/json") and response.content:
        return json.dumps(json.loads(response.content), ensure_ascii=False)
    return response.content.decode()


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_see_nothing_before_launch(world, sealed, username):
    w, problem = sealed
    c = Client()
    c.force_login(world.users[username])
    pages, api, exports = surfaces(w, problem)
    for url in pages + api + exports:
        r = c.get(url)
        assert r.status_code in (200, 403, 404), (url, r.status_code)
        body = text_of(r)
        for secret in SECRETS:
            assert secret not in body, (username, url)
    assert not AuditEntry.objects.filter(action="whistle.sealed_read").exists()


def test_nothing_leaks_into_notifications_or_audit(sealed):
    w, _problem = sealed
    for n in Notification.objects.all():
        assert not any(s in n.title + n.body for s in SECRETS)
    for e in AuditEntry.objects.filter(whistle_id=w.pk):
        assert not any(s in str(e.data) for s in SECRETS)


def test_its_target_is_sealed_for_summoned_officers_until_launch(world, actors, sealed):
    """Summoned departments see the problems of their whistles, but a surprise operation's
    target only once they may see the operation: the officers (not heads) after launch."""
    from django.utils import timezone

    w, problem = sealed
    title = problem.title
    urls = ["/problems/", f"/problems/{problem.pk}/", "/map/markers.json", "/problems/?format=xlsx"]
    urls += ["/api/v1/problems", f"/api/v1/problems/{problem.pk}"]

    def seen(username):
        c = Client()
        c.force_login(world.users[username])
        found = []
        for url in urls:
            r = c.get(url)
            assert r.status_code in (200, 404), (url, r.status_code)
            body = text_of(r)
            if title in body or (url.startswith("/map/") and "40.18" in body):
                found.append(url)
        return found

    assert seen("gh_officer") == [] and seen("cg_officer") == []
    assert seen("gh_head") == urls  # the head of a summoned department sees the operation
    S.whistle_launch(actor=actors.commander, whistle_id=w.pk, now=timezone.now())
    assert seen("gh_officer") == urls and seen("cg_officer") == []


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_commander_and_heads_see_it_and_each_read_is_audited(world, sealed, username):
    w, _problem = sealed
    c = Client()
    c.force_login(world.users[username])
    r = c.get(f"/whistles/{w.pk}/")
    assert r.status_code == 200 and SECRETS[1] in r.content.decode()
    r = c.get(f"/api/v1/whistles/{w.pk}")
    assert r.json()["meeting_point"] == SECRETS[1]
    reads = AuditEntry.objects.filter(action="whistle.sealed_read", whistle_id=w.pk)
    assert reads.count() == 2 and {e.actor_id for e in reads} == {world.users[username].pk}
    # dashboards and the wall screen never show it, even to them
    for url in ("/command/", "/command/data.json", "/dashboard/"):
        body = c.get(url).content.decode()
        assert not any(secret in body for secret in SECRETS), (username, url)


def test_after_launch_the_whistle_is_ordinary(world, actors, sealed):
    w, _problem = sealed
    from django.utils import timezone

    S.whistle_launch(actor=actors.commander, whistle_id=w.pk, now=timezone.now())
    c = Client()
    c.force_login(world.users["staff"])
    assert SECRETS[0] in c.get(f"/whistles/{w.pk}/").content.decode()
    assert Notification.objects.filter(event="whistle_launched").count() == 2
