"""The export buttons: 导出PPT (the plan's briefing deck), 导出图片 (a chart or the plan's barometer as PNG), the data
behind the charts (CSV, xlsx), and the comparison's PNG, PPTX, CSV and xlsx. Files are named in words (names.py).

The files are made by indicators/briefing/files.py only when a button is clicked (Streamlit runs the callable
then, off the script thread), from the cached catalogue and store. Whether this machine can export at
all (Chromium and a Chinese font) is checked up front, so a reader gets a clear reason instead of a
failed download.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from indicators.briefing.collect import collect_briefing
from indicators.briefing.comparison import Comparison
from indicators.briefing.files import barometer_png, briefing_xlsx, chart_csv, chart_png, deck_bytes
from indicators.briefing.images import export_problem
from indicators.briefing.names import WHAT, deck_file_name, file_name, safe_stem
from indicators.briefing.overview_pdf import collect_overview, overview_pdf
from indicators.texts import load_texts
from ui import queries
from ui.i18n import TEXTS_DIR

log = logging.getLogger("gtm.exports")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PROBLEM_TTL_SECONDS = 300  # re-check for a browser or font installed while the app runs
TEXTS = load_texts(TEXTS_DIR / "exports.yaml")


DOWNLOAD_SCALE = 3  # the chart toolbar's PNG: 3× the drawn size, sharp on a slide


def chart_config(file_name: str) -> dict[str, object]:
    """st.plotly_chart config: the toolbar's camera saves a 3× PNG named after the chart; the figure itself
    carries the title, status, data as of, source and clause, and the browser draws Chinese with its own fonts."""
    return {"displaylogo": False,
            "toImageButtonOptions": {"format": "png", "scale": DOWNLOAD_SCALE, "filename": safe_stem(file_name)}}


@st.cache_data(ttl=PROBLEM_TTL_SECONDS, show_spinner=False)
def _problem() -> str | None:
    return export_problem()


def _logged(make: Callable[[], bytes]) -> Callable[[], bytes]:
    """Streamlit shows only 'failed to generate' when a deferred download fails: keep the details in the log."""
    def run() -> bytes:
        try:
            return make()
        except Exception:
            log.exception("export failed")
            raise
    return run


def export_buttons(*, plan_id: str, region_id: str, method: str, lang: str, indicator: str | None = None,
                   key: str = "export") -> None:
    """Side-by-side buttons in the page's language: the deck of plan × region, a PNG (the indicator's chart, else the
    barometer), and the data behind it (the chart's CSV, else every chart of the deck as xlsx)."""
    catalogue, store = queries.catalogue(), queries.store()  # taken here: the callables run off the script thread
    plan = catalogue.plans[plan_id]
    region_name = catalogue.regions[region_id].name(lang)

    def briefing():
        return collect_briefing(catalogue, store, plan_id=plan_id, region=region_id, method=method, lang=lang)

    columns = st.columns(3, gap="small", width=520)
    if indicator:
        words = [region_name, catalogue.indicators[indicator].name(lang)]
        columns[2].download_button(TEXTS["chart_data"][lang], _logged(lambda: chart_csv(briefing(), indicator)),
                                   file_name=file_name(words, plan.target_year, lang, ".csv"), mime="text/csv",
                                   help=TEXTS["chart_data_help"][lang], icon=":material/table:", key=f"{key}_data",
                                   on_click="ignore")
    else:
        words = [region_name, WHAT["deck_data"][lang]]
        columns[2].download_button(TEXTS["deck_data"][lang], _logged(lambda: briefing_xlsx(briefing())),
                                   file_name=file_name(words, plan.target_year, lang, ".xlsx"), mime=XLSX_MIME,
                                   help=TEXTS["deck_data_help"][lang], icon=":material/table:", key=f"{key}_data",
                                   on_click="ignore")
    problem = _problem()
    if problem:
        st.caption(problem)
        return
    columns[0].download_button(TEXTS["deck"][lang], _logged(lambda: deck_bytes(briefing())),
                               file_name=deck_file_name(region_name, plan.target_year, lang),
                               mime=PPTX_MIME, help=TEXTS["deck_help"][lang], icon=":material/slideshow:",
                               key=f"{key}_deck", on_click="ignore")
    if indicator:
        image, help_text = (lambda: chart_png(briefing(), indicator)), TEXTS["image_help"]
    else:
        image, help_text = (lambda: barometer_png(briefing())), TEXTS["barometer_help"]
        words = [region_name, WHAT["barometer"][lang]]
    columns[1].download_button(TEXTS["image"][lang], _logged(image), file_name=file_name(words, plan.target_year, lang, ".png"),
                               mime="image/png", help=help_text[lang], icon=":material/image:", key=f"{key}_image",
                               on_click="ignore")


def comparison_buttons(comparison: Comparison, *, lang: str, key: str = "comparison") -> None:
    """The comparison's PNG and PPTX (drawn when clicked), and its table as CSV and xlsx, in the page's language."""
    columns = st.columns(4, gap="small", width=680)  # four labels in full ('Export image', 'Export Excel')
    columns[2].download_button(TEXTS["csv"][lang], comparison.csv(), file_name=comparison.file_name(".csv"), mime="text/csv",
                               help=TEXTS["comparison_data_help"][lang], icon=":material/table:", key=f"{key}_csv")
    columns[3].download_button(TEXTS["xlsx"][lang], comparison.xlsx(), file_name=comparison.file_name(".xlsx"), mime=XLSX_MIME,
                               help=TEXTS["comparison_data_help"][lang], icon=":material/grid_on:", key=f"{key}_xlsx")
    problem = _problem()
    if problem:
        st.caption(problem)
        return
    columns[0].download_button(TEXTS["image"][lang], _logged(comparison.png), file_name=comparison.file_name(".png"),
                               mime="image/png", help=TEXTS["comparison_image_help"][lang], icon=":material/image:",
                               key=f"{key}_png", on_click="ignore")
    columns[1].download_button(TEXTS["deck"][lang], _logged(comparison.pptx), file_name=comparison.file_name(".pptx"),
                               mime=PPTX_MIME, help=TEXTS["comparison_deck_help"][lang], icon=":material/slideshow:",
                               key=f"{key}_pptx", on_click="ignore")


def overview_pdf_button(*, method: str, lang: str, key: str = "export_overview_pdf") -> None:
    """The print-ready overview (one page per plan, its own city) under the page's method, in the page's language."""
    problem = _problem()
    if problem:
        return  # the plans' own buttons already say why
    catalogue, store = queries.catalogue(), queries.store()
    years = sorted({p.target_year for p in catalogue.plans.values()})
    st.download_button(TEXTS["overview_pdf"][lang],
                       _logged(lambda: overview_pdf(collect_overview(catalogue, store, method=method, lang=lang))),
                       file_name=file_name([WHAT["overview"][lang]], years[-1] if years else None, lang, ".pdf"),
                       mime="application/pdf", help=TEXTS["overview_pdf_help"][lang], icon=":material/picture_as_pdf:",
                       key=key, on_click="ignore")
