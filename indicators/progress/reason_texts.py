"""The zh/en reason sentences: one template per category of result rows, decoded from its category key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indicators.progress.rules import (
    ANTICIPATED_FAIR,
    ANTICIPATED_ON_TRACK,
    ANTICIPATED_STATUSES,
    ASSESSABILITY,
    BAROMETER_RED_SHORTFALL,
    BAROMETER_STATUSES,
    NO_TARGET_ACCELERATION,
    NO_TARGET_ON_TRACK,
    RATIO_ACCELERATION,
    RATIO_ON_TRACK,
    RATIO_STATUSES,
    decimal_text,
    percent_text,
)

_BAROMETER_WORDS = {
    "green": ("绿灯", "green"), "yellow": ("黄灯", "yellow"), "red": ("红灯", "red"),
}
_RATIO_WORDS = {
    "on_track": ("正常推进", "on track"),
    "acceleration_needed": ("需加速", "acceleration needed"),
    "limited": ("进展有限", "limited progress"),
    "deterioration": ("倒退", "deterioration"),
}
_ANTICIPATED_WORDS = {
    "on_track": ("可如期完成", "on track"),
    "fair": ("有进展需加速", "fair progress, acceleration needed"),
    "stagnation": ("停滞或倒退", "stagnation or regression"),
}


# The thresholds the reasons name, written from the engine's constants (the builders take others for tests).
def barometer_limits(red_shortfall: float = BAROMETER_RED_SHORTFALL) -> dict[bool, tuple[str, str]]:
    """Beyond the red limit (True) or within it (False): '超过10%' / 'above 10%'."""
    limit = percent_text(red_shortfall)
    return {True: (f"超过{limit}", f"above {limit}"), False: (f"未超过{limit}", f"within {limit}")}


def ratio_bands(on_track: float = RATIO_ON_TRACK, acceleration: float = RATIO_ACCELERATION) -> dict[str, tuple[str, str]]:
    """The band of R each ratio status stands for: '（R≥0.95）' / ' (R≥0.95)'."""
    on, acc = decimal_text(on_track), decimal_text(acceleration)
    bands = {"on_track": f"R≥{on}", "acceleration_needed": f"{acc}≤R<{on}", "limited": f"0≤R<{acc}", "deterioration": "R<0"}
    return {status: (f"（{band}）", f" ({band})") for status, band in bands.items()}


def anticipated_bands(on_track: float = ANTICIPATED_ON_TRACK, fair: float = ANTICIPATED_FAIR) -> dict[str, str]:
    """The band of P each anticipated status stands for: 'P≥0.95'."""
    on, low = decimal_text(on_track), decimal_text(fair)
    return {"on_track": f"P≥{on}", "fair": f"{low}≤P<{on}", "stagnation": f"P<{low}"}


def no_target_thresholds(on_track: float = NO_TARGET_ON_TRACK, acceleration: float = NO_TARGET_ACCELERATION) -> str:
    """The no-target rule's thresholds on d·CAGR: '1.5%/0.5%/0'."""
    return f"{percent_text(on_track)}/{percent_text(acceleration)}/0"


_BAROMETER_LIMITS = barometer_limits()
_RATIO_BANDS = ratio_bands()
_ANTICIPATED_BANDS = anticipated_bands()
_NO_TARGET_THRESHOLDS = no_target_thresholds()


@dataclass(frozen=True)
class ReasonCase:
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


# A row's category key: these fields in this order, each a digit in base `radix` (explain builds the keys).
CASE_FIELDS: tuple[tuple[str, int], ...] = (
    ("why", len(ASSESSABILITY)), ("reduction", 2), ("base_missing", 2), ("zero_substituted", 2),
    ("completion", 2), ("behind", 2), ("maintain", 3), ("barometer", len(BAROMETER_STATUSES)),
    ("shortfall_known", 2), ("ratio", len(RATIO_STATUSES)), ("ratio_known", 2), ("opposite", 2),
    ("anticipated", len(ANTICIPATED_STATUSES)), ("p_known", 2), ("required", 2), ("down", 2),
)


def decode_case(key: int) -> ReasonCase:
    """What a category key (mixed radix over CASE_FIELDS) says."""
    values: dict[str, Any] = {}
    for name, radix in reversed(CASE_FIELDS):
        key, digit = divmod(key, radix)
        values[name] = digit
    return ReasonCase(
        why=ASSESSABILITY[values["why"]],
        barometer=BAROMETER_STATUSES[values["barometer"]],
        ratio=RATIO_STATUSES[values["ratio"]],
        anticipated=ANTICIPATED_STATUSES[values["anticipated"]],
        maintain=values["maintain"],
        **{k: bool(values[k]) for k in (
            "reduction", "base_missing", "zero_substituted", "completion", "behind", "shortfall_known",
            "ratio_known", "opposite", "p_known", "required", "down")},
    )


def reason_sentences(case: ReasonCase) -> list[tuple[str, str]]:
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
        out.append((f"增长率比（无目标规则）：按期望方向年均变化{{observed_signed}}%（阈值{_NO_TARGET_THRESHOLDS}）→ {zh}",
                    "growth-rate ratio (no-target rule): annual change in the desired direction "
                    f"{{observed_signed}}% (thresholds {_NO_TARGET_THRESHOLDS}) → {en}"))
    return out


def _note_sentences(case: ReasonCase) -> list[tuple[str, str]]:
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


def _latest(case: ReasonCase) -> tuple[str, str]:
    if case.reduction:
        return "{when_zh}累计下降{latest}%", "{when_en}: cumulative reduction {latest}%"
    return "{when_zh}为{latest}{unit}", "{when_en}: {latest}{unit}"


def _progress_sentence(case: ReasonCase) -> tuple[str, str]:
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


def _maintain_sentence(case: ReasonCase) -> tuple[str, str]:
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


def _method_sentences(case: ReasonCase) -> list[tuple[str, str]]:
    latest_zh, latest_en = _latest(case)
    if case.barometer == "achieved":
        unit = "%" if case.reduction else "{unit}"
        return [(f"{latest_zh}，已达到目标{{target}}{unit} → 各方法均为已完成",
                 f"{latest_en}, target {{target}}{unit} already met → achieved under every method")]
    return [_barometer_sentence(case), _ratio_sentence(case), _anticipated_sentence(case)]


def _barometer_sentence(case: ReasonCase) -> tuple[str, str]:
    """NDRC barometer: progress target on the path, shortfall vs the red limit."""
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
        limit_zh, limit_en = _BAROMETER_LIMITS[case.barometer == "red"]
        rule_zh = "差距{shortfall}%，" + limit_zh
        rule_en = "shortfall {shortfall}%, " + limit_en
    word_zh, word_en = _BAROMETER_WORDS[case.barometer]
    return (f"晴雨表：{latest_zh}，进度目标{{bar_target}}{path_zh}，{rule_zh} → {word_zh}",
            f"NDRC barometer: {latest_en}, progress target {{bar_target}}{path_en}, {rule_en} → {word_en}")


def _ratio_sentence(case: ReasonCase) -> tuple[str, str]:
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


def _anticipated_sentence(case: ReasonCase) -> tuple[str, str]:
    """UN Progress Chart: CAGR projection to the target year and P; linear path alongside."""
    if case.anticipated not in _ANTICIPATED_WORDS:
        return "预期进度：无法评估", "anticipated progress: not assessable"
    if not case.p_known:
        band_zh, band_en = "P不适用（目标不要求进展）", "P n/a (target asks for no progress)"
    else:
        band_zh = "P={p}（" + _ANTICIPATED_BANDS[case.anticipated] + "）"
        band_en = "P={p} (" + _ANTICIPATED_BANDS[case.anticipated] + ")"
    what_zh, what_en = ("累计下降", "a cumulative reduction of ") if case.reduction else ("", "")
    unit = "%" if case.reduction else "{unit}"
    word_zh, word_en = _ANTICIPATED_WORDS[case.anticipated]
    return (f"预期进度：按年均增速推算{{target_year}}年{what_zh}{{projected}}{unit}"
            f"（线性推算{{projected_linear}}{unit}），{band_zh}→ {word_zh}",
            f"anticipated progress: at the current compound rate {{target_year}} reaches {what_en}"
            f"{{projected}}{unit} (linear trend {{projected_linear}}{unit}), {band_en} → {word_en}")
