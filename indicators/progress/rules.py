"""Thresholds of the progress methods and their vocabularies (kinds, bounds, methods, statuses, figure keys),
and how a text writes a threshold (every text that names one builds it from the constants here)."""

from __future__ import annotations

import numpy as np

from indicators.vocabulary import INPUT_FORMS, KINDS

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
MIN_TREND_POINTS = 2  # Statistics Canada: at least two data points for a trend
SHARE_LIMITS = (0.0, 100.0)  # §8.2: a bounded share or rate lies in [0, 100]; projections are clipped to it
ANNUAL_MONTH_RANK = 13  # an annual figure outranks every within-year figure of its year


def decimal_text(value: float) -> str:
    """A threshold of R or P as texts write it: 0.95 → '0.95', 0.6 → '0.60'."""
    return f"{value:.2f}"


def percent_text(value: float) -> str:
    """A share as texts write it: 0.10 → '10%', 0.015 → '1.5%'."""
    return f"{round(value * 100, 6):g}%"

# Why a series cannot be assessed (the explain step turns these into words). "base_pending": a target relative to
# the base ("比2020年提高N个百分点", §8.6) whose base-year value is not known yet (待基期数据); treated as not set.
ASSESSABILITY = ("ok", "not_set", "no_data", "invalid", "rate_gap", "few_points", "base_pending")
WHY_OK, WHY_NOT_SET, WHY_NO_DATA, WHY_INVALID, WHY_RATE_GAP, WHY_FEW, WHY_BASE_PENDING = range(len(ASSESSABILITY))

# §8.4: what `required_annual_change` measures, by kind of series (codes of the vectorised core), and its unit.
CHANGE_NONE, CHANGE_REDUCTION, CHANGE_POINTS, CHANGE_UNITS, CHANGE_RELATIVE = range(5)
CHANGE_UNIT_RATE = "%/年"  # a reduction's k_rem, or another level's relative change per year
CHANGE_UNIT_POINTS = "个百分点/年"  # a share or rate in %: percentage points per year
CHANGE_UNIT_PER_YEAR = "{unit}/年"  # a count: the indicator's unit per year ("家/年")

# Public figure keys (the JSON contract of `status --json` plus the extra figures).
FIGURE_KEYS = (
    "kind", "target", "bound", "base_year", "target_year", "latest_year", "latest_month",
    "latest_value", "time_progress", "completion_progress", "completion_progress_geometric",
    "gap_pp", "required_annual_rate", "required_annual_change", "required_annual_change_unit",
    "projected_value", "projected_value_linear", "ratio", "score", "provisional", "judged_from", "bounded",
    "target_delta",
)

# Integer codes the vectorised core works with: positions in KINDS and INPUT_FORMS.
KIND_LEVEL = KINDS.index("level")
KIND_REDUCTION = KINDS.index("cumulative_reduction")
KIND_MAINTAIN = KINDS.index("maintain")
KIND_QUALITATIVE = KINDS.index("qualitative")
KIND_COUNT = KINDS.index("count")
FORM_LEVEL = INPUT_FORMS.index("level")
FORM_RATE = INPUT_FORMS.index("annual_rate")
FORM_CUMULATIVE = INPUT_FORMS.index("cumulative")
NOT_FOUND = np.iinfo(np.int64).max  # "no such row" in a grouped minimum (np.minimum.reduceat)
