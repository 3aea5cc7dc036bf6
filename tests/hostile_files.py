"""Hostile uploads, each written into a folder by one small function, with the refusal it must cause.

`HOSTILE_FILES` lists the generators; each returns a HostileFile: where the file is, the Chinese
fragment the LoaderError must contain, and the caps/display name the read must use. Files stay
small (the biggest is a few hundred KB); "too large" cases shrink the caps instead.
Also holds tiny writers for xlsx, ods, OLE2 and BIFF8 so every file here is built from scratch.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from loaders.read import DEFAULT_LIMITS, ReadLimits


class HostileFile(NamedTuple):
    path: Path
    expected_zh: str  # a fragment of the Chinese message
    limits: ReadLimits = DEFAULT_LIMITS
    display_name: str | None = None  # the name the "user" uploaded it under, if not the path's name


# ---------------------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{overrides}</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def sheet_xml(body: str, *, namespaces: str = _SHEET_NS) -> str:
    """A worksheet part whose <sheetData> holds `body` (rows written by hand)."""
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    return f"{head}<worksheet {namespaces}><sheetData>{body}</sheetData></worksheet>"


def inline_cell(ref: str | None, text: str) -> str:
    """An inline-string cell; ref None writes a cell without an r attribute."""
    where = f' r="{ref}"' if ref else ""
    return f'<c{where} t="inlineStr"><is><t>{text}</t></is></c>'


MAIN_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def xlsx_bytes(sheets: dict[str, str], *, shared_strings: list[str] | None = None, workbook_prefix: str = "",
               main_content_type: str = MAIN_CONTENT_TYPE) -> bytes:
    """A minimal xlsx: one part per sheet (name → worksheet XML), optional shared strings."""
    sheet_tags = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, 1))
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{workbook_prefix}'
                f"<workbook {_SHEET_NS} {_REL_NS}><sheets>{sheet_tags}</sheets></workbook>")
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    if shared_strings is not None:
        n = len(sheets) + 1
        rels += (f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 'sharedStrings" Target="sharedStrings.xml"/>')
        overrides += ('<Override PartName="/xl/sharedStrings.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        types = _CONTENT_TYPES.format(overrides=overrides).replace(MAIN_CONTENT_TYPE, main_content_type)
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                         f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
                         "</Relationships>")
        for i, xml in enumerate(sheets.values(), 1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared_strings is not None:
            items = "".join(f"<si><t>{s}</t></si>" for s in shared_strings)
            archive.writestr("xl/sharedStrings.xml",
                             f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {_SHEET_NS} '
                             f'count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">{items}</sst>')
    return buffer.getvalue()


def small_xlsx_bytes() -> bytes:
    """A valid one-sheet workbook with a header and two rows."""
    rows = "".join(
        f'<row r="{r}">{inline_cell(f"A{r}", a)}<c r="B{r}"><v>{b}</v></c></row>'
        for r, (a, b) in enumerate([("地区", 2021), ("天津", 1.5), ("湛江", 2.5)], 1))
    return xlsx_bytes({"数据": sheet_xml(rows)})


def ods_bytes(content_body: str) -> bytes:
    """A minimal ODS whose spreadsheet body is `content_body` (table:table elements)."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f"<office:body><office:spreadsheet>{content_body}</office:spreadsheet></office:body>"
               "</office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                         '<manifest:file-entry manifest:full-path="/" '
                         'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                         '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                         "</manifest:manifest>")
    return buffer.getvalue()


_SECTOR = 512
_FREE, _END, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, start: int, size: int, child: int = _NO_STREAM, right: int = _NO_STREAM) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _NO_STREAM, right, child) + b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16
            + struct.pack("<IQ", start, size))


def ole2_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (MS-CFB v3) holding `streams` in the root storage.

    Streams are padded to 4096 bytes so none lives in the mini stream; siblings are chained to the
    right in CFB name order, which readers accept.
    """
    ordered = sorted(streams.items(), key=lambda kv: (len(kv[0]), kv[0].upper()))
    payloads = [data.ljust(4096, b"\0") for _, data in ordered]
    n_entries = len(ordered) + 1
    dir_sectors = -(-n_entries * 128 // _SECTOR)
    fat = [_FAT_SECTOR] + [i + 2 for i in range(dir_sectors - 1)] + [_END]
    entries = [_dir_entry("Root Entry", 5, _END, 0, child=1 if ordered else _NO_STREAM)]
    next_sector = 1 + dir_sectors
    for i, ((name, _), payload) in enumerate(zip(ordered, payloads, strict=True)):
        count = len(payload) // _SECTOR
        fat += [next_sector + j + 1 for j in range(count - 1)] + [_END]
        right = i + 2 if i + 1 < len(ordered) else _NO_STREAM
        entries.append(_dir_entry(name, 2, next_sector, len(payload), right=right))
        next_sector += count
    if len(fat) > _SECTOR // 4:
        raise ValueError("ole2_bytes writes one FAT sector only; use fewer or smaller streams")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<108I", *([_FREE] * 108)))
    fat_sector = struct.pack(f"<{_SECTOR // 4}I", *(fat + [_FREE] * (_SECTOR // 4 - len(fat))))
    directory = b"".join(entries).ljust(dir_sectors * _SECTOR, b"\0")
    return header + fat_sector + directory + b"".join(payloads)


def _biff(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff8_workbook(cells: list[tuple[int, int, float]], *, dimensions: tuple[int, int, int, int] | None = None,
                   encrypted: bool = False) -> bytes:
    """A BIFF8 Workbook stream: globals (BOF, optional FILEPASS, BOUNDSHEET, EOF) and one sheet of NUMBER cells."""
    bof_globals = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 1997, 0, 0x0106))
    bof_sheet = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 1997, 0, 0x0106))
    filepass = _biff(0x002F, struct.pack("<H", 1) + b"\x01\x00\x01\x00" + b"\x11" * 48) if encrypted else b""
    name = b"Sheet1"

    def boundsheet(position: int) -> bytes:
        return _biff(0x0085, struct.pack("<IBBBB", position, 0, 0, len(name), 0) + name)

    eof = _biff(0x000A, b"")
    globals_length = len(bof_globals) + len(filepass) + len(boundsheet(0)) + len(eof)
    sheet = bof_sheet
    if dimensions is not None:
        sheet += _biff(0x0200, struct.pack("<IIHHH", *dimensions, 0))
    for row, col, value in cells:
        sheet += _biff(0x0203, struct.pack("<HHHd", row, col, 15, value))
    sheet += eof
    return bof_globals + filepass + boundsheet(globals_length) + eof + sheet


# ---------------------------------------------------------------------------------------------------------------
# The hostile files
# ---------------------------------------------------------------------------------------------------------------


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def empty_file(folder: Path) -> HostileFile:
    return HostileFile(_write(folder, "empty.xlsx", b""), "文件是空的")


def random_bytes_named_xlsx(folder: Path) -> HostileFile:
    data = bytes([0x00, 0x13]) + random.Random(4).randbytes(3000)
    return HostileFile(_write(folder, "random.xlsx", data), "不是电子表格文件")


def png_renamed_to_xlsx(folder: Path) -> HostileFile:
    data = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
    return HostileFile(_write(folder, "chart.xlsx", data), "PNG 图片")


def pdf_renamed_to_xls(folder: Path) -> HostileFile:
    return HostileFile(_write(folder, "report.xls", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), "PDF 文档")


def html_table_renamed_to_xls(folder: Path) -> HostileFile:
    html = "<html><head><meta charset='utf-8'></head><body><table><tr><td>地区</td><td>数值</td></tr></table></body></html>"
    return HostileFile(_write(folder, "export.xls", html.encode()), "网页（HTML）")


def html_renamed_to_csv(folder: Path) -> HostileFile:
    html = "<!DOCTYPE html>\n<html><body><script>alert(1)</script><table><tr><td>1</td></tr></table></body></html>"
    return HostileFile(_write(folder, "data.csv", html.encode()), "网页（HTML）")


def spreadsheetml_2003_renamed_to_xls(folder: Path) -> HostileFile:
    xml = ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
           '<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="Number">1</Data></Cell></Row></Table>'
           "</Worksheet></Workbook>")
    return HostileFile(_write(folder, "old.xls", xml.encode()), "Excel 2003 XML")


def gzip_renamed_to_xlsx(folder: Path) -> HostileFile:
    import gzip

    return HostileFile(_write(folder, "data.xlsx", gzip.compress(b"a,b\n1,2\n")), "gzip")


def plain_zip_renamed_to_xlsx(folder: Path) -> HostileFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return HostileFile(_write(folder, "bundle.xlsx", buffer.getvalue()), "普通的 ZIP 压缩包")


def docx_renamed_to_xlsx(folder: Path) -> HostileFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return HostileFile(_write(folder, "plan.xlsx", buffer.getvalue()), "Word 文档")


def xlsb_workbook(folder: Path) -> HostileFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return HostileFile(_write(folder, "binary.xlsb", buffer.getvalue()), ".xlsb")


def truncated_xlsx(folder: Path) -> HostileFile:
    data = small_xlsx_bytes()
    return HostileFile(_write(folder, "cut.xlsx", data[: len(data) // 2]), "文件已损坏或不完整")


def xlsx_with_bad_crc(folder: Path) -> HostileFile:
    data = bytearray(small_xlsx_bytes())
    central = data.rfind(b"PK\x01\x02")  # last central-directory entry: the worksheet
    data[central + 16:central + 20] = b"\xde\xad\xbe\xef"
    return HostileFile(_write(folder, "crc.xlsx", bytes(data)), "文件已损坏或不完整")


def xlsx_with_duplicate_members(folder: Path) -> HostileFile:
    """The sheet twice, differing in case: a scanner and calamine could each pick a different one."""
    source = zipfile.ZipFile(io.BytesIO(small_xlsx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        archive.writestr("XL/worksheets/sheet1.xml", sheet_xml(f'<row r="1">{inline_cell("XFD1048576", "x")}</row>'))
    return HostileFile(_write(folder, "twice.xlsx", buffer.getvalue()), "文件已损坏或不完整")


def xlsx_with_broken_sheet_xml(folder: Path) -> HostileFile:
    broken = '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></row></worksheet>'
    return HostileFile(_write(folder, "broken.xlsx", xlsx_bytes({"数据": broken})), "文件已损坏或不完整")


def zip_bomb_by_ratio(folder: Path) -> HostileFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=""))
        archive.writestr("xl/workbook.xml", f"<workbook {_SHEET_NS}/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))  # ~20 KB compressed
    return HostileFile(_write(folder, "bomb.xlsx", buffer.getvalue()), "疑似压缩炸弹")


def zip_bomb_by_total_size(folder: Path) -> HostileFile:
    filler = random.Random(7).randbytes(300_000)  # incompressible: the ratio check stays quiet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=""))
        archive.writestr("xl/workbook.xml", f"<workbook {_SHEET_NS}/>")
        archive.writestr("xl/media/filler.bin", filler)
    limits = ReadLimits(max_uncompressed_bytes=200_000)
    return HostileFile(_write(folder, "heavy.xlsx", buffer.getvalue()), "解压后过大", limits)


def zip_with_encrypted_member(folder: Path) -> HostileFile:
    """Members flagged as encrypted (general-purpose bit 0), as zip tools write for a password."""
    data = bytearray(small_xlsx_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(signature)
        while pos != -1:
            data[pos + flag_offset] |= 0x1
            pos = data.find(signature, pos + 4)
    return HostileFile(_write(folder, "locked.xlsx", bytes(data)), "加密或受密码保护")


def encrypted_ooxml_workbook(folder: Path) -> HostileFile:
    """What Excel writes for a password-protected .xlsx: an OLE2 file with EncryptionInfo/EncryptedPackage."""
    data = ole2_bytes({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 64})
    return HostileFile(_write(folder, "secret.xlsx", data), "加密或受密码保护")


def encrypted_xls_workbook(folder: Path) -> HostileFile:
    """A BIFF8 workbook with a FILEPASS record (password to open)."""
    data = ole2_bytes({"Workbook": biff8_workbook([(0, 0, 1.0)], encrypted=True)})
    return HostileFile(_write(folder, "secret.xls", data), "加密或受密码保护")


def word_doc_renamed_to_xls(folder: Path) -> HostileFile:
    return HostileFile(_write(folder, "minutes.xls", ole2_bytes({"WordDocument": b"\xec\xa5" + bytes(30)})), "Word 文档")


def corrupt_ole2_file(folder: Path) -> HostileFile:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(9).randbytes(700)
    return HostileFile(_write(folder, "damaged.xls", data), "文件已损坏或不完整")


def xls_cell_far_away(folder: Path) -> HostileFile:
    """Two cells at A1 and (65535, 65535): calamine would allocate 4 billion cells and abort."""
    data = ole2_bytes({"Workbook": biff8_workbook([(0, 0, 1.0), (65535, 65535, 2.0)])})
    return HostileFile(_write(folder, "far.xls", data), "工作表过大")


def xls_dimensions_out_of_range(folder: Path) -> HostileFile:
    """A DIMENSIONS record declaring ~68 billion cells, which calamine reserves up front."""
    data = ole2_bytes({"Workbook": biff8_workbook([(0, 0, 1.0)], dimensions=(0, 1_048_576, 0, 65535))})
    return HostileFile(_write(folder, "dims.xls", data), "文件已损坏或不完整")


def oversized_file(folder: Path) -> HostileFile:
    return HostileFile(_write(folder, "big.xlsx", small_xlsx_bytes()), "文件过大", ReadLimits(max_file_bytes=1000))


def workbook_with_only_empty_sheets(folder: Path) -> HostileFile:
    data = xlsx_bytes({"Sheet1": sheet_xml(""), "Sheet2": sheet_xml('<row r="3"/>')})
    return HostileFile(_write(folder, "blank.xlsx", data), "工作簿是空的")


def workbook_with_only_blank_strings(folder: Path) -> HostileFile:
    rows = f'<row r="1">{inline_cell("A1", "  ")}{inline_cell("B1", "")}</row>'
    return HostileFile(_write(folder, "spaces.xlsx", xlsx_bytes({"Sheet1": sheet_xml(rows)})), "工作簿是空的")


def sheet_over_cell_cap(folder: Path) -> HostileFile:
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{col}{r}"><v>{r}</v></c>' for col in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 21))
    data = xlsx_bytes({"数据": sheet_xml(rows)})
    return HostileFile(_write(folder, "wide.xlsx", data), "工作表过大", ReadLimits(max_cells=100))


def xlsx_cell_at_far_corner(folder: Path) -> HostileFile:
    """A1 and XFD1048576 in a 1 KB file: 17 billion cells if allocated densely."""
    rows = f'<row r="1">{inline_cell("A1", "x")}</row><row r="1048576">{inline_cell("XFD1048576", "y")}</row>'
    return HostileFile(_write(folder, "corner.xlsx", xlsx_bytes({"数据": sheet_xml(rows)})), "工作表过大")


def xlsx_far_rows_without_references(folder: Path) -> HostileFile:
    """Cells without r="…": positions follow the row number and the cells before them."""
    wide_row = "<row>" + "".join(inline_cell(None, str(i)) for i in range(40)) + "</row>"
    rows = wide_row + f'<row r="1048576">{inline_cell(None, "far")}</row>'
    return HostileFile(_write(folder, "noref.xlsx", xlsx_bytes({"数据": sheet_xml(rows)})), "工作表过大")


def xlsx_prefixed_cells_far_away(folder: Path) -> HostileFile:
    """Namespace-prefixed tags (<x:c>) that a literal '<c ' search would miss."""
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    body = ('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>'
            '<x:row r="1048576"><x:c r="XFD1048576" t="inlineStr"><x:is><x:t>b</x:t></x:is></x:c></x:row>')
    xml = f'<?xml version="1.0"?><x:worksheet {ns}><x:sheetData>{body}</x:sheetData></x:worksheet>'
    return HostileFile(_write(folder, "prefixed.xlsx", xlsx_bytes({"数据": xml})), "工作表过大")


def xlsx_sheet_part_without_xml_extension(folder: Path) -> HostileFile:
    """The worksheet stored as 'sheet1.dat': a guard that only looks at *.xml would never see the far cell."""
    rows = f'<row r="1">{inline_cell("A1", "x")}</row><row r="1048576">{inline_cell("XFD1048576", "y")}</row>'
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"数据": sheet_xml(rows)})))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info).replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.dat")
            archive.writestr(info.filename.replace("sheet1.xml", "sheet1.dat"), data)
    return HostileFile(_write(folder, "renamed_part.xlsx", buffer.getvalue()), "工作表过大")


def zip_with_too_many_members(folder: Path) -> HostileFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", f"<workbook {_SHEET_NS}/>")
        for i in range(10_001):
            archive.writestr(f"x/{i}", b"")
    return HostileFile(_write(folder, "swarm.xlsx", buffer.getvalue()), "文件数过多")


def xls_sheet_offset_beyond_stream(folder: Path) -> HostileFile:
    stream = bytearray(biff8_workbook([(0, 0, 1.0)]))
    position = stream.find(struct.pack("<H", 0x0085)) + 4
    stream[position:position + 4] = struct.pack("<I", 10_000_000)
    return HostileFile(_write(folder, "offset.xls", ole2_bytes({"Workbook": bytes(stream)})), "文件已损坏或不完整")


def xlsx_with_entity_expansion(folder: Path) -> HostileFile:
    """A 'billion laughs' DTD in workbook.xml; entities are never expanded."""
    dtd = ('<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    data = xlsx_bytes({"数据": sheet_xml(f'<row r="1">{inline_cell("A1", "1")}</row>')}, workbook_prefix=dtd)
    return HostileFile(_write(folder, "laughs.xlsx", data), "文件已损坏或不完整")


def ods_with_repeated_cells(folder: Path) -> HostileFile:
    """A 1 KB ODS whose one repeated non-empty cell expands to a billion cells."""
    body = ('<table:table table:name="S1"><table:table-row table:number-rows-repeated="1000000">'
            '<table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
            "</table:table-row></table:table>")
    return HostileFile(_write(folder, "repeat.ods", ods_bytes(body)), "工作表过大")


def ods_with_space_expansion(folder: Path) -> HostileFile:
    body = ('<table:table table:name="S1"><table:table-row><table:table-cell office:value-type="string">'
            '<text:p>a<text:s text:c="2000000000"/>b</text:p></table:table-cell></table:table-row></table:table>')
    return HostileFile(_write(folder, "spaces.ods", ods_bytes(body)), "展开后过大")


def csv_in_unknown_encoding(folder: Path) -> HostileFile:
    return HostileFile(_write(folder, "bad.csv", "地区,数值\n天津,1\n".encode() + b"\xff\x81\x20\xfe\n"), "无法识别文本编码")


def csv_with_nul_bytes(folder: Path) -> HostileFile:
    return HostileFile(_write(folder, "nul.csv", b"a,b\n1,\x00\x002\n"), "空字符（NUL）")


def csv_over_cell_cap(folder: Path) -> HostileFile:
    text = "\n".join(",".join(str(c) for c in range(10)) for _ in range(30))
    return HostileFile(_write(folder, "long.csv", text.encode()), "工作表过大", ReadLimits(max_cells=100))


def text_named_as_xlsx(folder: Path) -> HostileFile:
    return HostileFile(_write(folder, "table.xlsx", "地区,数值\n天津,1\n".encode()), "文件内容是纯文本")


def path_traversal_name(folder: Path) -> HostileFile:
    """The upload's name tries to point elsewhere; the message must show only a safe base name."""
    path = _write(folder, "upload.bin", b"\x89PNG\r\n\x1a\n" + bytes(20))
    return HostileFile(path, "PNG 图片", display_name="../../etc/cron.d/\x1b[31mpasswd.xlsx")


HOSTILE_FILES: list[Callable[[Path], HostileFile]] = [
    empty_file, random_bytes_named_xlsx, png_renamed_to_xlsx, pdf_renamed_to_xls, html_table_renamed_to_xls,
    html_renamed_to_csv, spreadsheetml_2003_renamed_to_xls, gzip_renamed_to_xlsx, plain_zip_renamed_to_xlsx,
    docx_renamed_to_xlsx, xlsb_workbook, truncated_xlsx, xlsx_with_bad_crc, xlsx_with_duplicate_members,
    xlsx_with_broken_sheet_xml, zip_bomb_by_ratio, zip_bomb_by_total_size, zip_with_encrypted_member,
    encrypted_ooxml_workbook, encrypted_xls_workbook, word_doc_renamed_to_xls, corrupt_ole2_file, xls_cell_far_away,
    xls_dimensions_out_of_range, oversized_file, workbook_with_only_empty_sheets, workbook_with_only_blank_strings,
    sheet_over_cell_cap, xlsx_cell_at_far_corner, xlsx_far_rows_without_references, xlsx_prefixed_cells_far_away,
    xlsx_sheet_part_without_xml_extension, zip_with_too_many_members, xls_sheet_offset_beyond_stream,
    xlsx_with_entity_expansion, ods_with_repeated_cells, ods_with_space_expansion, csv_in_unknown_encoding,
    csv_with_nul_bytes, csv_over_cell_cap, text_named_as_xlsx, path_traversal_name,
]
