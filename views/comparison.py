"""Comparison (地区对比): one target across the city and its districts, worst first under the chosen method,
with the chart's PNG, PPTX and CSV/xlsx (the same figure and table: indicators/briefing/comparison.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicators.briefing.comparison import build_comparison
from indicators.display.labels import period_text, status_text
from indicators.vocabulary import METHODS
from ui import queries
from ui.exports import chart_config, comparison_buttons
from ui.formatting import format_value
from ui.i18n import language, t
from ui.present import CHART_MIN_WIDTH_CSS
from ui.state import url_radio, url_select

lang = language()
catalogue = queries.catalogue()
rows = queries.display_table(lang)

selectors = st.columns([3, 3, 4])
plan_id = url_select(t("plan"), "plan", list(catalogue.plans), lambda p: catalogue.plans[p].name(lang),
                     container=selectors[0])
plan = catalogue.plans[plan_id]
# Targets with the most regions first: those are the ones worth comparing.
region_counts = rows[rows["plan"] == plan_id].groupby("indicator")["region"].nunique()
indicators = sorted((t_.indicator for t_ in plan.targets), key=lambda i: -int(region_counts.get(i, 0)))
indicator_id = url_select(t("indicator"), "indicator", indicators, lambda i: catalogue.indicators[i].name(lang),
                          container=selectors[1])
method = url_radio(t("method"), "method", list(METHODS), lambda m: t(f"method_{m}"), container=selectors[2])

selected = rows[(rows["plan"] == plan_id) & (rows["indicator"] == indicator_id)]
indicator = catalogue.indicators[indicator_id]
target = next(x for x in plan.targets if x.indicator == indicator_id)
sources = queries.series_sources()
found = [s for key in zip(selected["region"], selected["input_indicator"], strict=True) for s in sources.get(key, [])]
comparison = build_comparison(selected, plan, target, city_name=catalogue.regions[plan.region].name(lang), method=method,
                              lang=lang, sources=found)
shown = comparison.rows
st.title(f"{comparison.indicator_name} · {t('comparison')}")
st.caption(t("ranked_by"))
if len(shown) < 2:
    st.info(t("only_city"))

st.html(f"<style>{CHART_MIN_WIDTH_CSS}</style>")  # a phone scrolls the chart sideways rather than overlap its texts
st.plotly_chart(comparison.figure(), width="stretch", theme=None,
                config=chart_config(comparison.file_name("")))
comparison_buttons(comparison, lang=lang, key="export_comparison")


def one_decimal(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.1f}"


st.table(pd.DataFrame({  # st.table wraps the reasons instead of cutting them off
    t("region"): shown["region_name"],
    t("latest"): [format_value(v if pd.notna(v) else None, indicator.unit_text(lang), indicator.decimals, t("no_data"))
                  for v in shown["latest_value"]],
    t("latest_year"): ["" if pd.isna(y) else period_text(y, m, lang) for y, m in zip(shown["latest_year"], shown["latest_month"],
                                                                                  strict=True)],
    t("completion_pct"): [t("base_met_short") if bool(m) else one_decimal(c * 100)
                          for c, m in zip(shown["completion_progress"], shown["base_met"], strict=True)],
    t("time_pct"): [one_decimal(v * 100) for v in shown["time_progress"]],
    t("gap"): [one_decimal(v) for v in shown["gap_pp"]],
    t("status"): [status_text(r, method, lang) for r in shown.to_dict("records")],
    t("reason"): shown[f"reason_{method}"],
}).set_index(t("region")))
