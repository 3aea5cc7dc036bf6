"""Reading the inputs: specs and observations → validated per-series arrays and sorted points
(one per series-year, reductions as an intensity index, annual rates chained)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from indicators.progress.rules import (
    ANNUAL_MONTH_RANK,
    FORM_CUMULATIVE,
    FORM_LEVEL,
    FORM_RATE,
    KIND_COUNT,
    KIND_LEVEL,
    KIND_MAINTAIN,
    KIND_QUALITATIVE,
    KIND_REDUCTION,
    LIMIT_TOLERANCE_PP,
    MONTHS_PER_YEAR,
    PERCENT_LIMITS,
    PERCENT_UNITS,
)
from indicators.progress.types import Point, ProgressInputError, TargetSpec, check_choice
from indicators.vocabulary import BOUNDS, DIRECTIONS, INPUT_FORMS, KINDS, InputForm

# ---------------------------------------------------------------------------
# Spec frame helpers
# ---------------------------------------------------------------------------

SPEC_COLUMNS = (
    "series_id", "kind", "direction", "bound", "target", "base_year", "target_year", "input_form",
)
# Optional spec columns (a missing column, or a null, takes the default): unit (None), issued_year (none: a
# maintain target is judged from B+1), bounded (by unit), relative (False), about (False).
OPTIONAL_SPEC_COLUMNS = ("unit", "issued_year", "bounded", "relative", "about")
OBSERVATION_COLUMNS = ("series_id", "year", "month", "value")


def spec_record(series_id: Any, spec: TargetSpec, input_form: InputForm = "level") -> dict[str, Any]:
    """One row of the specs frame that `assess_frame` reads."""
    check_choice("input_form", input_form, INPUT_FORMS)
    return {
        "series_id": series_id,
        "kind": spec.kind,
        "direction": spec.direction,
        "bound": spec.bound,
        "target": math.nan if spec.target is None else float(spec.target),
        "base_year": int(spec.base_year),
        "target_year": int(spec.target_year),
        "input_form": input_form,
        "unit": spec.unit,
        "issued_year": math.nan if spec.issued_year is None else float(spec.issued_year),
        "bounded": spec.bounded,
        "relative": spec.relative,
        "about": spec.about,
    }


def point_record(series_id: Any, point: Point | Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
    """Accept a Point, a mapping, (year, value) or (year, month, value)."""
    if isinstance(point, Point):
        year, month, value = point.year, point.month, point.value
    elif isinstance(point, Mapping):
        year, month, value = point["year"], point.get("month"), point["value"]
    elif len(point) == 2:
        (year, value), month = point, None
    else:
        year, month, value = point
    return {
        "series_id": series_id,
        "year": int(year),
        "month": math.nan if month is None else float(month),
        "value": math.nan if value is None else float(value),
    }


# ---------------------------------------------------------------------------
# Vectorised core
# ---------------------------------------------------------------------------


def _codes(values: pd.Series, choices: tuple[str, ...], name: str, ids: pd.Series) -> np.ndarray:
    """Map a column of labels to integer codes, refusing unknown labels by series.

    Factorise first: hashing the few distinct labels is far cheaper than every row.
    """
    local, uniques = pd.factorize(values)
    mapped = pd.Index(choices).get_indexer(pd.Index(uniques, dtype=object))
    codes = np.append(mapped, -1)[local]  # a missing label (-1) stays -1
    bad = codes < 0
    if bad.any():
        shown = ", ".join(
            f"{i}={v!r}" for i, v in zip(ids[bad].iloc[:5], values[bad].iloc[:5], strict=True)
        )
        raise ProgressInputError(
            f"{name} 取值无效 / invalid {name} ({int(bad.sum())} 个序列 / series): {shown}; "
            f"可选 / allowed: {', '.join(choices)}"
        )
    return codes


def spec_arrays(specs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-series arrays (length S) from the specs frame, validated."""
    missing = [c for c in SPEC_COLUMNS if c not in specs.columns and c != "input_form"]
    if missing:
        raise ProgressInputError(f"目标表缺少列 / specs frame lacks columns: {', '.join(missing)}")
    ids = specs["series_id"]
    n = len(specs)
    kind = _codes(specs["kind"], KINDS, "kind", ids)
    direction = _codes(specs["direction"], DIRECTIONS, "direction", ids)
    bound = _codes(specs["bound"], BOUNDS, "bound", ids)
    form = (
        _codes(specs["input_form"].fillna("level"), INPUT_FORMS, "input_form", ids)
        if "input_form" in specs.columns
        else np.zeros(n, dtype=np.int64)
    )
    base = specs["base_year"].to_numpy(dtype=np.float64, na_value=np.nan)
    tyear = specs["target_year"].to_numpy(dtype=np.float64, na_value=np.nan)
    bad_years = ~(tyear > base)
    if bad_years.any():
        raise ProgressInputError(
            "目标年份必须晚于基期 / target year must follow the base year: "
            + ", ".join(map(str, ids[bad_years].iloc[:5]))
        )
    target = specs["target"].to_numpy(dtype=np.float64, na_value=np.nan)
    reduction = (kind == KIND_REDUCTION) | ((kind == KIND_QUALITATIVE) & (form != FORM_LEVEL))
    wrong_form = ~reduction & (form != FORM_LEVEL)
    if wrong_form.any():
        raise ProgressInputError(
            "只有累计下降类目标可用 annual_rate / cumulative 输入 / only reduction targets take "
            "annual_rate or cumulative input: " + ", ".join(map(str, ids[wrong_form].iloc[:5]))
        )
    d = np.where(reduction, -1.0, np.where(direction == 0, 1.0, -1.0))
    # "met" sense: the bound decides where it is explicit, else the direction.
    sense = np.where(bound == 0, 1.0, np.where(bound == 1, -1.0, d))
    sense = np.where(reduction, -1.0, sense)
    maintain = (kind == KIND_MAINTAIN) | ((bound == 3) & ~reduction & (kind != KIND_QUALITATIVE))
    percent, unit_unknown = _unit_classes(specs)
    relative = _flag(specs, "relative", np.zeros(n, dtype=bool))
    wrong_relative = relative & ~np.isin(kind, (KIND_LEVEL, KIND_COUNT))
    if wrong_relative.any():
        raise ProgressInputError(
            "只有水平类和数量类目标可相对基期 / only level and count targets can be relative: "
            + ", ".join(map(str, ids[wrong_relative].iloc[:5]))
        )
    issued = (specs["issued_year"].to_numpy(dtype=np.float64, na_value=np.nan)
              if "issued_year" in specs.columns else np.full(n, np.nan))
    return {
        "kind": kind,
        "form": np.where(reduction, form, FORM_LEVEL),
        "reduction": reduction,
        "maintain": maintain,
        "count": kind == KIND_COUNT,
        "d": d,
        "sense": sense,
        "target": target,
        "not_set": (kind == KIND_QUALITATIVE) | np.isnan(target),
        "relative": relative,
        "about": _flag(specs, "about", np.zeros(n, dtype=bool)),
        "B": base,
        "T": tyear,
        "judged_from": np.fmax(base + 1.0, issued),  # §8.1 (NaN issue year: B+1)
        "percent": percent & ~reduction,
        "bounded": _flag(specs, "bounded", percent & ~reduction),
        "tol_unit": percent | unit_unknown,
        "tol": tolerance(kind, target, percent | unit_unknown),
    }


def _flag(specs: pd.DataFrame, name: str, default: np.ndarray) -> np.ndarray:
    """A boolean spec column; a missing column or a null takes the default."""
    if name not in specs.columns:
        return default
    column = specs[name]
    missing = column.isna().to_numpy()
    given = column.astype(object).where(~missing, False).astype(bool).to_numpy()
    return np.where(missing, default, given)


def _unit_classes(specs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per series: the unit is a percent; the unit is not given. Each distinct unit is looked at once."""
    n = len(specs)
    if "unit" not in specs.columns:
        return np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    local, uniques = pd.factorize(specs["unit"].astype(object), use_na_sentinel=True)
    names = [str(u).strip() for u in uniques]
    percent = np.array([u in PERCENT_UNITS for u in names] + [False], dtype=bool)[local]
    unknown = np.array([u == "" for u in names] + [True], dtype=bool)[local]  # -1 (null) picks the last entry
    return percent, unknown


def tolerance(kind: np.ndarray, target: np.ndarray, tol_unit: np.ndarray) -> np.ndarray:
    """1 pp at a 0%/100% level or maintain target whose unit is percent or unknown."""
    at_limit = np.isin(target, PERCENT_LIMITS) & ((kind == KIND_LEVEL) | (kind == KIND_MAINTAIN)) & tol_unit
    return np.where(at_limit, LIMIT_TOLERANCE_PP, 0.0)


@dataclass
class Points:
    """Observations kept for assessment, sorted by (series, year), one per series-year."""

    code: np.ndarray
    year: np.ndarray
    month: np.ndarray  # NaN for annual
    tpos: np.ndarray  # year - 1 + month/12 (annual: year)
    value: np.ndarray  # internal level (intensity index for reductions)
    starts: np.ndarray  # first row of each group
    ends: np.ndarray  # last row of each group
    gcode: np.ndarray  # series code of each group


def _series_codes(spec_ids: pd.Series, ids: pd.Series) -> np.ndarray:
    """Row of each observation's series in `specs` (-1 when absent).

    Factorise the observations' ids first (one hash pass), then place the distinct ids;
    when they come in the specs' own order (a store read in key order) skip the lookup.
    """
    local, uniques = pd.factorize(ids)
    index = pd.Index(spec_ids)
    if len(uniques) == len(index) and pd.Index(uniques).equals(index):
        spec_pos = np.arange(len(index), dtype=np.int64)  # distinct by construction
    else:
        if not index.is_unique:
            dup = ", ".join(map(str, index[index.duplicated()].unique()[:5]))
            raise ProgressInputError(f"序列编号重复 / duplicate series_id: {dup}")
        spec_pos = index.get_indexer(uniques).astype(np.int64)
    return np.append(spec_pos, -1)[local]  # a missing id (-1) stays -1


def per_row(per_series: np.ndarray, code: np.ndarray) -> np.ndarray | float:
    """Broadcast a per-series array to rows; a scalar when all series agree (cheaper)."""
    if len(per_series) and per_series.min() == per_series.max():
        return per_series[0]
    return per_series[code]


def _observation_arrays(obs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """year, month (NaN = annual), value as float arrays; months checked."""
    missing = [c for c in ("series_id", "year", "value") if c not in obs.columns]
    if missing:
        raise ProgressInputError(f"观测表缺少列 / observations lack columns: {', '.join(missing)}")
    year = obs["year"].to_numpy(dtype=np.float64, na_value=np.nan)
    value = obs["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    if "month" in obs.columns:
        month = obs["month"].to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(month) & ~((month >= 1) & (month <= MONTHS_PER_YEAR) & (month == np.floor(month)))
        if bad.any():
            raise ProgressInputError(
                "月份必须为1—12的整数 / month must be an integer 1..12: "
                + ", ".join(map(str, obs["series_id"].to_numpy()[bad][:5]))
            )
    else:
        month = np.full(len(obs), np.nan)
    return year, month, value


def prepare_points(
    specs: pd.DataFrame, obs: pd.DataFrame, sp: dict[str, np.ndarray], as_of: int | None
) -> Points:
    year, month, value = _observation_arrays(obs)
    code = _series_codes(specs["series_id"], obs["series_id"])
    keep = (code >= 0) & ~np.isnan(year) & ~np.isnan(value)
    safe = np.where(keep, code, 0)
    first_allowed = per_row(sp["B"], safe)
    if (sp["form"] == FORM_RATE).any():
        # A rate describes the change into its year: the base year's own rate is not chained.
        first_allowed = first_allowed + (sp["form"][safe] == FORM_RATE)
    keep &= (year >= first_allowed) & (year <= per_row(sp["T"], safe))
    if as_of is not None:
        keep &= year <= as_of
    if not keep.all():
        idx = np.flatnonzero(keep)
        code, year, month, value = code[idx], year[idx], month[idx], value[idx]
    year = year.astype(np.int64)

    rank = np.where(np.isnan(month), ANNUAL_MONTH_RANK, month).astype(np.int64)
    key = (code * 20_000 + year) * 16 + rank
    if len(key) > 1 and not (key[1:] >= key[:-1]).all():  # a store read is often in order
        order = np.argsort(key, kind="stable")
        code, year, month, value, key = code[order], year[order], month[order], value[order], key[order]
    # Several figures in one year: keep the latest (annual outranks any month).
    series_year = key >> 4
    last_of_year = np.ones(len(key), dtype=bool)
    last_of_year[:-1] = series_year[1:] != series_year[:-1]
    if not last_of_year.all():
        code, year, month, value = code[last_of_year], year[last_of_year], month[last_of_year], value[last_of_year]

    starts, ends = group_bounds(code)
    value = _internal_values(value, code, sp)
    tpos = year - 1 + np.where(np.isnan(month), MONTHS_PER_YEAR, month) / MONTHS_PER_YEAR
    return Points(code, year, month, tpos, value, starts, ends, code[starts])


def group_bounds(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last row of each run of equal codes (rows sorted by code)."""
    if len(code) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    breaks = np.flatnonzero(code[1:] != code[:-1]) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(code)])) - 1
    return starts, ends


def rows_of(series_mask: np.ndarray, code: np.ndarray) -> np.ndarray | None:
    """Rows belonging to the flagged series (None when no series is flagged)."""
    if not series_mask.any():
        return None
    return np.flatnonzero(series_mask[code])


def _internal_values(value: np.ndarray, code: np.ndarray, sp: dict[str, np.ndarray]) -> np.ndarray:
    """Levels as given; reductions as an intensity index (I_B = 1)."""
    out = value.copy()
    rows = rows_of(sp["form"] == FORM_CUMULATIVE, code)
    if rows is not None:
        out[rows] = 1.0 - value[rows] / 100.0
    rows = rows_of(sp["form"] == FORM_RATE, code)
    if rows is not None:
        out[rows] = _chain_rates(value[rows], code[rows])
    return out


def _chain_rates(rate: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Index I_t = Π(1 - r/100) within each series: multiply, never add the rates.

    A grouped cumulative product as exp(grouped cumsum of log1p(-r)); a rate of 100% or
    more (an impossible decline) makes its whole series NaN instead of leaking into others.
    """
    starts, ends = group_bounds(code)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log1p(-rate / 100.0)
    bad = ~np.isfinite(logs)
    logs[bad] = 0.0
    csum = np.cumsum(logs)
    counts = ends - starts + 1
    index = np.exp(csum - np.repeat(csum[starts] - logs[starts], counts))
    index[np.repeat(np.maximum.reduceat(bad, starts), counts)] = np.nan
    return index
