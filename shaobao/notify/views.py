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


def _admin(request):
    a = actor_for(request.user)
    if not a.has_any({R.ADMIN}):
        raise Http404()
    return a


@login_required
def dead_letters(request):
    _admin(request)
    deliveries = (
        Delivery.objects.filter(state=Delivery.DEAD)
        .select_related("notification", "endpoint")
        .order_by("-next_attempt_at", "-pk")
    )
    unrouted = Notification.objects.filter(state=Notification.DEAD).order_by("-created_at")[:50]
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
