"""Export pages: the requester's own jobs, one job's progress (polled by htmx), the download.
Another user's job is simply not found. `answer_export()` is what the export URLs of other apps
call: the file at once when it is small, else a job and a redirect to its page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from shaobao.core import validate as V
from shaobao.core.errors import NotFound
from shaobao.exports import registry
from shaobao.exports.conf import conf
from shaobao.exports.models import ExportJob
from shaobao.exports.runner import storage
from shaobao.exports.services import export_kind, job_request, scope_key
from shaobao.exports.xlsx import XLSX, no_progress, workbook_bytes
from shaobao.ui.helpers import actor, now


def answer_export(request, kind: str, params: dict | None = None):
    """The .xlsx itself for at most EXPORT_INLINE_MAX_ROWS rows; above that a job (the same
    one while it is queued or running) and a redirect to its progress page."""
    a = actor(request)
    spec = export_kind(a, kind)
    params = spec.clean_params(params or {})
    rows = spec.count(a, params)
    if rows <= conf("EXPORT_INLINE_MAX_ROWS"):
        resp = HttpResponse(workbook_bytes(spec.builder(a, params, no_progress)), content_type=XLSX)
        resp["Content-Disposition"] = f'attachment; filename="{spec.filename}"'
        return resp
    job, created = job_request(
        actor=a, kind=kind, params=params, now=now(), language=get_language(), rows_total=rows
    )
    if created:
        messages.info(
            request,
            _("共 %(n)d 行，已转为后台导出；完成后在本页下载") % {"n": rows},
        )
    return redirect("exports:job", job.pk)


def _own(request, job_id) -> ExportJob:
    job = ExportJob.objects.filter(pk=V.pk(job_id), requested_by_id=request.user.pk).first()
    if job is None:
        raise NotFound()
    return job


@login_required
def job_list(request):
    jobs = ExportJob.objects.filter(requested_by_id=request.user.pk).order_by("-created_at", "-pk")
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    return render(request, "exports/list.html", {"page": page})


@login_required
def job_detail(request, job_id):
    job = _own(request, job_id)
    if getattr(request, "htmx", False):
        return render(request, "exports/_job.html", {"job": job})
    return render(request, "exports/job.html", {"job": job})


@login_required
def job_download(request, job_id):
    job = _own(request, job_id)
    spec = registry.get(job.kind)
    # The file is the requester's alone, and only while they hold the roles and scopes it was
    # built for (moved to another township: export again).
    a = actor(request)
    if (
        job.state != ExportJob.DONE
        or not job.file
        or spec is None
        or not a.has_any(spec.roles)
        or (job.scope_key and job.scope_key != scope_key(a))
        or not storage().exists(job.file.name)
    ):
        raise NotFound()
    resp = FileResponse(
        storage().open(job.file.name, "rb"),
        as_attachment=True,
        filename=spec.filename,
        content_type=XLSX,
    )
    resp["Cache-Control"] = "private, no-store"
    return resp
