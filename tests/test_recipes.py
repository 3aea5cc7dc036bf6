"""Import recipes: saved once per source format, applied to next year's file by fingerprint or by name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from indicators.settings import DEFAULT_RECIPES_DIR
from loaders.errors import LoaderError
from loaders.importer import prepare_import
from loaders.overrides import OverrideText
from loaders.read import read_workbook
from loaders.recipes import find_recipe, fingerprint, load_recipe, save_recipe
from tests.tables import xlsx
from tests.test_realdata import CITIES, COUNTIES

AIR = "空气质量优良天数比例"


def yearbook(path: Path, last_year: int, cities: list[tuple[str, float]]) -> Path:
    """A publisher's table: title with the edition year, cities × years, no word of the indicator."""
    years = list(range(2019, last_year + 1))
    rows = [[f"{last_year}年各市主要数据"], ["单位：%"], ["城市", *[f"{y}年" for y in years]]]
    rows += [[name, *[value + i for i in range(len(years))]] for name, value in cities]
    return xlsx(path, {"表1": rows})


def test_a_saved_recipe_imports_next_years_file_in_one_step(tmp_path, catalogue, store):
    recipes = tmp_path / "recipes"
    this_year = yearbook(tmp_path / "2021.xlsx", 2021, [("天津", 70.0), ("湛江", 90.0)])
    with pytest.raises(LoaderError, match="--indicator"):
        prepare_import(this_year, catalogue, store, recipes_dir=recipes)
    typed = OverrideText(indicators=[AIR])
    preview = prepare_import(this_year, catalogue, store, overrides=typed, recipes_dir=recipes)
    save_recipe("city_yearbook", preview.overrides, preview.fingerprint, preview.file_name, by="张三", directory=recipes)

    next_year = yearbook(tmp_path / "2022.xlsx", 2022, [("天津", 71.0), ("湛江", 91.0), ("北京", 60.0)])
    assert fingerprint(read_workbook(next_year)) == preview.fingerprint  # another year, one more column and row
    following = prepare_import(next_year, catalogue, store, recipes_dir=recipes)
    assert following.recipe == "city_yearbook" and "已使用导入配方“city_yearbook”" in following.warnings[0].message_zh
    assert set(following.rows["indicator_id"]) == {"good_air_quality_days_ratio"} and len(following.rows) == 2 * 4


def test_a_table_with_other_columns_has_another_fingerprint(tmp_path):
    one = yearbook(tmp_path / "a.xlsx", 2021, [("天津", 70.0)])
    other = xlsx(tmp_path / "b.xlsx", {"表1": [["2021年各市主要数据"], ["地区", "2019年", "2020年"], ["天津", 1, 2]]})
    assert fingerprint(read_workbook(one)) != fingerprint(read_workbook(other))


def test_a_recipe_by_name_applies_whatever_the_fingerprint_and_the_command_line_wins(tmp_path, catalogue, store):
    recipes = tmp_path / "recipes"
    save_recipe("air", OverrideText(indicators=[AIR], region="天津"), "0" * 16, "x.xlsx", by="t", directory=recipes)
    path = yearbook(tmp_path / "t.xlsx", 2021, [("天津", 70.0)])
    assert find_recipe(read_workbook(path), recipes) is None  # fingerprints differ
    preview = prepare_import(path, catalogue, store, recipe="air", recipes_dir=recipes)
    assert set(preview.rows["indicator_id"]) == {"good_air_quality_days_ratio"}
    preview = prepare_import(path, catalogue, store, recipe="air", recipes_dir=recipes,
                             overrides=OverrideText(indicators=["非化石能源消费比重"]))
    assert set(preview.rows["indicator_id"]) == {"non_fossil_energy_consumption_share"}


def test_a_recipe_file_with_unknown_keys_is_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text("name: bad\nfingerprint: x\noverrides: {indicator: 空气}\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="导入配方文件有误"):
        load_recipe("bad", tmp_path)


def test_a_missing_recipe_names_the_recipes_there_are(tmp_path):
    save_recipe("one", OverrideText(region="天津"), "f" * 16, "x.xlsx", by="t", directory=tmp_path)
    with pytest.raises(LoaderError, match="现有：one"):
        load_recipe("two", tmp_path)


@pytest.mark.parametrize(("path", "name"), [(CITIES, "ceads_city_emissions"),
                                            pytest.param(COUNTIES, "ceads_county_emissions", marks=pytest.mark.slow)])  # 1 MB
def test_shipped_recipes_import_the_ceads_files_in_one_step(path, name, catalogue, store):
    recipe = load_recipe(name, DEFAULT_RECIPES_DIR)
    assert find_recipe(read_workbook(path), DEFAULT_RECIPES_DIR) == recipe
    preview = prepare_import(path, catalogue, store)
    assert preview.recipe == name and set(preview.rows["indicator_id"]) == {"co2_emissions"}
    assert preview.layout == "regions_by_years"


def test_the_import_command_saves_a_recipe_and_the_next_run_uses_it(tmp_path, command):
    env = {"GTM_USER": "测试员", "GTM_DB": str(tmp_path / "cli.duckdb"), "GTM_RECIPES_DIR": str(tmp_path / "recipes")}

    def import_file(*args: str) -> subprocess.CompletedProcess[str]:
        return command("loaders", "import", *args, env=env)

    first = import_file(str(yearbook(tmp_path / "2021.xlsx", 2021, [("天津", 70.0)])), "--indicator", AIR, "--save-recipe", "年鉴表1",
                        "--dry-run")
    assert first.returncode == 0, first.stderr
    assert "已保存导入配方“年鉴表1”" in first.stdout and (tmp_path / "recipes" / "年鉴表1.yaml").is_file()
    second = import_file(str(yearbook(tmp_path / "2022.xlsx", 2022, [("天津", 71.0)])), "--json")
    assert second.returncode == 0, second.stderr
    result = json.loads(second.stdout)
    assert result["recipe"] == "年鉴表1" and result["counts"]["new"] == 4 and result["layout"] == "regions_by_years"
