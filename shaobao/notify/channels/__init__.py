"""Channel adapters. `send(delivery, message)` picks one by the delivery's channel."""

from __future__ import annotations

import logging

from shaobao.notify.channels import dingtalk, email, sms, webhook, wecom
from shaobao.notify.channels.base import ChannelError, Message, PermanentError, RateLimited
from shaobao.notify.conf import conf

log = logging.getLogger("shaobao.notify")

__all__ = ["ChannelError", "Message", "PermanentError", "RateLimited", "send"]


def send(delivery, message: Message) -> None:
    ch, ep, timeout = delivery.channel, delivery.endpoint, conf("HTTP_TIMEOUT")
    if ch == "log":
        log.warning("notify %s %s: %s %s", message.key, message.event, message.title, message.link)
    elif ch == "email":
        email.send(message, to=delivery.address, conf=conf, timeout=timeout)
    elif ch == "sms":
        sms.send(message, phone=delivery.address, conf=conf)
    elif ep is None or not ep.active:
        raise PermanentError("endpoint missing or disabled")
    elif ch == "webhook":
        webhook.send(message, url=ep.url, secret=ep.secret, timeout=timeout)
    elif ch == "wecom":
        wecom.send(message, url=ep.url, fmt=ep.format, timeout=timeout)
    elif ch == "dingtalk":
        dingtalk.send(message, url=ep.url, secret=ep.secret, fmt=ep.format, timeout=timeout)
    else:
        raise PermanentError(f"unknown channel {ch!r}")
