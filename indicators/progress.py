"""Progress toward quantified targets: every method of shared/methodology.md, vectorised.

Pure functions (numpy + pandas only): no Streamlit, no database, no file I/O.

The core, `assess_frame`, works on a long frame of observations for many series at
once (one row per series after grouping, sorted numpy arrays and `ufunc.reduceat`, no
per-series Python loop). `assess` is a convenience for one series that calls the same
core, so there is exactly one implementation of every formula. Reasons (Chinese and
English) are written in a separate vectorised step, `explain`, so figures and statuses
can be computed without paying for text.

Internal representation: every series becomes a level `v` with a base value `v_B`, a
target `v*` and a direction `d`. A cumulative reduction becomes its intensity index
(`I_B = 1`, `I_Y = 1 - A_Y`, target `1 - K`, lower is better), which makes the level
formulas coincide with the reduction formulas of the methodology (`c = A/K`,
shortfall `(K_Y - A_Y)/K_Y`, `R = a/k`, `k_rem`). Figures are reported back in the
indicator's own terms: for a reduction, cumulative reduction since the base in percent.

Decisions where methodology.md is silent:
- "achieved" is judged on the latest value alone (one point suffices) and is reported by
  every method; every other status needs two points (the implied base of an
  "annual_rate" or "cumulative" series counts as one).
- 1-point tolerance at 0%/100% (UN Progress Chart; 保持100%) applies to level and maintain
  targets whose target is 0 or 100 and whose unit is a percent or not given; it feeds the
  single "met" test that every method uses, so the methods never disagree on "achieved".
- Maintain (保持): achieved while every year so far meets the target. One failed year makes
  the target unattainable: barometer red, ratio deterioration, anticipated stagnation,
  score -5, and the reason names the first failed year. Completion, gap, R, P and the
  required rate do not apply (null).
- Target not set (qualitative kind or no target value): barometer and anticipated report
  "not_set"; the ratio method reports its no-target variant (d·CAGR vs 1.5% / 0.5%) when
  the data allow, else "not_assessable"; target-dependent figures are null, observed facts
  (latest value, time progress, projections) are kept; score is null.
- `required_annual_rate` is the rate still needed per year over the remaining years, in
  percent, positive in the good direction (decline for reductions and lower-is-better
  levels, growth otherwise); null when the target is already met, for maintain targets,
  when no time remains, or when latest and target differ in sign.
- Base year missing: the next year with data becomes the base for every value-based
  method (its value is the base value, the target path runs from it, a reduction's K is
  applied from it); time progress stays on the plan calendar B..T.
- Annual rates: a rate for the base year or earlier is ignored; rates starting after B+1
  put the base at the year before the first rate (said in the reason); a missing year in
  the middle makes the chain incomplete: not assessable, naming the missing year.
- Several figures in one year: the latest one counts (annual after any month); points
  before the base year or after the target year are ignored; `as_of` ignores later years.
- Zero base/target → 0.001 and opposite signs → not assessable apply to the CAGR methods
  (ratio, anticipated, projection, required rate); the barometer and completion use the
  raw values.
- Barometer when the target path needs no progress (target equal to or behind the base):
  the shortfall is undefined (null); behind the path → red, otherwise green.
- Anticipated when the target needs no progress from the base: P is null; projected value
  meeting the target → on_track, else stagnation.
- For a cumulative reduction the spec's direction and bound are not used (always
  "reduction at least K"). Bound "exactly" is read as "reach" (达到) in the direction given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from indicators.errors import UserError

# ---------------------------------------------------------------------------
# Named constants (thresholds and rules of the methods)
# ---------------------------------------------------------------------------

BAROMETER_RED_SHORTFALL = 0.10  # 发改办环资〔2020〕901号: shortfall above 10% of the progress target → red
RATIO_ON_TRACK = 0.95  # Eurostat / Statistics Canada: R >= 95% on track
RATIO_ACCELERATION = 0.60  # R >= 60%: progress made, acceleration needed
NO_TARGET_ON_TRACK = 0.015  # no-target variant: d·CAGR >= 1.5%/yr on track
NO_TARGET_ACCELERATION = 0.005  # no-target variant: d·CAGR >= 0.5%/yr acceleration needed
ANTICIPATED_ON_TRACK = 0.95  # UN SDG Progress Chart 2023: P >= 0.95 on track
ANTICIPATED_FAIR = 0.10  # UN SDG Progress Chart 2023: P >= 0.10 fair progress
SCORE_MAX = 5.0  # roll-up score range (Statistics Canada)
SCORE_MIN = -5.0  # roll-up score range (Statistics Canada)
SCORE_HIGH_SLOPE = 7.1429  # score = 7.1429 R - 4.2857 for R >= 0.6
SCORE_HIGH_INTERCEPT = -4.2857  # ditto
SCORE_LOW_SLOPE = 4.1667  # score = 4.1667 R - 2.5 for R < 0.6
SCORE_LOW_INTERCEPT = -2.5  # ditto
ZERO_SUBSTITUTE = 0.001  # Statistics Canada: a base or target of exactly 0 becomes 0.001
LIMIT_TOLERANCE_PP = 1.0  # within 1 percentage point of a 0% / 100% target counts as met
PERCENT_LIMITS = (0.0, 100.0)  # the targets the tolerance applies to
PERCENT_UNITS = frozenset({"%", "％", "percent", "百分比", "pct"})  # units read as percent
MET_EPSILON = 1e-9  # relative float slack: 14.5 chained from rates still meets 14.5
MONTHS_PER_YEAR = 12  # within-year time: t = (Y - 1 - B + m/12) / (T - B)
ANNUAL_MONTH_RANK = 13  # an annual figure outranks every within-year figure of its year

Kind = Literal["level", "cumulative_reduction", "count", "maintain", "qualitative"]
Direction = Literal["higher", "lower"]
Bound = Literal["at_least", "at_most", "exactly", "maintain"]
InputForm = Literal["level", "annual_rate", "cumulative"]
Method = Literal["barometer", "ratio", "anticipated"]

KINDS: tuple[str, ...] = ("level", "cumulative_reduction", "count", "maintain", "qualitative")
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
BOUNDS: tuple[str, ...] = ("at_least", "at_most", "exactly", "maintain")
INPUT_FORMS: tuple[str, ...] = ("level", "annual_rate", "cumulative")
METHODS: tuple[str, ...] = ("barometer", "ratio", "anticipated")

# Status values per method, worst first (the order roll-ups sort by).
BAROMETER_STATUSES = ("red", "yellow", "green", "achieved", "not_assessable", "not_set")
RATIO_STATUSES = (
    "deterioration", "limited", "acceleration_needed", "on_track", "achieved", "not_assessable",
)
ANTICIPATED_STATUSES = ("stagnation", "fair", "on_track", "achieved", "not_assessable", "not_set")
STATUSES: dict[str, tuple[str, ...]] = {
    "barometer": BAROMETER_STATUSES,
    "ratio": RATIO_STATUSES,
    "anticipated": ANTICIPATED_STATUSES,
}
UNRANKED_STATUSES = frozenset({"not_assessable", "not_set"})  # left out of severity

# Why a series cannot be assessed (the explain step turns these into words).
ASSESSABILITY = ("ok", "not_set", "no_data", "invalid", "rate_gap", "few_points")

# Public figure keys (the JSON contract of `status --json` plus the extra figures).
FIGURE_KEYS = (
    "kind", "target", "bound", "base_year", "target_year", "latest_year", "latest_month",
    "latest_value", "time_progress", "completion_progress", "completion_progress_geometric",
    "gap_pp", "required_annual_rate", "projected_value", "projected_value_linear", "ratio",
    "score",
)

_K_LEVEL, _K_REDUCTION, _K_COUNT, _K_MAINTAIN, _K_QUALITATIVE = range(5)
_F_LEVEL, _F_RATE, _F_CUMULATIVE = range(3)
_BIG = np.iinfo(np.int64).max


class ProgressInputError(UserError, ValueError):
    """Specs or observations the engine cannot read; the message names the series."""


# ---------------------------------------------------------------------------
# Input and output types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """One quantified target. For a cumulative reduction `target` is K in percent."""

    kind: Kind
    target: float | None
    direction: Direction = "higher"
    bound: Bound = "at_least"
    base_year: int = 2020
    target_year: int = 2025
    unit: str | None = None  # decides whether the 1-point tolerance at 0/100 applies

    def __post_init__(self) -> None:
        _check_choice("kind", self.kind, KINDS)
        _check_choice("direction", self.direction, DIRECTIONS)
        _check_choice("bound", self.bound, BOUNDS)
        if self.target_year <= self.base_year:
            raise ProgressInputError(
                f"目标年份必须晚于基期 / target year must follow the base year: "
                f"{self.base_year} → {self.target_year}"
            )


@dataclass(frozen=True)
class Point:
    """One observation: annual when `month` is None, else a figure for months 1..month."""

    year: int
    value: float
    month: int | None = None


@dataclass(frozen=True)
class Assessment:
    """The result for one series: contract figures, statuses, reasons and method inputs."""

    kind: str
    target: float | None
    bound: str
    base_year: int
    target_year: int
    latest_year: int | None
    latest_month: int | None
    latest_value: float | None
    time_progress: float | None
    completion_progress: float | None
    completion_progress_geometric: float | None
    gap_pp: float | None
    required_annual_rate: float | None
    projected_value: float | None
    projected_value_linear: float | None
    ratio: float | None
    score: float | None
    status: dict[str, str]
    explanation_zh: str
    explanation_en: str
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) with the contract keys first, then `details`."""
        return asdict(self)


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ProgressInputError(
            f"{name} 取值无效 / invalid {name}: {value!r}; 可选 / allowed: {', '.join(allowed)}"
        )


# ---------------------------------------------------------------------------
# Spec frame helpers
# ---------------------------------------------------------------------------

SPEC_COLUMNS = (
    "series_id", "kind", "direction", "bound", "target", "base_year", "target_year", "input_form",
)
OBSERVATION_COLUMNS = ("series_id", "year", "month", "value")


def spec_record(series_id: Any, spec: TargetSpec, input_form: InputForm = "level") -> dict[str, Any]:
    """One row of the specs frame that `assess_frame` reads."""
    _check_choice("input_form", input_form, INPUT_FORMS)
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
    }


def _point_record(series_id: Any, point: Point | Mapping[str, Any] | Sequence[Any]) -> dict[str, Any]:
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


def _spec_arrays(specs: pd.DataFrame) -> dict[str, np.ndarray]:
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
    reduction = (kind == _K_REDUCTION) | ((kind == _K_QUALITATIVE) & (form != _F_LEVEL))
    wrong_form = ~reduction & (form != _F_LEVEL)
    if wrong_form.any():
        raise ProgressInputError(
            "只有累计下降类目标可用 annual_rate / cumulative 输入 / only reduction targets take "
            "annual_rate or cumulative input: " + ", ".join(map(str, ids[wrong_form].iloc[:5]))
        )
    d = np.where(reduction, -1.0, np.where(direction == 0, 1.0, -1.0))
    # "met" sense: the bound decides where it is explicit, else the direction.
    sense = np.where(bound == 0, 1.0, np.where(bound == 1, -1.0, d))
    sense = np.where(reduction, -1.0, sense)
    maintain = (kind == _K_MAINTAIN) | ((bound == 3) & ~reduction & (kind != _K_QUALITATIVE))
    return {
        "kind": kind,
        "form": np.where(reduction, form, _F_LEVEL),
        "reduction": reduction,
        "maintain": maintain,
        "d": d,
        "sense": sense,
        "target": target,
        "not_set": (kind == _K_QUALITATIVE) | np.isnan(target),
        "B": base,
        "T": tyear,
        "tol": _tolerance(specs, kind, target),
    }


def _tolerance(specs: pd.DataFrame, kind: np.ndarray, target: np.ndarray) -> np.ndarray:
    """1 pp at a 0%/100% level or maintain target whose unit is percent or unknown."""
    at_limit = np.isin(target, PERCENT_LIMITS) & ((kind == _K_LEVEL) | (kind == _K_MAINTAIN))
    if "unit" in specs.columns and at_limit.any():
        rows = np.flatnonzero(at_limit)
        units = specs["unit"].astype(object).to_numpy()[rows]
        at_limit[rows] = [u is None or u != u or str(u).strip() in PERCENT_UNITS | {""} for u in units]
    return np.where(at_limit, LIMIT_TOLERANCE_PP, 0.0)


@dataclass
class _Points:
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


def _per_row(per_series: np.ndarray, code: np.ndarray) -> np.ndarray | float:
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


def _prepare_points(
    specs: pd.DataFrame, obs: pd.DataFrame, sp: dict[str, np.ndarray], as_of: int | None
) -> _Points:
    year, month, value = _observation_arrays(obs)
    code = _series_codes(specs["series_id"], obs["series_id"])
    keep = (code >= 0) & ~np.isnan(year) & ~np.isnan(value)
    safe = np.where(keep, code, 0)
    first_allowed = _per_row(sp["B"], safe)
    if (sp["form"] == _F_RATE).any():
        # A rate describes the change into its year: the base year's own rate is not chained.
        first_allowed = first_allowed + (sp["form"][safe] == _F_RATE)
    keep &= (year >= first_allowed) & (year <= _per_row(sp["T"], safe))
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

    starts, ends = _group_bounds(code)
    value = _internal_values(value, code, sp)
    tpos = year - 1 + np.where(np.isnan(month), MONTHS_PER_YEAR, month) / MONTHS_PER_YEAR
    return _Points(code, year, month, tpos, value, starts, ends, code[starts])


def _group_bounds(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last row of each run of equal codes (rows sorted by code)."""
    if len(code) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    breaks = np.flatnonzero(code[1:] != code[:-1]) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(code)])) - 1
    return starts, ends


def _rows_of(series_mask: np.ndarray, code: np.ndarray) -> np.ndarray | None:
    """Rows belonging to the flagged series (None when no series is flagged)."""
    if not series_mask.any():
        return None
    return np.flatnonzero(series_mask[code])


def _internal_values(value: np.ndarray, code: np.ndarray, sp: dict[str, np.ndarray]) -> np.ndarray:
    """Levels as given; reductions as an intensity index (I_B = 1)."""
    out = value.copy()
    rows = _rows_of(sp["form"] == _F_CUMULATIVE, code)
    if rows is not None:
        out[rows] = 1.0 - value[rows] / 100.0
    rows = _rows_of(sp["form"] == _F_RATE, code)
    if rows is not None:
        out[rows] = _chain_rates(value[rows], code[rows])
    return out


def _chain_rates(rate: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Index I_t = Π(1 - r/100) within each series: multiply, never add the rates.

    A grouped cumulative product as exp(grouped cumsum of log1p(-r)); a rate of 100% or
    more (an impossible decline) makes its whole series NaN instead of leaking into others.
    """
    starts, ends = _group_bounds(code)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log1p(-rate / 100.0)
    bad = ~np.isfinite(logs)
    logs[bad] = 0.0
    csum = np.cumsum(logs)
    counts = ends - starts + 1
    index = np.exp(csum - np.repeat(csum[starts] - logs[starts], counts))
    index[np.repeat(np.maximum.reduceat(bad, starts), counts)] = np.nan
    return index


def _scatter(n: int, gcode: np.ndarray, values: np.ndarray, fill: float = np.nan) -> np.ndarray:
    out = np.full(n, fill, dtype=np.float64)
    out[gcode] = values
    return out


def _aggregate(pts: _Points, sp: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
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
    base_b = _per_row(sp["B"], pts.code)
    x = pts.tpos - base_b  # centred on the base year for numerical stability
    y = pts.value
    for name, arr in (("sx", x), ("sy", y), ("sxy", x * y), ("sxx", x * x)):
        agg[name] = _scatter(n, g, np.zeros(0) if empty else np.add.reduceat(arr, s), 0.0)
    agg.update(_maintain_checks(pts, sp, n))
    agg["first_missing_rate_year"] = _first_missing_year(pts, sp, n)
    return agg


def _maintain_checks(pts: _Points, sp: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Every year must meet a maintain target: count failures, find the first one."""
    out = {"n_failed": np.zeros(n), "first_failed_year": np.full(n, np.nan), "first_failed_value": np.full(n, np.nan)}
    rows = _rows_of(sp["maintain"], pts.code)
    if rows is None or len(rows) == 0:
        return out
    c, year, value = pts.code[rows], pts.year[rows], pts.value[rows]
    starts, _ = _group_bounds(c)
    vstar = sp["target"][c]
    slack = sp["tol"][c] + MET_EPSILON * np.maximum(1.0, np.abs(vstar))
    with np.errstate(invalid="ignore"):
        fail = sp["sense"][c] * (value - vstar) < -slack
    first = np.minimum.reduceat(np.where(fail, np.arange(len(c)), _BIG), starts)
    has = first < _BIG
    pick = np.where(has, first, 0)
    g = c[starts]
    out["n_failed"][g] = np.add.reduceat(fail.astype(np.int64), starts)
    out["first_failed_year"][g] = np.where(has, year[pick], np.nan)
    out["first_failed_value"][g] = np.where(has, value[pick], np.nan)
    return out


def _first_missing_year(pts: _Points, sp: dict[str, np.ndarray], n: int) -> np.ndarray:
    """First year missing inside a run of annual rates (the chain cannot skip a year)."""
    out = np.full(n, np.nan)
    rows = _rows_of(sp["form"] == _F_RATE, pts.code)
    if rows is None or len(rows) == 0:
        return out
    c, year = pts.code[rows], pts.year[rows]
    starts, _ = _group_bounds(c)
    gap_after = np.zeros(len(c), dtype=bool)
    gap_after[:-1] = (c[1:] == c[:-1]) & ((year[1:] - year[:-1]) > 1)
    first = np.minimum.reduceat(np.where(gap_after, year + 1, _BIG), starts)
    out[c[starts]] = np.where(first < _BIG, first, np.nan)
    return out


def _effective_base(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Base point: implied I = 1 for rate/cumulative input, else the first observation."""
    has_data = agg["n"] > 0
    rate = sp["form"] == _F_RATE
    cumulative = sp["form"] == _F_CUMULATIVE
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


def _figures(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], base: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every method's figures and intermediate inputs, NaN where not computable."""
    red, d = sp["reduction"], sp["d"]
    B, T = sp["B"], sp["T"]
    vb = base["base_value"]
    rate_gap = (sp["form"] == _F_RATE) & ~np.isnan(agg["first_missing_rate_year"])
    vy = np.where(rate_gap, np.nan, agg["last_value"])
    ty = agg["last_tpos"]
    vstar = np.where(red, vb * (1.0 - sp["target"] / 100.0), sp["target"])
    vstar = np.where(sp["not_set"], np.nan, vstar)
    elapsed = ty - base["base_tpos"]
    period = T - base["base_tpos"]
    remaining = T - ty
    few = base["n_points"] < 2

    def out(v: np.ndarray) -> np.ndarray:
        """Internal level → the indicator's terms (cumulative reduction % for reductions)."""
        return np.where(red, (1.0 - v / vb) * 100.0, v)

    f: dict[str, np.ndarray] = {"rate_gap": rate_gap, "few": few, "vy": vy, "vstar": vstar}
    with np.errstate(all="ignore"):
        f["latest_value"] = out(vy)
        f["time_progress"] = (ty - B) / (T - B)
        f["met"] = _met(sp, agg, vy, vstar)

        span = vstar - vb
        f["completion_progress"] = np.where(span != 0, (vy - vb) / span, np.nan)
        f["completion_progress_geometric"] = np.where(
            red, np.log(vy / vb) / np.log(vstar / vb), np.nan
        )
        f["gap_pp"] = (f["completion_progress"] - f["time_progress"]) * 100.0
        f.update(_barometer_figures(red, d, vb, vy, vstar, elapsed / period, out))
        f.update(_growth_figures(d, vb, vy, vstar, elapsed, period, remaining, out))
        f.update(_linear_figures(d, base, vb, vstar, B, T, out))
        f["required_annual_rate"] = np.where(
            (remaining > 0) & ~f["met"] & (vy * f["vstar_c"] > 0),
            d * ((f["vstar_c"] / vy) ** (1.0 / remaining) - 1.0) * 100.0,
            np.nan,
        )
    f["remaining_years"] = np.where(remaining > 0, remaining, 0.0)
    f["elapsed_years"] = elapsed
    _null_not_applicable(f, sp, few)
    return f


def _met(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], vy: np.ndarray, vstar: np.ndarray) -> np.ndarray:
    """The one "target met" test every method reports as achieved."""
    slack = sp["tol"] + MET_EPSILON * np.maximum(1.0, np.abs(vstar))
    latest_met = sp["sense"] * (vy - vstar) >= -slack
    all_years_met = agg["n_failed"] == 0
    met = np.where(sp["maintain"], all_years_met & np.isfinite(vy), latest_met)
    return met & ~sp["not_set"] & (agg["n"] > 0)


def _barometer_figures(
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


def _growth_figures(
    d: np.ndarray, vb: np.ndarray, vy: np.ndarray, vstar: np.ndarray,
    elapsed: np.ndarray, period: np.ndarray, remaining: np.ndarray, out: Any,
) -> dict[str, np.ndarray]:
    """Growth-rate ratio R, score input, CAGR projection and P (with 0 → 0.001)."""
    vb_c = np.where(vb == 0, ZERO_SUBSTITUTE, vb)
    vstar_c = np.where(vstar == 0, ZERO_SUBSTITUTE, vstar)
    observed = d * _cagr(vy, vb_c, elapsed)
    required = np.abs(_cagr(vstar_c, vb_c, period))
    projected = vy * (1.0 + d * observed) ** np.maximum(remaining, 0.0)
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
        "ant_needed": needed,
        "ant_p": np.where(needed > 0, d * (projected - vb_c) / needed, np.nan),
    }


def _linear_figures(
    d: np.ndarray, base: dict[str, np.ndarray], vb: np.ndarray, vstar: np.ndarray,
    B: np.ndarray, T: np.ndarray, out: Any,
) -> dict[str, np.ndarray]:
    """Least-squares line through the points B..Y, read at the target year."""
    n, sx, sy, sxy, sxx = base["n_points"], base["sx"], base["sy"], base["sxy"], base["sxx"]
    denom = n * sxx - sx * sx
    ok = (n >= 2) & (denom > 1e-12)
    slope = np.where(ok, (n * sxy - sx * sy) / np.where(ok, denom, 1.0), np.nan)
    intercept = (sy - slope * sx) / np.where(n > 0, n, 1.0)
    projected = intercept + slope * (T - B)
    needed = d * (vstar - vb)
    return {
        "linear_slope": slope,
        "projected_value_linear": out(projected),
        "ant_p_linear": np.where(needed > 0, d * (projected - vb) / needed, np.nan),
    }


def _null_not_applicable(f: dict[str, np.ndarray], sp: dict[str, np.ndarray], few: np.ndarray) -> None:
    """Null the figures a method cannot produce here: never a made-up number."""
    no_trend = few | f["rate_gap"]  # a trend needs two points and an unbroken chain
    for key in ("projected_value", "projected_value_linear", "ratio_observed_rate"):
        f[key] = np.where(no_trend, np.nan, f[key])
    no_target = sp["not_set"] | few | sp["maintain"]  # these figures measure against v*
    for key in (
        "completion_progress", "completion_progress_geometric", "gap_pp", "required_annual_rate",
        "ratio_required_rate", "ant_p", "ant_p_linear", "bar_progress_target", "bar_shortfall",
    ):
        f[key] = np.where(no_target, np.nan, f[key])
    # R = ±inf (target equal to base) still orders the status; as a figure it is null.
    f["ratio"] = np.where(no_target | ~np.isfinite(f["ratio_raw"]), np.nan, f["ratio_raw"])
    for key in (*_PUBLIC_FLOAT_FIGURES, "ratio_observed_rate", "ratio_required_rate", "ant_p", "ant_p_linear",
                "bar_progress_target", "bar_shortfall", "linear_slope"):
        f[key] = np.where(np.isfinite(f[key]), f[key], np.nan)


_PUBLIC_FLOAT_FIGURES = (
    "latest_value", "time_progress", "completion_progress", "completion_progress_geometric", "gap_pp",
    "required_annual_rate", "projected_value", "projected_value_linear", "ratio",
)


def _assessability(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], f: dict[str, np.ndarray]) -> np.ndarray:
    """Code into ASSESSABILITY, first matching reason wins."""
    no_data = agg["n"] == 0
    invalid = ~no_data & ~f["rate_gap"] & ~np.isfinite(f["vy"])
    return np.select(
        [sp["not_set"], no_data, invalid, f["rate_gap"], f["few"] & ~f["met"] & ~sp["maintain"]],
        [1, 2, 3, 4, 5],
        default=0,
    )


def _statuses(
    sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], f: dict[str, np.ndarray], why: np.ndarray
) -> dict[str, np.ndarray]:
    """Status codes (indices into STATUSES[method]) for each method, plus the score."""
    met = f["met"]
    failed = sp["maintain"] & (agg["n_failed"] > 0) & (why == 0)
    blocked = why != 0  # not set / no data / invalid / gap / too few points
    cagr_bad = f["opposite_sign"] | f["target_opposite_sign"]
    bar, rat, ant = (dict(zip(STATUSES[m], range(10), strict=False)) for m in METHODS)

    sf, behind, needed = f["bar_shortfall"], f["bar_behind"], f["bar_needed"]
    barometer = np.select(
        [why == 1, blocked, met, failed, ~np.isfinite(behind), needed <= 0, sf <= 0,
         sf <= BAROMETER_RED_SHORTFALL, sf > BAROMETER_RED_SHORTFALL],
        [bar["not_set"], bar["not_assessable"], bar["achieved"], bar["red"], bar["not_assessable"],
         np.where(behind > 0, bar["red"], bar["green"]), bar["green"], bar["yellow"], bar["red"]],
        default=bar["not_assessable"],
    )

    r = f["ratio_raw"]
    growth = f["ratio_observed_rate"] / 100.0
    no_target_ok = (why == 1) & (agg["n"] > 0) & ~f["few"] & np.isfinite(growth)
    ratio = np.select(
        [no_target_ok, blocked, met, failed, cagr_bad | np.isnan(r),
         r >= RATIO_ON_TRACK, r >= RATIO_ACCELERATION, r >= 0, r < 0],
        [_no_target_status(growth, rat), rat["not_assessable"], rat["achieved"], rat["deterioration"],
         rat["not_assessable"], rat["on_track"], rat["acceleration_needed"], rat["limited"],
         rat["deterioration"]],
        default=rat["not_assessable"],
    )

    p, ant_needed = f["ant_p"], f["ant_needed"]
    projected_meets = sp["sense"] * (f["projected_internal"] - f["vstar"]) >= -sp["tol"]
    anticipated = np.select(
        [why == 1, blocked, met, failed, cagr_bad | ~np.isfinite(f["projected_internal"]),
         ant_needed <= 0, p >= ANTICIPATED_ON_TRACK, p >= ANTICIPATED_FAIR, p < ANTICIPATED_FAIR],
        [ant["not_set"], ant["not_assessable"], ant["achieved"], ant["stagnation"], ant["not_assessable"],
         np.where(projected_meets, ant["on_track"], ant["stagnation"]), ant["on_track"], ant["fair"],
         ant["stagnation"]],
        default=ant["not_assessable"],
    )
    return {
        "barometer": barometer,
        "ratio": ratio,
        "anticipated": anticipated,
        "score": _score(r, met, failed, ratio == rat["not_assessable"], why),
    }


def _no_target_status(growth: np.ndarray, rat: dict[str, int]) -> np.ndarray:
    """Statistics Canada's no-target variant on d·CAGR."""
    return np.select(
        [growth >= NO_TARGET_ON_TRACK, growth >= NO_TARGET_ACCELERATION, growth >= 0],
        [rat["on_track"], rat["acceleration_needed"], rat["limited"]],
        default=rat["deterioration"],
    )


def _score(r: np.ndarray, met: np.ndarray, failed: np.ndarray, unassessed: np.ndarray, why: np.ndarray) -> np.ndarray:
    """−5..+5 from R (Statistics Canada); achieved +5, a broken maintain target −5."""
    with np.errstate(invalid="ignore"):
        high = np.minimum(SCORE_HIGH_SLOPE * r + SCORE_HIGH_INTERCEPT, SCORE_MAX)
        low = np.maximum(SCORE_LOW_SLOPE * r + SCORE_LOW_INTERCEPT, SCORE_MIN)
        score = np.where(r >= RATIO_ACCELERATION, high, low)
    score = np.where(met, SCORE_MAX, np.where(failed, SCORE_MIN, score))
    return np.where(unassessed | (why != 0), np.nan, score)


def _int_array(values: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.array(values, dtype="Int64")


def assess_frame(
    specs: pd.DataFrame,
    observations: pd.DataFrame,
    as_of: int | None = None,
    reasons: bool = False,
) -> pd.DataFrame:
    """Assess many series at once; one output row per row of `specs`, in its order.

    specs: one row per series: series_id, kind, direction, bound, target (K in % for a
    reduction; NaN when not set), base_year, target_year, optional input_form ("level",
    "annual_rate", "cumulative"; default "level") and optional unit. Other columns (plan,
    region, area, ...) are passed through for roll-ups.
    observations: long frame series_id, year, value and optional month (1..12 or null).
    as_of: ignore data after this year. reasons: add explanation_zh / explanation_en.
    """
    sp = _spec_arrays(specs)
    n = len(specs)
    if n == 0:  # nothing to assess: keep the columns, drop every observation
        observations = observations.iloc[0:0]
    pts = _prepare_points(specs, observations, sp, as_of)
    agg = _aggregate(pts, sp, n)
    base = _effective_base(sp, agg)
    f = _figures(sp, agg, base)
    why = _assessability(sp, agg, f)
    st = _statuses(sp, agg, f, why)
    result = _result_frame(specs, sp, agg, base, f, why, st)
    return explain(result) if reasons else result


def _result_frame(
    specs: pd.DataFrame, sp: dict[str, np.ndarray], agg: dict[str, np.ndarray],
    base: dict[str, np.ndarray], f: dict[str, np.ndarray], why: np.ndarray, st: dict[str, np.ndarray],
) -> pd.DataFrame:
    has_data = agg["n"] > 0
    columns: dict[str, Any] = {
        "latest_year": _int_array(agg["last_year"]),
        "latest_month": _int_array(agg["last_month"]),
        "latest_value": f["latest_value"],
        "time_progress": f["time_progress"],
        "completion_progress": f["completion_progress"],
        "completion_progress_geometric": f["completion_progress_geometric"],
        "gap_pp": f["gap_pp"],
        "required_annual_rate": f["required_annual_rate"],
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
        "maintain_failed_years": agg["n_failed"].astype(np.int64),
        "maintain_first_failed_year": _int_array(agg["first_failed_year"]),
        "maintain_first_failed_value": agg["first_failed_value"],
        "first_missing_rate_year": _int_array(
            np.where(sp["form"] == _F_RATE, agg["first_missing_rate_year"], np.nan)
        ),
    }
    computed = pd.DataFrame(columns, index=specs.index)
    passthrough = specs.drop(columns=[c for c in computed.columns if c in specs.columns])
    return pd.concat([passthrough, computed], axis=1)


# ---------------------------------------------------------------------------
# Single series
# ---------------------------------------------------------------------------

_DETAIL_GROUPS: dict[str, tuple[str, ...]] = {
    "data": (
        "n_points", "effective_base_year", "base_year_missing", "base_value", "met", "assessability",
        "tolerance_pp", "elapsed_years", "remaining_years", "zero_substituted", "opposite_sign",
        "target_opposite_sign", "first_missing_rate_year",
    ),
    "completion": ("time_progress", "completion_progress", "completion_progress_geometric", "gap_pp"),
    "barometer": ("bar_path", "bar_progress_target", "bar_shortfall", "status_barometer"),
    "ratio": ("ratio_observed_rate", "ratio_required_rate", "ratio", "score", "status_ratio"),
    "anticipated": (
        "projected_value", "ant_p", "projected_value_linear", "ant_p_linear", "linear_slope",
        "status_anticipated",
    ),
    "required": ("required_annual_rate", "remaining_years"),
    "maintain": ("maintain_failed_years", "maintain_first_failed_year", "maintain_first_failed_value"),
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
} | {"is_reduction", "is_maintain", "linear_slope", "maintain_first_failed_value"}


def assess(
    spec: TargetSpec,
    points: Iterable[Point | Mapping[str, Any] | Sequence[Any]],
    input_form: InputForm = "level",
    as_of: int | None = None,
) -> Assessment:
    """Assess one series through the same vectorised core as `assess_frame`."""
    specs = pd.DataFrame([spec_record("s", spec, input_form)])
    obs = pd.DataFrame(
        [_point_record("s", p) for p in points], columns=list(OBSERVATION_COLUMNS)
    ).astype({"year": "float64", "month": "float64", "value": "float64"})
    rec = to_records(assess_frame(specs, obs, as_of=as_of, reasons=True))[0]
    rec["kind"], rec["bound"] = spec.kind, spec.bound
    return Assessment(**{k: rec[k] for k in Assessment.__dataclass_fields__})


# ---------------------------------------------------------------------------
# Reasons
#
# Rows fall into a few dozen categories (which sentences apply, which status, which
# edge rule). Each category gets one Chinese and one English template, built once from
# the sentence fragments below; numbers are formatted once per column (vectorised over
# the rows that use them); then each row is one `str.format` call per language.
# ---------------------------------------------------------------------------

_MISSING_TEXT = "—"  # shown where a figure is null

_BAROMETER_WORDS = {
    "green": ("绿灯", "green"), "yellow": ("黄灯", "yellow"), "red": ("红灯", "red"),
}
_RATIO_WORDS = {
    "on_track": ("正常推进", "on track"),
    "acceleration_needed": ("需加速", "acceleration needed"),
    "limited": ("进展有限", "limited progress"),
    "deterioration": ("倒退", "deterioration"),
}
_RATIO_BANDS = {
    "on_track": ("（R≥0.95）", " (R≥0.95)"),
    "acceleration_needed": ("（0.60≤R<0.95）", " (0.60≤R<0.95)"),
    "limited": ("（0≤R<0.60）", " (0≤R<0.60)"),
    "deterioration": ("（R<0）", " (R<0)"),
}
_ANTICIPATED_WORDS = {
    "on_track": ("可如期完成", "on track"),
    "fair": ("有进展需加速", "fair progress, acceleration needed"),
    "stagnation": ("停滞或倒退", "stagnation or regression"),
}


@dataclass(frozen=True)
class _Case:
    """What one category of rows says (decoded from the row's category key)."""

    why: str
    reduction: bool
    base_missing: bool
    zero_substituted: bool
    completion: bool
    behind: bool
    maintain: int  # 0 not a maintain target, 1 kept every year, 2 failed a year
    barometer: str
    shortfall_known: bool
    ratio: str
    ratio_known: bool
    opposite: bool
    anticipated: str
    p_known: bool
    required: bool
    down: bool


_CASE_FIELDS: tuple[tuple[str, int], ...] = (
    ("why", len(ASSESSABILITY)), ("reduction", 2), ("base_missing", 2), ("zero_substituted", 2),
    ("completion", 2), ("behind", 2), ("maintain", 3), ("barometer", len(BAROMETER_STATUSES)),
    ("shortfall_known", 2), ("ratio", len(RATIO_STATUSES)), ("ratio_known", 2), ("opposite", 2),
    ("anticipated", len(ANTICIPATED_STATUSES)), ("p_known", 2), ("required", 2), ("down", 2),
)


def _decode_case(key: int) -> _Case:
    values: dict[str, Any] = {}
    for name, radix in reversed(_CASE_FIELDS):
        key, digit = divmod(key, radix)
        values[name] = digit
    return _Case(
        why=ASSESSABILITY[values["why"]],
        barometer=BAROMETER_STATUSES[values["barometer"]],
        ratio=RATIO_STATUSES[values["ratio"]],
        anticipated=ANTICIPATED_STATUSES[values["anticipated"]],
        maintain=values["maintain"],
        **{k: bool(values[k]) for k in (
            "reduction", "base_missing", "zero_substituted", "completion", "behind", "shortfall_known",
            "ratio_known", "opposite", "p_known", "required", "down")},
    )


def _sentences(case: _Case) -> list[tuple[str, str]]:
    """The (zh, en) sentence templates for one category, in reading order."""
    out: list[tuple[str, str]] = []
    if case.base_missing:
        out.append(("基期{base_year}年无数据，以{eff_base_year}年为基期",
                    "no value for base year {base_year}; {eff_base_year} used as base"))
    out += _note_sentences(case)
    if case.why == "ok":
        if case.completion:
            out.append(_progress_sentence(case))
        if case.maintain:
            out.append(_maintain_sentence(case))
        else:
            out += _method_sentences(case)
        if case.required:
            verb = ("下降", "decline") if case.down else ("增长", "growth")
            out.append((f"余下{{remaining}}年需年均{verb[0]}{{required}}%",
                        f"needs {{required}}%/yr {verb[1]} over the remaining {{remaining}} year(s)"))
    elif case.why == "not_set" and case.ratio != "not_assessable":
        zh, en = _RATIO_WORDS[case.ratio]
        out.append((f"增长率比（无目标规则）：按期望方向年均变化{{observed_signed}}%（阈值1.5%/0.5%/0）→ {zh}",
                    "growth-rate ratio (no-target rule): annual change in the desired direction "
                    f"{{observed_signed}}% (thresholds 1.5%/0.5%/0) → {en}"))
    return out


def _note_sentences(case: _Case) -> list[tuple[str, str]]:
    notes = {
        "not_set": ("目标值待录入（定性目标或目标值未设定）", "target value not yet entered (qualitative or not set)"),
        "no_data": ("暂无数据，无法评估", "no data, not assessable"),
        "invalid": ("数据无法计算（如年度下降率≥100%），无法评估",
                    "data cannot be computed (e.g. an annual decline of 100% or more), not assessable"),
        "rate_gap": ("缺少{missing_year}年的年度下降率，无法连乘出累计降幅，无法评估",
                     "annual rate for {missing_year} missing, the chain to a cumulative reduction breaks; "
                     "not assessable"),
        "few_points": ("仅有{n_points}个数据点，少于2个，无法评估趋势",
                       "only {n_points} data point(s), fewer than 2: trend not assessable"),
    }
    out = [notes[case.why]] if case.why in notes else []
    if case.why == "ok" and case.zero_substituted:
        out.append(("基期或目标值为0，增长率计算按0.001代入", "zero base or target replaced by 0.001 for growth rates"))
    return out


def _latest(case: _Case) -> tuple[str, str]:
    if case.reduction:
        return "{when_zh}累计下降{latest}%", "{when_en}: cumulative reduction {latest}%"
    return "{when_zh}为{latest}{unit}", "{when_en}: {latest}{unit}"


def _progress_sentence(case: _Case) -> tuple[str, str]:
    """Time progress vs completion progress, in percentage points."""
    latest_zh, latest_en = _latest(case)
    if case.reduction:
        target_zh, target_en = "（目标{target}%）", " (target {target}%)"
        geo_zh, geo_en = "（几何口径{completion_geo}%）", " (geometric {completion_geo}%)"
    else:
        target_zh = "（基期{base_value}{unit}，目标{target}{unit}）"
        target_en = " (base {base_value}{unit}, target {target}{unit})"
        geo_zh = geo_en = ""
    side_zh, side_en = ("落后", "behind") if case.behind else ("超前", "ahead of")
    return (f"{latest_zh}{target_zh}；时序进度{{time}}%，完成进度{{completion}}%{geo_zh}，"
            f"{side_zh}时序进度{{gap}}个百分点",
            f"{latest_en}{target_en}; time elapsed {{time}}%, completion {{completion}}%{geo_en}, "
            f"{{gap}} points {side_en} time")


def _maintain_sentence(case: _Case) -> tuple[str, str]:
    """保持类: every year must meet the target; name the first failed year."""
    if case.maintain == 1:
        return ("保持类目标：{eff_base_year}—{latest_year}年各年均达到{threshold}（目标{target}，"
                "容差{tolerance}个百分点）→ 各方法均为已完成",
                "maintain target: every year {eff_base_year}–{latest_year} met {threshold} (target {target}, "
                "tolerance {tolerance} pt) → achieved under every method")
    return ("保持类目标：{failed_year}年为{failed_value}，未达到{threshold}（共{failed_count}个年份未达标）"
            "→ 目标已无法保持：晴雨表红灯，增长率比倒退，预期进度停滞",
            "maintain target: {failed_year} was {failed_value}, below {threshold} ({failed_count} year(s) "
            "failed) → no longer attainable: barometer red, ratio deterioration, anticipated stagnation")


def _method_sentences(case: _Case) -> list[tuple[str, str]]:
    latest_zh, latest_en = _latest(case)
    if case.barometer == "achieved":
        unit = "%" if case.reduction else "{unit}"
        return [(f"{latest_zh}，已达到目标{{target}}{unit} → 各方法均为已完成",
                 f"{latest_en}, target {{target}}{unit} already met → achieved under every method")]
    return [_barometer_sentence(case), _ratio_sentence(case), _anticipated_sentence(case)]


def _barometer_sentence(case: _Case) -> tuple[str, str]:
    """NDRC barometer: progress target on the path, shortfall vs 10%."""
    if case.barometer not in _BAROMETER_WORDS:
        return "晴雨表：无法评估", "NDRC barometer: not assessable"
    latest_zh, latest_en = _latest(case)
    path_zh, path_en = ("%（几何路径）", "% (geometric path)") if case.reduction else (
        "{unit}（线性路径）", "{unit} (linear path)")
    if not case.shortfall_known:
        rule_zh, rule_en = "进度目标不要求进展（目标不优于基期）", "the path asks for no progress (target not beyond base)"
    elif case.barometer == "green":
        rule_zh, rule_en = "已达到进度目标", "progress target met"
    else:
        over = case.barometer == "red"
        rule_zh = "差距{shortfall}%，" + ("超过" if over else "未超过") + "10%"
        rule_en = "shortfall {shortfall}%, " + ("above" if over else "within") + " 10%"
    word_zh, word_en = _BAROMETER_WORDS[case.barometer]
    return (f"晴雨表：{latest_zh}，进度目标{{bar_target}}{path_zh}，{rule_zh} → {word_zh}",
            f"NDRC barometer: {latest_en}, progress target {{bar_target}}{path_en}, {rule_en} → {word_en}")


def _ratio_sentence(case: _Case) -> tuple[str, str]:
    """Growth-rate ratio R (Statistics Canada / Eurostat)."""
    if case.ratio not in _RATIO_WORDS:
        if case.opposite:
            return ("增长率比：基期与最新值（或目标）异号，无法评估",
                    "growth-rate ratio: base and latest (or target) of opposite sign, not assessable")
        return "增长率比：无法评估", "growth-rate ratio: not assessable"
    # observed rate is d·CAGR: a decline for reductions and lower-is-better levels
    what_zh, what_en = ("年均下降", "average annual decline") if case.down else ("年均增长", "average annual growth")
    r_zh, r_en = ("{ratio}", "{ratio}") if case.ratio_known else ("不可计算", "undefined")
    band_zh, band_en = _RATIO_BANDS[case.ratio]
    word_zh, word_en = _RATIO_WORDS[case.ratio]
    return (f"增长率比：{what_zh}{{observed}}%，所需{{required_rate}}%，R={r_zh}{band_zh}→ {word_zh}",
            f"growth-rate ratio: {what_en} {{observed}}%/yr, required {{required_rate}}%/yr, "
            f"R={r_en}{band_en} → {word_en}")


def _anticipated_sentence(case: _Case) -> tuple[str, str]:
    """UN Progress Chart: CAGR projection to the target year and P; linear path alongside."""
    if case.anticipated not in _ANTICIPATED_WORDS:
        return "预期进度：无法评估", "anticipated progress: not assessable"
    if not case.p_known:
        band_zh, band_en = "P不适用（目标不要求进展）", "P n/a (target asks for no progress)"
    else:
        bands = {"on_track": "P≥0.95", "fair": "0.10≤P<0.95", "stagnation": "P<0.10"}
        band_zh = band_en = "P={p}（" + bands[case.anticipated] + "）"
        band_en = "P={p} (" + bands[case.anticipated] + ")"
    what_zh, what_en = ("累计下降", "a cumulative reduction of ") if case.reduction else ("", "")
    unit = "%" if case.reduction else "{unit}"
    word_zh, word_en = _ANTICIPATED_WORDS[case.anticipated]
    return (f"预期进度：按年均增速推算{{target_year}}年{what_zh}{{projected}}{unit}"
            f"（线性推算{{projected_linear}}{unit}），{band_zh}→ {word_zh}",
            f"anticipated progress: at the current compound rate {{target_year}} reaches {what_en}"
            f"{{projected}}{unit} (linear trend {{projected_linear}}{unit}), {band_en} → {word_en}")


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _compile(sentences: list[tuple[str, str]]) -> tuple[str, str, list[str]]:
    """Join sentences; turn {name} into positional {i}; list the names in that order."""
    zh = "；".join(z for z, _ in sentences) + "。"
    en = "; ".join(e for _, e in sentences) + "."
    names: list[str] = []
    for name in _PLACEHOLDER.findall(zh + en):
        if name not in names:
            names.append(name)
    order = {name: i for i, name in enumerate(names)}

    def positional(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: "{" + str(order[m.group(1)]) + "}", text)

    return positional(zh), positional(en), names


# Placeholder → (result column, scale, format). Numbers are rounded to the shown
# decimals and each distinct value is formatted once.
_NUMBER_FIELDS: dict[str, tuple[str, float, str]] = {
    "latest": ("latest_value", 1.0, "{:.2f}"),
    "target": ("target", 1.0, "{:.2f}"),
    "base_value": ("base_value", 1.0, "{:.2f}"),
    "base_year": ("base_year", 1.0, "{:.0f}"),
    "eff_base_year": ("effective_base_year", 1.0, "{:.0f}"),
    "latest_year": ("latest_year", 1.0, "{:.0f}"),
    "target_year": ("target_year", 1.0, "{:.0f}"),
    "time": ("time_progress", 100.0, "{:.1f}"),
    "completion": ("completion_progress", 100.0, "{:.1f}"),
    "completion_geo": ("completion_progress_geometric", 100.0, "{:.1f}"),
    "gap": ("gap_pp", 1.0, "{:.2f}"),  # shown as a magnitude: the words say behind / ahead
    "bar_target": ("bar_progress_target", 1.0, "{:.2f}"),
    "shortfall": ("bar_shortfall", 100.0, "{:.1f}"),
    "observed": ("ratio_observed_rate", 1.0, "{:.2f}"),
    "observed_signed": ("ratio_observed_rate", 1.0, "{:+.2f}"),
    "required_rate": ("ratio_required_rate", 1.0, "{:.3f}"),
    "ratio": ("ratio", 1.0, "{:.2f}"),
    "projected": ("projected_value", 1.0, "{:.2f}"),
    "projected_linear": ("projected_value_linear", 1.0, "{:.2f}"),
    "p": ("ant_p", 1.0, "{:.2f}"),
    "required": ("required_annual_rate", 1.0, "{:.2f}"),
    "remaining": ("remaining_years", 1.0, "{:g}"),
    "n_points": ("n_points", 1.0, "{:.0f}"),
    "missing_year": ("first_missing_rate_year", 1.0, "{:.0f}"),
    "tolerance": ("tolerance_pp", 1.0, "{:.0f}"),
    "failed_year": ("maintain_first_failed_year", 1.0, "{:.0f}"),
    "failed_value": ("maintain_first_failed_value", 1.0, "{:.2f}"),
    "failed_count": ("maintain_failed_years", 1.0, "{:.0f}"),
}
_DECIMALS = re.compile(r"\.(\d)f")


def _number_text(values: np.ndarray, template: str, rows: np.ndarray) -> np.ndarray:
    """Text of `values` at `rows` ("—" for nulls), each distinct shown value formatted once."""
    out = np.full(len(values), _MISSING_TEXT, dtype=object)
    rows = rows[~np.isnan(values[rows])]
    if len(rows):
        decimals = _DECIMALS.search(template)
        chosen = np.round(values[rows], int(decimals.group(1)) if decimals else 2) + 0.0  # no "-0.00"
        uniq, inverse = np.unique(chosen, return_inverse=True)
        out[rows] = np.array(list(map(template.format, uniq.tolist())), dtype=object)[inverse.ravel()]
    return out


def explain(results: pd.DataFrame) -> pd.DataFrame:
    """Add explanation_zh / explanation_en: one short sentence per method, joined.

    Each sentence names the method, its inputs and the threshold crossed, e.g.
    "晴雨表：2023年累计下降7.33%，进度目标8.97%（几何路径），差距18.3%，超过10% → 红灯".
    """
    n = len(results)
    zh = np.full(n, "", dtype=object)
    en = np.full(n, "", dtype=object)
    if n:
        col = _ColumnReader(results)
        cases, which = np.unique(_case_keys(col), return_inverse=True)
        which = which.ravel()
        compiled = [_compile(_sentences(_decode_case(int(k)))) for k in cases]
        order = np.argsort(which, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(which[order])) + 1)
        texts = _field_texts(col, compiled, groups)
        for (zh_t, en_t, names), rows in zip(compiled, groups, strict=True):
            args = [texts[name][rows] for name in names]
            zh[rows] = list(map(zh_t.format, *args)) if names else zh_t
            en[rows] = list(map(en_t.format, *args)) if names else en_t
    return results.assign(
        explanation_zh=_str_series(zh, results.index), explanation_en=_str_series(en, results.index)
    )


def _str_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    """A pandas "str" column; through Arrow when available (10× faster for long text)."""
    try:
        import pyarrow as pa
    except ImportError:  # pandas then stores str in Python objects
        return pd.Series(values, index=index, dtype=object).astype("str")
    text = pa.array(values.tolist(), type=pa.large_string())  # from a list: faster than from numpy
    return pd.Series(pd.array(text, dtype="str"), index=index)


def _field_texts(
    col: _ColumnReader, compiled: list[tuple[str, str, list[str]]], groups: list[np.ndarray]
) -> dict[str, np.ndarray]:
    """Text of every placeholder, formatted only for the rows whose template uses it."""
    used: dict[str, list[np.ndarray]] = {}
    for (_, _, names), rows in zip(compiled, groups, strict=True):
        for name in names:
            used.setdefault(name, []).append(rows)
    texts: dict[str, np.ndarray] = {}
    for name, parts in used.items():
        rows = np.sort(np.concatenate(parts))
        if name in _NUMBER_FIELDS:
            column, scale, template = _NUMBER_FIELDS[name]
            values = col(column) * scale
            if name == "gap":
                values = np.abs(values)
            texts[name] = _number_text(values, template, rows)
        elif name == "threshold":
            texts[name] = _number_text(col("target") - col("tolerance_pp"), "{:.2f}", rows)
    texts.update(_when_texts(col))
    texts["unit"] = _unit_texts(col)
    return texts


class _ColumnReader:
    """Result columns as numpy arrays (floats for numbers and flags, objects for labels)."""

    def __init__(self, results: pd.DataFrame) -> None:
        self.r = results
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        if name not in self.cache:
            c = self.r[name]
            numeric = pd.api.types.is_numeric_dtype(c.dtype) or pd.api.types.is_bool_dtype(c.dtype)
            if numeric and not isinstance(c.dtype, pd.CategoricalDtype):
                self.cache[name] = c.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                self.cache[name] = c.astype(object).to_numpy()
        return self.cache[name]

    def flag(self, name: str) -> np.ndarray:
        return self(name) == 1.0

    def codes(self, name: str, labels: tuple[str, ...]) -> np.ndarray:
        """Positions of a label column's values in `labels` (categorical codes when they match)."""
        c = self.r[name]
        if isinstance(c.dtype, pd.CategoricalDtype) and tuple(c.cat.categories) == labels:
            return c.cat.codes.to_numpy().astype(np.int64)
        return pd.Index(labels).get_indexer(c.astype(object)).astype(np.int64)


def _case_keys(col: _ColumnReader) -> np.ndarray:
    """One integer per row naming its category (mixed radix over _CASE_FIELDS)."""
    maintain = np.where(col.flag("is_maintain"), np.where(col.flag("met"), 1, 2), 0)
    digits = {
        "why": col.codes("assessability", ASSESSABILITY),
        "reduction": col.flag("is_reduction"),
        # with fewer than two points the "base" is the only point: no note about it
        "base_missing": col.flag("base_year_missing") & (col("n_points") >= 2),
        "zero_substituted": col.flag("zero_substituted"),
        "completion": ~np.isnan(col("completion_progress")),
        "behind": col("gap_pp") < 0,
        "maintain": maintain,
        "barometer": col.codes("status_barometer", BAROMETER_STATUSES),
        "shortfall_known": ~np.isnan(col("bar_shortfall")),
        "ratio": col.codes("status_ratio", RATIO_STATUSES),
        "ratio_known": ~np.isnan(col("ratio")),
        "opposite": col.flag("opposite_sign") | col.flag("target_opposite_sign"),
        "anticipated": col.codes("status_anticipated", ANTICIPATED_STATUSES),
        "p_known": ~np.isnan(col("ant_p")),
        "required": ~np.isnan(col("required_annual_rate")),
        "down": col.flag("is_reduction") | (col("direction") == "lower"),
    }
    key = np.zeros(len(col.r), dtype=np.int64)
    for name, radix in _CASE_FIELDS:
        key = key * radix + np.asarray(digits[name], dtype=np.int64)
    return key


def _when_texts(col: _ColumnReader) -> dict[str, np.ndarray]:
    """"2023年" / "2024年1—6月" and "2023" / "2024 (months 1–6)" for the latest figure."""
    year, month = col("latest_year"), col("latest_month")
    code = np.where(np.isnan(year), -1, np.nan_to_num(year) * 100 + np.nan_to_num(month, nan=0))
    uniq, inverse = np.unique(code, return_inverse=True)
    zh, en = [], []
    for v in uniq.tolist():
        y, m = divmod(int(v), 100) if v >= 0 else (None, 0)
        zh.append(_MISSING_TEXT if y is None else f"{y}年" + (f"1—{m}月" if m else ""))
        en.append(_MISSING_TEXT if y is None else f"{y}" + (f" (months 1–{m})" if m else ""))
    inverse = inverse.ravel()
    return {"when_zh": np.array(zh, dtype=object)[inverse], "when_en": np.array(en, dtype=object)[inverse]}


def _unit_texts(col: _ColumnReader) -> np.ndarray:
    """The spec's unit after level values ("" when not given)."""
    if "unit" not in col.r.columns:
        return np.full(len(col.r), "", dtype=object)
    units = col.r["unit"].astype(object).to_numpy()
    return np.array(["" if u is None or u != u else str(u) for u in units.tolist()], dtype=object)


# ---------------------------------------------------------------------------
# Roll-ups
# ---------------------------------------------------------------------------


def rollup(results: pd.DataFrame, by: list[str], method: Method = "ratio") -> pd.DataFrame:
    """Counts by status of one method per group, mean score, worst group first.

    Severity ranks a method's statuses (worst = highest); not assessable / not set are
    counted but not ranked. `mean_score` is always the growth-rate-ratio score (the only
    method with a score), so the output names both `method` and `score_method`.
    """
    _check_choice("method", method, METHODS)
    statuses = STATUSES[method]
    col = f"status_{method}"
    ranked = [s for s in statuses if s not in UNRANKED_STATUSES]
    severity = {s: float(len(ranked) - 1 - i) for i, s in enumerate(ranked)}
    frame = results[[*by, col, "score"]].assign(
        _severity=results[col].astype(object).map(severity).astype("float64"),
        _status=results[col].astype(object),
    )
    counts = (
        frame.groupby([*by, "_status"], observed=True, dropna=False)
        .size()
        .unstack("_status", fill_value=0)
        .reindex(columns=list(statuses), fill_value=0)
        .add_prefix("n_")
    )
    grouped = frame.groupby(by, observed=True, dropna=False)
    summary = pd.DataFrame({
        "n": grouped.size(),
        "mean_score": grouped["score"].mean(),
        "mean_severity": grouped["_severity"].mean(),
    })
    out = summary.join(counts, how="left").fillna({f"n_{s}": 0 for s in statuses})
    out = out.astype({f"n_{s}": "int64" for s in statuses})
    out = out.sort_values(["mean_severity", "mean_score"], ascending=[False, True], na_position="last")
    out = out.reset_index()
    out.insert(len(by), "method", method)
    out.insert(len(by) + 1, "score_method", "ratio")
    return out


# ---------------------------------------------------------------------------
# Chart lines (the target path and both projections, year by year)
# ---------------------------------------------------------------------------


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
    `assess_frame`'s output. Uses the same path formula as the barometer."""
    empty = ChartLines([], [], [], [], [])
    base_year, target_year = row.get("effective_base_year"), int(row["target_year"])
    base_value, reduction = _float(row.get("base_value")), bool(row.get("is_reduction"))
    if base_year is None or pd.isna(base_year) or math.isnan(base_value):
        return empty
    base_year = int(base_year)
    target = _float(row.get("target"))
    path_years: list[int] = []
    path_values: list[float] = []
    if not math.isnan(target) and target_year > base_year:
        years = np.arange(base_year, target_year + 1)
        share = (years - base_year) / (target_year - base_year)
        vstar = base_value * (1.0 - target / 100.0) if reduction else target
        red = np.full(len(years), reduction)

        def out(v: np.ndarray) -> np.ndarray:
            return np.where(red, (1.0 - v / base_value) * 100.0, v)

        with np.errstate(all="ignore"):  # only the path is used; the shortfall of a dummy latest value is not
            path = _barometer_figures(red, np.ones(len(years)), np.full(len(years), base_value), np.zeros(len(years)),
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
    cagr_line = _geometric_between(latest, cagr_end, share_ahead, reduction)
    scale = 100.0 / base_value if reduction else 1.0  # internal slope → the indicator's terms
    sign = 1.0 if reduction else -1.0  # a reduction's internal index falls as the reduction rises
    linear_line = [linear_end + sign * slope * scale * (target_year - y) if not math.isnan(slope) else math.nan
                   for y in years_ahead]
    return ChartLines(path_years, path_values, years_ahead, cagr_line, linear_line)


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
