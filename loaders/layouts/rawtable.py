"""The importer's shared vocabulary: layouts, raw records, where a table-wide value came from, skipped rows.

`loaders.layouts` decides which layout a sheet has and hands it to `loaders.layouts.records` (template and record
tables) or `loaders.layouts.grid` (rows × columns); both return a RawTable of one record per value cell, which
`loaders.validate` checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from indicators.catalogue import match_key
from loaders.columns import Coded
from loaders.errors import Problem, cell_name
from loaders.matching import label_variants
from loaders.normalise import normalise_text
from loaders.overrides import Overrides
from loaders.read import CellValue, Sheet

LAYOUTS: dict[str, tuple[str, str]] = {
    "long_template": ("长表模板：每行一个数值（地区、指标、年份、数值、单位）", "long template: one value per row"),
    "records": ("记录表：每行一个地区和年份，指标为数值列", "records: one region and year per row, indicators as value columns"),
    "indicators_by_years": ("指标为行、年份为列（单一地区）", "indicators as rows × years as columns (one region)"),
    "regions_by_years": ("地区为行、年份为列（单一指标）", "regions as rows × years as columns (one indicator)"),
    "regions_by_indicators": ("地区为行、指标为列（单一年份）", "regions as rows × indicators as columns (one year)"),
    "years_by_indicators": ("年份为行、指标为列（单一地区）", "years as rows × indicators as columns (one region)"),
    "years_by_regions": ("年份为行、地区为列（单一指标）", "years as rows × regions as columns (one indicator)"),
    "indicators_by_regions": ("指标为行、地区为列（单一年份）", "indicators as rows × regions as columns (one year)"),
}
# A `records` table without a region or year column (its sheet's name, or --region/--year, gives it).
SHEET_RECORDS = ("记录表：每行一个数值（地区、指标、数值等列），表中没有的地区或年份取自工作表名",
                 "records: one value per row, the region or year it has no column for taken from the sheet name")
AXES = ("region", "indicator", "year")
DIMENSION_ZH = {"region": "地区", "indicator": "指标", "year": "年份"}
DIMENSION_FLAG = {"region": "--region", "indicator": "--indicator", "year": "--year"}
SOURCE_ZH = {"override": "命令行/配方", "recipe": "配方", "command_line": "命令行", "page": "页面选项",  # override: origin unknown
             "sheet": "工作表名", "title": "表格标题", "metadata": "说明工作表"}
EXAMPLES = 5  # labels quoted in a "skipped" summary
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # control characters, terminal escapes among them
MAX_SHOWN_CHARS = 80  # a cell quoted in a message is cut to this length
RAW_COLUMNS = ["region_id", "region_text", "indicator_id", "indicator_text", "year", "year_raw", "month_raw", "value_raw",
               "unit", "unit_cell", "status_raw", "source_raw", "note_raw", "row", "col"]


def axes_of(layout: str | None) -> tuple[str, str] | None:
    """('region', 'year') for 'regions_by_years'; None for the template and records."""
    if not layout or "_by_" not in layout:
        return None
    rows, cols = layout.split("_by_")
    return rows.removesuffix("s"), cols.removesuffix("s")


def third_dimension(layout: str | None) -> str | None:
    """The dimension on neither axis of a grid: 'indicator' for 'regions_by_years'."""
    axes = axes_of(layout)
    return next(d for d in AXES if d not in axes) if axes else None


@dataclass(frozen=True)
class Hint:
    """A value for the dimension on neither axis, and where it came from (a key of SOURCE_ZH)."""

    value: object
    source: str
    where: str = ""


@dataclass
class Skip:
    """Rows or columns left out because their labels are not in the catalogue."""

    reason_zh: str
    reason_en: str
    labels: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.labels)

    def render(self) -> str:
        distinct = list(dict.fromkeys(self.labels))
        examples = "、".join(distinct[:EXAMPLES])
        more = "…" if len(distinct) > EXAMPLES else ""
        distinct_note = f"，{len(distinct):,} 个不同标签" if len(distinct) != self.count else ""
        return (f"跳过 {self.count:,} 项{distinct_note}：{self.reason_zh}（如 {examples}{more}）"
                f" / skipped {self.count:,}: {self.reason_en}")


@dataclass
class Hints:
    """What a workbook says outside its tables (a CEADs NOTE sheet: 'Unit/单位 million tones 百万吨')."""

    unit: Hint | None = None
    indicator: Hint | None = None


@dataclass
class RawTable:
    """One sheet read as raw records, before validation; `layout` is None when nothing was recognised."""

    sheet: str
    layout: str | None
    strict: bool = False  # the template: unknown labels are errors, not skipped rows
    frame: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RAW_COLUMNS))
    field_cols: dict[str, int] = field(default_factory=dict)  # records: field → column, to name problem cells
    context: dict[str, Hint] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    missing: int = 0  # value cells blank or marked missing ('—', '…')
    title: str = ""
    coded: dict[str, Coded] = field(default_factory=dict)  # raw columns already coded by the reader (records only)

    @property
    def usable(self) -> bool:
        return self.layout is not None and not self.frame.empty

    def locate(self, field_name: str, row: int, col: int) -> str | None:
        """The A1 cell holding `field_name` of the record read from value cell (row, col)."""
        if field_name == "value":
            return cell_name(row, col)
        if field_name in self.field_cols:
            return cell_name(row, self.field_cols[field_name])
        return None

    def description(self, without: tuple[str, ...] = ()) -> tuple[str, str]:
        """The layout in words, with where the dimensions not read from the cells came from (except those `without`)."""
        zh, en = LAYOUTS.get(self.layout or "", ("未识别", "not recognised"))
        if self.layout == "records" and any(d not in self.field_cols for d in ("region", "year")):
            zh, en = SHEET_RECORDS
        for dim, hint in self.context.items():
            if dim in AXES and dim not in without and hint.source != "axis":
                zh += f"；{DIMENSION_ZH[dim]}：{hint.where or hint.value}（来自{SOURCE_ZH.get(hint.source, hint.source)}）"
        return zh, en


# ---------------------------------------------------------------------------------------------------------------
# What the readers share: a refused table, labels mapped by --indicator, cells quoted in messages
# ---------------------------------------------------------------------------------------------------------------


def refused(file: str, sheet: Sheet, zh: str, en: str, hint: str, layout: str | None = None) -> RawTable:
    return RawTable(sheet.name, layout, problems=[Problem(file, sheet.name, None, zh, en, hint)])


def mapped(label: object, overrides: Overrides) -> str | None:
    """The indicator the analyst mapped this label to with --indicator LABEL=NAME."""
    if not overrides.label_map or label is None:
        return None
    for variant in [str(label), *label_variants(label)]:
        found = overrides.label_map.get(match_key(variant))
        if found:
            return found
    return None


def display(value: CellValue) -> str:
    """A cell as shown in a message: 1997.0 → '1997', text normalised, control characters (terminal escapes) replaced,
    and long texts cut, so a hostile cell cannot rewrite the analyst's screen or flood the message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = _CONTROL.sub("?", normalise_text(value))
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def no_dimension(file: str, sheet: Sheet, dim: str, why: str) -> Problem:
    flag = DIMENSION_FLAG[dim]
    example = {"region": "--region 天津", "indicator": "--indicator 二氧化碳排放量", "year": "--year 2023"}[dim]
    return Problem(file, sheet.name, None, f"{why}，表格也没有注明{DIMENSION_ZH[dim]}（工作表名和标题中都没有）。",
                   f"The table does not say which {dim} it holds.", f"请用 {flag} 指定，例如 {example}。")


def hint_cell(hint: Hint) -> str | None:
    """The A1 cell a table-wide unit was read from, when it is a cell of this sheet (a unit line), else None."""
    return hint.where if hint.source == "title" and hint.where else None

