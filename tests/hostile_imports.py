"""Hostile imports beyond the reader's guards: well-formed files whose *content* must be refused, each with its message.

`HOSTILE_IMPORTS` lists generators; each writes one file into a folder and returns a HostileImport: the file,
the Chinese fragment the refusal must contain, and the command-line options the "analyst" used.
Together with `tests.hostile_files.HOSTILE_FILES` (files the reader refuses) they make the hostile suite.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook, load_workbook

from tests.conftest import TEMPLATE_HEADER
from tests.tables import csv, xlsx


class HostileImport(NamedTuple):
    path: Path
    expected_zh: str  # a fragment of the Chinese refusal
    args: tuple[str, ...] = ()  # options given to `python -m loaders import`


AIR = "空气质量优良天数比例"
WIDE_COLUMNS = 4_000  # a sheet far wider than any statistical table
HIGH_TECH = "国家高新技术企业数量"


def _row(region: object = "天津市", indicator: object = AIR, year: object = 2022, month: object = None, value: object = 65.8,
         unit: object = "%", status: object = "正式") -> list[object]:
    return [region, indicator, year, month, value, unit, status, "公报", None]


def _template(folder: Path, name: str, rows: list[list[object]]) -> Path:
    return xlsx(folder / name, {"数据": [TEMPLATE_HEADER, *rows]})


def script_in_indicator_name(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "script.xlsx", [_row(indicator="<script>alert(1)</script>")]), "不在指标目录中")


def _text_cell(path: Path, ref: str, text: str) -> Path:
    """Store text starting with '=' as text, not as a formula (openpyxl would write a formula)."""
    book = load_workbook(path)
    cell = book["数据"][ref]
    cell.value, cell.data_type = text, "s"
    book.save(path)
    return path


def formula_injection_in_region(folder: Path) -> HostileImport:
    """A DDE payload stored as text (as pasted from a malicious CSV): shown quoted, never evaluated."""
    return HostileImport(_text_cell(_template(folder, "dde.xlsx", [_row()]), "A2", "=cmd|' /C calc'!A0"), "不在地区目录中")


def formula_without_a_cached_value(folder: Path) -> HostileImport:
    """openpyxl writes formulas without results; only a cached value is ever read, so the cell is empty."""
    return HostileImport(_template(folder, "nocache.xlsx", [_row(region="=CONCAT(\"天\",\"津\")")]), "地区为空")


def formula_text_as_value(folder: Path) -> HostileImport:
    path = _text_cell(_template(folder, "formula.xlsx", [_row()]), "E2", '=HYPERLINK("http://x","1")')
    return HostileImport(path, "无法识别为数字")


def terminal_escape_in_region(folder: Path) -> HostileImport:
    """ANSI escapes in a CSV cell (xlsx cannot hold them): the message must not pass them to the terminal."""
    return HostileImport(csv(folder / "escape.csv", [TEMPLATE_HEADER, _row(region="\x1b[2J\x1b[31m天津")]), "不在地区目录中")


def ten_thousand_character_indicator(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "long.xlsx", [_row(indicator="指" * 10_000)]), "不在指标目录中")


def csv_with_mixed_encodings(folder: Path) -> HostileImport:
    path = folder / "mixed.csv"
    path.write_bytes(",".join(TEMPLATE_HEADER).encode("utf-8") + b"\n" + ",".join(map(str, _row())).encode("gbk") + b"\n"
                     + "天津市,空气质量优良天数比例,2021,,72.3,%,正式,公报,\n".encode())
    return HostileImport(path, "无法识别文本编码")


def xls_that_is_csv_text(folder: Path) -> HostileImport:
    path = folder / "yearbook.xls"
    path.write_bytes((",".join(TEMPLATE_HEADER) + "\n" + ",".join(map(str, _row())) + "\n").encode("utf-8"))
    return HostileImport(path, "文件内容是纯文本")


def duplicate_keys_with_conflicting_values(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "dup.xlsx", [_row(value=65.8), _row(value=70.0)]), "数值不同")


def share_of_150_percent(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "share.xlsx", [_row(value=150)]), "不能超过100%")


def share_of_150_percent_in_a_gbk_csv(folder: Path) -> HostileImport:
    return HostileImport(csv(folder / "gbk.csv", [TEMPLATE_HEADER, _row(value="150%")], encoding="gbk"), "不能超过100%")


def negative_count(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "negative.xlsx", [_row(indicator=HIGH_TECH, value=-3, unit="家")]), "不能为负数")


def fractional_count(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "fraction.xlsx", [_row(indicator=HIGH_TECH, value=12.5, unit="家")]), "应为整数")


def year_1800(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "y1800.xlsx", [_row(year=1800)]), "超出1949年")


def year_2099(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "y2099.xlsx", [_row(year=2099)]), "超出1949年")


def year_columns_from_1800(folder: Path) -> HostileImport:
    rows = [["地区", 1800, 1801], ["天津", 70.0, 71.0]]
    return HostileImport(xlsx(folder / "grid1800.xlsx", {"Sheet1": rows}), "年份 1800 超出", ("--indicator", AIR))


def month_13(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "m13.xlsx", [_row(month=13)]), "月份“13”应为1到12的整数")


def header_only_template(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "header.xlsx", []), "只有表头")


def header_only_grid(folder: Path) -> HostileImport:
    return HostileImport(xlsx(folder / "grid.xlsx", {"Sheet1": [["地区", "2021", "2022"]]}), "只有表头", ("--indicator", AIR))


def data_only_on_a_hidden_sheet(folder: Path) -> HostileImport:
    sheets = {"封面": [["2022年数据"]], "数据": [TEMPLATE_HEADER, _row()]}
    return HostileImport(xlsx(folder / "hidden.xlsx", sheets, hidden=("数据",)), "隐藏的工作表")


def very_wide_sheet(folder: Path) -> HostileImport:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("宽表")
    sheet.append(["地区", *(f"列{i}" for i in range(WIDE_COLUMNS))])
    sheet.append(["天津", *range(WIDE_COLUMNS)])
    path = folder / "wide.xlsx"
    book.save(path)
    return HostileImport(path, "未能识别")


def only_a_note_sheet(folder: Path) -> HostileImport:
    return HostileImport(xlsx(folder / "note.xlsx", {"NOTE": [["Unit/单位", "%"], ["Type/类型", AIR]]}), "没有可识别的数据表")


def unit_that_cannot_be_the_indicators(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "unit.xlsx", [_row(indicator=HIGH_TECH, value=9000, unit="吨")]), "无法换算")


def percent_value_with_a_count_unit(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "clash.xlsx", [_row(indicator=HIGH_TECH, value="45%", unit="家")]), "不一致")


def missing_unit(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "nounit.xlsx", [_row(unit=None)]), "单位为空")


def empty_value(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "novalue.xlsx", [_row(value=None)]), "数值为空")


def date_as_value(folder: Path) -> HostileImport:
    import datetime as dt

    return HostileImport(_template(folder, "date.xlsx", [_row(value=dt.datetime(2022, 5, 1))]), "日期或时间")


def boolean_as_value(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "bool.xlsx", [_row(value=True)]), "逻辑值")


def range_as_value(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "range.xlsx", [_row(value="60～70")]), "范围")


def unknown_indicator_with_a_near_miss(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "typo.xlsx", [_row(indicator="空气质量优良天数比率X")]), "是否为：空气质量优良天数比例")


def thousands_of_bad_rows(folder: Path) -> HostileImport:
    rows = [_row(year=f"第{i}年") for i in range(3000)]
    return HostileImport(_template(folder, "many.xlsx", rows), "另有 2,980 处同类问题")


def grid_of_cities_none_in_the_catalogue(folder: Path) -> HostileImport:
    rows = [["city", "2019", "2020"], ["安徽安庆", 1.0, 2.0], ["北京", 3.0, 4.0]]
    return HostileImport(xlsx(folder / "cities.xlsx", {"Sheet1": rows}), "既不是目录中的", ("--indicator", "二氧化碳排放量"))


def records_of_cities_none_in_the_catalogue(folder: Path) -> HostileImport:
    rows = [["city", "year", "emission"], ["北京", 2019, 1.0], ["上海", 2019, 2.0]]
    return HostileImport(xlsx(folder / "vector.xlsx", {"Sheet1": rows}), "没有可导入的数值", ("--unit", "Mt"))


def option_naming_a_missing_sheet(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "ok.xlsx", [_row()]), "没有名为“不存在”的工作表", ("--sheet", "不存在"))


def option_naming_an_unknown_indicator(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "ok2.xlsx", [_row()]), "不在指标目录中", ("--indicator", "幸福指数"))


def option_with_year_1800(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "ok3.xlsx", [_row()]), "不是1949年", ("--year", "1800"))


def recipe_name_with_a_path(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "ok4.xlsx", [_row()]), "配方名称只能包含", ("--save-recipe", "../../etc/cron"))


def unknown_recipe(folder: Path) -> HostileImport:
    return HostileImport(_template(folder, "ok5.xlsx", [_row()]), "没有名为“nope”的导入配方", ("--recipe", "nope"))


HOSTILE_IMPORTS: list[Callable[[Path], HostileImport]] = [
    script_in_indicator_name, formula_injection_in_region, formula_without_a_cached_value, formula_text_as_value, terminal_escape_in_region,
    ten_thousand_character_indicator, csv_with_mixed_encodings, xls_that_is_csv_text, duplicate_keys_with_conflicting_values,
    share_of_150_percent, share_of_150_percent_in_a_gbk_csv, negative_count, fractional_count, year_1800, year_2099,
    year_columns_from_1800, month_13, header_only_template, header_only_grid, data_only_on_a_hidden_sheet, very_wide_sheet,
    only_a_note_sheet, unit_that_cannot_be_the_indicators, percent_value_with_a_count_unit, missing_unit, empty_value,
    date_as_value, boolean_as_value, range_as_value, unknown_indicator_with_a_near_miss, thousands_of_bad_rows,
    grid_of_cities_none_in_the_catalogue, records_of_cities_none_in_the_catalogue, option_naming_a_missing_sheet,
    option_naming_an_unknown_indicator, option_with_year_1800, recipe_name_with_a_path, unknown_recipe,
]
