"""WeCom (企业微信) group robot: POST {msgtype: text|markdown} to the robot's webhook URL
(…/cgi-bin/webhook/send?key=…). WeCom answers HTTP 200 even on failure: `errcode` decides.
45009 is "api freq out of limit" (20 messages a minute per robot)."""

from __future__ import annotations

from shaobao.notify.channels.base import (
    ChannelError,
    Message,
    PermanentError,
    RateLimited,
    markdown,
    plain_text,
    post_json,
    truncate_bytes,
)

RATE_LIMITED = {45009, 45033}
PERMANENT = {93000, 93004, 93008, 40008}  # invalid key / robot removed / bad message type
MAX_BYTES = 4096


def body(m: Message, fmt: str) -> dict:
    if fmt == "text":
        return {"msgtype": "text", "text": {"content": truncate_bytes(plain_text(m), 2048)}}
    return {"msgtype": "markdown", "markdown": {"content": truncate_bytes(markdown(m), MAX_BYTES)}}


def check(answer) -> None:
    if not isinstance(answer, dict) or "errcode" not in answer:
        raise ChannelError(f"unexpected answer: {str(answer)[:200]}")
    code = answer.get("errcode")
    if code == 0:
        return
    msg = f"errcode {code}: {answer.get('errmsg', '')}"[:300]
    if code in RATE_LIMITED:
        raise RateLimited(msg, retry_after=60)
    if code in PERMANENT:
        raise PermanentError(msg)
    raise ChannelError(msg)


def send(m: Message, *, url: str, fmt: str, timeout: float) -> None:
    _status, answer = post_json(
        url, body(m, fmt), headers={"X-Shaobao-Delivery": m.key}, timeout=timeout
    )
    check(answer)
