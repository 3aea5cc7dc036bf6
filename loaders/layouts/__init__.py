"""Recognise how a sheet lays out its numbers and turn every value cell into one raw record.

Layouts (the analyst sees the Chinese description in the preview):

- ``long_template`` — our template: one value per row with 地区, 指标, 年份, 数值, 单位 columns.
- ``records`` — one region and year per row, the indicators as value columns (CEADs "emission vector";
  a template without the 指标 column, with --indicator); or a 数值 column beside 地区/指标/年份 columns with no
  year (or region) column, the sheet's name giving it ("2021", "2021年", "天津市"), else --year/--region, else the
  sheet is refused, naming it. Our template without its 年份 column is such a table (not strict: a sheet-per-year
  bureau table lists other cities, which are skipped); --layout long_template still demands all five columns.
- grids, named rows_by_columns: ``indicators_by_years`` (communiqué and yearbook summaries),
  ``regions_by_years`` (CEADs city matrix, county file), ``regions_by_indicators`` (one year),
  ``years_by_indicators``, ``years_by_regions``, ``indicators_by_regions``. The dimension on neither axis
  (the region of an indicators × years table, the indicator of a regions × years matrix, the year of a
  regions × indicators table) comes from --region/--indicator/--year, else the sheet name ("Tianjin2019",
  "2021"), else the title, else a NOTE sheet — and a warning says it was inferred.

Why a room of its own: everything between a sheet's cells (loaders.read) and raw records, one per value
cell, that `loaders.validate` then checks. This face decides: template or record table (`records`, read
column-wise) or a grid (`grid`, read row by row, on the sheet's shape as `structure` finds it), and what the
sheet's name, title and NOTE sheet say about the dimension on neither axis and the unit. `rawtable` holds what
the parts share: the layouts, the RawTable they return, hints and skipped rows. Nothing here decides whether a
value is valid: that is `loaders.validate`.
"""

from __future__ import annotations

import re

from indicators.catalogue import match_key
from loaders.errors import Problem, cell_name
from loaders.layouts.grid import read_grid
from loaders.layouts.rawtable import AXES, Hint, Hints, RawTable, display, refused
from loaders.layouts.records import read_records, records_header, sheet_dimensions, sheet_records_header
from loaders.layouts.structure import Structure, analyse
from loaders.matching import Matcher, label_unit
from loaders.normalise import nfkc, normalise_text, parse_unit_line, parse_year
from loaders.overrides import Overrides
from loaders.read import Sheet, Workbook
from loaders.template import HEADER_SEARCH_ROWS, find_template_header

METADATA_SHEETS = frozenset({"note", "notes", "readme", "说明", "注释", "元数据", "metadata", "about", "info", "填写说明"})
_META_UNIT_KEY = re.compile(r"(?:units?|单位)(?:\s*/\s*(?:units?|单位))?\s*[:：]?", re.IGNORECASE)
_META_TYPE_KEY = re.compile(r"(?:type|类型|content|内容|indicator|指标)(?:\s*/\s*(?:type|类型|content|内容|indicator|指标))?\s*[:：]?",
                            re.IGNORECASE)
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
MAX_GRID_CELLS = 2_000_000  # grids are read cell by cell in Python; bigger tables belong in the long template


# ---------------------------------------------------------------------------------------------------------------
# Workbook-level hints and the context of a sheet
# ---------------------------------------------------------------------------------------------------------------


def is_metadata_sheet(sheet: Sheet) -> bool:
    return match_key(sheet.name) in METADATA_SHEETS


def workbook_hints(workbook: Workbook, matcher: Matcher) -> Hints:
    """Unit and indicator stated in NOTE/说明 sheets as 'key | value' rows (values may hold several lines)."""
    hints = Hints()
    for sheet in workbook.sheets:
        if not is_metadata_sheet(sheet):
            continue
        for r, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS * 2]):
            cells = [(c, v) for c, v in enumerate(row) if isinstance(v, str) and v.strip()]
            if len(cells) < 2:
                continue
            key, (c, value) = nfkc(cells[0][1]).strip(), cells[1]
            lines = [line.strip() for line in nfkc(value).splitlines() if line.strip()]
            where = f"{sheet.name}!{cell_name(r, c)}"
            if hints.unit is None and _META_UNIT_KEY.fullmatch(key):
                unit = next((line for line in lines if label_unit(line)), None)
                if unit:
                    hints.unit = Hint(label_unit(unit), "metadata", where)
            if hints.indicator is None and _META_TYPE_KEY.fullmatch(key):
                found = next((i for line in lines if (i := matcher.indicator(line))), None)
                if found:
                    hints.indicator = Hint(found, "metadata", where)
    return hints


def sheet_context(sheet: Sheet, structure: Structure | None, matcher: Matcher, overrides: Overrides, hints: Hints) -> dict[str, Hint]:
    """Region, indicator, year and unit for the whole sheet: overrides, then sheet name, title, NOTE sheet."""
    context: dict[str, Hint] = {}
    title = structure.title_text if structure else ""
    name = normalise_text(sheet.name)
    name_year = _YEAR_IN_TEXT.search(name)
    name_rest = _YEAR_IN_TEXT.sub("", name).strip(" _-—()（）")
    names = {r.id: r.name_zh for r in matcher.catalogue.regions.values()}
    indicators = {i.id: i.name_zh for i in matcher.catalogue.indicators.values()}

    if overrides.region:
        context["region"] = Hint(overrides.region, "override", names[overrides.region])
    elif name_rest and (found := matcher.region(name_rest, strict=True).region_id):
        context["region"] = Hint(found, "sheet", names[found])
    elif title and (found := matcher.region_in_text(title)):
        context["region"] = Hint(found, "title", names[found])

    if overrides.indicator:
        context["indicator"] = Hint(overrides.indicator, "override", indicators[overrides.indicator])
    elif name_rest and (found := matcher.indicator(name_rest)):
        context["indicator"] = Hint(found, "sheet", indicators[found])
    elif title and (found := matcher.indicator_in_text(title)):
        context["indicator"] = Hint(found, "title", indicators[found])
    elif hints.indicator is not None:
        context["indicator"] = Hint(hints.indicator.value, "metadata", indicators[str(hints.indicator.value)])

    if overrides.year:
        context["year"] = Hint(overrides.year, "override", str(overrides.year))
    elif name_year and (year := parse_year(name_year.group(1))):
        context["year"] = Hint(year, "sheet", str(year))
    elif title and (match := _YEAR_IN_TEXT.search(title)) and (year := parse_year(match.group(1))):
        context["year"] = Hint(year, "title", str(year))

    if overrides.unit:
        context["unit"] = Hint(overrides.unit, "override", "")
    elif structure is not None and structure.unit_line is not None:
        context["unit"] = Hint(structure.unit_line[0], "title", structure.unit_line[1])
    elif (unit := parse_unit_line(sheet.name)) is not None:
        context["unit"] = Hint(label_unit(unit) or unit, "sheet", sheet.name)
    elif hints.unit is not None:
        context["unit"] = hints.unit
    return context


# ---------------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------------


def _records(workbook: Workbook, sheet: Sheet, header: tuple[int, dict[str, int]], matcher: Matcher, overrides: Overrides,
             hints: Hints, layout: str) -> RawTable:
    """A record table (the template or another table of named columns) under the header found at `header`.

    A dimension the table has a column for is read from that column, so a guess at it from the sheet name, title or
    NOTE sheet is dropped (it would otherwise be reported as inferred). A region or year it has no column for comes
    from --region/--year, else the sheet name ("2021", "2021年", "天津市"); when neither says it the sheet is refused,
    naming it."""
    header_row, cols = header
    context = {dim: hint for dim, hint in sheet_context(sheet, None, matcher, overrides, hints).items()
               if dim not in cols or dim not in AXES or hint.source == "override"}
    missing = [dim for dim in sheet_dimensions(cols) if dim not in context]
    if missing:
        return RawTable(sheet.name, layout, field_cols=dict(cols), context=context,
                        problems=[_no_sheet_dimension(workbook.file_name, sheet, header_row, cols, dim) for dim in missing])
    return read_records(workbook.file_name, sheet, header_row, cols, matcher, overrides, context, layout=layout)


_SHEET_DIMENSION_TEXT = {
    "region": ("地区", "region", "天津”“天津市", "--region"),
    "year": ("年份", "year", "2021”“2021年", "--year"),
}


def _no_sheet_dimension(file: str, sheet: Sheet, header_row: int, cols: dict[str, int], dim: str) -> Problem:
    """A record table without a `dim` column on a sheet whose name does not give it either."""
    zh, en, names, flag = _SHEET_DIMENSION_TEXT[dim]
    example = {"region": "--region 天津", "year": "--year 2023"}[dim]
    name = display(sheet.name)
    return Problem(file, sheet.name, cell_name(header_row, min(cols.values())),
                   f"工作表“{name}”的记录表没有“{zh}”列，工作表名“{name}”也不是{zh}，无法确定各行的{zh}。",
                   f"Sheet '{name}' is a record table without a {en} column, and its name is not a {en}.",
                   f"请把工作表命名为{zh}（如“{names}”），或在表头加“{zh}”列，或用 {flag} 指定（如 {example}）。",
                   f"Name the sheet after its {en}, add a {en} column, or pass {example}.")


def read_table(workbook: Workbook, sheet: Sheet, matcher: Matcher, overrides: Overrides, hints: Hints) -> RawTable:
    """The sheet's raw records under the layout found (or forced by overrides.layout), with what was noticed."""
    file = workbook.file_name
    if overrides.layout in (None, "long_template"):
        found = find_template_header(sheet)
        if found is not None:
            return _records(workbook, sheet, found, matcher, overrides, hints, "long_template")
        if overrides.layout == "long_template":
            return refused(file, sheet, "找不到模板表头（需要 地区、指标、年份、数值、单位 五列）。",
                            "Template header not found (needs 地区, 指标, 年份, 数值, 单位).",
                            "请使用 python -m loaders template 生成的模板，或去掉 --layout。")
    if sheet.n_rows * sheet.n_cols > MAX_GRID_CELLS:
        return refused(file, sheet, f"表格有 {sheet.n_rows:,} 行 × {sheet.n_cols:,} 列，超出宽表版式 {MAX_GRID_CELLS:,} 个单元格的上限。",
                        f"The sheet is {sheet.n_rows:,} × {sheet.n_cols:,}, over the {MAX_GRID_CELLS:,}-cell cap for wide layouts.",
                        "请整理为长表模板（python -m loaders template）后导入。")
    if overrides.layout in (None, "records"):
        records = records_header(sheet) or sheet_records_header(sheet)
        if records is not None:
            return _records(workbook, sheet, records, matcher, overrides, hints, "records")
    structure = analyse(sheet)
    context = sheet_context(sheet, structure, matcher, overrides, hints)
    return read_grid(file, sheet, structure, matcher, overrides, context)

