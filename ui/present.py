"""Presentation mode (演示模式): `?present=1` or the sidebar toggle. For a meeting-room screen: no sidebar,
toolbar or widgets, large type, a 16:9-friendly width; each page then shows its charts titled with
indicator, region and status, and the data-as-of, source and clause under them (the figures carry those).
"""

from __future__ import annotations

import html

import streamlit as st

from indicators.display.charts import DARK_TEXT_ON, STATUS_COLOURS, WRAP_HINT_WIDTH
from indicators.display.labels import status_label
from indicators.texts import load_texts
from ui.i18n import TEXTS_DIR

PRESENT_PARAM = "present"  # query parameter, so a shared link opens straight into presentation mode
PRESENT_ON = "1"
TOGGLE_KEY = "gtm_present"
EXIT_KEY = "gtm_exit_present"  # its container class st-key-gtm_exit_present is styled below
TEXTS = load_texts(TEXTS_DIR / "present.yaml")

# What a presentation hides: Streamlit's chrome, the sidebar, and every input widget with its container
# (so no empty gaps remain); the exit button stays. Type is enlarged through the root font size, which
# Streamlit's rem-based sizes follow.
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stToolbar"], [data-testid="stHeader"], header[data-testid="stHeader"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], [data-testid="stMainMenu"],
.stElementContainer:has(> [data-testid="stSelectbox"]), .stElementContainer:has(> [data-testid="stRadio"]),
.stElementContainer:has(> [data-testid="stMultiSelect"]), .stElementContainer:has(> [data-testid="stDownloadButton"]),
.stElementContainer:has(> [data-testid="stFileUploader"]), .stElementContainer:has(> [data-testid="stTextInput"]),
[data-testid="stSelectbox"], [data-testid="stRadio"], [data-testid="stDownloadButton"] {display: none !important;}
html {font-size: 19px;}
[data-testid="stMainBlockContainer"], .block-container {max-width: 1880px; padding: 1rem 2.2rem 1.5rem !important;}
[data-testid="stMetricValue"] {font-size: 2.1rem;}
[data-testid="stMetricLabel"] p {font-size: 1rem;}
.st-key-gtm_exit_present {position: fixed; top: 8px; right: 14px; z-index: 1000; width: auto !important; opacity: .55;}
.st-key-gtm_exit_present:hover {opacity: 1;}
</style>
"""


# Page charts carry their title, legend and notes laid out for WRAP_HINT_WIDTH px (indicators/display/charts.py): on a
# narrower screen (a phone) the chart keeps that width and scrolls sideways, instead of its texts overlapping.
CHART_MIN_WIDTH_CSS = ('.stElementContainer:has([data-testid="stPlotlyChart"]) {overflow-x: auto}'
                       f'[data-testid="stFullScreenFrame"]:has(> [data-testid="stPlotlyChart"]) {{min-width: {WRAP_HINT_WIDTH}px}}')


def presenting() -> bool:
    return st.query_params.get(PRESENT_PARAM) == PRESENT_ON


def presentation_switch(lang: str) -> bool:
    """The sidebar toggle (kept in the URL) and, while presenting, the page style and an exit button."""
    on = presenting()
    st.session_state[TOGGLE_KEY] = on  # the URL is the truth: a shared link or the back button may change it
    st.sidebar.toggle(TEXTS["toggle"][lang], help=TEXTS["toggle_help"][lang], key=TOGGLE_KEY, on_change=_from_toggle)
    if on:
        st.html(PRESENT_CSS)
        st.button(TEXTS["exit"][lang], key=EXIT_KEY, icon=":material/close:", type="tertiary", on_click=_exit)
    return on


def _from_toggle() -> None:
    if st.session_state[TOGGLE_KEY]:
        st.query_params[PRESENT_PARAM] = PRESENT_ON
    else:
        st.query_params.pop(PRESENT_PARAM, None)


def _exit() -> None:
    st.query_params.pop(PRESENT_PARAM, None)


PREVIOUS_KEY, NEXT_KEY = "gtm_present_previous", "gtm_present_next"


def target_stepper(options: list[str], current: str, lang: str, *, param: str = "indicator", container=st) -> None:
    """Previous / next target while presenting, from the keyboard (← and →) or the buttons; each step keeps the URL
    (so the selectbox the page hides follows, and a reload stays on the slide)."""
    if current not in options or len(options) < 2:
        return
    at = options.index(current)

    def go(step: int) -> None:
        chosen = options[(at + step) % len(options)]
        st.query_params[param] = chosen
        st.session_state[f"url_{param}"] = chosen  # ui/state.url_select's widget key

    # Two buttons side by side (the shortcut hint shows the arrow key), the slide's number under them.
    left, right = container.columns(2, gap="small")
    left.button(TEXTS["previous"][lang], key=PREVIOUS_KEY, on_click=go, args=(-1,), shortcut="Left", width="stretch",
                help=TEXTS["keys_help"][lang])
    right.button(TEXTS["next"][lang], key=NEXT_KEY, on_click=go, args=(1,), shortcut="Right", width="stretch",
                 help=TEXTS["keys_help"][lang])
    container.markdown(f"<div style='text-align:center;color:#52606d'>{at + 1} / {len(options)}</div>", unsafe_allow_html=True)


def status_badge_html(status: str, lang: str, note: str = "") -> str:
    """A large status badge: colour, icon and word (never colour alone); `note` under it (the provisional tag)."""
    colour = STATUS_COLOURS.get(status, "#8C8C8C")
    text = "#1f2933" if colour in DARK_TEXT_ON else "#ffffff"
    under = (f'<div style="text-align:center;font-weight:700;font-size:1.15rem;margin-top:.3rem">{html.escape(note)}</div>'
             if note else "")
    return (f'<div class="gtm-badge" style="background:{colour};color:{text};font-size:1.7rem;font-weight:700;'
            f'padding:.35rem 1rem;border-radius:10px;text-align:center">{html.escape(status_label(status, lang))}</div>{under}')
