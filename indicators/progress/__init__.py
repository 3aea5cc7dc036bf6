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

Decisions where methodology.md is silent (§8 wins over §1–7 where they differ):
- "achieved" is judged on the latest value alone (one point suffices) and is reported by
  every method, but only on an annual figure (§8.5). A within-year figure (month given) that
  meets the target is barometer green, ratio on_track, anticipated on_track, `provisional`,
  and its score comes from R (null where R does not measure the target: maintain, base met).
  Every other status needs two points (the implied base of an "annual_rate" or "cumulative"
  series counts as one); within-year figures use within-year time (§3) throughout.
- 1-point tolerance at 0%/100% (UN Progress Chart; 保持100%) applies to level and maintain
  targets whose target is 0 or 100 and whose unit is a percent or not given; it feeds the
  single "met" test that every method uses (and the §8.3 test on the base), so the methods
  never disagree on "achieved".
- Maintain (保持, §8.1): judged years are max(B+1, spec `issued_year`) .. Y; no issue year →
  B+1. Earlier years are history (kept for charts and projections, named in the reason, never
  judged). With no judged year yet, the series' latest year stands in (`judged_from` is then
  that year). All judged years meet → achieved, score +5; the latest judged year fails → red /
  deterioration / stagnation, score -5, the reason names that year and value; it meets but an
  earlier judged year did not → yellow / acceleration_needed / fair, score null, the reason
  names the most recent lapsed year, its value and the count. Completion, gap, R, P and the
  still-needed figures do not apply (null). `judged_from` is null for other kinds.
- A base that already meets the target (§8.3; the "met" test on v_B, two points at least):
  completion, gap, R, the barometer's progress target and shortfall, and P are null; latest
  still meets → achieved; it no longer does → red / deterioration / stagnation, score -5,
  "由达标转为未达标"; the still-needed figures are kept then (the way back to the target).
- Bounded shares (§8.2): spec column `bounded` (null → by unit: a percent and not a reduction;
  the catalogue decides for its indicators, an annual decline rate is not a share). Both
  projections are clipped to [0, 100] before P or a status; `projection_clipped` says so and
  the reason says "推算值以100%为上限"; `chart_lines` clips its lines year by year.
- Target not set (qualitative kind or no target value): barometer and anticipated report
  "not_set"; the ratio method reports its no-target variant (d·CAGR vs 1.5% / 0.5%) when
  the data allow, else "not_assessable"; target-dependent figures are null, observed facts
  (latest value, time progress, projections) are kept; score is null.
- Relative targets (§8.6; spec column `relative`, level and count kinds only): `target` is the
  change N in the good direction and v* = v_B + d·N, where v_B is the base year's own value
  (a stand-in base year does not resolve it: the plan names the year). Until then assessability
  is "base_pending" (待基期数据) and the row is treated as "not set" (barometer and anticipated
  not_set, the ratio's no-target variant). The result's `target` is v* (null while pending),
  `target_delta` is N.
- "About" targets (§8.6; spec column `about`, "N%左右"): judged with the bound as given (at
  least N in the direction of travel); the reason writes the target as "N%左右" / "about N%".
- `required_annual_rate` is the rate still needed per year over the remaining years, in
  percent, positive in the good direction (decline for reductions and lower-is-better
  levels, growth otherwise); null when the target is already met, for maintain targets,
  when no time remains, or when latest and target differ in sign.
- `required_annual_change` (§8.4) is signed as the value must move: a reduction's k_rem (the
  decline still needed, %/年); any level whose unit is a percent, share or rate alike,
  (v* - v_Y)/(T - Y) 个百分点/年; a count, the same in its unit a year ("家/年"); any other
  level, the relative change (v*/v_Y)^(1/(T-Y)) - 1 in %/年 (0 → 0.001 as for the rate).
  T - Y counts fractional years after a within-year figure. Null when met, for maintain, when
  no time remains, when the target is not set or fewer than two points exist (as the rate);
  the relative form also when latest and target differ in sign. `required_annual_change_unit`
  names the unit ("%/年", "个百分点/年", "家/年"), null with the figure.
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
  "reduction at least K"); "削减/下降N%" of a total is such a reduction of that series' level.
  Bound "exactly" is read as "reach" (达到) in the direction given.
- Reasons use the vocabulary's one label per status key (§8.7) and name every threshold from
  the constants in `rules`.

Modules (this package's face holds the entry points and re-exports the public names of the others):
- `rules`: thresholds and vocabularies (kinds, bounds, methods, statuses), and how texts write a threshold.
- `types`: TargetSpec, Point, Assessment, ProgressInputError.
- `inputs`: specs and observations → per-series arrays and sorted points.
- `aggregate`: per-series aggregates and the effective base.
- `measures`: targets resolved (relative), every method's numbers (completion, path, R, P, projections,
  required rate and change).
- `classify`: assessability, statuses and score.
- `results`: the result frame and JSON-ready records.
- `reason_texts` / `explain`: the zh/en reasons.
- `rollup`: roll-ups per group; `chart_lines`: lines for charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from indicators.progress.aggregate import aggregate_points, effective_base
from indicators.progress.chart_lines import ChartLines, chart_lines
from indicators.progress.classify import assessability_codes, status_codes
from indicators.progress.explain import explain
from indicators.progress.inputs import (
    OBSERVATION_COLUMNS,
    OPTIONAL_SPEC_COLUMNS,
    SPEC_COLUMNS,
    point_record,
    prepare_points,
    spec_arrays,
    spec_record,
)
from indicators.progress.measures import compute_measures, resolve_targets
from indicators.progress.results import result_frame, to_records
from indicators.progress.rollup import rollup
from indicators.progress.rules import (
    ANNUAL_MONTH_RANK,
    ANTICIPATED_FAIR,
    ANTICIPATED_ON_TRACK,
    ASSESSABILITY,
    BAROMETER_RED_SHORTFALL,
    FIGURE_KEYS,
    LIMIT_TOLERANCE_PP,
    MET_EPSILON,
    MONTHS_PER_YEAR,
    NO_TARGET_ACCELERATION,
    NO_TARGET_ON_TRACK,
    PERCENT_LIMITS,
    PERCENT_UNITS,
    RATIO_ACCELERATION,
    RATIO_ON_TRACK,
    SCORE_HIGH_INTERCEPT,
    SCORE_HIGH_SLOPE,
    SCORE_LOW_INTERCEPT,
    SCORE_LOW_SLOPE,
    SCORE_MAX,
    SCORE_MIN,
    ZERO_SUBSTITUTE,
)
from indicators.progress.types import Assessment, Point, ProgressInputError, TargetSpec
from indicators.vocabulary import (
    ANTICIPATED_STATUSES,
    BAROMETER_STATUSES,
    BOUNDS,
    DIRECTIONS,
    INPUT_FORMS,
    KINDS,
    METHODS,
    RATIO_STATUSES,
    STATUSES,
    UNRANKED_STATUSES,
    Bound,
    Direction,
    InputForm,
    Kind,
    Method,
)

# The engine's public API: `from indicators.progress import …` (the modules above are its inside).
__all__ = [
    "ANNUAL_MONTH_RANK",
    "ANTICIPATED_FAIR",
    "ANTICIPATED_ON_TRACK",
    "ANTICIPATED_STATUSES",
    "ASSESSABILITY",
    "BAROMETER_RED_SHORTFALL",
    "BAROMETER_STATUSES",
    "BOUNDS",
    "DIRECTIONS",
    "FIGURE_KEYS",
    "INPUT_FORMS",
    "KINDS",
    "LIMIT_TOLERANCE_PP",
    "METHODS",
    "MET_EPSILON",
    "MONTHS_PER_YEAR",
    "NO_TARGET_ACCELERATION",
    "NO_TARGET_ON_TRACK",
    "OBSERVATION_COLUMNS",
    "OPTIONAL_SPEC_COLUMNS",
    "PERCENT_LIMITS",
    "PERCENT_UNITS",
    "RATIO_ACCELERATION",
    "RATIO_ON_TRACK",
    "RATIO_STATUSES",
    "SCORE_HIGH_INTERCEPT",
    "SCORE_HIGH_SLOPE",
    "SCORE_LOW_INTERCEPT",
    "SCORE_LOW_SLOPE",
    "SCORE_MAX",
    "SCORE_MIN",
    "SPEC_COLUMNS",
    "STATUSES",
    "UNRANKED_STATUSES",
    "ZERO_SUBSTITUTE",
    "Assessment",
    "Bound",
    "ChartLines",
    "Direction",
    "InputForm",
    "Kind",
    "Method",
    "Point",
    "ProgressInputError",
    "TargetSpec",
    "assess",
    "assess_frame",
    "chart_lines",
    "explain",
    "rollup",
    "spec_record",
    "to_records",
]


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
    sp = spec_arrays(specs)
    n = len(specs)
    if n == 0:  # nothing to assess: keep the columns, drop every observation
        observations = observations.iloc[0:0]
    pts = prepare_points(specs, observations, sp, as_of)
    agg = aggregate_points(pts, sp, n)
    base = effective_base(sp, agg)
    sp = resolve_targets(sp, agg, base)
    f = compute_measures(sp, agg, base)
    why = assessability_codes(sp, agg, f)
    st = status_codes(sp, agg, f, why)
    result = result_frame(specs, sp, agg, base, f, why, st)
    return explain(result) if reasons else result


# ---------------------------------------------------------------------------
# Single series
# ---------------------------------------------------------------------------


def assess(
    spec: TargetSpec,
    points: Iterable[Point | Mapping[str, Any] | Sequence[Any]],
    input_form: InputForm = "level",
    as_of: int | None = None,
) -> Assessment:
    """Assess one series through the same vectorised core as `assess_frame`."""
    specs = pd.DataFrame([spec_record("s", spec, input_form)])
    obs = pd.DataFrame(
        [point_record("s", p) for p in points], columns=list(OBSERVATION_COLUMNS)
    ).astype({"year": "float64", "month": "float64", "value": "float64"})
    rec = to_records(assess_frame(specs, obs, as_of=as_of, reasons=True))[0]
    rec["kind"], rec["bound"] = spec.kind, spec.bound
    return Assessment(**{k: rec[k] for k in Assessment.__dataclass_fields__})
