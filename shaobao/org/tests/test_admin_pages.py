import datetime as dt

import pytest
from django.test import Client

from shaobao.audit.models import AuditEntry
from shaobao.core.models import CalendarOverride
from shaobao.org.models import Department, Membership, User

pytestmark = pytest.mark.django_db


def admin_client(world):
    c = Client()
    c.force_login(world.users["admin"])
    return c


def test_admin_manages_users_roles_departments_places_calendar(world):
    c = admin_client(world)
    for url in [
        "/org/users/",
        "/org/departments/",
        "/org/places/",
        "/org/calendar/",
        "/notifications/dead/",
    ]:
        assert c.get(url).status_code == 200, url
    c.post(
        "/org/users/",
        {"username": "new_staff", "display_name": "新人", "password": "correct-horse-9"},
    )
    u = User.objects.get(username="new_staff")
    c.post(f"/org/users/{u.pk}/", {"role": "township_staff", "jurisdiction": world.town.pk})
    m = Membership.objects.get(user=u)
    assert m.role == "township_staff" and m.jurisdiction == world.town
    c.post(f"/org/users/{u.pk}/memberships/{m.pk}/revoke/")
    m.refresh_from_db()
    assert not m.active
    c.post(f"/org/users/{u.pk}/active/", {"active": "0"})
    u.refresh_from_db()
    assert not u.is_active
    c.post("/org/users/", {"username": "weak", "display_name": "x", "password": "123"})
    assert not User.objects.filter(username="weak").exists()  # weak passwords refused
    c.post("/org/departments/", {"code": "JT", "name": "区交通局", "kind": "GOVERNMENT"})
    jt = Department.objects.get(code="JT")
    c.post(f"/org/departments/{jt.pk}/active/", {"active": "0"})
    jt.refresh_from_db()
    assert not jt.active
    c.post("/org/places/", {"code": "110117104202", "name": "海子二村", "kind": ""})
    c.post("/org/calendar/", {"day_date": "2027-02-08", "is_workday": "0", "reason": "2027年春节"})
    assert CalendarOverride.objects.get(day_date=dt.date(2027, 2, 8)).is_workday is False
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "user.create",
        "membership.grant",
        "membership.revoke",
        "user.deactivate",
        "department.disable",
        "jurisdiction.create",
        "calendar.override",
    } <= actions


def test_only_admins(world):
    for who in ["commander", "inspector", "legal", "cg_head"]:
        c = Client()
        c.force_login(world.users[who])
        assert c.get("/org/users/").status_code == 403
        c.post("/org/departments/", {"code": "X1", "name": "x", "kind": "GOVERNMENT"})
    assert not Department.objects.filter(code="X1").exists()
