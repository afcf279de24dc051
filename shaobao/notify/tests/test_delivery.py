"""Outbox → fan-out → delivery, in process, against a local HTTP receiver."""

import datetime as dt

import pytest
from django.db import transaction

from shaobao.audit.models import AuditEntry
from shaobao.core.errors import PermissionDenied
from shaobao.notify import services as N
from shaobao.notify.delivery import _claim, deliver_due, route_due, run_once
from shaobao.notify.models import Delivery, Notification
from shaobao.org import roles as R
from shaobao.whistles import services as W

pytestmark = pytest.mark.django_db
S = dt.timedelta(seconds=1)


@pytest.fixture
def robot(receiver, actors, t0):
    return N.endpoint_create(
        actor=actors.admin,
        name="城管执法局群机器人",
        channel="wecom",
        url=receiver.url + "/cgi-bin/webhook/send?key=k",
        now=t0,
    )


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
        summoned=[W.SummonsSpec(world.depts["CGZF"].pk, "LEAD")],
        now=t0,
        cal=cal,
    )
    args.update(kw)
    return W.whistle_blow(**args)


def test_rolled_back_change_leaves_no_notification(world, actors, t0, cal):
    with pytest.raises(RuntimeError), transaction.atomic():
        blow(world, actors, t0, cal)
        assert Notification.objects.count() == 1
        raise RuntimeError("the change fails after the notification was queued")
    assert Notification.objects.count() == 0
    assert route_due(now=t0 + S) == 0 and Delivery.objects.count() == 0


def test_fan_out_to_department_robot_and_users(world, actors, t0, cal, robot):
    u = world.users
    u["cg_head"].email = "cg_head@example.gov.cn"
    u["cg_head"].save()
    u["cg_officer"].phone = "13800138000"
    u["cg_officer"].save()
    N.subscription_create(
        actor=actors.admin, channel="wecom", department=world.depts["CGZF"], endpoint=robot, now=t0
    )
    N.subscription_create(actor=actors.cg_head, channel="email", user=u["cg_head"], now=t0)
    N.subscription_create(actor=actors.cg_officer, channel="sms", user=u["cg_officer"], now=t0)
    # Same address twice (e-mail again, explicitly): still one delivery to that receiver.
    N.subscription_create(
        actor=actors.admin,
        channel="email",
        user=u["cg_head"],
        address="CG_HEAD@example.gov.cn",
        now=t0,
    )
    # Another department's robot hears nothing of it.
    N.subscription_create(
        actor=actors.admin, channel="wecom", department=world.depts["GA"], endpoint=robot, now=t0
    )
    blow(world, actors, t0, cal)
    assert route_due(now=t0) == 1
    got = set(Delivery.objects.values_list("channel", "receiver"))
    assert got == {
        ("wecom", f"ep:{robot.pk}"),
        ("email", "email:cg_head@example.gov.cn"),
        ("sms", "sms:13800138000"),
    }
    assert route_due(now=t0 + S) == 0  # routed once
    n = Notification.objects.get()
    assert n.state == Notification.ROUTED


def test_sealed_whistle_reaches_heads_only_with_a_neutral_text(world, actors, t0, cal, robot):
    u = world.users
    u["cg_head"].phone, u["cg_officer"].phone = "13800000001", "13800000002"
    u["cg_head"].save()
    u["cg_officer"].save()
    N.subscription_create(actor=actors.cg_head, channel="sms", user=u["cg_head"], now=t0)
    N.subscription_create(actor=actors.cg_officer, channel="sms", user=u["cg_officer"], now=t0)
    N.subscription_create(
        actor=actors.admin,
        channel="wecom",
        department=world.depts["CGZF"],
        endpoint=robot,
        roles=[R.DEPARTMENT_OFFICER, R.DEPARTMENT_DISPATCHER],
        now=t0,
    )
    blow(
        world,
        actors,
        t0,
        cal,
        mode="SURPRISE",
        launch_at=t0 + dt.timedelta(hours=3),
        meeting_point="镇政府东门",
    )
    route_due(now=t0)
    receivers = set(Delivery.objects.values_list("receiver", flat=True))
    # Heads only: the officer's phone gets nothing; the group robot declares officers in it.
    assert receivers == {"sms:13800000001"}
    d = Delivery.objects.get()
    assert "金海湖" not in d.notification.title and d.notification.body == ""


def test_district_roles_hear_of_township_events(world, actors, t0, cal):
    u = world.users["supervisor"]
    u.email = "sup@example.gov.cn"
    u.save()
    N.subscription_create(actor=actors.supervisor, channel="email", user=u, now=t0)
    N.enqueue(
        event="escalated",
        dedupe_key="escalated:test",
        title="超时升级",
        jurisdiction=world.town.parent,
        audience=[R.DISTRICT_SUPERVISOR],
        urgent=True,
        now=t0,
    )
    route_due(now=t0)
    assert list(Delivery.objects.values_list("receiver", flat=True)) == ["email:sup@example.gov.cn"]


def test_quiet_hours_delay_ordinary_news_but_never_emergencies(world, actors, t0):
    u = world.users["cg_head"]
    u.phone = "13800000001"
    u.save()
    N.subscription_create(
        actor=actors.cg_head,
        channel="sms",
        user=u,
        quiet_from=dt.time(22, 0),
        quiet_to=dt.time(7, 0),
        now=t0,
    )
    night = t0.replace(hour=23, minute=10)
    for key, urgent in (("a", False), ("b", True)):
        N.enqueue(
            event="supervised",
            dedupe_key=key,
            title="督办",
            department=world.depts["CGZF"],
            audience=[R.DEPARTMENT_DISPATCHER],
            urgent=urgent,
            now=night,
        )
    route_due(now=night)
    ordinary = Delivery.objects.get(notification__dedupe_key="a")
    urgent = Delivery.objects.get(notification__dedupe_key="b")
    assert urgent.next_attempt_at == night
    assert ordinary.next_attempt_at == (night + dt.timedelta(days=1)).replace(
        hour=7, minute=10 - 10
    )


def test_delivered_once_marked_sent_and_unrouted_go_to_the_log(
    world, actors, t0, cal, robot, receiver
):
    N.subscription_create(
        actor=actors.admin, channel="wecom", department=world.depts["CGZF"], endpoint=robot, now=t0
    )
    blow(world, actors, t0, cal)
    N.enqueue(event="problem_reported", dedupe_key="p1", title="新问题", now=t0)
    assert run_once(now_fn=lambda: t0) == 4  # two routed, two delivered
    assert set(Delivery.objects.values_list("channel", "state")) == {
        ("wecom", "SENT"),
        ("log", "SENT"),
    }
    (hit,) = receiver.hits
    d = Delivery.objects.get(channel="wecom")
    assert hit.headers["x-shaobao-delivery"] == str(d.key)
    assert "http://127.0.0.1:8000/summonses/" in hit.json()["markdown"]["content"]
    assert run_once(now_fn=lambda: t0 + S) == 0  # nothing twice


def test_failures_back_off_then_dead_letter_then_admin_retry(
    world, actors, t0, robot, receiver, settings
):
    settings.SHAOBAO_NOTIFY = {"MAX_ATTEMPTS": 3, "RETRY_BASE_SECONDS": 15}
    N.subscription_create(
        actor=actors.admin, channel="wecom", department=world.depts["CGZF"], endpoint=robot, now=t0
    )
    N.enqueue(
        event="supervised", dedupe_key="x", title="督办", department=world.depts["CGZF"], now=t0
    )
    route_due(now=t0)
    receiver.answer = {"errcode": -1, "errmsg": "system busy"}
    t = t0
    waits = []
    for _ in range(3):
        assert deliver_due(now=t) == 1
        d = Delivery.objects.get()
        waits.append((d.next_attempt_at - t).total_seconds())
        assert deliver_due(now=t) == 0  # not due again before its back-off
        t = d.next_attempt_at
    assert waits[:2] == [15, 30]
    assert d.state == Delivery.DEAD and d.attempts == 3 and "system busy" in d.last_error
    assert deliver_due(now=t + dt.timedelta(days=1)) == 0

    with pytest.raises(PermissionDenied):
        N.delivery_retry(actor=actors.supervisor, delivery_id=d.pk, now=t)
    receiver.answer = {"errcode": 0}
    N.delivery_retry(actor=actors.admin, delivery_id=d.pk, now=t)
    assert AuditEntry.objects.filter(action="notify.delivery_retry").count() == 1
    assert deliver_due(now=t) == 1
    d.refresh_from_db()
    assert d.state == Delivery.SENT


def test_rate_limit_answer_requeues_without_spending_an_attempt(world, actors, t0, robot, receiver):
    N.subscription_create(
        actor=actors.admin, channel="wecom", department=world.depts["CGZF"], endpoint=robot, now=t0
    )
    N.enqueue(
        event="supervised", dedupe_key="x", title="督办", department=world.depts["CGZF"], now=t0
    )
    route_due(now=t0)
    receiver.script = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    assert deliver_due(now=t0) == 0
    d = Delivery.objects.get()
    assert d.state == Delivery.PENDING and d.attempts == 0
    assert d.next_attempt_at == t0 + 60 * S
    assert deliver_due(now=t0 + 60 * S) == 1
    d.refresh_from_db()
    assert d.state == Delivery.SENT


def test_in_process_rate_limit_queues_instead_of_dropping(world, actors, t0, robot, receiver):
    robot.rate_limit, robot.rate_window_seconds = 3, 60
    robot.save()
    N.subscription_create(
        actor=actors.admin, channel="wecom", department=world.depts["CGZF"], endpoint=robot, now=t0
    )
    for i in range(7):
        N.enqueue(
            event="supervised",
            dedupe_key=f"x{i}",
            title="督办",
            department=world.depts["CGZF"],
            now=t0,
        )
    route_due(now=t0)
    assert run_once(now_fn=lambda: t0) == 3
    assert len(receiver.hits) == 3
    run_once(now_fn=lambda: t0 + 30 * S)
    assert len(receiver.hits) == 3
    run_once(now_fn=lambda: t0 + 61 * S)
    assert len(receiver.hits) == 6
    run_once(now_fn=lambda: t0 + 122 * S)
    assert len(receiver.hits) == 7
    assert Delivery.objects.filter(state="SENT").count() == 7


def test_a_claimed_row_is_retried_with_the_same_key_after_the_lease(
    world, actors, t0, robot, receiver, settings
):
    settings.SHAOBAO_NOTIFY = {"LEASE_SECONDS": 120}
    N.subscription_create(
        actor=actors.admin, channel="wecom", department=world.depts["CGZF"], endpoint=robot, now=t0
    )
    N.enqueue(
        event="supervised", dedupe_key="x", title="督办", department=world.depts["CGZF"], now=t0
    )
    route_due(now=t0)
    (claimed,) = _claim(t0, 10)  # a worker claims it and dies
    assert _claim(t0 + 60 * S, 10) == []  # invisible to others during the lease
    assert deliver_due(now=t0 + 121 * S) == 1
    (hit,) = receiver.hits
    assert hit.headers["x-shaobao-delivery"] == str(claimed.key)
    d = Delivery.objects.get()
    assert d.attempts == 2 and d.state == Delivery.SENT


def test_endpoint_secret_is_write_only_and_not_audited(actors, t0):
    ep = N.endpoint_create(
        actor=actors.admin,
        name="钉钉",
        channel="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret="SECtop",
        now=t0,
    )
    N.endpoint_update(actor=actors.admin, endpoint_id=ep.pk, secret="", now=t0)
    ep.refresh_from_db()
    assert ep.secret == "SECtop" and (ep.rate_limit, ep.rate_window_seconds) == (20, 60)
    for entry in AuditEntry.objects.filter(action__startswith="notify.endpoint"):
        assert "SECtop" not in str(entry.data) and "access_token" not in str(entry.data)
    with pytest.raises(PermissionDenied):
        N.endpoint_create(actor=actors.cg_head, name="x", channel="wecom", url="https://x", now=t0)
