"""Before publishing: the targets whose status or latest value the upload would change, worst news first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicators.catalogue import Catalogue
from indicators.vocabulary import METHODS
from ui.formatting import format_value, method_name, status_label
from ui.i18n import language, t
from ui.import_options import text
from ui.safe import md_escape

SHOWN_LINES = 12  # lines written out; the table below lists every change
DEFAULT_METHOD = "barometer"


def _status(value: object, lang: str) -> str:
    return text("effect_new") if value is None or pd.isna(value) or value == "" else status_label(str(value), lang)


def _value(row: pd.Series, when: str, lang: str) -> str:
    value = row[f"{when}_value"]
    if value is None or pd.isna(value):
        return text("effect_new")
    year = int(row[f"{when}_year"])
    shown = format_value(float(value), row["unit"], int(row["decimals"]))
    return f"{shown}（{year}年）" if lang == "zh" else f"{shown} ({year})"


def show(effect: pd.DataFrame, catalogue: Catalogue) -> None:
    """A line per change under the default method, and a table with every method's statuses."""
    lang = language()
    st.markdown(f"**{text('effect_title')}**")
    if effect.empty:
        st.caption(text("effect_none"))
        return
    regions = {k: v.name(lang) for k, v in catalogue.regions.items()}
    plans = {k: v.name(lang) for k, v in catalogue.plans.items()}
    lines = []
    separator = "；" if lang == "zh" else "; "
    for _, row in effect.head(SHOWN_LINES).iterrows():
        change = text("effect_line", region=regions.get(row["region"], row["region"]),
                      indicator=row["name_zh"] if lang == "zh" else row["name_en"],
                      before=_status(row[f"before_{DEFAULT_METHOD}"], lang), after=_status(row[f"after_{DEFAULT_METHOD}"], lang))
        value = text("effect_value", before=_value(row, "before", lang), after=_value(row, "after", lang))
        lines.append(f"- {md_escape(change + separator + value)}")
    st.markdown("\n".join(lines))
    st.caption(text("effect_method"))
    table = {t("plan"): effect["plan"].map(plans), t("region"): effect["region"].map(regions),
             t("indicator"): effect["name_zh"] if lang == "zh" else effect["name_en"]}
    for method in METHODS:
        name = method_name(method, lang)
        table[name] = [f"{_status(b, lang)} → {_status(a, lang)}"
                       for b, a in zip(effect[f"before_{method}"], effect[f"after_{method}"], strict=True)]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
