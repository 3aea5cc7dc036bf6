"""Long-template import, export round trip, broken twins, demo data."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.store import Store
from loaders.demo import DEMO_SOURCE, DEMO_WORKBOOK, build_demo_workbook, seed_demo_if_first_run
from loaders.errors import LoaderError
from loaders.export import export_frame, export_observations
from loaders.importer import prepare_import, publish
from loaders.read import read_workbook
from loaders.template import TEMPLATE_HEADERS, write_template
from tests.conftest import BROKEN_CELLS, BROKEN_ROWS, GOOD_ROWS, write_xlsx


def import_file(path: Path, catalogue, store: Store):
    return publish(prepare_import(path, catalogue, store), store, "tester")


def test_good_template_imports_every_row_matched_by_name_alias_or_code(tmp_path, catalogue, store):
    result = import_file(write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS), catalogue, store)
    assert (result.row_count, result.new) == (6, 6)
    current = store.current_observations().set_index(["region_id", "indicator_id", "year"])
    assert current.loc[("zhanjiang", "non_fossil_capacity_share", 2023), "value"] == pytest.approx(45.6)  # "45.6%"
    assert current.loc[("zhanjiang", "high_tech_enterprises", 2024), "value"] == 1234  # "1,234"
    assert current.loc[("tianjin", "energy_intensity_annual_decline", 2021), "value"] == pytest.approx(3.2)  # by code
    june = current.loc[("zhanjiang", "household_waste_harmless_treatment_rate", 2025)]
    assert (june["month"], june["status"], june["source"]) == (6, "初步", "good.xlsx")  # blank source → the file
    assert current.loc[("zhanjiang", "high_tech_enterprises", 2024), "status"] == "正式"  # blank status → 正式


def test_broken_twin_lists_every_problem_with_its_cell_and_writes_nothing(tmp_path, catalogue, store):
    path = write_xlsx(tmp_path / "broken.xlsx", BROKEN_ROWS)
    with pytest.raises(LoaderError) as caught:
        prepare_import(path, catalogue, store)
    problems = caught.value.problems
    assert sorted(p.cell for p in problems) == sorted(BROKEN_CELLS)
    assert all(p.file == "broken.xlsx" and p.sheet == "数据" for p in problems)
    text = str(caught.value)
    assert "是否为：空气质量优良天数比例" in text  # a near miss gets a suggestion
    assert "天律市" in text and "二〇二一" in text and "abc" in text and "吨" in text and "已发布" in text
    assert store.batches().empty and store.current_observations().empty


def test_duplicate_keys_with_conflicting_values_are_refused_naming_both_cells(tmp_path, catalogue, store):
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[0][:4], 70.0, *GOOD_ROWS[0][5:]]]
    with pytest.raises(LoaderError, match="E2、E3"):
        prepare_import(write_xlsx(tmp_path / "dup.xlsx", rows), catalogue, store)


def test_a_table_of_regions_and_years_without_an_indicator_is_refused_asking_for_one(tmp_path, catalogue, store):
    path = write_xlsx(tmp_path / "nohead.xlsx", [["天津市", 2021, 5]], header=["城市", "年", "值"])
    with pytest.raises(LoaderError, match=r"数值列（值）都不是目录中的指标.*--indicator"):
        prepare_import(path, catalogue, store)


def test_a_header_only_sheet_is_refused_clearly(tmp_path, catalogue, store):
    with pytest.raises(LoaderError, match="只有表头"):
        prepare_import(write_xlsx(tmp_path / "empty.xlsx", []), catalogue, store)


def test_units_are_converted_with_a_warning(tmp_path, catalogue, store):
    rows = [["天津市", "空气质量优良天数比例", 2023, None, 0.671, "比例", "正式", "公报", None]]
    preview = prepare_import(write_xlsx(tmp_path / "ratio.xlsx", rows), catalogue, store)
    assert preview.rows["value"].iloc[0] == pytest.approx(67.1)
    assert any("换算" in w.message_zh for w in preview.warnings)


def test_dry_run_preview_shows_new_changed_unchanged_and_writes_nothing(tmp_path, catalogue, store):
    import_file(write_xlsx(tmp_path / "first.xlsx", GOOD_ROWS[:2]), catalogue, store)
    changed = [GOOD_ROWS[0], [*GOOD_ROWS[1][:4], 66.0, *GOOD_ROWS[1][5:]], GOOD_ROWS[2]]
    preview = prepare_import(write_xlsx(tmp_path / "second.xlsx", changed), catalogue, store)
    assert preview.counts() == {"new": 1, "changed": 1, "unchanged": 1}
    changed_row = preview.diff[preview.diff["change"] == "changed"].iloc[0]
    assert (changed_row["old_value"], changed_row["value"]) == (pytest.approx(65.8), pytest.approx(66.0))
    assert len(store.batches()) == 1  # preview only


def test_export_import_export_round_trip_gives_identical_data(tmp_path, catalogue, store):
    import_file(write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS), catalogue, store)
    for suffix in (".xlsx", ".csv"):
        first = tmp_path / f"first{suffix}"
        export_observations(store, catalogue, first)
        fresh = Store(tmp_path / f"fresh{suffix}.duckdb")
        fresh.initialise(catalogue)
        import_file(first, catalogue, fresh)
        second = tmp_path / f"second{suffix}"
        export_observations(fresh, catalogue, second)
        assert export_frame(fresh, catalogue).equals(export_frame(store, catalogue))
        assert read_workbook(first).sheets[0].rows == read_workbook(second).sheets[0].rows


def test_export_refuses_an_unknown_format(tmp_path, catalogue, store):
    with pytest.raises(ValueError, match=r"\.xlsx 或 \.csv"):
        export_observations(store, catalogue, tmp_path / "out.json")


def test_template_has_the_header_lists_and_instructions(tmp_path, catalogue):
    out = tmp_path / "template.xlsx"
    write_template(out, catalogue)
    book = read_workbook(out)
    assert [s.name for s in book.sheets] == ["数据", "指标列表", "地区列表", "填写说明"]
    assert book.sheets[0].rows[0] == TEMPLATE_HEADERS
    indicator_names = {row[0] for row in book.sheets[1].rows[1:]}
    assert {"空气质量优良天数比例", "单位地区生产总值能耗下降率"} <= indicator_names


def test_demo_workbook_in_the_repository_matches_its_generator(tmp_path, catalogue):
    regenerated = tmp_path / "demo.xlsx"
    build_demo_workbook(regenerated, catalogue)
    assert read_workbook(regenerated).sheets[0].rows == read_workbook(DEMO_WORKBOOK).sheets[0].rows


def test_demo_data_loads_once_into_an_empty_database_and_is_marked(catalogue, store):
    result = seed_demo_if_first_run(store, catalogue)
    assert result is not None and result.new > 50
    assert store.has_demo_data()
    assert set(store.current_observations()["source"]) == {DEMO_SOURCE}
    assert seed_demo_if_first_run(store, catalogue) is None  # not twice


def test_removing_demo_data_is_final(catalogue, store):
    seed_demo_if_first_run(store, catalogue)
    store.remove_demo()
    assert not store.has_demo_data() and store.current_observations().empty
    assert seed_demo_if_first_run(store, catalogue) is None  # an emptied database does not get it back


def test_demo_data_is_not_loaded_into_a_database_that_has_data(tmp_path, catalogue, store):
    import_file(write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS[:1]), catalogue, store)
    assert seed_demo_if_first_run(store, catalogue) is None
    assert not store.has_demo_data()


def test_a_preview_published_after_another_import_is_compared_again(tmp_path, catalogue, store):
    path = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
    stale = prepare_import(path, catalogue, store)
    assert stale.counts()["new"] == 6
    import_file(path, catalogue, store)  # a colleague publishes the same figures first
    result = publish(stale, store, "tester")
    assert (result.new, result.changed, result.unchanged) == (0, 0, 6)
    assert len(store.observation_history("tianjin", "energy_intensity_annual_decline")) == 1  # nothing written twice


def test_a_preview_published_after_a_rollback_is_compared_again(tmp_path, catalogue, store):
    path = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
    first = import_file(path, catalogue, store)
    stale = prepare_import(path, catalogue, store)
    assert stale.counts()["unchanged"] == 6
    store.rollback_batch(first.batch_id, "tester")
    result = publish(stale, store, "tester")
    assert (result.new, result.unchanged) == (6, 0)
    assert len(store.current_observations()) == 6


def test_publishing_an_untouched_preview_does_not_compare_again(tmp_path, catalogue, store, monkeypatch):
    import indicators.store.observations as store_module

    path = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
    preview = prepare_import(path, catalogue, store)
    comparisons = []
    real = store_module._mark_changes
    monkeypatch.setattr(store_module, "_mark_changes", lambda con, rows: comparisons.append(len(rows)) or real(con, rows))
    result = publish(preview, store, "tester")
    assert comparisons == [] and result.new == 6
    assert len(store.current_observations()) == 6


def test_a_template_row_for_a_real_but_untracked_city_says_so(tmp_path, catalogue, store):
    path = write_xlsx(tmp_path / "shijiazhuang.xlsx", [["石家庄市", "空气质量优良天数比例", 2022, None, 65.8, "%", "正式", "公报", None]])
    with pytest.raises(LoaderError) as caught:
        prepare_import(path, catalogue, store)
    assert [p.cell for p in caught.value.problems] == ["A2"]
    assert "石家庄市”是真实地区（河北省石家庄市（130100））" in str(caught.value)
    assert store.batches().empty
