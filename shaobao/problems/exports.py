"""The problem list as a real .xlsx, streamed row by row (write-only workbook)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from shaobao.core.timeutil import local


def problems_xlsx(qs) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("问题清单"))
    header = [
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
    ws.append(header)
    for p in qs.select_related("township", "matter").iterator(chunk_size=2000):
        ws.append(
            [
                p.number,
                p.township.name,
                p.title,
                p.matter.path if p.matter else "",
                p.address,
                p.get_source_display(),
                p.get_status_display(),
                p.get_priority_display(),
                local(p.created_at).replace(tzinfo=None),
                p.description,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
