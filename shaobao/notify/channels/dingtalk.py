"""DingTalk (钉钉) custom robot with the "加签" security setting: the URL carries `timestamp`
(milliseconds) and `sign` = urlencode(base64(HMAC-SHA256(key=secret, msg=timestamp + "\\n" +
secret))). Like WeCom it answers HTTP 200 with an `errcode`; 130101 means "sending too fast"
(20 messages a minute per robot)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from shaobao.notify.channels.base import (
    ChannelError,
    Message,
    PermanentError,
    RateLimited,
    markdown,
    plain_text,
    post_json,
)

RATE_LIMITED = {130101, 660026}
PERMANENT = {300001, 310000, 300005, 400101}  # bad token / signature / robot not found


def sign(secret: str, timestamp_ms: str) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    mac = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(mac))


def signed_url(url: str, secret: str, *, now=None) -> str:
    if not secret:
        return url
    ts = str(int((now if now is not None else time.time()) * 1000))
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}timestamp={ts}&sign={sign(secret, ts)}"


def body(m: Message, fmt: str) -> dict:
    if fmt == "text":
        return {"msgtype": "text", "text": {"content": plain_text(m)[:5000]}}
    text = markdown(m).replace('<font color="warning">', "").replace("</font>", "")
    return {"msgtype": "markdown", "markdown": {"title": m.title[:100], "text": text[:5000]}}


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


def send(m: Message, *, url: str, secret: str, fmt: str, timeout: float, now=None) -> None:
    _status, answer = post_json(
        signed_url(url, secret, now=now),
        body(m, fmt),
        headers={"X-Shaobao-Delivery": m.key},
        timeout=timeout,
    )
    check(answer)
