"""The words people read for figures and statuses: numbers by unit and decimals, status icon + word,
target wording, responsible departments, each method's reason, and the status table with those texts.

Pure (no Streamlit): the pages (through ui/formatting.py and ui/rows.py) and the exports share it,
so a slide says exactly what the dashboard says.
"""

from __future__ import annotations

import math

import pandas as pd

from indicators.catalogue import Catalogue, Plan, Target
from indicators.progress.rules import (
    ANTICIPATED_FAIR,
    ANTICIPATED_ON_TRACK,
    BAROMETER_RED_SHORTFALL,
    RATIO_ACCELERATION,
    RATIO_ON_TRACK,
    decimal_text,
    percent_text,
)
from indicators.vocabulary import STATUS_ICONS, UNKNOWN_STATUS_ICON, status_word

__all__ = ["STATUS_ICONS", "status_word"]

UNITS_WITHOUT_SPACE = ("%", "家", "个", "条")  # '11.5%', '11,600家'; other units follow a space
METHOD_NAMES = {
    "barometer": {"zh": "发改委晴雨表", "en": "NDRC barometer"},
    "ratio": {"zh": "增长率比值法", "en": "Growth-rate ratio"},
    "anticipated": {"zh": "预期进度法", "en": "Anticipated progress"},
}


def method_rules(*, red_shortfall: float = BAROMETER_RED_SHORTFALL, ratio_on_track: float = RATIO_ON_TRACK,
                 ratio_acceleration: float = RATIO_ACCELERATION, anticipated_on_track: float = ANTICIPATED_ON_TRACK,
                 anticipated_fair: float = ANTICIPATED_FAIR) -> dict[str, dict[str, str]]:
    """What each method's colours mean, with the thresholds the engine uses (its named constants by default)."""
    red = percent_text(red_shortfall)
    r_on, r_acc = decimal_text(ratio_on_track), decimal_text(ratio_acceleration)
    p_on, p_fair = decimal_text(anticipated_on_track), decimal_text(anticipated_fair)
    return {
        "barometer": {
            "zh": f"达到当年进度目标为绿灯；未达到且差距不超过进度目标的{red}为黄灯；超过{red}为红灯。",
            "en": f"green when this year's progress target is met; yellow when short by at most {red} of it; red beyond {red}.",
        },
        "ratio": {
            "zh": f"R≥{r_on}符合进度；{r_acc}–{r_on}需加快；0–{r_acc}进展有限；R<0倒退。",
            "en": f"R ≥ {r_on} on track; {r_acc}–{r_on} acceleration needed; 0–{r_acc} limited progress; R < 0 deterioration.",
        },
        "anticipated": {
            "zh": f"按年均增速推算到目标年，P≥{p_on}符合进度；{p_fair}–{p_on}有进展需加快；P<{p_fair}停滞或倒退。",
            "en": f"projecting the average growth to the target year, P ≥ {p_on} on track; {p_fair}–{p_on} fair progress; "
                  f"P < {p_fair} stagnation or regression.",
        },
    }


METHOD_RULES = method_rules()
BAROMETER_PATHS = {"zh": "累计降低类按几何路径，其余按线性路径。", "en": "Geometric path for reductions, linear otherwise."}
# What each method's colours mean and where the method comes from (methodology.md), for slides and image notes.
METHOD_BASIS = {
    "barometer": {
        "zh": f"国家发展改革委能耗双控晴雨表（发改办环资〔2020〕901号）：{METHOD_RULES['barometer']['zh']}{BAROMETER_PATHS['zh']}",
        "en": f"NDRC barometer (发改办环资〔2020〕901号): {METHOD_RULES['barometer']['en']}",
    },
    "ratio": {
        "zh": f"增长率比值法（Statistics Canada / Eurostat）：{METHOD_RULES['ratio']['zh']}",
        "en": f"Growth-rate ratio (Statistics Canada / Eurostat): {METHOD_RULES['ratio']['en']}",
    },
    "anticipated": {
        "zh": f"联合国SDG进展图表法：{METHOD_RULES['anticipated']['zh']}",
        "en": f"UN SDG Progress Chart: {METHOD_RULES['anticipated']['en']}",
    },
}
BOUND_SYMBOLS = {"at_least": "≥", "at_most": "≤", "exactly": "=", "maintain": ""}
# How each method's sentence starts in the engine's explanation (indicators/progress/explain.py, explain()).
METHOD_PREFIXES = {
    "barometer": ("晴雨表", "NDRC barometer"),
    "ratio": ("增长率比", "growth-rate ratio"),
    "anticipated": ("预期进度", "anticipated progress"),
}
SENTENCE_SEPARATORS = {"zh": "；", "en": "; "}


def format_value(value: float | None, unit: str, decimals: int, empty: str = "—") -> str:
    """'11.5%', '11,600家', '0.4700 吨标准煤/万元'; `empty` for a missing figure."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    number = f"{value:,.{decimals}f}"
    return f"{number}{unit}" if unit in UNITS_WITHOUT_SPACE else f"{number} {unit}"


def status_label(status: str, lang: str) -> str:
    """Icon and word, never colour alone."""
    return f"{STATUS_ICONS.get(status, UNKNOWN_STATUS_ICON)} {status_word(status, lang)}"


def method_name(method: str, lang: str) -> str:
    return METHOD_NAMES[method]["zh" if lang == "zh" else "en"]


def method_basis(method: str, lang: str) -> str:
    return METHOD_BASIS[method]["zh" if lang == "zh" else "en"]


def target_text(target: Target, unit: str, decimals: int, lang: str, reduction: bool, *, wording: bool = True) -> str:
    """'≥ 11.5%（力争、达到、以上）', '累计降低 14.50%', '保持 100.0%', or why it is not set yet;
    `wording=False` leaves out the plan's words (for narrow tables)."""
    if target.value is None:
        return (target.value_pending_zh or "待录入") if lang == "zh" else (target.value_pending_en or "not set yet")
    number = format_value(float(target.value), unit, decimals)
    if reduction:
        text = f"累计降低 {number}" if lang == "zh" else f"cut by {number}"
    elif target.bound == "maintain":
        text = f"保持 {number}" if lang == "zh" else f"keep {number}"
    else:
        text = f"{BOUND_SYMBOLS[target.bound]} {number}"
    return f"{text}（{'、'.join(target.wording)}）" if lang == "zh" and wording else text


def departments_text(plan: Plan, target: Target, lang: str) -> str:
    """The departments the plan names for a target, else its coordinator, said as such."""
    if target.all_departments:
        return "、".join(target.all_departments)
    if plan.coordinator:
        lead = "、".join(plan.coordinator.departments)
        return f"方案未点名（统筹：{lead}）" if lang == "zh" else f"none named (coordinator: {lead})"
    return "方案未点名" if lang == "zh" else "none named"


def method_reason(explanation: str, method: str, lang: str) -> str:
    """The sentence of one method from the engine's explanation, else the whole explanation
    (e.g. 'no data' or a maintain target, which have no per-method sentences)."""
    prefix = METHOD_PREFIXES[method][0 if lang == "zh" else 1]
    for sentence in explanation.split(SENTENCE_SEPARATORS[lang]):
        if sentence.strip().startswith(prefix):
            return sentence.strip().rstrip("。.")
    return explanation.strip().rstrip("。.")


def display_rows(status: pd.DataFrame, catalogue: Catalogue, lang: str) -> pd.DataFrame:
    """The status frame with the texts a card, table or slide shows, in `lang`."""
    if status.empty:
        return status
    targets = {(p.id, t.indicator): (p, t) for p, t in catalogue.plan_targets()}
    regions = {r.id: r.name(lang) for r in catalogue.regions.values()}
    areas = {a.id: a.name(lang) for a in catalogue.areas.values()}
    rows = status.copy()
    pairs = [targets[(p, i)] for p, i in zip(rows["plan"], rows["indicator"], strict=True)]
    rows["target_text"] = [target_text(t, u, int(d), lang, bool(r)) for (_, t), u, d, r in
                           zip(pairs, rows["unit"], rows["decimals"], rows["is_reduction"], strict=True)]
    rows["departments_text"] = [departments_text(p, t, lang) for p, t in pairs]
    rows["quote"] = [t.quote for _, t in pairs]
    rows["region_name"] = rows["region"].map(regions)
    rows["area_name"] = rows["area"].map(areas)
    rows["indicator_name"] = rows["name_zh"] if lang == "zh" else rows["name_en"]
    explanation = rows["explanation_zh"] if lang == "zh" else rows["explanation_en"]
    for method in METHOD_PREFIXES:
        rows[f"reason_{method}"] = [method_reason(e, method, lang) for e in explanation]
    rows["explanation"] = explanation
    return rows


def as_of_text(year: float | None, month: float | None, lang: str) -> str:
    """'数据截至2024年', '数据截至2025年6月' (a within-year figure), or 'no data'."""
    if year is None or pd.isna(year):
        return "暂无数据" if lang == "zh" else "No data yet"
    months = None if month is None or pd.isna(month) else int(month)
    if lang == "zh":
        return f"数据截至{int(year)}年" + (f"{months}月" if months else "")
    return f"Data as of {int(year)}" + (f"-{months:02d}" if months else "")


