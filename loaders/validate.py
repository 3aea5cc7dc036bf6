"""Check raw records before anything is written and list every problem together, each with its cell.

Works on whole columns (numpy arrays): names, years, months, units and statuses are looked up once per
distinct value (`loaders.columns`), numbers are converted in one step, and Python runs per row only for
text-number cells and for the rows it reports. That keeps a 200,000-row template close to the cost of
reading it.

What is checked: unknown region or indicator (an error in the template, a skipped row elsewhere — see
`loaders.matching`), years outside 1949..next year, months outside 1..12, values that are not numbers,
units that cannot be the indicator's, values the unit makes impossible, unknown statuses, and two rows for
one key with different values. At most MAX_PROBLEMS_PER_KIND problems of one kind are listed, then a count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.catalogue import Catalogue, Indicator, match_key
from indicators.inert_text import any_unsafe, from_csv_cell, strip_unsafe, unsafe_characters
from indicators.vocabulary import DATA_STATUSES
from loaders.columns import Coded, codes, floats, lookup, objects, of_type
from loaders.columns import frame as object_frame
from loaders.errors import Problem
from loaders.layouts.rawtable import RawTable, Skip, display
from loaders.matching import Matcher, impossible_values, is_percent, rules, suggestion_text, unit_factor
from loaders.normalise import NotANumber, canonical_unit, parse_number, parse_number_with_unit, parse_year, year_max
from loaders.overrides import Overrides
from loaders.template import DEFAULT_STATUS

MAX_PROBLEMS_PER_KIND = 20  # listed per kind of problem; the rest are counted
STATUS_ALIASES = {"preliminary": "初步", "final": "正式", "revised": "修订", "estimated": "估计", "初步核算": "初步"}
KEY = ["region_id", "indicator_id", "year", "month"]
OUTPUT_COLUMNS = ["region_id", "indicator_id", "year", "month", "value", "unit", "status", "source", "note", "row", "col"]
RATIO_GUESS_MAX = 1.0  # a % indicator whose unlabelled values all lie in 0..1 is read as a ratio

Messages = tuple[str, str, str]  # (Chinese, English, what to do)


@dataclass
class Validated:
    """Rows ready for the store (with the sheet row/column of each value), and what was found on the way."""

    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    missing: int = 0


class _Report:
    """Problems and warnings of one table, at most MAX_PROBLEMS_PER_KIND per kind."""

    def __init__(self, file: str, table: RawTable) -> None:
        self.file, self.table = file, table
        self.rows = table.frame["row"].to_numpy()
        self.cols = table.frame["col"].to_numpy()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def cell(self, field_name: str, i: int) -> str | None:
        return self.table.locate(field_name, int(self.rows[i]), int(self.cols[i]))

    def each(self, mask: np.ndarray, field_name: str, make: Callable[[int], Messages]) -> None:
        """One problem per offending record i (up to the cap), located at its `field_name` cell."""
        where = np.flatnonzero(mask)
        for i in where[:MAX_PROBLEMS_PER_KIND]:
            zh, en, hint = make(int(i))
            self.problems.append(Problem(self.file, self.table.sheet, self.cell(field_name, int(i)), zh, en, hint))
        if len(where) > MAX_PROBLEMS_PER_KIND:
            rest = len(where) - MAX_PROBLEMS_PER_KIND
            zh, _, _ = make(int(where[MAX_PROBLEMS_PER_KIND]))
            self.problems.append(Problem(self.file, self.table.sheet, None, f"另有 {rest:,} 处同类问题未逐一列出（如：{zh}）",
                                         f"{rest:,} more problems of the same kind are not listed.", "改正上面列出的问题后再导入即可看到其余各处。"))

    def problem(self, cell: str | None, zh: str, en: str, hint: str = "") -> None:
        self.problems.append(Problem(self.file, self.table.sheet, cell, zh, en, hint))

    def warning(self, cell: str | None, zh: str, en: str, hint: str = "") -> None:
        self.warnings.append(Problem(self.file, self.table.sheet, cell, zh, en, hint))


def validate(table: RawTable, matcher: Matcher, overrides: Overrides, file: str) -> Validated:
    """The table's records checked and converted to the indicators' units; nothing is raised."""
    frame = table.frame.reset_index(drop=True)
    table.frame = frame
    result = Validated(rows=pd.DataFrame(columns=OUTPUT_COLUMNS), skipped=list(table.skipped), missing=table.missing)
    if frame.empty:
        return result
    report = _Report(file, table)
    catalogue = matcher.catalogue
    region_id, region_bad, region_drop = _regions(frame, table, matcher, report, result)
    indicator_id, indicator_bad, indicator_drop = _indicators(frame, table, matcher, overrides, report, result)
    year, year_bad = _years(frame, table, report)
    month, month_bad = _months(frame, table, report)
    value, cell_unit, value_bad, value_missing = _values(frame, table, report)
    status, status_bad = _statuses(frame, table, report)
    bad = region_bad | indicator_bad | year_bad | month_bad | value_bad | status_bad
    drop = region_drop | indicator_drop
    if not table.strict:  # a published table leaves cells blank or writes '—' for "no data"
        drop |= value_missing
        result.missing += int((value_missing & ~bad).sum())

    indicator_codes = Coded.of(indicator_id)  # once: unit checks and the output's unit column work per indicator
    value, unit_bad = _convert_units(frame, value, cell_unit, indicator_codes, ~(bad | drop), table, catalogue, report)
    bad |= unit_bad
    bad |= _not_finite(value, ~(bad | drop), report)  # last: a unit conversion can overflow a finite number
    bad |= _impossible(value, indicator_id, ~(bad | drop), catalogue, report)
    keep = np.flatnonzero(~(bad | drop))

    units = {i: ind.unit for i, ind in catalogue.indicators.items()}
    source = _stored_text(_coded(table, "source_raw"), "source", keep, report)
    source[source == None] = strip_unsafe(file, one_line=True)  # noqa: E711 - elementwise on an object array: blank source → the file
    note = _stored_text(_coded(table, "note_raw"), "note", keep, report)
    months = month[keep]
    out = object_frame({
        "region_id": region_id[keep], "indicator_id": indicator_id[keep], "year": year[keep].astype("int64"),
        "month": pd.arrays.IntegerArray(np.nan_to_num(months).astype("int64"), np.isnan(months)),
        "value": value[keep], "unit": indicator_codes.take(keep).map(lambda i: units.get(str(i))), "status": status[keep],
        "source": source[keep], "note": note[keep],
        "row": frame["row"].to_numpy()[keep], "col": frame["col"].to_numpy()[keep],
    }, len(keep), OUTPUT_COLUMNS)
    result.rows = _duplicates(out, report)
    result.problems, result.warnings = report.problems, report.warnings
    return result


def _coded(table: RawTable, column: str) -> Coded:
    """A raw column as codes: the reader's, if it coded it already (the template), else coded now."""
    return table.coded.get(column) or Coded.of(table.frame[column])


def _text(value: object) -> str | None:
    """A source or note as stored: a CSV export's text mark removed, control and bidi characters dropped."""
    text = strip_unsafe(from_csv_cell(str(value).strip())).strip()
    return text or None


def _clean_text(value: object) -> str | None:
    """`_text` of a text already proved free of unsafe characters (see `any_unsafe`): nothing for strip_unsafe to do."""
    text = from_csv_cell(value.strip()).strip() if isinstance(value, str) else _text(value)
    return text or None


def _stored_text(coded: Coded, field_name: str, keep: np.ndarray, report: _Report) -> np.ndarray:
    """A text column as stored (see `_text`), with one warning naming the first cell of each value that lost characters."""
    # A source that names its month has thousands of distinct values: one pass proves them all clean, as they mostly are.
    if not any_unsafe(v for v in coded.distinct if isinstance(v, str)):
        return coded.map(_clean_text)
    texts = coded.map(_text)
    for code, raw in enumerate(coded.distinct):
        found = unsafe_characters(str(raw)) if isinstance(raw, str) else []
        rows = np.flatnonzero(coded.where[keep] == code) if found else np.zeros(0, np.intp)
        if len(rows):
            first = int(keep[rows[0]])
            report.warning(report.cell(field_name, first) or report.cell("value", first),
                           f"已删除文本中的控制字符或双向文本控制符（{'、'.join(found)}，共 {len(rows):,} 行）。",
                           f"Removed control or bidi characters ({', '.join(found)}) from the text ({len(rows):,} rows).",
                           "这些字符不可见，会破坏导出文件或使文字倒序显示；请核对该单元格的文字。")
    return texts


# ---------------------------------------------------------------------------------------------------------------
# Regions and indicators
# ---------------------------------------------------------------------------------------------------------------


def _regions(frame: pd.DataFrame, table: RawTable, matcher: Matcher, report: _Report,
             result: Validated) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = frame["region_id"].to_numpy(dtype=object).copy()
    need = pd.isna(ids)
    none = np.zeros(len(ids), bool)
    if not need.any():
        return ids, none, none
    texts = _coded(table, "region_text")
    empty = need & texts.blank()
    context = [table.title, table.sheet]
    ids[need] = texts.map(lambda v: matcher.region(v, context, strict=table.strict).region_id)[need]
    unknown = need & ~empty & pd.isna(ids)
    raw = frame["region_text"].to_numpy(dtype=object)
    if not table.strict:
        labels = [display(v) for v in raw[unknown]]
        if labels:
            result.skipped.append(Skip("地区不在地区目录中", "regions not in the catalogue", labels))
        return ids, none, empty | unknown
    hint = "请填写目录中的地区名称、别名或6位行政区划代码。"
    report.each(empty, "region", lambda i: ("地区为空。", "The region is empty.", hint))
    texts_for = {v: matcher.unknown_region_text(display(v)) for v in set(raw[unknown])}
    report.each(unknown, "region", lambda i: (*texts_for[raw[i]], hint))
    return ids, empty | unknown, none


def _indicators(frame: pd.DataFrame, table: RawTable, matcher: Matcher, overrides: Overrides, report: _Report,
                result: Validated) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = frame["indicator_id"].to_numpy(dtype=object).copy()
    need = pd.isna(ids)
    none = np.zeros(len(ids), bool)
    if not need.any():
        return ids, none, none
    texts = _coded(table, "indicator_text")
    empty = need & texts.blank()

    def find(text: object) -> str | None:
        return overrides.label_map.get(match_key(str(text))) or matcher.indicator(text)

    ids[need] = texts.map(find)[need]
    unknown = need & ~empty & pd.isna(ids)
    raw = frame["indicator_text"].to_numpy(dtype=object)
    if not table.strict:
        labels = [display(v) for v in raw[unknown]]
        if labels:
            result.skipped.append(Skip("指标不在指标目录中", "indicators not in the catalogue", labels))
        return ids, none, empty | unknown
    report.each(empty, "indicator", lambda i: ("指标为空。", "The indicator is empty.", "请填写指标目录中的名称或别名。"))
    names = {v: suggestion_text(matcher.suggest_indicators(v)) for v in set(raw[unknown])}
    report.each(unknown, "indicator", lambda i: (
        f"指标“{display(raw[i])}”不在指标目录中。{names[raw[i]]}", f"Unknown indicator '{display(raw[i])}'.",
        "请填写指标目录中的名称或别名（见模板“指标列表”工作表）。"))
    return ids, empty | unknown, none


# ---------------------------------------------------------------------------------------------------------------
# Years, months, values, statuses
# ---------------------------------------------------------------------------------------------------------------


def _years(frame: pd.DataFrame, table: RawTable, report: _Report) -> tuple[np.ndarray, np.ndarray]:
    """Years as float64 (NaN where unknown) and the rows whose year is not a valid one."""
    years = frame["year"].to_numpy(dtype="float64", na_value=np.nan)
    need = np.isnan(years)
    if not need.any():
        return years, np.zeros(len(years), bool)
    raw = frame["year_raw"].to_numpy(dtype=object)
    years[need] = floats(_coded(table, "year_raw").map(parse_year))[need]
    bad = need & np.isnan(years)
    report.each(bad, "year", lambda i: (f"年份“{display(raw[i])}”无法识别或超出1949年至{year_max()}年的范围。",
                                        f"Year '{display(raw[i])}' is not a valid year (1949..{year_max()}).", "请填写四位年份，如 2023。"))
    return years, bad


def _month(value: object) -> int | None:
    try:
        number = parse_number(value)
    except ValueError:
        return None
    return int(number) if number is not None and number.is_integer() and 1 <= number <= 12 else None


def _months(frame: pd.DataFrame, table: RawTable, report: _Report) -> tuple[np.ndarray, np.ndarray]:
    coded = _coded(table, "month_raw")
    raw = frame["month_raw"].to_numpy(dtype=object)
    given = ~coded.blank()
    months = np.full(len(raw), np.nan)
    if not given.any():
        return months, np.zeros(len(raw), bool)
    months[given] = floats(coded.map(_month))[given]
    bad = given & np.isnan(months)
    report.each(bad, "month", lambda i: (f"月份“{display(raw[i])}”应为1到12的整数。", f"Month '{display(raw[i])}' must be 1..12.",
                                         "年度数据请留空；年内累计数据填截至的月份。"))
    return months, bad


def _parse_value(cell: object) -> tuple[float, str | None, str | None]:
    """(number or NaN, unit written after it, reason it is not a number)."""
    try:
        number = parse_number_with_unit(cell)
    except NotANumber as exc:
        return math.nan, None, exc.reason_zh
    return (math.nan if number.value is None else number.value), number.unit, None


def _values(frame: pd.DataFrame, table: RawTable, report: _Report) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(value as float, unit written in the cell, bad, missing): numbers in one step, each distinct text parsed once."""
    raw = frame["value_raw"].to_numpy(dtype=object)
    n = len(raw)
    numeric = of_type(raw, float, int)
    values = np.full(n, np.nan)
    values[numeric] = raw[numeric].astype("float64")
    units = np.full(n, None, dtype=object)
    reasons = np.full(n, None, dtype=object)
    text = ~numeric & ~pd.isna(raw)
    if text.any():
        parsed = lookup(raw[text], _parse_value)
        values[text] = [p[0] for p in parsed]
        units[text] = objects([p[1] for p in parsed])
        reasons[text] = objects([p[2] for p in parsed])
    infinite = np.isinf(values)
    values[infinite] = np.nan
    bad = ~pd.isna(reasons) | infinite
    missing = np.isnan(values) & ~bad
    report.each(bad, "value", lambda i: (f"数值“{display(raw[i])}”无法识别为数字：{reasons[i] or '数值为无穷大'}。",
                                         f"'{display(raw[i])}' is not a number.", "请填写数字（可带%或千分位逗号），或删除该行。"))
    if table.strict:
        report.each(missing, "value", lambda i: ("数值为空。", "The value is empty.", "请填写数值；没有数据的行请删除。"))
        bad |= missing
    return values, units, bad, missing


def _status(value: object) -> str | None:
    text = str(value).strip()
    return text if text in DATA_STATUSES else STATUS_ALIASES.get(text.lower())


def _statuses(frame: pd.DataFrame, table: RawTable, report: _Report) -> tuple[np.ndarray, np.ndarray]:
    coded = _coded(table, "status_raw")
    raw = frame["status_raw"].to_numpy(dtype=object)
    given = ~coded.blank()
    statuses = np.full(len(raw), DEFAULT_STATUS, dtype=object)
    if not given.any():
        return statuses, np.zeros(len(raw), bool)
    statuses[given] = coded.map(_status)[given]
    bad = given & pd.isna(statuses)
    report.each(bad, "status", lambda i: (f"状态“{display(raw[i])}”不可识别。", f"Unknown status '{display(raw[i])}'.",
                                          f"请填写 {'、'.join(DATA_STATUSES)} 之一，或留空（默认{DEFAULT_STATUS}）。"))
    return statuses, bad


# ---------------------------------------------------------------------------------------------------------------
# Units and impossible values
# ---------------------------------------------------------------------------------------------------------------


def _convert_units(frame: pd.DataFrame, values: np.ndarray, cell_unit: np.ndarray, indicators: Coded, usable: np.ndarray,
                   table: RawTable, catalogue: Catalogue, report: _Report) -> tuple[np.ndarray, np.ndarray]:
    """Values in the indicator's unit; problems for units that cannot be converted; a warning for every conversion."""
    values = values.copy()
    bad = np.zeros(len(values), bool)
    indicator_id = indicators.values()
    written_coded = _coded(table, "unit").recode(_text)
    written = written_coded.values()
    has_written, has_cell = ~pd.isna(written), ~pd.isna(cell_unit)
    clash = usable & has_written & has_cell
    if clash.any():
        same = {(a, b): canonical_unit(str(a)) == canonical_unit(str(b)) for a, b in set(zip(written[clash], cell_unit[clash], strict=True))}
        clash[np.flatnonzero(clash)] = [not same[(a, b)] for a, b in zip(written[clash], cell_unit[clash], strict=True)]
        raw = frame["value_raw"].to_numpy(dtype=object)
        report.each(clash, "value", lambda i: (
            f"数值“{display(raw[i])}”带有单位“{display(cell_unit[i])}”，与单位“{display(written[i])}”不一致。",
            f"The value carries '{display(cell_unit[i])}' but the unit is '{display(written[i])}'.", "请统一单位。"))
        bad |= clash
    unit = np.where(has_written, written, cell_unit)
    absent = usable & pd.isna(unit)
    if table.strict:
        report.each(absent, "unit", lambda i: ("单位为空。", "The unit is empty.",
                                               f"请填写单位（该指标的单位是“{catalogue.indicators[indicator_id[i]].unit}”）。"))
        bad |= absent
    else:
        for ind in set(indicator_id[absent]):
            rows = absent & (indicator_id == ind)
            values, how = _assume_unit(values, rows, catalogue.indicators[ind])
            report.warning(None, f"表中没有注明“{catalogue.indicators[ind].name_zh}”的单位，{how}",
                           f"No unit given for '{catalogue.indicators[ind].name_en}'; assumed.", "如不对，请用 --unit 指定。")
    check = usable & ~absent & ~bad
    # the units as codes: those written in the unit column already are, unless a cell carried its own unit
    unit_codes, unit_names = (written_coded.where, written_coded.distinct) if not has_cell.any() else codes(unit)
    indicator_codes, indicator_names = indicators.where, indicators.distinct
    pair = unit_codes * len(indicator_names) + indicator_codes  # one integer per (unit, indicator)
    for code in np.unique(pair[check]):
        unit_text, ind = unit_names[code // len(indicator_names)], indicator_names[code % len(indicator_names)]
        indicator = catalogue.indicators[ind]
        rows = check & (pair == code)
        factor = unit_factor(str(unit_text), indicator)
        if factor is None:
            zh, en, hint = _incompatible(display(unit_text), indicator)
            if table.strict:
                report.each(rows, "unit", _always((zh, en, hint)))
            else:
                cells = [c for c in frame["unit_cell"].to_numpy(dtype=object)[rows] if c]
                report.problem(str(cells[0]) if cells else None, zh, en, hint)
            bad |= rows
        elif factor != 1.0:
            with np.errstate(over="ignore"):  # an overflow becomes inf, refused by _not_finite
                values[rows] *= factor
            first = int(np.flatnonzero(rows)[0])
            cell = report.cell("unit", first) or frame["unit_cell"].iat[first] or report.cell("value", first)
            report.warning(cell, f"已将单位“{display(unit_text)}”换算为“{indicator.unit}”（×{factor:g}，共 {int(rows.sum()):,} 个数值）。",
                           f"Converted '{unit_text}' to '{indicator.unit}' (×{factor:g}, {int(rows.sum()):,} values).", "请核对换算后的数值。")
    return values, bad


def _not_finite(values: np.ndarray, usable: np.ndarray, report: _Report) -> np.ndarray:
    """Values that are no longer finite numbers after conversion (1.7e307 亿吨 → inf 百万吨)."""
    overflow = usable & np.isinf(values)
    report.each(overflow, "value", lambda i: ("换算单位后数值超出可表示的范围（无穷大）。",
                                              "The value is out of range (infinite) after unit conversion.",
                                              "请检查该数值和单位是否填写正确。"))
    return overflow


def _always(messages: Messages) -> Callable[[int], Messages]:
    """The same messages for every offending record."""
    return lambda _i: messages


def _incompatible(unit: str, indicator: Indicator) -> Messages:
    return (f"单位“{unit}”与指标“{indicator.name_zh}”的单位“{indicator.unit}”不一致，且无法换算。",
            f"Unit '{unit}' is incompatible with the indicator's unit '{indicator.unit}'.",
            f"请把数值换算为“{indicator.unit}”后填写，或用 --unit 说明表中的单位。")


def _assume_unit(values: np.ndarray, rows: np.ndarray, indicator: Indicator) -> tuple[np.ndarray, str]:
    """Values without a unit: in the indicator's unit, except a % indicator whose values all lie in 0..1 (a ratio)."""
    chosen = values[rows]
    known = chosen[~np.isnan(chosen)]
    if is_percent(indicator) and known.size and ((known >= 0) & (known <= RATIO_GUESS_MAX)).all() and (known > 0).any():
        values = values.copy()
        values[rows] = chosen * 100
        return values, "数值都在0到1之间，已按比例换算为百分数（×100）。"
    return values, f"已按指标单位“{indicator.unit}”处理。"


def _impossible(values: np.ndarray, indicator_id: np.ndarray, usable: np.ndarray, catalogue: Catalogue, report: _Report) -> np.ndarray:
    """Values the indicator's unit rules out (share above 100%, negative level, fractional count)."""
    bad = np.zeros(len(values), bool)
    if not usable.any():
        return bad
    where = np.flatnonzero(usable)
    broken = impossible_values(indicator_id[where], values[where], catalogue)
    messages = {i: rules(catalogue.indicators[i]) for i in set(indicator_id[where])}
    for name, mask in broken.items():
        if not mask.any():
            continue
        offending = np.zeros(len(values), bool)
        offending[where[mask]] = True
        def impossible(i: int, name: str = name) -> Messages:
            return (f"数值 {values[i]:g} 不可能：{messages[indicator_id[i]][name].message_zh}",
                    f"Impossible value {values[i]:g}: {messages[indicator_id[i]][name].message_en}",
                    "请核对数值和单位（比例写成百分数时单位填 %，如 68 而不是 0.68）。")

        report.each(offending, "value", impossible)
        bad |= offending
    return bad


# ---------------------------------------------------------------------------------------------------------------
# Duplicate keys
# ---------------------------------------------------------------------------------------------------------------


def _duplicates(rows: pd.DataFrame, report: _Report) -> pd.DataFrame:
    """Two rows for one key: an error if the values differ, merged with a warning if they agree."""
    keys = rows[KEY].assign(month=rows["month"].fillna(0))
    dup = keys.duplicated(keep=False).to_numpy()
    if not dup.any():
        return rows
    table = report.table
    for _, group in rows[dup].groupby([keys[c][dup] for c in KEY], sort=False):
        cells = "、".join(table.locate("value", int(r), int(c)) or "" for r, c in zip(group["row"], group["col"], strict=True))
        last = table.locate("value", int(group["row"].iloc[-1]), int(group["col"].iloc[-1]))
        if group["value"].nunique() > 1:
            values = "、".join(f"{v:g}" for v in group["value"])
            report.problem(last, f"同一地区、指标、年份出现多行且数值不同（{cells}：{values}）。",
                           f"Duplicate key with conflicting values ({cells}).", "请只保留正确的一行。")
        else:
            report.warning(last, f"重复行已合并（{cells}）。", "Identical duplicate rows merged.", "无需处理。")
    return rows[~keys.duplicated(keep="first").to_numpy()].reset_index(drop=True)
