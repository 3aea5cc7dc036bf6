"""The words people read for figures and statuses: numbers by unit and decimals, status icon + word,
target wording, responsible departments, each method's reason, what is still needed a year in natural
units (§8.4), each series' data year and the honest summary of many (§8.5), the provisional tag of a
within-year figure, and the status table with those texts.

Pure (no Streamlit): the pages (through ui/formatting.py and ui/rows.py) and the exports share it,
so a slide says exactly what the dashboard says.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pandas as pd

from indicators.catalogue import Catalogue, Plan, Target
from indicators.progress.rules import (
    ANTICIPATED_FAIR,
    ANTICIPATED_ON_TRACK,
    BAROMETER_RED_SHORTFALL,
    CHANGE_POINTS,
    CHANGE_REDUCTION,
    CHANGE_RELATIVE,
    CHANGE_UNITS,
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
NDRC_DOCUMENT_EN = "NDRC document “发改办环资〔2020〕901号” (original text)"  # its number, as issued
# What each method's colours mean and where the method comes from (methodology.md), for slides and image notes.
METHOD_BASIS = {
    "barometer": {
        "zh": f"国家发展改革委能耗双控晴雨表（发改办环资〔2020〕901号）：{METHOD_RULES['barometer']['zh']}{BAROMETER_PATHS['zh']}",
        "en": f"NDRC barometer ({NDRC_DOCUMENT_EN}): {METHOD_RULES['barometer']['en']}",
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


PLAN_STATUS_LABELS = {"正式": {"zh": "正式", "en": "final"}, "征求意见稿": {"zh": "征求意见稿", "en": "draft for comment"}}
DATA_STATUS_LABELS = {"初步": {"zh": "初步", "en": "preliminary"}, "正式": {"zh": "正式", "en": "final"},
                      "修订": {"zh": "修订", "en": "revised"}, "估计": {"zh": "估计", "en": "estimated"}}
ORIGINAL_MARK = "(original text)"  # after a plan's words or a department's name left in Chinese on an English page


def original_text(text: str, lang: str) -> str:
    """A plan quote or a department name as written (Chinese); on an English page quoted and marked as the
    original, so a reader (and the test that scans English pages for untranslated strings) can tell."""
    return text if lang == "zh" or not text else f"“{text}” {ORIGINAL_MARK}"


def recorded_text(value: object, lang: str) -> str:
    """A recorded value (a sheet name, a note, an audit entry's details) as a table shows it: as recorded, and on an
    English page marked as the original text when it holds Chinese; '' for a missing one (never a grey "None")."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    return original_text(text, lang) if lang != "zh" and any("\u3400" <= ch <= "\u9fff" for ch in text) else text


def plan_status_text(status: str, lang: str) -> str:
    return PLAN_STATUS_LABELS.get(status, {}).get("zh" if lang == "zh" else "en", status)


def data_status_text(status: object, lang: str) -> str:
    """'初步' / 'preliminary'; '' for a missing status."""
    if status is None or (isinstance(status, float) and math.isnan(status)) or status is pd.NA:
        return ""
    return DATA_STATUS_LABELS.get(str(status), {}).get("zh" if lang == "zh" else "en", str(status))


def plan_line(plan: Plan, lang: str) -> str:
    """'天津市人民政府 · 2022-03-25印发 · 正式' / 'Issued by “天津市人民政府” (original text) on 2022-03-25 · final'."""
    if lang == "zh":
        return f"{plan.issuer} · {plan.date_issued:%Y-%m-%d}印发 · {plan.status}"
    return f"Issued by {original_text(plan.issuer, lang)} on {plan.date_issued:%Y-%m-%d} · {plan_status_text(plan.status, lang)}"


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
        return original_text("、".join(target.all_departments), lang)
    if plan.coordinator:
        lead = "、".join(plan.coordinator.departments)
        return f"方案未点名（统筹：{lead}）" if lang == "zh" else f"none named (coordinator: {original_text(lead, lang)})"
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
    # The unit as texts show it in `lang` ('家', 'enterprises'); the engine's `unit` column stays as it is.
    rows["unit_text"] = [catalogue.indicators[i].unit_text(lang) if i in catalogue.indicators else u
                         for i, u in zip(rows["indicator"], rows["unit"], strict=True)]
    rows["target_text"] = [target_text(t, u, int(d), lang, bool(r)) for (_, t), u, d, r in
                           zip(pairs, rows["unit_text"], rows["decimals"], rows["is_reduction"], strict=True)]
    rows["departments_text"] = [departments_text(p, t, lang) for p, t in pairs]
    rows["quote"] = [t.quote for _, t in pairs]
    units_en = {i.id: i.unit_en for i in catalogue.indicators.values()}
    rows["still_needed_text"] = [
        still_needed_text(r, lang, unit_en=units_en.get(str(r["indicator"])))
        for r in rows[[*NEEDED_COLUMNS, "indicator"]].to_dict("records")]
    rows["provisional_text"] = [provisional_text(m, lang) if bool(p) else ""
                                for p, m in zip(rows["provisional"], rows["latest_month"], strict=True)]
    rows["region_name"] = rows["region"].map(regions)
    rows["area_name"] = rows["area"].map(areas)
    rows["indicator_name"] = rows["name_zh"] if lang == "zh" else rows["name_en"]
    explanation = rows["explanation_zh"] if lang == "zh" else rows["explanation_en"]
    for method in METHOD_PREFIXES:
        rows[f"reason_{method}"] = [method_reason(e, method, lang) for e in explanation]
    rows["explanation"] = explanation
    return rows


MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def months_text(month: int, lang: str) -> str:
    """The months a within-year figure covers: '1—9月' / 'Jan–Sep' ('1月' / 'Jan' for January alone)."""
    if lang == "zh":
        return "1月" if month == 1 else f"1—{month}月"
    return "Jan" if month == 1 else f"Jan–{MONTH_ABBREVIATIONS[month - 1]}"


def period_text(year: Any, month: Any, lang: str) -> str:
    """A figure's period: '2024年' / '2024', or within a year '2025年1—9月' / '2025 Jan–Sep'."""
    within = "" if _missing(month) else months_text(int(month), lang)
    if lang == "zh":
        return f"{int(year)}年{within}"
    return f"{int(year)}" + (f" {within}" if within else "")


def as_of_text(year: Any, month: Any, lang: str) -> str:
    """One series' data as of: '数据截至2024年', '数据截至2025年1—9月' (a within-year figure), or 'no data'."""
    if _missing(year):
        return "暂无数据" if lang == "zh" else "No data yet"
    return ("数据截至" if lang == "zh" else "Data as of ") + period_text(year, month, lang)


def as_of_summary(rows: pd.DataFrame, lang: str) -> str:
    """Many series' data as of, honestly (§8.5): one year only when every series shares it ('数据截至2024年'),
    else each period with its count, oldest first: '数据截至：2024年（11项）、2025年1—9月（1项）' /
    'Data as of: 2024 (11), 2025 Jan–Sep (1)'; series without data are counted as such."""
    periods: Counter[tuple[int, int | None]] = Counter()
    missing = 0
    months = rows["latest_month"] if "latest_month" in rows.columns else pd.Series([None] * len(rows), index=rows.index)
    for year, month in zip(rows["latest_year"], months, strict=True):
        if _missing(year):
            missing += 1
        else:
            periods[(int(year), None if _missing(month) else int(month))] += 1
    if not periods:
        return as_of_text(None, None, lang)
    if len(periods) == 1 and not missing:
        ((year, month),) = periods
        return as_of_text(year, month, lang)
    ordered = sorted(periods.items(), key=lambda item: (item[0][0], item[0][1] or 13))  # annual after its months
    if lang == "zh":
        parts = [f"{period_text(y, m, lang)}（{n}项）" for (y, m), n in ordered] + ([f"暂无数据（{missing}项）"] if missing else [])
        return "数据截至：" + "、".join(parts)
    parts = [f"{period_text(y, m, lang)} ({n})" for (y, m), n in ordered] + ([f"no data ({missing})"] if missing else [])
    return "Data as of: " + ", ".join(parts)


def provisional_text(month: Any, lang: str) -> str:
    """The tag beside a status judged on a within-year figure (§8.5): '阶段性（1—9月）' / 'provisional (Jan–Sep)'."""
    if _missing(month):
        return "阶段性" if lang == "zh" else "provisional"
    within = months_text(int(month), lang)
    return f"阶段性（{within}）" if lang == "zh" else f"provisional ({within})"


def status_text(row: Mapping[str, Any], method: str, lang: str, separator: str = " · ") -> str:
    """Icon and word, and the provisional tag when the status rests on a within-year figure:
    '● 绿灯 · 阶段性（1—9月）'."""
    label = status_label(str(row[f"status_{method}"]), lang)
    if not bool(row.get("provisional")):
        return label
    return f"{label}{separator}{provisional_text(row.get('latest_month'), lang)}"


# The result columns `still_needed_text` reads.
NEEDED_COLUMNS = ("required_annual_change", "change_form", "unit", "decimals")
NEEDED_DECIMALS = 2  # percentage points and rates a year, as the engine's reasons write them


def still_needed_text(row: Mapping[str, Any], lang: str, *, unit_en: str | None = None) -> str | None:
    """What is still needed a year, in the units people use (§8.4): '年均需提高9.80个百分点' / 'needs +9.80 pts a year',
    '年均需下降4.79%' / 'needs a 4.79% decline a year', '年均需新增8家' / 'needs 8 more enterprises a year' (English
    uses `unit_en`, else no unit), '年均需提高2.30%' / 'needs +2.30% a year'; None where the engine gives no figure
    (met, maintain, no time left, target not set)."""
    change: Any = row.get("required_annual_change")
    code: Any = row.get("change_form")
    if _missing(change) or _missing(code):
        return None
    value, form = float(change), int(code)
    size, up = abs(value), value >= 0
    if form == CHANGE_REDUCTION:
        number = f"{size:.{NEEDED_DECIMALS}f}%"
        return f"年均需下降{number}" if lang == "zh" else f"needs a {number} decline a year"
    if form == CHANGE_POINTS:
        number = f"{size:.{NEEDED_DECIMALS}f}"
        if lang == "zh":
            return f"年均需{'提高' if up else '降低'}{number}个百分点"
        return f"needs {'+' if up else '−'}{number} pts a year"
    if form == CHANGE_UNITS:
        decimals = int(row.get("decimals") or 0)  # the count's own digits (0 for 家)
        if size and round(size, decimals) == 0:  # 0.4 a year is not "0 a year"
            decimals = 1
        number = f"{size:,.{decimals}f}"
        if lang == "zh":
            return f"年均需{'新增' if up else '减少'}{number}{row.get('unit') or ''}"
        return f"needs {number} {'more' if up else 'fewer'}{f' {unit_en}' if unit_en else ''} a year"
    if form == CHANGE_RELATIVE:
        number = f"{size:.{NEEDED_DECIMALS}f}%"
        if lang == "zh":
            return f"年均需{'提高' if up else '下降'}{number}"
        return f"needs {'+' if up else '−'}{number} a year"
    return None


def needed_short(text: str, lang: str) -> str:
    """The still-needed text under a heading that already says "a year" ('年均尚需'): '提高9.80个百分点', '+9.80 pts',
    '下降4.79%', '4.79% decline', '新增8家', '8 more enterprises'."""
    if lang == "zh":
        return text.removeprefix("年均需")
    return text.removeprefix("needs ").removeprefix("a ").removesuffix(" a year")




def count_text(status: str, n: int, provisional: int, lang: str) -> str:
    """A roll-up's count, saying how many rest on within-year figures: '● 绿灯 5（其中阶段性1）' / '● Green 5 (1 provisional)'."""
    text = f"{status_label(status, lang)} {n}"
    if not provisional:
        return text
    return text + (f"（其中阶段性{provisional}）" if lang == "zh" else f" ({provisional} provisional)")
