"""What changed (有何变化): each target's status year by year, what changed since the previous annual figure and
since the previous data version, and which values were revised.

Every status here comes from the engine: it is asked "as of" each year with data (as `status.history_frame`
does for charts), and once more on the data as they stood before the latest batch. The previous data version is
the current view without the latest batch that is not rolled back (the store keeps every batch's rows). Nothing
here writes text: pages and exports word the results in their language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from indicators.catalogue import Catalogue
from indicators.status import assess_inputs, assessed_each_year, build_inputs
from indicators.store.observations import KEY, VALUE_TOLERANCE
from indicators.vocabulary import METHODS

STATUS_COLUMNS = tuple(f"status_{m}" for m in METHODS)
BY_YEAR_COLUMNS = ["series_id", "year", "month", "provisional", *STATUS_COLUMNS]
REVISION_COLUMNS = [*KEY, "old_value", "value", "old_status", "status", "batch_id", "imported_at", "file_name"]


@dataclass(frozen=True)
class DataVersion:
    """One data version: the batch that made it."""

    batch_id: int
    imported_at: Any
    file_name: str
    kind: str


@dataclass(frozen=True)
class ChangeView:
    """Statuses by year, the data versions compared, the statuses before the latest batch and the revised values."""

    by_year: pd.DataFrame  # BY_YEAR_COLUMNS: one row per series and year with a figure (the engine "as of" that year)
    current: pd.DataFrame  # the status table now (series_id, latest_year, latest_month, provisional, status_*)
    before_latest_batch: pd.DataFrame  # the same before the latest batch (series it had no data for are absent)
    latest: DataVersion | None  # the latest batch not rolled back
    previous: DataVersion | None  # the one before it (None: the latest batch is the first data version)
    revisions: pd.DataFrame  # REVISION_COLUMNS, newest first: values (or data statuses) a later batch replaced


def status_by_year(specs: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Each series' statuses under every method as of each year it has a figure for (a within-year figure is marked
    provisional, §8.5). `specs` and `observations` are what `status.build_inputs` gives."""
    if specs.empty or observations.empty:
        return pd.DataFrame(columns=BY_YEAR_COLUMNS)
    results = assessed_each_year(specs, observations)
    results = results[results["as_of_year"] > results["base_year"]]  # the base year is a starting point, never judged
    frame = pd.DataFrame({"series_id": results["original_id"], "year": results["as_of_year"].astype("int64"),
                          "month": results["latest_month"], "provisional": results["provisional"].astype(bool),
                          **{c: results[c].astype(str) for c in STATUS_COLUMNS}})
    return frame.sort_values(["series_id", "year"]).reset_index(drop=True)[BY_YEAR_COLUMNS]


def data_versions(log: pd.DataFrame) -> tuple[DataVersion | None, DataVersion | None]:
    """The latest batch of `log` (the store's active observation log) and the one before it."""
    if log.empty:
        return None, None
    batches = log.drop_duplicates("batch_id").sort_values("batch_id")
    found = [DataVersion(int(r["batch_id"]), r["imported_at"], str(r["file_name"]), str(r["kind"]))
             for r in batches.tail(2).to_dict("records")]
    return (found[-1], found[0]) if len(found) == 2 else (found[-1], None)


def view_without(log: pd.DataFrame, batch_id: int) -> pd.DataFrame:
    """The current view as it was before `batch_id` was written: the latest row of each key from the earlier batches."""
    earlier = log[log["batch_id"] < batch_id].sort_values("obs_id")
    keyed = earlier.assign(_month=earlier["month"].astype("float64").fillna(0))
    return earlier.loc[keyed.drop_duplicates(["region_id", "indicator_id", "year", "_month"], keep="last").index]


def revisions(log: pd.DataFrame) -> pd.DataFrame:
    """Rows that replaced an earlier value of their key (a value beyond VALUE_TOLERANCE, or its data status, e.g.
    初步 → 正式), newest first, with the value and status replaced."""
    if log.empty:
        return pd.DataFrame(columns=REVISION_COLUMNS)
    ordered = log.sort_values("obs_id").assign(_month=log["month"].astype("float64").fillna(0))
    groups = ordered.groupby(["region_id", "indicator_id", "year", "_month"], sort=False)
    ordered["old_value"] = groups["value"].shift()
    ordered["old_status"] = groups["status"].shift()
    value = ordered["value"].astype("float64")
    old = ordered["old_value"].astype("float64")
    moved = (value - old).abs() > VALUE_TOLERANCE * np.maximum(old.abs(), 1.0)
    revised = ordered[old.notna() & (moved | (ordered["status"] != ordered["old_status"]))]
    return revised.sort_values("obs_id", ascending=False)[REVISION_COLUMNS].reset_index(drop=True)


def build_change_view(catalogue: Catalogue, specs: pd.DataFrame, observations: pd.DataFrame, current: pd.DataFrame,
                      log: pd.DataFrame, *, target_overrides: Mapping[tuple[str, str], float] | None = None) -> ChangeView:
    """Everything `summary` and the pages need. `specs`, `observations` and `current` are the engine's inputs and the
    status table now; `log` is the store's active observation log (every batch not rolled back)."""
    latest, previous = data_versions(log)
    before = pd.DataFrame(columns=["series_id", *STATUS_COLUMNS])
    if latest is not None and previous is not None:
        earlier_specs, earlier_obs = build_inputs(catalogue, view_without(log, latest.batch_id),
                                                  target_overrides=target_overrides)
        before = assess_inputs(earlier_specs, earlier_obs)
        before = before[before["latest_year"].notna()]  # a series without data then had no status to change from
    return ChangeView(by_year=status_by_year(specs, observations), current=current, before_latest_batch=before,
                      latest=latest, previous=previous, revisions=revisions(log))


SUMMARY_COLUMNS = ["series_id", "status", "provisional", "latest_year", "latest_month", "since_year", "history",
                   "previous_year", "previous_status", "changed_since_previous_year", "version_status",
                   "changed_since_version"]


def summary(view: ChangeView, method: str) -> pd.DataFrame:
    """One row per series of the status table under `method`: the status now and since which year it has held
    (since_year: the first year of its unbroken run), its history [(year, month, status), …], the status at the
    previous annual figure and whether it changed since, and the status before the latest batch (version_status:
    None when there was no earlier version or the series had no data then) and whether it changed since."""
    column = f"status_{method}"
    by_series = {key: frame for key, frame in view.by_year.groupby("series_id", sort=False)}
    before = dict(zip(view.before_latest_batch["series_id"], view.before_latest_batch[column].astype(str), strict=True))
    records = []
    for row in view.current.to_dict("records"):
        status = str(row[column])
        years = by_series.get(row["series_id"], pd.DataFrame(columns=BY_YEAR_COLUMNS))
        history = [(int(y), None if pd.isna(m) else int(m), str(s))
                   for y, m, s in zip(years["year"], years["month"], years[column], strict=True)]
        since = _run_start(history, status)
        latest_year = row["latest_year"]
        earlier = years[(years["year"] < latest_year) & ~years["provisional"].astype(bool)] if pd.notna(latest_year) else years.iloc[0:0]
        previous_year = int(earlier["year"].iloc[-1]) if not earlier.empty else None
        previous_status = str(earlier[column].iloc[-1]) if not earlier.empty else None
        version_status = before.get(row["series_id"]) if view.previous is not None else None
        records.append({
            "series_id": row["series_id"], "status": status, "provisional": bool(row["provisional"]),
            "latest_year": latest_year, "latest_month": row["latest_month"], "since_year": since, "history": history,
            "previous_year": previous_year, "previous_status": previous_status,
            "changed_since_previous_year": previous_status is not None and previous_status != status,
            "version_status": version_status,
            "changed_since_version": version_status is not None and version_status != status,
        })
    return pd.DataFrame(records, columns=SUMMARY_COLUMNS)


def _run_start(history: list[tuple[int, int | None, str]], status: str) -> int | None:
    """The first year of the unbroken run of `status` that ends the history (None: the history does not end in it)."""
    since = None
    for year, _, past in reversed(history):
        if past != status:
            break
        since = year
    return since
