"""The long template analysts fill in: its header and writing it (openpyxl); `loaders.layouts` reads it.

Columns: 地区, 指标, 年份, 数值, 单位 (required) and 月份, 状态, 来源, 备注 (optional).
English headers (Region, Indicator, Year, Value, Unit, Month, Status, Source, Note)
are accepted too, and 指标 may hold an indicator id, Chinese name or alias.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook as XlsxWorkbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.catalogue import Catalogue, match_key
from indicators.tabular_files import append_row, first_sheet
from indicators.vocabulary import DATA_STATUSES
from loaders.read import Sheet

# Header text (normalised) → field. Order of TEMPLATE_HEADERS is the column order we write.
TEMPLATE_HEADERS = ["地区", "指标", "年份", "月份", "数值", "单位", "状态", "来源", "备注"]
HEADER_FIELDS = {
    "地区": "region", "region": "region", "地区代码": "region",
    "指标": "indicator", "indicator": "indicator", "指标代码": "indicator", "指标名称": "indicator",
    "年份": "year", "年度": "year", "year": "year",
    "月份": "month", "month": "month",
    "数值": "value", "value": "value", "数据": "value",
    "单位": "unit", "unit": "unit", "计量单位": "unit",
    "状态": "status", "status": "status", "数据状态": "status",
    "来源": "source", "source": "source", "数据来源": "source",
    "备注": "note", "note": "note",
}
REQUIRED_FIELDS = ("region", "indicator", "year", "value", "unit")
HEADER_SEARCH_ROWS = 20  # a title block above the header is common; look this far down
DEFAULT_STATUS = "正式"  # what a blank 状态 cell means
DATA_SHEET = "数据"


def find_template_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(header row index, field → column index) if this sheet has the template header."""
    for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        fields: dict[str, int] = {}
        for c, cell in enumerate(row):
            name = HEADER_FIELDS.get(match_key(str(cell))) if cell not in (None, "") else None
            if name and name not in fields:
                fields[name] = c
        if all(f in fields for f in REQUIRED_FIELDS):
            return r, fields
    return None


def write_template(out: Path, catalogue: Catalogue) -> None:
    """An empty template with the header, drop-down lists and a sheet of instructions."""
    book = XlsxWorkbook()
    data = first_sheet(book, DATA_SHEET)
    append_row(data, TEMPLATE_HEADERS)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in data[1]:
        cell.font, cell.fill = bold, fill
    for letter, width in zip("ABCDEFGHI", (12, 36, 8, 8, 12, 14, 8, 30, 30), strict=True):
        data.column_dimensions[letter].width = width
    data.freeze_panes = "A2"

    indicators = book.create_sheet("指标列表")
    append_row(indicators, ["指标", "指标代码", "单位", "领域", "英文名称", "别名"])
    for ind in catalogue.indicators.values():
        append_row(indicators, [ind.name_zh, ind.id, ind.unit, catalogue.areas[ind.area].name_zh, ind.name_en, "、".join(ind.aliases)])
    regions = book.create_sheet("地区列表")
    append_row(regions, ["地区", "代码", "别名"])
    for region in catalogue.regions.values():
        append_row(regions, [region.name_zh, region.code, "、".join(region.aliases)])
    for sheet in (indicators, regions):
        for cell in sheet[1]:
            cell.font = bold

    n_ind, n_reg = len(catalogue.indicators) + 1, len(catalogue.regions) + 1
    for formula, column in ((f"'指标列表'!$A$2:$A${n_ind}", "B"), (f"'地区列表'!$A$2:$A${n_reg}", "A"),
                            (f'"{",".join(DATA_STATUSES)}"', "G")):
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
        validation.add(f"{column}2:{column}10000")
        data.add_data_validation(validation)

    guide = book.create_sheet("填写说明")
    for line in (
        "绿色低碳目标监测看板 数据模板 / Green Target Monitor data template",
        "每行一个数值：地区、指标、年份、数值、单位为必填。",
        "月份：年度数据留空；年内累计数据填截至月份（1-12）。",
        f"状态：{'、'.join(DATA_STATUSES)}，留空按“{DEFAULT_STATUS}”处理。",
        "来源：如“2023年天津市国民经济和社会发展统计公报”；留空则记录为文件名。",
        "能耗强度等累计降低类目标：填写逐年下降率（指标“单位地区生产总值能耗下降率”）或能耗强度水平，系统自动连乘计算累计降低。",
        "导入命令：python -m loaders import 文件.xlsx --dry-run 先预览，再去掉 --dry-run 发布。",
    ):
        append_row(guide, [line])
    guide.column_dimensions["A"].width = 110
    book.save(out)
