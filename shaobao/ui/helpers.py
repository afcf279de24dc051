"""Helpers for pages: turn a domain error into a message that changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from shaobao.core.errors import DomainError
from shaobao.org.scoping import actor_for


def actor(request):
    return actor_for(request.user)


def now():
    return timezone.now()


def run_action(request, fn, *, success: str, back: str):
    """Run one service call for a POSTed form; on a domain error show it and change nothing."""
    try:
        result = fn()
    except DomainError as e:
        messages.error(request, str(e.message))
        return redirect(back), None
    messages.success(request, success)
    return None, result


def form_errors_message(form) -> str:
    parts = []
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label}：{'；'.join(errs)}" if label else "；".join(errs))
    return "；".join(parts)
