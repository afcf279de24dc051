"""Large exports run as jobs: same rows as the inline file, the requester's scope as it is when
the job runs, the requester alone sees them, and failures and dead workers never leave a job
hanging."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shaobao.core.errors import InvalidInput
from shaobao.exports import registry, runner
from shaobao.exports.models import ExportJob
from shaobao.exports.services import job_request
from shaobao.exports.xlsx import workbook_bytes, write_sheet
from shaobao.org import roles as R
from shaobao.org.models import Membership
from shaobao.problems.services import problem_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage_and_limit(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SHAOBAO = {**settings.SHAOBAO, "EXPORT_INLINE_MAX_ROWS": 2}
    # The commands run in-process here, inside the test's transaction: closing "old" connections
    # between rounds would close it (PostgreSQL).
    from shaobao.exports.management.commands import exports_run
    from shaobao.notify.management.commands import worker

    for module in (exports_run, worker):
        monkeypatch.setattr(module, "close_old_connections", lambda: None)


def client_for(world, username):
    c = Client()
    c.force_login(world.users[username])
    return c


def make_problems(world, actors, t0, n, *, where="town", who="commander"):
    township = getattr(world, where)
    return [
        problem_create(
            actor=actors[who],
            township_id=township.pk,
            title=f"{township.name}问题{i}",
            description="路灯不亮",
            address="村口",
            now=t0 + dt.timedelta(minutes=i),
        )
        for i in range(n)
    ]


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.values)


def download(client, job) -> bytes:
    r = client.get(f"/exports/{job.pk}/download/")
    assert r.status_code == 200
    return b"".join(r.streaming_content)


def test_a_large_export_becomes_a_job_with_the_inline_rows(world, actors, t0, settings):
    make_problems(world, actors, t0, 5)
    c = client_for(world, "commander")
    r = c.get("/problems/?format=xlsx")
    assert r.status_code == 302
    job = ExportJob.objects.get()
    assert r["Location"] == f"/exports/{job.pk}/"
    assert (job.kind, job.state, job.rows_total) == ("problems", ExportJob.QUEUED, 5)
    page = c.get(r["Location"])
    assert page.status_code == 200 and 'hx-trigger="every 2s"' in page.content.decode()
    assert "commander" not in str(job.params)  # scope is never stored with the job

    call_command("exports_run", "--once")
    job.refresh_from_db()
    assert job.state == ExportJob.DONE
    assert job.rows_done == job.rows_total == 5
    assert job.finished_at and job.expires_at - job.finished_at == dt.timedelta(days=7)
    partial = c.get(f"/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial  # polling stops
    assert f"/exports/{job.pk}/download/" in partial
    assert "<html" not in partial
    from_job = rows_of(download(c, job))

    settings.SHAOBAO = {**settings.SHAOBAO, "EXPORT_INLINE_MAX_ROWS": 5000}
    inline = c.get("/problems/?format=xlsx")
    assert inline.status_code == 200
    assert from_job == rows_of(inline.content)
    assert from_job[0][0] == "编号" and len(from_job) == 6

    listing = c.get("/exports/").content.decode()
    assert f"/exports/{job.pk}/download/" in listing


def test_status_filter_and_the_other_exports_run_as_jobs_too(world, actors, t0, settings):
    make_problems(world, actors, t0, 3)
    settings.SHAOBAO = {**settings.SHAOBAO, "EXPORT_INLINE_MAX_ROWS": -1}  # even empty lists
    c = client_for(world, "commander")
    urls = [
        "/problems/?format=xlsx&status=CLOSED",
        "/whistles/export/effects.xlsx",
        "/whistles/export/evaluations.xlsx",
    ]
    for url in urls:
        assert c.get(url).status_code == 302
    assert sorted(ExportJob.objects.values_list("kind", flat=True)) == [
        "effect_list",
        "evaluations",
        "problems",
    ]
    call_command("exports_run", "--once")
    settings.SHAOBAO = {**settings.SHAOBAO, "EXPORT_INLINE_MAX_ROWS": 5000}
    for url in urls:
        job = ExportJob.objects.get(
            kind={0: "problems", 1: "effect_list", 2: "evaluations"}[urls.index(url)]
        )
        assert job.state == ExportJob.DONE
        assert rows_of(download(c, job)) == rows_of(c.get(url).content)
    assert len(rows_of(download(c, ExportJob.objects.get(kind="problems")))) == 1  # header


def test_the_job_uses_the_requesters_scope_as_it_is_when_it_runs(world, actors, t0):
    mine = make_problems(world, actors, t0, 3)
    theirs = make_problems(world, actors, t0, 3, where="street", who="other_commander")
    c = client_for(world, "commander")
    assert c.get("/problems/?format=xlsx").status_code == 302
    call_command("exports_run", "--once")
    job = ExportJob.objects.get()
    numbers = {row[0] for row in rows_of(download(c, job))[1:]}
    assert numbers == {p.number for p in mine}
    assert not numbers & {p.number for p in theirs}

    # The scope is worked out when the job runs: a membership ended in between no longer counts.
    assert client_for(world, "other_commander").get("/problems/?format=xlsx").status_code == 302
    Membership.objects.filter(user=world.users["other_commander"]).update(active=False)
    call_command("exports_run", "--once")
    failed = ExportJob.objects.get(requested_by=world.users["other_commander"])
    assert failed.state == ExportJob.FAILED and failed.error and not failed.file


def test_only_the_requester_sees_the_job_and_its_file(world, actors, t0):
    make_problems(world, actors, t0, 3)
    c = client_for(world, "commander")
    c.get("/problems/?format=xlsx")
    job = ExportJob.objects.get()
    call_command("exports_run", "--once")
    job.refresh_from_db()
    assert c.get(f"/exports/{job.pk}/download/").status_code == 200
    for username in ["other_commander", "staff", "admin", "inspector"]:
        other = client_for(world, username)
        assert other.get(f"/exports/{job.pk}/").status_code == 404
        assert other.get(f"/exports/{job.pk}/download/").status_code == 404
        assert f"/exports/{job.pk}/" not in other.get("/exports/").content.decode()
    assert Client().get(f"/exports/{job.pk}/download/").status_code == 302  # to the login page
    assert job.file.name.startswith("exports/") and len(job.file.name) > 40  # not guessable
    # moved to another township with the same role: the old township's file is not handed over
    Membership.objects.filter(user=world.users["commander"]).update(jurisdiction=world.street)
    assert client_for(world, "commander").get(f"/exports/{job.pk}/download/").status_code == 404


def test_asking_again_while_queued_or_running_gives_the_same_job(world, actors, t0):
    make_problems(world, actors, t0, 3)
    c = client_for(world, "commander")
    first = c.get("/problems/?format=xlsx&q=问题")["Location"]
    assert c.get("/problems/?format=xlsx&q=问题")["Location"] == first
    ExportJob.objects.update(state=ExportJob.RUNNING, lease_until=timezone.now())
    assert c.get("/problems/?format=xlsx&q=问题")["Location"] == first
    assert c.get("/problems/?format=xlsx")["Location"] != first  # other params, another job
    assert client_for(world, "staff").get("/problems/?format=xlsx&q=问题")["Location"] != first
    assert ExportJob.objects.count() == 3
    ExportJob.objects.update(state=ExportJob.DONE)
    assert c.get("/problems/?format=xlsx&q=问题")["Location"] != first  # done: a fresh one


def test_params_are_validated_per_kind(world, actors, t0):
    with pytest.raises(InvalidInput):
        job_request(actor=actors.commander, kind="problems", params={"township": 1}, now=t0)
    with pytest.raises(InvalidInput):
        job_request(actor=actors.commander, kind="effect_list", params={"q": "x"}, now=t0)
    job, created = job_request(
        actor=actors.commander, kind="problems", params={"q": "x" * 80}, now=t0
    )
    assert created and job.params == {"status": "", "q": "x" * 50}


@pytest.fixture
def boom():
    def build(actor, params, progress):
        progress(0, 10)
        raise RuntimeError("磁盘已满")

    registry.register("boom", "boom", build, set(R.ALL), lambda actor, params: 10)
    yield
    registry.unregister("boom")


def test_a_failing_builder_fails_its_job_and_the_worker_goes_on(world, actors, t0, boom):
    make_problems(world, actors, t0, 3)
    bad, _ = job_request(actor=actors.commander, kind="boom", params={}, now=t0)
    good, _ = job_request(
        actor=actors.commander, kind="problems", params={}, now=t0 + dt.timedelta(seconds=1)
    )
    call_command("exports_run", "--once")
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.state == ExportJob.FAILED and "磁盘已满" in bad.error and bad.finished_at
    assert bad.lease_until is None and not bad.file
    assert good.state == ExportJob.DONE
    page = client_for(world, "commander").get(f"/exports/{bad.pk}/").content.decode()
    assert "磁盘已满" in page and "hx-trigger" not in page


def test_the_worker_runs_export_jobs(world, actors, t0):
    make_problems(world, actors, t0, 3)
    job, _ = job_request(actor=actors.commander, kind="problems", params={}, now=t0)
    call_command("worker", "--once", "--no-schedule")
    job.refresh_from_db()
    assert job.state == ExportJob.DONE and job.rows_done == 3


def test_a_dead_workers_job_is_queued_again_then_given_up(world, actors, t0):
    make_problems(world, actors, t0, 3)
    job, _ = job_request(actor=actors.commander, kind="problems", params={}, now=t0)
    now = timezone.now()
    claimed = runner.claim(now)
    assert claimed.pk == job.pk and claimed.state == ExportJob.RUNNING
    assert runner.claim(now) is None  # nobody else takes it while the lease holds
    later = now + dt.timedelta(minutes=10)  # the worker died: its lease ran out
    counts = runner.step(now_fn=lambda: later)
    assert counts["requeued"] == 1 and counts["ran"] == ExportJob.DONE
    # The first worker wakes up: its job was taken over, so it changes nothing.
    assert runner.run_job(claimed, now_fn=lambda: later) == "LOST"
    job.refresh_from_db()
    assert job.state == ExportJob.DONE and job.attempts == 2

    again, _ = job_request(actor=actors.commander, kind="problems", params={"q": "问"}, now=t0)
    ExportJob.objects.filter(pk=again.pk).update(
        state=ExportJob.RUNNING, attempts=3, lease_until=now
    )
    runner.step(now_fn=lambda: later)
    again.refresh_from_db()
    assert again.state == ExportJob.FAILED and again.error


def test_expired_files_are_deleted(world, actors, t0):
    make_problems(world, actors, t0, 3)
    job, _ = job_request(actor=actors.commander, kind="problems", params={}, now=t0)
    call_command("exports_run", "--once")
    job.refresh_from_db()
    name = job.file.name
    storage = runner.storage()
    assert storage.exists(name)
    assert runner.delete_expired(job.expires_at - dt.timedelta(seconds=1)) == 0
    assert runner.step(now_fn=lambda: job.expires_at)["expired"] == 1
    assert not storage.exists(name)
    job.refresh_from_db()
    assert job.state == ExportJob.DONE and not job.file
    c = client_for(world, "commander")
    assert c.get(f"/exports/{job.pk}/download/").status_code == 404
    assert c.get(f"/exports/{job.pk}/").status_code == 200


def test_progress_is_reported_every_thousand_rows():
    seen = []
    wb = write_sheet(
        "s",
        ["a"],
        ([i] for i in range(2500)),
        progress=lambda d, t: seen.append((d, t)),
        total=2500,
    )
    assert seen == [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500)]
    assert rows_of(workbook_bytes(wb))[-1] == (2499,)


def test_small_exports_still_come_back_at_once(world, actors, t0):
    make_problems(world, actors, t0, 2)
    r = client_for(world, "commander").get("/problems/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    assert not ExportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_job(world, actors, t0):
    """PostgreSQL: a job locked by one worker's claim is skipped by another's (SKIP LOCKED)."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: claims queue instead of skipping")
    first, _ = job_request(actor=actors.commander, kind="problems", params={}, now=t0)
    second, _ = job_request(
        actor=actors.commander, kind="problems", params={"q": "x"}, now=t0 + dt.timedelta(1)
    )
    locked, release, seen = threading.Event(), threading.Event(), {}

    def other_worker():
        try:
            with transaction.atomic():
                seen["other"] = (
                    ExportJob.objects.select_for_update(skip_locked=True)
                    .filter(state=ExportJob.QUEUED)
                    .order_by("created_at", "pk")
                    .first()
                    .pk
                )
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    t = threading.Thread(target=other_worker)
    t.start()
    assert locked.wait(10)
    try:
        claimed = runner.claim(timezone.now())
    finally:
        release.set()
        t.join()
    assert seen["other"] == first.pk and claimed.pk == second.pk


def test_rows_beyond_excels_limit_go_on_to_a_next_sheet(monkeypatch):
    from shaobao.exports import xlsx

    monkeypatch.setattr(xlsx, "SHEET_MAX_ROWS", 3)  # header + 2 rows a sheet
    wb = load_workbook(
        io.BytesIO(workbook_bytes(write_sheet("清单", ["a"], ([i] for i in range(5)))))
    )
    assert wb.sheetnames == ["清单", "清单 (2)", "清单 (3)"]
    assert [list(ws.values) for ws in wb] == [
        [("a",), (0,), (1,)],
        [("a",), (2,), (3,)],
        [("a",), (4,)],
    ]
