"""Worksheet area bounds for xlsx/xlsm: every cell calamine could place, bounded before calamine allocates it."""

from __future__ import annotations

import functools
import itertools
import posixpath
import re
import zipfile
from collections.abc import Sequence

from loaders.read import xlsx_parts
from loaders.read.guards.zip import feed_xml, iter_member, member_key, read_small_member, safe_expat, verify_member
from loaders.read.limits import SMALL_XML_MAX_BYTES, Extents, ReadLimits
from loaders.read.refusals import calamine_call, corrupt

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
    for chunk in itertools.chain(iter_member(archive, info, label), [b""]):
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
            pieces.feed(memoryview(buf)[:max(limit, 0)])  # every cell tag starting before `limit` has been proved
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
    for chunk in iter_member(archive, info, label):
        buf = tail + chunk
        if _ABSURD_REF.search(buf):
            raise corrupt(label, "cell reference out of range")
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

    feed_xml(safe_expat(start, end), iter_member(archive, info, label), label)
    return state["max_row"], state["max_col"]


def _small_xml_elements(data: bytes, label: str) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes) of every element of a small XML document, parsed safely."""
    found: list[tuple[str, dict[str, str]]] = []
    feed_xml(safe_expat(lambda name, attrs: found.append((name.rpartition(":")[2], attrs))), [data], label)
    return found


def _target_candidates(target: str) -> set[str]:
    """Member keys a relationship target may resolve to; readers differ, so the bound covers them all."""
    stripped = target.lstrip("/")
    return {member_key(path) for path in (stripped, f"xl/{stripped}", posixpath.normpath(posixpath.join("xl", target)))}


def _xlsx_sheet_parts(archive: zipfile.ZipFile, label: str) -> dict[str, set[str]]:
    """Sheet name → member keys its XML part may be, from xl/workbook.xml and its relationships."""
    workbook = _small_xml_elements(read_small_member(archive, "xl/workbook.xml", label, SMALL_XML_MAX_BYTES), label)
    rels_data = read_small_member(archive, "xl/_rels/workbook.xml.rels", label, SMALL_XML_MAX_BYTES)
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


def guard_xlsx(archive: zipfile.ZipFile, label: str, limits: ReadLimits, wanted: Sequence[str] | None) -> Extents:
    """Bound every XML part and every sheet target (any of them may be read as a worksheet); verify the rest.

    Long sheets among those wanted start being parsed in pieces while they are checked (loaders.read.xlsx_parts).
    """
    sheet_parts = _xlsx_sheet_parts(archive, label)
    targets = set().union(*sheet_parts.values()) if sheet_parts else set()
    extents = Extents()
    try:
        pieces = _piece_readers(archive, label, sheet_parts, targets, wanted)
        part_extent: dict[str, tuple[int, int]] = {}
        for info in archive.infolist():
            key = member_key(info.filename)
            if key.endswith(".xml") or key in targets:
                reader = pieces.get(info.filename)
                part_extent[key] = _xlsx_part_extent(archive, info, label, limits.max_cells, reader)
                if reader is not None and not reader.abandoned:
                    extents.long_sheets[reader.sheet_name] = reader
            else:
                verify_member(archive, info, label)
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
        by_key.setdefault(member_key(info.filename), []).append(info)
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
        if owners[member_key(info.filename)] != [sheet] or not xlsx_parts.worth_splitting(info.file_size):
            continue
        others = {i.filename for i in infos if member_key(i.filename) in targets and i is not info}

        def members(info: zipfile.ZipInfo = info, others: set[str] = others) -> list[tuple[str, bytes]]:
            return [(i.filename, b"" if i is info else xlsx_parts.EMPTY_WORKSHEET if i.filename in others
                     else archive.read(i)) for i in infos]

        readers[info.filename] = xlsx_parts.PieceReader(members, info.filename, sheet, info.file_size,
                                                        lambda call: calamine_call(label, call))
    return readers
