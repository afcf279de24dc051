"""The duty list as .xlsx, in the documented template (docs/duty-list-template.md).

Import validates every row and reports each problem as (row, column, reason); a file with any
problem changes nothing."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from shaobao.audit.services import record
from shaobao.core.errors import InvalidInput
from shaobao.duties import services
from shaobao.duties.models import Duty, DutyList, Matter
from shaobao.org.models import Department

COLUMNS = [
    "事项编码",
    "一级分类",
    "二级分类",
    "事项名称",
    "默认时限档位",
    "牵头部门编码",
    "配合部门编码",
    "法律依据",
    "条款",
    "依据原文",
    "时限档位",
    "办结标准",
    "关键词",
    "社区职责",
]
COMMUNITY = {"可牵头": "LEAD", "仅配合": "ASSIST", "不承担": "NONE"}
COMMUNITY_LABEL = {v: k for k, v in COMMUNITY.items()}
MAX_ROWS = 20000
MAX_BYTES = 10 * 1024 * 1024
LIMITS = {
    "事项编码": 30,
    "一级分类": 50,
    "二级分类": 50,
    "事项名称": 80,
    "法律依据": 200,
    "条款": 50,
    "依据原文": 4000,
    "办结标准": 200,
    "关键词": 300,
}


def export(duty_list: DutyList) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("权责清单"))
    ws.append(COLUMNS)
    duties = duty_list.duties.select_related("matter", "lead_department").prefetch_related(
        "assist_departments"
    )
    for d in duties.order_by("matter__code", "pk"):
        ws.append(
            [
                d.matter.code,
                d.matter.level1,
                d.matter.level2,
                d.matter.name,
                d.matter.tier,
                d.lead_department.code,
                "、".join(sorted(a.code for a in d.assist_departments.all())),
                d.law,
                d.article,
                d.basis_text,
                d.tier,
                d.closing_condition,
                d.keywords,
                COMMUNITY_LABEL[d.community_role],
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class RowError:
    row: int
    column: str
    reason: str


class ImportRejected(InvalidInput):
    code = "import_rejected"

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            _("导入失败：共 %(n)s 处问题，未做任何修改") % {"n": len(errors)},
            fields={"rows": [e.__dict__ for e in errors[:500]]},
        )


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def read_rows(data: bytes) -> list[dict]:
    if len(data) > MAX_BYTES:
        raise ImportRejected([RowError(0, "", _("文件超过10MB"))])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRejected([RowError(0, "", _("不是有效的 .xlsx 文件"))]) from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, [])]
    if header[: len(COLUMNS)] != COLUMNS:
        raise ImportRejected(
            [RowError(1, "", _("表头与模板不符，应为：%(c)s") % {"c": "、".join(COLUMNS)})]
        )
    out = []
    for i, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in (values or ())][: len(COLUMNS)]
        if not any(cells):
            continue
        if len(out) >= MAX_ROWS:
            raise ImportRejected([RowError(i, "", _("行数超过%(n)s") % {"n": MAX_ROWS})])
        cells += [""] * (len(COLUMNS) - len(cells))
        out.append({"_row": i, **dict(zip(COLUMNS, cells, strict=True))})
    if not out:
        raise ImportRejected([RowError(2, "", _("文件中没有数据行"))])
    return out


def validate(rows: list[dict], district) -> list[RowError]:
    errors: list[RowError] = []
    tiers = settings.SHAOBAO["TIME_LIMIT_TIERS"]
    depts = {d.code: d for d in Department.objects.filter(district=district, active=True)}
    matters = {m.code: m for m in Matter.objects.filter(code__in={r["事项编码"] for r in rows})}
    seen: dict[tuple[str, str], int] = {}
    paths: dict[str, tuple] = {}
    for r in rows:
        n = r["_row"]
        for col in ["事项编码", "一级分类", "二级分类", "事项名称", "牵头部门编码"]:
            if not r[col]:
                errors.append(RowError(n, col, _("必填")))
        for col, limit in LIMITS.items():
            if len(r[col]) > limit:
                errors.append(RowError(n, col, _("超过%(n)s个字") % {"n": limit}))
        path = (r["一级分类"], r["二级分类"], r["事项名称"])
        m = matters.get(r["事项编码"])
        if m and (m.level1, m.level2, m.name) != path:
            errors.append(
                RowError(
                    n, "事项名称", _("事项编码已用于“%(p)s”，分类或名称不一致") % {"p": m.path}
                )
            )
        if r["事项编码"] in paths and paths[r["事项编码"]] != path:
            errors.append(RowError(n, "事项名称", _("同一事项编码在文件中分类或名称不一致")))
        paths.setdefault(r["事项编码"], path)
        if not m and not r["默认时限档位"] and not r["时限档位"]:
            errors.append(RowError(n, "默认时限档位", _("新事项须填写默认时限档位")))
        for col in ["默认时限档位", "时限档位"]:
            if r[col] and r[col] not in tiers:
                errors.append(RowError(n, col, _("未知的时限档位“%(t)s”") % {"t": r[col]}))
        lead = r["牵头部门编码"]
        if lead and lead not in depts:
            errors.append(
                RowError(n, "牵头部门编码", _("本区没有编码为“%(c)s”的部门") % {"c": lead})
            )
        for code in [
            c.strip() for c in r["配合部门编码"].replace(",", "、").split("、") if c.strip()
        ]:
            if code not in depts:
                errors.append(
                    RowError(n, "配合部门编码", _("本区没有编码为“%(c)s”的部门") % {"c": code})
                )
            elif code == lead:
                errors.append(RowError(n, "配合部门编码", _("牵头部门不能同时是配合部门")))
        if r["社区职责"] and r["社区职责"] not in COMMUNITY:
            errors.append(RowError(n, "社区职责", _("须为“可牵头”“仅配合”或“不承担”")))
        key = (r["事项编码"], lead)
        if key in seen:
            errors.append(RowError(n, "牵头部门编码", _("与第%(r)s行重复") % {"r": seen[key]}))
        seen.setdefault(key, n)
    return errors


@transaction.atomic
def import_draft(*, actor, district_id, data: bytes, note="", now) -> DutyList:
    """A new draft built from the file alone. All or nothing."""
    district = services.district_for_editing(actor, district_id)
    rows = read_rows(data)
    errors = validate(rows, district)
    if errors:
        raise ImportRejected(errors)
    depts = {d.code: d for d in Department.objects.filter(district=district, active=True)}
    draft = services.draft_create(
        actor=actor, district_id=district.pk, note=note or _("Excel导入"), copy=False, now=now
    )
    for r in rows:
        matter, _created = Matter.objects.get_or_create(
            code=r["事项编码"],
            defaults={
                "level1": r["一级分类"],
                "level2": r["二级分类"],
                "name": r["事项名称"],
                "tier": r["默认时限档位"] or r["时限档位"],
            },
        )
        duty = Duty.objects.create(
            duty_list=draft,
            matter=matter,
            lead_department=depts[r["牵头部门编码"]],
            law=r["法律依据"],
            article=r["条款"],
            basis_text=r["依据原文"],
            tier=r["时限档位"],
            closing_condition=r["办结标准"],
            keywords=r["关键词"],
            community_role=COMMUNITY.get(r["社区职责"], "ASSIST"),
        )
        codes = [c.strip() for c in r["配合部门编码"].replace(",", "、").split("、") if c.strip()]
        duty.assist_departments.set([depts[c] for c in codes])
    record(
        actor=actor,
        action="duty_list.import",
        obj=draft,
        data={"version": draft.version, "rows": len(rows)},
        now=now,
    )
    return draft
