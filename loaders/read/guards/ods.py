"""Table area bounds for ods: content.xml expanded the way calamine expands repeated rows and cells."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from loaders.read.guards.zip import feed_xml, iter_member, member_key, safe_expat, verify_member
from loaders.read.limits import MAX_ODS_SPACES, Extents, ReadLimits
from loaders.read.refusals import refuse, too_many_cells

# ---------------------------------------------------------------------------------------------------------------
# ODS
# ---------------------------------------------------------------------------------------------------------------

_ODS_VALUE_ATTRS = ("office:value", "office:string-value", "office:date-value", "office:time-value",
                    "office:boolean-value", "office:value-type", "table:formula")


@dataclass
class _OdsCount:
    """What the parse has counted so far: the table, its rows and widest row, and the current row."""

    table: str = ""
    rows: int = 0
    row_repeat: int = 1
    col: int = 0
    row_width: int = 0
    last_row: int = 0
    width: int = 0
    spaces: int = 0


def _repeat(attrs: dict[str, str], key: str) -> int:
    """A table:number-*-repeated count; calamine fails on non-numbers itself, so those count once here."""
    value = attrs.get(key, "1").strip()
    return int(value) if value.isdigit() and len(value) < 19 else 1


def guard_ods(archive: zipfile.ZipFile, label: str, limits: ReadLimits) -> Extents:
    """Bound each table of content.xml the way calamine expands repeated rows and cells."""
    extents = Extents()
    state = _OdsCount()

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "table:table":
            state.table, state.rows, state.last_row, state.width = attrs.get("table:name", ""), 0, 0, 0
        elif name == "table:table-row":
            state.row_repeat, state.col, state.row_width = _repeat(attrs, "table:number-rows-repeated"), 0, 0
        elif name in ("table:table-cell", "table:covered-table-cell"):
            repeat = _repeat(attrs, "table:number-columns-repeated")
            if any(key in attrs for key in _ODS_VALUE_ATTRS):
                state.row_width = state.col + repeat
            state.col += repeat
        elif name == "text:s":
            state.spaces += _repeat(attrs, "text:c")
            if state.spaces > MAX_ODS_SPACES:
                raise refuse(label, "文件中的文本展开后过大（重复空格数量异常），已拒绝读取。",
                             "Text in the file expands to an abnormal size (repeated spaces).",
                             "请在表格软件中重新保存后再上传。", "Re-save the file in a spreadsheet program.")

    def end(name: str) -> None:
        if name == "table:table-row":
            state.rows += state.row_repeat
            if state.row_width:
                state.last_row = state.rows
                state.width = max(state.width, state.row_width)
        elif name == "table:table":
            rows, cols = state.last_row, state.width
            if rows * cols > limits.max_cells:  # calamine builds every table when it opens the file
                raise too_many_cells(label, state.table, rows, cols, limits.max_cells)
            extents.by_sheet[state.table] = (rows, cols)

    for info in archive.infolist():
        if member_key(info.filename) == "content.xml":
            feed_xml(safe_expat(start, end), iter_member(archive, info, label), label)
        else:
            verify_member(archive, info, label)
    extents.fallback = max(extents.by_sheet.values(), key=lambda rc: rc[0] * rc[1], default=(0, 0))
    return extents
