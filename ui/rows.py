"""Status rows prepared for display: target wording, departments, per-method reasons, history.

Pure functions (no Streamlit), so they are tested directly; ui/queries.py caches them.
"""

from __future__ import annotations

import pandas as pd

from indicators.catalogue import Catalogue, Plan, Target

BOUND_SYMBOLS = {"at_least": "≥", "at_most": "≤", "exactly": "=", "maintain": ""}
# How each method's sentence starts in the engine's explanation (indicators/progress.py, explain()).
METHOD_PREFIXES = {
    "barometer": ("晴雨表", "NDRC barometer"),
    "ratio": ("增长率比", "growth-rate ratio"),
    "anticipated": ("预期进度", "anticipated progress"),
}
SENTENCE_SEPARATORS = {"zh": "；", "en": "; "}


def target_text(plan: Plan, target: Target, unit: str, decimals: int, lang: str, reduction: bool) -> str:
    """'≥ 11.5%（力争达到…以上）', '累计降低 14.50%', '保持 100.0%', or why it is not set yet."""
    if target.value is None:
        return (target.value_pending_zh or "待录入") if lang == "zh" else (target.value_pending_en or "not set yet")
    number = f"{target.value:,.{decimals}f}{unit}" if unit in ("%", "家", "个", "条") else f"{target.value:,.{decimals}f} {unit}"
    if reduction:
        text = f"累计降低 {number}" if lang == "zh" else f"cut by {number}"
    elif target.bound == "maintain":
        text = f"保持 {number}" if lang == "zh" else f"keep {number}"
    else:
        text = f"{BOUND_SYMBOLS[target.bound]} {number}"
    return f"{text}（{'、'.join(target.wording)}）" if lang == "zh" else text


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
    """The status frame with the texts a card or table shows, in `lang`."""
    if status.empty:
        return status
    targets = {(p.id, t.indicator): (p, t) for p, t in catalogue.plan_targets()}
    regions = {r.id: (r.name_zh if lang == "zh" else r.name_en) for r in catalogue.regions.values()}
    areas = {a.id: (a.name_zh if lang == "zh" else a.name_en) for a in catalogue.areas.values()}
    rows = status.copy()
    pairs = [targets[(p, i)] for p, i in zip(rows["plan"], rows["indicator"], strict=True)]
    rows["target_text"] = [target_text(p, t, u, int(d), lang, bool(r)) for (p, t), u, d, r in
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
