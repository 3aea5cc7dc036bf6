"""Parse one long xlsx worksheet in pieces, on several cores, while the read guard is still checking it.

python-calamine releases the GIL while it parses a sheet, and a 200,000-row sheet takes seconds of it. The
read guard inflates and checks the sheet's XML in order; as soon as it has proved a run of whole rows (every
cell tag in it bounded, see `loaders.read.guards.xlsx`), that run goes into a stand-alone copy of the workbook (stored,
not compressed, the other worksheets left empty) which calamine parses on a worker thread. So the checking,
the parsing and the conversion to Python values overlap instead of following one another.

Only for a sheet where cutting cannot change what is read: the guard proved every cell written as
<c r="…"> (its position does not depend on the rows before it); the root is a plain <worksheet>; one
<sheetData>; no CDATA section or comment among the rows (inside one a '</row>' would not end a row); pieces
whose rows come out of order (rows written out of order in the XML) make the reader parse the sheet whole.
Tests read every fixture both ways and compare.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from python_calamine import CalamineSheet, CalamineWorkbook

MIB = 1024 * 1024
SPLIT_MIN_BYTES = 16 * MIB  # inflated sheet XML below this parses in well under a second: read it whole
MIN_PIECE_BYTES = 8 * MIB  # each piece re-reads the shared strings and styles: pieces are not made smaller
PIECES_PER_CORE = 2  # more pieces than cores: the first ones start while the guard is still checking the rest
MAX_HEAD_BYTES = 1 * MIB  # where <sheetData> must start; sheets with more before it are read whole
SHEET_DATA_OPEN = b"<sheetData>"
SHEET_DATA_CLOSE = b"</sheetData>"
SHEET_DATA_NAME = b"sheetData"
ROW_END = b"</row>"
UNSAFE_MARKUP = b"<!"  # CDATA sections and comments, in which '</row>' is not markup
PLAIN_ROOT = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?<worksheet[\s>]")  # the closing tag written below must match it
CLOSING = SHEET_DATA_CLOSE + b"</worksheet>"  # ends every piece but the last, which keeps the sheet's own ending
EMPTY_WORKSHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')

CalamineCall = Callable[[Callable[[], object]], object]  # runs one calamine call, turning its failures into LoaderErrors


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worth_splitting(xml_bytes: int, cores: int | None = None) -> bool:
    cores = available_cores() if cores is None else cores
    return cores >= 2 and xml_bytes >= SPLIT_MIN_BYTES


def piece_workbook(members: Sequence[tuple[str, bytes]], sheet_member: str, xml: bytes) -> io.BytesIO:
    """The workbook with `xml` as the sheet's part, stored uncompressed (calamine need not inflate it again)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members:
            archive.writestr(name, xml if name == sheet_member else data)
    out.seek(0)
    return out


MAX_BANGS_LOOKED_AT = 64  # '!' in the text itself: after this many, the plain two-byte search takes over


def has_markup(data: bytes, end: int) -> bool:
    """Whether '<!' (a CDATA section or a comment) occurs in data[:end].

    '!' is rare in sheet XML, and finding a single byte is a memchr, several times faster than the two-byte
    search over a sheet whose every other byte is '<': each '!' found is checked for the '<' before it.
    """
    bang = data.find(b"!", 0, end)
    for _ in range(MAX_BANGS_LOOKED_AT):
        if bang < 0:
            return False
        if bang > 0 and data[bang - 1] == UNSAFE_MARKUP[0]:
            return True
        bang = data.find(b"!", bang + 1, end)
    return bang >= 0 and data.find(UNSAFE_MARKUP, bang - 1, end) >= 0


class PieceReader:
    """Takes a long sheet's XML as the guard proves it, and has each run of whole rows parsed as soon as it is complete.

    feed() the proved bytes in order, then close(); abandon() if the guard finds the sheet is not plain after all.
    parts() gives calamine's sheets in order, or None when the sheet must be read whole.
    """

    def __init__(self, members: Callable[[], list[tuple[str, bytes]]], sheet_member: str, sheet_name: str,
                 total_bytes: int, call: CalamineCall, cores: int | None = None) -> None:
        cores = available_cores() if cores is None else cores
        self._members_source = members
        self._members: list[tuple[str, bytes]] | None = None  # read once, when the first piece is cut
        self._sheet_member, self.sheet_name, self._call = sheet_member, sheet_name, call
        self._piece_bytes = max(MIN_PIECE_BYTES, total_bytes // (cores * PIECES_PER_CORE))
        self._pool = ThreadPoolExecutor(max_workers=cores, thread_name_prefix="xlsx-piece")
        self._pending = bytearray()  # the bytes before <sheetData> has been found (the head is small)
        self._head: bytes | None = None
        # The rows after the head, as the chunks fed: joined once per piece, since copying a growing buffer
        # each time a chunk arrives cost as much as the regex proof itself.
        self._chunks: list[bytes | memoryview] = []
        self._size = 0  # bytes in _chunks
        self._searched = 0  # no usable row end starts before this offset of _chunks (past the piece size)
        self._futures: list[Future[CalamineSheet]] = []
        self.abandoned = False
        self.closed = False

    def feed(self, data: bytes | memoryview) -> None:
        if self.abandoned:
            return
        if self._head is None:
            self._pending += data
            if not self._take_head():
                return
            data, self._pending = bytes(self._pending), bytearray()
        if not data:
            return
        self._chunks.append(data)
        self._size += len(data)
        while not self.abandoned and self._size >= self._piece_bytes:
            cut = self._find_cut()
            if cut is None:
                return  # the row under way has not ended yet: wait for more
            joined = b"".join(self._chunks)
            if has_markup(joined, cut) or joined.find(SHEET_DATA_NAME, 0, cut) >= 0:
                self.abandon()
                return
            self._submit(memoryview(joined)[:cut], CLOSING)
            rest = joined[cut:]
            self._chunks, self._size, self._searched = ([rest] if rest else []), len(rest), 0

    def _find_cut(self) -> int | None:
        """The end of the first '</row>' starting at or after the piece size (less its length), searching each byte once."""
        begin = max(self._piece_bytes - len(ROW_END), self._searched)
        offset = 0
        for k, chunk in enumerate(self._chunks):  # the chunk where `begin` lies; a '</row>' may run on into the next
            if offset + len(chunk) > begin:
                window = b"".join(self._chunks[k:])
                found = window.find(ROW_END, begin - offset)
                if found < 0:
                    self._searched = max(begin, self._size - len(ROW_END) + 1)
                    return None
                return offset + found + len(ROW_END)
            offset += len(chunk)
        return None

    def close(self) -> None:
        """Everything has been fed: the rest of the rows, with the sheet's own ending, is the last piece."""
        if self.abandoned:
            return
        self.closed = True
        rest = b"".join(self._chunks) if self._head is not None else bytes(self._pending)
        self._chunks, self._size, self._pending = [], 0, bytearray()
        end = rest.find(SHEET_DATA_CLOSE)
        if self._head is None or end < 0 or rest.count(SHEET_DATA_NAME) != 1 or has_markup(rest, end):
            self.abandon()
            return
        self._submit(rest, b"")

    def abandon(self) -> None:
        """Drop every piece (those being parsed finish harmlessly: their bytes were proved)."""
        self.abandoned = True
        self._pending = bytearray()
        self._chunks, self._size = [], 0
        for future in self._futures:
            future.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def parts(self) -> Iterator[CalamineSheet] | None:
        """calamine's sheet of each piece, in order, as each is parsed; None if the sheet must be read whole."""
        if self.abandoned or not self.closed:
            return None
        return self._results()

    def _results(self) -> Iterator[CalamineSheet]:
        try:
            for future in self._futures:
                yield future.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _take_head(self) -> bool:
        """Split off everything up to <sheetData> once it has arrived; abandon if the sheet's start is not plain."""
        start = self._pending.find(SHEET_DATA_OPEN)
        if start < 0:
            if len(self._pending) > MAX_HEAD_BYTES:
                self.abandon()
            return False
        start += len(SHEET_DATA_OPEN)
        head = bytes(self._pending[:start])
        if not PLAIN_ROOT.match(head) or UNSAFE_MARKUP in head or head.count(SHEET_DATA_NAME) != 1:
            self.abandon()
            return False
        self._head = head
        del self._pending[:start]
        return True

    def _submit(self, body: bytes | memoryview, ending: bytes) -> None:
        assert self._head is not None
        if self._members is None:
            self._members = self._members_source()
        xml = b"".join((self._head, body, ending))  # the piece's one copy
        members = self._members
        self._futures.append(self._pool.submit(self._parse, members, xml))

    def _parse(self, members: list[tuple[str, bytes]], xml: bytes) -> CalamineSheet:
        data = piece_workbook(members, self._sheet_member, xml)
        book = self._call(lambda: CalamineWorkbook.from_filelike(data))
        assert isinstance(book, CalamineWorkbook)
        sheet = self._call(lambda: book.get_sheet_by_name(self.sheet_name))
        assert isinstance(sheet, CalamineSheet)
        return sheet


def assemble(parts: Iterator[CalamineSheet], to_python: Callable[[CalamineSheet], list[list[object]]],
             check: Callable[[int, int], None]) -> list[list[object]] | None:
    """The pieces' rows at their own positions from A1 (cells left of a piece's first column are None).

    None when a piece's rows do not all lie below the previous piece's (then pieces could overlap: read it
    whole). check(rows, cols) is called with the area so far before each piece becomes Python values.
    Rows may differ in length; the reader pads and trims them afterwards.
    """
    rows: list[list[object]] = []
    width = 0
    for part in parts:
        if part.start is None or part.end is None:  # an empty piece
            continue
        (first_row, first_col), (last_row, last_col) = part.start, part.end
        if first_row < len(rows):
            return None
        width = max(width, last_col + 1)
        check(last_row + 1, width)
        rows.extend([] for _ in range(first_row - len(rows)))
        block = to_python(part)
        if first_col:
            pad: list[object] = [None] * first_col
            block = [pad + row for row in block]
        rows.extend(block)
    return rows
