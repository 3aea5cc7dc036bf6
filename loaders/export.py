"""Export the current observations in the template layout (xlsx or csv).

The export is itself a valid import: exporting, importing into an empty database and
exporting again gives the same file contents. Cells are inert (indicators.tabular_files): text that a
spreadsheet would run as a formula is a string cell in xlsx and carries a leading ' in CSV.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook as XlsxWorkbook

from indicators.catalogue import Catalogue
from indicators.errors import InvalidArgument
from indicators.store import Store
from indicators.tabular_files import first_sheet, write_csv, write_sheet
from loaders.template import DATA_SHEET, TEMPLATE_HEADERS

EXPORT_FORMATS = (".xlsx", ".csv")


def export_frame(store: Store, catalogue: Catalogue) -> pd.DataFrame:
    """Current observations as template columns, in a stable order."""
    current = store.current_observations()
    regions = {k: v.name_zh for k, v in catalogue.regions.items()}
    indicators = {k: v.name_zh for k, v in catalogue.indicators.items()}
    frame = pd.DataFrame({
        "地区": current["region_id"].map(regions).fillna(current["region_id"]),
        "指标": current["indicator_id"].map(indicators).fillna(current["indicator_id"]),
        "年份": current["year"].astype("int64"),
        "月份": current["month"].astype("Int64"),
        "数值": current["value"].astype("float64"),
        "单位": current["unit"],
        "状态": current["status"],
        "来源": current["source"],
        "备注": current["note"],
    })
    return frame.sort_values(["地区", "指标", "年份", "月份"], na_position="first", kind="stable").reset_index(drop=True)[TEMPLATE_HEADERS]


def export_observations(store: Store, catalogue: Catalogue, out: Path) -> int:
    """Write the export to `out` (.xlsx or .csv, UTF-8 with BOM so Excel shows Chinese); returns the row count."""
    suffix = out.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise InvalidArgument(f"导出文件须以 .xlsx 或 .csv 结尾 / export file must end in .xlsx or .csv: {out.name}")
    frame = export_frame(store, catalogue)
    if suffix == ".csv":
        write_csv(frame, out)
        return len(frame)
    book = XlsxWorkbook()
    sheet = first_sheet(book, DATA_SHEET)
    write_sheet(sheet, frame)
    book.save(out)
    return len(frame)
