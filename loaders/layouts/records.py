"""Record tables, read column-wise: the long template, tables with a region column and a year column, and tables
of values without a year (or region) column that their sheet's name gives ("2021", "天津").

The template is the one layout that runs to hundreds of thousands of rows, so its columns are taken out
of the sheet at C speed (operator.itemgetter) and coded once (`loaders.columns.Coded`); validation then
works per distinct value.
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np
import pandas as pd

from indicators.catalogue import match_key
from loaders.columns import Coded, code_rows, objects, of_type
from loaders.columns import frame as object_frame
from loaders.errors import Problem, cell_name
from loaders.layouts.rawtable import RAW_COLUMNS, Hint, RawTable, Skip, display, hint_cell, mapped, no_dimension
from loaders.layouts.structure import blank, is_note_line, is_number
from loaders.matching import Matcher
from loaders.overrides import Overrides
from loaders.read import CellValue, Sheet
from loaders.template import HEADER_FIELDS, HEADER_SEARCH_ROWS

RECORD_FIELDS: dict[str, str] = {
    **HEADER_FIELDS, "city": "region", "城市": "region", "省份": "region", "province": "region", "county": "region",
    "区县": "region", "地区名称": "region", "行政区划代码": "region", "年": "year", "统计年度": "year",
}

SHEET_DIMENSIONS = ("region", "year")  # what a record table may leave to its sheet's name ("2021", "天津") or --year/--region


def _header_fields(row: list[CellValue]) -> dict[str, int]:
    fields: dict[str, int] = {}
    for c, cell in enumerate(row):
        name = RECORD_FIELDS.get(match_key(str(cell))) if isinstance(cell, str) else None
        if name and name not in fields:
            fields[name] = c
    return fields


def records_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(header row, field → column) for a header naming a region column and a year column."""
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        fields = _header_fields(row)
        if "region" in fields and "year" in fields:
            return r, fields
    return None


def sheet_records_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(header row, field → column) for a record table without a region or a year column: a 数值 column beside
    地区/指标/年份 columns (地区, 指标, 数值, 单位 on a sheet named "2021"; 指标, 年份, 数值, 单位 on a sheet named
    "天津"). The missing region or year is the sheet's (see `sheet_dimensions`); `records_header` is tried first."""
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        fields = _header_fields(row)
        if "value" in fields and any(d in fields for d in ("region", "indicator", "year")) \
                and any(d not in fields for d in SHEET_DIMENSIONS):
            return r, fields
    return None


def sheet_dimensions(cols: dict[str, int]) -> tuple[str, ...]:
    """The dimensions a record table with these columns takes from its sheet (its name, else --region/--year)."""
    return tuple(d for d in SHEET_DIMENSIONS if d not in cols)


def _records_end(rows: list[list[CellValue]], header_row: int) -> int:
    """Exclusive end of the records: trailing blank rows and footnotes are not records."""
    end = len(rows)
    while end > header_row + 1 and (all(blank(v) for v in rows[end - 1]) or is_note_line(rows[end - 1])):
        end -= 1
    return end


class _Columns:
    """The records' columns, each taken out of the rows at C speed (operator.itemgetter) when first asked for."""

    def __init__(self, rows: list[list[CellValue]]) -> None:
        self._rows = rows
        self._taken: dict[int, list[CellValue]] = {}

    def __getitem__(self, col: int) -> list[CellValue]:
        if col not in self._taken:
            self._taken[col] = list(map(itemgetter(col), self._rows))
        return self._taken[col]


# Text fields are coded together: their distinct combinations are few (see loaders.columns.code_rows).
TEXT_FIELDS = ("region", "indicator", "unit", "status", "source", "note")
RAW_FIELD_COLUMNS = {"region": "region_text", "indicator": "indicator_text", "year": "year_raw", "month": "month_raw",
                     "unit": "unit", "status": "status_raw", "source": "source_raw", "note": "note_raw"}


def read_records(file: str, sheet: Sheet, header_row: int, cols: dict[str, int], matcher: Matcher, overrides: Overrides,
             context: dict[str, Hint], *, layout: str) -> RawTable:
    """One record per (row, value column); column-wise, because templates run to hundreds of thousands of rows."""
    rows = sheet.rows
    strict = layout == "long_template"
    table = RawTable(sheet.name, layout, strict=strict, field_cols=dict(cols), context=context)
    end = _records_end(rows, header_row)
    body = rows[header_row + 1:end]
    columns = _Columns(body)
    n = len(body)
    value_cols = _record_value_columns(file, sheet, header_row, cols, columns, matcher, overrides, context, table)
    if not value_cols:
        return table
    text_fields = [f for f in cols if f in TEXT_FIELDS]
    coded = dict(zip(text_fields, code_rows(body, [cols[f] for f in text_fields]), strict=True))
    coded |= {f: Coded.of(columns[c]) for f, c in cols.items() if f in RAW_FIELD_COLUMNS and f not in TEXT_FIELDS}
    key_fields = [f for f in ("region", "indicator", "year", "unit", "month") if f in coded]
    keys_blank = np.logical_and.reduce([coded[f].blank() for f in key_fields]) if key_fields else np.ones(n, bool)
    unit_hint = context.get("unit")
    frames = []
    for value_col, indicator in value_cols.items():
        values = objects(columns[value_col])
        value_blank = blank_values(values)
        keep = ~(keys_blank & value_blank) if strict else ~value_blank
        if not strict:
            table.missing += int((~keys_blank & value_blank).sum())
        kept = {RAW_FIELD_COLUMNS[f]: c.take(keep) for f, c in coded.items()}
        m = int(keep.sum())

        def raw(name: str, kept: dict[str, Coded] = kept) -> object:
            return kept[name].values() if name in kept else None

        frame = object_frame({
            "region_id": context["region"].value if "region" not in cols and "region" in context else None,
            "region_text": raw("region_text"),
            "indicator_id": indicator, "indicator_text": raw("indicator_text") if indicator is None else None,
            "year": _constant_years(context["year"].value if "year" not in cols and "year" in context else None, m),
            "year_raw": raw("year_raw"), "month_raw": raw("month_raw"), "value_raw": values[keep],
            "unit": raw("unit") if "unit" in cols else (unit_hint.value if unit_hint else None),
            "unit_cell": None if "unit" in cols or unit_hint is None else hint_cell(unit_hint),
            "status_raw": raw("status_raw"), "source_raw": raw("source_raw"), "note_raw": raw("note_raw"),
            "row": np.arange(header_row + 1, header_row + 1 + n, dtype="int64")[keep], "col": np.full(m, value_col, dtype="int64"),
        }, m, RAW_COLUMNS)
        frames.append((frame, kept))
    if len(frames) == 1:
        table.frame, table.coded = frames[0]
    else:
        table.frame = pd.concat([f for f, _ in frames], ignore_index=True)
    if table.frame.empty and not table.problems:
        table.problems.append(Problem(file, sheet.name, None, "表中只有表头，没有数据行。", "The sheet has a header but no data rows.",
                                      "请在表头下方逐行填写数据。"))
    return table


def _constant_years(year: object, n: int) -> pd.arrays.IntegerArray:
    """n copies of a year given by the context (or n missing years), built without a Python list of n items."""
    missing = year is None
    return pd.arrays.IntegerArray(np.full(n, 0 if missing else int(str(year)), dtype="int64"), np.full(n, missing))


def blank_values(values: np.ndarray) -> np.ndarray:
    """Blank cells of a value column, which is mostly numbers: only its text cells are looked at one by one."""
    text = of_type(values, str)
    blank = pd.isna(values)
    if text.any():
        blank[text] = [not v.strip() for v in values[text]]
    return blank


def _record_value_columns(file: str, sheet: Sheet, header_row: int, cols: dict[str, int], columns: _Columns,
                          matcher: Matcher, overrides: Overrides, context: dict[str, Hint], table: RawTable) -> dict[int, str | None]:
    """Value column → its indicator (None: read from the 指标 column)."""
    if "value" in cols:
        if "indicator" in cols:
            return {cols["value"]: None}
        if "indicator" in context:
            return {cols["value"]: str(context["indicator"].value)}
        table.problems.append(no_dimension(file, sheet, "indicator", "表中没有“指标”列"))
        return {}
    header = sheet.rows[header_row]
    found: dict[int, str | None] = {}
    unmatched: list[int] = []
    used = set(cols.values())
    for c, cell in enumerate(header):
        if c in used or not any(is_number(v) for v in columns[c][:HEADER_SEARCH_ROWS * 5]):
            continue
        indicator = mapped(cell, overrides) or matcher.indicator(cell)
        if indicator:
            found[c] = indicator
        else:
            unmatched.append(c)
    if not found and len(unmatched) == 1 and "indicator" in context:
        found[unmatched[0]] = str(context["indicator"].value)
        unmatched = []
    if unmatched:
        table.skipped.append(Skip("列标题不是目录中的指标", "column headers that are not catalogue indicators",
                                  [display(header[c]) or cell_name(header_row, c) for c in unmatched]))
    if not found:
        names = "、".join(display(header[c]) for c in unmatched) or "无"
        table.problems.append(Problem(
            file, sheet.name, cell_name(header_row, cols["region"]),
            f"表中有地区列和年份列，但数值列（{names}）都不是目录中的指标。",
            "The table has region and year columns but no value column is a catalogue indicator.",
            "请用 --indicator 指定该表的指标（如 --indicator 二氧化碳排放量），或改用模板（python -m loaders template）。"))
    return found

