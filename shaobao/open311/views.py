"""GeoReport v2 at /open311/v2/ (XML and JSON) and the small admin page for client keys.

Every handler validates its arguments and answers an error list (400/403/404) for anything it
refuses; no input can make it fail with a 500."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shaobao.core import timeutil
from shaobao.core.errors import DomainError
from shaobao.open311 import selectors as Q
from shaobao.open311 import services as S
from shaobao.open311.models import ClientApp
from shaobao.open311.render import Open311Error, error_response, respond
from shaobao.org import roles as R
from shaobao.org.models import Jurisdiction
from shaobao.org.scoping import actor_for

log = logging.getLogger(__name__)
CHANGESET = "2026-11-29T00:00:00+08:00"


def endpoint(*methods):
    """GET/HEAD or POST only; Open311Error → error list; anything unexpected → logged 400,
    never a 500 page."""

    def wrap(fn):
        @csrf_exempt
        def view(request, fmt, **kw):
            try:
                if request.method not in methods and not (
                    request.method == "HEAD" and "GET" in methods
                ):
                    raise Open311Error(400, _("不支持的请求方法：%(m)s") % {"m": request.method})
                return fn(request, fmt, **kw)
            except Open311Error as e:
                return error_response(fmt, [e])
            except DomainError as e:
                status = e.status if e.status in (403, 404) else 400
                return error_response(fmt, [Open311Error(status, e.message)])
            except Exception:  # the edge answers every request with a GeoReport error list
                log.exception("open311 %s %s", request.method, request.path)
                return error_response(fmt, [Open311Error(400, _("请求无法处理"))])

        view.__name__ = fn.__name__
        return view

    return wrap


def _params(request):
    return request.POST if request.method == "POST" else request.GET


def _extensions(request) -> bool:
    return Q.arg(request.GET, "extensions", 10).lower() in ("true", "1")


@endpoint("GET")
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:root"))
    body = {
        "changeset": CHANGESET,
        "contact": _("北京市12345市民服务热线；接口问题请联系区政务服务管理局"),
        "key_service": _("向区管理员申请 API 密钥（哨报 → Open311 应用管理）"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", body)


@endpoint("GET")
def services(request, fmt):
    Q.jurisdiction(request.GET)
    body = [Q.service_row(m) for m in Q.active_matters()]
    return respond(fmt, "services", body, item="service")


@endpoint("GET")
def service_definition(request, fmt, code):
    Q.jurisdiction(request.GET)
    return respond(fmt, "service_definition", Q.service_definition(code))


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        req = S.request_create(params=request.POST, now=timeutil.now())
        d = req.demand
        body = [
            {
                "service_request_id": d.number,
                "token": str(d.token),
                "service_notice": Q.service_notice(d),
                "account_id": req.account_id or None,
            }
        ]
        return respond(fmt, "service_requests", body, item="request", status=201)
    found = Q.search_requests(request.GET, timeutil.now())
    body = Q.rows(found, extensions=_extensions(request))
    return respond(fmt, "service_requests", body, item="request")


@endpoint("GET")
def request_detail(request, fmt, number):
    Q.jurisdiction(request.GET)
    body = Q.rows([Q.one_request(number)], extensions=_extensions(request))
    return respond(fmt, "service_requests", body, item="request")


@endpoint("GET")
def token(request, fmt, token):
    Q.jurisdiction(request.GET)
    r = Q.by_token(token)
    body = [{"service_request_id": r.demand.number, "token": str(r.demand.token)}]
    return respond(fmt, "service_requests", body, item="request")


@endpoint("GET", "POST")
def updates(request, fmt):
    if request.method == "POST":
        upd, created = S.update_create(params=request.POST, now=timeutil.now())
        body = [{"update_id": str(upd.event_id)}]
        return respond(
            fmt,
            "service_request_updates",
            body,
            item="request_update",
            status=201 if created else 200,
        )
    body = Q.search_updates(request.GET, timeutil.now())
    return respond(fmt, "service_request_updates", body, item="request_update")


@csrf_exempt
def not_found(request, rest=""):
    fmt = "json" if rest.endswith(".json") else "xml"
    return error_response(fmt, [Open311Error(404, _("没有这个资源"))])


# ---- admin page --------------------------------------------------------------------------


def _admin(request):
    a = actor_for(request.user)
    if not a.has_any({R.ADMIN}):
        raise Http404()
    return a


def _districts(a):
    codes = sorted({c[:6] for c in a.codes({R.ADMIN})})
    return Jurisdiction.objects.filter(
        code__in=codes, level=Jurisdiction.DISTRICT, active=True
    ).order_by("code")


@login_required
def admin_clients(request):
    """Administrators: client applications; a new key is shown once, right after creation."""
    a = _admin(request)
    districts = _districts(a)
    new_key = new_client = None
    if request.method == "POST":
        try:
            new_client, new_key = S.client_create(
                actor=a,
                name=request.POST.get("name", ""),
                district_code=request.POST.get("district", ""),
                now=timeutil.now(),
            )
        except DomainError as e:
            messages.error(request, str(e.message))
        else:
            messages.success(request, _("应用已创建。密钥只显示这一次，请立即复制保存。"))
    clients = ClientApp.objects.filter(district__in=districts).select_related("district")
    return render(
        request,
        "open311/admin.html",
        {
            "clients": clients,
            "districts": districts,
            "new_key": new_key,
            "new_client": new_client,
            "base_url": request.build_absolute_uri(reverse("open311:root")),
        },
    )


@login_required
@require_POST
def admin_disable(request, client_id: int):
    a = _admin(request)
    try:
        S.client_disable(actor=a, client_id=client_id, now=timeutil.now())
    except DomainError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("应用已停用，其密钥不再有效"))
    return redirect("open311:admin")
