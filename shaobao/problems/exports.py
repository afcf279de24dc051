"""The problem list as a real .xlsx, streamed row by row (write-only workbook).

The same row generator serves the page and the API (answered at once) and the export job
(shaobao/exports, for lists too large to build inside a request)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shaobao.core.errors import InvalidInput
from shaobao.exports.registry import register
from shaobao.exports.xlsx import XLSX, local_naive, no_progress, workbook_bytes, write_sheet
from shaobao.org import roles as R

__all__ = ["XLSX", "problems_xlsx", "problem_rows", "problem_header"]


def problem_header() -> list[str]:
    return [
        _("编号"),
        _("街乡"),
        _("标题"),
        _("事项"),
        _("地址"),
        _("来源"),
        _("状态"),
        _("紧急程度"),
        _("上报时间"),
        _("问题描述"),
    ]


def problem_rows(qs) -> Iterator[list]:
    for p in qs.select_related("township", "matter").iterator(chunk_size=2000):
        yield [
            p.number,
            p.township.name,
            p.title,
            p.matter.path if p.matter else "",
            p.address,
            p.get_source_display(),
            p.get_status_display(),
            p.get_priority_display(),
            local_naive(p.created_at),
            p.description,
        ]


def problems_workbook(qs, *, progress=no_progress, total: int = 0):
    return write_sheet(
        _("问题清单"), problem_header(), problem_rows(qs), progress=progress, total=total
    )


def problems_xlsx(qs) -> bytes:
    return workbook_bytes(problems_workbook(qs))


# ---------------------------------------------------------------- the export kind


def clean_problem_params(params: dict) -> dict:
    """The list page's filters: status (comma-separated) and a title search."""
    if set(params) - {"status", "q"}:
        raise InvalidInput()
    status, q = params.get("status", ""), params.get("q", "")
    if not isinstance(status, str) or not isinstance(q, str):
        raise InvalidInput()
    # Kept as given (problem_list ignores unknown statuses the same way for page and job).
    return {"status": status[:200], "q": q[:50]}


def _problems_for(actor, params):
    from shaobao.problems.selectors import problem_list

    return problem_list(viewer=actor, status=params.get("status", ""), q=params.get("q", ""))


def count_problems(actor, params) -> int:
    return _problems_for(actor, params).count()


def build_problems(actor, params, progress):
    qs = _problems_for(actor, params)
    return problems_workbook(qs, progress=progress, total=qs.count())


register(
    "problems",
    gettext_lazy("问题清单"),
    build_problems,
    set(R.ALL) - {R.CITIZEN},
    count_problems,
    filename="problem-list.xlsx",
    clean=clean_problem_params,
)
