"""Start-up, once per dashboard process: create or migrate the database, and load demo data on a first run.

Kept apart from the cached reads (ui/queries.py) so a read never writes.
"""

from __future__ import annotations

import streamlit as st

from indicators import settings
from loaders.demo import seed_demo_if_first_run
from ui import queries


@st.cache_resource(show_spinner=False)
def prepare_database() -> bool:
    """Migrate the schema, mirror the catalogue and, into an empty new database only, load the demo data."""
    settings.session_idle_hours()  # a malformed GTM_SESSION_IDLE_HOURS is said at once, not taken for "logged out"
    store, catalogue = queries.store(), queries.shipped_catalogue()
    store.initialise(catalogue)
    seeded = seed_demo_if_first_run(store, catalogue) is not None
    if seeded:
        queries.clear_caches()
    return seeded
