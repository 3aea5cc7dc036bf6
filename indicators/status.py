"""Status of every plan × region × target: the catalogue and the store's observations, through the engine.

This is where a target meets its data: which series feeds it (for a cumulative
reduction: annual decline rates, intensity levels or cumulative figures, whichever
is most recent), which regions are assessed (the plan's region, plus its districts
and counties when they have data), and the output contract of `status --json`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from indicators import progress
from indicators.catalogue import Catalogue, Indicator, Plan, Target
from indicators.errors import InvalidArgument
from indicators.store import Store
from indicators.targets import apply_target_overrides

# The keys other tools rely on (issue: progress engine), in this order, then a few extras.
CONTRACT_KEYS = (
    "plan", "region", "indicator", "name_zh", "unit", "kind", "target", "bound", "base_year", "target_year",
    "latest_year", "latest_value", "time_progress", "completion_progress", "gap_pp", "required_annual_rate",
    "projected_value", "ratio", "status", "explanation_zh", "explanation_en",
)
# Methodology §8 adds: still needed a year in natural units (§8.4), within-year (§8.5), first judged year of a
# maintain target (§8.1), bounded share (§8.2), a relative target's change (§8.6). Null where §8 gives no meaning.
EXTRA_KEYS = (
    "region_zh", "area", "input_form", "input_indicator", "latest_month", "score",
    "required_annual_change", "required_annual_change_unit", "provisional", "judged_from", "bounded", "target_delta",
)



def _input_candidates(indicator: Indicator) -> list[tuple[str, str]]:
    """(input form, indicator id) pairs that can feed a target, in order of preference."""
    if indicator.kind != "cumulative_reduction" or indicator.inputs is None:
        return [("level", indicator.id)]
    candidates = []
    if indicator.inputs.annual_rate:
        candidates.append(("annual_rate", indicator.inputs.annual_rate))
    if indicator.inputs.level:
        candidates.append(("level", indicator.inputs.level))
    candidates.append(("cumulative", indicator.id))
    return candidates


def _choose_input(candidates: list[tuple[str, str]], latest: dict[tuple[str, str], int], region: str) -> tuple[str, str]:
    """The candidate with the most recent data (ties: the order of preference); the first if none has data."""
    best = max(candidates, key=lambda c: (latest.get((region, c[1]), -1), -candidates.index(c)))
    return best


def _regions_for(plan: Plan, catalogue: Catalogue, with_data: set[str]) -> list[str]:
    """The plan's region, then its districts and counties that have data for the target."""
    children = [r.id for r in catalogue.regions.values() if r.parent == plan.region and r.id in with_data]
    return [plan.region, *children]


def target_series(catalogue: Catalogue) -> set[tuple[str, str]]:
    """Every (region, indicator) series some plan's target reads: its indicator's input series, for the plan's
    region and each of its districts and counties (they are assessed once they have data)."""
    used: set[tuple[str, str]] = set()
    for plan, target in catalogue.plan_targets():
        regions = [plan.region, *(r.id for r in catalogue.regions.values() if r.parent == plan.region)]
        for _, indicator_id in _input_candidates(catalogue.indicators[target.indicator]):
            used.update((region_id, indicator_id) for region_id in regions)
    return used


def build_inputs(
    catalogue: Catalogue, observations: pd.DataFrame, *, plan: str | None = None, region: str | None = None,
    target_overrides: Mapping[tuple[str, str], float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's specs (one row per plan × region × target) and the observations they read.

    target_overrides: (plan, indicator) → value an administrator entered for a target the plan leaves unset.
    """
    catalogue = apply_target_overrides(catalogue, target_overrides)
    latest = observations.groupby(["region_id", "indicator_id"])["year"].max().to_dict() if not observations.empty else {}
    regions_with = observations.groupby("indicator_id")["region_id"].agg(set).to_dict() if not observations.empty else {}
    specs: list[dict[str, Any]] = []
    for plan_obj, target in _selected_targets(catalogue, plan):
        indicator = catalogue.indicators[target.indicator]
        candidates = _input_candidates(indicator)
        with_data = set().union(*(regions_with.get(ind_id, set()) for _, ind_id in candidates))
        for region_id in _regions_for(plan_obj, catalogue, with_data):
            if region is not None and region_id != region:
                continue
            form, input_id = _choose_input(candidates, latest, region_id)
            specs.append(_spec_row(catalogue, plan_obj, target, indicator, region_id, form, input_id))
    spec_frame = pd.DataFrame(specs, columns=[*progress.SPEC_COLUMNS, *progress.OPTIONAL_SPEC_COLUMNS, *_META_COLUMNS])
    if spec_frame.empty or observations.empty:
        return spec_frame, pd.DataFrame(columns=list(progress.OBSERVATION_COLUMNS))
    keyed = observations.merge(
        spec_frame[["series_id", "region", "input_indicator"]],
        left_on=["region_id", "indicator_id"], right_on=["region", "input_indicator"],
    )
    return spec_frame, keyed[list(progress.OBSERVATION_COLUMNS)]


_META_COLUMNS = ("plan", "region", "indicator", "input_indicator", "name_zh", "name_en", "area", "clause", "decimals",
                 "unit_en")


def _spec_row(
    catalogue: Catalogue, plan: Plan, target: Target, indicator: Indicator, region_id: str, form: str, input_id: str,
) -> dict[str, Any]:
    return {
        "series_id": f"{plan.id}|{region_id}|{indicator.id}",
        "kind": indicator.kind, "direction": indicator.direction, "bound": target.bound,
        "target": target.value if target.value is not None else float("nan"),
        "base_year": plan.base_year, "target_year": plan.target_year, "input_form": form,
        "unit": indicator.unit, "unit_en": indicator.unit_en, "issued_year": plan.date_issued.year, "bounded": indicator.bounded,
        "relative": target.relative, "about": target.about, "plan": plan.id, "region": region_id, "indicator": indicator.id,
        "input_indicator": input_id, "name_zh": indicator.name_zh, "name_en": indicator.name_en,
        "area": indicator.area, "clause": target.clause, "decimals": indicator.decimals,
    }


def _selected_targets(catalogue: Catalogue, plan: str | None) -> list[tuple[Plan, Target]]:
    if plan is not None and plan not in catalogue.plans:
        known = "、".join(catalogue.plans)
        raise InvalidArgument(f"没有id为“{plan}”的方案（现有：{known}）。/ No plan '{plan}'.")
    return [(p, t) for p, t in catalogue.plan_targets() if plan is None or p.id == plan]


def resolve_region(catalogue: Catalogue, region: str | None) -> str | None:
    if region is None:
        return None
    region_id = catalogue.find_region(region)
    if region_id is None:
        raise InvalidArgument(f"地区“{region}”不在地区目录中。/ Unknown region '{region}'.")
    return region_id


def assessed_scope(catalogue: Catalogue) -> tuple[list[str], list[str]]:
    """The indicators some target reads and the regions assessed (the plans' regions and their districts):
    observations outside them never reach the engine, so the database can drop them."""
    indicators = sorted({ind_id for _, t in catalogue.plan_targets()
                         for _, ind_id in _input_candidates(catalogue.indicators[t.indicator])})
    plan_regions = {p.region for p in catalogue.plans.values()}
    regions = sorted(plan_regions | {r.id for r in catalogue.regions.values() if r.parent in plan_regions})
    return indicators, regions


def load_observations(catalogue: Catalogue, store: Store, *, as_of: int | None = None) -> pd.DataFrame:
    """The current observations any plan's target could read (with data status, source and batch): the one read behind
    the engine's inputs, and behind the data gaps, which need the data status the engine does not."""
    indicators, regions = assessed_scope(catalogue)
    return store.current_observations(as_of=as_of, indicators=indicators, regions=regions)


def load_inputs(
    catalogue: Catalogue, store: Store, *, plan: str | None = None, region: str | None = None, as_of: int | None = None,
    target_overrides: Mapping[tuple[str, str], float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's specs and observations for the selected plans and regions, read from the store.

    target_overrides: the administrator's target values when the caller has them already (else read from the store).
    """
    observations = load_observations(catalogue, store, as_of=as_of)
    return build_inputs(catalogue, observations, plan=plan, region=resolve_region(catalogue, region),
                        target_overrides=store.target_overrides() if target_overrides is None else target_overrides)


def status_frame(
    catalogue: Catalogue, store: Store, *, plan: str | None = None, region: str | None = None, as_of: int | None = None,
) -> pd.DataFrame:
    """One row per plan × region × target with every figure, status, reason and method input."""
    return assess_inputs(*load_inputs(catalogue, store, plan=plan, region=region, as_of=as_of), as_of=as_of)


def assess_inputs(specs: pd.DataFrame, observations: pd.DataFrame, *, as_of: int | None = None) -> pd.DataFrame:
    """Every figure, status, reason and method input of the series `load_inputs` gave."""
    if specs.empty:
        return specs
    return progress.assess_frame(specs, observations, as_of=as_of, reasons=True)


def assessed_each_year(specs: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """The engine's results "as of" each year a series has a figure for, one row per series × such year (the
    series' id in `original_id`, the year in `as_of_year`): the chaining of rates and every other rule stay in the
    engine. Empty inputs give an empty frame."""
    if specs.empty or observations.empty:
        return pd.DataFrame(columns=["original_id", "as_of_year"])
    pairs = observations[["series_id", "year"]].drop_duplicates()
    replicated = specs.merge(pairs, on="series_id").rename(columns={"year": "as_of_year"})
    replicated["original_id"] = replicated["series_id"]
    replicated["series_id"] = replicated["series_id"] + "@" + replicated["as_of_year"].astype(str)
    keyed = replicated[["series_id", "original_id", "as_of_year"]].merge(
        observations, left_on="original_id", right_on="series_id", suffixes=("", "_obs"))
    keyed = keyed[keyed["year"] <= keyed["as_of_year"]]
    results = progress.assess_frame(replicated, keyed[list(progress.OBSERVATION_COLUMNS)])
    return results[results["latest_year"] == results["as_of_year"]]


def history_frame(specs: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """Each series' value year by year in the indicator's terms (a reduction: cumulative % so far).
    Columns: series_id, year, month, value, status_barometer."""
    columns = ["series_id", "year", "month", "value", "status_barometer"]
    if specs.empty or observations.empty:
        return pd.DataFrame(columns=columns)
    results = assessed_each_year(specs, observations)
    return pd.DataFrame({
        "series_id": results["original_id"], "year": results["as_of_year"].astype("int64"),
        "month": results["latest_month"], "value": results["latest_value"],
        "status_barometer": results["status_barometer"].astype(str),
    }).sort_values(["series_id", "year"]).reset_index(drop=True)


def status_records(
    catalogue: Catalogue, store: Store, *, plan: str | None = None, region: str | None = None, as_of: int | None = None,
) -> list[dict[str, Any]]:
    """The `status --json` contract: one JSON-ready object per plan × region × target."""
    frame = status_frame(catalogue, store, plan=plan, region=region, as_of=as_of)
    if frame.empty:
        return []
    records = []
    for rec in progress.to_records(frame):
        out = {key: rec.get(key) for key in CONTRACT_KEYS}
        out["target"] = rec.get("target")
        out.update({key: rec.get(key) for key in EXTRA_KEYS})
        out["region_zh"] = catalogue.regions[str(out["region"])].name_zh
        records.append(out)
    return records
