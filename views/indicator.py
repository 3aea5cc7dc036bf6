"""Indicator page (指标详情): the series against its target, each method's status and reason, the data's history."""

from __future__ import annotations

import html
import math

import pandas as pd
import streamlit as st

from indicators.display.figures import PAGE_SIZE, PRESENT_SIZE, source_name, target_figure
from indicators.display.labels import data_status_text, original_text, period_text, status_label, status_text
from indicators.progress.ranking import worst_first
from indicators.vocabulary import METHODS
from ui import queries
from ui.change_tables import series_changes_html
from ui.exports import chart_config, export_buttons
from ui.formatting import format_value
from ui.i18n import language, t
from ui.present import CHART_MIN_WIDTH_CSS, presenting, status_badge_html, target_stepper
from ui.state import url_select

lang = language()
catalogue = queries.effective_catalogue()  # with the targets an administrator entered
rows = queries.display_table(lang)

selectors = st.columns([3, 2, 3])
plan_id = url_select(t("plan"), "plan", list(catalogue.plans), lambda p: catalogue.plans[p].name(lang),
                     container=selectors[0])
plan = catalogue.plans[plan_id]
plan_rows = rows[rows["plan"] == plan_id]
region_id = url_select(t("region"), "region", list(dict.fromkeys(plan_rows["region"])), lambda r: catalogue.regions[r].name(lang),
                       container=selectors[1])
indicator_id = url_select(t("indicator"), "indicator", [t_.indicator for t_ in plan.targets], lambda i: catalogue.indicators[i].name(lang),
                          container=selectors[2])
matches = plan_rows[(plan_rows["region"] == region_id) & (plan_rows["indicator"] == indicator_id)]
fallback = matches.empty  # a district without data of its own for this indicator: the plan's region, said so below
if fallback:
    matches = plan_rows[(plan_rows["region"] == plan.region) & (plan_rows["indicator"] == indicator_id)]
row = matches.iloc[0].to_dict()
indicator = catalogue.indicators[indicator_id]
target = next(t_ for t_ in plan.targets if t_.indicator == indicator_id)
unit, decimals = indicator.unit_text(lang), indicator.decimals


def number(value: object, digits: int = decimals) -> str:
    return format_value(None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value),
                        unit, digits, t("not_applicable"))


NEEDED_KEY = "gtm_needed"  # its container's class st-key-gtm_needed is styled by METRIC_CSS
METRIC_CSS = (
    '[data-testid="stMetricValue"] *, [data-testid="stMetricDelta"] *, [data-testid="stMetricDeltaDescription"], '
    '[data-testid="stMetricDeltaDescription"] * {white-space: normal !important; overflow: visible !important}'
    'div:has(> [data-testid="stMetricDeltaDescription"]) {flex-wrap: wrap; overflow: visible !important}'
    f'.st-key-{NEEDED_KEY} [data-testid="stMetricValue"], .st-key-{NEEDED_KEY} [data-testid="stMetricValue"] * '
    '{font-size: 1.3rem !important; line-height: 1.35 !important}'
    # On a phone the title ("indicator · region") would fill the first screen at Streamlit's 2.75rem.
    '@media (max-width: 640px) {[data-testid="stMainBlockContainer"] h1 {font-size: 1.45rem !important; line-height: 1.3 !important}}'
)
method = st.query_params.get("method") if st.query_params.get("method") in METHODS else "barometer"
present = presenting()
if present:  # 16:9: the chart (titled with indicator, region, status) beside the key figures and the reason
    chart_area, side = st.columns([5, 2], gap="large")
    # ← / → step through the plan's targets worst first, as the overview lists them
    order = list(dict.fromkeys(worst_first(plan_rows[plan_rows["region"] == row["region"]], method)["indicator"]))
    target_stepper(order, indicator_id, lang, container=side)
    side.html(status_badge_html(str(row[f"status_{method}"]), lang, note=str(row["provisional_text"])))
    metrics = [side] * 4
else:
    st.title(f"{row['indicator_name']} · {row['region_name']}")
    if fallback:
        st.info(t("district_no_data", district=catalogue.regions[region_id].name(lang), indicator=row["indicator_name"],
                  city=row["region_name"]), icon=":material/info:")
    colon = "：" if lang == "zh" else ": "
    st.html(" ".join(
        f'<span style="display:inline-block;margin:0 10px 6px 0;font-size:1.05rem"><b>{html.escape(t("method_" + m))}</b>{colon}'
        f'{html.escape(status_label(str(row["status_" + m]), lang))}</span>' for m in METHODS)
        # §8.5: every method's status rests on the within-year figure; said once, beside them.
        + (f' <span style="display:inline-block;padding:1px 9px;border:1.5px dashed #52606d;border-radius:12px;font-weight:600">'
           f'{html.escape(str(row["provisional_text"]))}</span>' if row["provisional_text"] else ""))
    metrics = st.columns([1, 1, 1, 1.4])  # the last figure is words: "年均需提高9.80个百分点"
    chart_area = st.container()
# Figures that are words ("年均需提高9.80个百分点", a gap to time elapsed) wrap instead of being cut off with "…".
st.html(f"<style>{METRIC_CSS}{CHART_MIN_WIDTH_CSS}</style>")
latest_label = t("latest") + (t("in_period", period=period_text(row["latest_year"], row["latest_month"], lang))
                              if pd.notna(row["latest_year"]) else "")
metrics[0].metric(latest_label, number(row["latest_value"]))
metrics[1].metric(t("target"), number(target.value) if target.value is not None else t("target_pending"),
                  help=row["target_text"])
completion = row["completion_progress"]
if bool(row["base_met"]):  # §8.3: no completion or gap figure; the reason says why
    metrics[2].metric(t("completion_pct"), t("not_applicable"), help=t("base_met"))
elif bool(row["is_maintain"]):  # §8.1: judged year by year, no completion figure
    metrics[2].metric(t("completion_pct"), t("not_applicable"))
else:
    metrics[2].metric(t("completion_pct"), "—" if pd.isna(completion) else f"{completion * 100:.1f}%",
                      None if pd.isna(row["gap_pp"]) else t("gap_points", pp=f"{row['gap_pp']:+.1f}"),
                      delta_description=None if pd.isna(row["gap_pp"]) else t("vs_time"))
needed = row["still_needed_text"]  # §8.4: in natural units; a phrase, so shown smaller
if isinstance(needed, str) and needed:
    metrics[3].container(key=NEEDED_KEY).metric(t("still_needed"), needed)
else:
    metrics[3].metric(t("still_needed"), t("not_applicable"))

# Titled with indicator, region and status, with data as of, source and clause under it: downloads stand alone.
figure = target_figure(row, queries.histories(), plan, target, lang=lang, method=method,
                       sources=queries.series_sources().get((row["region"], row["input_indicator"]), []),
                       size=PRESENT_SIZE if present else PAGE_SIZE)
chart_area.plotly_chart(figure, width="stretch", theme=None, config=chart_config(f"{row['indicator_name']}_{row['region_name']}"))
if present:
    side.markdown(f"**{t('reason')}**{'：' if lang == 'zh' else ': '}{row[f'reason_{method}']}")
    st.stop()  # the tables below are for the desk, not the meeting room
export_buttons(plan_id=plan_id, region_id=row["region"], method=method, lang=lang, indicator=indicator_id,
               key="export_indicator")
input_name = catalogue.indicators[row["input_indicator"]]
st.caption(t("series_input", name=input_name.name(lang),
             form=t(f"form_{row['input_form']}")))  # data as of, source and clause are in the chart

st.subheader(t("indicator_history_heading"))  # status by year under the method, what changed, revised values
st.html(series_changes_html(queries.change_view(), queries.change_summary(method), row, lang=lang, t=t, unit=unit,
                            decimals=decimals))

st.subheader(t("methods_table"))
sep, per_year = t("list_separator"), t("per_year")  # '；' and '%/年' in Chinese, '; ' and '%/yr' in English
inputs = {
    "barometer": f"{t('target')} {number(row['bar_progress_target'])}{sep}{t('shortfall')} "
                 + ("—" if pd.isna(row["bar_shortfall"]) else f"{row['bar_shortfall'] * 100:.1f}%"),
    "ratio": "R = " + ("—" if pd.isna(row["ratio"]) else f"{row['ratio']:.2f}")
             + ("" if pd.isna(row["ratio_observed_rate"]) else f"{sep}a = {row['ratio_observed_rate']:.2f}{per_year}")
             + ("" if pd.isna(row["ratio_required_rate"]) else f"{sep}k = {row['ratio_required_rate']:.3f}{per_year}"),
    "anticipated": f"{period_text(plan.target_year, None, lang)}: {number(row['projected_value'])}{sep}P = "
                   + ("—" if pd.isna(row["ant_p"]) else f"{row['ant_p']:.2f}"),
}
rate, remaining = row["required_annual_rate"], row["remaining_years"]
needed_inputs = sep.join(  # the relative rate stays beside the natural-unit figure (§8.4)
    ([t("needed_rate", rate=f"{rate:.2f}")] if pd.notna(rate) else [])
    + ([t("remaining_years", years=f"{remaining:g}")] if pd.notna(remaining) and remaining > 0 else [])) or "—"
# st.table wraps long reasons instead of cutting them off.
st.table(pd.DataFrame({
    t("method"): [*(t(f"method_{m}") for m in METHODS), t("still_needed")],
    t("status"): [*(status_text(row, m, lang) for m in METHODS), ""],
    t("reason"): [*(row[f"reason_{m}"] for m in METHODS), needed if isinstance(needed, str) and needed else t("not_applicable")],
    t("inputs"): [*(inputs[m] for m in METHODS), needed_inputs],
}).set_index(t("method")))
with st.expander(t("reason")):
    st.text(row["explanation"])

st.subheader(t("plan_text"))
st.html(  # the plan's words stay Chinese; an English page marks them as the original text
    f'<blockquote lang="zh" style="border-left:4px solid #1b7f5a;margin:0;padding:6px 12px;font-size:1.05rem">'
    f'{html.escape(original_text(target.quote, lang))}</blockquote>'
    f'<p style="color:#52606d;margin-top:6px">{html.escape(plan.name(lang))} {html.escape(original_text(target.clause, lang))} · '
    f'{html.escape(t("departments"))}{"：" if lang == "zh" else ": "}{html.escape(row["departments_text"])}</p>')

st.subheader(t("values_table"))
recorded = queries.series_history(row["region"], row["input_indicator"])
if recorded.empty:
    st.info(t("no_rows"))
else:
    current = recorded[recorded["rolled_back_at"].isna()].groupby(["year", "month"], dropna=False).head(1).index
    state = pd.Series(t("superseded"), index=recorded.index)
    state[recorded["rolled_back_at"].notna()] = t("rolled_back")
    state[state.index.isin(current)] = t("current")
    st.dataframe(pd.DataFrame({
        t("year"): recorded["year"], t("month"): recorded["month"].astype("Int64").astype("string").fillna(""),
        t("value"): recorded["value"], t("data_status"): [data_status_text(s, lang) for s in recorded["status"]], t("state"): state,
        t("source"): [source_name(str(s), lang) if pd.notna(s) else "" for s in recorded["source"]],
        t("note"): [original_text(str(n), lang) if pd.notna(n) else "" for n in recorded["note"]],  # no grey "None"
        t("batch"): recorded["batch_id"], t("file"): recorded["file_name"],
        t("imported_by"): recorded["imported_by"], t("imported_at"): recorded["imported_at"],
    }), hide_index=True, width="stretch")
