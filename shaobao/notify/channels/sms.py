"""SMS through a provider interface. Chinese text counts characters, not bytes: one message
holds 70; a longer one is sent as concatenated parts of 67 (the rest is the UDH header).
Providers bill per part, so the text stays short: signature, title, link."""

from __future__ import annotations

import logging
import re
from typing import Protocol

from shaobao.notify.channels.base import (
    ChannelError,
    Message,
    PermanentError,
    RateLimited,
    post_json,
)

log = logging.getLogger("shaobao.notify")
SINGLE, PART = 70, 67
PHONE = re.compile(r"^\+?\d{6,15}$")


def segments(text: str) -> list[str]:
    if len(text) <= SINGLE:
        return [text]
    return [text[i : i + PART] for i in range(0, len(text), PART)]


def render(m: Message, *, sign: str) -> str:
    prefix = f"【{sign}】" if sign else ""
    urgent = "[紧急]" if m.urgent else ""
    return f"{prefix}{urgent}{m.title}" + (f" {m.link}" if m.link else "")


class Provider(Protocol):
    def send(self, *, phone: str, template: str, params: dict, text: str, key: str) -> None: ...


class LogProvider:
    """Writes the message to the worker log (the demo; no gateway needed)."""

    def send(self, *, phone, template, params, text, key):
        log.warning(
            "sms %s → %s [%s] (%d part(s)): %s", key, phone, template, len(segments(text)), text
        )


class HttpProvider:
    """A JSON gateway: POST {id, phone, template, params, text, parts} with a bearer key;
    the answer {"code": "OK"} means accepted. Adapt `check` to the provider in use."""

    def __init__(self, url: str, api_key: str, timeout: float):
        self.url, self.api_key, self.timeout = url, api_key, timeout

    def send(self, *, phone, template, params, text, key):
        if not self.url:
            raise PermanentError("SMS gateway URL not configured")
        _status, answer = post_json(
            self.url,
            {
                "id": key,
                "phone": phone,
                "template": template,
                "params": params,
                "text": text,
                "parts": len(segments(text)),
            },
            headers={"Authorization": f"Bearer {self.api_key}", "X-Shaobao-Delivery": key},
            timeout=self.timeout,
        )
        self.check(answer)

    @staticmethod
    def check(answer) -> None:
        if isinstance(answer, dict) and str(answer.get("code", "")).upper() == "OK":
            return
        code = str(answer.get("code", "")) if isinstance(answer, dict) else ""
        msg = f"gateway: {str(answer)[:200]}"
        if code in {"THROTTLED", "LIMIT"} or "LIMIT" in code.upper():
            raise RateLimited(msg, retry_after=60)
        if code in {"INVALID_PHONE", "BLACKLIST", "TEMPLATE_INVALID"}:
            raise PermanentError(msg)
        raise ChannelError(msg)


def provider_from(conf) -> Provider:
    name = conf("SMS_PROVIDER")
    if name == "http":
        return HttpProvider(conf("SMS_URL"), conf("SMS_API_KEY"), conf("HTTP_TIMEOUT"))
    if name == "log":
        return LogProvider()
    raise PermanentError(f"unknown SMS provider {name!r}")


def send(m: Message, *, phone: str, conf) -> None:
    if not PHONE.match(phone or ""):
        raise PermanentError(f"invalid phone number {phone!r}")
    templates = conf("SMS_TEMPLATES")
    template = templates.get(m.event, templates.get("DEFAULT", ""))
    text = render(m, sign=conf("SMS_SIGN"))
    provider_from(conf).send(
        phone=phone,
        template=template,
        params={"title": m.title, "link": m.link},
        text=text,
        key=m.key,
    )
