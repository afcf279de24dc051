"""Asking for an export job (the only writer of ExportJob besides the runner)."""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shaobao.audit.services import record
from shaobao.core.errors import Conflict, NotFound, PermissionDenied
from shaobao.exports import registry
from shaobao.exports.conf import conf
from shaobao.exports.models import ExportJob
from shaobao.org.scoping import Actor


def params_key(params: dict) -> str:
    canonical = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def export_kind(actor: Actor, kind: str) -> registry.ExportKind:
    """The kind, if `actor` may ask for it (unknown kinds look missing)."""
    spec = registry.get(kind)
    if spec is None:
        raise NotFound()
    if actor.user_id is None or not actor.has_any(spec.roles):
        raise PermissionDenied()
    return spec


def job_request(
    *, actor: Actor, kind: str, params: dict, now, language: str = "zh-hans", rows_total: int = 0
) -> tuple[ExportJob, bool]:
    """Queue an export for `actor`. Asking again for the same kind and params while the first
    is queued or running returns that job (created=False). Only the kind and the params are
    stored: what the rows may contain is worked out again when the job runs."""
    spec = export_kind(actor, kind)
    params = spec.clean_params(params)
    key = params_key(params)
    active = ExportJob.objects.filter(requested_by_id=actor.user_id, state__in=ExportJob.ACTIVE)
    existing = active.filter(kind=kind, params_key=key).first()
    if existing is not None:
        return existing, False
    limit = conf("EXPORT_MAX_ACTIVE_PER_USER")
    try:
        with transaction.atomic():
            # the user's row orders their requests, so the limit holds under concurrent clicks
            get_user_model().objects.select_for_update().filter(pk=actor.user_id).first()
            if active.count() >= limit:
                raise Conflict(
                    _("您已有 %(n)d 个导出在排队或生成中，请等它们完成后再试") % {"n": limit},
                    code="too_many_exports",
                )
            job = ExportJob.objects.create(
                kind=kind,
                params=params,
                params_key=key,
                language=(language or "zh-hans")[:10],
                requested_by_id=actor.user_id,
                rows_total=max(0, rows_total),
                created_at=now,
            )
            record(
                actor=actor,
                action="export.requested",
                obj=job,
                data={"kind": kind, "params": params, "rows": rows_total},
                now=now,
            )
    except IntegrityError:  # a concurrent request for the same export won the race
        existing = active.filter(kind=kind, params_key=key).first()
        if existing is None:
            raise
        return existing, False
    return job, True


def scope_key(actor) -> str:
    """A fingerprint of an actor's roles and scopes (a file built for one scope is not handed
    to the same user after a move to another)."""
    import hashlib

    grants = sorted((g.role, g.jurisdiction_code or "", g.department_id or 0) for g in actor.grants)
    return hashlib.sha256(repr(grants).encode()).hexdigest()
