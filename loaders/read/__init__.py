"""File → cells: read an uploaded spreadsheet into plain Python values, refusing hostile files first.

Formats (decided by content, never by extension): xlsx, xlsm, xls, ods through python-calamine;
csv/txt in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK/GB18030. Formula cells come back as their
cached values. Empty cells are None, and so are error cells (#N/A, #DIV/0!) and formulas without a
cached value, which calamine returns as empty. Nothing from the file is rendered or executed.

Every refusal is a LoaderError naming the file, in Chinese and English, with what to do about it.
The guards run before python-calamine sees the bytes, because calamine allocates a dense
rectangle per sheet and *aborts the process* (it cannot raise) when that allocation fails: a 5 KB
workbook with one cell at XFD1048576 would otherwise take the whole server down.

Why a room of its own: everything between an upload's bytes and a Workbook of cells, and nothing about what
the cells mean (that is loaders.layouts). Where the parts live: the caps in `limits`, the refusals in
`refusals`, bytes and format detection in `file_format`, the guards per container in `guards` (zip, xlsx,
ods, ole2), text decoding and delimiter sniffing in `text_table`, long xlsx sheets parsed in pieces in
`xlsx_parts`, and the cells themselves in `workbook`. Import from here, not from the parts.
"""

from __future__ import annotations

from loaders.read.file_format import detect_format
from loaders.read.limits import DEFAULT_LIMITS, MAX_FILE_BYTES, ZIP_CHUNK_BYTES, ReadLimits
from loaders.read.text_table import sniff_delimiter
from loaders.read.workbook import CellValue, MergedRange, Sheet, Workbook, gc_paused, read_sheet, read_workbook

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_FILE_BYTES",
    "ZIP_CHUNK_BYTES",
    "CellValue",
    "MergedRange",
    "ReadLimits",
    "Sheet",
    "Workbook",
    "detect_format",
    "gc_paused",
    "read_sheet",
    "read_workbook",
    "sniff_delimiter",
]
