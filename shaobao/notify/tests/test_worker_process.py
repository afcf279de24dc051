"""Real `shaobao worker` processes against a file-based SQLite database (migrated once per
session) and a local HTTP receiver: kill -9 in the middle of a batch, several workers sharing
one robot's rate limit."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from shaobao.notify.channels import webhook

ROOT = Path(__file__).resolve().parents[3]
SECRET = "whsec-test"


def _env(db: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHAOBAO_")}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        DJANGO_SETTINGS_MODULE="config.settings",
        SHAOBAO_LOG_LEVEL="ERROR",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _shaobao(*args, env, **kw):
    return [sys.executable, "-m", "shaobao.cli", *args], dict(env=env, cwd=ROOT, **kw)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("notify") / "template.sqlite3"
    cmd, kw = _shaobao("migrate", "--noinput", env=_env(db))
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, **kw)
    return db


@pytest.fixture
def db_file(migrated_db, tmp_path) -> Path:
    db = tmp_path / "worker.sqlite3"
    shutil.copy(migrated_db, db)
    return db


def seed(db, channel, url, count, limit=1000, window=60):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "shaobao.notify.tests.seed_outbox",
            channel,
            url,
            SECRET,
            str(count),
            str(limit),
            str(window),
        ],
        env=_env(db),
        cwd=ROOT,
        check=True,
        timeout=60,
    )


def start_worker(db, **extra):
    cmd, kw = _shaobao(
        "worker", "--interval", "0.1", env=_env(db, **extra), stdout=subprocess.DEVNULL
    )
    return subprocess.Popen(cmd, **kw)


def query(db, sql):
    con = sqlite3.connect(db, timeout=20)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_kill_9_mid_batch_then_restart_loses_nothing_and_the_receiver_sees_each_once(
    db_file, receiver
):
    count = 60
    receiver.delay = 0.05  # the worker is inside an HTTP call most of the time
    seed(db_file, "webhook", receiver.url + "/hook", count)
    opts = dict(SHAOBAO_NOTIFY_LEASE_SECONDS=1, SHAOBAO_NOTIFY_BATCH=5)
    started = time.monotonic()

    first = start_worker(db_file, **opts)
    try:
        wait_until(lambda: len(receiver.hits) >= 22, 20, "the first worker to get going")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(5)
    finally:
        stop(first)
    hits_at_kill = len(receiver.hits)
    sent_at_kill = query(db_file, "select count(*) from notify_delivery where state='SENT'")[0][0]
    assert sent_at_kill < count  # it died with work left

    second = start_worker(db_file, **opts)
    try:
        wait_until(
            lambda: (
                query(db_file, "select count(*) from notify_delivery where state='SENT'")[0][0]
                == count
            ),
            30,
            "every delivery to be marked sent",
        )
    finally:
        stop(second)
    elapsed = time.monotonic() - started

    rows = query(db_file, "select key, state, attempts from notify_delivery")
    keys = {str(uuid.UUID(k)) for k, _s, _a in rows}
    assert len(rows) == count and {s for _k, s, _a in rows} == {"SENT"}
    # Every delivery arrived; the receiver accepted each key once and dropped the repeats.
    assert set(receiver.accepted) == keys
    assert len(receiver.hits) == count + receiver.duplicates
    for hit in receiver.hits:
        h = hit.headers
        assert webhook.verify(SECRET, h["x-shaobao-timestamp"], hit.body, h["x-shaobao-signature"])
        assert hit.json()["title"] != "ROLLED BACK"
    titles = sorted(h.json()["title"] for h in receiver.accepted.values())
    assert titles == sorted(f"吹哨召集 {i}" for i in range(count))
    assert query(db_file, "select count(*) from notify_notification where title='ROLLED BACK'") == [
        (0,)
    ]
    print(
        f"\ncrash test: killed after {hits_at_kill} requests ({sent_at_kill} marked sent); "
        f"after restart {count} delivered, {receiver.duplicates} repeated attempt(s) dropped "
        f"by the receiver; {elapsed:.1f}s"
    )


def test_two_workers_share_one_robots_rate_limit(db_file, receiver):
    count, limit, window = 100, 20, 2
    seed(db_file, "wecom", receiver.url + "/cgi-bin/webhook/send?key=k", count, limit, window)
    started = time.monotonic()
    workers = [start_worker(db_file, SHAOBAO_NOTIFY_BATCH=10) for _ in range(2)]
    try:
        wait_until(
            lambda: (
                query(db_file, "select count(*) from notify_delivery where state='SENT'")[0][0]
                == count
            ),
            30,
            "all 100 to be delivered",
        )
    finally:
        for w in workers:
            stop(w)
    elapsed = time.monotonic() - started
    times = sorted(h.at for h in receiver.hits)
    assert len(receiver.accepted) == count and receiver.duplicates == 0
    # Never faster than the limit: any 21 consecutive arrivals at the receiver span at least
    # the window (the worker keeps a margin of SHAOBAO_NOTIFY_RATE_MARGIN for latency).
    spans = [times[i + limit] - times[i] for i in range(len(times) - limit)]
    assert min(spans) >= window
    assert times[-1] - times[0] >= (count // limit - 1) * window
    print(
        f"\nrate test: {count} delivered by 2 workers in {times[-1] - times[0]:.2f}s of sending "
        f"({elapsed:.1f}s total); limit {limit}/{window}s; tightest 21-message span "
        f"{min(spans):.3f}s"
    )
