"""The year-end assessment report as PDF (issue #4): Chinese that renders, embeds and extracts."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from shaobao.assessments.pdf import render_report
from shaobao.core import checks, fonts

INDICATORS = [
    ("eval_score", "评价得分", 30),
    ("checkin_rate", "按时报到率", 20),
    ("close_rate", "按期办结率", 20),
    ("satisfaction", "满意率", 15),
    ("resolve_rate", "解决率", 10),
    ("response_rate", "响应率", 5),
]


def make_report(n_rows=60, indicators=INDICATORS, **overrides):
    report = {
        "title": "平谷区2026年度部门考核报告",
        "subtitle": "考核方案：部门考核方案 第2版 · 统计期 2026-01-01 至 2026-12-31",
        "generated_at": "2027-01-05 09:30",
        "summary": [("参评单位", str(n_rows)), ("考核事项", "12,345"), ("平均总分", "81.2")],
        "indicators": [
            {
                "code": code,
                "label": label,
                "weight": weight,
                "formula": "按期办结事项数 ÷ 应办结事项数 × 100，退回重办的事项按原时限计",
                "min_volume": 5,
                "smoothing": "向均值收缩 k=20",
            }
            for code, label, weight in indicators
        ],
        "rows": [
            {
                "rank": i + 1,
                "unit": "区城管执法局" if i == 0 else f"第{i + 1}考核单位",
                "total": round(93.4 - i * 0.7, 1),
                "volume": 812 - i * 3,
                "scores": {
                    code: None if (i + j) % 7 == 0 else 90.0 - i * 0.5 + j
                    for j, (code, _, _) in enumerate(indicators)
                },
                "reasons": ["满意率 72%（均值 85%）", "超期办结 12 件"] if i % 3 == 0 else [],
                "trend": [3, 2, 1],
            }
            for i in range(n_rows)
        ],
        "notes": ["样本不足的指标不计分，其权重按比例分配给其余指标。", "排名相同时按样本量排序。"],
        "labels": {
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
        },
    }
    report.update(overrides)
    return report


@pytest.fixture(scope="module")
def pdf_bytes():
    return render_report(make_report())


@pytest.fixture(scope="module")
def reader(pdf_bytes):
    return PdfReader(io.BytesIO(pdf_bytes))


@pytest.fixture(scope="module")
def text(reader):
    return "\n".join(page.extract_text() for page in reader.pages)


def test_is_a_pdf(pdf_bytes):
    assert pdf_bytes.startswith(b"%PDF-")
    assert pdf_bytes.rstrip().endswith(b"%%EOF")


def test_cjk_font_is_embedded_as_a_subset(pdf_bytes, reader):
    assert b"/FontFile2" in pdf_bytes or b"/FontFile3" in pdf_bytes
    descriptors = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptors.append(descendant.get_object()["/FontDescriptor"].get_object())
    assert descriptors
    assert all("/FontFile2" in d or "/FontFile3" in d for d in descriptors)
    # A subset carries a six-letter tag (ABCDEF+Name) and is far smaller than the font file.
    assert all("+" in d["/FontName"] for d in descriptors)
    assert len(pdf_bytes) < fonts.cjk_font_path().stat().st_size / 4


def test_many_rows_break_over_pages_with_numbered_footers(reader, text):
    assert len(reader.pages) > 2
    assert "第1页" in text and f"第{len(reader.pages)}页" in text


def test_ranking_header_is_repeated_on_every_page_of_the_table(reader):
    pages_with_rows = [p.extract_text() for p in reader.pages if "第30考核单位" in p.extract_text()]
    later = [p.extract_text() for p in reader.pages if "第60考核单位" in p.extract_text()]
    assert pages_with_rows != later  # the table spans pages
    for page_text in pages_with_rows + later:
        assert "排名" in page_text and "按时报到率" in page_text


def test_chinese_text_is_extractable(text):
    for expected in (
        "平谷区2026年度部门考核报告",
        "排名",
        "区城管执法局",
        "第60考核单位",
        "考核指标",
        "向均值收缩",
        "样本不足",
        "满意率 72%（均值 85%）",
        "排名相同时按样本量排序。",
        "3→2→1",
    ):
        assert expected in text, expected


def test_wide_table_goes_landscape_and_narrow_one_stays_portrait():
    wide = PdfReader(io.BytesIO(render_report(make_report(n_rows=5))))
    narrow = PdfReader(io.BytesIO(render_report(make_report(n_rows=5, indicators=INDICATORS[:2]))))
    assert wide.pages[0].mediabox.width < wide.pages[0].mediabox.height  # title page: portrait
    assert any(p.mediabox.width > p.mediabox.height for p in wide.pages)
    assert all(p.mediabox.width < p.mediabox.height for p in narrow.pages)


def test_labels_come_from_the_caller():
    labels = {
        "rank": "Rank",
        "unit": "Unit",
        "total": "Total",
        "volume": "Volume",
        "reasons": "Main reasons for lost points",
        "trend": "Recent ranks",
        "not_scored": "Too few cases",
        "indicators": "Indicators",
        "results": "Results",
        "page": "Page {n}",
    }
    report = make_report(n_rows=8, labels=labels)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report(report))).pages)
    assert "Rank" in text and "Too few cases" in text and "Page 1" in text
    assert "区城管执法局" in text


def test_setting_to_a_missing_font_is_a_clear_error(settings, tmp_path):
    missing = tmp_path / "no-such-font.ttc"
    settings.SHAOBAO = {**settings.SHAOBAO, "PDF_FONT": str(missing)}
    with pytest.raises(ImproperlyConfigured) as exc:
        fonts.cjk_font_path()
    message = str(exc.value)
    assert 'SHAOBAO["PDF_FONT"]' in message and str(missing) in message
    assert "fonts-wqy-microhei" in message


def test_setting_names_the_font_to_use(settings):
    found = fonts.cjk_font_path()
    settings.SHAOBAO = {**settings.SHAOBAO, "PDF_FONT": str(found)}
    assert fonts.cjk_font_path() == found


def test_no_font_anywhere_is_an_error_and_a_system_check_warning(settings, monkeypatch, tmp_path):
    settings.SHAOBAO = {**settings.SHAOBAO, "PDF_FONT": None}
    monkeypatch.setattr(fonts, "KNOWN_CJK_FONTS", (str(tmp_path / "absent.ttc"),))
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-microhei"):
        fonts.cjk_font_path()
    [warning] = checks.cjk_font_is_found(None)
    assert warning.id == "shaobao.W002"
    assert 'SHAOBAO["PDF_FONT"]' in warning.hint


def test_system_check_is_quiet_when_a_font_is_found():
    assert checks.cjk_font_is_found(None) == []
