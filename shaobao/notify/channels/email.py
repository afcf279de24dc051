"""E-mail over SMTP. The delivery key is the Message-ID (and X-Shaobao-Delivery), so a
mail system or a person can see that two copies are one message."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage, get_connection

from shaobao.notify.channels.base import ChannelError, Message, PermanentError, plain_text


def build(m: Message, *, to: str, sender: str) -> EmailMessage:
    subject = ("【紧急】" if m.urgent else "") + m.title
    return EmailMessage(
        subject=subject.replace("\n", " ")[:200],
        body=plain_text(m),
        from_email=sender,
        to=[to],
        headers={
            "Message-ID": f"<{m.key}@shaobao>",
            "X-Shaobao-Delivery": m.key,
            "X-Shaobao-Event": m.event,
        },
    )


def send(m: Message, *, to: str, conf, timeout: float) -> None:
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=conf("SMTP_HOST"),
        port=conf("SMTP_PORT"),
        username=conf("SMTP_USER") or None,
        password=conf("SMTP_PASSWORD") or None,
        use_tls=conf("SMTP_STARTTLS"),
        use_ssl=conf("SMTP_SSL"),
        timeout=timeout,
        fail_silently=False,
    )
    try:
        connection.send_messages([build(m, to=to, sender=conf("MAIL_FROM"))])
    except smtplib.SMTPRecipientsRefused as e:
        raise PermanentError(f"recipient refused: {e}") from None
    except (smtplib.SMTPException, OSError) as e:
        raise ChannelError(f"smtp: {e}") from None
