"""File → cells: read an uploaded spreadsheet into plain Python values, refusing hostile files first.

Formats (decided by content, never by extension): xlsx, xlsm, xls, ods through python-calamine;
csv/txt in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK/GB18030. Formula cells come back as their
cached values. Empty cells are None, and so are error cells (#N/A, #DIV/0!) and formulas without a
cached value, which calamine returns as empty. Nothing from the file is rendered or executed.

Every refusal is a LoaderError naming the file, in Chinese and English, with what to do about it.
The guards run before python-calamine sees the bytes, because calamine allocates a dense
rectangle per sheet and *aborts the process* (it cannot raise) when that allocation fails: a 5 KB
workbook with one cell at XFD1048576 would otherwise take the whole server down.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import gc
import hashlib
import io
import itertools
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from loaders import xlsx_parts
from loaders.errors import LoaderError, safe_file_label

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
FORMATS = ("xlsx", "xlsm", "xls", "ods", "csv")
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
        raise _missing_sheet(self.file_name, name, self.available_sheets or tuple(self.sheet_names))


@dataclass
class _Extents:
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
    data = _read_bytes(path, label, limits)
    try:
        fmt = detect_format(data, display_name or path.name, label=label)
        if fmt == "csv":
            sheet = _read_text_table(data, label, limits)
            _refuse_if_missing(label, sheet_names, (sheet.name,))
            sheets, available = [sheet], (sheet.name,)
        else:
            extents = _guard_container(data, fmt, label, limits, sheet_names)
            try:
                sheets, available = _read_with_calamine(data, label, extents, limits, sheet_names)
            finally:
                extents.abandon_pieces()  # pieces of a sheet not read (an error came first) are not waited for
    except (LoaderError, MemoryError):
        raise
    except Exception as exc:  # a structure none of the checks foresaw: still a clear refusal, never a traceback
        raise _corrupt(label, type(exc).__name__) from exc
    if all(s.is_empty() for s in sheets):
        raise _empty_workbook(label, sheet_names)
    return Workbook(label, hashlib.sha256(data).hexdigest(), fmt, sheets, available)


def read_sheet(
    path: Path | str, sheet_name: str, *, display_name: str | None = None, limits: ReadLimits = DEFAULT_LIMITS,
) -> Sheet:
    """Read one worksheet (for xlsx only that sheet is parsed; xls and ods are parsed whole by calamine)."""
    return read_workbook(path, display_name=display_name, sheet_names=[sheet_name], limits=limits).sheets[0]


# ---------------------------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------------------------


def _refuse(label: str, zh: str, en: str, hint_zh: str = "", hint_en: str = "", *, sheet: str | None = None) -> LoaderError:
    return LoaderError.about_file(label, zh, en, hint_zh, hint_en, sheet=sheet)


def _size(n: int) -> str:
    """Human-readable byte count: '50 MB', '812 KB'."""
    if n >= MIB:
        return f"{n / MIB:.0f} MB" if n % MIB == 0 or n >= 10 * MIB else f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def _corrupt(label: str, detail: str = "") -> LoaderError:
    extra = f" ({detail[:160]})" if detail else ""
    return _refuse(label, "文件已损坏或不完整，无法读取。", f"The file is damaged or incomplete and cannot be read{extra}.",
                   "请重新下载，或在原软件中重新保存后再上传。",
                   "Download it again or re-save it in the program that made it.")


def _not_spreadsheet(label: str, kind_zh: str, kind_en: str, hint_zh: str = ACCEPTED_HINT_ZH,
                     hint_en: str = ACCEPTED_HINT_EN) -> LoaderError:
    space = " " if kind_zh[:1].isascii() else ""  # '这是 PNG 图片' but '这是网页'
    return _refuse(label, f"这是{space}{kind_zh}，不是电子表格文件。", f"This is {kind_en}, not a spreadsheet.", hint_zh, hint_en)


def _encrypted(label: str) -> LoaderError:
    return _refuse(label, "这是加密或受密码保护的工作簿，无法读取。", "The workbook is encrypted or password-protected.",
                   "请先在Excel中取消密码后另存为 .xlsx，再上传。",
                   "Remove the password in Excel, save as .xlsx and upload that.")


def _too_many_cells(label: str, sheet: str, rows: int, cols: int, cap: int) -> LoaderError:
    return _refuse(
        label, f"工作表过大：已用区域 {rows:,} 行 × {cols:,} 列，超过每个工作表 {cap:,} 个单元格的上限。",
        f"The sheet is too large: its used area is {rows:,} rows × {cols:,} columns, over the cap of {cap:,} cells.",
        "请删除无关的行列（包括远处带格式的空单元格），或把数据拆成多个文件。",
        "Delete unrelated rows and columns (including formatted empty cells far away) or split the data.", sheet=sheet)


def _missing_sheet(label: str, name: str, available: Iterable[str]) -> LoaderError:
    names = "、".join(available)
    return _refuse(label, f"工作簿中没有名为“{name}”的工作表（现有：{names}）。", f"There is no sheet named '{name}'.",
                   "请选择现有的工作表。", "Choose one of the existing sheets.")


def _refuse_if_missing(label: str, wanted: Sequence[str] | None, available: Sequence[str]) -> None:
    for name in wanted or ():
        if name not in available:
            raise _missing_sheet(label, name, available)


def _empty_workbook(label: str, wanted: Sequence[str] | None) -> LoaderError:
    if wanted:
        return _refuse(label, "所选工作表是空的，没有任何数据。", "The chosen sheets are empty.",
                       "请确认选择了含有数据的工作表。", "Choose a sheet that holds data.")
    return _refuse(label, "工作簿是空的：所有工作表都没有数据。", "The workbook is empty: no sheet holds any data.",
                   "请确认数据已保存在文件中后再上传。", "Check that the data was saved in the file.")


# ---------------------------------------------------------------------------------------------------------------
# Bytes and format detection
# ---------------------------------------------------------------------------------------------------------------


def _read_bytes(path: Path, label: str, limits: ReadLimits) -> bytes:
    """The whole file, refusing before reading it if it is over the size cap."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise _too_large_file(label, size, limits.max_file_bytes)
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)  # the file may grow between stat and read
    except OSError as exc:
        raise _refuse(label, "无法打开文件。", f"The file cannot be opened ({exc.strerror or type(exc).__name__}).",
                      "请确认文件存在并且可以读取。", "Check that the file exists and is readable.") from None
    if len(data) > limits.max_file_bytes:
        raise _too_large_file(label, len(data), limits.max_file_bytes)
    if not data:
        raise _refuse(label, "文件是空的（0 字节）。", "The file is empty (0 bytes).",
                      "请检查上传的文件是否完整。", "Check that the whole file was uploaded.")
    return data


def _too_large_file(label: str, size: int, cap: int) -> LoaderError:
    return _refuse(label, f"文件过大（{_size(size)}），超过 {_size(cap)} 的上限。",
                   f"The file is too large ({_size(size)}); the limit is {_size(cap)}.",
                   "请删除无关的工作表或拆分文件后再上传。", "Remove unrelated sheets or split the file.")


ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")  # local header, empty archive, spanned archive
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, .doc, encrypted OOXML
_BINARY_KINDS: tuple[tuple[bytes, str, str], ...] = (  # magic → what it is, for a precise refusal
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF87a", "GIF 图片", "a GIF image"),
    (b"GIF89a", "GIF 图片", "a GIF image"),
    (b"BM", "BMP 图片", "a BMP image"),
    (b"%PDF", "PDF 文档", "a PDF document"),
    (b"Rar!", "RAR 压缩包", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包", "a 7z archive"),
    (b"\x1f\x8b", "gzip 压缩文件", "a gzip file"),
    (b"MZ", "Windows 程序", "a Windows program"),
    (b"\x7fELF", "Linux 程序", "a Linux program"),
    (b"{\\rtf", "RTF 文档", "an RTF document"),
)


def detect_format(data: bytes, file_name: str = "", *, label: str | None = None) -> str:
    """'xlsx' | 'xlsm' | 'xls' | 'ods' | 'csv' from the bytes (magic numbers and container contents).

    The extension is only consulted to allow plain text as CSV. Raises LoaderError for everything
    that is not a readable spreadsheet: other file kinds, encrypted workbooks, damaged containers.
    """
    label = label or safe_file_label(file_name or "upload")
    if not data:
        raise _refuse(label, "文件是空的（0 字节）。", "The file is empty (0 bytes).")
    if data.startswith(ZIP_MAGIC):
        return _zip_format(_open_zip(data, label), label)
    if data.startswith(OLE2_MAGIC):
        return _ole2_format(data, label)
    for magic, kind_zh, kind_en in _BINARY_KINDS:
        if data.startswith(magic):
            raise _not_spreadsheet(label, kind_zh, kind_en)
    if data[:2] == b"PK":
        raise _corrupt(label, "zip header")
    return _text_format(data, file_name, label)


def _text_format(data: bytes, file_name: str, label: str) -> str:
    """'csv' for plain text with a text extension; refusals for HTML/XML and for text posing as a workbook."""
    head = data[:SNIFF_BYTES]
    is_text_name = Path(file_name).suffix.lower() in TEXT_EXTENSIONS
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if is_text_name:
            raise _nul_in_text(label)
        raise _not_spreadsheet(label, "无法识别格式的文件", "a file of unknown format")
    text = _decode_head(head)
    if text is None:
        if is_text_name:
            raise _undecodable(label)
        raise _not_spreadsheet(label, "无法识别格式的文件", "a file of unknown format")
    start = text.lstrip("\ufeff \t\r\n").lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in text:
        raise _not_spreadsheet(label, "Excel 2003 XML 表格", "an Excel 2003 XML spreadsheet",
                               "请在 Excel 中打开后“另存为” .xlsx 再上传。", "Open it in Excel and save as .xlsx.")
    if start.startswith(("<!doctype html", "<html", "<table", "<head", "<body", "<meta", "<div")) or "<html" in start[:512]:
        raise _not_spreadsheet(label, "网页（HTML）文件（许多网站导出的“.xls”其实是网页）",
                               "a web page (HTML) saved with a spreadsheet name",
                               "请用 Excel 打开后“另存为” .xlsx 再上传。", "Open it in Excel and save it as .xlsx.")
    if start.startswith("<"):
        raise _not_spreadsheet(label, "XML 文件", "an XML file")
    if not is_text_name:
        raise _refuse(label, f"文件内容是纯文本（类似 CSV），但扩展名是“{Path(file_name).suffix or '无'}”，不是电子表格。",
                      "The file is plain text (like CSV) but is not named as a text file.",
                      "如果这是 CSV 文件，请把扩展名改为 .csv 后再上传。", "If it is a CSV file, rename it to .csv.")
    return "csv"


def _decode_head(head: bytes) -> str | None:
    """The start of a text file as str, or None if it cannot be text in a supported encoding."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return head[: exc.start].decode(encoding, errors="ignore")
    return None


# ---------------------------------------------------------------------------------------------------------------
# Zip containers (xlsx, xlsm, ods)
# ---------------------------------------------------------------------------------------------------------------


def _open_zip(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        raise _corrupt(label, str(exc)) from None


def _member_key(name: str) -> str:
    """Member names compared as a zip reader might resolve them: forward slashes, no leading '/', lower case."""
    return name.replace("\\", "/").lstrip("/").lower()


def _zip_format(archive: zipfile.ZipFile, label: str) -> str:
    """xlsx / xlsm / ods from the members; refusals for xlsb, Word, PowerPoint, other ODF and plain zips."""
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        raise _encrypted(label)
    names = {_member_key(info.filename) for info in archive.infolist()}
    if "mimetype" in names:
        mimetype = _read_small_member(archive, "mimetype", label, 256).decode("ascii", errors="replace").strip()
        if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
        raise _not_spreadsheet(label, f"OpenDocument 文件（{mimetype[:60]}）", "an OpenDocument file of another kind")
    if "xl/workbook.xml" in names:
        types = _read_small_member(archive, "[Content_Types].xml", label, SMALL_XML_MAX_BYTES) \
            if "[content_types].xml" in names else b""
        return "xlsm" if b"macroEnabled" in types else "xlsx"
    if "xl/workbook.bin" in names:
        raise _refuse(label, "暂不支持 .xlsb（Excel 二进制工作簿）格式。", "The .xlsb (binary workbook) format is not supported.",
                      "请在 Excel 中“另存为” .xlsx 后再上传。", "Save it as .xlsx in Excel.")
    if "word/document.xml" in names:
        raise _not_spreadsheet(label, "Word 文档", "a Word document")
    if "ppt/presentation.xml" in names:
        raise _not_spreadsheet(label, "PowerPoint 演示文稿", "a PowerPoint presentation")
    if not names:
        raise _corrupt(label, "empty zip archive")
    raise _not_spreadsheet(label, "普通的 ZIP 压缩包", "a plain ZIP archive",
                           "请解压后上传其中的表格文件。", "Unzip it and upload the spreadsheet inside.")


def _read_small_member(archive: zipfile.ZipFile, name: str, label: str, cap: int) -> bytes:
    """A small member's bytes (case-insensitive name), refusing if it declares or holds more than `cap`."""
    info = next((i for i in archive.infolist() if _member_key(i.filename) == _member_key(name)), None)
    if info is None:
        return b""
    if info.file_size > cap:
        raise _corrupt(label, f"{name} is unexpectedly large")
    try:
        with archive.open(info) as handle:
            return handle.read(cap + 1)[: cap + 1]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise _corrupt(label, str(exc)) from None


def _check_zip_directory(archive: zipfile.ZipFile, label: str, limits: ReadLimits) -> None:
    """Zip-bomb and sanity checks from the central directory alone, before decompressing anything."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _refuse(label, f"压缩包内文件数过多（{len(infos):,} 个），不像正常的工作簿。",
                      f"The archive holds too many members ({len(infos):,}).", "请重新保存为普通的 .xlsx 后再上传。",
                      "Re-save it as an ordinary .xlsx.")
    seen: set[str] = set()
    total = 0
    for info in infos:
        key = _member_key(info.filename)
        if key in seen:
            raise _corrupt(label, f"duplicate member {info.filename[:80]}")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise _encrypted(label)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_compression_ratio:
            raise _refuse(label, f"文件解压后异常膨胀（压缩比约 {ratio:,.0f}:1），疑似压缩炸弹，已拒绝读取。",
                          f"A member expands abnormally when decompressed (ratio about {ratio:,.0f}:1); "
                          "this looks like a zip bomb.", "请上传由 Excel 或 WPS 正常保存的文件。",
                          "Upload a workbook saved normally by Excel or WPS.")
    if total > limits.max_uncompressed_bytes:
        cap = _size(limits.max_uncompressed_bytes)
        raise _refuse(label, f"文件解压后过大（{_size(total)}），超过 {cap} 的上限，疑似压缩炸弹。",
                      f"The workbook decompresses to {_size(total)}, over the {cap} cap.",
                      "请删除无关的工作表或拆分文件后再上传。", "Remove unrelated sheets or split the file.")


def _guard_container(data: bytes, fmt: str, label: str, limits: ReadLimits, wanted: Sequence[str] | None = None) -> _Extents:
    """Check the container and bound each sheet's area before calamine allocates it."""
    if fmt == "xls":
        return _guard_xls(data, label, limits)
    archive = _open_zip(data, label)
    _check_zip_directory(archive, label, limits)
    if fmt == "ods":
        return _guard_ods(archive, label, limits)
    return _guard_xlsx(archive, label, limits, wanted)


def _iter_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> Iterator[bytes]:
    """A member's bytes in chunks; the CRC and the declared size are checked by zipfile as it goes."""
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(ZIP_CHUNK_BYTES):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise _corrupt(label, f"{info.filename[:80]}: {exc}") from None


def _verify_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> None:
    for _ in _iter_member(archive, info, label):
        pass


# ---------------------------------------------------------------------------------------------------------------
# Worksheet area bounds for xlsx
# ---------------------------------------------------------------------------------------------------------------

FAST_MAX_COLS = 16  # columns A..P pass the one-regex check; wider sheets get an exact scan
_CHUNK_OVERLAP = 64  # bytes carried between chunks so a cell tag is never split between two
_PREFIXED_CELL = re.compile(rb":c[\s>/]")  # <x:c …>: calamine matches local names, so these are cells too


def _at_most(n: int) -> bytes:
    """A regex (bytes) matching exactly the decimal integers 1..n written without leading zeros."""
    digits = str(n)
    k = len(digits)
    options = [rb"[1-9]\d{0,%d}" % (k - 2)] if k >= 2 else []
    for i, d in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(d) > low:
            rest = k - i - 1
            options.append(digits[:i].encode() + b"[%d-%d]" % (low, int(d) - 1) + (rb"\d{%d}" % rest if rest else b""))
    options.append(digits.encode())
    return b"(?:" + b"|".join(options) + b")"


@functools.lru_cache(maxsize=8)
def _unusual_cell(max_rows: int) -> re.Pattern[bytes]:
    """A <c> cell tag that is not exactly '<c r="X9">' with X in A..P and 9 in 1..max_rows.

    Written as a negative lookahead behind the literal '<c', which keeps the common case to one fast pass.
    """
    return re.compile(rb'<c(?=[\s>/])(?! r="[A-Pa-p]' + _at_most(max_rows) + rb'")')


_NONCANONICAL_CELL = re.compile(rb'<c(?! r=")[\s>/]')  # a cell whose first attribute is not r="…"
_CANONICAL_ROW = re.compile(rb'<c r="[A-Za-z]+(\d+)"')  # the row part of each canonical reference
_CANONICAL_COLUMN = re.compile(rb'<c r="([A-Za-z]+)\d')  # the column part
_ABSURD_REF = re.compile(rb'<c r="[A-Za-z0-9]{24}')  # longer than any real reference (XFD1048576)
MAX_REFERENCE_CHARS = 24  # ditto, for references read by the XML parser


def _column_number(letters: str) -> int:
    """'A' → 1, 'Z' → 26, 'AA' → 27 (lower case too, as calamine accepts it)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def _xlsx_part_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, max_cells: int,
                      pieces: xlsx_parts.PieceReader | None = None) -> tuple[int, int]:
    """(rows, cols) bounding every cell calamine could place from this XML part.

    One regex pass proves most sheets small: every cell written as <c r="…"> within columns A..P and
    rows 1..max_cells // 16. Canonical sheets beyond that get the exact maximum of their references;
    anything else (cells without a reference, prefixed tags) gets a parse that follows calamine's rules.
    pieces: is fed the XML as the one-pass proof covers it, and abandoned if the proof fails (see xlsx_parts).
    """
    fast_rows = max(max_cells // FAST_MAX_COLS, 1)
    unusual = _unusual_cell(fast_rows)
    wide = False  # a canonical reference beyond the fast bounds was seen: from there on look only for odd tags
    pending = b""
    for chunk in itertools.chain(_iter_member(archive, info, label), [b""]):
        buf = pending + chunk
        # Matches in the last _CHUNK_OVERLAP bytes are judged with the next chunk, once their context is there.
        limit = len(buf) - _CHUNK_OVERLAP if chunk else len(buf)
        if _starts_before(_PREFIXED_CELL.search(buf), limit):
            return _without(pieces, _xlsx_extent_by_parsing(archive, info, label))
        pos = 0
        if not wide:
            found = unusual.search(buf)
            if _starts_before(found, limit):
                assert found is not None
                if _NONCANONICAL_CELL.match(buf, found.start()):
                    return _without(pieces, _xlsx_extent_by_parsing(archive, info, label))
                wide, pos = True, found.start()
        if wide and _starts_before(_NONCANONICAL_CELL.search(buf, pos), limit):
            return _without(pieces, _xlsx_extent_by_parsing(archive, info, label))
        if pieces is not None:
            if wide:
                pieces.abandon()
            pieces.feed(buf[:max(limit, 0)])  # every cell tag starting before `limit` has been proved
        pending = buf[max(limit, 0):]
    if wide:
        return _without(pieces, _xlsx_extent_by_references(archive, info, label))
    if pieces is not None:
        pieces.close()
    return fast_rows, FAST_MAX_COLS


def _without(pieces: xlsx_parts.PieceReader | None, extent: tuple[int, int]) -> tuple[int, int]:
    """The extent; a sheet not proved plain in one pass is not parsed in pieces."""
    if pieces is not None:
        pieces.abandon()
    return extent


def _starts_before(found: re.Match[bytes] | None, limit: int) -> bool:
    return found is not None and found.start() < limit


def _xlsx_extent_by_references(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> tuple[int, int]:
    """Exact maximum row and column over canonical <c r="…"> references (the sheet has no other cells)."""
    max_row = max_col = 0
    tail = b""
    for chunk in _iter_member(archive, info, label):
        buf = tail + chunk
        if _ABSURD_REF.search(buf):
            raise _corrupt(label, "cell reference out of range")
        rows = _CANONICAL_ROW.findall(buf)
        if rows:
            max_row = max(max_row, max(map(int, rows)))
            max_col = max(max_col, max(_column_number(c.decode()) for c in set(_CANONICAL_COLUMN.findall(buf))))
        tail = buf[-_CHUNK_OVERLAP:]
    return max_row, max_col


def _parse_reference(ref: str) -> tuple[int, int] | None:
    """'C7' → (7, 3) 1-based (row, col) like calamine reads it; a row alone ('7') gives col 0; None if invalid."""
    if len(ref) > MAX_REFERENCE_CHARS:
        return 2**40, 2**40  # calamine's u32 arithmetic would wrap; refuse by size
    match = re.fullmatch(r"([A-Za-z]*)(\d+)", ref)
    if not match:
        return None
    return int(match.group(2)), _column_number(match.group(1)) if match.group(1) else 0


class _RefuseXml(Exception):
    """A DTD or entity declaration: never expanded, the file is refused."""


def _safe_expat(start: Callable[[str, dict[str, str]], None], end: Callable[[str], None] | None = None) -> expat.XMLParserType:
    """An expat parser with no DTDs or entity declarations (billion laughs, external entities)."""
    parser = expat.ParserCreate()

    def refuse(*_args: object) -> None:
        raise _RefuseXml

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    return parser


def _feed_xml(parser: expat.XMLParserType, chunks: Iterable[bytes], label: str) -> None:
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, _RefuseXml, ValueError, RecursionError):
        raise _corrupt(label, "malformed XML") from None


def _xlsx_extent_by_parsing(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> tuple[int, int]:
    """Exact bound for any spelling of rows and cells, following calamine's rules for missing references."""
    state = {"row": 0, "col": 0, "max_row": 0, "max_col": 0}  # row/col: 0-based position of the next cell

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            ref = _parse_reference(attrs["r"]) if "r" in attrs else None
            if ref is not None:
                state["row"] = max(ref[0] - 1, 0)
        elif local == "c":
            ref = _parse_reference(attrs["r"]) if "r" in attrs else None
            row, col = (ref[0] - 1, ref[1] - 1) if ref is not None and ref[1] else (state["row"], state["col"])
            state["max_row"] = max(state["max_row"], row + 1)
            state["max_col"] = max(state["max_col"], col + 1)
            state["col"] = col + 1

    def end(name: str) -> None:
        if name.rpartition(":")[2] == "row":
            state["row"] += 1
            state["col"] = 0

    _feed_xml(_safe_expat(start, end), _iter_member(archive, info, label), label)
    return state["max_row"], state["max_col"]


def _small_xml_elements(data: bytes, label: str) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes) of every element of a small XML document, parsed safely."""
    found: list[tuple[str, dict[str, str]]] = []
    _feed_xml(_safe_expat(lambda name, attrs: found.append((name.rpartition(":")[2], attrs))), [data], label)
    return found


def _target_candidates(target: str) -> set[str]:
    """Member keys a relationship target may resolve to; readers differ, so the bound covers them all."""
    stripped = target.lstrip("/")
    return {_member_key(path) for path in (stripped, f"xl/{stripped}", posixpath.normpath(posixpath.join("xl", target)))}


def _xlsx_sheet_parts(archive: zipfile.ZipFile, label: str) -> dict[str, set[str]]:
    """Sheet name → member keys its XML part may be, from xl/workbook.xml and its relationships."""
    workbook = _small_xml_elements(_read_small_member(archive, "xl/workbook.xml", label, SMALL_XML_MAX_BYTES), label)
    rels_data = _read_small_member(archive, "xl/_rels/workbook.xml.rels", label, SMALL_XML_MAX_BYTES)
    targets = {a.get("Id"): a.get("Target", "") for n, a in _small_xml_elements(rels_data, label) if n == "Relationship"}
    parts: dict[str, set[str]] = {}
    for name, attrs in workbook:
        if name != "sheet" or "name" not in attrs:
            continue
        rel_id = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id" and k != "sheetId"), None)
        target = targets.get(rel_id)
        if target:
            parts.setdefault(attrs["name"], set()).update(_target_candidates(target))
    return parts


def _guard_xlsx(archive: zipfile.ZipFile, label: str, limits: ReadLimits, wanted: Sequence[str] | None) -> _Extents:
    """Bound every XML part and every sheet target (any of them may be read as a worksheet); verify the rest.

    Long sheets among those wanted start being parsed in pieces while they are checked (loaders.xlsx_parts).
    """
    sheet_parts = _xlsx_sheet_parts(archive, label)
    targets = set().union(*sheet_parts.values()) if sheet_parts else set()
    extents = _Extents()
    try:
        pieces = _piece_readers(archive, label, sheet_parts, targets, wanted)
        part_extent: dict[str, tuple[int, int]] = {}
        for info in archive.infolist():
            key = _member_key(info.filename)
            if key.endswith(".xml") or key in targets:
                reader = pieces.get(info.filename)
                part_extent[key] = _xlsx_part_extent(archive, info, label, limits.max_cells, reader)
                if reader is not None and not reader.abandoned:
                    extents.long_sheets[reader.sheet_name] = reader
            else:
                _verify_member(archive, info, label)
    except BaseException:
        extents.abandon_pieces()
        raise
    # a sheet that cannot be matched gets the largest bound of any part
    extents.fallback = max(part_extent.values(), key=lambda rc: rc[0] * rc[1], default=(0, 0))
    for sheet, candidates in sheet_parts.items():
        bounds = [part_extent[key] for key in candidates if key in part_extent]
        if bounds:
            extents.by_sheet[sheet] = max(bounds, key=lambda rc: rc[0] * rc[1])
    return extents


def _piece_readers(archive: zipfile.ZipFile, label: str, sheet_parts: dict[str, set[str]], targets: set[str],
                   wanted: Sequence[str] | None) -> dict[str, xlsx_parts.PieceReader]:
    """Member name → a PieceReader, for each long wanted sheet that is plainly one member of the zip."""
    infos = archive.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):  # duplicate member names: which one calamine reads is its own affair
        return {}
    by_key: dict[str, list[zipfile.ZipInfo]] = {}
    for info in infos:
        by_key.setdefault(_member_key(info.filename), []).append(info)
    owners: dict[str, list[str]] = {}  # member key → sheets whose part it may be
    for sheet, candidates in sheet_parts.items():
        for key in candidates:
            owners.setdefault(key, []).append(sheet)
    readers: dict[str, xlsx_parts.PieceReader] = {}
    for sheet, candidates in sheet_parts.items():
        present = [info for key in candidates for info in by_key.get(key, [])]
        if (wanted is not None and sheet not in wanted) or len(present) != 1:
            continue
        info = present[0]
        if owners[_member_key(info.filename)] != [sheet] or not xlsx_parts.worth_splitting(info.file_size):
            continue
        others = {i.filename for i in infos if _member_key(i.filename) in targets and i is not info}

        def members(info: zipfile.ZipInfo = info, others: set[str] = others) -> list[tuple[str, bytes]]:
            return [(i.filename, b"" if i is info else xlsx_parts.EMPTY_WORKSHEET if i.filename in others
                     else archive.read(i)) for i in infos]

        readers[info.filename] = xlsx_parts.PieceReader(members, info.filename, sheet, info.file_size,
                                                        lambda call: _calamine_call(label, call))
    return readers


# ---------------------------------------------------------------------------------------------------------------
# ODS
# ---------------------------------------------------------------------------------------------------------------

_ODS_VALUE_ATTRS = ("office:value", "office:string-value", "office:date-value", "office:time-value",
                    "office:boolean-value", "office:value-type", "table:formula")


def _repeat(attrs: dict[str, str], key: str) -> int:
    """A table:number-*-repeated count; calamine fails on non-numbers itself, so those count once here."""
    value = attrs.get(key, "1").strip()
    return int(value) if value.isdigit() and len(value) < 19 else 1


def _guard_ods(archive: zipfile.ZipFile, label: str, limits: ReadLimits) -> _Extents:
    """Bound each table of content.xml the way calamine expands repeated rows and cells."""
    extents = _Extents()
    state = {"table": "", "rows": 0, "row_repeat": 1, "col": 0, "row_width": 0, "last_row": 0, "width": 0, "spaces": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "table:table":
            state.update(table=attrs.get("table:name", ""), rows=0, last_row=0, width=0)
        elif name == "table:table-row":
            state.update(row_repeat=_repeat(attrs, "table:number-rows-repeated"), col=0, row_width=0)
        elif name in ("table:table-cell", "table:covered-table-cell"):
            repeat = _repeat(attrs, "table:number-columns-repeated")
            if any(key in attrs for key in _ODS_VALUE_ATTRS):
                state["row_width"] = state["col"] + repeat
            state["col"] += repeat
        elif name == "text:s":
            state["spaces"] += _repeat(attrs, "text:c")
            if state["spaces"] > MAX_ODS_SPACES:
                raise _refuse(label, "文件中的文本展开后过大（重复空格数量异常），已拒绝读取。",
                              "Text in the file expands to an abnormal size (repeated spaces).",
                              "请在表格软件中重新保存后再上传。", "Re-save the file in a spreadsheet program.")

    def end(name: str) -> None:
        if name == "table:table-row":
            state["rows"] += state["row_repeat"]
            if state["row_width"]:
                state["last_row"] = state["rows"]
                state["width"] = max(state["width"], state["row_width"])
        elif name == "table:table":
            rows, cols = state["last_row"], state["width"]
            if rows * cols > limits.max_cells:  # calamine builds every table when it opens the file
                raise _too_many_cells(label, str(state["table"]), rows, cols, limits.max_cells)
            extents.by_sheet[str(state["table"])] = (rows, cols)

    for info in archive.infolist():
        if _member_key(info.filename) == "content.xml":
            _feed_xml(_safe_expat(start, end), _iter_member(archive, info, label), label)
        else:
            _verify_member(archive, info, label)
    extents.fallback = max(extents.by_sheet.values(), key=lambda rc: rc[0] * rc[1], default=(0, 0))
    return extents


# ---------------------------------------------------------------------------------------------------------------
# OLE2 compound files (.xls; also encrypted OOXML and legacy Word/PowerPoint)
# ---------------------------------------------------------------------------------------------------------------

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_MAX_DIFAT_SECTORS = 10_000  # a 50 MB file needs far fewer


class _Ole2Error(Exception):
    """The compound file structure is inconsistent."""


class _Ole2:
    """Just enough of MS-CFB to list stream names and read one stream."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise _Ole2Error("short header")
        self.data = data
        sector_shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise _Ole2Error("sector size")
        self.sector_size = 1 << sector_shift
        (n_fat, first_dir, _, self.mini_cutoff, first_minifat, n_minifat, first_difat, n_difat) = \
            struct.unpack_from("<IIIIIIII", data, 44)
        fat_sectors = list(struct.unpack_from("<109I", data, 76))
        sector, hops = first_difat, 0
        per_difat = self.sector_size // 4 - 1
        while sector not in (_FREE, _END_OF_CHAIN) and hops < min(n_difat, _MAX_DIFAT_SECTORS):
            values = struct.unpack_from(f"<{per_difat + 1}I", self._sector(sector))
            fat_sectors.extend(values[:per_difat])
            sector, hops = values[per_difat], hops + 1
        fat_sectors = [s for s in fat_sectors[:n_fat] if s not in (_FREE, _END_OF_CHAIN)]
        self.fat = [v for s in fat_sectors for v in struct.unpack(f"<{self.sector_size // 4}I", self._sector(s))]
        directory = self._chain_bytes(first_dir, self.fat, self._sector)
        self.entries = [self._entry(directory, off) for off in range(0, len(directory) - 127, 128)]
        if not self.entries or self.entries[0][1] != 5:
            raise _Ole2Error("no root entry")
        root_start, root_size = self.entries[0][2], self.entries[0][3]
        self.minifat_bytes = self._chain_bytes(first_minifat, self.fat, self._sector) if n_minifat else b""
        self.mini_stream = self._chain_bytes(root_start, self.fat, self._sector)[:root_size] if root_size else b""

    def _sector(self, index: int) -> bytes:
        start = (index + 1) * self.sector_size
        if start >= len(self.data):
            raise _Ole2Error("sector out of range")
        return self.data[start:start + self.sector_size]

    @staticmethod
    def _chain_bytes(start: int, fat: Sequence[int], read: Callable[[int], bytes]) -> bytes:
        parts, sector, seen = [], start, set()
        while sector not in (_END_OF_CHAIN, _FREE):
            if sector in seen or sector >= len(fat):
                raise _Ole2Error("broken sector chain")
            seen.add(sector)
            parts.append(read(sector))
            sector = fat[sector]
        return b"".join(parts)

    @staticmethod
    def _entry(directory: bytes, offset: int) -> tuple[str, int, int, int]:
        """(name, type, start sector, size) of a 128-byte directory entry; type 0 is unused."""
        name_len, kind = struct.unpack_from("<HB", directory, offset + 64)
        name = directory[offset:offset + max(min(name_len, 64) - 2, 0)].decode("utf-16-le", errors="replace")
        start, size = struct.unpack_from("<IQ", directory, offset + 116)
        return name, kind, start, size

    def names(self) -> set[str]:
        return {name for name, kind, _, _ in self.entries if kind in (1, 2)}

    def stream(self, wanted: str) -> bytes | None:
        """The named stream's bytes (case-insensitive), or None."""
        for name, kind, start, size in self.entries:
            if kind == 2 and name.lower() == wanted.lower():
                if size < self.mini_cutoff:
                    minifat = list(struct.unpack(f"<{len(self.minifat_bytes) // 4}I", self.minifat_bytes))
                    data = self._chain_bytes(start, minifat, self._mini_sector)
                else:
                    data = self._chain_bytes(start, self.fat, self._sector)
                return data[:size]
        return None

    def _mini_sector(self, index: int) -> bytes:
        return self.mini_stream[index * 64:(index + 1) * 64]


def _open_ole2(data: bytes, label: str) -> _Ole2:
    try:
        return _Ole2(data)
    except (_Ole2Error, struct.error, IndexError, MemoryError, OverflowError) as exc:
        raise _corrupt(label, f"compound file: {exc}") from None


def _ole2_format(data: bytes, label: str) -> str:
    """'xls' for a BIFF workbook; refusals for encrypted OOXML, Word, PowerPoint and others."""
    names = {n.lower() for n in _open_ole2(data, label).names()}
    if {"encryptioninfo", "encryptedpackage"} & names:
        raise _encrypted(label)
    if "workbook" in names or "book" in names:
        return "xls"
    if "worddocument" in names:
        raise _not_spreadsheet(label, "Word 文档（.doc）", "a Word document (.doc)")
    if "powerpoint document" in names:
        raise _not_spreadsheet(label, "PowerPoint 演示文稿（.ppt）", "a PowerPoint presentation (.ppt)")
    raise _not_spreadsheet(label, "Office 复合文档，但不是 Excel 工作簿", "an Office compound file without a workbook")


# BIFF record types that carry a cell position (row u16, col u16) in their first four bytes, BIFF2..BIFF8.
_BIFF_CELL_RECORDS = frozenset({0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0201, 0x0203, 0x0204, 0x0205,
                                0x0206, 0x0406, 0x027E, 0x007E, 0x00FD, 0x00D6})
_BIFF_MULTI_CELL_RECORDS = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first col … last col
_BIFF_BOF, _BIFF_EOF, _BIFF_FILEPASS, _BIFF_BOUNDSHEET, _BIFF_DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0085, 0x0200
XLS_MAX_DECLARED_CELLS = 65_536 * 256  # a BIFF8 sheet cannot be larger; calamine reserves what DIMENSIONS says


def _biff_records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    """(type, data) of each record from `start` until the end of the stream or a truncated record."""
    pos = start
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        if pos + 4 + length > len(stream):
            return
        yield kind, stream[pos + 4:pos + 4 + length]
        pos += 4 + length


def _biff_sheet_extent(stream: bytes, start: int, label: str) -> tuple[int, int]:
    """(rows, cols) bounding the cells of the substream at `start` and what its DIMENSIONS record declares."""
    max_row = max_col = 0
    for kind, rec in _biff_records(stream, start):
        if kind == _BIFF_EOF:
            break
        if kind in _BIFF_CELL_RECORDS and len(rec) >= 4:
            row, col = struct.unpack_from("<HH", rec)
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
        elif kind in _BIFF_MULTI_CELL_RECORDS and len(rec) >= 6:
            row, _ = struct.unpack_from("<HH", rec)
            (last,) = struct.unpack_from("<H", rec, len(rec) - 2)
            max_row, max_col = max(max_row, row + 1), max(max_col, last + 1)
        elif kind == _BIFF_DIMENSIONS and len(rec) in (10, 14):
            first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH" if len(rec) == 14 else "<HHHH", rec)
            if last_row and last_col:  # calamine: (last - first) rows × (last - first) columns, unsigned
                rows, cols = last_row - first_row, last_col - first_col
                if rows < 0 or cols < 0 or rows * cols > XLS_MAX_DECLARED_CELLS:
                    raise _corrupt(label, "DIMENSIONS record out of range")
    return max_row, max_col


def _boundsheet_name(rec: bytes, index: int) -> str:
    """The sheet name in a BIFF8 BOUNDSHEET record (for messages); 'Sheet N' if it cannot be decoded."""
    if len(rec) >= 8:
        length, flags = rec[6], rec[7]
        raw = rec[8:8 + length * (2 if flags & 1 else 1)]
        try:
            return raw.decode("utf-16-le" if flags & 1 else "latin-1")
        except UnicodeDecodeError:
            pass
    return f"Sheet{index + 1}"


def _guard_xls(data: bytes, label: str, limits: ReadLimits) -> _Extents:
    """Encryption (FILEPASS) and cell bounds from the BIFF records.

    calamine builds every sheet of an .xls when it opens the file, so every sheet is checked here,
    not only the ones asked for.
    """
    ole = _open_ole2(data, label)
    try:
        stream = ole.stream("Workbook") or ole.stream("Book") or b""
    except (_Ole2Error, struct.error, IndexError) as exc:
        raise _corrupt(label, f"compound file: {exc}") from None
    if not stream:
        raise _corrupt(label, "empty Workbook stream")
    sheets: list[tuple[int, str]] = []
    for kind, rec in _biff_records(stream, 0):
        if kind == _BIFF_FILEPASS:
            raise _encrypted(label)
        if kind == _BIFF_BOUNDSHEET and len(rec) >= 4:
            sheets.append((struct.unpack_from("<I", rec)[0], _boundsheet_name(rec, len(sheets))))
        if kind == _BIFF_EOF:
            break
    bounds = []
    for pos, name in sheets:
        if pos >= len(stream):
            raise _corrupt(label, "sheet offset beyond the workbook stream")
        rows, cols = _biff_sheet_extent(stream, pos, label)
        if rows * cols > limits.max_cells:
            raise _too_many_cells(label, name, rows, cols, limits.max_cells)
        bounds.append((rows, cols))
    # By position: calamine lists the sheets in BOUNDSHEET order.
    return _Extents(by_position=bounds, fallback=max(bounds, key=lambda rc: rc[0] * rc[1], default=(0, 0)))


# ---------------------------------------------------------------------------------------------------------------
# Reading cells with calamine
# ---------------------------------------------------------------------------------------------------------------


def _calamine_failure(label: str, exc: BaseException) -> LoaderError:
    if isinstance(exc, PasswordError):
        return _encrypted(label)
    return _corrupt(label, f"{type(exc).__name__}: {exc}")


def _calamine_call(label: str, call: Callable[[], object]) -> object:
    """Run a calamine call, turning every failure (including Rust panics) into a LoaderError."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except CalamineError as exc:
        raise _calamine_failure(label, exc) from None
    except BaseException as exc:  # pyo3 raises Rust panics as PanicException, a BaseException
        raise _calamine_failure(label, exc) from None


def _read_with_calamine(
    data: bytes, label: str, extents: _Extents, limits: ReadLimits, wanted: Sequence[str] | None,
) -> tuple[list[Sheet], tuple[str, ...]]:
    book = _calamine_call(label, lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)))
    assert isinstance(book, CalamineWorkbook)
    metadata = list(book.sheets_metadata)
    worksheets = [m for m in metadata if m.typ == SheetTypeEnum.WorkSheet]
    available = tuple(m.name for m in worksheets)
    if not worksheets:
        raise _refuse(label, "工作簿中没有普通工作表（只有图表或宏表）。", "The workbook has no worksheets.",
                      "请把数据放在普通工作表中。", "Put the data on an ordinary worksheet.")
    _refuse_if_missing(label, wanted, available)
    sheets: list[Sheet] = []
    total = 0
    for position, meta in enumerate(metadata):
        if meta.typ != SheetTypeEnum.WorkSheet or (wanted is not None and meta.name not in wanted):
            continue
        rows, cols = extents.of(meta.name, position, len(metadata))
        if rows * cols > limits.max_cells:
            raise _too_many_cells(label, meta.name, rows, cols, limits.max_cells)
        pieces = extents.long_sheets.get(meta.name)
        sheet = (pieces and _read_in_pieces(pieces, meta.name, label, limits)) or _read_calamine_sheet(book, meta.name, label, limits)
        sheet.visible = meta.visible == SheetVisibleEnum.Visible
        total += sheet.n_rows * sheet.n_cols
        if total > limits.max_workbook_cells:
            raise _refuse(label, f"工作簿过大：所读工作表共超过 {limits.max_workbook_cells:,} 个单元格。",
                          f"The workbook is too large: the sheets read exceed {limits.max_workbook_cells:,} cells.",
                          "请只选择需要导入的工作表，或拆分文件。", "Choose only the sheets to import, or split the file.")
        sheets.append(sheet)
    return sheets, available


def _read_calamine_sheet(book: CalamineWorkbook, name: str, label: str, limits: ReadLimits) -> Sheet:
    raw = _calamine_call(label, lambda: book.get_sheet_by_name(name))
    end = raw.end  # type: ignore[attr-defined]
    if end is None:
        return Sheet(name, [])
    rows, cols = end[0] + 1, end[1] + 1
    if rows * cols > limits.max_cells:  # second line of defence, before Python objects are made
        raise _too_many_cells(label, name, rows, cols, limits.max_cells)
    with gc_paused():
        cells = _calamine_call(label, lambda: raw.to_python(skip_empty_area=False))  # type: ignore[attr-defined]
        table = _tidy(cells)  # type: ignore[arg-type]
    merged = _merged_ranges(raw.merged_cell_ranges, len(table), len(table[0]) if table else 0)  # type: ignore[attr-defined]
    return Sheet(name, table, merged)


def _read_in_pieces(pieces: xlsx_parts.PieceReader, name: str, label: str, limits: ReadLimits) -> Sheet | None:
    """A long sheet parsed in pieces on several cores (loaders.xlsx_parts); None where it must be read whole."""
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
        return _blanks_to_none(_calamine_call(label, lambda: part.to_python(skip_empty_area=True)))  # type: ignore[arg-type,return-value]

    def check(rows: int, cols: int) -> None:  # second line of defence, as for a sheet read whole
        if rows * cols > limits.max_cells:
            raise _too_many_cells(label, name, rows, cols, limits.max_cells)

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
    for (r1, c1), (r2, c2) in raw or ():  # type: ignore[union-attr]
        if r1 < n_rows and c1 < n_cols:
            clipped = MergedRange(r1, c1, min(r2, n_rows - 1), min(c2, n_cols - 1))
            if (clipped.first_row, clipped.first_col) != (clipped.last_row, clipped.last_col):
                ranges.append(clipped)
    return tuple(ranges)


# ---------------------------------------------------------------------------------------------------------------
# Text tables (csv, tsv, txt)
# ---------------------------------------------------------------------------------------------------------------

DELIMITERS = (",", "\t", ";", "|", "，")  # in order of preference when equally consistent
DELIMITER_SAMPLE_LINES = 50


def _decode_text(data: bytes, label: str) -> str:
    """UTF-16 (with BOM), UTF-8 (with or without BOM) or GB18030 (a superset of GBK), strictly."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise _nul_in_text(label)
        return text
    raise _undecodable(label)


def _nul_in_text(label: str) -> LoaderError:
    return _refuse(label, "文本中含有空字符（NUL），这不是有效的 CSV 文本文件。",
                   "The text contains NUL characters; it is not a valid CSV file.",
                   "请在 Excel 中“另存为”CSV UTF-8 格式后再上传。", "Save it from Excel as 'CSV UTF-8'.")


def _undecodable(label: str) -> LoaderError:
    return _refuse(label, "无法识别文本编码（已尝试 UTF-8、UTF-8 BOM 和 GBK/GB18030）。",
                   "The text encoding is not recognised (tried UTF-8, UTF-8 with BOM and GBK/GB18030).",
                   "请在 Excel 中“另存为”CSV UTF-8 格式后再上传。", "Save it from Excel as 'CSV UTF-8'.")


def sniff_delimiter(text: str) -> str:
    """The delimiter used most consistently over the first lines: comma, tab, semicolon, '|' or '，'."""
    lines = [line for line in text.splitlines()[:DELIMITER_SAMPLE_LINES] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        if not counts or max(counts) == 0:
            continue
        typical = max(set(counts), key=counts.count)
        score = (counts.count(typical) / len(counts) if typical else 0.0, typical)
        if delimiter == "，" and best_score[1]:
            continue  # full-width commas also occur in Chinese prose; only used when nothing else fits
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_text_table(data: bytes, label: str, limits: ReadLimits) -> Sheet:
    text = _decode_text(data, label)
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
                    raise _too_many_cells(label, name, len(rows) + 1, width, limits.max_cells)
                rows.append(record)  # type: ignore[arg-type]  # str cells; _tidy turns '' into None
            table = _tidy(rows)
    except csv.Error as exc:
        raise _refuse(label, f"CSV 格式错误：{exc}", f"Malformed CSV: {exc}",
                      "请检查引号是否成对，或在 Excel 中重新另存为 CSV。", "Check the quotes, or re-save it as CSV.") from None
    return Sheet(name, table)
