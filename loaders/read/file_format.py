"""An upload's bytes, refused before reading if over the size cap, and its format from the content.

Magic numbers first, then the container (zip: loaders.read.guards.zip; OLE2: loaders.read.guards.ole2); plain text only
as CSV with a text extension. Everything else is refused with what it is.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from loaders.errors import LoaderError, safe_file_label
from loaders.read.guards.ole2 import ole2_format
from loaders.read.guards.zip import open_zip, zip_format
from loaders.read.limits import SNIFF_BYTES, TEXT_EXTENSIONS, ReadLimits
from loaders.read.refusals import corrupt, human_size, not_spreadsheet, refuse
from loaders.read.text_table import nul_in_text, undecodable

# ---------------------------------------------------------------------------------------------------------------
# Bytes and format detection
# ---------------------------------------------------------------------------------------------------------------


def read_file_bytes(path: Path, label: str, limits: ReadLimits) -> bytes:
    """The whole file, refusing before reading it if it is over the size cap."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise _too_large_file(label, size, limits.max_file_bytes)
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)  # the file may grow between stat and read
    except OSError as exc:
        raise refuse(label, "无法打开文件。", f"The file cannot be opened ({exc.strerror or type(exc).__name__}).",
                     "请确认文件存在并且可以读取。", "Check that the file exists and is readable.") from None
    if len(data) > limits.max_file_bytes:
        raise _too_large_file(label, len(data), limits.max_file_bytes)
    if not data:
        raise refuse(label, "文件是空的（0 字节）。", "The file is empty (0 bytes).",
                     "请检查上传的文件是否完整。", "Check that the whole file was uploaded.")
    return data


def _too_large_file(label: str, size: int, cap: int) -> LoaderError:
    return refuse(label, f"文件过大（{human_size(size)}），超过 {human_size(cap)} 的上限。",
                  f"The file is too large ({human_size(size)}); the limit is {human_size(cap)}.",
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
        raise refuse(label, "文件是空的（0 字节）。", "The file is empty (0 bytes).")
    if data.startswith(ZIP_MAGIC):
        return zip_format(open_zip(data, label), label)
    if data.startswith(OLE2_MAGIC):
        return ole2_format(data, label)
    for magic, kind_zh, kind_en in _BINARY_KINDS:
        if data.startswith(magic):
            raise not_spreadsheet(label, kind_zh, kind_en)
    if data[:2] == b"PK":
        raise corrupt(label, "zip header")
    return _text_format(data, file_name, label)


def _text_format(data: bytes, file_name: str, label: str) -> str:
    """'csv' for plain text with a text extension; refusals for HTML/XML and for text posing as a workbook."""
    head = data[:SNIFF_BYTES]
    is_text_name = Path(file_name).suffix.lower() in TEXT_EXTENSIONS
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if is_text_name:
            raise nul_in_text(label)
        raise not_spreadsheet(label, "无法识别格式的文件", "a file of unknown format")
    text = _decode_head(head)
    if text is None:
        if is_text_name:
            raise undecodable(label)
        raise not_spreadsheet(label, "无法识别格式的文件", "a file of unknown format")
    start = text.lstrip("\ufeff \t\r\n").lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in text:
        raise not_spreadsheet(label, "Excel 2003 XML 表格", "an Excel 2003 XML spreadsheet",
                              "请在 Excel 中打开后“另存为” .xlsx 再上传。", "Open it in Excel and save as .xlsx.")
    if start.startswith(("<!doctype html", "<html", "<table", "<head", "<body", "<meta", "<div")) or "<html" in start[:512]:
        raise not_spreadsheet(label, "网页（HTML）文件（许多网站导出的“.xls”其实是网页）",
                              "a web page (HTML) saved with a spreadsheet name",
                              "请用 Excel 打开后“另存为” .xlsx 再上传。", "Open it in Excel and save it as .xlsx.")
    if start.startswith("<"):
        raise not_spreadsheet(label, "XML 文件", "an XML file")
    if not is_text_name:
        raise refuse(label, f"文件内容是纯文本（类似 CSV），但扩展名是“{Path(file_name).suffix or '无'}”，不是电子表格。",
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
