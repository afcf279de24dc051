import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.org import roles as R
from shaobao.org.models import LoginAttempt
from shaobao.ui.helpers import actor, client_address, now


def login_view(request):
    """Username/password login, throttled per username and per address in the database (so
    every web process shares the count)."""
    cfg = settings.SHAOBAO
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = ""
    ctx = {"next": nxt, "username": ""}
    if request.method == "POST":
        username = (request.POST.get("username") or "")[:150]
        ctx["username"] = username
        t = now()
        window = t - dt.timedelta(seconds=cfg["LOGIN_WINDOW_SECONDS"])
        recent = LoginAttempt.objects.filter(at__gte=window)
        if (
            recent.filter(username=username).count() >= cfg["LOGIN_MAX_ATTEMPTS"]
            or recent.filter(address=client_address(request)).count()
            >= cfg["LOGIN_MAX_ATTEMPTS"] * 4
        ):
            ctx["error"] = _("登录失败次数过多，请%(m)s分钟后再试") % {
                "m": cfg["LOGIN_WINDOW_SECONDS"] // 60
            }
            return render(request, "ui/login.html", ctx, status=429)
        user = authenticate(request, username=username, password=request.POST.get("password") or "")
        if user is None:
            with transaction.atomic():
                LoginAttempt.objects.create(
                    username=username, address=client_address(request), at=t
                )
            ctx["error"] = _("用户名或密码错误")
            return render(request, "ui/login.html", ctx, status=401)
        LoginAttempt.objects.filter(username=username).delete()
        login(request, user)
        return redirect(nxt or "ui:home")
    return render(request, "ui/login.html", ctx)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("ui:login")


# Each role's first page.
HOME_BY_ROLE = [
    (R.OPERATOR, "demands:intake"),
    (R.TOWNSHIP_COMMANDER, "whistles:board"),
    (R.TOWNSHIP_STAFF, "whistles:board"),
    (R.DEPARTMENT_DISPATCHER, "whistles:inbox"),
    (R.DEPARTMENT_OFFICER, "whistles:inbox"),
    (R.DISTRICT_SUPERVISOR, "whistles:escalated"),
    (R.LEGAL_OFFICER, "whistles:objections"),
    (R.INSPECTOR, "whistles:audit"),
    (R.GRID_WORKER, "problems:new"),
    (R.VILLAGE_CADRE, "problems:new"),
    (R.AUXILIARY, "problems:new"),
    (R.ASSESSOR, "assessments:index"),
    (R.ADMIN, "org:users"),
]


@login_required
def home(request):
    roles = actor(request).roles
    for role, target in HOME_BY_ROLE:
        if role in roles:
            return redirect(target)
    return render(request, "ui/no_role.html")


def nav_items(request) -> list[dict]:
    roles = actor(request).roles
    items = []

    def add(label, name, wanted):
        if roles & wanted:
            url = reverse(name)
            items.append({"label": label, "url": url, "active": request.path.startswith(url)})

    township = R.TOWNSHIP_ROLES | R.READ_ALL_ROLES
    add(_("受理诉求"), "demands:intake", {R.OPERATOR})
    add(
        _("诉求工单"),
        "demands:list",
        {R.OPERATOR} | R.DEPARTMENT_ROLES | R.TOWNSHIP_ROLES | R.READ_ALL_ROLES,
    )
    add(_("吹哨看板"), "whistles:board", township | R.DEPARTMENT_ROLES)
    add(_("问题清单"), "problems:list", township | R.GRID_ROLES | R.DEPARTMENT_ROLES)
    add(_("上报问题"), "problems:new", R.TOWNSHIP_ROLES | R.GRID_ROLES)
    add(_("报到任务"), "whistles:inbox", R.DEPARTMENT_ROLES)
    add(
        _("三率"),
        "demands:rates",
        {R.OPERATOR, R.ASSESSOR, R.DISTRICT_SUPERVISOR, R.INSPECTOR, R.ADMIN},
    )
    add(_("地图"), "places:map", set(R.ALL) - {R.CITIZEN})
    add(_("导出"), "exports:list", set(R.ALL) - {R.CITIZEN})
    add(_("热点"), "hotspots:index", township)
    add(
        _("工作台"),
        "dashboards:dashboard",
        R.TOWNSHIP_ROLES | R.DEPARTMENT_ROLES | R.READ_ALL_ROLES,
    )
    add(_("指挥大屏"), "dashboards:command", R.TOWNSHIP_ROLES | R.READ_ALL_ROLES)
    add(_("考核排名"), "assessments:index", set(R.ALL) - {R.CITIZEN, R.OPERATOR})
    add(_("专项行动"), "whistles:campaigns", R.TOWNSHIP_ROLES | R.READ_ALL_ROLES)
    add(_("常态化吹哨"), "whistles:routines", R.TOWNSHIP_ROLES | R.READ_ALL_ROLES)
    add(_("超时督办"), "whistles:escalated", {R.DISTRICT_SUPERVISOR, R.INSPECTOR, R.ADMIN})
    add(
        _("权责清单"),
        "duties:index",
        {R.LEGAL_OFFICER, R.ADMIN, R.INSPECTOR, R.ASSESSOR, R.DISTRICT_SUPERVISOR},
    )
    add(_("派单异议"), "whistles:objections", {R.LEGAL_OFFICER, R.DISTRICT_SUPERVISOR, R.INSPECTOR})
    add(_("审计留痕"), "whistles:audit", {R.INSPECTOR, R.ADMIN})
    add(_("用户与角色"), "org:users", {R.ADMIN})
    add(_("部门"), "org:departments", {R.ADMIN})
    add(_("区划"), "org:places", {R.ADMIN})
    add(_("工作日历"), "org:calendar", {R.ADMIN})
    add(_("通知渠道"), "notify:channels", {R.ADMIN})
    add(_("Open311接入"), "open311:admin", {R.ADMIN})
    add(_("通知死信"), "notify:dead", {R.ADMIN})
    return items
