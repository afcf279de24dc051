"""Each adapter against a real local receiver: signatures, bodies, error answers."""

import base64
import email
import hashlib
import hmac
import time
import urllib.parse

import pytest

from shaobao.notify.channels import dingtalk, sms, webhook, wecom
from shaobao.notify.channels import email as mail
from shaobao.notify.channels.base import ChannelError, Message, PermanentError, RateLimited
from shaobao.notify.conf import conf

MSG = Message(
    key="6f1c0c8e-0000-4000-8000-000000000001",
    event="whistle_issued",
    title="吹哨召集：金海湖非法采砂",
    body="河道夜间有人采砂 [link](http://evil)",
    link="https://shaobao.example/summonses/3/",
    urgent=True,
    created_at="2026-11-25T09:30:00+08:00",
)


def test_webhook_is_signed_with_timestamp_and_carries_the_delivery_key(receiver):
    webhook.send(MSG, url=receiver.url + "/hook", secret="s3cret", timeout=5)
    (hit,) = receiver.hits
    h = hit.headers
    assert h["x-shaobao-delivery"] == MSG.key
    assert h["x-shaobao-event"] == "whistle_issued"
    assert abs(int(h["x-shaobao-timestamp"]) - time.time()) < 5
    expected = hmac.new(
        b"s3cret", h["x-shaobao-timestamp"].encode() + b"." + hit.body, hashlib.sha256
    ).hexdigest()
    assert h["x-shaobao-signature"] == "sha256=" + expected
    assert webhook.verify("s3cret", h["x-shaobao-timestamp"], hit.body, h["x-shaobao-signature"])
    assert not webhook.verify("wrong", h["x-shaobao-timestamp"], hit.body, h["x-shaobao-signature"])
    assert not webhook.verify(
        "s3cret", h["x-shaobao-timestamp"], hit.body + b" ", h["x-shaobao-signature"]
    )
    stale = str(int(h["x-shaobao-timestamp"]) - 3600)
    assert not webhook.verify("s3cret", stale, hit.body, webhook.sign("s3cret", stale, hit.body))
    body = hit.json()
    assert body["id"] == MSG.key and body["title"] == MSG.title and body["urgent"] is True


def test_webhook_errors(receiver):
    receiver.script = [(500, {}), (404, {}), (429, {})]
    with pytest.raises(ChannelError) as e:
        webhook.send(MSG, url=receiver.url, secret="k", timeout=5)
    assert not isinstance(e.value, PermanentError)
    with pytest.raises(PermanentError):
        webhook.send(MSG, url=receiver.url, secret="k", timeout=5)
    with pytest.raises(RateLimited):
        webhook.send(MSG, url=receiver.url, secret="k", timeout=5)
    with pytest.raises(ChannelError):  # nobody listening
        webhook.send(MSG, url="http://127.0.0.1:9/", secret="k", timeout=2)


def test_wecom_markdown_and_text(receiver):
    wecom.send(MSG, url=receiver.url + "/cgi-bin/webhook/send?key=abc", fmt="markdown", timeout=5)
    wecom.send(MSG, url=receiver.url + "/cgi-bin/webhook/send?key=abc", fmt="text", timeout=5)
    md, text = receiver.hits
    assert md.query == {"key": "abc"}
    assert md.json()["msgtype"] == "markdown"
    content = md.json()["markdown"]["content"]
    assert "吹哨召集：金海湖非法采砂" in content and "【紧急】" in content
    assert "[查看详情](https://shaobao.example/summonses/3/)" in content
    assert "\\[link\\]\\(http://evil\\)" in content  # user text cannot make a link
    assert text.json() == {
        "msgtype": "text",
        "text": {"content": wecom.body(MSG, "text")["text"]["content"]},
    }


def test_wecom_errcode_is_checked_even_with_http_200(receiver):
    receiver.script = [
        (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
        (200, {"errcode": -1, "errmsg": "system busy"}),
        (200, "<html>proxy error</html>"),
    ]
    with pytest.raises(RateLimited):
        wecom.send(MSG, url=receiver.url, fmt="markdown", timeout=5)
    with pytest.raises(PermanentError):
        wecom.send(MSG, url=receiver.url, fmt="markdown", timeout=5)
    with pytest.raises(ChannelError):
        wecom.send(MSG, url=receiver.url, fmt="markdown", timeout=5)
    with pytest.raises(ChannelError):
        wecom.send(MSG, url=receiver.url, fmt="markdown", timeout=5)
    assert receiver.accepted == {}


def test_wecom_markdown_is_cut_to_4096_bytes():
    long = Message(**{**MSG.__dict__, "body": "长" * 5000})
    assert len(wecom.body(long, "markdown")["markdown"]["content"].encode()) <= 4096


def test_dingtalk_signature(receiver):
    secret = "SECabc123"
    dingtalk.send(
        MSG,
        url=receiver.url + "/robot/send?access_token=tok",
        secret=secret,
        fmt="markdown",
        timeout=5,
    )
    (hit,) = receiver.hits
    # The receiver sees the query decoded once: recompute as DingTalk does.
    ts = hit.query["timestamp"]
    assert abs(int(ts) / 1000 - time.time()) < 5
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert hit.query["sign"] == expected
    assert hit.query["access_token"] == "tok"
    body = hit.json()
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == MSG.title
    assert "<font" not in body["markdown"]["text"]
    # The URL carries the signature URL-encoded (base64 has + / =).
    assert dingtalk.sign(secret, ts) == urllib.parse.quote_plus(expected)


def test_dingtalk_errcodes(receiver):
    receiver.script = [
        (200, {"errcode": 130101, "errmsg": "send too fast"}),
        (200, {"errcode": 310000, "errmsg": "sign not match"}),
    ]
    with pytest.raises(RateLimited):
        dingtalk.send(MSG, url=receiver.url, secret="s", fmt="text", timeout=5)
    with pytest.raises(PermanentError):
        dingtalk.send(MSG, url=receiver.url, secret="s", fmt="text", timeout=5)


def test_email_through_a_real_smtp_server(smtp):
    mail.send(MSG, to="cg_head@example.gov.cn", conf=conf, timeout=5)
    (envelope,) = smtp.messages
    assert envelope.rcpt_tos == ["cg_head@example.gov.cn"]
    assert envelope.mail_from == "shaobao@test.local"
    parsed = email.message_from_bytes(envelope.original_content)
    assert parsed["Message-ID"] == f"<{MSG.key}@shaobao>"
    assert parsed["X-Shaobao-Delivery"] == MSG.key
    subject = str(email.header.make_header(email.header.decode_header(parsed["Subject"])))
    assert subject == "【紧急】" + MSG.title
    text = parsed.get_payload(decode=True).decode(parsed.get_content_charset())
    assert MSG.link in text


def test_email_without_server_is_a_retryable_error(settings):
    settings.SHAOBAO_NOTIFY = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 9, "SMTP_STARTTLS": False}
    with pytest.raises(ChannelError) as e:
        mail.send(MSG, to="x@example.gov.cn", conf=conf, timeout=2)
    assert not isinstance(e.value, PermanentError)


def test_sms_segments_70_then_67():
    assert sms.segments("短" * 70) == ["短" * 70]
    parts = sms.segments("短" * 71)
    assert [len(p) for p in parts] == [67, 4]
    assert [len(p) for p in sms.segments("长" * 134)] == [67, 67]
    assert [len(p) for p in sms.segments("长" * 135)] == [67, 67, 1]


def test_sms_http_provider(receiver, settings):
    settings.SHAOBAO_NOTIFY = {
        "SMS_PROVIDER": "http",
        "SMS_URL": receiver.url + "/sms",
        "SMS_API_KEY": "key1",
        "SMS_SIGN": "哨报",
        "SMS_TEMPLATES": {"DEFAULT": "T_NOTICE", "whistle_issued": "T_WHISTLE"},
    }
    receiver.answer = {"code": "OK"}
    sms.send(MSG, phone="13800138000", conf=conf)
    (hit,) = receiver.hits
    body = hit.json()
    assert hit.headers["authorization"] == "Bearer key1"
    assert hit.headers["x-shaobao-delivery"] == MSG.key
    assert body["phone"] == "13800138000" and body["template"] == "T_WHISTLE"
    assert body["text"].startswith("【哨报】[紧急]吹哨召集")
    assert body["parts"] == len(sms.segments(body["text"]))
    receiver.script = [(200, {"code": "INVALID_PHONE"}), (200, {"code": "BUSY"})]
    with pytest.raises(PermanentError):
        sms.send(MSG, phone="13800138000", conf=conf)
    with pytest.raises(ChannelError):
        sms.send(MSG, phone="13800138000", conf=conf)
    with pytest.raises(PermanentError):
        sms.send(MSG, phone="not-a-phone", conf=conf)


def test_sms_log_provider(settings, caplog):
    settings.SHAOBAO_NOTIFY = {"SMS_PROVIDER": "log"}
    sms.send(MSG, phone="13800138000", conf=conf)
    assert "13800138000" in caplog.text and MSG.key in caplog.text
