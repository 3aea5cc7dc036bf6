"""Overview (总览): the first screen answers "how are we doing" — a compact barometer of every target shown, worst
first, each linking to its indicator page — then what changed, the data gaps, and a card per target for detail.
Filters sit in the sidebar and in the URL."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from indicators.display.figures import PRESENT_BAROMETER_FONT, PRESENT_BAROMETER_WIDTH, plan_barometer_figure
from indicators.display.labels import as_of_summary, method_name, plan_line
from indicators.progress.ranking import provisional_counts, status_counts, worst_first
from indicators.vocabulary import METHODS, STATUSES
from ui import queries
from ui.barometer import BAROMETER_CSS, barometer_html
from ui.cards import CARD_CSS, card_html, grid_html, status_counts_html
from ui.change_tables import changes_html
from ui.exports import chart_config, export_buttons, overview_pdf_button
from ui.formatting import status_word
from ui.gap_tables import gaps_html
from ui.i18n import LANG_PARAM, language, t
from ui.layout import COMPACT_CSS, sidebar_filters
from ui.present import presenting
from ui.state import ALL, url_radio, url_select

lang = language()
catalogue = queries.effective_catalogue()  # with the targets an administrator entered
rows = queries.display_table(lang)
history = queries.histories()
present = presenting()  # a meeting-room screen: each plan's barometer alone (it names plan, region, data as of, method)

# Filters in the sidebar (and the URL): the first screen is the barometer, not the controls.
box = sidebar_filters()
# Labels are looked up now, not when a widget formats its options later (then the language may not be known).
all_label = t("all")
method_labels = {m: t(f"method_{m}") for m in METHODS}
plans = list(catalogue.plans)
plan_choice = url_select(t("plan"), "plan", [ALL, *plans], lambda p: all_label if p == ALL else catalogue.plans[p].name(lang),
                         container=box)
CITY = "__city__"  # each plan's own region: the default, districts are one choice away
region_ids = list(dict.fromkeys(rows["region"]))
region_labels = {CITY: t("plan_region"), ALL: t("all_regions")}
region_choice = url_select(t("region"), "region", [CITY, ALL, *region_ids], lambda r: region_labels.get(r) or catalogue.regions[r].name(lang),
                           default=CITY, container=box)
area_choice = url_select(t("area"), "area", [ALL, *catalogue.areas], lambda a: all_label if a == ALL else catalogue.areas[a].name(lang),
                         container=box)
method = url_radio(t("method"), "method", list(METHODS), method_labels.__getitem__, container=box)
status_choice = url_select(t("status_filter"), "status", [ALL, *STATUSES[method]],
                           lambda s: all_label if s == ALL else status_word(s, lang), container=box)

selected = rows
if region_choice == CITY:
    selected = selected[selected["region"] == selected["plan"].map({p.id: p.region for p in catalogue.plans.values()})]
for column, choice in (("plan", plan_choice), ("region", region_choice), ("area", area_choice)):
    if choice not in (ALL, CITY):
        selected = selected[selected[column] == choice]
if status_choice != ALL:
    selected = selected[selected[f"status_{method}"].astype(str) == status_choice]

# Every link keeps the page's language and method (plan, region and indicator are each row's own).
page_params = {**({LANG_PARAM: lang} if lang != "zh" else {}), "method": method}

if not present:
    st.html(COMPACT_CSS + BAROMETER_CSS + CARD_CSS)
    with st.container(key="gtm_head"):  # styled small by COMPACT_CSS: title and one line under it
        st.title(t("app_title"))
        as_of = as_of_summary(selected, lang) if not selected.empty else ""  # §8.5: one year only when all share it
        st.caption(" · ".join(part for part in (as_of, method_name(method, lang), t("filters_in_sidebar")) if part))
    if selected.empty:
        st.warning(t("no_targets_match"))
    else:
        texts = {key: t(key) for key in ("baro_status", "baro_target_name", "baro_region", "baro_latest", "baro_target", "baro_gap",
                                         "gap_maintain", "gap_base_met", "gap_on_pace", "gap_none", "behind", "ahead", "target", "target_pending")}
        st.html(barometer_html(selected, method=method, lang=lang, catalogue=catalogue, texts=texts, link_params=page_params))
        st.caption(t("barometer_caption") + " · " + t(f"method_note_{method}"))
        with st.expander(t("changes_heading"), icon=":material/history:"):
            units = {i.id: (i.unit_text(lang), i.decimals) for i in catalogue.indicators.values()}
            st.html(changes_html(queries.change_view(), queries.change_summary(method), selected, lang=lang, t=t,
                                 catalogue_units=units))
        with st.expander(t("gaps_heading"), icon=":material/grid_on:"):
            st.html(gaps_html(queries.data_gaps(), selected, lang=lang, t=t))
        overview_pdf_button(method=method, lang=lang)
        st.html(f'<h3 style="font-size:1.25rem;margin:6px 0 0;padding-bottom:4px;border-bottom:1px solid #d9e1dd">'
                f'{html.escape(t("details_heading"))}</h3>')

values_by_series = history.groupby("series_id")["value"].agg(list).to_dict()
texts = {key: t(key) for key in ("no_data", "time_progress", "completion", "behind", "ahead", "target", "departments", "trend")}


def show_barometers(plan, plan_rows: pd.DataFrame) -> None:
    """Presentation mode: the plan's barometer (one row per target) for each region shown, instead of the cards."""
    st.html(CARD_CSS)
    sources = queries.series_sources()
    for _, region_rows in plan_rows.groupby("region", sort=False):
        found = [s for key in zip(region_rows["region"], region_rows["input_indicator"], strict=True) for s in sources.get(key, [])]
        region_name = str(region_rows["region_name"].iloc[0])
        figure = plan_barometer_figure(region_rows, plan, region_name, method=method, lang=lang, sources=list(dict.fromkeys(found)),
                                       demo=queries.has_demo_data(), width=PRESENT_BAROMETER_WIDTH, font_size=PRESENT_BAROMETER_FONT)
        st.plotly_chart(figure, width="content", theme=None, config=chart_config(f"{plan.id}_{region_name}_晴雨表"))


for plan_id in [p for p in plans if p in set(selected["plan"])]:
    plan = catalogue.plans[plan_id]
    plan_rows = selected[selected["plan"] == plan_id]
    if present:
        show_barometers(plan, plan_rows)
        continue
    st.subheader(plan.name(lang))
    st.caption(f"{plan_line(plan, lang)} · "
               f"{t('base_target_years', base=plan.base_year, target=plan.target_year)} · "
               f"{len(plan.targets)} {t('targets_count')}")
    st.html(status_counts_html(status_counts(plan_rows, method), lang, provisional_counts(plan_rows, method)))
    export_region = region_choice if region_choice in set(plan_rows["region"]) else plan.region
    export_buttons(plan_id=plan_id, region_id=export_region, method=method, lang=lang, key=f"export_{plan_id}")
    for _, area_rows in worst_first(plan_rows, method).groupby("area", sort=False):
        area_name = html.escape(str(area_rows["area_name"].iloc[0]))
        cards = [
            card_html(
                {**row, "reason": row[f"reason_{method}"]}, method=method, lang=lang, texts=texts,
                history=values_by_series.get(row["series_id"], []),
                link_params={**page_params, "plan": row["plan"], "region": row["region"], "indicator": row["indicator"]},
            )
            for row in area_rows.to_dict("records")
        ]
        counts = status_counts_html(status_counts(area_rows, method), lang, provisional_counts(area_rows, method))
        st.html(f'<h4 style="margin:10px 0 0">{area_name}</h4>' + counts + grid_html(cards))
