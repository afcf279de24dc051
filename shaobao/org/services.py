"""Reference data writers: jurisdictions, departments, users and memberships. Disabled, never
deleted; every change audited."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core import validate as V
from shaobao.core.errors import InvalidInput, PermissionDenied
from shaobao.org import roles as R
from shaobao.org.models import ApiToken, Department, Jurisdiction, Membership, User
from shaobao.org.scoping import Actor


def _require_admin(actor: Actor):
    if actor.user_id is not None and R.ADMIN not in actor.roles:
        raise PermissionDenied()


def _require_admin_over(actor: Actor, *codes: str) -> None:
    """An administrator acts only inside the districts they administer: each code (a place, a
    department's district, a role's scope) must lie within one of them."""
    _require_admin(actor)
    if actor.user_id is not None and not all(actor.covers({R.ADMIN}, c) for c in codes):
        raise PermissionDenied()


def _scope_code(m: Membership) -> str:
    return m.jurisdiction.code if m.jurisdiction_id else m.department.district.code


@transaction.atomic
def jurisdiction_create(
    *, actor: Actor, code, name, level, kind="", parent_code=None, lat=None, lng=None, now
) -> Jurisdiction:
    _require_admin(actor)
    code = V.text(code, "code", max_len=15)
    _require_admin_over(actor, code)
    level = V.choice(level, Jurisdiction.LEVELS, "level")
    if not V.is_digits(code) or len(code) != Jurisdiction.CODE_LENGTH[level]:
        raise InvalidInput(
            _("区划代码须为%(n)s位数字") % {"n": Jurisdiction.CODE_LENGTH[level]},
            fields={"code": "invalid"},
        )
    parent = None
    if level != Jurisdiction.DISTRICT:
        parent = Jurisdiction.objects.filter(
            code=code[: Jurisdiction.CODE_LENGTH[Jurisdiction.PARENT_LEVEL[level]]]
        ).first()
        if parent is None or (parent_code and parent.code != parent_code):
            raise InvalidInput(_("上级区划不存在"), fields={"parent": "missing"})
    if kind:
        V.choice(kind, Jurisdiction.KINDS, "kind")
    if Jurisdiction.objects.filter(code=code).exists():
        raise InvalidInput(_("区划代码已存在"), fields={"code": "duplicate"})
    lat, lng = V.coords(lat, lng)
    j = Jurisdiction.objects.create(
        code=code,
        name=V.text(name, "name", max_len=100),
        level=level,
        kind=kind,
        parent=parent,
        lat=lat,
        lng=lng,
    )
    record(
        actor=actor,
        action="jurisdiction.create",
        obj=j,
        data={"code": code, "name": j.name, "level": level},
        now=now,
    )
    return j


@transaction.atomic
def department_create(
    *, actor: Actor, code, name, district_code, short_name="", kind="GOVERNMENT", now
) -> Department:
    _require_admin(actor)
    district = Jurisdiction.objects.filter(code=district_code, level=Jurisdiction.DISTRICT).first()
    if district is None:
        raise InvalidInput(_("所属区不存在"), fields={"district": "missing"})
    _require_admin_over(actor, district.code)
    code = V.text(code, "code", max_len=20)
    if Department.objects.filter(code=code).exists():
        raise InvalidInput(_("部门编码已存在"), fields={"code": "duplicate"})
    d = Department.objects.create(
        code=code,
        name=V.text(name, "name", max_len=100),
        short_name=V.text(short_name, "short_name", max_len=30, required=False),
        kind=V.choice(kind, Department.KINDS, "kind"),
        district=district,
    )
    record(
        actor=actor, action="department.create", obj=d, data={"code": code, "name": d.name}, now=now
    )
    return d


@transaction.atomic
def user_create(*, actor: Actor, username, display_name, password, phone="", now) -> User:
    _require_admin(actor)
    username = V.text(username, "username", max_len=150)
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("用户名已存在"), fields={"username": "duplicate"})
    user = User(
        username=username,
        display_name=V.text(display_name, "display_name", max_len=50),
        phone=V.text(phone, "phone", max_len=20, required=False),
    )
    try:
        validate_password(password, user)
    except DjangoValidationError as e:
        raise InvalidInput("；".join(e.messages), fields={"password": "weak"}) from None
    user.set_password(password)
    user.save()
    record(actor=actor, action="user.create", obj=user, data={"username": username}, now=now)
    return user


@transaction.atomic
def membership_grant(
    *,
    actor: Actor,
    user: User,
    role: str,
    jurisdiction: Jurisdiction | None = None,
    department: Department | None = None,
    now,
) -> Membership:
    _require_admin(actor)
    V.choice(role, R.CHOICES, "role")
    if role in R.DEPARTMENT_ROLES:
        if department is None or jurisdiction is not None:
            raise InvalidInput(_("部门角色须指定部门"), fields={"department": "required"})
    elif jurisdiction is None or department is not None:
        raise InvalidInput(_("该角色须指定辖区"), fields={"jurisdiction": "required"})
    _require_admin_over(actor, jurisdiction.code if jurisdiction else department.district.code)
    m, _created = Membership.objects.get_or_create(
        user=user,
        role=role,
        jurisdiction=jurisdiction,
        department=department,
        defaults={"active": True},
    )
    if not m.active:
        m.active = True
        m.save(update_fields=["active"])
    record(
        actor=actor,
        action="membership.grant",
        obj=m,
        data={
            "user": user.pk,
            "role": role,
            "jurisdiction": jurisdiction.code if jurisdiction else None,
            "department": department.pk if department else None,
        },
        now=now,
    )
    return m


@transaction.atomic
def membership_revoke(*, actor: Actor, membership_id, now) -> Membership:
    _require_admin(actor)
    m = (
        Membership.objects.select_for_update(of=("self",))  # not the nullable joined rows
        .select_related("jurisdiction", "department__district")
        .filter(pk=V.pk(membership_id))
        .first()
    )
    if m is None:
        raise InvalidInput(_("角色不存在"), fields={"membership": "missing"})
    _require_admin_over(actor, _scope_code(m))
    m.active = False
    m.save(update_fields=["active"])
    record(actor=actor, action="membership.revoke", obj=m, data={}, now=now)
    return m


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Actor, user: User, name: str, now) -> tuple[ApiToken, str]:
    """Returns the token and its secret, which is shown once and stored only as a hash."""
    if actor.user_id not in (None, user.pk):
        _require_admin(actor)
    raw = "sb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=V.text(name, "name", max_len=100),
        key_hash=hash_token(raw),
        prefix=raw[:8],
        created_at=now,
    )
    record(
        actor=actor,
        action="api_token.create",
        obj=token,
        data={"user": user.pk, "name": token.name},
        now=now,
    )
    return token, raw


@transaction.atomic
def user_set_active(*, actor: Actor, user_id, active: bool, now) -> User:
    _require_admin(actor)
    user = User.objects.select_for_update().filter(pk=V.pk(user_id)).first()
    if user is None:
        raise InvalidInput(_("用户不存在"), fields={"user": "missing"})
    if user.pk == actor.user_id and not active:
        raise InvalidInput(_("不能停用自己的账号"), fields={"user": "self"})
    # an account serves every role it holds: only an administrator of all their places may
    # switch it off or on
    roles = user.memberships.filter(active=True).select_related(
        "jurisdiction", "department__district"
    )
    _require_admin_over(actor, *(_scope_code(m) for m in roles))
    user.is_active = bool(active)
    user.save(update_fields=["is_active"])
    record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        data={},
        now=now,
    )
    return user


@transaction.atomic
def department_set_active(*, actor: Actor, department_id, active: bool, now) -> Department:
    """Disabled, never deleted: past whistles keep pointing at it."""
    _require_admin(actor)
    dept = Department.objects.select_for_update().filter(pk=V.pk(department_id)).first()
    if dept is None:
        raise InvalidInput(_("部门不存在"), fields={"department": "missing"})
    _require_admin_over(actor, dept.district.code)
    dept.active = bool(active)
    dept.save(update_fields=["active"])
    record(
        actor=actor,
        action="department.activate" if active else "department.disable",
        obj=dept,
        data={},
        now=now,
    )
    return dept


@transaction.atomic
def calendar_override_set(*, actor: Actor, day_date, is_workday: bool, reason, now):
    """An administrator's correction to the official calendar (a year the package does not know
    yet, a local arrangement). Replaces an earlier override of the same day."""
    from shaobao.core.models import CalendarOverride

    _require_admin(actor)
    reason = V.text(reason, _("原因"), max_len=200)
    override, _created = CalendarOverride.objects.update_or_create(
        day_date=day_date, defaults={"is_workday": bool(is_workday), "reason": reason}
    )
    record(
        actor=actor,
        action="calendar.override",
        obj=override,
        data={"day": day_date, "is_workday": bool(is_workday), "reason": reason},
        now=now,
    )
    return override


@transaction.atomic
def calendar_override_remove(*, actor: Actor, override_id, now) -> None:
    from shaobao.core.models import CalendarOverride

    _require_admin(actor)
    override = CalendarOverride.objects.filter(pk=V.pk(override_id)).first()
    if override is None:
        raise InvalidInput(_("记录不存在"), fields={"override": "missing"})
    record(
        actor=actor,
        action="calendar.override_remove",
        obj=override,
        data={"day": override.day_date},
        now=now,
    )
    override.delete()
