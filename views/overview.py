"""Overview (总览): every target of every plan with its latest value, target and status."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import queries
from ui.formatting import format_value, status_label
from ui.i18n import language, t

lang = language()
st.title(t("app_title"))

catalogue = queries.catalogue()
status = queries.status_table()

for plan in catalogue.plans.values():
    title = plan.title_zh if lang == "zh" else plan.title_en
    st.subheader(title)
    st.caption(f"{plan.issuer} · {plan.date_issued:%Y-%m-%d} {t('issued')} · {plan.status} · "
               f"{t('base_target_years', base=plan.base_year, target=plan.target_year)} · "
               f"{len(plan.targets)} {t('targets_count')}")
    rows = status[(status["plan"] == plan.id) & (status["region"] == plan.region)]
    areas = {a.id: (a.name_zh if lang == "zh" else a.name_en) for a in catalogue.areas.values()}
    table = pd.DataFrame({
        t("area"): rows["area"].map(areas),
        t("indicator"): rows["name_zh"] if lang == "zh" else rows["name_en"],
        t("latest"): [format_value(v, u, d, t("no_data")) for v, u, d in
                      zip(rows["latest_value"], rows["unit"], rows["decimals"], strict=True)],
        t("latest_year"): rows["latest_year"].astype("Int64"),
        t("target"): [format_value(v, u, d, t("target_pending")) for v, u, d in
                      zip(rows["target"], rows["unit"], rows["decimals"], strict=True)],
        t("status"): [status_label(str(s), lang) for s in rows["status_barometer"]],
        t("reason"): rows["explanation_zh"] if lang == "zh" else rows["explanation_en"],
        t("clause"): rows["clause"],
    })
    st.dataframe(table, hide_index=True, width="stretch")
