"""The effect list (执法效果清单) and the evaluations, as .xlsx, for what the viewer may see.
Sealed whistles never appear (the visibility query excludes them).

The same row generators serve the page (answered at once) and the export job (shaobao/exports,
for lists too large to build inside a request)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shaobao.assessments.models import Evaluation
from shaobao.core.timeutil import now
from shaobao.exports.registry import register
from shaobao.exports.xlsx import local_naive, no_progress, workbook_bytes, write_sheet
from shaobao.org import roles as R
from shaobao.whistles.models import Outcome

# ---------------------------------------------------------------- effect list


def effect_list_header() -> list[str]:
    return [
        _("吹哨编号"),
        _("标题"),
        _("街乡"),
        _("部门"),
        _("职责"),
        _("登记时间"),
        _("检查次数"),
        _("立案数"),
        _("罚款（元）"),
        _("拆除/清理数"),
        _("工作情况"),
    ]


def effect_list_outcomes(whistles):
    return (
        Outcome.objects.filter(summons__whistle__in=whistles)
        .select_related("summons__whistle__township", "summons__department")
        .order_by("summons__whistle_id", "recorded_at", "pk")
    )


def effect_list_rows(whistles) -> Iterator[list]:
    for o in effect_list_outcomes(whistles).iterator(chunk_size=2000):
        s = o.summons
        yield [
            s.whistle.number,
            s.whistle.title,
            s.whistle.township.name,
            s.department.name,
            s.get_role_display(),
            local_naive(o.recorded_at),
            o.inspections,
            o.cases_filed,
            float(o.fines_yuan),
            o.items_removed,
            o.note,
        ]


def effect_list_workbook(whistles, *, progress=no_progress, total: int = 0):
    return write_sheet(
        _("执法效果清单"),
        effect_list_header(),
        effect_list_rows(whistles),
        progress=progress,
        total=total,
    )


def effect_list_xlsx(whistles) -> bytes:
    return workbook_bytes(effect_list_workbook(whistles))


# ---------------------------------------------------------------- evaluations


def evaluations_header() -> list[str]:
    return [
        _("吹哨编号"),
        _("街乡"),
        _("部门"),
        _("版本"),
        _("及时性"),
        _("配合度"),
        _("实效性"),
        _("得分"),
        _("评价意见"),
        _("更正原因"),
        _("评价时间"),
    ]


def evaluations_of(whistles):
    return (
        Evaluation.objects.filter(summons__whistle__in=whistles)
        .select_related("summons__whistle__township", "summons__department")
        .order_by("summons__whistle_id", "summons_id", "version")
    )


def evaluation_rows(whistles) -> Iterator[list]:
    """Every version of every evaluation: corrections show beside the rating they replace."""
    for e in evaluations_of(whistles).iterator(chunk_size=2000):
        s = e.summons
        yield [
            s.whistle.number,
            s.whistle.township.name,
            s.department.name,
            e.version,
            e.timeliness,
            e.cooperation,
            e.effectiveness,
            e.score,
            e.comment,
            e.correction_reason,
            local_naive(e.at),
        ]


def evaluations_workbook(whistles, *, progress=no_progress, total: int = 0):
    return write_sheet(
        _("评价"), evaluations_header(), evaluation_rows(whistles), progress=progress, total=total
    )


def evaluations_xlsx(whistles) -> bytes:
    return workbook_bytes(evaluations_workbook(whistles))


# ---------------------------------------------------------------- the export kinds
# Scope is worked out from the actor each time: whistles_visible_to at the moment the rows are
# read (a sealed operation that launched in between is then visible, as it would be on a page).

ROLES = set(R.ALL) - {R.CITIZEN}


def _visible(actor):
    from shaobao.whistles.permissions import whistles_visible_to

    return whistles_visible_to(actor, now=now())


def count_effect_list(actor, params) -> int:
    return effect_list_outcomes(_visible(actor)).count()


def build_effect_list(actor, params, progress):
    whistles = _visible(actor)
    total = effect_list_outcomes(whistles).count()
    return effect_list_workbook(whistles, progress=progress, total=total)


def count_evaluations(actor, params) -> int:
    return evaluations_of(_visible(actor)).count()


def build_evaluations(actor, params, progress):
    whistles = _visible(actor)
    total = evaluations_of(whistles).count()
    return evaluations_workbook(whistles, progress=progress, total=total)


register(
    "effect_list",
    gettext_lazy("执法效果清单"),
    build_effect_list,
    ROLES,
    count_effect_list,
    filename="effect-list.xlsx",
)
register(
    "evaluations",
    gettext_lazy("评价"),
    build_evaluations,
    ROLES,
    count_evaluations,
    filename="evaluations.xlsx",
)
