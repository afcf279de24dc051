"""Deadline reminders (one per summons per deadline, safe to run twice) and the dead-letter page."""

import datetime as dt

import pytest

from shaobao.audit.models import AuditEntry
from shaobao.notify.models import Delivery, Notification
from shaobao.notify.reminders import remind_deadlines
from shaobao.notify.services import enqueue
from shaobao.whistles import services as W
from shaobao.whistles.models import Summons

pytestmark = pytest.mark.django_db
M = dt.timedelta(minutes=1)


def blow(world, actors, t0, cal, **kw):
    args = dict(
        actor=actors.commander,
        township_id=world.town.pk,
        title="金海湖暴露垃圾",
        description="岸边垃圾堆积",
        address="金海湖东岸",
        area="JOINT_ENFORCEMENT",
        kind="ENFORCEMENT",
        mode="ROUTINE",
        summoned=[
            W.SummonsSpec(world.depts["CGZF"].pk, "LEAD"),
            W.SummonsSpec(world.depts["GA"].pk, "ASSIST"),
        ],
        now=t0,
        cal=cal,
    )
    args.update(kw)
    return W.whistle_blow(**args)


def reminders():
    return Notification.objects.filter(event="deadline_approaching")


def test_one_reminder_per_summons_per_deadline(world, actors, t0, cal):
    w = blow(world, actors, t0, cal)  # report-by in 30 minutes
    assert remind_deadlines(now=t0 + 10 * M) == 0  # not yet within 10 minutes
    lead = w.summonses.get(role="LEAD")
    Summons.objects.filter(pk=lead.pk).update(state=Summons.CHECKED_IN)  # this one has reported
    assert remind_deadlines(now=t0 + 22 * M) == 1
    assert remind_deadlines(now=t0 + 25 * M) == 0  # run twice: still one
    (n,) = reminders()
    assert n.department == world.depts["GA"] and "报到时限" in n.title and w.number in n.title
    assert remind_deadlines(now=t0 + 31 * M) == 0  # past the deadline: the sweep's business


def test_finish_by_reminder_and_a_moved_deadline_reminds_again(world, actors, t0, cal):
    w = blow(world, actors, t0, cal, finish_by_at=t0 + 5 * 60 * M)
    Summons.objects.filter(whistle=w).update(state=Summons.CHECKED_IN)
    assert remind_deadlines(now=t0 + 61 * M, lead_minutes={"finish_by_at": 240}) == 2
    Summons.objects.filter(whistle=w).update(finish_by_at=t0 + 6 * 60 * M)
    assert remind_deadlines(now=t0 + 62 * M, lead_minutes={"finish_by_at": 240}) == 0
    assert remind_deadlines(now=t0 + 121 * M, lead_minutes={"finish_by_at": 240}) == 2
    assert reminders().count() == 4


def test_sealed_whistle_reminder_reveals_nothing(world, actors, t0, cal):
    blow(
        world,
        actors,
        t0,
        cal,
        mode="SURPRISE",
        launch_at=t0 + 180 * M,
        meeting_point="镇政府东门",
        report_by_at=t0 + 20 * M,
    )
    assert remind_deadlines(now=t0 + 15 * M) == 2
    for n in reminders():
        assert "金海湖" not in n.title and "CS" not in n.title and n.body == ""
        assert n.audience == ["department_dispatcher"]


@pytest.fixture
def dead(world, t0):
    n = enqueue(event="supervised", dedupe_key="x", title="督办通知", now=t0)
    n.state = Notification.ROUTED
    n.save()
    return Delivery.objects.create(
        notification=n,
        channel="wecom",
        receiver="ep:1",
        state=Delivery.DEAD,
        attempts=8,
        last_error="errcode 93000: invalid webhook url",
        next_attempt_at=t0,
        created_at=t0,
    )


@pytest.mark.urls("shaobao.notify.tests.urls")
def test_dead_letter_page_and_retry_for_admins_only(client, world, dead):
    client.force_login(world.users["supervisor"])
    assert client.get("/notifications/dead/").status_code == 404
    assert client.post(f"/notifications/dead/{dead.pk}/retry/").status_code == 404
    client.force_login(world.users["admin"])
    page = client.get("/notifications/dead/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "督办通知" in html and "invalid webhook url" in html and "csrfmiddlewaretoken" in html
    assert client.get(f"/notifications/dead/{dead.pk}/retry/").status_code == 405
    resp = client.post(f"/notifications/dead/{dead.pk}/retry/")
    assert resp.status_code == 302
    dead.refresh_from_db()
    assert dead.state == Delivery.PENDING and dead.attempts == 0
    assert AuditEntry.objects.filter(action="notify.delivery_retry").count() == 1
    client.post(f"/notifications/dead/{dead.pk}/retry/")  # not dead any more: a message, no change
    assert AuditEntry.objects.filter(action="notify.delivery_retry").count() == 1


@pytest.mark.urls("shaobao.notify.tests.urls")
def test_an_administrator_sees_and_retries_only_their_districts_notifications(
    client, world, t0, dead
):
    from shaobao.org import roles as R
    from shaobao.org import services as OS
    from shaobao.org.models import Department
    from shaobao.org.scoping import SYSTEM

    miyun = OS.jurisdiction_create(
        actor=SYSTEM, code="110118", name="密云区", level="DISTRICT", now=t0
    )
    water = Department.objects.create(code="MY-SW", name="密云水务局", district=miyun)
    theirs = enqueue(event="supervised", dedupe_key="y", title="密云督办", department=water, now=t0)
    theirs.state = Notification.DEAD
    theirs.save()
    letter = Delivery.objects.create(
        notification=theirs,
        channel="sms",
        receiver="13900000000",
        state=Delivery.DEAD,
        next_attempt_at=t0,
        created_at=t0,
    )
    client.force_login(world.users["admin"])  # 平谷区's administrator
    html = client.get("/notifications/dead/").content.decode()
    assert "督办通知" in html and "密云督办" not in html and "13900000000" not in html
    client.post(f"/notifications/dead/{letter.pk}/retry/")
    client.post(f"/notifications/dead/notification/{theirs.pk}/retry/")
    letter.refresh_from_db()
    theirs.refresh_from_db()
    assert letter.state == Delivery.DEAD and theirs.state == Notification.DEAD
    admin2 = OS.user_create(
        actor=SYSTEM, username="admin2", display_name="密云管理员", password="x" * 12, now=t0
    )
    OS.membership_grant(actor=SYSTEM, user=admin2, role=R.ADMIN, jurisdiction=miyun, now=t0)
    client.force_login(admin2)
    assert "密云督办" in client.get("/notifications/dead/").content.decode()
    client.post(f"/notifications/dead/{letter.pk}/retry/")
    letter.refresh_from_db()
    assert letter.state == Delivery.PENDING


@pytest.mark.urls("shaobao.notify.tests.urls")
def test_retry_needs_csrf(world, dead):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["admin"])
    assert c.post(f"/notifications/dead/{dead.pk}/retry/").status_code == 403
