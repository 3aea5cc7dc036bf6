"""OLE2 compound files: telling .xls from other Office files, and bounding each .xls sheet from its BIFF records."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Sequence

from loaders.read.limits import Extents, ReadLimits
from loaders.read.refusals import corrupt, encrypted, not_spreadsheet, too_many_cells

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
        raise corrupt(label, f"compound file: {exc}") from None


def ole2_format(data: bytes, label: str) -> str:
    """'xls' for a BIFF workbook; refusals for encrypted OOXML, Word, PowerPoint and others."""
    names = {n.lower() for n in _open_ole2(data, label).names()}
    if {"encryptioninfo", "encryptedpackage"} & names:
        raise encrypted(label)
    if "workbook" in names or "book" in names:
        return "xls"
    if "worddocument" in names:
        raise not_spreadsheet(label, "Word 文档（.doc）", "a Word document (.doc)")
    if "powerpoint document" in names:
        raise not_spreadsheet(label, "PowerPoint 演示文稿（.ppt）", "a PowerPoint presentation (.ppt)")
    raise not_spreadsheet(label, "Office 复合文档，但不是 Excel 工作簿", "an Office compound file without a workbook")


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
                    raise corrupt(label, "DIMENSIONS record out of range")
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


def guard_xls(data: bytes, label: str, limits: ReadLimits) -> Extents:
    """Encryption (FILEPASS) and cell bounds from the BIFF records.

    calamine builds every sheet of an .xls when it opens the file, so every sheet is checked here,
    not only the ones asked for.
    """
    ole = _open_ole2(data, label)
    try:
        stream = ole.stream("Workbook") or ole.stream("Book") or b""
    except (_Ole2Error, struct.error, IndexError) as exc:
        raise corrupt(label, f"compound file: {exc}") from None
    if not stream:
        raise corrupt(label, "empty Workbook stream")
    sheets: list[tuple[int, str]] = []
    for kind, rec in _biff_records(stream, 0):
        if kind == _BIFF_FILEPASS:
            raise encrypted(label)
        if kind == _BIFF_BOUNDSHEET and len(rec) >= 4:
            sheets.append((struct.unpack_from("<I", rec)[0], _boundsheet_name(rec, len(sheets))))
        if kind == _BIFF_EOF:
            break
    bounds = []
    for pos, name in sheets:
        if pos >= len(stream):
            raise corrupt(label, "sheet offset beyond the workbook stream")
        rows, cols = _biff_sheet_extent(stream, pos, label)
        if rows * cols > limits.max_cells:
            raise too_many_cells(label, name, rows, cols, limits.max_cells)
        bounds.append((rows, cols))
    # By position: calamine lists the sheets in BOUNDSHEET order.
    return Extents(by_position=bounds, fallback=max(bounds, key=lambda rc: rc[0] * rc[1], default=(0, 0)))
