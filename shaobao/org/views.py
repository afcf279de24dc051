"""The administrator's pages: users and their roles, departments, places, and calendar
corrections. Every change goes through `org.services` (validated, audited)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.core import validate as V
from shaobao.core.errors import PermissionDenied
from shaobao.core.models import CalendarOverride
from shaobao.org import roles as R
from shaobao.org import services as S
from shaobao.org.forms import DepartmentForm, GrantForm, OverrideForm, PlaceForm, UserForm
from shaobao.org.models import Department, Jurisdiction, Membership, User
from shaobao.org.scoping import prefix_q
from shaobao.ui.helpers import actor, now, post_action


def _admin(request):
    a = actor(request)
    if R.ADMIN not in a.roles:
        raise PermissionDenied()
    return a, sorted({c[:6] for c in a.codes({R.ADMIN})})


def _do(request, fn, success, back, form=None):
    return post_action(request, form, fn, success, back)


def _users_in_scope(districts):
    in_places = Membership.objects.filter(prefix_q("jurisdiction__code", districts)).values(
        "user_id"
    )
    in_depts = Membership.objects.filter(department__district__code__in=districts).values("user_id")
    no_role = User.objects.filter(memberships__isnull=True).values("pk")
    return User.objects.filter(pk__in=in_places.union(in_depts, no_role))


@login_required
def users(request):
    a, districts = _admin(request)
    q = (request.GET.get("q") or "")[:50]
    qs = _users_in_scope(districts).order_by("username")
    if q:
        qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
    page = Paginator(qs.prefetch_related("memberships"), 50).get_page(request.GET.get("page"))
    form = UserForm(request.POST or None)
    if request.method == "POST":
        return _do(
            request,
            lambda d: S.user_create(actor=a, now=now(), **d),
            _("用户已创建"),
            "org:users",
            form,
        )
    return render(
        request, "org/users.html", {"page": page, "form": form, "q": q, "roles": dict(R.CHOICES)}
    )


@login_required
def user_detail(request, user_id):
    a, districts = _admin(request)
    user = _users_in_scope(districts).filter(pk=V.pk(user_id)).first()
    if user is None:
        from django.http import Http404

        raise Http404
    places = Jurisdiction.objects.filter(prefix_q("code", districts), active=True).order_by("code")
    depts = Department.objects.filter(district__code__in=districts, active=True).order_by("code")
    form = GrantForm(request.POST or None, places=places[:5000], departments=depts)
    if request.method == "POST":

        def grant(d):
            S.membership_grant(
                actor=a,
                user=user,
                role=d["role"],
                now=now(),
                jurisdiction=places.filter(pk=d["jurisdiction"]).first()
                if d["jurisdiction"]
                else None,
                department=depts.filter(pk=d["department"]).first() if d["department"] else None,
            )

        return _do(request, grant, _("已授予角色"), f"/org/users/{user.pk}/", form)
    return render(
        request,
        "org/user.html",
        {
            "u": user,
            "memberships": user.memberships.select_related("jurisdiction", "department"),
            "form": form,
            "roles": dict(R.CHOICES),
        },
    )


@login_required
@require_POST
def membership_revoke(request, user_id, membership_id):
    a, districts = _admin(request)
    if (
        not _users_in_scope(districts)
        .filter(pk=V.pk(user_id), memberships=V.pk(membership_id))
        .exists()
    ):
        raise PermissionDenied()
    return _do(
        request,
        lambda d: S.membership_revoke(actor=a, membership_id=membership_id, now=now()),
        _("已撤销角色"),
        f"/org/users/{user_id}/",
    )


@login_required
@require_POST
def user_active(request, user_id):
    a, districts = _admin(request)
    if not _users_in_scope(districts).filter(pk=V.pk(user_id)).exists():
        raise PermissionDenied()
    active = request.POST.get("active") == "1"
    return _do(
        request,
        lambda d: S.user_set_active(actor=a, user_id=user_id, active=active, now=now()),
        _("已保存"),
        f"/org/users/{user_id}/",
    )


@login_required
def departments(request):
    a, districts = _admin(request)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST":
        return _do(
            request,
            lambda d: S.department_create(actor=a, district_code=districts[0], now=now(), **d),
            _("部门已创建"),
            "org:departments",
            form,
        )
    return render(
        request,
        "org/departments.html",
        {
            "departments": Department.objects.filter(district__code__in=districts).order_by("code"),
            "form": form,
        },
    )


@login_required
@require_POST
def department_active(request, department_id):
    a, districts = _admin(request)
    if not Department.objects.filter(pk=V.pk(department_id), district__code__in=districts).exists():
        raise PermissionDenied()
    active = request.POST.get("active") == "1"
    return _do(
        request,
        lambda d: S.department_set_active(
            actor=a, department_id=department_id, active=active, now=now()
        ),
        _("已保存"),
        "org:departments",
    )


@login_required
def places(request):
    a, districts = _admin(request)
    form = PlaceForm(request.POST or None)
    if request.method == "POST":

        def create(d):
            code = d["code"]
            if code[:6] not in districts:
                raise PermissionDenied()
            level = {9: "TOWNSHIP", 12: "COMMUNITY", 15: "GRID"}[len(code)]
            S.jurisdiction_create(
                actor=a,
                code=code,
                name=d["name"],
                level=level,
                kind=d["kind"] if level == "TOWNSHIP" else "",
                now=now(),
            )

        return _do(request, create, _("已创建"), "org:places", form)
    qs = Jurisdiction.objects.filter(prefix_q("code", districts)).order_by("code")
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "org/places.html", {"page": page, "form": form})


@login_required
def calendar(request):
    a, _districts = _admin(request)
    form = OverrideForm(request.POST or None)
    if request.method == "POST":
        return _do(
            request,
            lambda d: S.calendar_override_set(actor=a, now=now(), **d),
            _("已保存"),
            "org:calendar",
            form,
        )
    from shaobao.core.timeutil import work_calendar

    cal = work_calendar()
    year = now().year
    return render(
        request,
        "org/calendar.html",
        {
            "overrides": CalendarOverride.objects.order_by("-day_date")[:500],
            "form": form,
            "unknown_years": [y for y in (year, year + 1) if not cal.knows_year(y)],
        },
    )


@login_required
@require_POST
def calendar_remove(request, override_id):
    a, _districts = _admin(request)
    return _do(
        request,
        lambda d: S.calendar_override_remove(actor=a, override_id=override_id, now=now()),
        _("已删除"),
        "org:calendar",
    )
