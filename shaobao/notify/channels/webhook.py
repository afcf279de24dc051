"""Generic webhook: a JSON POST signed with HMAC-SHA256 over "<timestamp>.<body>".

Headers: X-Shaobao-Delivery (idempotency key, same on every attempt), X-Shaobao-Event,
X-Shaobao-Timestamp (Unix seconds), X-Shaobao-Signature ("sha256=<hex>"). Receivers should
reject a timestamp more than 5 minutes off and drop a delivery key they have seen."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from shaobao.notify.channels.base import Message, post_bytes

TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now=None) -> bool:
    """For receivers (and our tests): signature valid and timestamp fresh."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= TOLERANCE_SECONDS and hmac.compare_digest(
        sign(secret, timestamp, body), signature
    )


def payload(m: Message) -> dict:
    return {
        "id": m.key,
        "event": m.event,
        "title": m.title,
        "body": m.body,
        "link": m.link,
        "urgent": m.urgent,
        "created_at": m.created_at,
    }


def send(m: Message, *, url: str, secret: str, timeout: float, now=None) -> None:
    body = json.dumps(payload(m), ensure_ascii=False, separators=(",", ":")).encode()
    ts = str(int(now if now is not None else time.time()))
    headers = {
        "X-Shaobao-Delivery": m.key,
        "X-Shaobao-Event": m.event,
        "X-Shaobao-Timestamp": ts,
        "X-Shaobao-Signature": sign(secret, ts, body),
    }
    post_bytes(url, body, headers=headers, timeout=timeout)  # any 2xx is success
