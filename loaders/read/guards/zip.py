"""Zip containers (xlsx, xlsm, ods): which kind, zip-bomb checks, and reading members in chunks and as safe XML.

The sheet bounds built on these are in loaders.read.guards.xlsx and loaders.read.guards.ods.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import NoReturn
from xml.parsers import expat

from loaders.read.limits import MAX_ZIP_MEMBERS, RATIO_CHECK_MIN_BYTES, SMALL_XML_MAX_BYTES, ZIP_CHUNK_BYTES, ReadLimits
from loaders.read.refusals import corrupt, encrypted, human_size, not_spreadsheet, refuse

# ---------------------------------------------------------------------------------------------------------------
# Zip containers (xlsx, xlsm, ods)
# ---------------------------------------------------------------------------------------------------------------


def open_zip(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        raise corrupt(label, str(exc)) from None


def member_key(name: str) -> str:
    """Member names compared as a zip reader might resolve them: forward slashes, no leading '/', lower case."""
    return name.replace("\\", "/").lstrip("/").lower()


def zip_format(archive: zipfile.ZipFile, label: str) -> str:
    """xlsx / xlsm / ods from the members; refusals for xlsb, Word, PowerPoint, other ODF and plain zips."""
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        raise encrypted(label)
    names = {member_key(info.filename) for info in archive.infolist()}
    if "mimetype" in names:
        mimetype = read_small_member(archive, "mimetype", label, 256).decode("ascii", errors="replace").strip()
        if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
            return "ods"
        raise not_spreadsheet(label, f"OpenDocument 文件（{mimetype[:60]}）", "an OpenDocument file of another kind")
    if "xl/workbook.xml" in names:
        types = read_small_member(archive, "[Content_Types].xml", label, SMALL_XML_MAX_BYTES) \
            if "[content_types].xml" in names else b""
        return "xlsm" if b"macroEnabled" in types else "xlsx"
    if "xl/workbook.bin" in names:
        raise refuse(label, "暂不支持 .xlsb（Excel 二进制工作簿）格式。", "The .xlsb (binary workbook) format is not supported.",
                     "请在 Excel 中“另存为” .xlsx 后再上传。", "Save it as .xlsx in Excel.")
    if "word/document.xml" in names:
        raise not_spreadsheet(label, "Word 文档", "a Word document")
    if "ppt/presentation.xml" in names:
        raise not_spreadsheet(label, "PowerPoint 演示文稿", "a PowerPoint presentation")
    if not names:
        raise corrupt(label, "empty zip archive")
    raise not_spreadsheet(label, "普通的 ZIP 压缩包", "a plain ZIP archive",
                          "请解压后上传其中的表格文件。", "Unzip it and upload the spreadsheet inside.")


def read_small_member(archive: zipfile.ZipFile, name: str, label: str, cap: int) -> bytes:
    """A small member's bytes (case-insensitive name), refusing if it declares or holds more than `cap`."""
    info = next((i for i in archive.infolist() if member_key(i.filename) == member_key(name)), None)
    if info is None:
        return b""
    if info.file_size > cap:
        raise corrupt(label, f"{name} is unexpectedly large")
    try:
        with archive.open(info) as handle:
            return handle.read(cap + 1)[: cap + 1]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise corrupt(label, str(exc)) from None


def check_zip_directory(archive: zipfile.ZipFile, label: str, limits: ReadLimits) -> None:
    """Zip-bomb and sanity checks from the central directory alone, before decompressing anything."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise refuse(label, f"压缩包内文件数过多（{len(infos):,} 个），不像正常的工作簿。",
                     f"The archive holds too many members ({len(infos):,}).", "请重新保存为普通的 .xlsx 后再上传。",
                     "Re-save it as an ordinary .xlsx.")
    seen: set[str] = set()
    total = 0
    for info in infos:
        key = member_key(info.filename)
        if key in seen:
            raise corrupt(label, f"duplicate member {info.filename[:80]}")
        seen.add(key)
        if info.flag_bits & 0x1:
            raise encrypted(label)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > limits.max_compression_ratio:
            raise refuse(label, f"文件解压后异常膨胀（压缩比约 {ratio:,.0f}:1），疑似压缩炸弹，已拒绝读取。",
                         f"A member expands abnormally when decompressed (ratio about {ratio:,.0f}:1); "
                         "this looks like a zip bomb.", "请上传由 Excel 或 WPS 正常保存的文件。",
                         "Upload a workbook saved normally by Excel or WPS.")
    if total > limits.max_uncompressed_bytes:
        cap = human_size(limits.max_uncompressed_bytes)
        raise refuse(label, f"文件解压后过大（{human_size(total)}），超过 {cap} 的上限，疑似压缩炸弹。",
                     f"The workbook decompresses to {human_size(total)}, over the {cap} cap.",
                     "请删除无关的工作表或拆分文件后再上传。", "Remove unrelated sheets or split the file.")


def iter_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> Iterator[bytes]:
    """A member's bytes in chunks; the CRC and the declared size are checked by zipfile as it goes."""
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(ZIP_CHUNK_BYTES):
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise corrupt(label, f"{info.filename[:80]}: {exc}") from None


def verify_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> None:
    for _ in iter_member(archive, info, label):
        pass


# ---------------------------------------------------------------------------------------------------------------
# XML members, parsed without DTDs or entities
# ---------------------------------------------------------------------------------------------------------------


class _RefuseXml(Exception):
    """A DTD or entity declaration: never expanded, the file is refused."""


def safe_expat(start: Callable[[str, dict[str, str]], None], end: Callable[[str], None] | None = None) -> expat.XMLParserType:
    """An expat parser with no DTDs or entity declarations (billion laughs, external entities)."""
    parser = expat.ParserCreate()

    def reject(*_args: object) -> NoReturn:
        raise _RefuseXml

    parser.StartDoctypeDeclHandler = reject
    parser.EntityDeclHandler = reject
    parser.ExternalEntityRefHandler = reject
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    return parser


def feed_xml(parser: expat.XMLParserType, chunks: Iterable[bytes], label: str) -> None:
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, _RefuseXml, ValueError, RecursionError):
        raise corrupt(label, "malformed XML") from None
