"""Import a spreadsheet: read → parse → validate → preview (diff) → publish one atomic batch.

Nothing is written until `publish`, and `publish` writes through the store's single
write path, so a failed import changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.catalogue import Catalogue
from indicators.store import BatchInfo, BatchResult, Store
from loaders.errors import LoaderError, Problem
from loaders.read import Workbook, read_workbook
from loaders.template import ParsedTable, find_template_header, parse_template_sheet


@dataclass
class ImportPreview:
    """What an import would do, shown to the analyst before anything is written."""

    file_name: str
    sha256: str
    sheet: str
    layout: str
    rows: pd.DataFrame
    diff: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = self.diff["change"].value_counts()
        return {k: int(counts.get(k, 0)) for k in ("new", "changed", "unchanged")}


def parse_workbook(workbook: Workbook, catalogue: Catalogue, sheet_name: str | None = None) -> ParsedTable:
    """The table of the workbook in the long template (the chosen sheet, else the first that has the header)."""
    sheets = workbook.sheets
    if sheet_name is not None:
        sheets = [s for s in sheets if s.name == sheet_name]
        if not sheets:
            names = "、".join(s.name for s in workbook.sheets)
            raise LoaderError([Problem(workbook.file_name, sheet_name, None, f"工作簿中没有名为“{sheet_name}”的工作表（现有：{names}）。",
                                       f"No sheet named '{sheet_name}'.", "请用 --sheet 指定现有的工作表名。")])
    chosen = next((s for s in sheets if find_template_header(s) is not None), sheets[0])
    table = parse_template_sheet(workbook, chosen, catalogue)
    if table.problems:
        raise LoaderError(table.problems)
    return table


def prepare_import(
    path: Path, catalogue: Catalogue, store: Store, *, display_name: str | None = None, sheet: str | None = None,
) -> ImportPreview:
    """Read and validate a file and compare it with the database; raises LoaderError with every problem."""
    workbook = read_workbook(path, display_name=display_name)
    table = parse_workbook(workbook, catalogue, sheet)
    rows = table.rows.drop(columns=["cell"])
    return ImportPreview(
        file_name=workbook.file_name, sha256=workbook.sha256, sheet=table.sheet, layout=table.layout,
        rows=rows, diff=store.diff(rows), warnings=table.warnings,
    )


def publish(preview: ImportPreview, store: Store, user: str, *, note: str | None = None, kind: str = "import") -> BatchResult:
    """Write the previewed rows as one batch with their provenance."""
    info = BatchInfo(file_name=preview.file_name, sha256=preview.sha256, imported_by=user, sheet=preview.sheet,
                     note=note, kind=kind)
    return store.write_batch(info, preview.rows)
