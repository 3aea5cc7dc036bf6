"""The one cached query module: every page reads data through these functions.

st.cache_resource holds the catalogue and the store handle (no open connection: the
store opens short-lived ones); st.cache_data holds query results, cleared after every
import by `clear_caches`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicators.catalogue import Catalogue, load_catalogue
from indicators.status import status_frame
from indicators.store import Store, resolve_db_path
from loaders.demo import seed_demo_if_first_run

QUERY_TTL_SECONDS = 600  # results also expire on their own, in case another process imported


@st.cache_resource(show_spinner=False)
def catalogue() -> Catalogue:
    return load_catalogue()


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The store, created with the catalogue and (on the very first run only) the demo data."""
    handle = Store(resolve_db_path())
    handle.initialise(catalogue())
    seed_demo_if_first_run(handle, catalogue())
    return handle


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def has_demo_data() -> bool:
    return store().has_demo_data()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def status_table(as_of: int | None = None) -> pd.DataFrame:
    """One row per plan × region × target with every figure, status and reason."""
    return status_frame(catalogue(), store(), as_of=as_of)


def clear_caches() -> None:
    """Call after every write so no page shows stale figures."""
    st.cache_data.clear()
