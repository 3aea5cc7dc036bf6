"""The engine's output: the result frame (figures, statuses, method inputs) and its JSON-ready records."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from indicators.progress.explain import explain
from indicators.progress.rules import (
    ASSESSABILITY,
    CHANGE_POINTS,
    CHANGE_REDUCTION,
    CHANGE_RELATIVE,
    CHANGE_UNIT_PER_YEAR,
    CHANGE_UNIT_POINTS,
    CHANGE_UNIT_RATE,
    CHANGE_UNITS,
    FIGURE_KEYS,
    FORM_RATE,
)
from indicators.vocabulary import METHODS, STATUSES


def _int_array(values: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.array(values, dtype="Int64")


def _change_units(specs: pd.DataFrame, form: np.ndarray) -> np.ndarray:
    """The unit of `required_annual_change` (§8.4): "%/年", "个百分点/年", the count's own unit a year; None when null."""
    out = np.full(len(form), None, dtype=object)
    out[(form == CHANGE_REDUCTION) | (form == CHANGE_RELATIVE)] = CHANGE_UNIT_RATE
    out[form == CHANGE_POINTS] = CHANGE_UNIT_POINTS
    counts = np.flatnonzero(form == CHANGE_UNITS)
    if len(counts):
        units = specs["unit"].astype(object).to_numpy()[counts] if "unit" in specs.columns else [None] * len(counts)
        out[counts] = [CHANGE_UNIT_PER_YEAR.format(unit="" if u is None or u != u else u) for u in units]
    return out


def result_frame(
    specs: pd.DataFrame, sp: dict[str, np.ndarray], agg: dict[str, np.ndarray],
    base: dict[str, np.ndarray], f: dict[str, np.ndarray], why: np.ndarray, st: dict[str, np.ndarray],
) -> pd.DataFrame:
    has_data = agg["n"] > 0
    columns: dict[str, Any] = {
        # The target in the indicator's terms: a relative target resolved to v_B ± N (null while pending).
        "target": np.where(sp["pending"], np.nan, sp["target_value"]),
        "target_delta": np.where(sp["relative"], sp["target"], np.nan),
        "latest_year": _int_array(agg["last_year"]),
        "latest_month": _int_array(agg["last_month"]),
        "provisional": has_data & ~np.isnan(agg["last_month"]),
        "latest_value": f["latest_value"],
        "time_progress": f["time_progress"],
        "completion_progress": f["completion_progress"],
        "completion_progress_geometric": f["completion_progress_geometric"],
        "gap_pp": f["gap_pp"],
        "required_annual_rate": f["required_annual_rate"],
        "required_annual_change": f["required_annual_change"],
        "required_annual_change_unit": _change_units(specs, f["change_form"]),
        "judged_from": _int_array(np.where(sp["maintain"], agg["judged_from"], np.nan)),
        "bounded": sp["bounded"],
        "projected_value": f["projected_value"],
        "projected_value_linear": f["projected_value_linear"],
        "ratio": f["ratio"],
        "score": st["score"],
        **{
            f"status_{m}": pd.Categorical.from_codes(st[m], categories=list(STATUSES[m]))
            for m in METHODS
        },
        # Method inputs, so a page can show which method produced a colour and from what.
        "met": f["met"],
        "assessability": pd.Categorical.from_codes(why, categories=list(ASSESSABILITY)),
        "is_reduction": sp["reduction"],
        "is_maintain": sp["maintain"],
        "is_relative": sp["relative"],
        "target_pending": sp["pending"],
        "about": sp["about"],
        "base_met": f["base_met"],
        "projection_clipped": f["projection_clipped"],
        "change_form": f["change_form"].astype(np.int8),
        "n_points": base["n_points"].astype(np.int64),
        "effective_base_year": _int_array(np.where(has_data, base["base_year"], np.nan)),
        "base_year_missing": has_data & (base["base_year"] > sp["B"]),
        "base_value": np.where(has_data, base["base_value"], np.nan),
        "tolerance_pp": sp["tol"],
        "elapsed_years": f["elapsed_years"],
        "remaining_years": f["remaining_years"],
        "bar_path": pd.Categorical.from_codes(sp["reduction"].astype(np.int8), categories=["linear", "geometric"]),
        "bar_progress_target": f["bar_progress_target"],
        "bar_shortfall": f["bar_shortfall"],
        "ratio_observed_rate": f["ratio_observed_rate"],
        "ratio_required_rate": f["ratio_required_rate"],
        "zero_substituted": f["zero_substituted"] & has_data,
        "opposite_sign": f["opposite_sign"],
        "target_opposite_sign": f["target_opposite_sign"],
        "ant_p": f["ant_p"],
        "ant_p_linear": f["ant_p_linear"],
        "linear_slope": f["linear_slope"],
        "linear_intercept": f["linear_intercept"],
        "maintain_failed_years": agg["n_failed"].astype(np.int64),
        "maintain_first_failed_year": _int_array(agg["first_failed_year"]),
        "maintain_first_failed_value": agg["first_failed_value"],
        "maintain_last_failed_year": _int_array(agg["last_failed_year"]),
        "maintain_last_failed_value": agg["last_failed_value"],
        "maintain_latest_failed": agg["latest_failed"],
        "maintain_judged_stand_in": agg["judged_stand_in"],
        "first_missing_rate_year": _int_array(
            np.where(sp["form"] == FORM_RATE, agg["first_missing_rate_year"], np.nan)
        ),
    }
    computed = pd.DataFrame(columns, index=specs.index)
    passthrough = specs.drop(columns=[c for c in computed.columns if c in specs.columns])
    return pd.concat([passthrough, computed], axis=1)


_DETAIL_GROUPS: dict[str, tuple[str, ...]] = {
    "data": (
        "n_points", "effective_base_year", "base_year_missing", "base_value", "met", "base_met", "assessability",
        "tolerance_pp", "elapsed_years", "remaining_years", "zero_substituted", "opposite_sign",
        "target_opposite_sign", "first_missing_rate_year", "is_relative", "target_pending", "about",
        "projection_clipped",
    ),
    "completion": ("time_progress", "completion_progress", "completion_progress_geometric", "gap_pp"),
    "barometer": ("bar_path", "bar_progress_target", "bar_shortfall", "status_barometer"),
    "ratio": ("ratio_observed_rate", "ratio_required_rate", "ratio", "score", "status_ratio"),
    "anticipated": (
        "projected_value", "ant_p", "projected_value_linear", "ant_p_linear", "linear_slope", "linear_intercept",
        "status_anticipated",
    ),
    "required": ("required_annual_rate", "required_annual_change", "required_annual_change_unit", "remaining_years"),
    "maintain": (
        "judged_from", "maintain_failed_years", "maintain_first_failed_year", "maintain_first_failed_value",
        "maintain_last_failed_year", "maintain_last_failed_value", "maintain_latest_failed",
        "maintain_judged_stand_in",
    ),
}


def _plain(value: Any) -> Any:
    """numpy / pandas scalars → JSON-friendly Python values, NA → None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def to_records(results: pd.DataFrame) -> list[dict[str, Any]]:
    """Result rows as JSON-ready dicts: the contract figures, `status` as a dict
    {barometer, ratio, anticipated}, both reasons, `details` (each method's inputs),
    then every passed-through spec column (plan, region, unit, ...)."""
    if "explanation_zh" not in results.columns:
        results = explain(results)
    # Column-wise lists, then rows: far cheaper than DataFrame.to_dict on mixed dtypes.
    columns = {c: [_plain(v) for v in results[c].tolist()] for c in results.columns}
    extra = [c for c in results.columns if c not in FIGURE_KEYS and c not in _ALL_DETAIL_KEYS
             and c not in ("explanation_zh", "explanation_en")]
    records = []
    for i in range(len(results)):
        rec = {k: columns[k][i] if k in columns else None for k in FIGURE_KEYS}
        rec["status"] = {m: columns[f"status_{m}"][i] for m in METHODS}
        rec["explanation_zh"] = columns["explanation_zh"][i]
        rec["explanation_en"] = columns["explanation_en"][i]
        rec["details"] = {
            group: {("status" if k.startswith("status_") else k): columns[k][i] for k in keys}
            for group, keys in _DETAIL_GROUPS.items()
        }
        rec.update({c: columns[c][i] for c in extra})
        records.append(rec)
    return records


_ALL_DETAIL_KEYS = frozenset(k for keys in _DETAIL_GROUPS.values() for k in keys) | {
    f"status_{m}" for m in METHODS
} | {"is_reduction", "is_maintain", "linear_slope", "maintain_first_failed_value", "change_form"}
