"""The zh/en reason sentences: one template per category of result rows, decoded from its category key.

Every status word comes from the vocabulary's one label per status key (methodology §8.7), and every threshold a
sentence quotes from the engine's named constants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indicators.progress import rules
from indicators.vocabulary import ANTICIPATED_STATUSES, BAROMETER_STATUSES, RATIO_STATUSES, STATUS_LABELS


def _words(statuses: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """(zh, en) of each status a method's sentence can end on: the vocabulary's labels, nothing else."""
    return {s: (STATUS_LABELS[s]["zh"], STATUS_LABELS[s]["en"]) for s in statuses}


_BAROMETER_WORDS = _words(("green", "yellow", "red"))
_RATIO_WORDS = _words(("on_track", "acceleration_needed", "limited", "deterioration"))
_ANTICIPATED_WORDS = _words(("on_track", "fair", "stagnation"))


def _verdict(barometer: str, ratio: str, anticipated: str) -> tuple[str, str]:
    """"晴雨表红灯，增长率比倒退，预期进度停滞或倒退" from the labels of the three statuses a rule sets."""
    b, r, a = _BAROMETER_WORDS[barometer], _RATIO_WORDS[ratio], _ANTICIPATED_WORDS[anticipated]
    return (f"晴雨表{b[0]}，增长率比{r[0]}，预期进度{a[0]}",
            f"barometer {b[1]}, growth-rate ratio {r[1]}, anticipated progress {a[1]}")


_FALLEN = _verdict("red", "deterioration", "stagnation")  # §8.1 latest judged year fails; §8.3 fallen from met
_LAPSED = _verdict("yellow", "acceleration_needed", "fair")  # §8.1 lapsed once, meets again
_PROVISIONAL_MET = _verdict("green", "on_track", "on_track")  # §8.5 met on a within-year figure
_ACHIEVED = STATUS_LABELS["achieved"]["zh"], STATUS_LABELS["achieved"]["en"]
_SHARE_MAX = f"{rules.SHARE_LIMITS[1]:g}%"


# The thresholds the reasons name, written from the engine's constants (the builders take others for tests).
def barometer_limits(red_shortfall: float = rules.BAROMETER_RED_SHORTFALL) -> dict[bool, tuple[str, str]]:
    """Beyond the red limit (True) or within it (False): '超过10%' / 'above 10%'."""
    limit = rules.percent_text(red_shortfall)
    return {True: (f"超过{limit}", f"above {limit}"), False: (f"未超过{limit}", f"within {limit}")}


def ratio_bands(on_track: float = rules.RATIO_ON_TRACK, acceleration: float = rules.RATIO_ACCELERATION) -> dict[str, tuple[str, str]]:
    """The band of R each ratio status stands for: '（R≥0.95）' / ' (R≥0.95)'."""
    on, acc = rules.decimal_text(on_track), rules.decimal_text(acceleration)
    bands = {"on_track": f"R≥{on}", "acceleration_needed": f"{acc}≤R<{on}", "limited": f"0≤R<{acc}", "deterioration": "R<0"}
    return {status: (f"（{band}）", f" ({band})") for status, band in bands.items()}


def anticipated_bands(on_track: float = rules.ANTICIPATED_ON_TRACK, fair: float = rules.ANTICIPATED_FAIR) -> dict[str, str]:
    """The band of P each anticipated status stands for: 'P≥0.95'."""
    on, low = rules.decimal_text(on_track), rules.decimal_text(fair)
    return {"on_track": f"P≥{on}", "fair": f"{low}≤P<{on}", "stagnation": f"P<{low}"}


def no_target_thresholds(on_track: float = rules.NO_TARGET_ON_TRACK, acceleration: float = rules.NO_TARGET_ACCELERATION) -> str:
    """The no-target rule's thresholds on d·CAGR: '1.5%/0.5%/0'."""
    return f"{rules.percent_text(on_track)}/{rules.percent_text(acceleration)}/0"


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
    maintain: int  # 0 not a maintain target, 1 every judged year met, 2 the latest judged year failed, 3 lapsed
    barometer: str
    shortfall_known: bool
    ratio: str
    ratio_known: bool
    opposite: bool
    anticipated: str
    p_known: bool
    required: int  # change form (§8.4): 0 none, 1 reduction, 2 points, 3 units, 4 relative
    change_down: bool  # the value must fall
    down: bool  # the good direction is down (a reduction or lower-is-better)
    provisional: int  # 0 annual, 1 within-year, 2 within-year and meeting the target (§8.5)
    base_met: int  # 0 no, 1 the base met the target and the latest does, 2 the latest no longer does (§8.3)
    relative: bool  # a target relative to the base, resolved (§8.6)
    clipped: bool  # a projection clipped to [0, 100] (§8.2)
    history: int  # a maintain target's data before its judged years (§8.1): 0 none, 1 one year, 2 several
    judged: int  # a maintain target's judged years: 0 several, 1 one, 2 none yet (the latest year stands in)
    tolerance: bool  # the 1-point tolerance at 0/100 applies


# A row's category key: these fields in this order, each a digit in base `radix` (explain builds the keys).
CASE_FIELDS: tuple[tuple[str, int], ...] = (
    ("why", len(rules.ASSESSABILITY)), ("reduction", 2), ("base_missing", 2), ("zero_substituted", 2),
    ("completion", 2), ("behind", 2), ("maintain", 4), ("barometer", len(BAROMETER_STATUSES)),
    ("shortfall_known", 2), ("ratio", len(RATIO_STATUSES)), ("ratio_known", 2), ("opposite", 2),
    ("anticipated", len(ANTICIPATED_STATUSES)), ("p_known", 2), ("required", 5), ("change_down", 2), ("down", 2),
    ("provisional", 3), ("base_met", 3), ("relative", 2), ("clipped", 2), ("history", 3), ("judged", 3), ("tolerance", 2),
)
_INT_FIELDS = frozenset({"maintain", "required", "provisional", "base_met", "history", "judged"})


def decode_case(key: int) -> ReasonCase:
    """What a category key (mixed radix over CASE_FIELDS) says."""
    values: dict[str, Any] = {}
    for name, radix in reversed(CASE_FIELDS):
        key, digit = divmod(key, radix)
        values[name] = digit
    return ReasonCase(
        why=rules.ASSESSABILITY[values["why"]],
        barometer=BAROMETER_STATUSES[values["barometer"]],
        ratio=RATIO_STATUSES[values["ratio"]],
        anticipated=ANTICIPATED_STATUSES[values["anticipated"]],
        **{k: values[k] for k in _INT_FIELDS},
        **{k: bool(v) for k, v in values.items() if k not in _INT_FIELDS and k not in ("why", "barometer", "ratio", "anticipated")},
    )


def reason_sentences(case: ReasonCase) -> list[tuple[str, str]]:
    """The (zh, en) sentence templates for one category, in reading order."""
    out: list[tuple[str, str]] = []
    if case.base_missing:
        out.append(("基期{base_year}年无数据，以{eff_base_year}年为基期",
                    "no value for base year {base_year}; {eff_base_year} used as base"))
    out += _note_sentences(case)
    if case.relative and case.why == "ok":
        out.append(_relative_sentence(case, pending=False))
    if case.provisional and case.why == "ok":
        out.append(("阶段性（1—{latest_month}月）：{when_zh}数据与同期时序进度比较，已完成须以全年数据为准",
                    "provisional (months 1–{latest_month}): the {when_en} figure is compared with time elapsed to "
                    "that month; achieved needs an annual figure"))
    if case.why == "ok":
        if case.base_met:
            out.append(_base_met_sentence(case))
        if case.completion:
            out.append(_progress_sentence(case))
        if case.maintain:
            out.append(_maintain_sentence(case))
        elif case.base_met == 2:
            latest_zh, latest_en = _latest(case)
            out.append((f"由达标转为未达标：{latest_zh}，未达到目标{{target}}{{unit}}{{about_zh}} → {_FALLEN[0]}",
                        f"from met to not met: {latest_en}, short of the target {{about_en}}{{target}}{{unit}} "
                        f"→ {_FALLEN[1]}"))
        else:
            out += _method_sentences(case)
        if case.required:
            out.append(_required_sentence(case))
    elif case.why in ("not_set", "base_pending") and case.ratio != "not_assessable":
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
        "few_points": (f"仅有{{n_points}}个数据点，少于{rules.MIN_TREND_POINTS}个，无法评估趋势",
                       f"only {{n_points}} data point(s), fewer than {rules.MIN_TREND_POINTS}: trend not assessable"),
        "base_pending": _relative_sentence(case, pending=True),
    }
    out = [notes[case.why]] if case.why in notes else []
    if case.why == "ok" and case.zero_substituted:
        out.append((f"基期或目标值为0，增长率计算按{rules.ZERO_SUBSTITUTE:g}代入",
                    f"zero base or target replaced by {rules.ZERO_SUBSTITUTE:g} for growth rates"))
    return out


def _relative_sentence(case: ReasonCase, pending: bool) -> tuple[str, str]:
    """§8.6: "比2020年提高8个百分点" resolved to v_B + 8, or pending until the base-year value is known."""
    verb_zh, verb_en = ("降低", "lower") if case.down else ("提高", "higher")
    what_zh = f"相对目标：比{{base_year}}年{verb_zh}{{delta}}{{delta_unit}}{{about_zh}}"
    what_en = f"relative target: {{about_en}}{{delta}} {{delta_unit_en}} {verb_en} than in {{base_year}}"
    if pending:
        return (f"{what_zh}，待基期数据（{{base_year}}年数值），目标待定",
                f"{what_en}; awaiting the base-year value ({{base_year}}), target not set")
    return (f"{what_zh}，即{{target}}{{unit}}（基期{{base_value}}{{unit}}）",
            f"{what_en}, i.e. {{target}}{{unit}} (base {{base_value}}{{unit}})")


def _base_met_sentence(case: ReasonCase) -> tuple[str, str]:
    """§8.3: completion and gap have no meaning when the base already meets the target."""
    return ("基期{eff_base_year}年为{base_value}{unit}，基期已达到目标{target}{unit}{about_zh}，完成进度不适用",
            "base {eff_base_year} was {base_value}{unit}, the base already met the target {about_en}{target}{unit}; "
            "completion does not apply")


def _latest(case: ReasonCase) -> tuple[str, str]:
    if case.reduction:
        return "{when_zh}累计下降{latest}%", "{when_en}: cumulative reduction {latest}%"
    return "{when_zh}为{latest}{unit}", "{when_en}: {latest}{unit}"


def _progress_sentence(case: ReasonCase) -> tuple[str, str]:
    """Time progress vs completion progress, in percentage points."""
    latest_zh, latest_en = _latest(case)
    if case.reduction:
        target_zh, target_en = "（目标{target}%{about_zh}）", " (target {about_en}{target}%)"
        geo_zh, geo_en = "（几何口径{completion_geo}%）", " (geometric {completion_geo}%)"
    else:
        target_zh = "（基期{base_value}{unit}，目标{target}{unit}{about_zh}）"
        target_en = " (base {base_value}{unit}, target {about_en}{target}{unit})"
        geo_zh = geo_en = ""
    side_zh, side_en = ("落后", "behind") if case.behind else ("超前", "ahead of")
    return (f"{latest_zh}{target_zh}；时序进度{{time}}%，完成进度{{completion}}%{geo_zh}，"
            f"{side_zh}时序进度{{gap}}个百分点",
            f"{latest_en}{target_en}; time elapsed {{time}}%, completion {{completion}}%{geo_en}, "
            f"{{gap}} points {side_en} time")


def _maintain_sentence(case: ReasonCase) -> tuple[str, str]:
    """保持类 (§8.1): judged from the plan's year of issue; names the lapsed or failed year and value."""
    tol_zh, tol_en = ("，容差{tolerance}个百分点", ", tolerance {tolerance} pt") if case.tolerance else ("", "")
    judged_zh = f"保持类目标（自{{judged_from}}年起评判，目标{{target}}{tol_zh}）："
    judged_en = f"maintain target (judged from {{judged_from}}, target {{target}}{tol_en}): "
    if case.history:
        years_zh, years_en = ("{eff_base_year}年", "{eff_base_year}") if case.history == 1 else (
            "{eff_base_year}—{history_end}年", "{eff_base_year}–{history_end}")
        judged_zh += f"{years_zh}为方案实施前数据，仅作参考、不评判；"
        judged_en += f"{years_en}: before the plan, shown, not judged; "
    if case.judged == 2:
        judged_zh += "尚无方案实施后的数据，以最近的{judged_from}年评判；"
        judged_en += "no data yet from the years the plan is in force: the latest year, {judged_from}, is judged; "
    if case.maintain == 1:
        years_zh, years_en = (("{latest_year}年达到{threshold}", "{latest_year} met {threshold}") if case.judged else
                              ("{judged_from}—{latest_year}年各年均达到{threshold}",
                               "every year {judged_from}–{latest_year} met {threshold}"))
        if case.provisional == 2:
            return (f"{judged_zh}{years_zh}（最新为阶段性数据）→ {_PROVISIONAL_MET[0]}",
                    f"{judged_en}{years_en} (the latest figure is provisional) → {_PROVISIONAL_MET[1]}")
        return (f"{judged_zh}{years_zh} → 各方法均为{_ACHIEVED[0]}",
                f"{judged_en}{years_en} → {_ACHIEVED[1]} under every method")
    if case.maintain == 3:
        return (f"{judged_zh}{{last_failed_year}}年为{{last_failed_value}}，未达到{{threshold}}（共{{failed_count}}个"
                f"年份未达标），{{when_zh}}为{{latest}}，已恢复达标 → {_LAPSED[0]}",
                f"{judged_en}{{last_failed_year}} was {{last_failed_value}}, below {{threshold}} ({{failed_count}} "
                f"year(s) failed); {{when_en}}: {{latest}}, met again → {_LAPSED[1]}")
    return (f"{judged_zh}{{when_zh}}为{{latest}}，未达到{{threshold}}（共{{failed_count}}个年份未达标）→ {_FALLEN[0]}",
            f"{judged_en}{{when_en}} was {{latest}}, below {{threshold}} ({{failed_count}} year(s) failed) → "
            f"{_FALLEN[1]}")


def _required_sentence(case: ReasonCase) -> tuple[str, str]:
    """§8.4: what is still needed a year, in the units people use."""
    if case.required == rules.CHANGE_REDUCTION:
        return ("余下{remaining}年需年均下降{change}%", "needs {change}%/yr decline over the remaining {remaining} year(s)")
    if case.required == rules.CHANGE_POINTS:
        zh, en = ("降低", "fall") if case.change_down else ("提高", "rise")
        return (f"余下{{remaining}}年需年均{zh}{{change}}个百分点",
                f"needs to {en} {{change}} percentage points a year over the remaining {{remaining}} year(s)")
    if case.required == rules.CHANGE_UNITS:
        zh, en = ("减少", "fewer") if case.change_down else ("新增", "more")
        return (f"余下{{remaining}}年需年均{zh}{{change_units}}{{unit}}",
                f"needs {{change_units}} {en} {{unit}} a year over the remaining {{remaining}} year(s)")
    assert case.required == rules.CHANGE_RELATIVE
    zh, en = ("下降", "decline") if case.change_down else ("增长", "growth")
    return (f"余下{{remaining}}年需年均{zh}{{change}}%", f"needs {{change}}%/yr {en} over the remaining {{remaining}} year(s)")


def _method_sentences(case: ReasonCase) -> list[tuple[str, str]]:
    latest_zh, latest_en = _latest(case)
    unit = "%" if case.reduction else "{unit}"
    if case.barometer == "achieved":
        return [(f"{latest_zh}，已达到目标{{target}}{unit}{{about_zh}} → 各方法均为{_ACHIEVED[0]}",
                 f"{latest_en}, target {{about_en}}{{target}}{unit} already met → {_ACHIEVED[1]} under every method")]
    if case.provisional == 2:
        return [(f"{latest_zh}，已达到目标{{target}}{unit}{{about_zh}}（阶段性）→ {_PROVISIONAL_MET[0]}",
                 f"{latest_en}, target {{about_en}}{{target}}{unit} met on a provisional figure → "
                 f"{_PROVISIONAL_MET[1]}")]
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
    cap_zh, cap_en = (f"，推算值以{_SHARE_MAX}为上限", f", projections capped at {_SHARE_MAX}") if case.clipped else ("", "")
    return (f"预期进度：按年均增速推算{{target_year}}年{what_zh}{{projected}}{unit}"
            f"（线性推算{{projected_linear}}{unit}{cap_zh}），{band_zh}→ {word_zh}",
            f"anticipated progress: at the current compound rate {{target_year}} reaches {what_en}"
            f"{{projected}}{unit} (linear trend {{projected_linear}}{unit}{cap_en}), {band_en} → {word_en}")
