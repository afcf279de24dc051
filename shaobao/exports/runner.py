"""Run export jobs in workers (`shaobao worker` calls `step()` every round; `shaobao exports_run`
runs only this).

A job is claimed with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has one writer and
ignores the lock), so several workers share the queue. The claim sets a lease, and every
progress report renews it; the builder runs outside any transaction. A worker that dies leaves
the job RUNNING with a lease that runs out: the next step puts it back in the queue (and fails
it after EXPORT_MAX_ATTEMPTS claims). The claim count is also the worker's token: a worker
whose job was taken over finds its updates refused and stops.

The requester's scope is not stored: the builder gets actor_for(user) as the user is now, so
a membership ended since the request no longer counts."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import uuid

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from shaobao.core.errors import DomainError, PermissionDenied
from shaobao.exports import registry
from shaobao.exports.conf import conf
from shaobao.exports.models import ExportJob
from shaobao.exports.services import scope_key
from shaobao.org.scoping import actor_for

log = logging.getLogger("shaobao.exports")


class LeaseLost(Exception):
    """Another worker took the job over (this one's lease had run out)."""


def storage():
    return ExportJob._meta.get_field("file").storage


def _lease(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=conf("EXPORT_LEASE_SECONDS"))


def requeue_stale(now: dt.datetime) -> int:
    """RUNNING jobs whose lease ran out go back to the queue, or fail after too many claims."""
    n = 0
    stale = ExportJob.objects.filter(state=ExportJob.RUNNING, lease_until__lt=now)
    for job in stale.only("pk", "attempts", "language"):
        mine = ExportJob.objects.filter(
            pk=job.pk, state=ExportJob.RUNNING, attempts=job.attempts, lease_until__lt=now
        )
        if job.attempts >= conf("EXPORT_MAX_ATTEMPTS"):
            with translation.override(job.language):
                error = _("导出多次中断，已放弃；请缩小范围后重试")
            n += mine.update(state=ExportJob.FAILED, error=error, finished_at=now, lease_until=None)
        else:
            n += mine.update(state=ExportJob.QUEUED, lease_until=None)
    return n


def delete_expired(now: dt.datetime) -> int:
    """Delete the files of jobs past their expiry; the rows stay (without a file)."""
    n = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(file="").only("pk", "file"):
        name = job.file.name
        try:
            storage().delete(name)
        except OSError:
            log.exception("export %s: could not delete %s", job.pk, name)
            continue
        n += ExportJob.objects.filter(pk=job.pk, file=name).update(file="")
    return n


def claim(now: dt.datetime) -> ExportJob | None:
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(state=ExportJob.QUEUED)
            .order_by("created_at", "pk")
            .first()
        )
        if job is None:
            return None
        job.state = ExportJob.RUNNING
        job.attempts += 1
        job.started_at = now
        job.lease_until = _lease(now)
        job.error = ""
        job.save(update_fields=["state", "attempts", "started_at", "lease_until", "error"])
    return job


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return str(exc.message)
    return f"{type(exc).__name__}: {exc}"


def run_job(job: ExportJob, *, now_fn) -> str:
    """Build the claimed job's file and mark it DONE or FAILED; returns the state it ended in
    ("LOST" when another worker had taken it over)."""
    mine = ExportJob.objects.filter(pk=job.pk, state=ExportJob.RUNNING, attempts=job.attempts)

    def progress(done: int, total: int) -> None:
        if not mine.update(
            rows_done=max(0, done), rows_total=max(0, total, done), lease_until=_lease(now_fn())
        ):
            raise LeaseLost()

    name = ""
    with translation.override(job.language):
        try:
            spec = registry.get(job.kind)
            if spec is None:
                raise DomainError(_("未知的导出类型"))
            user = get_user_model().objects.filter(pk=job.requested_by_id, is_active=True).first()
            actor = actor_for(user) if user is not None else None
            if actor is None or not actor.has_any(spec.roles):
                raise PermissionDenied()
            key = scope_key(actor)
            wb = spec.builder(actor, spec.clean_params(job.params), progress)
            with tempfile.TemporaryFile(suffix=".xlsx") as fh:
                wb.save(fh)
                fh.seek(0)
                name = storage().save(
                    f"exports/{uuid.uuid4().hex}.xlsx", File(fh, name="export.xlsx")
                )
        except LeaseLost:
            log.warning("export %s was taken over by another worker", job.pk)
            return "LOST"
        except Exception as exc:
            log.exception("export %s (%s) failed", job.pk, job.kind)
            mine.update(
                state=ExportJob.FAILED,
                error=_message(exc)[:500],
                finished_at=now_fn(),
                lease_until=None,
            )
            return ExportJob.FAILED
    t = now_fn()
    days = conf("EXPORT_KEEP_DAYS")
    if not mine.update(
        state=ExportJob.DONE,
        file=name,
        scope_key=key,
        finished_at=t,
        expires_at=t + dt.timedelta(days=days),
        lease_until=None,
    ):
        storage().delete(name)
        return "LOST"
    return ExportJob.DONE


def step(*, now_fn) -> dict:
    """One round: requeue jobs of dead workers, delete expired files, run one queued job."""
    t = now_fn()
    counts = {"requeued": requeue_stale(t), "expired": delete_expired(t), "ran": None}
    job = claim(now_fn())
    if job is not None:
        counts["ran"] = run_job(job, now_fn=now_fn)
    return counts
