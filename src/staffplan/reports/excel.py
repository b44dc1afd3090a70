"""Workbook building blocks: every style, number format and safety rule for written cells lives here.

Cells that carry text from inputs never start with `=`, `+`, `-` or `@` (formula injection): such text
gets a leading apostrophe and is stored as a string. Workbooks are saved atomically.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from staffplan.atomic import write_atomic

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
TITLE_FONT = Font(bold=True, size=14)
LABEL_FONT = Font(bold=True)
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
WARN_FILL = PatternFill("solid", fgColor="FFEB9C")
FORMATS = {
    "int": "#,##0",
    "agents": "#,##0.0",
    "money": "#,##0.00",
    "pct": "0.0%",
    "hours": "#,##0.0",
    "ratio": "0.000",
}
MAX_WIDTH = 48


def safe(value: Any) -> Any:
    """A cell value that can never be read as a formula; numbers, dates and None pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def set_cell(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> None:
    cell = ws.cell(row=row, column=col, value=safe(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    if number_format:
        cell.number_format = number_format


def header_row(ws: Worksheet, row: int, headers: Sequence[str], start_col: int = 1) -> None:
    for offset, name in enumerate(headers):
        cell = ws.cell(row=row, column=start_col + offset, value=safe(name))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_frame(ws: Worksheet, frame: pd.DataFrame, *, formats: dict[str, str] | None = None, start_row: int = 1,
                freeze_cols: int = 0, autofilter: bool = True) -> None:
    """A table with a styled header row, frozen panes, a filter, number formats and fitted widths."""
    formats = formats or {}
    header_row(ws, start_row, [str(c) for c in frame.columns])
    fmts = [FORMATS.get(formats.get(str(c), ""), formats.get(str(c))) for c in frame.columns]
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=start_row + 1):
        for c, value in enumerate(values, start=1):
            set_cell(ws, r, c, value.item() if hasattr(value, "item") else value, fmts[c - 1])
    ws.freeze_panes = ws.cell(row=start_row + 1, column=freeze_cols + 1)
    if autofilter and len(frame.columns):
        last = get_column_letter(len(frame.columns))
        ws.auto_filter.ref = f"A{start_row}:{last}{start_row + max(len(frame), 1)}"
    fit_widths(ws, [str(c) for c in frame.columns], frame.head(200).itertuples(index=False, name=None))


def fit_widths(ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]], minimum: int = 8) -> None:
    widths = [max(minimum, len(h) + 2) for h in headers]
    for row in rows:
        for i, value in enumerate(row[: len(widths)]):
            text = f"{value:,.2f}" if isinstance(value, float) else str(value)
            widths[i] = min(MAX_WIDTH, max(widths[i], len(text) + 2))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def print_setup(ws: Worksheet) -> None:
    """Landscape, fit to one page wide, header rows repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def new_workbook() -> Workbook:
    wb = Workbook()
    for sheet in list(wb.worksheets):
        wb.remove(sheet)
    return wb


def save_workbook(wb: Workbook, path: Path) -> Path:
    for ws in wb.worksheets:
        print_setup(ws)
    return write_atomic(path, lambda temp: wb.save(temp))
