"""Helpers for pages: turn a domain error into a message that changes nothing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from shaobao.core.errors import DomainError
from shaobao.org.scoping import actor_for


def actor(request):
    return actor_for(request.user)


def now():
    return timezone.now()


def client_address(request) -> str:
    """The client's address; behind N trusted proxies (SHAOBAO_TRUSTED_PROXIES=N) the N-th
    address from the right of X-Forwarded-For, which the proxies themselves appended."""
    proxies = settings.SHAOBAO.get("TRUSTED_PROXIES", 0)
    if proxies:
        chain = [
            x.strip() for x in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if x.strip()
        ]
        if len(chain) >= proxies:
            return chain[-proxies][:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def post_action(request, form, fn, success: str, back: str):
    """One POSTed form → one service call → redirect. An invalid form or a domain error becomes
    a message and changes nothing. `fn` gets the cleaned data (None when there is no form)."""
    if form is not None and not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect(back)
    try:
        fn(form.cleaned_data if form is not None else None)
    except DomainError as e:
        messages.error(request, str(e.message))
    else:
        messages.success(request, success)
    return redirect(back)


def form_errors_message(form) -> str:
    parts = []
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label}：{'；'.join(errs)}" if label else "；".join(errs))
    return "；".join(parts)


def image_response(fieldfile):
    """Serve a stored photo (after the caller checked scope): 404 when the file is gone, the
    content type read from its first bytes rather than trusted from the upload."""
    from django.http import FileResponse, Http404

    from shaobao.core.validate import image_content_type

    if not fieldfile or not fieldfile.storage.exists(fieldfile.name):
        raise Http404
    fh = fieldfile.open("rb")
    head = fh.read(12)
    fh.seek(0)
    return FileResponse(fh, content_type=image_content_type(head))
