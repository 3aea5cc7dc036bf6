"""Overview (总览): every target as a card, grouped by plan and area, worst first, with filters in the URL."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from indicators.display.figures import PRESENT_BAROMETER_FONT, PRESENT_BAROMETER_WIDTH, plan_barometer_figure
from indicators.display.labels import as_of_summary, plan_line
from indicators.progress.ranking import provisional_counts, status_counts, worst_first
from indicators.vocabulary import METHODS, STATUSES
from ui import queries
from ui.cards import CARD_CSS, card_html, grid_html, status_counts_html
from ui.exports import chart_config, export_buttons, overview_pdf_button
from ui.formatting import status_word
from ui.i18n import LANG_PARAM, language, t
from ui.present import presenting
from ui.state import ALL, url_radio, url_select

lang = language()
catalogue = queries.catalogue()
rows = queries.display_table(lang)
history = queries.histories()

present = presenting()  # a meeting-room screen: each plan's barometer alone (it names plan, region, data as of, method)
if not present:
    st.title(t("app_title"))
caption = st.container()  # data as of the targets shown, filled in once the filters have chosen them

plans = list(catalogue.plans)
filters = st.columns([3, 2, 2, 2, 3])
plan_choice = url_select(t("plan"), "plan", [ALL, *plans], lambda p: t("all") if p == ALL else catalogue.plans[p].name(lang),
                         container=filters[0])
CITY = "__city__"  # each plan's own region: the default, districts are one choice away
region_ids = list(dict.fromkeys(rows["region"]))
region_labels = {CITY: t("plan_region"), ALL: t("all_regions")}
region_choice = url_select(t("region"), "region", [CITY, ALL, *region_ids], lambda r: region_labels.get(r) or catalogue.regions[r].name(lang),
                           default=CITY, container=filters[1])
area_choice = url_select(t("area"), "area", [ALL, *catalogue.areas], lambda a: t("all") if a == ALL else catalogue.areas[a].name(lang),
                         container=filters[2])
method = url_radio(t("method"), "method", list(METHODS), lambda m: t(f"method_{m}"), container=filters[4])
status_choice = url_select(t("status_filter"), "status", [ALL, *STATUSES[method]],
                           lambda s: t("all") if s == ALL else status_word(s, lang), container=filters[3])
if not present:
    st.info(t(f"method_note_{method}"), icon=":material/rule:")
    overview_pdf_button(method=method, lang=lang)

selected = rows
if region_choice == CITY:
    selected = selected[selected["region"] == selected["plan"].map({p.id: p.region for p in catalogue.plans.values()})]
for column, choice in (("plan", plan_choice), ("region", region_choice), ("area", area_choice)):
    if choice not in (ALL, CITY):
        selected = selected[selected[column] == choice]
if status_choice != ALL:
    selected = selected[selected[f"status_{method}"].astype(str) == status_choice]
if not present and not selected.empty:  # §8.5: one year only when every target shown shares it
    caption.caption(as_of_summary(selected, lang) + " · " + t("sort_note"))

values_by_series = history.groupby("series_id")["value"].agg(list).to_dict()
texts = {key: t(key) for key in ("no_data", "time_progress", "completion", "behind", "ahead", "target", "departments", "trend")}
st.html(CARD_CSS)


def show_barometers(plan, plan_rows: pd.DataFrame) -> None:
    """Presentation mode: the plan's barometer (one row per target) for each region shown, instead of the cards."""
    sources = queries.series_sources()
    for _, region_rows in plan_rows.groupby("region", sort=False):
        found = [s for key in zip(region_rows["region"], region_rows["input_indicator"], strict=True) for s in sources.get(key, [])]
        region_name = str(region_rows["region_name"].iloc[0])
        figure = plan_barometer_figure(region_rows, plan, region_name, method=method, lang=lang, sources=list(dict.fromkeys(found)),
                                       demo=queries.has_demo_data(), width=PRESENT_BAROMETER_WIDTH, font_size=PRESENT_BAROMETER_FONT)
        st.plotly_chart(figure, width="content", theme=None, config=chart_config(f"{plan.id}_{region_name}_晴雨表"))


if selected.empty:
    st.warning(t("no_targets_match"))
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
                link_params={"plan": row["plan"], "region": row["region"], "indicator": row["indicator"], "method": method,
                             **({LANG_PARAM: lang} if lang != "zh" else {})},
            )
            for row in area_rows.to_dict("records")
        ]
        counts = status_counts_html(status_counts(area_rows, method), lang, provisional_counts(area_rows, method))
        st.html(f'<h4 style="margin:10px 0 0">{area_name}</h4>' + counts + grid_html(cards))
