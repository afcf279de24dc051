"""Who hears what, set up through pages: admins add robot endpoints and unit subscriptions;
every user sets their own e-mail/SMS and quiet hours."""

import pytest
from django.test import Client

from shaobao.notify.models import ChannelEndpoint, Subscription

pytestmark = pytest.mark.django_db


def client(world, username):
    c = Client()
    c.force_login(world.users[username])
    return c


def test_admin_adds_a_robot_and_subscribes_a_department(world):
    c = client(world, "admin")
    assert c.get("/notifications/channels/").status_code == 200
    c.post(
        "/notifications/channels/",
        {
            "form": "endpoint",
            "ep-name": "城管执法局群",
            "ep-channel": "wecom",
            "ep-url": "https://qyapi.example/robot?key=abc",
            "ep-secret": "",
            "ep-rate_limit": 20,
            "ep-rate_window_seconds": 60,
        },
    )
    ep = ChannelEndpoint.objects.get(name="城管执法局群")
    c.post(
        "/notifications/channels/",
        {
            "form": "subscription",
            "sub-scope": f"d{world.depts['CGZF'].pk}",
            "sub-channel": "wecom",
            "sub-endpoint": ep.pk,
            "sub-roles": ["department_dispatcher", "department_officer"],
            "sub-quiet_from": "22:00",
            "sub-quiet_to": "07:00",
        },
    )
    sub = Subscription.objects.get(department=world.depts["CGZF"])
    assert sub.endpoint == ep and str(sub.quiet_from) == "22:00:00"
    page = c.get("/notifications/channels/").content.decode()
    assert "abc" not in page  # robot keys are write-only
    c.post(f"/notifications/subscriptions/{sub.pk}/off/")
    sub.refresh_from_db()
    assert not sub.active


def test_users_set_their_own_notifications_and_nobody_elses(world):
    c = client(world, "cg_officer")
    assert c.get("/notifications/mine/").status_code == 200
    c.post(
        "/notifications/mine/",
        {"channel": "sms", "address": "13900000000", "quiet_from": "22:00", "quiet_to": "07:00"},
    )
    sub = Subscription.objects.get(user=world.users["cg_officer"])
    assert sub.channel == "sms"
    assert client(world, "cg_officer").get("/notifications/channels/").status_code == 404
    other = client(world, "gh_officer")
    other.post(f"/notifications/subscriptions/{sub.pk}/off/", {"back": "mine"})
    sub.refresh_from_db()
    assert sub.active  # not theirs
