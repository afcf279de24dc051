"""The dead-letter page for administrators: what could not be delivered, and a retry button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shaobao.core.errors import DomainError
from shaobao.core.timeutil import now
from shaobao.notify import services
from shaobao.notify.models import Delivery, Notification
from shaobao.org import roles as R
from shaobao.org.scoping import actor_for
from shaobao.ui.helpers import post_action as _do


def _admin(request):
    a = actor_for(request.user)
    if not a.has_any({R.ADMIN}):
        raise Http404()
    return a


@login_required
def dead_letters(request):
    a = _admin(request)
    mine = Notification.objects.filter(services.administered(a))
    deliveries = (
        Delivery.objects.filter(state=Delivery.DEAD, notification__in=mine)
        .select_related("notification", "endpoint")
        .order_by("-next_attempt_at", "-pk")
    )
    unrouted = mine.filter(state=Notification.DEAD).order_by("-created_at")[:50]
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(request, "notify/dead.html", {"page": page, "unrouted": unrouted})


@login_required
@require_POST
def retry(request, delivery_id: int):
    a = _admin(request)
    try:
        services.delivery_retry(actor=a, delivery_id=delivery_id, now=now())
    except DomainError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("已重新排队投递"))
    return redirect("notify:dead")


@login_required
@require_POST
def retry_notification(request, notification_id: int):
    a = _admin(request)
    try:
        services.notification_retry(actor=a, notification_id=notification_id, now=now())
    except DomainError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, _("已重新排队投递"))
    return redirect("notify:dead")


def _scopes(a):
    """Departments and townships of the admin's districts, as subscription scopes."""
    from shaobao.org.models import Department, Jurisdiction
    from shaobao.org.scoping import prefix_q

    districts = sorted({c[:6] for c in a.codes({R.ADMIN})})
    depts = Department.objects.filter(district__code__in=districts, active=True).order_by("code")
    towns = Jurisdiction.objects.filter(
        prefix_q("code", districts), level__in=["DISTRICT", "TOWNSHIP"]
    ).order_by("code")
    return (
        [(f"d{d.pk}", d.name) for d in depts] + [(f"j{j.pk}", j.name) for j in towns],
        depts,
        towns,
    )


@login_required
def channels(request):
    """Administrators: robot/webhook endpoints and who hears what through them."""
    from shaobao.notify.forms import EndpointForm, SubscriptionForm
    from shaobao.notify.models import ChannelEndpoint, Subscription

    a = _admin(request)
    scopes, depts, towns = _scopes(a)
    endpoints = ChannelEndpoint.objects.order_by("name")
    ep_form = EndpointForm(
        request.POST if request.POST.get("form") == "endpoint" else None, prefix="ep"
    )
    sub_form = SubscriptionForm(
        request.POST if request.POST.get("form") == "subscription" else None,
        prefix="sub",
        scopes=scopes,
        endpoints=endpoints.filter(active=True),
    )
    if request.method == "POST" and request.POST.get("form") == "endpoint":
        return _do(
            request,
            ep_form,
            lambda d: services.endpoint_create(actor=a, now=now(), **d),
            _("接收端已添加"),
            "notify:channels",
        )
    if request.method == "POST" and request.POST.get("form") == "subscription":

        def create(d):
            kind, pk = d["scope"][0], int(d["scope"][1:])
            scope = (
                {"department": depts.get(pk=pk)}
                if kind == "d"
                else {"jurisdiction": towns.get(pk=pk)}
            )
            services.subscription_create(
                actor=a,
                channel=d["channel"],
                endpoint=endpoints.filter(pk=d["endpoint"]).first() if d["endpoint"] else None,
                address=d["address"],
                events=d["events"],
                roles=d["roles"],
                urgent_only=d["urgent_only"],
                quiet_from=d["quiet_from"],
                quiet_to=d["quiet_to"],
                now=now(),
                **scope,
            )

        return _do(request, sub_form, create, _("订阅已添加"), "notify:channels")
    subs = Subscription.objects.filter(
        services.administered_subscriptions(a), active=True, user__isnull=True
    ).select_related("department", "jurisdiction", "endpoint")
    return render(
        request,
        "notify/channels.html",
        {
            "endpoints": endpoints,
            "subscriptions": subs.order_by("pk")[:500],
            "ep_form": ep_form,
            "sub_form": sub_form,
        },
    )


@login_required
@require_POST
def endpoint_active(request, endpoint_id):
    a = _admin(request)
    active = request.POST.get("active") == "1"
    return _do(
        request,
        None,
        lambda d: services.endpoint_update(
            actor=a, endpoint_id=endpoint_id, active=active, now=now()
        ),
        _("已保存"),
        "notify:channels",
    )


@login_required
@require_POST
def subscription_off(request, subscription_id):
    a = actor_for(request.user)
    back = (
        "notify:channels"
        if R.ADMIN in a.roles and request.POST.get("back") != "mine"
        else "notify:mine"
    )
    return _do(
        request,
        None,
        lambda d: services.subscription_deactivate(
            actor=a, subscription_id=subscription_id, now=now()
        ),
        _("已取消订阅"),
        back,
    )


@login_required
def mine(request):
    """Every user: their own e-mail/SMS notifications, events and quiet hours. Urgent messages
    ignore quiet hours."""
    from shaobao.notify.forms import MySubscriptionForm
    from shaobao.notify.models import Subscription

    a = actor_for(request.user)
    form = MySubscriptionForm(request.POST or None)
    if request.method == "POST":
        return _do(
            request,
            form,
            lambda d: services.subscription_create(
                actor=a,
                user=request.user,
                channel=d["channel"],
                address=d["address"],
                events=d["events"],
                urgent_only=d["urgent_only"],
                quiet_from=d["quiet_from"],
                quiet_to=d["quiet_to"],
                now=now(),
            ),
            _("订阅已添加"),
            "notify:mine",
        )
    return render(
        request,
        "notify/mine.html",
        {
            "subscriptions": Subscription.objects.filter(user=request.user, active=True).order_by(
                "pk"
            ),
            "form": form,
        },
    )
