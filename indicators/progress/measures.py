"""Every method's per-series measures (completion, time progress, gap, barometer path,
growth-rate ratio, projections, required rate and change), vectorised, NaN where not computable."""

from __future__ import annotations

from typing import Any

import numpy as np

from indicators.progress.inputs import tolerance
from indicators.progress.rules import (
    CHANGE_NONE,
    CHANGE_POINTS,
    CHANGE_REDUCTION,
    CHANGE_RELATIVE,
    CHANGE_UNITS,
    FORM_RATE,
    MET_EPSILON,
    MIN_TREND_POINTS,
    SHARE_LIMITS,
    ZERO_SUBSTITUTE,
)


def resolve_targets(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], base: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The specs with every target resolved (§8.6): a relative target becomes `v* = v_B + d·N` once the
    base-year value is known; until then it is pending (待基期数据) and counts as not set. `target_value` is
    the target in the indicator's terms (K for a reduction)."""
    relative = sp["relative"]
    if not relative.any():
        return {**sp, "pending": relative, "target_value": sp["target"]}
    has_base = (agg["n"] > 0) & (base["base_year"] == sp["B"])  # the base year itself, not a stand-in year
    pending = relative & ~sp["not_set"] & ~has_base
    resolved = np.where(relative, np.where(pending, np.nan, base["base_value"] + sp["d"] * sp["target"]), sp["target"])
    return {
        **sp, "pending": pending, "target_value": resolved, "not_set": sp["not_set"] | pending,
        "tol": np.where(relative, tolerance(sp["kind"], resolved, sp["tol_unit"]), sp["tol"]),
    }


def compute_measures(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], base: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every method's measures and intermediate inputs, NaN where not computable."""
    red, d = sp["reduction"], sp["d"]
    B, T = sp["B"], sp["T"]
    vb = base["base_value"]
    rate_gap = (sp["form"] == FORM_RATE) & ~np.isnan(agg["first_missing_rate_year"])
    vy = np.where(rate_gap, np.nan, agg["last_value"])
    ty = agg["last_tpos"]
    vstar = np.where(red, vb * (1.0 - sp["target_value"] / 100.0), sp["target_value"])
    vstar = np.where(sp["not_set"], np.nan, vstar)
    elapsed = ty - base["base_tpos"]
    period = T - base["base_tpos"]
    remaining = T - ty
    few = base["n_points"] < MIN_TREND_POINTS

    def out(v: np.ndarray) -> np.ndarray:
        """Internal level → the indicator's terms (cumulative reduction % for reductions)."""
        return np.where(red, (1.0 - v / vb) * 100.0, v)

    f: dict[str, np.ndarray] = {"rate_gap": rate_gap, "few": few, "vy": vy, "vstar": vstar}
    with np.errstate(all="ignore"):
        f["latest_value"] = out(vy)
        f["time_progress"] = (ty - B) / (T - B)
        f["met"] = _met(sp, agg, vy, vstar)
        # §8.3: a base that already meets the target (two points at least: else the base is the latest value).
        f["base_met"] = (_meets(sp, vb, vstar) & ~sp["maintain"] & ~sp["not_set"] & ~few
                         & np.isfinite(vy) & (agg["n"] > 0))

        span = vstar - vb
        f["completion_progress"] = np.where(span != 0, (vy - vb) / span, np.nan)
        f["completion_progress_geometric"] = np.where(
            red, np.log(vy / vb) / np.log(vstar / vb), np.nan
        )
        f["gap_pp"] = (f["completion_progress"] - f["time_progress"]) * 100.0
        f.update(barometer_measures(red, d, vb, vy, vstar, elapsed / period, out))
        clip = sp["bounded"] & ~red
        f.update(_growth_measures(d, vb, vy, vstar, elapsed, period, remaining, clip, out))
        f.update(_linear_measures(d, base, vb, vstar, B, T, clip, out))
        f["projection_clipped"] = f.pop("cagr_clipped") | f.pop("linear_clipped")
        needs = (remaining > 0) & ~f["met"]
        f["required_annual_rate"] = np.where(
            needs & (vy * f["vstar_c"] > 0),
            d * ((f["vstar_c"] / vy) ** (1.0 / remaining) - 1.0) * 100.0,
            np.nan,
        )
        f.update(_required_change(sp, vy, vstar, remaining, needs, f["required_annual_rate"]))
    f["remaining_years"] = np.where(remaining > 0, remaining, 0.0)
    f["elapsed_years"] = elapsed
    _null_not_applicable(f, sp, few)
    return f


def _meets(sp: dict[str, np.ndarray], v: np.ndarray, vstar: np.ndarray) -> np.ndarray:
    """v meets v* in the target's sense, within the tolerance and float slack."""
    slack = sp["tol"] + MET_EPSILON * np.maximum(1.0, np.abs(vstar))
    return sp["sense"] * (v - vstar) >= -slack


def _met(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], vy: np.ndarray, vstar: np.ndarray) -> np.ndarray:
    """The one "target met" test every method reports (as achieved on an annual figure, §8.5)."""
    all_judged_years_met = agg["n_failed"] == 0
    met = np.where(sp["maintain"], all_judged_years_met & np.isfinite(vy), _meets(sp, vy, vstar))
    return met & ~sp["not_set"] & (agg["n"] > 0)


def _required_change(
    sp: dict[str, np.ndarray], vy: np.ndarray, vstar: np.ndarray, remaining: np.ndarray, needs: np.ndarray,
    required_rate: np.ndarray,
) -> dict[str, np.ndarray]:
    """§8.4 in the units people use, over the remaining years: a reduction's k_rem (%/年); a share or rate in %:
    (v* - v_Y)/(T - Y) percentage points a year; a count: units a year; another level: (v*/v_Y)^(1/(T-Y)) - 1.
    Signed as the value must move (a reduction's k_rem: the decline still needed)."""
    form = np.select(
        [sp["reduction"], sp["count"], sp["percent"]], [CHANGE_REDUCTION, CHANGE_UNITS, CHANGE_POINTS],
        default=CHANGE_RELATIVE,
    )
    per_year = (vstar - vy) / np.where(remaining > 0, remaining, np.nan)
    change = np.select(
        [form == CHANGE_REDUCTION, (form == CHANGE_POINTS) | (form == CHANGE_UNITS)],
        [required_rate, np.where(needs, per_year, np.nan)],
        default=sp["d"] * required_rate,
    )
    return {"required_annual_change": change, "change_form": form}


def barometer_measures(
    red: np.ndarray, d: np.ndarray, vb: np.ndarray, vy: np.ndarray, vstar: np.ndarray,
    share: np.ndarray, out: Any,
) -> dict[str, np.ndarray]:
    """Progress target on the path (geometric for reductions, linear for levels), shortfall."""
    path = np.where(red, vb * (vstar / vb) ** share, vb + (vstar - vb) * share)
    behind = d * (path - vy)  # > 0: behind the path
    needed = d * (path - vb)  # progress the path asks for by now
    shortfall = np.where(needed > 0, behind / needed, np.nan)
    return {
        "bar_progress_target": out(path),
        "bar_shortfall": shortfall,
        "bar_behind": behind,
        "bar_needed": needed,
    }


def _cagr(v1: np.ndarray, v0: np.ndarray, years: np.ndarray) -> np.ndarray:
    """(v1/v0)^(1/years) - 1; NaN for opposite signs (the ratio would be meaningless)."""
    ratio = np.where(v1 * v0 < 0, np.nan, v1 / v0)
    return np.where(years > 0, ratio ** (1.0 / years) - 1.0, np.nan)


def _clip_share(values: np.ndarray, clip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """§8.2: a bounded share's projection stays in [0, 100]; also says which values were clipped."""
    clipped = np.where(clip, np.clip(values, *SHARE_LIMITS), values)
    return clipped, clip & (clipped != values) & np.isfinite(values)


def _growth_measures(
    d: np.ndarray, vb: np.ndarray, vy: np.ndarray, vstar: np.ndarray,
    elapsed: np.ndarray, period: np.ndarray, remaining: np.ndarray, clip: np.ndarray, out: Any,
) -> dict[str, np.ndarray]:
    """Growth-rate ratio R, score input, CAGR projection (clipped for a share) and P (with 0 → 0.001)."""
    vb_c = np.where(vb == 0, ZERO_SUBSTITUTE, vb)
    vstar_c = np.where(vstar == 0, ZERO_SUBSTITUTE, vstar)
    observed = d * _cagr(vy, vb_c, elapsed)
    required = np.abs(_cagr(vstar_c, vb_c, period))
    projected, clipped = _clip_share(vy * (1.0 + d * observed) ** np.maximum(remaining, 0.0), clip)
    needed = d * (vstar_c - vb_c)
    return {
        "vstar_c": vstar_c,
        "zero_substituted": (vb == 0) | (vstar == 0),
        "opposite_sign": vb_c * vy < 0,
        "target_opposite_sign": vb_c * vstar_c < 0,
        "ratio_observed_rate": observed * 100.0,
        "ratio_required_rate": required * 100.0,
        "ratio_raw": observed / required,  # ±inf kept for the status, nulled as a figure
        "projected_internal": projected,
        "projected_value": out(projected),
        "cagr_clipped": clipped,
        "ant_needed": needed,
        "ant_p": np.where(needed > 0, d * (projected - vb_c) / needed, np.nan),
    }


def _linear_measures(
    d: np.ndarray, base: dict[str, np.ndarray], vb: np.ndarray, vstar: np.ndarray,
    B: np.ndarray, T: np.ndarray, clip: np.ndarray, out: Any,
) -> dict[str, np.ndarray]:
    """Least-squares line through the points B..Y, read at the target year (clipped for a share)."""
    n, sx, sy, sxy, sxx = base["n_points"], base["sx"], base["sy"], base["sxy"], base["sxx"]
    denom = n * sxx - sx * sx
    ok = (n >= MIN_TREND_POINTS) & (denom > 1e-12)
    slope = np.where(ok, (n * sxy - sx * sy) / np.where(ok, denom, 1.0), np.nan)
    intercept = (sy - slope * sx) / np.where(n > 0, n, 1.0)
    projected, clipped = _clip_share(intercept + slope * (T - B), clip)
    needed = d * (vstar - vb)
    return {
        "linear_clipped": clipped,
        "linear_slope": slope,
        "linear_intercept": intercept,
        "projected_value_linear": out(projected),
        "ant_p_linear": np.where(needed > 0, d * (projected - vb) / needed, np.nan),
    }


def _null_not_applicable(f: dict[str, np.ndarray], sp: dict[str, np.ndarray], few: np.ndarray) -> None:
    """Null the figures a method cannot produce here: never a made-up number."""
    no_trend = few | f["rate_gap"]  # a trend needs two points and an unbroken chain
    for key in ("projected_value", "projected_value_linear", "ratio_observed_rate"):
        f[key] = np.where(no_trend, np.nan, f[key])
    f["projection_clipped"] &= ~no_trend
    no_target = sp["not_set"] | few | sp["maintain"]  # these figures measure against v*
    for key in (
        "completion_progress", "completion_progress_geometric", "gap_pp", "required_annual_rate",
        "required_annual_change", "ratio_required_rate", "ant_p", "ant_p_linear", "bar_progress_target",
        "bar_shortfall",
    ):
        f[key] = np.where(no_target, np.nan, f[key])
    # §8.3: from a base that already meets the target no progress is asked: completion, gap and R have no meaning.
    for key in ("completion_progress", "completion_progress_geometric", "gap_pp", "ratio_required_rate",
                "bar_progress_target", "bar_shortfall", "ant_p", "ant_p_linear"):
        f[key] = np.where(f["base_met"], np.nan, f[key])
    # R = ±inf (target equal to base) still orders the status; as a figure it is null.
    f["ratio"] = np.where(no_target | f["base_met"] | ~np.isfinite(f["ratio_raw"]), np.nan, f["ratio_raw"])
    for key in (*_PUBLIC_FLOAT_MEASURES, "ratio_observed_rate", "ratio_required_rate", "ant_p", "ant_p_linear",
                "bar_progress_target", "bar_shortfall", "linear_slope", "linear_intercept"):
        f[key] = np.where(np.isfinite(f[key]), f[key], np.nan)
    f["change_form"] = np.where(np.isnan(f["required_annual_change"]), CHANGE_NONE, f["change_form"])


_PUBLIC_FLOAT_MEASURES = (
    "latest_value", "time_progress", "completion_progress", "completion_progress_geometric", "gap_pp",
    "required_annual_rate", "required_annual_change", "projected_value", "projected_value_linear", "ratio",
)
