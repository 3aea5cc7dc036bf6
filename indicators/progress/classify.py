"""Status classification: assessability, each method's status code and the roll-up score."""

from __future__ import annotations

import numpy as np

from indicators.progress import rules
from indicators.vocabulary import METHODS, STATUSES


def assessability_codes(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], f: dict[str, np.ndarray]) -> np.ndarray:
    """Code into ASSESSABILITY, first matching reason wins."""
    no_data = agg["n"] == 0
    invalid = ~no_data & ~f["rate_gap"] & ~np.isfinite(f["vy"])
    return np.select(
        [sp["pending"], sp["not_set"], no_data, invalid, f["rate_gap"], f["few"] & ~f["met"] & ~sp["maintain"]],
        [rules.WHY_BASE_PENDING, rules.WHY_NOT_SET, rules.WHY_NO_DATA, rules.WHY_INVALID, rules.WHY_RATE_GAP, rules.WHY_FEW],
        default=rules.WHY_OK,
    )


def rule_cases(sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], f: dict[str, np.ndarray], why: np.ndarray) -> dict[str, np.ndarray]:
    """The rows whose statuses a rule of §8 sets rather than a method's threshold (all assessable):
    achieved (met on an annual figure); provisional_met (met on a within-year figure, §8.5: green / on_track);
    fallen (a maintain target's latest judged year fails, §8.1, or a base that met the target no longer does,
    §8.3: red / deterioration / stagnation); lapsed (a maintain target failed an earlier judged year and meets
    again, §8.1: yellow / acceleration_needed / fair)."""
    ok = why == rules.WHY_OK
    provisional = ~np.isnan(agg["last_month"])
    met = f["met"] & ok
    maintain = sp["maintain"] & ok
    return {
        "achieved": met & ~provisional,
        "provisional_met": met & provisional,
        "fallen": (maintain & agg["latest_failed"]) | (f["base_met"] & ~f["met"] & ok),
        "lapsed": maintain & (agg["n_failed"] > 0) & ~agg["latest_failed"],
        "no_ratio": met & provisional & (sp["maintain"] | f["base_met"]),
    }


def status_codes(
    sp: dict[str, np.ndarray], agg: dict[str, np.ndarray], f: dict[str, np.ndarray], why: np.ndarray
) -> dict[str, np.ndarray]:
    """Status codes (indices into STATUSES[method]) for each method, plus the score."""
    case = rule_cases(sp, agg, f, why)
    achieved, provisional_met, fallen, lapsed = case["achieved"], case["provisional_met"], case["fallen"], case["lapsed"]
    unset = (why == rules.WHY_NOT_SET) | (why == rules.WHY_BASE_PENDING)
    blocked = why != rules.WHY_OK  # not set / pending / no data / invalid / gap / too few points
    cagr_bad = f["opposite_sign"] | f["target_opposite_sign"]
    bar, rat, ant = (dict(zip(STATUSES[m], range(10), strict=False)) for m in METHODS)

    sf, behind, needed = f["bar_shortfall"], f["bar_behind"], f["bar_needed"]
    barometer = np.select(
        [unset, blocked, achieved, provisional_met, fallen, lapsed, ~np.isfinite(behind), needed <= 0, sf <= 0,
         sf <= rules.BAROMETER_RED_SHORTFALL, sf > rules.BAROMETER_RED_SHORTFALL],
        [bar["not_set"], bar["not_assessable"], bar["achieved"], bar["green"], bar["red"], bar["yellow"],
         bar["not_assessable"], np.where(behind > 0, bar["red"], bar["green"]), bar["green"], bar["yellow"],
         bar["red"]],
        default=bar["not_assessable"],
    )

    r = f["ratio_raw"]
    growth = f["ratio_observed_rate"] / 100.0
    no_target_ok = unset & (agg["n"] > 0) & ~f["few"] & np.isfinite(growth)
    ratio = np.select(
        [no_target_ok, blocked, achieved, provisional_met, fallen, lapsed, cagr_bad | np.isnan(r),
         r >= rules.RATIO_ON_TRACK, r >= rules.RATIO_ACCELERATION, r >= 0, r < 0],
        [_no_target_status(growth, rat), rat["not_assessable"], rat["achieved"], rat["on_track"],
         rat["deterioration"], rat["acceleration_needed"], rat["not_assessable"], rat["on_track"],
         rat["acceleration_needed"], rat["limited"], rat["deterioration"]],
        default=rat["not_assessable"],
    )

    p, ant_needed = f["ant_p"], f["ant_needed"]
    projected_meets = sp["sense"] * (f["projected_internal"] - f["vstar"]) >= -sp["tol"]
    anticipated = np.select(
        [unset, blocked, achieved, provisional_met, fallen, lapsed,
         cagr_bad | ~np.isfinite(f["projected_internal"]), ant_needed <= 0, p >= rules.ANTICIPATED_ON_TRACK,
         p >= rules.ANTICIPATED_FAIR, p < rules.ANTICIPATED_FAIR],
        [ant["not_set"], ant["not_assessable"], ant["achieved"], ant["on_track"], ant["stagnation"], ant["fair"],
         ant["not_assessable"], np.where(projected_meets, ant["on_track"], ant["stagnation"]), ant["on_track"],
         ant["fair"], ant["stagnation"]],
        default=ant["not_assessable"],
    )
    return {
        "barometer": barometer,
        "ratio": ratio,
        "anticipated": anticipated,
        "score": _score(r, case, ratio == rat["not_assessable"], why),
    }


def _no_target_status(growth: np.ndarray, rat: dict[str, int]) -> np.ndarray:
    """Statistics Canada's no-target variant on d·CAGR."""
    return np.select(
        [growth >= rules.NO_TARGET_ON_TRACK, growth >= rules.NO_TARGET_ACCELERATION, growth >= 0],
        [rat["on_track"], rat["acceleration_needed"], rat["limited"]],
        default=rat["deterioration"],
    )


def _score(r: np.ndarray, case: dict[str, np.ndarray], unassessed: np.ndarray, why: np.ndarray) -> np.ndarray:
    """−5..+5 from R (Statistics Canada); achieved +5, fallen (§8.1 / §8.3) −5; a lapsed maintain target and a
    within-year figure meeting a target that R does not measure (maintain, or a base already met) have no score."""
    with np.errstate(invalid="ignore"):
        high = np.minimum(rules.SCORE_HIGH_SLOPE * r + rules.SCORE_HIGH_INTERCEPT, rules.SCORE_MAX)
        low = np.maximum(rules.SCORE_LOW_SLOPE * r + rules.SCORE_LOW_INTERCEPT, rules.SCORE_MIN)
        score = np.where(r >= rules.RATIO_ACCELERATION, high, low)
    score = np.where(case["lapsed"] | case["no_ratio"], np.nan, score)
    score = np.where(case["achieved"], rules.SCORE_MAX, np.where(case["fallen"], rules.SCORE_MIN, score))
    return np.where(unassessed | (why != rules.WHY_OK), np.nan, score)
