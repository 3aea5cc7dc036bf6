"""Comparison (地区对比): one target across the city and its districts, furthest behind first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicators.display.charts import comparison_figure
from indicators.display.figures import clause_text
from indicators.display.labels import as_of_summary, period_text, status_text
from indicators.progress.ranking import worst_first
from ui import queries
from ui.exports import chart_config
from ui.formatting import format_value, status_label
from ui.i18n import language, t
from ui.present import CHART_MIN_WIDTH_CSS
from ui.state import url_select

lang = language()
catalogue = queries.catalogue()
rows = queries.display_table(lang)

selectors = st.columns([3, 3])
plan_id = url_select(t("plan"), "plan", list(catalogue.plans), lambda p: catalogue.plans[p].name(lang),
                     container=selectors[0])
plan = catalogue.plans[plan_id]
# Targets with the most regions first: those are the ones worth comparing.
region_counts = rows[rows["plan"] == plan_id].groupby("indicator")["region"].nunique()
indicators = sorted((t_.indicator for t_ in plan.targets), key=lambda i: -int(region_counts.get(i, 0)))
indicator_id = url_select(t("indicator"), "indicator", indicators, lambda i: catalogue.indicators[i].name(lang),
                          container=selectors[1])

selected = rows[(rows["plan"] == plan_id) & (rows["indicator"] == indicator_id)].copy()
# Worst status first (the engine's order), then furthest behind time; achieved targets go last.
selected = worst_first(selected, "barometer", by_area=False)
indicator = catalogue.indicators[indicator_id]
st.title(f"{selected['indicator_name'].iloc[0]} · {t('comparison')}")
st.caption(t("ranked_by"))
if len(selected) < 2:
    st.info(t("only_city"))

time_progress = selected["time_progress"].dropna()
target = next(x for x in plan.targets if x.indicator == indicator_id)
figure = comparison_figure(
    names=list(selected["region_name"]), completion=list(selected["completion_progress"]),
    time_progress=float(time_progress.mode().iloc[0]) if not time_progress.empty else None,  # most regions' latest year
    statuses=[str(s) for s in selected["status_barometer"]],
    status_words=[status_label(str(s), lang) for s in selected["status_barometer"]],
    title=f"{selected['indicator_name'].iloc[0]} · {t('completion_pct')}", time_label=t("time_pct"),
    notes=[as_of_summary(selected, lang), clause_text(plan, target, lang)],  # §8.5: each region's own data year
    no_completion=[t("base_met_short") if bool(m) else "—" for m in selected["base_met"]],  # §8.3
)
st.html(f"<style>{CHART_MIN_WIDTH_CSS}</style>")  # a phone scrolls the chart sideways rather than overlap its texts
st.plotly_chart(figure, width="stretch", theme=None, config=chart_config(f"{selected['indicator_name'].iloc[0]}_{t('comparison')}"))

def one_decimal(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.1f}"


st.table(pd.DataFrame({  # st.table wraps the reasons instead of cutting them off
    t("region"): selected["region_name"],
    t("latest"): [format_value(v if pd.notna(v) else None, indicator.unit_text(lang), indicator.decimals, t("no_data"))
                  for v in selected["latest_value"]],
    t("latest_year"): ["" if pd.isna(y) else period_text(y, m, lang) for y, m in zip(selected["latest_year"], selected["latest_month"],
                                                                                  strict=True)],
    t("completion_pct"): [t("base_met_short") if bool(m) else one_decimal(c * 100)
                          for c, m in zip(selected["completion_progress"], selected["base_met"], strict=True)],
    t("time_pct"): [one_decimal(v * 100) for v in selected["time_progress"]],
    t("gap"): [one_decimal(v) for v in selected["gap_pp"]],
    t("status"): [status_text(r, "barometer", lang) for r in selected.to_dict("records")],
    t("reason"): selected["reason_barometer"],
}).set_index(t("region")))
