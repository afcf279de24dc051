import pytest

from shaobao.notify.tests.receivers import Receiver, SmtpSink


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def smtp(settings):
    sink = SmtpSink().start()
    settings.SHAOBAO_NOTIFY = {
        **getattr(settings, "SHAOBAO_NOTIFY", {}),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": sink.port,
        "SMTP_STARTTLS": False,
        "SMTP_SSL": False,
        "MAIL_FROM": "shaobao@test.local",
    }
    yield sink
    sink.stop()
