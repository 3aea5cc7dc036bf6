"""The cells: an upload's bytes, once its format is known and the guards have bounded every sheet, read with
python-calamine (or the csv module for text) into a Workbook of Sheets.

The result types (CellValue, MergedRange, Sheet, Workbook) and the entry points (read_workbook, read_sheet)
are here; the package's face, loaders.read, names them.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from loaders.errors import LoaderError, safe_file_label
from loaders.read import xlsx_parts
from loaders.read.file_format import detect_format, read_file_bytes
from loaders.read.guards.ods import guard_ods
from loaders.read.guards.ole2 import guard_xls
from loaders.read.guards.xlsx import guard_xlsx
from loaders.read.guards.zip import check_zip_directory, open_zip
from loaders.read.limits import DEFAULT_LIMITS, Extents, ReadLimits
from loaders.read.refusals import calamine_call, corrupt, empty_workbook, missing_sheet, refuse, refuse_if_missing, too_many_cells
from loaders.read.text_table import decode_text, sniff_delimiter

# ---------------------------------------------------------------------------------------------------------------
# Result types
# ---------------------------------------------------------------------------------------------------------------

CellValue = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None


@dataclass(frozen=True)
class MergedRange:
    """A merged block, 0-based and inclusive: (0, 0, 0, 9) is A1:J1."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class Sheet:
    """One sheet's cells. rows[r][c] is the cell at 0-based (r, c); every row has n_cols cells.

    Row and column indices match the spreadsheet (rows[6][2] is C7): leading empty rows and columns are
    kept; trailing ones are trimmed.
    """

    name: str
    rows: list[list[CellValue]]
    merged: tuple[MergedRange, ...] = ()
    visible: bool = True

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def cell(self, row: int, col: int) -> CellValue:
        """The value at 0-based (row, col); None outside the used area."""
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def is_empty(self) -> bool:
        """True when no cell holds anything but blanks."""
        return not any(_has_content(v) for row in self.rows for v in row)


@dataclass
class Workbook:
    """A file's sheets as read. `available_sheets` lists every worksheet in the file, read or not."""

    file_name: str
    sha256: str
    format: str
    sheets: list[Sheet]
    available_sheets: tuple[str, ...] = ()

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def sheet(self, name: str) -> Sheet:
        """The sheet called `name`; a LoaderError listing the sheets there are if it is missing."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise missing_sheet(self.file_name, name, self.available_sheets or tuple(self.sheet_names))


# ---------------------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------------------


def read_workbook(
    path: Path | str,
    *,
    display_name: str | None = None,
    sheet_names: Sequence[str] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Workbook:
    """Read a spreadsheet file into a Workbook, or raise LoaderError saying why it cannot be read.

    display_name: the name the user knows the file by (an upload's original name); defaults to the
    path's name and is reduced to a safe base name. sheet_names: read only these worksheets (each must
    exist); default all. Writes nothing anywhere.
    """
    path = Path(path)
    label = safe_file_label(display_name or path.name)
    data = read_file_bytes(path, label, limits)
    try:
        fmt = detect_format(data, display_name or path.name, label=label)
        if fmt == "csv":
            sheet = _read_text_table(data, label, limits)
            refuse_if_missing(label, sheet_names, (sheet.name,))
            sheets, available = [sheet], tuple[str, ...]((sheet.name,))
        else:
            extents = _guard_container(data, fmt, label, limits, sheet_names)
            try:
                sheets, available = _read_with_calamine(data, label, extents, limits, sheet_names)
            finally:
                extents.abandon_pieces()  # pieces of a sheet not read (an error came first) are not waited for
    except (LoaderError, MemoryError):
        raise
    except Exception as exc:  # a structure none of the checks foresaw: still a clear refusal, never a traceback
        raise corrupt(label, type(exc).__name__) from exc
    if all(s.is_empty() for s in sheets):
        raise empty_workbook(label, sheet_names)
    return Workbook(label, hashlib.sha256(data).hexdigest(), fmt, sheets, available)


def read_sheet(
    path: Path | str, sheet_name: str, *, display_name: str | None = None, limits: ReadLimits = DEFAULT_LIMITS,
) -> Sheet:
    """Read one worksheet (for xlsx only that sheet is parsed; xls and ods are parsed whole by calamine)."""
    return read_workbook(path, display_name=display_name, sheet_names=[sheet_name], limits=limits).sheets[0]


# ---------------------------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------------------------


def _guard_container(data: bytes, fmt: str, label: str, limits: ReadLimits, wanted: Sequence[str] | None = None) -> Extents:
    """Check the container and bound each sheet's area before calamine allocates it."""
    if fmt == "xls":
        return guard_xls(data, label, limits)
    archive = open_zip(data, label)
    check_zip_directory(archive, label, limits)
    if fmt == "ods":
        return guard_ods(archive, label, limits)
    return guard_xlsx(archive, label, limits, wanted)


# ---------------------------------------------------------------------------------------------------------------
# Reading cells with calamine
# ---------------------------------------------------------------------------------------------------------------


def _read_with_calamine(
    data: bytes, label: str, extents: Extents, limits: ReadLimits, wanted: Sequence[str] | None,
) -> tuple[list[Sheet], tuple[str, ...]]:
    book = calamine_call(label, lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)))
    assert isinstance(book, CalamineWorkbook)
    metadata = list(book.sheets_metadata)
    worksheets = [m for m in metadata if m.typ == SheetTypeEnum.WorkSheet]
    available = tuple(m.name for m in worksheets)
    if not worksheets:
        raise refuse(label, "工作簿中没有普通工作表（只有图表或宏表）。", "The workbook has no worksheets.",
                     "请把数据放在普通工作表中。", "Put the data on an ordinary worksheet.")
    refuse_if_missing(label, wanted, available)
    sheets: list[Sheet] = []
    total = 0
    for position, meta in enumerate(metadata):
        if meta.typ != SheetTypeEnum.WorkSheet or (wanted is not None and meta.name not in wanted):
            continue
        rows, cols = extents.of(meta.name, position, len(metadata))
        if rows * cols > limits.max_cells:
            raise too_many_cells(label, meta.name, rows, cols, limits.max_cells)
        pieces = extents.long_sheets.get(meta.name)
        sheet = (pieces and _read_in_pieces(pieces, meta.name, label, limits)) or _read_calamine_sheet(book, meta.name, label, limits)
        sheet.visible = meta.visible == SheetVisibleEnum.Visible
        total += sheet.n_rows * sheet.n_cols
        if total > limits.max_workbook_cells:
            raise refuse(label, f"工作簿过大：所读工作表共超过 {limits.max_workbook_cells:,} 个单元格。",
                         f"The workbook is too large: the sheets read exceed {limits.max_workbook_cells:,} cells.",
                         "请只选择需要导入的工作表，或拆分文件。", "Choose only the sheets to import, or split the file.")
        sheets.append(sheet)
    return sheets, available


def _read_calamine_sheet(book: CalamineWorkbook, name: str, label: str, limits: ReadLimits) -> Sheet:
    raw = calamine_call(label, lambda: book.get_sheet_by_name(name))
    end = raw.end  # type: ignore[attr-defined]
    if end is None:
        return Sheet(name, [])
    rows, cols = end[0] + 1, end[1] + 1
    if rows * cols > limits.max_cells:  # second line of defence, before Python objects are made
        raise too_many_cells(label, name, rows, cols, limits.max_cells)
    with gc_paused():
        cells = calamine_call(label, lambda: raw.to_python(skip_empty_area=False))  # type: ignore[attr-defined]
        table = _tidy(cells)  # type: ignore[arg-type]
    merged = _merged_ranges(raw.merged_cell_ranges, len(table), len(table[0]) if table else 0)  # type: ignore[attr-defined]
    return Sheet(name, table, merged)


def _read_in_pieces(pieces: xlsx_parts.PieceReader, name: str, label: str, limits: ReadLimits) -> Sheet | None:
    """A long sheet parsed in pieces on several cores (loaders.read.xlsx_parts); None where it must be read whole."""
    parts = pieces.parts()
    if parts is None:
        return None
    last: list[CalamineSheet] = []

    def remembered(parts: Iterator[CalamineSheet]) -> Iterator[CalamineSheet]:
        for part in parts:
            last[:] = [part]
            yield part

    def to_python(part: CalamineSheet) -> list[list[object]]:
        # blanks → None piece by piece, while later pieces are still being parsed
        return _blanks_to_none(calamine_call(label, lambda: part.to_python(skip_empty_area=True)))  # type: ignore[arg-type,return-value]

    def check(rows: int, cols: int) -> None:  # second line of defence, as for a sheet read whole
        if rows * cols > limits.max_cells:
            raise too_many_cells(label, name, rows, cols, limits.max_cells)

    with gc_paused():
        cells = xlsx_parts.assemble(remembered(parts), to_python, check)
        if cells is None:
            return None
        table = _tidy(cells, blanks_are_none=True)  # type: ignore[arg-type]
    # merged cells are listed after the rows, so only the last piece has them
    merged = _merged_ranges(last[0].merged_cell_ranges, len(table), len(table[0]) if table else 0) if last else ()
    return Sheet(name, table, merged)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building or holding millions of lists that hold no cycles.

    Otherwise each collection re-walks the growing table: ~30% of the conversion time, and later full
    collections stall whatever step happens to run. (Objects without cycles are freed by reference counting anyway.)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _has_content(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _blanks_to_none(rows: list[list[CellValue]]) -> list[list[CellValue]]:
    """'' → None in place (the lists are calamine's fresh ones): a row is searched at C speed, most have one or two."""
    for row in rows:
        while "" in row:
            row[row.index("")] = None
    return rows


def _tidy(rows: list[list[CellValue]], *, blanks_are_none: bool = False) -> list[list[CellValue]]:
    """Empty strings → None (unless done already); trailing empty rows and columns dropped; rows padded to one width."""
    out = rows if blanks_are_none else _blanks_to_none(rows)
    while out and not any(v is not None for v in out[-1]):
        out.pop()
    if not out:
        return []
    width = max(map(len, out))
    while width and all(len(row) < width or row[width - 1] is None for row in out):
        width -= 1
    if min(map(len, out)) == max(map(len, out)) == width:
        return out
    return [row[:width] if len(row) >= width else row + [None] * (width - len(row)) for row in out]


def _merged_ranges(raw: object, n_rows: int, n_cols: int) -> tuple[MergedRange, ...]:
    """calamine's ((r1, c1), (r2, c2)) pairs clipped to the used area; xls files often merge to column IV."""
    ranges = []
    pairs = raw if isinstance(raw, list | tuple) else ()
    for (r1, c1), (r2, c2) in pairs:
        if r1 < n_rows and c1 < n_cols:
            clipped = MergedRange(r1, c1, min(r2, n_rows - 1), min(c2, n_cols - 1))
            if (clipped.first_row, clipped.first_col) != (clipped.last_row, clipped.last_col):
                ranges.append(clipped)
    return tuple(ranges)


# ---------------------------------------------------------------------------------------------------------------
# Text tables (csv, tsv, txt)
# ---------------------------------------------------------------------------------------------------------------


def _read_text_table(data: bytes, label: str, limits: ReadLimits) -> Sheet:
    text = decode_text(data, label)
    delimiter = sniff_delimiter(text)
    name = Path(label).stem or label
    rows: list[list[CellValue]] = []
    cells = 0
    try:
        with gc_paused():
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                cells += max(len(record), 1)
                if cells > limits.max_cells:
                    width = max((len(r) for r in rows), default=len(record))
                    raise too_many_cells(label, name, len(rows) + 1, width, limits.max_cells)
                rows.append(record)  # type: ignore[arg-type]  # str cells; _tidy turns '' into None
            table = _tidy(rows)
    except csv.Error as exc:
        raise refuse(label, f"CSV 格式错误：{exc}", f"Malformed CSV: {exc}",
                     "请检查引号是否成对，或在 Excel 中重新另存为 CSV。", "Check the quotes, or re-save it as CSV.") from None
    return Sheet(name, table)
