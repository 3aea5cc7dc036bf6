"""Router only: page setup, language switch, demo banner, navigation, and a guard against tracebacks."""

from __future__ import annotations

import logging

import streamlit as st

from indicators.errors import UserError
from indicators.logsetup import configure_logging
from indicators.texts import load_texts
from ui import actions, auth, queries, startup
from ui.i18n import LANG_PARAM, LANGUAGES, TEXTS_DIR, language, t, text_from
from ui.layout import demo_line, reserve_sidebar_filters
from ui.present import presentation_switch

log = logging.getLogger("gtm.app")
configure_logging()

st.set_page_config(page_title=t("app_title"), page_icon="🌿", layout="wide")
auth.begin_run()  # the login session is checked once per run, from here on
try:
    startup.prepare_database()  # once per process: migrate, and demo data into a new empty database
    queries.follow_data_version()  # a write by another instance or the CLI shows at this rerun
except UserError as exc:  # e.g. the database is busy or damaged: say so instead of a broken page
    st.error(str(exc))
    st.stop()


def language_switch() -> None:
    """A sidebar switch that writes the language into the URL, so links keep it."""
    current = language()
    choice = st.sidebar.radio(t("language"), list(LANGUAGES), index=list(LANGUAGES).index(current),
                              format_func=LANGUAGES.get, horizontal=True, key="language_switch")
    if choice != current:
        st.query_params[LANG_PARAM] = choice
        st.rerun()


def plans_page_title() -> str:
    return text_from(load_texts(TEXTS_DIR / "plans.yaml"), "page")


def demo_banner() -> None:
    """One slim line, so the overview's barometer stays on the first screen."""
    if queries.has_demo_data():
        st.html(demo_line(t("demo_line"), t("demo_line_help")))


pages = [
    st.Page("views/overview.py", title=t("overview"), icon=":material/dashboard:", default=True),
    st.Page("views/indicator.py", title=t("indicator_page"), icon=":material/show_chart:", url_path="indicator"),
    st.Page("views/comparison.py", title=t("comparison"), icon=":material/compare_arrows:", url_path="comparison"),
    # Hidden from viewers' navigation; the pages themselves refuse them too (also by direct URL).
    st.Page("views/data.py", title=t("data_page"), icon=":material/upload_file:", url_path="data",
            visibility="visible" if actions.can_write() else "hidden"),
    st.Page("views/admin.py", title=auth.text("admin_page"), icon=":material/admin_panel_settings:", url_path="admin",
            visibility="visible" if actions.can_admin() else "hidden"),
    st.Page("views/plans.py", title=plans_page_title(), icon=":material/description:", url_path="plans",
            visibility="visible" if actions.can_admin() else "hidden"),
]
page = st.navigation(pages)
language_switch()
reserve_sidebar_filters()  # the page's filters go here: under the language, above the login form
presentation_switch(language())  # ?present=1: no sidebar or widgets, large type
auth.sidebar()
try:
    demo_banner()
    page.run()
except UserError as exc:  # a known condition (database busy, bad catalogue): its message is for users
    st.error(str(exc))
except Exception:  # a bug: never show a traceback or data-derived HTML; log it for developers
    log.exception("page failed")
    st.error(t("error_generic"))
