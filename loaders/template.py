"""The long template analysts fill in: writing it (openpyxl) and parsing it.

Columns: 地区, 指标, 年份, 数值, 单位 (required) and 月份, 状态, 来源, 备注 (optional).
English headers (Region, Indicator, Year, Value, Unit, Month, Status, Source, Note)
are accepted too, and 指标 may hold an indicator id, Chinese name or alias.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook as XlsxWorkbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.catalogue import Catalogue, match_key
from indicators.store import STATUSES
from loaders.errors import Problem, cell_name
from loaders.normalise import canonical_unit, conversion_factor, parse_number, parse_year
from loaders.read import Sheet, Workbook

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
STATUS_ALIASES = {"preliminary": "初步", "final": "正式", "revised": "修订", "estimated": "估计", "初步核算": "初步"}
DEFAULT_STATUS = "正式"
SUGGESTIONS = 3  # near-miss names offered for an unknown indicator or region
DATA_SHEET = "数据"


@dataclass
class ParsedTable:
    """Rows read from one sheet, ready for the store, with what was noticed on the way."""

    sheet: str
    layout: str
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


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


def suggest(text: str, forms: dict[str, str], names: dict[str, str]) -> str:
    """'；是否为：A、B？' listing the closest known names, or '' when nothing is close."""
    close = difflib.get_close_matches(match_key(text), list(forms), n=SUGGESTIONS * 3, cutoff=0.5)
    ids = list(dict.fromkeys(forms[c] for c in close))[:SUGGESTIONS]
    if not ids:
        return ""
    return "是否为：" + "、".join(names[i] for i in ids) + "？"


def parse_template_sheet(workbook: Workbook, sheet: Sheet, catalogue: Catalogue) -> ParsedTable:
    """Parse a sheet in the long template; every problem is collected, none raised."""
    found = find_template_header(sheet)
    table = ParsedTable(sheet=sheet.name, layout="long_template", rows=pd.DataFrame())
    if found is None:
        table.problems.append(Problem(
            workbook.file_name, sheet.name, None,
            "找不到模板表头（需要 地区、指标、年份、数值、单位 五列）。",
            "Template header not found (needs columns 地区, 指标, 年份, 数值, 单位).",
            "请使用 python -m loaders template 生成的模板，或在第一行写上这些列名。",
        ))
        return table
    header_row, cols = found
    records: list[dict[str, object]] = []
    for r in range(header_row + 1, len(sheet.rows)):
        row = sheet.rows[r]
        cells = {f: (row[c] if c < len(row) else None) for f, c in cols.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        record = _parse_row(workbook, sheet, r, cols, cells, catalogue, table)
        if record is not None:
            records.append(record)
    table.rows = pd.DataFrame.from_records(records, columns=[
        "region_id", "indicator_id", "year", "month", "value", "unit", "status", "source", "note", "cell",
    ])
    _check_duplicates(workbook, sheet, table)
    if not records and not table.problems:
        table.problems.append(Problem(
            workbook.file_name, sheet.name, None, "表中只有表头，没有数据行。", "The sheet has a header but no data rows.",
            "请在表头下方逐行填写数据。",
        ))
    return table


def _parse_row(
    workbook: Workbook, sheet: Sheet, r: int, cols: dict[str, int], cells: dict[str, object],
    catalogue: Catalogue, table: ParsedTable,
) -> dict[str, object] | None:
    """One data row → a record, or None after adding its problems to the table."""
    problems_before = len(table.problems)

    def problem(field_name: str, zh: str, en: str, hint: str) -> None:
        table.problems.append(Problem(workbook.file_name, sheet.name, cell_name(r, cols[field_name]), zh, en, hint))

    region_text, indicator_text = cells["region"], cells["indicator"]
    region_id = catalogue.find_region(region_text)
    if region_id is None:
        names = {k: v.name_zh for k, v in catalogue.regions.items()}
        problem("region", f"地区“{region_text}”不在地区目录中。{suggest(str(region_text), catalogue.region_forms(), names)}",
                f"Unknown region '{region_text}'.", "请填写目录中的地区名称、别名或6位行政区划代码。")
    indicator_id = catalogue.find_indicator(indicator_text)
    if indicator_id is None:
        names = {k: v.name_zh for k, v in catalogue.indicators.items()}
        problem("indicator", f"指标“{indicator_text}”不在指标目录中。{suggest(str(indicator_text), catalogue.indicator_forms(), names)}",
                f"Unknown indicator '{indicator_text}'.", "请填写指标目录中的名称或别名（见模板“指标列表”工作表）。")
    year = parse_year(cells["year"])
    if year is None:
        problem("year", f"年份“{cells['year']}”无法识别或超出1949年至明年的范围。", f"Year '{cells['year']}' is not a valid year.",
                "请填写四位年份，如 2023。")
    month = None
    if "month" in cols and cells["month"] not in (None, ""):
        month_number = _try_number(cells["month"])
        if month_number is None or not month_number.is_integer() or not 1 <= month_number <= 12:
            problem("month", f"月份“{cells['month']}”应为1到12的整数。", f"Month '{cells['month']}' must be 1..12.",
                    "年度数据请留空；年内累计数据填截至的月份。")
        else:
            month = int(month_number)
    value = None
    try:
        value = parse_number(cells["value"])
        if value is None:
            problem("value", "数值为空。", "The value is empty.", "请填写数值；没有数据的行请删除。")
    except ValueError:
        problem("value", f"数值“{cells['value']}”无法识别为数字。", f"'{cells['value']}' is not a number.",
                "请填写数字（可带%或千分位逗号），或删除该行。")
    unit_text = str(cells["unit"]).strip() if cells["unit"] not in (None, "") else ""
    status = _status(cells.get("status"))
    if status is None:
        problem("status", f"状态“{cells.get('status')}”不可识别。", f"Unknown status '{cells.get('status')}'.",
                f"请填写 {'、'.join(STATUSES)} 之一，或留空（默认{DEFAULT_STATUS}）。")
    if indicator_id is not None and value is not None:
        indicator = catalogue.indicators[indicator_id]
        value = _convert_unit(workbook, sheet, r, cols, unit_text, indicator.unit, value, table)
    if len(table.problems) > problems_before:
        return None
    source = cells.get("source")
    note = cells.get("note")
    return {
        "region_id": region_id, "indicator_id": indicator_id, "year": year, "month": month, "value": value,
        "unit": catalogue.indicators[indicator_id].unit, "status": status,
        "source": str(source).strip() if source not in (None, "") else workbook.file_name,
        "note": str(note).strip() if note not in (None, "") else None,
        "cell": cell_name(r, cols["value"]),
    }


def _try_number(cell: object) -> float | None:
    try:
        return parse_number(cell)
    except ValueError:
        return None


def _status(cell: object) -> str | None:
    if cell is None or str(cell).strip() == "":
        return DEFAULT_STATUS
    text = str(cell).strip()
    if text in STATUSES:
        return text
    return STATUS_ALIASES.get(text.lower())


def _convert_unit(
    workbook: Workbook, sheet: Sheet, r: int, cols: dict[str, int], unit_text: str, target_unit: str,
    value: float, table: ParsedTable,
) -> float:
    """The value in the indicator's unit; a problem if the units cannot be reconciled."""
    where = cell_name(r, cols["unit"])
    if not unit_text:
        table.problems.append(Problem(workbook.file_name, sheet.name, where, "单位为空。", "The unit is empty.",
                                      f"请填写单位（该指标的单位是“{target_unit}”）。"))
        return value
    if canonical_unit(unit_text) == canonical_unit(target_unit):
        return value
    factor = conversion_factor(unit_text, target_unit)
    if factor is None:
        table.problems.append(Problem(
            workbook.file_name, sheet.name, where, f"单位“{unit_text}”与指标单位“{target_unit}”不一致，且无法换算。",
            f"Unit '{unit_text}' is incompatible with the indicator's unit '{target_unit}'.",
            f"请把数值换算为“{target_unit}”后填写。"))
        return value
    table.warnings.append(Problem(
        workbook.file_name, sheet.name, where, f"已将单位“{unit_text}”换算为“{target_unit}”（×{factor:g}）。",
        f"Converted '{unit_text}' to '{target_unit}' (×{factor:g}).", "请核对换算后的数值。"))
    return value * factor


def _check_duplicates(workbook: Workbook, sheet: Sheet, table: ParsedTable) -> None:
    """Two rows for one key: an error if the values differ, dropped with a warning if identical."""
    if table.rows.empty:
        return
    key = ["region_id", "indicator_id", "year", "month"]
    frame = table.rows.assign(_month=table.rows["month"].fillna(0))
    groups = frame.groupby(["region_id", "indicator_id", "year", "_month"], sort=False, dropna=False)
    keep = []
    for _, group in groups:
        if len(group) > 1 and group["value"].nunique() > 1:
            cells = "、".join(group["cell"])
            values = "、".join(f"{v:g}" for v in group["value"])
            table.problems.append(Problem(
                workbook.file_name, sheet.name, group["cell"].iloc[-1],
                f"同一地区、指标、年份出现多行且数值不同（{cells}：{values}）。",
                f"Duplicate key with conflicting values ({cells}).", "请只保留正确的一行。"))
        elif len(group) > 1:
            table.warnings.append(Problem(
                workbook.file_name, sheet.name, group["cell"].iloc[-1],
                f"重复行已合并（{'、'.join(group['cell'])}）。", "Identical duplicate rows merged.", "无需处理。"))
        keep.append(group.index[0])
    table.rows = table.rows.loc[sorted(keep)].drop_duplicates(subset=key).reset_index(drop=True)


def write_template(out: Path, catalogue: Catalogue) -> None:
    """An empty template with the header, drop-down lists and a sheet of instructions."""
    book = XlsxWorkbook()
    data = book.active
    data.title = DATA_SHEET
    data.append(TEMPLATE_HEADERS)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in data[1]:
        cell.font, cell.fill = bold, fill
    for letter, width in zip("ABCDEFGHI", (12, 36, 8, 8, 12, 14, 8, 30, 30), strict=True):
        data.column_dimensions[letter].width = width
    data.freeze_panes = "A2"

    indicators = book.create_sheet("指标列表")
    indicators.append(["指标", "指标代码", "单位", "领域", "英文名称", "别名"])
    for ind in catalogue.indicators.values():
        indicators.append([ind.name_zh, ind.id, ind.unit, catalogue.areas[ind.area].name_zh, ind.name_en, "、".join(ind.aliases)])
    regions = book.create_sheet("地区列表")
    regions.append(["地区", "代码", "别名"])
    for region in catalogue.regions.values():
        regions.append([region.name_zh, region.code, "、".join(region.aliases)])
    for sheet in (indicators, regions):
        for cell in sheet[1]:
            cell.font = bold

    n_ind, n_reg = len(catalogue.indicators) + 1, len(catalogue.regions) + 1
    for formula, column in ((f"'指标列表'!$A$2:$A${n_ind}", "B"), (f"'地区列表'!$A$2:$A${n_reg}", "A"),
                            (f'"{",".join(STATUSES)}"', "G")):
        validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
        validation.add(f"{column}2:{column}10000")
        data.add_data_validation(validation)

    guide = book.create_sheet("填写说明")
    for line in (
        "绿色低碳目标监测看板 数据模板 / Green Target Monitor data template",
        "每行一个数值：地区、指标、年份、数值、单位为必填。",
        "月份：年度数据留空；年内累计数据填截至月份（1-12）。",
        f"状态：{'、'.join(STATUSES)}，留空按“{DEFAULT_STATUS}”处理。",
        "来源：如“2023年天津市国民经济和社会发展统计公报”；留空则记录为文件名。",
        "能耗强度等累计降低类目标：填写逐年下降率（指标“单位地区生产总值能耗下降率”）或能耗强度水平，系统自动连乘计算累计降低。",
        "导入命令：python -m loaders import 文件.xlsx --dry-run 先预览，再去掉 --dry-run 发布。",
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 110
    book.save(out)
