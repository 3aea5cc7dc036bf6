"""Page frame shared by the pages: the slim demo line, the sidebar place where a page puts its filters, and the
compact spacing that keeps the overview's barometer on the first screen (1280×900 and a 390 px phone)."""

from __future__ import annotations

import html
from contextvars import ContextVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

# The sidebar container app.py reserves under the language switch, for the running page's filters (set on every run,
# in the script thread's context, so one session never sees another's).
_FILTERS_SLOT: ContextVar[DeltaGenerator | None] = ContextVar("gtm_filters_slot", default=None)


def reserve_sidebar_filters() -> None:
    """Called by the router before the page runs: filters then sit high in the sidebar, above the login form."""
    _FILTERS_SLOT.set(st.sidebar.container())


def sidebar_filters() -> DeltaGenerator:
    """Where a page's filters go: the reserved sidebar place, else the sidebar's end."""
    return _FILTERS_SLOT.get() or st.sidebar


# Streamlit leaves 6rem above the first element and 5rem at each side of a wide page; the overview needs that room
# for its targets. The header (toolbar, sidebar button) is 3.75rem high and stays clear.
COMPACT_CSS = """
<style>
[data-testid="stMainBlockContainer"], .block-container {padding-top: 3.9rem !important; padding-left: 1.6rem !important;
  padding-right: 1.6rem !important; padding-bottom: 2rem !important}
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"], .block-container {padding-left: .7rem !important; padding-right: .7rem !important}
}
.st-key-gtm_head {gap: .15rem !important}
.st-key-gtm_head [data-testid="stHeading"] [data-testid="stMarkdownContainer"] {margin-bottom: 0 !important}
.st-key-gtm_head h1 {font-size: 1.45rem !important; line-height: 1.3 !important; padding: 0 !important; margin: 0 !important}
.st-key-gtm_head [data-testid="stCaptionContainer"] {font-size: .8rem; margin: 0}
@media (max-width: 640px) {.st-key-gtm_head h1 {font-size: 1.2rem !important}}
</style>
"""


# Inline, so the line looks the same on every page (it is drawn before any page's styles).
DEMO_LINE_STYLE = ("display:block;font-size:.82rem;line-height:1.45;color:#6b4e00;background:#fff6d6;border:1px solid #f0d98a;"
                   "border-radius:6px;padding:1px 10px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:100%")


def demo_line(text: str, help_text: str) -> str:
    """The demo notice as one slim line; what to do about it follows and is cut off where the screen ends (all of it
    on hover)."""
    return (f'<div class="gtm-demo" role="note" title="{html.escape(help_text)}" style="{DEMO_LINE_STYLE}">'
            f'⚗ <b>{html.escape(text)}</b> <span style="color:#8a6d1a">· {html.escape(help_text)}</span></div>')

