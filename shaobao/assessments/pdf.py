"""The year-end assessment report as PDF (issue #4, docs/adr/0005-pdf-reports.md).

`render_report(report)` takes plain data (strings and numbers the caller has already formatted
and translated) and returns the PDF's bytes. The Chinese text is set in the CJK font of
`shaobao.core.fonts.cjk_font_path()`, embedded as a subset, so the file reads the same on a
machine without Chinese fonts.

The report dict::

    title, subtitle, generated_at: str
    summary: [(label, value), ...]
    indicators: [{code, label, weight, formula, min_volume, smoothing}, ...]
    rows: [{rank, unit, total, volume, scores: {code: float | None}, reasons: [str], trend: [int]}]
    notes: [str]
    labels: {rank, unit, total, volume, reasons, trend, not_scored, indicators, results, page, ...}

A score of None means "not scored" (样本不足) and prints as labels["not_scored"].
"""

import re
from collections.abc import Iterable

from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, WrapMode, XPos, YPos

from shaobao.core.fonts import cjk_font_path, collection_face

# The caller translates; these are the Chinese defaults for keys it leaves out.
DEFAULT_LABELS = {
    "rank": "排名",
    "unit": "单位",
    "total": "总分",
    "volume": "样本量",
    "reasons": "主要失分原因",
    "trend": "近期排名",
    "not_scored": "样本不足",
    "indicators": "考核指标",
    "results": "考核结果",
    "page": "第{n}页",
    "summary": "概况",
    "notes": "说明",
    "indicator": "指标",
    "weight": "权重",
    "formula": "计算方法",
    "min_volume": "最低样本量",
    "smoothing": "平滑",
    "generated_at": "生成时间",
}

FONT = "cjk"
MARGIN = 12  # mm
# Ranking table, in mm: fixed columns, then one per indicator, then the recent ranks.
RANK_W, UNIT_W, TOTAL_W, VOLUME_W, TREND_W = 11, 42, 16, 16, 24
INDICATOR_MIN_W = 19
INK = (33, 37, 41)
MUTED = (108, 117, 125)
HEADING_FILL = (226, 232, 240)
STRIPE_FILL = (246, 248, 250)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


class _ReportPDF(FPDF):
    def __init__(self, page_label: str, footer_title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.page_label = page_label
        self.footer_title = footer_title

    def footer(self):
        self.set_y(-10)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_title, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, self.page_label.replace("{n}", str(self.page_no())), align="R")
        self.set_text_color(*INK)


def render_report(report: dict) -> bytes:
    labels = {**DEFAULT_LABELS, **(report.get("labels") or {})}
    font_path = cjk_font_path()
    title = str(report.get("title", ""))

    pdf = _ReportPDF(labels["page"], title)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, fname=str(font_path), collection_font_number=collection_face(font_path))
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*INK)
    pdf.set_title(title)
    pdf.set_creator("Shaobao")
    pdf.set_lang("zh-CN" if CJK.search(labels["rank"]) else "en")
    # Chinese has no spaces between words: break anywhere when the report is in Chinese.
    wrap = WrapMode.CHAR if CJK.search(labels["rank"] + labels["unit"]) else WrapMode.WORD

    rows = list(report.get("rows") or [])
    indicators = list(report.get("indicators") or [])

    pdf.add_page()
    _title_block(pdf, report, labels)
    _summary(pdf, report.get("summary") or [], labels, wrap)
    _indicators(pdf, indicators, labels, wrap)
    _ranking(pdf, rows, indicators, labels, wrap)
    _reasons(pdf, rows, labels, wrap)
    _notes(pdf, report.get("notes") or [], labels, wrap)
    return bytes(pdf.output())


def _title_block(pdf: FPDF, report: dict, labels: dict) -> None:
    pdf.ln(18)
    pdf.set_font(FONT, size=20)
    pdf.multi_cell(0, 10, str(report.get("title", "")), align="C", new_x=XPos.LMARGIN)
    subtitle = report.get("subtitle")
    if subtitle:
        pdf.ln(2)
        pdf.set_font(FONT, size=11)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 6, str(subtitle), align="C", new_x=XPos.LMARGIN)
    generated_at = report.get("generated_at")
    if generated_at:
        pdf.set_font(FONT, size=9)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(
            0, 6, f"{labels['generated_at']}：{generated_at}", align="C", new_x=XPos.LMARGIN
        )
    pdf.set_text_color(*INK)
    pdf.ln(4)
    pdf.set_draw_color(*HEADING_FILL)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_draw_color(0, 0, 0)
    pdf.ln(6)


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # keep a heading with its first lines
        pdf.add_page()
    pdf.set_font(FONT, size=13)
    pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font(FONT, size=9)


def _table(pdf: FPDF, col_widths, wrap, **kwargs):
    return pdf.table(
        col_widths=col_widths,
        width=sum(col_widths),
        align="LEFT",
        text_align="LEFT",
        wrapmode=wrap,
        line_height=5,
        padding=(1.2, 1.5),
        headings_style=FontFace(family=FONT, emphasis="", fill_color=HEADING_FILL),
        cell_fill_color=STRIPE_FILL,
        cell_fill_mode=TableCellFillMode.ROWS,
        repeat_headings=1,
        **kwargs,
    )


def _heading_row(table, texts) -> None:
    row = table.row()
    for text in texts:
        row.cell(text, align="CENTER")


def _summary(pdf: FPDF, summary: Iterable, labels: dict, wrap) -> None:
    summary = [(str(k), str(v)) for k, v in summary]
    if not summary:
        return
    _heading(pdf, labels["summary"])
    with _table(pdf, (60, 50), wrap, first_row_as_headings=False) as table:
        for label, value in summary:
            row = table.row()
            row.cell(label)
            row.cell(value, align="RIGHT")
    pdf.ln(6)


def _indicators(pdf: FPDF, indicators: list, labels: dict, wrap) -> None:
    if not indicators:
        return
    _heading(pdf, labels["indicators"])
    widths = (34, 14, 74, 22, 42)  # 186 mm: the portrait page's width between the margins
    with _table(pdf, widths, wrap) as table:
        _heading_row(
            table,
            [
                labels["indicator"],
                labels["weight"],
                labels["formula"],
                labels["min_volume"],
                labels["smoothing"],
            ],
        )
        for ind in indicators:
            row = table.row()
            row.cell(str(ind.get("label", ind.get("code", ""))))
            row.cell(_number(ind.get("weight")), align="RIGHT")
            row.cell(str(ind.get("formula") or ""))
            row.cell(_number(ind.get("min_volume")), align="RIGHT")
            row.cell(str(ind.get("smoothing") or ""))
    pdf.ln(6)


def _ranking_widths(pdf: FPDF, n_indicators: int) -> tuple[list[float], bool]:
    """Column widths of the ranking table and whether it needs a landscape page."""
    fixed = RANK_W + UNIT_W + TOTAL_W + VOLUME_W + TREND_W
    portrait = 210 - 2 * MARGIN
    landscape = 297 - 2 * MARGIN
    needed = fixed + n_indicators * INDICATOR_MIN_W
    available = portrait if needed <= portrait else landscape
    extra = max(0.0, available - needed)
    # Space left over widens the unit and indicator columns; a very wide table shrinks them.
    per_ind = INDICATOR_MIN_W + (extra * 0.6 / n_indicators if n_indicators else 0)
    unit_w = UNIT_W + (extra * 0.4 if n_indicators else extra)
    if needed > landscape:
        per_ind = (landscape - fixed) / n_indicators
        unit_w = UNIT_W
    widths = [RANK_W, unit_w, TOTAL_W, VOLUME_W, *([per_ind] * n_indicators), TREND_W]
    return widths, needed > portrait


def _ranking(pdf: FPDF, rows: list, indicators: list, labels: dict, wrap) -> None:
    widths, landscape = _ranking_widths(pdf, len(indicators))
    if landscape:
        pdf.add_page(orientation="L")
    _heading(pdf, labels["results"])
    not_scored = FontFace(color=MUTED)
    font_size = 8 if len(indicators) > 6 else 9
    pdf.set_font(FONT, size=font_size)
    with _table(pdf, widths, wrap) as table:
        _heading_row(
            table,
            [
                labels["rank"],
                labels["unit"],
                labels["total"],
                labels["volume"],
                *[str(ind.get("label", ind.get("code", ""))) for ind in indicators],
                labels["trend"],
            ],
        )
        for r in rows:
            row = table.row()
            row.cell(_number(r.get("rank")), align="CENTER")
            row.cell(str(r.get("unit", "")))
            row.cell(_score(r.get("total"), labels), align="RIGHT")
            row.cell(_number(r.get("volume")), align="RIGHT")
            scores = r.get("scores") or {}
            for ind in indicators:
                value = scores.get(ind.get("code"))
                if value is None:
                    row.cell(labels["not_scored"], align="CENTER", style=not_scored)
                else:
                    row.cell(_score(value, labels), align="RIGHT")
            row.cell("→".join(str(t) for t in (r.get("trend") or [])), align="CENTER")
    pdf.ln(6)


def _reasons(pdf: FPDF, rows: list, labels: dict, wrap) -> None:
    with_reasons = [r for r in rows if r.get("reasons")]
    if not with_reasons:
        return
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    _heading(pdf, labels["reasons"])
    with _table(pdf, (RANK_W, UNIT_W, usable - RANK_W - UNIT_W), wrap) as table:
        _heading_row(table, [labels["rank"], labels["unit"], labels["reasons"]])
        for r in with_reasons:
            row = table.row()
            row.cell(_number(r.get("rank")), align="CENTER")
            row.cell(str(r.get("unit", "")))
            row.cell("\n".join(f"· {reason}" for reason in r["reasons"]))
    pdf.ln(6)


def _notes(pdf: FPDF, notes: Iterable, labels: dict, wrap) -> None:
    notes = [str(n) for n in notes if n]
    if not notes:
        return
    _heading(pdf, labels["notes"])
    pdf.set_font(FONT, size=10)
    for note in notes:
        pdf.multi_cell(0, 6, note, wrapmode=wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)


def _number(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    if isinstance(value, int | float):
        return f"{int(value):,}"
    return str(value)


def _score(value, labels: dict) -> str:
    if value is None:
        return labels["not_scored"]
    if isinstance(value, int | float):
        return f"{value:.1f}"
    return str(value)
