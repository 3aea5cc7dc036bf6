"""The caps a spreadsheet upload is read under, and the per-sheet area bounds the guards hand to the reader.

Shared by the reader (loaders.read.workbook), loaders.read.file_format and the guards (loaders.read.guards).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loaders.read import xlsx_parts

# ---------------------------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------------------------

MIB = 1024 * 1024
MAX_FILE_BYTES = 50 * MIB  # the upload itself; matches Streamlit's maxUploadSize
MAX_UNCOMPRESSED_BYTES = 512 * MIB  # all members of an xlsx/ods together, as declared in the zip directory
MAX_COMPRESSION_RATIO = 100  # per member; real workbooks stay under ~30:1, zip bombs are 1000:1 and more
RATIO_CHECK_MIN_BYTES = 1 * MIB  # smaller members may compress extremely well and still be harmless
MAX_ZIP_MEMBERS = 10_000  # a workbook has tens of members; thousands means something else
MAX_CELLS = 5_000_000  # one sheet (rows × columns of its used area); ~200 MB as Python objects
MAX_WORKBOOK_CELLS = 20_000_000  # all sheets read from one file together
MAX_ODS_SPACES = 10_000_000  # ODS <text:s text:c="N"/> expands to N spaces inside calamine
ZIP_CHUNK_BYTES = 1 * MIB  # decompression step while checking members
SMALL_XML_MAX_BYTES = 20 * MIB  # workbook.xml, rels, [Content_Types].xml: parsed whole
SNIFF_BYTES = 4096  # how much of a text file decides "HTML or CSV"
TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".tsv", ".tab"})
ACCEPTED_HINT_ZH = "请上传 .xlsx、.xlsm、.xls、.ods 或 .csv 格式的表格文件。"
ACCEPTED_HINT_EN = "Upload an .xlsx, .xlsm, .xls, .ods or .csv spreadsheet."


@dataclass(frozen=True)
class ReadLimits:
    """Caps applied while reading; tests shrink them to exercise the guards with small files."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_compression_ratio: float = MAX_COMPRESSION_RATIO
    max_cells: int = MAX_CELLS
    max_workbook_cells: int = MAX_WORKBOOK_CELLS


DEFAULT_LIMITS = ReadLimits()


@dataclass
class Extents:
    """Upper bounds (rows, cols) of the area calamine will allocate for each sheet.

    Keyed by sheet name, or (xls) by the sheet's position in the workbook; `fallback`, the largest
    bound of all, covers any sheet that could not be matched.
    """

    by_sheet: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_position: list[tuple[int, int]] = field(default_factory=list)
    fallback: tuple[int, int] = (0, 0)
    long_sheets: dict[str, xlsx_parts.PieceReader] = field(default_factory=dict)  # xlsx sheets parsed in pieces

    def abandon_pieces(self) -> None:
        for reader in self.long_sheets.values():
            reader.abandon()

    def of(self, sheet: str, position: int, n_sheets: int) -> tuple[int, int]:
        if sheet in self.by_sheet:
            return self.by_sheet[sheet]
        if len(self.by_position) == n_sheets:
            return self.by_position[position]
        return self.fallback
