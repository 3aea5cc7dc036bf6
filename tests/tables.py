"""Small writers for the tables the layout and hostile-import tests build (openpyxl, one call per file)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def xlsx(path: Path, sheets: dict[str, list[list[object]]], *, merges: dict[str, list[str]] | None = None,
         hidden: tuple[str, ...] = ()) -> Path:
    """A workbook with the given sheets in order; `merges` lists ranges ('A3:A4') per sheet; `hidden` sheets are hidden."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path
