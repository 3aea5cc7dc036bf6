"""Whole-column helpers of the import hot path give exactly what the plain per-cell code gives."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.columns import Coded, code_rows, of_type

CELLS = st.sampled_from(["天津", "湛江", "%", "正式", "", " ", None, math.nan, 1, 1.0, True, 2021, 2021.0, "2021"])


def as_plain(coded: Coded) -> tuple[list[object], list[object]]:
    """Each cell's value through its code, and the distinct values, with NaN made comparable."""

    def plain(value: object) -> object:
        return "NaN" if isinstance(value, float) and math.isnan(value) else value

    return [plain(coded.distinct[k]) for k in coded.where], [plain(v) for v in coded.distinct]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=4, max_size=4), max_size=60), st.sampled_from([[0, 1, 2], [3], [2, 0], []]))
def test_columns_coded_together_read_the_same_as_each_coded_alone(rows, positions) -> None:
    together = code_rows(rows, positions)
    alone = [Coded.of([row[p] for row in rows]) for p in positions]
    assert [as_plain(c) for c in together] == [as_plain(c) for c in alone]


def test_many_combinations_fall_back_to_coding_each_column_and_still_agree() -> None:
    rows = [[f"地区{i}", i, "%"] for i in range(1000)]  # every row its own combination
    together = code_rows(rows, [0, 1, 2])
    assert [len(c.distinct) for c in together] == [1000, 1000, 1]
    assert [as_plain(c) for c in together] == [as_plain(Coded.of([r[p] for r in rows])) for p in range(3)]


def test_a_template_with_one_unit_per_indicator_codes_through_few_combinations() -> None:
    rows = [[region, indicator, unit, "正式", "公报"] for region in ("天津", "湛江") for indicator, unit in (("能耗", "%"), ("企业", "家"))] * 50
    region, indicator, unit, status, source = code_rows(rows, range(5))
    assert region.distinct == ["天津", "湛江"] and indicator.distinct == ["能耗", "企业"] and unit.distinct == ["%", "家"]
    assert status.distinct == ["正式"] and source.distinct == ["公报"]
    assert [unit.distinct[k] for k in unit.where[:4]] == ["%", "家", "%", "家"]


def test_of_type_tells_numbers_from_text_and_booleans_exactly() -> None:
    cells = np.array([1, 1.5, True, "1", None, math.nan], dtype=object)
    assert of_type(cells, float, int).tolist() == [True, True, False, False, False, True]
    assert of_type(cells, str).tolist() == [False, False, False, True, False, False]
    assert of_type(np.empty(0, dtype=object), str).tolist() == []


def test_a_many_valued_column_beside_few_valued_ones_is_coded_alone_and_still_agrees() -> None:
    # a source naming its month beside a region, indicator and unit: the others are still coded through their few combinations
    rows = [["天津" if i % 2 else "湛江", "能耗", "%", f"统计月报{i // 3}"] for i in range(6000)]
    together = code_rows(rows, [0, 1, 2, 3])
    assert [len(c.distinct) for c in together] == [2, 1, 1, 2000]
    assert [as_plain(c) for c in together] == [as_plain(Coded.of([r[p] for r in rows])) for p in range(4)]
