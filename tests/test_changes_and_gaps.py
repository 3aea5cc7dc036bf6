"""What changed and the data gaps, computed from the real demo store (indicators/changes.py, indicators/data_gaps.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.catalogue import Catalogue
from indicators.changes import ChangeView, build_change_view, summary
from indicators.data_gaps import CELLS, gap_cells, gap_counts
from indicators.status import assess_inputs, load_inputs
from indicators.store import Store
from tests.test_store import AIR, batch, rows

SHARE = "strategic_emerging_industry_share"  # Tianjin's demo series: red every year (30.2% in 2024 against ≥ 40%)
BINHAI = "tianjin_2022|tianjin_binhai|good_air_quality_days_ratio"  # red in 2023, yellow in 2024


def change_view(catalogue: Catalogue, store: Store) -> ChangeView:
    specs, observations = load_inputs(catalogue, store)
    return build_change_view(catalogue, specs, observations, assess_inputs(specs, observations),
                             store.active_observation_log(), target_overrides=store.target_overrides())


def record(view: ChangeView, series_id: str, method: str = "barometer") -> dict:
    found = summary(view, method).set_index("series_id")
    return found.loc[series_id].to_dict()


def test_each_target_has_its_status_by_year_from_the_year_after_the_base(demo_store, catalogue):
    share = record(change_view(catalogue, demo_store), f"tianjin_2022|tianjin|{SHARE}")
    assert share["history"] == [(2021, None, "red"), (2022, None, "red"), (2023, None, "red"), (2024, None, "red")]
    assert share["status"] == "red" and share["since_year"] == 2021  # "2021年起红灯"
    assert not share["changed_since_previous_year"]


def test_a_status_that_changed_since_the_previous_annual_figure_says_from_what(demo_store, catalogue):
    binhai = record(change_view(catalogue, demo_store), BINHAI)
    assert (binhai["previous_year"], binhai["previous_status"], binhai["status"]) == (2023, "red", "yellow")
    assert binhai["changed_since_previous_year"] and binhai["since_year"] == 2024


def test_a_within_year_figure_is_compared_with_the_last_annual_one(demo_store, catalogue):
    air = record(change_view(catalogue, demo_store), f"tianjin_2022|tianjin|{AIR}")
    assert air["provisional"] and air["latest_year"] == 2025
    assert air["previous_year"] == 2024 and air["history"][-1] == (2025, 9, air["status"])


def test_the_change_view_follows_the_method(demo_store, catalogue):
    view = change_view(catalogue, demo_store)
    share = record(view, f"tianjin_2022|tianjin|{SHARE}", "ratio")
    assert share["status"] in {"deterioration", "limited", "acceleration_needed", "on_track"}
    assert all(status != "red" for _, _, status in share["history"])


def test_with_one_data_version_there_is_nothing_earlier_to_compare_with(demo_store, catalogue):
    view = change_view(catalogue, demo_store)
    assert view.latest is not None and view.latest.kind == "demo" and view.previous is None
    assert view.revisions.empty
    assert summary(view, "barometer")["version_status"].isna().all()
    assert not summary(view, "barometer")["changed_since_version"].any()


def revising_batch(store: Store) -> int:
    """A second version: Tianjin's 2024 share revised to 41% (final), meeting the ≥ 40% target."""
    revised = rows(("tianjin", SHARE, 2024, 41.0))
    return store.write_batch(batch("2024公报修订.xlsx"), revised).batch_id


def test_a_revising_batch_is_the_new_data_version_and_its_changed_value_is_listed(demo_store, catalogue):
    batch_id = revising_batch(demo_store)
    view = change_view(catalogue, demo_store)
    assert view.latest.batch_id == batch_id and view.previous.batch_id == 1
    (revision,) = view.revisions.to_dict("records")
    assert (revision["region_id"], revision["indicator_id"], revision["year"]) == ("tianjin", SHARE, 2024)
    assert (revision["old_value"], revision["value"]) == (pytest.approx(30.2), 41.0)
    assert (revision["old_status"], revision["status"]) == ("初步", "正式")
    assert revision["file_name"] == "2024公报修订.xlsx"
    share = record(view, f"tianjin_2022|tianjin|{SHARE}")
    assert (share["version_status"], share["status"]) == ("red", "achieved") and share["changed_since_version"]
    assert share["changed_since_previous_year"] and share["since_year"] == 2024
    others = summary(view, "barometer")
    assert others["changed_since_version"].sum() == 1  # nothing else moved


def test_a_rolled_back_batch_is_no_longer_a_data_version(demo_store, catalogue):
    batch_id = revising_batch(demo_store)
    demo_store.rollback_batch(batch_id, "tester")
    view = change_view(catalogue, demo_store)
    assert view.latest.batch_id == 1 and view.previous is None and view.revisions.empty
    assert record(view, f"tianjin_2022|tianjin|{SHARE}")["status"] == "red"


def test_a_data_status_change_alone_is_a_revision(demo_store, catalogue):
    current = demo_store.current_observations(regions=["tianjin"], indicators=[SHARE])
    value_2024 = float(current.loc[current["year"] == 2024, "value"].iloc[0])
    demo_store.write_batch(batch("终审.xlsx"), rows(("tianjin", SHARE, 2024, value_2024)))  # 初步 → 正式, same value
    (revision,) = change_view(catalogue, demo_store).revisions.to_dict("records")
    assert revision["old_value"] == revision["value"] and (revision["old_status"], revision["status"]) == ("初步", "正式")


def cells_of(store: Store, catalogue: Catalogue) -> pd.DataFrame:
    specs, _ = load_inputs(catalogue, store)
    return gap_cells(specs, store.current_observations())


def cell(cells: pd.DataFrame, series_id: str, year: int) -> str:
    found = cells[(cells["series_id"] == series_id) & (cells["year"] == year)]
    assert len(found) == 1, (series_id, year)
    return str(found["cell"].iloc[0])


def test_the_gap_matrix_marks_final_preliminary_and_within_year_figures(demo_store, catalogue):
    cells = cells_of(demo_store, catalogue)
    air = f"tianjin_2022|tianjin|{AIR}"
    assert cell(cells, air, 2021) == "final" and cell(cells, air, 2024) == "preliminary"
    within = cells[(cells["series_id"] == air) & (cells["year"] == 2025)].iloc[0]
    assert within["cell"] == "within_year" and within["month"] == 9
    assert set(cells["cell"]) <= set(CELLS)
    assert cells["series_id"].nunique() == 24  # every assessed plan × region × target


def test_a_year_no_series_has_an_annual_figure_for_yet_is_not_due_rather_than_missing(demo_store, catalogue):
    cells = cells_of(demo_store, catalogue)
    assert cell(cells, f"tianjin_2022|tianjin|{SHARE}", 2025) == "not_due"
    assert gap_counts(cells)["missing"] == 0  # the demo data are complete up to 2024


def test_a_year_without_a_figure_is_missing(demo_store, catalogue):
    demo_store.write_batch(batch("河西区.xlsx"), rows(("tianjin_hexi", AIR, 2021, 70.0), ("tianjin_hexi", AIR, 2023, 71.0)))
    cells = cells_of(demo_store, catalogue)
    hexi = "tianjin_2022|tianjin_hexi|good_air_quality_days_ratio"
    assert [cell(cells, hexi, y) for y in range(2020, 2025)] == ["missing", "final", "missing", "final", "missing"]


def test_annual_decline_rates_are_needed_from_the_year_after_the_base(demo_store, catalogue):
    cells = cells_of(demo_store, catalogue)
    energy = cells[cells["series_id"] == "tianjin_2022|tianjin|energy_intensity_reduction"]
    assert energy["input_indicator"].iloc[0] != "energy_intensity_reduction"  # fed by the annual rates
    assert energy["year"].min() == 2021
