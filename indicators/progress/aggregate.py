"""Per-series aggregates of the points: first and last point, least-squares sums,
failed years of maintain targets, gaps in annual-rate chains, and the effective base."""

from __future__ import annotations

import numpy as np

from indicators.progress.inputs import Points, group_bounds, per_row, rows_of
from indicators.progress.rules import FORM_CUMULATIVE, FORM_RATE, MET_EPSILON, NOT_FOUND


def _scatter(n: int, gcode: np.ndarray, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
    out = np.full(n, fill, dtype=np.float64)
    out[gcode] = values
    return out


def aggregate_points(pts: Points, sp: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Per-series aggregates (length S): first, last, counts, least-squares sums, checks."""
    s, e, g = pts.starts, pts.ends, pts.gcode
    empty = len(s) == 0
    count = _scatter(n, g, (e - s + 1).astype(np.float64), 0.0)
    agg = {
        "n": count,
        "first_year": _scatter(n, g, pts.year[s]),
        "first_tpos": _scatter(n, g, pts.tpos[s]),
        "first_value": _scatter(n, g, pts.value[s]),
        "last_year": _scatter(n, g, pts.year[e]),
        "last_month": _scatter(n, g, pts.month[e]),
        "last_tpos": _scatter(n, g, pts.tpos[e]),
        "last_value": _scatter(n, g, pts.value[e]),
    }
    base_b = per_row(sp["B"], pts.code)
    x = pts.tpos - base_b  # centred on the base year for numerical stability
    y = pts.value
    for name, arr in (("sx", x), ("sy", y), ("sxy", x * y), ("sxx", x * x)):
        agg[name] = _scatter(n, g, np.zeros(0) if empty else np.add.reduceat(arr, s), 0.0)
    agg.update(_maintain_checks(pts, sp, n))
    agg["first_missing_rate_year"] = _first_missing_year(pts, sp, n)
    return agg


def _maintain_checks(pts: Points, sp: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """A maintain target is judged in the years the plan is in force (§8.1): `judged_from` = max(B+1, year of
    issue) .. Y; earlier years are history. With no judged year yet, the latest year before them is judged.
    Counts the failed judged years and finds the first and the last; `latest_failed`: the latest judged year."""
    out = {
        "n_failed": np.zeros(n), "first_failed_year": np.full(n, np.nan), "first_failed_value": np.full(n, np.nan),
        "last_failed_year": np.full(n, np.nan), "last_failed_value": np.full(n, np.nan),
        "latest_failed": np.zeros(n, dtype=bool), "judged_from": np.full(n, np.nan),
        "judged_stand_in": np.zeros(n, dtype=bool),
    }
    rows = rows_of(sp["maintain"], pts.code)
    if rows is None or len(rows) == 0:
        out["judged_from"] = np.where(sp["maintain"], sp["judged_from"], np.nan)
        return out
    c, year, value = pts.code[rows], pts.year[rows], pts.value[rows]
    starts, ends = group_bounds(c)
    g = c[starts]
    first_judged = sp["judged_from"][c]
    last_of_series = np.zeros(len(c), dtype=bool)
    last_of_series[ends] = True
    # Nothing judged yet: the latest year (the series' last row) stands in.
    judged = (year >= first_judged) | (last_of_series & (np.repeat(year[ends], ends - starts + 1) < first_judged))
    vstar = sp["target"][c]
    slack = sp["tol"][c] + MET_EPSILON * np.maximum(1.0, np.abs(vstar))
    with np.errstate(invalid="ignore"):
        fail = judged & (sp["sense"][c] * (value - vstar) < -slack)
    position = np.arange(len(c))
    first = np.minimum.reduceat(np.where(fail, position, NOT_FOUND), starts)
    last = np.maximum.reduceat(np.where(fail, position, -1), starts)
    has = first < NOT_FOUND
    out["n_failed"][g] = np.add.reduceat(fail.astype(np.int64), starts)
    out["first_failed_year"][g] = np.where(has, year[np.where(has, first, 0)], np.nan)
    out["first_failed_value"][g] = np.where(has, value[np.where(has, first, 0)], np.nan)
    out["last_failed_year"][g] = np.where(has, year[np.where(has, last, 0)], np.nan)
    out["last_failed_value"][g] = np.where(has, value[np.where(has, last, 0)], np.nan)
    out["latest_failed"][g] = fail[ends]
    judged_from = np.where(sp["maintain"], sp["judged_from"], np.nan)
    judged_from[g] = np.minimum(first_judged[starts], year[ends])  # the stand-in year when nothing is judged yet
    out["judged_from"] = judged_from
    out["judged_stand_in"][g] = year[ends] < first_judged[starts]
    return out


def _first_missing_year(pts: Points, sp: dict[str, np.ndarray], n: int) -> np.ndarray:
    """First year missing inside a run of annual rates (the chain cannot skip a year)."""
    out = np.full(n, np.nan)
    rows = rows_of(sp["form"] == FORM_RATE, pts.code)
    if rows is None or len(rows) == 0:
        return out
    c, year = pts.code[rows], pts.year[rows]
    starts, _ = group_bounds(c)
    gap_after = np.zeros(len(c), dtype=bool)
    gap_after[:-1] = (c[1:] == c[:-1]) & ((year[1:] - year[:-1]) > 1)
    first = np.minimum.reduceat(np.where(gap_after, year + 1, NOT_FOUND), starts)
    out[c[starts]] = np.where(first < NOT_FOUND, first, np.nan)
    return out


def effective_base(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Base point: implied I = 1 for rate/cumulative input, else the first observation."""
    has_data = agg["n"] > 0
    rate = sp["form"] == FORM_RATE
    cumulative = sp["form"] == FORM_CUMULATIVE
    implied = has_data & (rate | (cumulative & (agg["first_year"] > sp["B"])))
    implied_year = np.where(rate, agg["first_year"] - 1, sp["B"])
    base_year = np.where(implied, implied_year, agg["first_year"])
    base_tpos = np.where(implied, implied_year, agg["first_tpos"])
    base_value = np.where(implied, 1.0, agg["first_value"])
    n_points = agg["n"] + implied
    # The implied base joins the least-squares sums like any other point.
    xb = np.where(implied, implied_year - sp["B"], 0.0)
    yb = np.where(implied, 1.0, 0.0)
    return {
        "implied": implied,
        "base_year": base_year,
        "base_tpos": base_tpos,
        "base_value": base_value,
        "n_points": n_points,
        "sx": agg["sx"] + xb,
        "sy": agg["sy"] + yb,
        "sxy": agg["sxy"] + xb * yb,
        "sxx": agg["sxx"] + xb * xb,
    }
