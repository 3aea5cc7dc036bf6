"""The one cached query module: every page reads data through these functions.

st.cache_resource holds the catalogue (the shipped YAML plus the published plans, per data version) and the store handle (no open connection: the
store opens short-lived ones); st.cache_data holds query results, cleared after every
write by `clear_caches`, and on every rerun when the database's data version moved (`follow_data_version`:
another instance or the CLI wrote). The observations are read once per `as_of` (`inputs`): the status
table and the histories are both computed from that one read. Creating the database and
loading demo data on a first run is a start-up step (ui/startup.py), not a read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from indicators.catalogue import Catalogue, load_catalogue
from indicators.changes import ChangeView, build_change_view, summary
from indicators.data_gaps import gap_cells
from indicators.display.figures import sources_by_series
from indicators.plans.published import with_published
from indicators.status import assess_inputs, build_inputs, history_frame, load_observations
from indicators.store import Store, StoredPlan, resolve_db_path
from indicators.targets import apply_target_overrides
from loaders.export import export_observations
from loaders.template import write_template
from ui.rows import display_rows

QUERY_TTL_SECONDS = 600  # a backstop: `follow_data_version` drops results as soon as the data change


@st.cache_resource(show_spinner=False)
def shipped_catalogue() -> Catalogue:
    """The YAML catalogue shipped with the program (what the database is created and migrated with)."""
    return load_catalogue()


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalogue_at(version: str | None) -> tuple[Catalogue, tuple[str, ...]]:
    """The shipped catalogue plus the published plans, as of one data version (a publish or withdrawal moves it)."""
    combined, problems = with_published(shipped_catalogue(), store().published_plans())
    return combined, tuple(problems)


def catalogue() -> Catalogue:
    """The catalogue every page uses: the shipped YAML plus the plans published in the database, each checked as the
    YAML ones are. Keyed by the data version this rerun follows (`follow_data_version`), so a plan published by any
    instance or the CLI shows at the next click."""
    return _catalogue_at(_version_seen().get("version"))[0]


def catalogue_problems() -> tuple[str, ...]:
    """Why stored published plans were left out of the catalogue (none when all pass)."""
    return _catalogue_at(_version_seen().get("version"))[1]


def published_plans() -> list[StoredPlan]:
    """The current version of every published plan (read when the plans page needs it)."""
    return store().published_plans()


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The store handle (ui/startup.py has created and, on a first run, seeded the database)."""
    return Store(resolve_db_path())


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def has_demo_data() -> bool:
    return store().has_demo_data()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def observations(as_of: int | None = None) -> pd.DataFrame:
    """The one read of the observations behind every figure on a page (the engine's inputs and the data gaps)."""
    return load_observations(catalogue(), store(), as_of=as_of)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def inputs(as_of: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The engine's specs and observations, from that one read."""
    return build_inputs(catalogue(), observations(as_of), target_overrides=target_overrides())


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def status_table(as_of: int | None = None) -> pd.DataFrame:
    """One row per plan × region × target with every figure, status and reason."""
    return assess_inputs(*inputs(as_of), as_of=as_of)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def target_overrides() -> dict[tuple[str, str], float]:
    """Target values an administrator entered for targets the plans leave to a higher authority."""
    return store().target_overrides()


def effective_catalogue() -> Catalogue:
    """The catalogue with those entered target values filled in (what pages show as the target)."""
    return apply_target_overrides(catalogue(), target_overrides())


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def display_table(lang: str, as_of: int | None = None) -> pd.DataFrame:
    """The status table with the texts cards and tables show, in `lang`."""
    return display_rows(status_table(as_of), effective_catalogue(), lang)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def histories(as_of: int | None = None) -> pd.DataFrame:
    """Each series year by year in the indicator's terms (for sparklines and charts)."""
    return history_frame(*inputs(as_of))


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def series_history(region_id: str, indicator_id: str) -> pd.DataFrame:
    """Every value ever recorded for one series, with its batch (revisions and rollbacks included)."""
    return store().observation_history(region_id, indicator_id)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def series_sources(as_of: int | None = None) -> dict[tuple[str, str], list[str]]:
    """Each (region, indicator)'s data sources, the most recent first: charts name them under the plot."""
    return sources_by_series(store().current_observations(as_of=as_of))


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def change_view() -> ChangeView:
    """Statuses by year, before the latest batch and now, and the revised values (what changed)."""
    specs, keyed = inputs(None)  # positional, as status_table passes it: the same cache entry
    return build_change_view(catalogue(), specs, keyed, status_table(None), store().active_observation_log(),
                             target_overrides=target_overrides())


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def change_summary(method: str) -> pd.DataFrame:
    """One row per series: its status under `method` now, since when, and what it was before."""
    return summary(change_view(), method)


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def data_gaps() -> pd.DataFrame:
    """Which figures exist for every assessed series and year, of which data status, and which are missing."""
    specs, _ = inputs(None)
    return gap_cells(specs, observations(None))


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def batches() -> pd.DataFrame:
    return store().batches()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def batch_rows(batch_id: int) -> pd.DataFrame:
    """The rows one batch wrote, each with what it changed (new, or changed and the old value)."""
    return store().batch_rows(batch_id)


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    """The empty import template (depends only on the catalogue)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        write_template(path, catalogue())
        return path.read_bytes()


@st.cache_data(ttl=QUERY_TTL_SECONDS, show_spinner=False)
def export_bytes() -> bytes:
    """All current observations in the template layout."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        export_observations(store(), catalogue(), path)
        return path.read_bytes()


@st.cache_resource(show_spinner=False)
def _version_seen() -> dict[str, str | None]:
    """The data version this process's cached results were made from (one holder per server process)."""
    return {}


def follow_data_version() -> None:
    """Drop cached results when the database changed since they were made — by this process, another dashboard
    instance or the CLI. One small read per rerun, so a write anywhere shows at the next click, not after the TTL."""
    current = store().data_version()
    seen = _version_seen()
    if seen.get("version", "") != current:
        st.cache_data.clear()
        seen["version"] = current


def clear_caches() -> None:
    """Call after every write so no page shows stale figures."""
    st.cache_data.clear()
