"""The data behind every chart, as a table with its title lines: what a presenter pastes into a report or
checks a figure against. Built from the same rows and history as the charts (indicators/display/figures.py),
written by the inert writer (indicators/tabular_files.py: titled_csv_bytes, titled_xlsx_bytes).

Numbers are rounded to the indicator's catalogue decimals (shares of progress to one decimal), so a CSV says
'16.7', never '16.7000' or '16.699999'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from indicators.catalogue import Plan, Target
from indicators.display.figures import (
    BAROMETER_HEADERS,
    barometer_rows,
    barometer_title,
    chart_notes,
    chart_title,
    clause_text,
    series_points,
    sources_text,
)
from indicators.display.labels import as_of_summary, method_name, period_text, status_text
from indicators.progress import chart_lines

PROGRESS_DECIMALS = 1  # completion, time elapsed and gap in percent or points, as the pages show them

COLUMNS = {
    "zh": {"year": "年份", "observed": "实际值", "path": "目标路径（晴雨表）", "cagr": "推算（年均增速）",
           "linear": "推算（线性趋势）", "target": "目标值", "unit": "单位",
           "region": "地区", "latest": "最新值", "period": "数据期", "completion": "完成进度（%）",
           "time": "时序进度（%）", "gap": "差距（百分点）", "status": "状态", "reason": "判定依据"},
    "en": {"year": "Year", "observed": "Observed", "path": "Target path (barometer)", "cagr": "Projection (average growth)",
           "linear": "Projection (linear trend)", "target": "Target", "unit": "Unit",
           "region": "Region", "latest": "Latest", "period": "Period", "completion": "Completion (%)",
           "time": "Time elapsed (%)", "gap": "Gap (points)", "status": "Status", "reason": "Reason"},
}
UNIT_LINE = {"zh": "单位：{unit}", "en": "Unit: {unit}"}


@dataclass(frozen=True)
class ChartTable:
    """A chart's data: lines above the table (title, unit, data as of and source, the plan's clause), then the table."""

    title_lines: list[str]
    frame: pd.DataFrame
    sheet: str  # a worksheet name (at most 31 characters, no []:*?/\)


def _rounded(value: Any, decimals: int) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, decimals)


def _year_label(year: float) -> str:
    """2024 → '2024'; a within-year point drawn at 2024.75 (Jan–Sep 2025) → '2025-09'."""
    if float(year).is_integer():
        return str(int(year))
    whole = math.floor(year)
    return f"{whole + 1}-{round((year - whole) * 12):02d}"


def series_table(row: Mapping[str, Any], history: pd.DataFrame, plan: Plan, target: Target, *, lang: str,
                 method: str = "barometer", sources: Sequence[str] = (), sheet: str = "") -> ChartTable:
    """The indicator chart's data: observed values, the target path, both projections and the target, by year."""
    c, decimals = COLUMNS["zh" if lang == "zh" else "en"], int(row["decimals"])
    years, values = series_points(row, history)
    lines = chart_lines(row)
    table: dict[str, dict[str, float | None]] = {}

    def put(year: float, column: str, value: Any) -> None:
        table.setdefault(_year_label(year), {})[column] = _rounded(value, decimals)

    for year, value in zip(years, values, strict=True):
        put(year, c["observed"], value)
    for year, value in zip(lines.path_years, lines.path_values, strict=True):
        put(year, c["path"], value)
    for year, cagr, linear in zip(lines.projection_years, lines.projection_cagr, lines.projection_linear, strict=True):
        put(year, c["cagr"], cagr)
        put(year, c["linear"], linear)
    if target.value is not None:
        put(plan.target_year, c["target"], target.value)
    order = [c["observed"], c["path"], c["cagr"], c["linear"], c["target"]]
    frame = pd.DataFrame([{c["year"]: year, **{k: cells.get(k) for k in order}} for year, cells in
                          sorted(table.items(), key=lambda item: item[0])])
    frame = frame.dropna(axis=1, how="all") if not frame.empty else frame
    title = [chart_title(row, lang, method), UNIT_LINE["zh" if lang == "zh" else "en"].format(unit=row["unit_text"]),
             *chart_notes(row, plan, target, lang=lang, sources=sources)]
    return ChartTable(title, frame, _sheet_name(sheet or str(row["indicator_name"])))


def comparison_table(rows: pd.DataFrame, plan: Plan, target: Target, *, lang: str, method: str, title: str,
                     sources: Sequence[str] = ()) -> ChartTable:
    """The comparison chart's data: each region's latest value (at the indicator's decimals), its period, completion,
    time elapsed, gap and status under `method`, with the reason."""
    c = COLUMNS["zh" if lang == "zh" else "en"]
    records = []
    for r in rows.to_dict("records"):
        decimals = int(r["decimals"])
        latest = _rounded(r.get("latest_value"), decimals)
        records.append({
            c["region"]: r["region_name"],
            c["latest"]: latest,
            c["unit"]: r["unit_text"],
            c["period"]: "" if pd.isna(r.get("latest_year")) else period_text(r["latest_year"], r.get("latest_month"), lang),
            c["completion"]: None if bool(r.get("base_met")) else _rounded(_times(r.get("completion_progress"), 100), PROGRESS_DECIMALS),
            c["time"]: _rounded(_times(r.get("time_progress"), 100), PROGRESS_DECIMALS),
            c["gap"]: _rounded(r.get("gap_pp"), PROGRESS_DECIMALS),
            c["status"]: status_text(r, method, lang),
            c["reason"]: r.get(f"reason_{method}", ""),
        })
    lines = [title, as_of_summary(rows, lang) + " · " + sources_text(list(sources), lang), clause_text(plan, target, lang)]
    return ChartTable(lines, pd.DataFrame(records), _sheet_name(title))


def _times(value: Any, factor: float) -> float | None:
    number = _rounded(value, 12)
    return None if number is None else number * factor


_SHEET_REFUSED = str.maketrans({ch: "_" for ch in "[]:*?/\\"})
SHEET_NAME_CHARS = 31  # Excel's limit


def _sheet_name(text: str) -> str:
    return text.translate(_SHEET_REFUSED)[:SHEET_NAME_CHARS] or "data"


def barometer_table(rows: pd.DataFrame, plan: Plan, region_name: str, *, method: str, lang: str,
                    sources: Sequence[str] = ()) -> ChartTable:
    """The barometer's data (one row per target, worst first), with its title and the method and sources."""
    headers = BAROMETER_HEADERS["zh" if lang == "zh" else "en"]
    records = [dict(zip(headers, (r.area, r.name, r.latest, r.target, r.progress, r.needed, r.status_text.replace("\n", " ")),
                        strict=True)) for r in barometer_rows(rows, method, lang)]
    method_line = ("判定方法：" if lang == "zh" else "Method: ") + method_name(method, lang)
    lines = [barometer_title(plan, region_name, as_of_summary(rows, lang), lang), f"{method_line} · {sources_text(list(sources), lang)}"]
    return ChartTable(lines, pd.DataFrame(records, columns=list(headers)), _sheet_name(BAROMETER_SHEET[lang]))


BAROMETER_SHEET = {"zh": "晴雨表", "en": "barometer"}
