"""The export buttons: 导出PPT (the plan's briefing deck) and 导出图片 (a chart or the plan's barometer as PNG).

The files are made by indicators/briefing/files.py only when a button is clicked (Streamlit runs the callable
then, off the script thread), from the cached catalogue and store. Whether this machine can export at
all (Chromium and a Chinese font) is checked up front, so a reader gets a clear reason instead of a
failed download.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import streamlit as st

from indicators.briefing.collect import collect_briefing
from indicators.briefing.files import barometer_png, chart_png, deck_bytes
from indicators.briefing.images import export_problem
from indicators.texts import load_texts
from ui import queries
from ui.i18n import TEXTS_DIR

log = logging.getLogger("gtm.exports")

_SAFE_FILE = re.compile(r'[\\/:*?"<>|\s]+')  # characters file systems refuse; Chinese names are kept
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PROBLEM_TTL_SECONDS = 300  # re-check for a browser or font installed while the app runs
TEXTS = load_texts(TEXTS_DIR / "exports.yaml")


DOWNLOAD_SCALE = 3  # the chart toolbar's PNG: 3× the drawn size, sharp on a slide


def chart_config(file_name: str) -> dict[str, object]:
    """st.plotly_chart config: the toolbar's camera saves a 3× PNG named after the chart; the figure itself
    carries the title, status, data as of, source and clause, and the browser draws Chinese with its own fonts."""
    return {"displaylogo": False,
            "toImageButtonOptions": {"format": "png", "scale": DOWNLOAD_SCALE, "filename": _SAFE_FILE.sub("_", file_name)}}


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
    """Side-by-side buttons: the deck of plan × region, and a PNG (the indicator's chart, else the barometer)."""
    problem = _problem()
    if problem:
        st.caption(problem)
        return
    catalogue, store = queries.catalogue(), queries.store()  # taken here: the callables run off the script thread

    def briefing():
        return collect_briefing(catalogue, store, plan_id=plan_id, region=region_id, method=method, lang=lang)

    name = f"{plan_id}_{region_id}"
    columns = st.columns([1, 1, 4], gap="small")
    columns[0].download_button(TEXTS["deck"][lang], _logged(lambda: deck_bytes(briefing())), file_name=f"{name}.pptx",
                               mime=PPTX_MIME, help=TEXTS["deck_help"][lang], icon=":material/slideshow:",
                               key=f"{key}_deck", on_click="ignore")
    if indicator:
        image, file_name, help_text = (lambda: chart_png(briefing(), indicator)), f"{name}_{indicator}.png", TEXTS["image_help"]
    else:
        image, file_name, help_text = (lambda: barometer_png(briefing())), f"{name}_barometer.png", TEXTS["barometer_help"]
    columns[1].download_button(TEXTS["image"][lang], _logged(image), file_name=file_name, mime="image/png",
                               help=help_text[lang], icon=":material/image:", key=f"{key}_image", on_click="ignore")
