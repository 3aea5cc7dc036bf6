"""Worst first and counts by status: one definition for pages, images and decks."""

from __future__ import annotations

import pandas as pd

from indicators.progress.ranking import status_counts, worst_first


def rows() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator": ["a", "b", "c", "d", "e"],
        "area": ["energy", "energy", "air", "air", "water"],
        "status_barometer": ["green", "red", "yellow", "yellow", "achieved"],
        "gap_pp": [1.0, -30.0, -5.0, -9.0, None],
    })


def test_within_an_area_the_worst_status_comes_first_then_the_furthest_behind():
    ordered = worst_first(rows(), "barometer")
    assert list(ordered[ordered["area"] == "air"]["indicator"]) == ["d", "c"]
    assert list(ordered[ordered["area"] == "energy"]["indicator"]) == ["b", "a"]


def test_rows_of_one_area_stay_together_and_the_area_in_the_worst_state_leads():
    frame = rows().assign(status_barometer=["red", "red", "yellow", "green", "achieved"])
    assert list(worst_first(frame, "barometer")["area"]) == ["energy", "energy", "air", "air", "water"]


def test_areas_are_ordered_by_their_worst_status_not_their_average_rank():
    # air: one yellow among achieved (a good average); energy: all green (a worse average, but nothing yellow)
    frame = pd.DataFrame({
        "indicator": ["a", "b", "c", "d", "e"], "area": ["energy", "energy", "air", "air", "air"],
        "status_barometer": ["green", "green", "yellow", "achieved", "achieved"], "gap_pp": [1.0, 2.0, -3.0, None, None],
    })
    assert list(worst_first(frame, "barometer")["area"]) == ["air", "air", "air", "energy", "energy"]


def test_of_two_areas_with_the_same_worst_status_the_one_with_more_of_them_leads():
    frame = pd.DataFrame({
        "indicator": ["a", "b", "c", "d"], "area": ["energy", "air", "air", "energy"],
        "status_barometer": ["red", "red", "red", "green"], "gap_pp": [-1.0, -2.0, -3.0, 1.0],
    })
    assert list(worst_first(frame, "barometer")["area"]) == ["air", "air", "energy", "energy"]


def test_without_areas_rows_are_ordered_by_status_alone():
    assert list(worst_first(rows(), "barometer", by_area=False)["indicator"]) == ["b", "d", "c", "a", "e"]


def test_counts_name_every_status_of_the_method_worst_first():
    counts = status_counts(rows(), "barometer")
    assert list(counts) == ["red", "yellow", "green", "achieved", "not_assessable", "not_set"]
    assert counts == {"red": 1, "yellow": 2, "green": 1, "achieved": 1, "not_assessable": 0, "not_set": 0}
