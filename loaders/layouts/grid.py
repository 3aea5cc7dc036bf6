"""Grids: one dimension down the label columns, one across the header, the third from the sheet's context.

Read row by row in Python — published grids are small (the CEADs county file is 2,738 × 28). Handles
section headings that carry a unit ('构成 (%)'), English continuation lines, rows with numbers but no
label, region key columns (codes first), and near misses ("是否为") for labels not in the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from loaders.columns import frame as object_frame
from loaders.errors import Problem, cell_name
from loaders.layouts.rawtable import (
    AXES,
    DIMENSION_ZH,
    EXAMPLES,
    LAYOUTS,
    RAW_COLUMNS,
    Hint,
    RawTable,
    Skip,
    axes_of,
    display,
    hint_cell,
    mapped,
    no_dimension,
    refused,
)
from loaders.layouts.structure import CODE_HEADER, CODE_SHARE, Structure, blank, in_range_year, year_like
from loaders.matching import Matcher, label_unit, looks_like_code
from loaders.normalise import is_missing, normalise_text, parse_year
from loaders.overrides import Overrides
from loaders.read import CellValue, Sheet

_CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_NEAR_MISS_CHECKS = 300  # unknown labels compared with the catalogue for "是否为" hints (difflib is slow)
MAX_NEAR_MISSES = 10  # "是否为" warnings shown at most

@dataclass
class _Axis:
    """Keys of the rows or the columns: index → (key, label text, unit, unit cell)."""

    kind: str
    keys: dict[int, tuple[object, str, str | None, str | None]] = field(default_factory=dict)
    skipped: list[Skip] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown: list[tuple[str, str, CellValue]] = field(default_factory=list)  # (label, cell, value) of labels not matched

    @property
    def matched(self) -> int:
        return len({k[0] for k in self.keys.values()})


def read_grid(file: str, sheet: Sheet, st: Structure, matcher: Matcher, overrides: Overrides, context: dict[str, Hint]) -> RawTable:
    rows = st.sheet.rows
    if not st.value_cols or st.data_start >= st.data_end:
        why = ("表中没有数值单元格", "no cell holds a number") if not st.value_cols else ("表中只有表头，没有数据行", "header only")
        return _unrecognised(file, sheet, st, why)
    forced = axes_of(overrides.layout)
    if forced:
        row_kind, col_kind = forced
        if col_kind == "year" and st.year_header is None:
            return refused(file, sheet, "指定了年份为列，但表头中没有年份。", "The layout says years are columns, but no header row holds years.",
                            "请检查 --layout，或去掉它让系统自动识别。", overrides.layout)
        cols = _column_axis(file, sheet, st, matcher, overrides, col_kind)
        row_axis = _row_axis(file, sheet, st, matcher, overrides, row_kind)
    else:
        col_candidates = ["year"] if st.year_header is not None else ["indicator", "region"]
        col_axes = [_column_axis(file, sheet, st, matcher, overrides, kind) for kind in col_candidates]
        cols = max(col_axes, key=lambda a: a.matched)
        if cols.matched == 0 and cols.problems:  # e.g. every year in the header out of range
            return RawTable(sheet.name, None, problems=cols.problems)
        if cols.matched == 0:
            return _unrecognised(file, sheet, st, ("列标题不是年份，也不是目录中的指标或地区",
                                                   "the column headers are neither years nor catalogue indicators or regions"))
        row_kinds = [k for k in AXES if k != cols.kind]
        row_axes = [_row_axis(file, sheet, st, matcher, overrides, kind) for kind in row_kinds]
        row_axis = max(row_axes, key=lambda a: (a.matched, _preference(a.kind, overrides)))
        if row_axis.matched == 0:
            return _nothing_matched(file, sheet, st, matcher, cols, row_axes, context)
    layout = f"{row_axis.kind}s_by_{cols.kind}s"
    table = RawTable(sheet.name, layout, context=context, title=st.title_text)
    third = next(k for k in AXES if k not in (row_axis.kind, cols.kind))
    if third not in context:
        table.problems.append(no_dimension(file, sheet, third, f"这是“{LAYOUTS[layout][0]}”的表"))
    table.problems += cols.problems + row_axis.problems
    table.skipped += row_axis.skipped + cols.skipped
    for label, cell, names in _near_misses(row_axis, matcher):
        table.warnings.append(Problem(file, sheet.name, cell, f"行标签“{label}”不在目录中，已跳过；是否为：{'、'.join(names)}？",
                                      f"Row label '{label}' is not in the catalogue and was skipped.",
                                      "如确是该项，请改正标签或用 --indicator '标签=指标' 指定。"))
    table.context = {**context, row_axis.kind: Hint(None, "axis"), cols.kind: Hint(None, "axis")}
    if table.problems and third not in context:
        return table
    _fill_grid(file, table, st, rows, row_axis, cols, context, third)
    if table.frame.empty and not table.problems:
        table.problems.append(Problem(file, sheet.name, None, "表中匹配的行列没有任何数值（全部为空或缺失标记）。",
                                      "The matched rows and columns hold no values (all blank or missing markers).",
                                      "请检查是否选对了工作表。"))
    return table


def _preference(kind: str, overrides: Overrides) -> int:
    """Tie-break between row kinds: a dimension the analyst gave is not an axis."""
    given = {"indicator": overrides.indicator, "region": overrides.region, "year": overrides.year}
    return 0 if given.get(kind) else 1


def _fill_grid(file: str, table: RawTable, st: Structure, rows: list[list[CellValue]], row_axis: _Axis, cols: _Axis,
               context: dict[str, Hint], third: str) -> None:
    records: dict[str, list[object]] = {c: [] for c in RAW_COLUMNS}
    unit_hint = context.get("unit")
    section_unit: tuple[str, str] | None = None
    unlabeled: list[int] = []
    for r in range(st.data_start, st.data_end):
        row = rows[r]
        cells = [(c, row[c]) for c in cols.keys]
        filled = [(c, v) for c, v in cells if not blank(v)]
        label_cells = [(c, row[c]) for c in st.label_cols if not blank(row[c])]
        if not filled:
            section_unit = _heading_unit(r, label_cells, section_unit)
            continue
        if not label_cells:
            unlabeled.append(r)
            continue
        key = row_axis.keys.get(r)
        if key is None:
            continue
        table.missing += len(cells) - len(filled)
        for c, value in filled:
            if is_missing(value):
                table.missing += 1
                continue
            col_key = cols.keys[c]
            unit, unit_cell = _record_unit(row_axis.kind, key, cols.kind, col_key, section_unit, unit_hint)
            keys = {row_axis.kind: key[0], cols.kind: col_key[0], third: context[third].value if third in context else None}
            records["region_id"].append(keys["region"])
            records["region_text"].append(None)
            records["indicator_id"].append(keys["indicator"])
            records["indicator_text"].append(None)
            records["year"].append(keys["year"])
            records["year_raw"].append(None)
            records["month_raw"].append(None)
            records["value_raw"].append(value)
            records["unit"].append(unit)
            records["unit_cell"].append(unit_cell)
            for name in ("status_raw", "source_raw", "note_raw"):
                records[name].append(None)
            records["row"].append(r)
            records["col"].append(c)
    n = len(records["row"])
    columns: dict[str, object] = {**records, "year": pd.array(records["year"], dtype="Int64"),
                                  "row": np.array(records["row"], dtype="int64"), "col": np.array(records["col"], dtype="int64")}
    table.frame = object_frame(columns, n, RAW_COLUMNS)
    if unlabeled:
        shown = "、".join(str(r + 1) for r in unlabeled[:EXAMPLES]) + ("…" if len(unlabeled) > EXAMPLES else "")
        table.warnings.append(Problem(file, st.sheet.name, None, f"第 {shown} 行有数值但没有行标签，已忽略。",
                                      f"{len(unlabeled)} rows hold numbers but no label; ignored.", "如需导入，请补上行标签。"))


def _heading_unit(r: int, label_cells: list[tuple[int, CellValue]], current: tuple[str, str] | None) -> tuple[str, str] | None:
    """A label-only row: a Chinese heading starts a section (its unit, '构成 (%)', applies below); English lines continue."""
    texts = [normalise_text(v) for _, v in label_cells]
    if not texts or not any(_CJK.search(t) for t in texts):
        return current  # blank, or the English continuation of the label above
    for c, value in label_cells:
        unit = label_unit(value)
        if unit:
            return unit, cell_name(r, c)
    return None


def _record_unit(row_kind: str, row_key: tuple, col_kind: str, col_key: tuple, section: tuple[str, str] | None,
                 hint: Hint | None) -> tuple[str | None, str | None]:
    """The most specific unit: a label's own, a header unit row, the section heading, then the table's."""
    for kind, key in ((row_kind, row_key), (col_kind, col_key)):
        if key[2] and kind != "year":
            return key[2], key[3]
    if col_key[2]:
        return col_key[2], col_key[3]
    if section is not None:
        return section
    if hint is not None:
        return str(hint.value), hint_cell(hint)
    return None, None


def _column_axis(file: str, sheet: Sheet, st: Structure, matcher: Matcher, overrides: Overrides, kind: str) -> _Axis:
    axis = _Axis(kind)
    header_cell_row = st.year_header if st.year_header is not None else (st.header_rows[-1] if st.header_rows else 0)
    unmatched: list[str] = []
    region_context = [st.title_text, sheet.name]
    for c in st.value_cols:
        texts = st.col_headers.get(c, [])
        unit = st.col_units.get(c, (None, None))
        if kind == "year":
            year = st.year_cols.get(c)
            if year is None:
                continue
            if not in_range_year(year):
                axis.problems.append(Problem(file, sheet.name, cell_name(header_cell_row, c),
                                             f"年份 {year} 超出1949年至明年的范围。", f"Year {year} is outside 1949..next year.",
                                             "请检查表头中的年份。"))
                continue
            axis.keys[c] = (year, str(year), unit[0], unit[1])
            continue
        key = None
        for text in [*texts, " ".join(texts)]:
            key = _column_key(text, kind, matcher, overrides, region_context)
            if key:
                if kind == "indicator" and unit[0] is None:
                    own = next((label_unit(t) for t in texts if label_unit(t)), None)
                    unit = (own, cell_name(header_cell_row, c)) if own else unit
                break
        if key:
            axis.keys[c] = (key, " ".join(texts), unit[0], unit[1])
        elif texts:
            unmatched.append(" ".join(texts))
    if unmatched and axis.keys:
        what = "目录中的指标" if kind == "indicator" else "目录中的地区"
        axis.skipped.append(Skip(f"列标题不是{what}", f"column headers that are not catalogue {kind}s", unmatched))
    return axis


def _column_key(text: str, kind: str, matcher: Matcher, overrides: Overrides, context: list[str]) -> str | None:
    if kind == "indicator":
        return mapped(text, overrides) or matcher.indicator(text)
    return matcher.region(text, context).region_id


def _row_axis(file: str, sheet: Sheet, st: Structure, matcher: Matcher, overrides: Overrides, kind: str) -> _Axis:
    rows = st.sheet.rows
    axis = _Axis(kind)
    unmatched: list[str] = []
    suffixed: list[str] = []
    key_col = _region_key_column(st, matcher) if kind == "region" else None
    table_context = [st.title_text, sheet.name]
    for r in range(st.data_start, st.data_end):
        row = rows[r]
        labels = [(c, row[c]) for c in st.label_cols if not blank(row[c])]
        if not labels or all(blank(row[c]) for c in st.value_cols):
            continue
        if kind == "indicator":
            key = None
            for _c, value in labels:
                key = mapped(value, overrides) or matcher.indicator(value)
                if key:
                    unit = next((u for _, v in labels if (u := label_unit(v))), None)
                    unit_cell = next((cell_name(r, cc) for cc, v in labels if label_unit(v)), None)
                    axis.keys[r] = (key, display(value), unit, unit_cell)
                    break
            if key is None:
                label = display(labels[0][1])
                unmatched.append(label)
                axis.unknown.append((label, cell_name(r, labels[0][0]), labels[0][1]))
        elif kind == "year":
            c, value = labels[0]
            year = parse_year(value)
            if year is not None:
                axis.keys[r] = (year, str(year), None, None)
            elif year_like(value) is not None:
                axis.problems.append(Problem(file, sheet.name, cell_name(r, c), f"年份 {value} 超出1949年至明年的范围。",
                                             f"Year {value} is outside 1949..next year.", "请检查该行的年份。"))
            else:
                unmatched.append(display(value))
        else:
            assert key_col is not None
            value = row[key_col]
            if blank(value):
                continue
            others = [normalise_text(v) for c, v in labels if c != key_col]
            match = matcher.region(value, [*table_context, *others])
            label = display(value)
            if match.region_id:
                axis.keys[r] = (match.region_id, label, None, None)
            elif match.reason == "suffixed_code":
                suffixed.append(f"{str(value).strip()}（{cell_name(r, key_col)}）")
            elif match.reason == "ambiguous":
                axis.skipped.append(Skip("区县名在多个城市都有而表中未注明所属城市（可用城市前缀如“天津和平”或行政区划代码）",
                                         "district names shared by several cities, with no city given", [label]))
            else:
                name = next((display(v) for c, v in labels if c != key_col and isinstance(v, str)), "")
                unmatched.append(f"{label} {name}".strip() if looks_like_code(value) else label)
                if not looks_like_code(value):
                    axis.unknown.append((label, cell_name(r, key_col), value))
    what = {"indicator": "指标不在指标目录中", "region": "地区不在地区目录中", "year": "行标签不是年份"}[kind]
    if unmatched:
        axis.skipped.append(Skip(what, f"{kind}s not in the catalogue", unmatched))
    if suffixed:
        axis.skipped.append(Skip("行政区划代码带后缀（如“320211（2）”，表示与原代码不同的新单位），不是标准的6位代码",
                                 "administrative codes with a suffix, which are not standard 6-digit codes", suffixed))
    return axis


def _near_misses(axis: _Axis, matcher: Matcher) -> list[tuple[str, str, list[str]]]:
    """Unknown row labels that are probably typos of a catalogue name, with the suggestions (the first few only)."""
    suggest = matcher.suggest_indicators if axis.kind == "indicator" else matcher.suggest_regions
    found = []
    for label, cell, value in axis.unknown[:MAX_NEAR_MISS_CHECKS]:
        names = suggest(value)
        if Matcher.is_near_miss(value, names):
            found.append((label, cell, names))
    return found[:MAX_NEAR_MISSES]


def _region_key_column(st: Structure, matcher: Matcher) -> int:
    """The label column that names the region: a code column if there is one, else the one matching most regions."""
    rows = st.sheet.rows
    body = range(st.data_start, st.data_end)
    best, best_score = st.label_cols[0] if st.label_cols else 0, -1
    for c in st.label_cols:
        cells = [rows[r][c] for r in body if not blank(rows[r][c])]
        if not cells:
            continue
        header = " ".join(st.col_headers.get(c, []))
        codes = sum(1 for v in cells if looks_like_code(v))
        if codes >= CODE_SHARE * len(cells) or (codes and CODE_HEADER.search(header)):
            return c
        score = len({m for v in cells if (m := matcher.region(v, [st.title_text, st.sheet.name]).region_id)})
        if score > best_score:
            best, best_score = c, score
    return best


def _unrecognised(file: str, sheet: Sheet, st: Structure, why: tuple[str, str]) -> RawTable:
    rows = st.sheet.rows
    headers = [display(" ".join(t)) for c, t in sorted(st.col_headers.items()) if c in st.value_cols][:EXAMPLES]
    labels = [display(rows[r][st.label_cols[0]]) for r in range(st.data_start, st.data_end)
              if st.label_cols and not blank(rows[r][st.label_cols[0]])][:EXAMPLES]
    seen = []
    if headers:
        seen.append(f"列标题如：{'、'.join(headers)}")
    if labels:
        seen.append(f"行标签如：{'、'.join(labels)}")
    detail = f"（{'；'.join(seen)}）" if seen else ""
    title = f"“{display(st.title_text)}”" if st.title_text else "该表"
    return refused(file, sheet, f"未能识别{title}的版式：{why[0]}{detail}。这类表（如能源平衡表、折算系数表）不含本看板目录中的指标。",
                    f"Layout not recognised: {why[1]}. Tables such as energy balances hold no catalogue indicator.",
                    "如表中某行或某列就是目录中的指标，可用 --indicator '标签=指标' 指定；年份为列时也可用 --layout 指定版式。")


def _nothing_matched(file: str, sheet: Sheet, st: Structure, matcher: Matcher, cols: _Axis, row_axes: list[_Axis],
                     context: dict[str, Hint]) -> RawTable:
    """Refusal for a recognised grid whose rows match nothing in the catalogue, with the labels and suggestions."""
    rows = st.sheet.rows
    key_col = st.label_cols[0] if st.label_cols else None
    labels = [rows[r][key_col] for r in range(st.data_start, st.data_end) if key_col is not None and not blank(rows[r][key_col])
              and any(not blank(rows[r][c]) for c in st.value_cols)]
    shown = "、".join(display(v) for v in labels[:EXAMPLES]) + ("…" if len(labels) > EXAMPLES else "")
    suggestions = []
    for value in labels[:20]:
        names = matcher.suggest_indicators(value) if cols.kind != "indicator" else matcher.suggest_regions(value)
        if names and Matcher.is_near_miss(value, names):
            suggestions.append(f"“{display(value)}”是否为“{names[0]}”")
    hint_parts = ["如某行就是目录中的指标，可用 --indicator '行标签=指标' 指定"]
    if cols.kind == "year":
        hint_parts.append("如各行是地区、全表是一个指标，可用 --indicator 指标名 指定")
    national = "" if "region" in context or cols.kind == "region" else "表格也没有注明地区（全国数据不在地区目录中）。"
    near = f"近似：{'；'.join(suggestions[:3])}。" if suggestions else ""
    kinds = "，也不是".join("目录中的" + DIMENSION_ZH[a.kind] for a in sorted(row_axes, key=lambda a: a.kind != "indicator"))
    return refused(file, sheet, f"{LAYOUTS_COLUMNS_ZH[cols.kind]}，但 {len(labels)} 个行标签（{shown}）既不是{kinds}。{near}{national}",
                    f"Columns are {cols.kind}s but no row label is a catalogue {' or '.join(a.kind for a in row_axes)}.",
                    "；".join(hint_parts) + "。")


LAYOUTS_COLUMNS_ZH = {"year": "表头是年份", "indicator": "表头是目录中的指标", "region": "表头是目录中的地区"}
