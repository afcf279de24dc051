"""What every channel adapter shares: the message, the errors, one small HTTP client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    key: str  # idempotency key of the delivery: the same on every attempt
    event: str
    title: str
    body: str
    link: str  # absolute
    urgent: bool
    created_at: str  # ISO 8601


class ChannelError(Exception):
    """A failed attempt; the delivery is retried with back-off."""


class PermanentError(ChannelError):
    """Retrying cannot help (bad address, rejected configuration): dead letter at once."""


class RateLimited(ChannelError):
    """The receiver said "too fast": retried after `retry_after` seconds, not counted as an
    attempt."""

    def __init__(self, message, retry_after: float = 60.0):
        super().__init__(message)
        self.retry_after = retry_after


def post_json(url: str, payload, *, headers=None, timeout: float = 10.0) -> tuple[int, object]:
    """POST JSON and return (status, decoded JSON or text). 5xx and network errors raise
    ChannelError, other 4xx PermanentError, 429 RateLimited."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return post_bytes(url, data, headers=headers, timeout=timeout)


def post_bytes(url: str, data: bytes, *, headers=None, timeout: float = 10.0):
    req = urllib.request.Request(url, data=data, method="POST")
    req.add_header("Content-Type", "application/json; charset=utf-8")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (admin-set URL)
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
        if status == 429:
            raise RateLimited(f"HTTP 429: {raw[:200]!r}") from None
        if 400 <= status < 500 and status not in (408, 409, 425):
            raise PermanentError(f"HTTP {status}: {raw[:200]!r}") from None
        raise ChannelError(f"HTTP {status}: {raw[:200]!r}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as e:
        raise ChannelError(f"network: {e}") from None
    try:
        return status, json.loads(raw.decode() or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return status, raw.decode(errors="replace")


def plain_text(m: Message) -> str:
    parts = [m.title]
    if m.body:
        parts.append(m.body)
    if m.link:
        parts.append(m.link)
    return "\n".join(parts)


def markdown(m: Message) -> str:
    head = f"**{_md(m.title)}**"
    if m.urgent:
        head = '<font color="warning">【紧急】</font>' + head
    lines = [head]
    if m.body:
        lines.append(_md(m.body))
    if m.link:
        lines.append(f"[查看详情]({m.link})")
    return "\n\n".join(lines)


def _md(text: str) -> str:
    # Robots render markdown; keep user text from turning into links or headings.
    for ch in "[]()#*`>":
        text = text.replace(ch, "\\" + ch)
    return text


def truncate_bytes(text: str, limit: int) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "…"
