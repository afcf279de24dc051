"""Idempotency keys for create endpoints: the same key with the same body replays the first
answer; the same key with another body is refused. The record is written in the transaction
of the create, so a retry after a crash either finds it or runs the create afresh."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shaobao.core.errors import Conflict, InvalidInput
from shaobao.core.models import IdempotencyRecord


def _hash(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run(*, user, key: str | None, endpoint: str, payload, create, now) -> tuple[int, dict]:
    """`create()` returns (status, body as JSON-able dict); runs at most once per key."""
    if not key:
        with transaction.atomic():
            return create()
    if len(key) > 100 or not key.isprintable():
        raise InvalidInput(_("Idempotency-Key 无效"), code="invalid_idempotency_key")
    digest = _hash([endpoint, payload])

    def replay(rec: IdempotencyRecord):
        if rec.request_hash != digest:
            raise Conflict(_("该 Idempotency-Key 已用于另一个请求"), code="idempotency_key_reused")
        return rec.status_code, rec.response_body

    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing:
        return replay(existing)
    try:
        with transaction.atomic():
            status, body = create()
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                endpoint=endpoint,
                request_hash=digest,
                status_code=status,
                response_body=body,
                created_at=now,
            )
            return status, body
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as it did.
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            raise
        return replay(existing)
