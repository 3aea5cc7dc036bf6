"""The shape of a sheet before anyone asks what its labels mean.

Statistical tables put a title block above the table (Chinese title, English title, a unit line such as
"单位：万吨标准煤"), a header that may span several merged, bilingual rows, label columns on the left
(Chinese, English, codes), data rows with section headings and wrapped English continuation lines, and
footnotes ("注：…", "Note: …") below. This module finds those parts from the cells alone; which labels are
indicators, regions or years is decided in `loaders.layouts` with the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.errors import cell_name
from loaders.matching import COUNT_UNITS, label_unit, looks_like_code
from loaders.normalise import is_known_unit, is_missing, nfkc, normalise_text, parse_number, parse_unit_line, parse_year
from loaders.read import CellValue, Sheet

SCAN_ROWS = 40  # the header is looked for this far below the title block (NBS headers span up to 7 rows)
MIN_YEAR_COLUMNS = 1  # a header row needs this many year cells to make the columns years (one: see _labels_above)
YEAR_LIKE_RANGE = (1000, 2999)  # four-digit numbers read as (possibly out-of-range) years in a year header
LABEL_TEXT_SHARE = 0.5  # a column is a label column when at least this share of its data cells is text
CODE_SHARE = 0.8  # … or this share are administrative codes
CODE_HEADER = re.compile(r"代码|区划|code", re.IGNORECASE)
_YEAR_LIKE = re.compile(r"(?:[A-Za-z]\s?)?(\d{4})(?:\.0+)?\s*(?:年度?|年末|年底)?")
_NOTE_LINE = re.compile(r"(?:注|附注|说明|资料来源|数据来源|来源|notes?|sources?)\s*[:：\d①]|[①②③④⑤＊*]", re.IGNORECASE)
MAX_NOTE_CELLS = 2  # a footnote line is one merged cell (sometimes with a stray second one)


def blank(value: CellValue) -> bool:
    """An empty cell: None, or text of spaces only."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_number(value: CellValue) -> bool:
    """A number, or text that reads as one ('-677.22', '1,234', '12.3%'); missing markers are not numbers."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return True
    if not isinstance(value, str) or is_missing(value):
        return False
    try:
        return parse_number(value) is not None
    except ValueError:
        return False


def is_text(value: CellValue) -> bool:
    return isinstance(value, str) and not blank(value) and not is_number(value) and not is_missing(value)


def year_like(value: CellValue) -> int | None:
    """The year a header cell spells (2021, 2021.0, '2021', '2021年', 'C2021'), in range or not; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        year = value
    elif isinstance(value, str):
        match = _YEAR_LIKE.fullmatch(nfkc(value).strip())
        if not match:
            return None
        year = int(match.group(1))
    else:
        return None
    return year if YEAR_LIKE_RANGE[0] <= year <= YEAR_LIKE_RANGE[1] else None


def is_note_line(cells: list[CellValue]) -> bool:
    """A footnote row: one or two cells, the first starting with 注/Note/资料来源/① …"""
    filled = [c for c in cells if not blank(c)]
    return 0 < len(filled) <= MAX_NOTE_CELLS and isinstance(filled[0], str) and bool(_NOTE_LINE.match(nfkc(filled[0]).strip()))


@dataclass
class Structure:
    """Where the parts of one sheet are. Rows and columns are 0-based; `data_end` is exclusive."""

    sheet: Sheet
    titles: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of the title block
    unit_line: tuple[str, str] | None = None  # (unit, A1 cell) from "单位：…" above the table
    header_rows: list[int] = field(default_factory=list)
    year_header: int | None = None  # the header row whose cells are years, if the columns are years
    year_cols: dict[int, int] = field(default_factory=dict)  # column → year it stands for (may be out of range)
    label_cols: list[int] = field(default_factory=list)
    value_cols: list[int] = field(default_factory=list)
    data_start: int = 0
    data_end: int = 0
    col_headers: dict[int, list[str]] = field(default_factory=dict)  # column → its header texts, top down
    col_units: dict[int, tuple[str, str]] = field(default_factory=dict)  # column → (unit, A1 cell) from the header

    @property
    def title_text(self) -> str:
        return " ".join(text for _, text in self.titles)


def analyse(sheet: Sheet) -> Structure:
    """Find title block, header, label and value columns, data rows and footnotes of a sheet."""
    rows = sheet.rows
    found = Structure(sheet)
    start = _title_block(rows, found)
    year_row = _year_header_row(rows, start)
    if year_row is not None:
        found.year_header = year_row
        found.year_cols = {c: y for c, v in enumerate(rows[year_row]) if (y := year_like(v)) is not None}
        first_year_col = min(found.year_cols)
        found.data_start = _first_row_with_numbers(rows, year_row + 1, list(found.year_cols))
        found.header_rows = [r for r in range(start, found.data_start) if any(not blank(v) for v in rows[r])]
        found.value_cols = sorted(found.year_cols)
        found.label_cols = [c for c in range(first_year_col) if _column_has_content(rows, c, found.data_start, len(rows))]
    else:
        found.data_start = _first_row_with_numbers(rows, start, None)
        found.header_rows = [r for r in range(start, found.data_start) if any(not blank(v) for v in rows[r])]
    found.data_end = _footnote_start(rows, found)
    if year_row is None:
        found.label_cols, found.value_cols = _label_and_value_columns(rows, found)
    found.col_headers = _column_headers(sheet, found.header_rows)
    found.col_units = _column_units(found)
    return found


def _title_block(rows: list[list[CellValue]], found: Structure) -> int:
    """Skip title lines, English titles and unit lines at the top; return the first row of the table."""
    for r, row in enumerate(rows[:SCAN_ROWS]):
        filled = [(c, v) for c, v in enumerate(row) if not blank(v)]
        units = [(c, u) for c, v in filled if (u := parse_unit_line(normalise_text(v) if isinstance(v, str) else v))]
        if units:
            if found.unit_line is None:
                found.unit_line = (units[0][1], cell_name(r, units[0][0]))
            continue
        if not filled:
            continue
        if len(filled) == 1 and is_text(filled[0][1]):
            found.titles.append((r, normalise_text(filled[0][1])))
            continue
        return r
    return min(len(rows), SCAN_ROWS)


def _year_header_row(rows: list[list[CellValue]], start: int) -> int | None:
    """The first row whose numbers are all years (two or more), unless it sits under a header of its own."""
    previous: list[CellValue] | None = None
    for r in range(start, min(start + SCAN_ROWS, len(rows))):
        row = rows[r]
        years = {c: y for c, v in enumerate(row) if (y := year_like(v)) is not None}
        others = sum(1 for c, v in enumerate(row) if c not in years and is_number(v))
        is_header = len(years) >= MIN_YEAR_COLUMNS and others == 0
        if is_header and (previous is None or not _labels_above(previous, years)):
            return r
        if any(not blank(v) for v in row):
            previous = row
        if others:  # data has begun without a year header
            return None
    return None


def _labels_above(previous: list[CellValue], years: dict[int, int]) -> bool:
    """Whether the row above names the would-be year columns one by one (then those 'years' are data: 1234 家 under
    a header '国家高新技术企业数量'). A lone year is data as soon as any text stands above it."""
    texts = [previous[c] for c in years if c < len(previous) and is_text(previous[c])]
    return len(texts) * 2 >= len(years) and (len(set(texts)) >= 2 or len(years) == 1)


def _first_row_with_numbers(rows: list[list[CellValue]], start: int, cols: list[int] | None) -> int:
    for r in range(start, len(rows)):
        cells = rows[r] if cols is None else [rows[r][c] for c in cols]
        if any(is_number(v) for v in cells):
            return r
    return len(rows)


def _column_has_content(rows: list[list[CellValue]], col: int, start: int, end: int) -> bool:
    return any(not blank(rows[r][col]) for r in range(start, end))


def _footnote_start(rows: list[list[CellValue]], found: Structure) -> int:
    """The first footnote row after the data began; every row from there is a note, not data."""
    for r in range(found.data_start, len(rows)):
        if is_note_line(rows[r]):
            return r
    return len(rows)


def _label_and_value_columns(rows: list[list[CellValue]], found: Structure) -> tuple[list[int], list[int]]:
    """Leading text (or code) columns are labels; the columns after them with numbers are values."""
    width = len(rows[0]) if rows else 0
    body = range(found.data_start, found.data_end)
    labels: list[int] = []
    for c in range(width):
        cells = [rows[r][c] for r in body if not blank(rows[r][c])]
        if not cells:
            continue
        header = " ".join(str(rows[r][c]) for r in found.header_rows if not blank(rows[r][c]))
        texts = sum(1 for v in cells if is_text(v))
        codes = sum(1 for v in cells if looks_like_code(v))
        years = sum(1 for v in cells if parse_year(v) is not None)
        is_code_column = codes >= CODE_SHARE * len(cells) and (CODE_HEADER.search(header) or not labels)
        is_year_column = years >= CODE_SHARE * len(cells) and not labels  # rows are years ('sum' sheets)
        if texts >= LABEL_TEXT_SHARE * len(cells) or is_code_column or is_year_column:
            labels.append(c)
            continue
        break
    first_value = (max(labels) + 1) if labels else 0
    values = [c for c in range(first_value, width) if any(is_number(rows[r][c]) for r in body)]
    return labels, values


def _column_headers(sheet: Sheet, header_rows: list[int]) -> dict[int, list[str]]:
    """Each column's header texts, top down; a cell merged across columns counts for every column it spans."""
    rows = sheet.rows
    width = len(rows[0]) if rows else 0
    grid = {r: list(rows[r]) for r in header_rows}
    for merged in sheet.merged:
        for r in range(merged.first_row, merged.last_row + 1):
            if r in grid and merged.first_col < merged.last_col and merged.first_row == r:
                for c in range(merged.first_col + 1, min(merged.last_col, width - 1) + 1):
                    if blank(grid[r][c]):
                        grid[r][c] = rows[r][merged.first_col]
    headers: dict[int, list[str]] = {}
    for c in range(width):
        texts = [normalise_text(grid[r][c]) for r in header_rows if not blank(grid[r][c])]
        if texts:
            headers[c] = texts
    return headers


def _column_units(found: Structure) -> dict[int, tuple[str, str]]:
    """A unit written in a column's header ('(万吨)', 'Mt CO2', '比重(%)')."""
    units: dict[int, tuple[str, str]] = {}
    rows = found.sheet.rows
    for c in found.value_cols:
        for r in found.header_rows:
            value = rows[r][c]
            if blank(value) or not isinstance(value, str):
                continue
            unit = label_unit(value)
            if unit and (is_known_unit(unit) or unit in COUNT_UNITS):
                units[c] = (unit, cell_name(r, c))
                break
    return units


def in_range_year(year: int) -> bool:
    return parse_year(year) is not None
