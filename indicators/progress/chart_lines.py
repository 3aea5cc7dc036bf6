"""Chart lines for one result row: the barometer's target path and both projections, year by year."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from indicators.progress.measures import barometer_measures
from indicators.progress.rules import SHARE_LIMITS


@dataclass(frozen=True)
class ChartLines:
    """Year-by-year lines for a chart, in the indicator's terms (reductions: cumulative %)."""

    path_years: list[int]
    path_values: list[float]
    projection_years: list[float]
    projection_cagr: list[float]
    projection_linear: list[float]


def chart_lines(row: Mapping[str, Any]) -> ChartLines:
    """The barometer's target path from the (effective) base to the target year, and the CAGR
    and least-squares projections from the latest point to the target year, for one row of
    `assess_frame`'s output. Uses the same path formula as the barometer; a bounded share's lines stay in
    [0, 100] (§8.2)."""
    empty = ChartLines([], [], [], [], [])
    base_year, target_year = row.get("effective_base_year"), int(row["target_year"])
    base_value, reduction = _float(row.get("base_value")), bool(row.get("is_reduction"))
    if base_year is None or pd.isna(base_year) or math.isnan(base_value):
        return empty
    base_year = int(base_year)
    target = _float(row.get("target"))
    path_years: list[int] = []
    path_values: list[float] = []
    # §8.3: from a base that already meets the target there is no path to draw (it would run backwards).
    if not math.isnan(target) and target_year > base_year and not bool(row.get("base_met")):
        years = np.arange(base_year, target_year + 1)
        share = (years - base_year) / (target_year - base_year)
        vstar = base_value * (1.0 - target / 100.0) if reduction else target
        red = np.full(len(years), reduction)

        def out(v: np.ndarray) -> np.ndarray:
            return np.where(red, (1.0 - v / base_value) * 100.0, v)

        with np.errstate(all="ignore"):  # only the path is used; the shortfall of a dummy latest value is not
            path = barometer_measures(red, np.ones(len(years)), np.full(len(years), base_value), np.zeros(len(years)),
                                      np.full(len(years), vstar), share, out)["bar_progress_target"]
        path_years, path_values = years.tolist(), [float(v) for v in path]
    latest, latest_year = _float(row.get("latest_value")), row.get("latest_year")
    cagr_end, linear_end = _float(row.get("projected_value")), _float(row.get("projected_value_linear"))
    slope = _float(row.get("linear_slope"))
    if latest_year is None or pd.isna(latest_year) or math.isnan(latest) or int(latest_year) >= target_year:
        return ChartLines(path_years, path_values, [], [], [])
    start = float(latest_year)
    years_ahead = [start + i for i in range(int(target_year - start) + 1)]
    share_ahead = [(y - start) / (target_year - start) for y in years_ahead]
    bounded = bool(row.get("bounded")) and not reduction
    if bounded and bool(row.get("projection_clipped")):
        # §8.2: the unclipped curves, clipped year by year (a clipped end point would bend the whole line).
        growth = _float(row.get("ratio_observed_rate")) / 100.0 * (-1.0 if row.get("direction") == "lower" else 1.0)
        cagr_line = [latest * (1.0 + growth) ** (y - start) for y in years_ahead] if not math.isnan(cagr_end) else (
            [math.nan] * len(years_ahead))
        intercept = _float(row.get("linear_intercept"))
        linear_line = [intercept + slope * (y - int(row["base_year"])) for y in years_ahead]
    else:
        cagr_line = _geometric_between(latest, cagr_end, share_ahead, reduction)
        scale = 100.0 / base_value if reduction else 1.0  # internal slope → the indicator's terms
        sign = 1.0 if reduction else -1.0  # a reduction's internal index falls as the reduction rises
        linear_line = [linear_end + sign * slope * scale * (target_year - y) if not math.isnan(slope) else math.nan
                       for y in years_ahead]
    if bounded:
        cagr_line, linear_line = _clip(cagr_line), _clip(linear_line)
    return ChartLines(path_years, path_values, years_ahead, cagr_line, linear_line)


def _clip(values: list[float]) -> list[float]:
    """§8.2: a bounded share's line stays in [0, 100] (NaN stays NaN)."""
    low, high = SHARE_LIMITS
    return [v if math.isnan(v) else min(max(v, low), high) for v in values]


def _geometric_between(start: float, end: float, shares: list[float], reduction: bool) -> list[float]:
    """Points on a constant-growth curve from start to end (in intensity terms for a reduction)."""
    if math.isnan(end):
        return [math.nan] * len(shares)
    a, b = ((1 - start / 100.0), (1 - end / 100.0)) if reduction else (start, end)
    # No constant growth joins values of opposite sign (or zero): draw those straight.
    values = [a + (b - a) * s for s in shares] if a * b <= 0 else [a * (b / a) ** s for s in shares]
    return [(1 - v) * 100.0 for v in values] if reduction else values


def _float(value: Any) -> float:
    if value is None or value is pd.NA:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
