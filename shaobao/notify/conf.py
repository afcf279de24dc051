"""Notification settings: defaults here, overridable from the environment and from
`settings.SHAOBAO_NOTIFY` (a dict with the same keys), in that order of precedence."""

from __future__ import annotations

import os

from django.conf import settings


def _env(name, default, cast=str):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.lower() in {"1", "true", "yes", "on"}
    return cast(raw)


def _rate(raw: str) -> tuple[int, int]:
    count, _, seconds = raw.partition("/")
    return int(count), int(seconds or 60)


def defaults() -> dict:
    return {
        # Absolute links in messages ("/summonses/3/" → BASE_URL + "/summonses/3/").
        "BASE_URL": _env("SHAOBAO_NOTIFY_BASE_URL", "http://127.0.0.1:8000"),
        # Delivery: attempts before a dead letter, back-off base and cap (seconds).
        "MAX_ATTEMPTS": _env("SHAOBAO_NOTIFY_MAX_ATTEMPTS", 8, int),
        "RETRY_BASE_SECONDS": _env("SHAOBAO_NOTIFY_RETRY_BASE", 15, int),
        "RETRY_MAX_SECONDS": _env("SHAOBAO_NOTIFY_RETRY_MAX", 3600, int),
        # A claimed delivery is invisible to other workers this long; if its worker dies, it is
        # retried after the lease ends. Must exceed BATCH × HTTP_TIMEOUT.
        "LEASE_SECONDS": _env("SHAOBAO_NOTIFY_LEASE_SECONDS", 120, float),
        "BATCH": _env("SHAOBAO_NOTIFY_BATCH", 10, int),
        "HTTP_TIMEOUT": _env("SHAOBAO_NOTIFY_HTTP_TIMEOUT", 10, float),
        # Robots' default limit for new endpoints, "count/seconds"; per endpoint in the database.
        "ROBOT_RATE": _rate(_env("SHAOBAO_NOTIFY_ROBOT_RATE", "20/60")),
        # Added to every window, so that latency between taking a slot and the request
        # arriving can never make the receiver count one message too many.
        "RATE_MARGIN_SECONDS": _env("SHAOBAO_NOTIFY_RATE_MARGIN", 0.25, float),
        # Limits of the shared e-mail and SMS channels ("count/seconds").
        "EMAIL_RATE": _rate(_env("SHAOBAO_NOTIFY_EMAIL_RATE", "600/60")),
        "SMS_RATE": _rate(_env("SHAOBAO_NOTIFY_SMS_RATE", "100/60")),
        # E-mail (SMTP).
        "SMTP_HOST": _env("SHAOBAO_SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": _env("SHAOBAO_SMTP_PORT", 25, int),
        "SMTP_USER": _env("SHAOBAO_SMTP_USER", ""),
        "SMTP_PASSWORD": _env("SHAOBAO_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _env("SHAOBAO_SMTP_STARTTLS", False, bool),
        "SMTP_SSL": _env("SHAOBAO_SMTP_SSL", False, bool),
        "MAIL_FROM": _env("SHAOBAO_MAIL_FROM", "shaobao@localhost"),
        # SMS: "log" (writes to the worker log; the demo) or "http" (a JSON gateway).
        "SMS_PROVIDER": _env("SHAOBAO_SMS_PROVIDER", "log"),
        "SMS_URL": _env("SHAOBAO_SMS_URL", ""),
        "SMS_API_KEY": _env("SHAOBAO_SMS_API_KEY", ""),
        "SMS_SIGN": _env("SHAOBAO_SMS_SIGN", "哨报"),
        # Provider template code per event; "DEFAULT" for the rest.
        "SMS_TEMPLATES": {"DEFAULT": _env("SHAOBAO_SMS_TEMPLATE", "SHAOBAO_NOTICE")},
        # Deadline reminders: minutes before each summons deadline.
        "REMINDER_LEAD_MINUTES": {
            "report_by_at": _env("SHAOBAO_REMIND_REPORT_MINUTES", 10, int),
            "finish_by_at": _env("SHAOBAO_REMIND_FINISH_MINUTES", 240, int),
        },
        # When nothing subscribes to a notification, write it to the worker log (the demo).
        "LOG_UNROUTED": _env("SHAOBAO_NOTIFY_LOG_UNROUTED", True, bool),
    }


def conf(key: str):
    overrides = getattr(settings, "SHAOBAO_NOTIFY", None) or {}
    if key in overrides:
        return overrides[key]
    return defaults()[key]
