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


def test_an_administrator_acts_only_inside_their_districts(world, t0):
    """A second district with its own administrator, and a user who holds roles in both: the
    other district's administrator may revoke only the role there, and may not switch the
    account off (it serves this district too), grant roles here, or run departments here."""
    from shaobao.core.errors import PermissionDenied
    from shaobao.org import roles as R
    from shaobao.org import services as OS
    from shaobao.org.scoping import SYSTEM, actor_for

    miyun = OS.jurisdiction_create(
        actor=SYSTEM, code="110118", name="密云区", level="DISTRICT", now=t0
    )
    admin2 = OS.user_create(
        actor=SYSTEM, username="admin2", display_name="密云管理员", password="x" * 12, now=t0
    )
    OS.membership_grant(actor=SYSTEM, user=admin2, role=R.ADMIN, jurisdiction=miyun, now=t0)
    cmd = world.users["commander"]
    there = OS.membership_grant(
        actor=SYSTEM, user=cmd, role=R.GRID_WORKER, jurisdiction=miyun, now=t0
    )
    here = Membership.objects.get(user=cmd, role=R.TOWNSHIP_COMMANDER)
    c = Client()
    c.force_login(admin2)
    c.post(f"/org/users/{cmd.pk}/memberships/{here.pk}/revoke/")
    c.post(f"/org/users/{cmd.pk}/active/", {"active": "0"})
    here.refresh_from_db()
    cmd.refresh_from_db()
    assert here.active and cmd.is_active
    c.post(f"/org/users/{cmd.pk}/memberships/{there.pk}/revoke/")
    there.refresh_from_db()
    assert not there.active  # their own district's role: allowed
    a2 = actor_for(admin2)
    for attempt in (
        lambda: OS.membership_grant(
            actor=a2, user=admin2, role=R.TOWNSHIP_COMMANDER, jurisdiction=world.town, now=t0
        ),
        lambda: OS.department_set_active(
            actor=a2, department_id=world.depts["CGZF"].pk, active=False, now=t0
        ),
        lambda: OS.department_create(
            actor=a2, code="X1", name="某局", district_code=world.district.code, now=t0
        ),
        lambda: OS.jurisdiction_create(
            actor=a2, code="110117999", name="某镇", level="TOWNSHIP", now=t0
        ),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    # and this district's administrator still runs it
    admin = actor_for(world.users["admin"])
    OS.department_set_active(
        actor=admin, department_id=world.depts["CGZF"].pk, active=False, now=t0
    )
    OS.membership_revoke(actor=admin, membership_id=here.pk, now=t0)
