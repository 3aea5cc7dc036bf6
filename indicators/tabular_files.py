"""The one writer of every tabular export (data export, audit downloads, template examples): inert cells.

A text cell that begins with `=`, `+`, `-`, `@`, tab or CR is never a formula: CSV gets a leading `'`
(indicators.inert_text.csv_cell, read back as the original by the importer), xlsx a string cell.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from indicators.inert_text import csv_cell

CSV_ENCODING = "utf-8-sig"  # with BOM: Excel then opens Chinese text correctly


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell that a spreadsheet would evaluate marked as text (for CSV)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(csv_cell).astype(object)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with BOM), inert."""
    buffer = io.StringIO()
    inert_frame(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode(CSV_ENCODING)


def write_csv(frame: pd.DataFrame, out: Path) -> None:
    out.write_bytes(csv_bytes(frame))


def first_sheet(book: Workbook, title: str) -> Worksheet:
    """A new workbook's first sheet, named `title`."""
    sheet = book.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook's first sheet is a worksheet")
    sheet.title = title
    return sheet


def cell_value(value: Any) -> Any:
    """A value as openpyxl should store it: NaN/NA → empty, numpy scalars → Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def append_row(sheet: Worksheet, values: Sequence[Any] | Iterable[Any], *, bold: bool = False) -> None:
    """Append one row; text is always a string cell (openpyxl would make '=…' a live formula)."""
    sheet.append([cell_value(v) for v in values])
    row = sheet.max_row
    for cell in sheet[row]:
        if isinstance(cell, Cell) and isinstance(cell.value, str):
            cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)


def write_sheet(sheet: Worksheet, frame: pd.DataFrame, *, bold_header: bool = True) -> None:
    """The frame's header and rows into `sheet`, inert."""
    append_row(sheet, [str(c) for c in frame.columns], bold=bold_header)
    for record in frame.itertuples(index=False):
        append_row(sheet, record)


def titled_csv_bytes(title_lines: Sequence[str], frame: pd.DataFrame) -> bytes:
    """A chart's data as CSV: its title lines (title, unit, data as of and source, clause) one a row, a blank row,
    then the table; every text cell inert."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for line in title_lines:
        writer.writerow([csv_cell(line)])
    buffer.write("\n")
    inert_frame(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode(CSV_ENCODING)


def titled_sheet(sheet: Worksheet, title_lines: Sequence[str], frame: pd.DataFrame) -> None:
    """The title lines (the first bold), a blank row, then the table with a bold header; inert."""
    for number, line in enumerate(title_lines):
        append_row(sheet, [line], bold=number == 0)
    append_row(sheet, [])
    write_sheet(sheet, frame)


def titled_xlsx_bytes(tables: Sequence[tuple[str, Sequence[str], pd.DataFrame]]) -> bytes:
    """One sheet per (sheet name, title lines, table), in order."""
    book = Workbook()
    used: set[str] = set()
    for number, (name, lines, frame) in enumerate(tables):
        unique = name
        while unique in used:  # two charts of one name (one indicator, two regions) keep both sheets
            unique = f"{name[:27]}_{len(used)}"
        used.add(unique)
        sheet = first_sheet(book, unique) if number == 0 else book.create_sheet(unique)
        titled_sheet(sheet, lines, frame)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
