"""Assessment results as .xlsx and the assessment report as PDF, from the same rows the ranking
page shows (views.ranking_rows), so the file and the screen cannot disagree."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from shaobao.assessments.models import Run
from shaobao.core.timeutil import local


def results_xlsx(run: Run, columns: list[dict], rows: list[dict]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("考核结果"))
    ws.append([f"{run} · {run.scheme}"])
    header = [_("排名"), _("单位"), _("总分"), _("样本量")]
    score, raw = _("得分"), _("原始值")
    for c in columns:
        header += [f"{c['label']}（{score}）", f"{c['label']}（{raw}）"]
    header += [_("主要失分原因")]
    ws.append(header)
    for r in rows:
        line = [r["rank"], r["name"], r["total"], r["volume"]]
        for cell in r["cells"]:
            raw = cell.get("raw")
            line += [cell.get("score"), None if raw is None else round(raw, 4)]
        line.append("；".join(r["reasons"]))
        ws.append(line)
    ws2 = wb.create_sheet(_("考核指标"))
    ws2.append(
        [_("指标"), _("权重"), _("公式"), _("最低样本量"), _("平滑强度"), _("容差"), _("均值")]
    )
    for c in columns:
        ws2.append(
            [
                c["label"],
                c["weight"],
                c["formula"],
                c["min_volume"],
                c["prior"],
                c["tolerance"],
                c["mean"],
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_pdf(run: Run, columns: list[dict], rows: list[dict], *, now) -> bytes:
    from shaobao.assessments.pdf import render_report

    title = _("%(district)s%(period)s%(subject)s报告") % {
        "district": run.district.name,
        "period": run.label,
        "subject": run.get_subject_display(),
    }
    subtitle = _("考核方案：%(name)s 第%(v)s版 · 统计期 %(a)s 至 %(b)s · %(state)s") % {
        "name": run.scheme.name,
        "v": run.scheme.version,
        "a": run.period_start.isoformat(),
        "b": run.period_end.isoformat(),
        "state": run.get_state_display(),
    }
    ranked = [r for r in rows if r["rank"] is not None]
    report = {
        "title": title,
        "subtitle": subtitle,
        "generated_at": local(now).strftime("%Y-%m-%d %H:%M"),
        "summary": [
            (_("参评单位"), str(len(rows))),
            (_("排名单位"), str(len(ranked))),
            (_("诉求事项"), f"{run.demand_facts:,}"),
            (_("吹哨召集"), f"{run.summons_facts:,}"),
            (_("结果校验码"), run.results_digest[:16]),
        ],
        "indicators": [
            {
                "code": c["code"],
                "label": c["label"],
                "weight": c["weight"],
                "formula": c["formula"],
                "min_volume": c["min_volume"],
                "smoothing": _("向均值收缩 k=%(k)s") % {"k": c["prior"]} if c["prior"] else "—",
            }
            for c in columns
        ],
        "rows": [
            {
                "rank": r["rank"],
                "unit": r["name"],
                "total": r["total"],
                "volume": r["volume"],
                "scores": {c["code"]: s for c, s in zip(columns, r["scores"], strict=True)},
                "reasons": r["reasons"],
                "trend": [x for x in r["trend"] if x is not None],
            }
            for r in rows
        ],
        "notes": [
            _(
                "得分按各指标加权平均；样本量低于最低样本量的指标不计分，其权重由其余指标分担；"
                "比率先向全区均值收缩（k 越大收缩越强），避免个别件数左右排名。"
            ),
        ],
        "labels": {
            "rank": _("排名"),
            "unit": _("单位"),
            "total": _("总分"),
            "volume": _("样本量"),
            "reasons": _("主要失分原因"),
            "trend": _("近期排名"),
            "not_scored": _("样本不足"),
            "indicators": _("考核指标"),
            "results": _("考核结果"),
            "page": _("第{n}页"),
            "summary": _("概况"),
            "notes": _("说明"),
            "indicator": _("指标"),
            "weight": _("权重"),
            "formula": _("计算方法"),
            "min_volume": _("最低样本量"),
            "smoothing": _("平滑"),
            "generated_at": _("生成时间"),
        },
    }
    return render_report(report)
