"""Write-only workbooks: one sheet from a row generator, with progress reports."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook

from shaobao.core.timeutil import local

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 1000


def local_naive(value):
    """A time as a cell shows it: Beijing time without a zone (Excel has none), or empty."""
    return local(value).replace(tzinfo=None) if value else None


def no_progress(done: int, total: int) -> None:
    return None


# Excel's limit is 1,048,576 rows a sheet, the header included; more rows go on to a next sheet.
SHEET_MAX_ROWS = 1_048_576


def write_sheet(title, header, rows: Iterable, *, progress=no_progress, total: int = 0):
    """A write-only workbook: a sheet with the header, then the rows (continued on sheets
    "title (2)", … with the header again beyond Excel's row limit). `progress(done, total)` is
    called every PROGRESS_EVERY rows and once at the end (then total == done)."""
    wb = Workbook(write_only=True)
    header = [str(h) for h in header]
    sheets = [wb.create_sheet(str(title))]
    ws = sheets[0]
    ws.append(header)
    on_sheet = done = 0
    try:
        progress(0, total)
        for row in rows:
            if on_sheet >= SHEET_MAX_ROWS - 1:
                ws = wb.create_sheet(f"{title} ({len(sheets) + 1})")
                sheets.append(ws)
                ws.append(header)
                on_sheet = 0
            ws.append(row)
            on_sheet += 1
            done += 1
            if done % PROGRESS_EVERY == 0:
                progress(done, max(total, done))
        progress(done, done)
    except BaseException:
        for sheet in sheets:
            discard(sheet)
        raise
    return wb


def discard(ws) -> None:
    """Close an abandoned write-only sheet and remove its temporary file (a worker lives long;
    openpyxl would otherwise keep the file until the process exits)."""
    try:
        ws.close()
        if ws._writer is not None:
            ws._writer.cleanup()
    except Exception:  # best effort: the error that abandoned the sheet is what matters
        pass


def workbook_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
