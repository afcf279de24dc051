"""The effect list (执法效果清单) and the evaluations, as .xlsx, for what the viewer may see.
Sealed whistles never appear (the visibility query excludes them)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from shaobao.assessments.models import Evaluation
from shaobao.core.timeutil import local
from shaobao.whistles.models import Outcome


def _naive(value):
    return local(value).replace(tzinfo=None) if value else None


def effect_list_xlsx(whistles) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("执法效果清单"))
    ws.append(
        [
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
    )
    outcomes = (
        Outcome.objects.filter(summons__whistle__in=whistles)
        .select_related("summons__whistle__township", "summons__department")
        .order_by("summons__whistle_id", "recorded_at", "pk")
    )
    for o in outcomes.iterator(chunk_size=2000):
        s = o.summons
        ws.append(
            [
                s.whistle.number,
                s.whistle.title,
                s.whistle.township.name,
                s.department.name,
                s.get_role_display(),
                _naive(o.recorded_at),
                o.inspections,
                o.cases_filed,
                float(o.fines_yuan),
                o.items_removed,
                o.note,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def evaluations_xlsx(whistles) -> bytes:
    """Every version of every evaluation: corrections show beside the rating they replace."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("评价"))
    ws.append(
        [
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
    )
    evaluations = (
        Evaluation.objects.filter(summons__whistle__in=whistles)
        .select_related("summons__whistle__township", "summons__department")
        .order_by("summons__whistle_id", "summons_id", "version")
    )
    for e in evaluations.iterator(chunk_size=2000):
        s = e.summons
        ws.append(
            [
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
                _naive(e.at),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
