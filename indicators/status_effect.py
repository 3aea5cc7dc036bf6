"""What publishing some rows would change: each target whose status or latest figure moves.

The analyst sees it before publishing ("天津市 非化石能源消费比重：黄灯 → 绿灯"). It is the engine run twice,
on the data as it is and on the data with the incoming rows laid over it (a row replaces the current value of
its region, indicator, year and month, as publishing does), so the rules stay in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators.catalogue import Catalogue
from indicators.status import assess_inputs, assessed_scope, build_inputs
from indicators.store import Store
from indicators.vocabulary import METHODS

KEY = ["region_id", "indicator_id", "year", "month"]
NO_MONTH = -1  # stands for "annual" in the key: NaN never equals NaN
EFFECT_COLUMNS = [
    "plan", "region", "indicator", "name_zh", "name_en", "decimals", "unit",
    *(f"{when}_{method}" for when in ("before", "after") for method in METHODS),
    "before_value", "after_value", "before_year", "after_year", "status_changed", "value_changed",
]


def overlay(current: pd.DataFrame, incoming: pd.DataFrame) -> pd.DataFrame:
    """The current observations with the incoming rows in place of those with the same key."""
    columns = [c for c in ("region_id", "indicator_id", "year", "month", "value", "status") if c in current.columns]
    if incoming.empty:
        return current[columns]
    new = incoming[[c for c in columns if c in incoming.columns]]
    keyed_current = current[KEY].astype(object).fillna(NO_MONTH).apply(tuple, axis=1)
    keyed_new = set(new[KEY].astype(object).fillna(NO_MONTH).apply(tuple, axis=1))
    kept = current[~keyed_current.isin(keyed_new)][columns]
    merged = pd.concat([kept, new], ignore_index=True)
    merged["year"] = merged["year"].astype("int64")
    merged["month"] = pd.array(merged["month"], dtype="Int64")
    merged["value"] = merged["value"].astype("float64")
    return merged


def status_effect(catalogue: Catalogue, current: pd.DataFrame, incoming: pd.DataFrame,
                  target_overrides: Mapping[tuple[str, str], float] | None = None) -> pd.DataFrame:
    """One row per plan × region × target whose status (under any method) or latest value or year would change.

    current: the store's current observations (Store.current_observations); incoming: the rows to publish.
    Targets that only appear afterwards (a district's first data) are listed with an empty 'before'.
    """
    indicators, regions = assessed_scope(catalogue)
    relevant = incoming[incoming["indicator_id"].isin(indicators) & incoming["region_id"].isin(regions)]
    if relevant.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    before = _assessed(catalogue, current, target_overrides)
    after = _assessed(catalogue, overlay(current, relevant), target_overrides)
    joined = after.merge(before, on="series_id", how="left", suffixes=("", "_before"))
    frame = pd.DataFrame({
        "plan": joined["plan"], "region": joined["region"], "indicator": joined["indicator"],
        "name_zh": joined["name_zh"], "name_en": joined["name_en"], "decimals": joined["decimals"], "unit": joined["unit"],
    })
    for method in METHODS:
        frame[f"before_{method}"] = joined[f"status_{method}_before"]
        frame[f"after_{method}"] = joined[f"status_{method}"]
    frame["before_value"], frame["after_value"] = joined["latest_value_before"], joined["latest_value"]
    frame["before_year"], frame["after_year"] = joined["latest_year_before"], joined["latest_year"]
    status_changed = np.zeros(len(frame), dtype=bool)
    for method in METHODS:
        status_changed |= (frame[f"before_{method}"].astype(object).fillna("") != frame[f"after_{method}"].astype(object).fillna("")).to_numpy()
    frame["status_changed"] = status_changed
    frame["value_changed"] = ~_same(frame["before_value"], frame["after_value"]) | ~_same(frame["before_year"], frame["after_year"])
    return frame[frame["status_changed"] | frame["value_changed"]][EFFECT_COLUMNS].reset_index(drop=True)


def _assessed(catalogue: Catalogue, observations: pd.DataFrame,
              target_overrides: Mapping[tuple[str, str], float] | None) -> pd.DataFrame:
    specs, keyed = build_inputs(catalogue, observations, target_overrides=target_overrides)
    results = assess_inputs(specs, keyed)
    wanted = ["series_id", "plan", "region", "indicator", "name_zh", "name_en", "decimals", "unit",
              "latest_value", "latest_year", *(f"status_{m}" for m in METHODS)]
    if results.empty:
        return pd.DataFrame(columns=wanted)
    out = results[wanted].copy()
    for method in METHODS:
        out[f"status_{method}"] = out[f"status_{method}"].astype(str)
    return out


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    """Equal, or both missing."""
    left, right = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
    return ((left - right).abs() < 1e-9) | (left.isna() & right.isna())


def publish_effect(catalogue: Catalogue, store: Store, rows: pd.DataFrame) -> pd.DataFrame:
    """`status_effect` of publishing `rows` into the store as it is now (administrators' target values included)."""
    indicators, regions = assessed_scope(catalogue)
    current = store.current_observations(indicators=indicators, regions=regions)
    return status_effect(catalogue, current, rows, store.target_overrides())
