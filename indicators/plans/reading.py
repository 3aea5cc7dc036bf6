"""A plan's file → its text: .txt, .docx, .pdf, .html, each read by a maintained library, with every guard.

Nothing in a file is ever run: HTML scripts, styles and embedded objects are dropped before the text is taken,
a .docx is checked as a zip (member count, declared sizes, compression ratio, encryption) before python-docx
opens it, a PDF is refused when encrypted or longer than MAX_PDF_PAGES. Every refusal names the file and says
what to do, in Chinese and English (PlanFileError, a UserError).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

from indicators.errors import UserError
from indicators.inert_text import strip_unsafe

MIB = 1024 * 1024
MAX_FILE_BYTES = 20 * MIB  # a plan of 100 pages is well under 5 MB in any of the formats
MAX_TEXT_CHARS = 1_000_000  # ~30 times a long plan (Tianjin's has 28,000); more is not one plan, and extraction stays in seconds
MAX_PDF_PAGES = 300  # the longest provincial plans have ~60 pages
MAX_ZIP_MEMBERS = 2_000  # a .docx has tens of members
MAX_UNCOMPRESSED_BYTES = 100 * MIB  # all members of a .docx together, as declared in the zip directory
MAX_DOCUMENT_XML_BYTES = 20 * MIB  # word/document.xml of a 100-page plan is a few MB; python-docx holds it all in memory
MAX_COMPRESSION_RATIO = 100  # per member above RATIO_CHECK_MIN_BYTES; zip bombs are 1000:1 and more
RATIO_CHECK_MIN_BYTES = 1 * MIB
MAX_HTML_TAGS = 50_000  # a government page holding a plan has a few thousand; parsing costs ~0.15 ms a tag
DROPPED_HTML_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "canvas", "head")
BLOCK_HTML_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "td", "th")
SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
# PDF fonts often map 二 目 比 to the look-alike Kangxi radicals (U+2F00–2FDF, U+2E80–2EFF); NFKC maps them back.
_RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")
# A PDF line ends where the page did, not where the sentence did: join it to the next unless a sentence or a
# title ends there or a numbered heading ("（一）", "一、", "第一章") starts the next line.
_HEADING_START = r"[ \t]*(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章节条])"
_WRAPPED_LINE = re.compile(rf"(?<![。；！？：:;!?])[ \t]*\n(?!{_HEADING_START})")


class PlanFileError(UserError):
    """A plan file that cannot be read, with the file's name and what to do."""


def _refuse(name: str, zh: str, en: str) -> PlanFileError:
    return PlanFileError(f"方案文件“{name}”：{zh}\nPlan file '{name}': {en}")


def read_plan_file(path: Path) -> str:
    """The plan's text; raises PlanFileError naming the file for anything that is not a readable plan."""
    name = path.name
    if not path.is_file():
        raise _refuse(name, "找不到该文件。", "the file does not exist.")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(name, f"文件过大（{size / MIB:.1f} MB，上限 {MAX_FILE_BYTES // MIB} MB）。请只上传方案正文。",
                      f"the file is too large ({size / MIB:.1f} MB, limit {MAX_FILE_BYTES // MIB} MB). Upload the plan's text only.")
    return read_plan_bytes(path.read_bytes(), name)


def read_plan_bytes(data: bytes, name: str) -> str:
    """The text of a plan uploaded as bytes (the plans page uses this; `name` decides the format)."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(name, f"文件过大（上限 {MAX_FILE_BYTES // MIB} MB）。", f"the file is too large (limit {MAX_FILE_BYTES // MIB} MB).")
    suffix = Path(name).suffix.lower()
    if suffix == ".txt":
        text = _decode(data, name)
    elif suffix == ".docx":
        text = _docx_text(data, name)
    elif suffix == ".pdf":
        text = _pdf_text(data, name)
    elif suffix in (".html", ".htm"):
        markup = _decode(data, name)
        if markup.count("<") > MAX_HTML_TAGS:
            raise _refuse(name, f"网页标签过多（超过 {MAX_HTML_TAGS:,} 个），不像一份方案网页。请另存为 .txt 或 .docx 后上传。",
                          f"too many tags (over {MAX_HTML_TAGS:,}) for a plan's web page. Save it as .txt or .docx and upload that.")
        text = _html_text(markup)
    else:
        raise _refuse(name, "不支持的格式。请上传 .txt、.docx、.pdf 或 .html 文件（.doc 请先另存为 .docx）。",
                      "unsupported format. Upload a .txt, .docx, .pdf or .html file (save a .doc as .docx first).")
    if len(text) > MAX_TEXT_CHARS:
        raise _refuse(name, f"文字过多（{len(text):,} 字，上限 {MAX_TEXT_CHARS:,}），不像一份实施方案。",
                      f"too much text ({len(text):,} characters, limit {MAX_TEXT_CHARS:,}); this is not one plan.")
    text = strip_unsafe(text)  # control and bidi characters would make a quote read differently from what it says
    if not text.strip():
        raise _refuse(name, "没有可读的文字（扫描件需先做文字识别）。", "no readable text (a scanned PDF needs OCR first).")
    return text


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise _refuse(name, "这不是文本文件（含二进制内容）。", "this is not a text file (binary content).")
    for encoding in ("utf-8-sig", "gb18030"):  # government sites publish both
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(name, "无法识别文字编码，请另存为 UTF-8。", "unknown text encoding; save it as UTF-8.")


def _check_zip(archive: zipfile.ZipFile, name: str) -> None:
    """Zip-bomb and encryption checks from the central directory, before anything is decompressed."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _refuse(name, f"压缩包内文件数过多（{len(infos):,}），不像正常的 Word 文档。",
                      f"too many members ({len(infos):,}) for a Word document.")
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refuse(name, "文档已加密，请去除密码后再上传。", "the document is encrypted; remove the password first.")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(name, f"解压后过大（{total / MIB:,.0f} MB），疑似压缩炸弹，已拒绝。",
                      f"it would expand to {total / MIB:,.0f} MB: a suspected zip bomb, refused.")
    for info in infos:
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise _refuse(name, f"其中“{info.filename[:80]}”的压缩比异常，疑似压缩炸弹，已拒绝。",
                          f"member '{info.filename[:80]}' has an abnormal compression ratio: a suspected zip bomb, refused.")
    document = next((info for info in infos if info.filename == "word/document.xml"), None)
    if document is None:
        raise _refuse(name, "这不是 Word 文档（.docx）。", "this is not a Word document (.docx).")
    if document.file_size > MAX_DOCUMENT_XML_BYTES:
        raise _refuse(name, f"正文过大（{document.file_size / MIB:,.0f} MB），不像一份实施方案。",
                      f"the document body is too large ({document.file_size / MIB:,.0f} MB) for one plan.")


def _docx_text(data: bytes, name: str) -> str:
    import docx  # python-docx: loaded only for .docx files
    from docx.opc.exceptions import PackageNotFoundError

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise _refuse(name, "文件已损坏，不是有效的 .docx。", "the file is damaged or not a .docx.") from None
    with archive:
        _check_zip(archive, name)
    try:
        document = docx.Document(io.BytesIO(data))  # ZipExtFile never yields more than a member's declared size
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError, SyntaxError) as exc:
        raise _refuse(name, f"无法读取 Word 文档（{type(exc).__name__}）。", f"cannot read the Word document ({type(exc).__name__}).") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # some plans put their targets in a table
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader  # loaded only for .pdf files
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _refuse(name, "PDF 已加密，请去除密码后再上传。", "the PDF is encrypted; remove the password first.")
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise _refuse(name, f"PDF 页数过多（{pages} 页，上限 {MAX_PDF_PAGES}）。请只上传方案正文。",
                          f"too many pages ({pages}, limit {MAX_PDF_PAGES}). Upload the plan itself.")
        texts: list[str] = []
        total = 0
        for page in reader.pages:
            text = page.extract_text() or ""
            total += len(text)
            if total > MAX_TEXT_CHARS:
                raise _refuse(name, "PDF 中的文字过多，不像一份实施方案。", "too much text in the PDF for one plan.")
            texts.append(_WRAPPED_LINE.sub("", _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)))
    except PlanFileError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AssertionError) as exc:
        raise _refuse(name, f"无法读取 PDF（{type(exc).__name__}），文件可能已损坏。",
                      f"cannot read the PDF ({type(exc).__name__}); the file may be damaged.") from None
    return "\n".join(texts)


def _html_text(markup: str) -> str:
    from bs4 import BeautifulSoup, NavigableString, Tag  # loaded only for .html files

    soup = BeautifulSoup(markup, "html.parser")  # the standard-library parser: builds a tree, runs nothing
    parts: list[str] = []
    stack: list[object] = [soup]
    while stack:  # one pass, no recursion and no tree edits: 100,000 nested <div>s stay linear
        node = stack.pop()
        if isinstance(node, Tag):
            if node.name in DROPPED_HTML_TAGS:
                continue  # scripts, styles, frames and what they hold are never read
            if node.name in BLOCK_HTML_TAGS:
                parts.append("\n")  # a paragraph starts a line; inline tags (<b>40%</b>) do not
            stack.extend(reversed(node.contents))
        elif type(node) is NavigableString:  # not a Comment, CData or processing instruction
            parts.append(str(node))
    return "".join(parts)
