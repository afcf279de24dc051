"""The demand list (诉求工单) as a real .xlsx, with the list page's filters.

The same rows serve the page's download (answered at once) and the export job (shaobao/exports,
for lists too large to build inside a request: a district's year is millions of rows). The
caller's name and phone are written only where the requester may see them (`may_see_caller`:
the hotline, and the handler of that demand); everyone else gets them masked, as on the page."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shaobao.demands.permissions import mask_name, mask_phone, may_see_caller
from shaobao.demands.selectors import clean_list_params, demand_list
from shaobao.exports.registry import register
from shaobao.exports.xlsx import local_naive, no_progress, write_sheet
from shaobao.org import roles as R


def demand_header() -> list[str]:
    return [
        _("编号"),
        _("受理时间"),
        _("来源"),
        _("诉求类型"),
        _("街乡"),
        _("事项"),
        _("诉求内容"),
        _("地址"),
        _("来电人"),
        _("联系电话"),
        _("状态"),
        _("承办单位"),
        _("派单时间"),
        _("办理时限"),
        _("反馈时间"),
        _("办结时间"),
        _("不纳入考核"),
    ]


def demand_rows(actor, qs) -> Iterator[list]:
    rows = qs.select_related(
        "district", "township", "matter", "handler_department", "handler_township"
    )
    for d in rows.iterator(chunk_size=2000):
        see = may_see_caller(actor, d)
        yield [
            d.number,
            local_naive(d.created_at),
            d.get_source_display(),
            d.get_kind_display(),
            d.township.name if d.township_id else "",
            d.matter.path if d.matter_id else "",
            d.text,
            d.address,
            d.caller_name if see else mask_name(d.caller_name),
            d.caller_phone if see else mask_phone(d.caller_phone),
            d.get_status_display(),
            d.handler_label,
            local_naive(d.dispatched_at),
            local_naive(d.deadline_at),
            local_naive(d.responded_at),
            local_naive(d.closed_at),
            _("是") if d.excluded else "",
        ]


def demands_workbook(actor, qs, *, progress=no_progress, total: int = 0):
    return write_sheet(
        _("诉求工单"), demand_header(), demand_rows(actor, qs), progress=progress, total=total
    )


# ---------------------------------------------------------------- the export kind


def count_demands(actor, params) -> int:
    return demand_list(viewer=actor, params=params).count()


def build_demands(actor, params, progress):
    qs = demand_list(viewer=actor, params=params)
    return demands_workbook(actor, qs, progress=progress, total=qs.count())


register(
    "demands",
    gettext_lazy("诉求工单"),
    build_demands,
    set(R.ALL) - {R.CITIZEN},
    count_demands,
    filename="demands.xlsx",
    clean=clean_list_params,
)
