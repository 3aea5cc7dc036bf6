"""What the preview says beyond the rows: where each table-wide option came from, and series no target uses."""

from __future__ import annotations

import pytest

from loaders.importer import prepare_import
from loaders.overrides import OverrideText
from loaders.recipes import save_recipe
from tests.conftest import write_xlsx
from tests.test_recipes import AIR, yearbook


def test_an_option_given_on_the_page_is_named_as_a_page_option_not_the_command_line(tmp_path, catalogue, store):
    path = yearbook(tmp_path / "t.xlsx", 2021, [("天津", 70.0)])
    preview = prepare_import(path, catalogue, store, overrides=OverrideText(indicators=[AIR]), recipes_dir=tmp_path,
                             options_from="page")
    assert "（来自页面选项）" in preview.description_zh and "命令行" not in preview.description_zh


def test_an_option_given_on_the_command_line_is_named_so(tmp_path, catalogue, store):
    path = yearbook(tmp_path / "t.xlsx", 2021, [("天津", 70.0)])
    preview = prepare_import(path, catalogue, store, overrides=OverrideText(indicators=[AIR]), recipes_dir=tmp_path)
    assert "（来自命令行）" in preview.description_zh


def test_an_option_from_a_recipe_is_named_as_the_recipe_wherever_the_import_runs(tmp_path, catalogue, store):
    recipes = tmp_path / "recipes"
    save_recipe("air", OverrideText(indicators=[AIR]), "0" * 16, "x.xlsx", by="t", directory=recipes)
    path = yearbook(tmp_path / "t.xlsx", 2021, [("天津", 70.0)])
    preview = prepare_import(path, catalogue, store, recipe="air", recipes_dir=recipes, options_from="page")
    assert "（来自配方）" in preview.description_zh and "命令行" not in preview.description_zh
    assert preview.warnings[0].hint_zh == "页面选项优先于配方。"


def test_an_unknown_origin_of_options_is_a_programming_error(tmp_path, catalogue, store):
    with pytest.raises(ValueError, match="origin"):
        prepare_import(tmp_path / "none.xlsx", catalogue, store, options_from="url")


def test_the_preview_lists_series_no_target_uses_with_their_row_counts(tmp_path, catalogue, store):
    from tests.conftest import write_xlsx

    rows = [["天津市", "二氧化碳排放量", 2020 + i, None, 150.0 + i, "百万吨", "正式", "CEADs", None] for i in range(3)]
    rows.append(["天津市", "空气质量优良天数比例", 2022, None, 65.8, "%", "正式", "公报", None])
    preview = prepare_import(write_xlsx(tmp_path / "co2.xlsx", rows), catalogue, store, recipes_dir=tmp_path)
    assert [(u.region_id, u.indicator_id, u.rows) for u in preview.unused] == [("tianjin", "co2_emissions", 3)]
    assert len(preview.rows) == 4  # still imported


def test_the_cli_preview_names_a_target_that_appears_without_a_latest_value(tmp_path, command, demo_store):
    """A district's only figures are old monthly ones: its target appears without a latest value, said as such, not a crash."""
    rows = [["天津市和平区", "国家高新技术企业数量", 1950, month, 500 + month, "家", "初步", "月报", None] for month in (3, 6)]
    path = write_xlsx(tmp_path / "monthly.xlsx", rows)
    result = command("loaders", "import", str(path), "--db", str(demo_store.path), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "和平区 国家高新技术企业数量：（尚无） → 无法评估；最新值 （尚无） → （尚无）" in result.stdout
