"""Methodology §8 through the catalogue, `status` and `status --json`: the plan's issue year (§8.1), bounded
shares (§8.2), still-needed in natural units (§8.4), provisional figures (§8.5), relative and "左右" targets (§8.6).

Expected figures are hand-computed (arithmetic next to them); the engine's own rules are in test_methodology_v2.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from indicators.catalogue import Target, load_catalogue, validate_catalogue
from indicators.status import CONTRACT_KEYS, EXTRA_KEYS, assess_inputs, build_inputs
from tests.conftest import edit_yaml, write_xlsx

NEW_JSON_KEYS = ("required_annual_change", "required_annual_change_unit", "provisional", "judged_from")


def observations(rows: list[tuple[str, str, int, int | None, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_id", "indicator_id", "year", "month", "value"])


def status_of(catalogue, rows, plan: str | None = None) -> pd.DataFrame:
    specs, obs = build_inputs(catalogue, observations(rows), plan=plan)
    return assess_inputs(specs, obs).set_index("series_id")


# ---------------------------------------------------------------------------
# §8.1 the plan's year of issue
# ---------------------------------------------------------------------------


def test_lianjiang_through_the_catalogue_is_judged_from_the_zhanjiang_draft_of_2023(catalogue):
    waste = "household_waste_harmless_treatment_rate"
    rows = [("zhanjiang_lianjiang", waste, y, None, v) for y, v in ((2020, 98.0), (2021, 99.0), (2022, 100.0),
                                                                     (2023, 100.0), (2024, 100.0))]
    row = status_of(catalogue, rows, plan="zhanjiang_2023_draft").loc[f"zhanjiang_2023_draft|zhanjiang_lianjiang|{waste}"]
    assert row["issued_year"] == 2023  # date_issued 2023-07-25
    assert row["judged_from"] == 2023
    assert (row["status_barometer"], row["status_ratio"], row["status_anticipated"]) == ("achieved",) * 3
    assert row["projected_value"] <= 100.0 and row["projected_value_linear"] <= 100.0


def test_tianjin_maintain_target_is_judged_from_its_plan_of_2022(catalogue):
    water = "black_odorous_water_bodies_sustained"
    rows = [("tianjin", water, y, None, v) for y, v in ((2020, 20.0), (2021, 24.0), (2022, 26.0), (2023, 26.0))]
    row = status_of(catalogue, rows, plan="tianjin_2022").loc[f"tianjin_2022|tianjin|{water}"]
    assert row["judged_from"] == 2022
    assert str(row["status_barometer"]) == "achieved"  # 2020–2021 (below 26) precede the plan


# ---------------------------------------------------------------------------
# §8.2 bounded shares in the catalogue
# ---------------------------------------------------------------------------


def test_the_catalogue_says_which_indicators_are_bounded_shares(catalogue):
    bounded = {i.id for i in catalogue.indicators.values() if i.bounded}
    assert {"non_fossil_energy_consumption_share", "harbour_craft_shore_power_rate", "good_air_quality_days_ratio",
            "household_waste_harmless_treatment_rate", "strategic_emerging_industry_share"} <= bounded
    not_shares = {"energy_intensity_annual_decline", "co2_intensity_annual_decline",  # annual decline rates in %
                  "energy_intensity_reduction", "co2_intensity_reduction",  # cumulative reductions
                  "high_tech_enterprises", "energy_intensity", "black_odorous_water_bodies_sustained"}
    assert not bounded & not_shares
    assert all(isinstance(i.bounded, bool) for i in catalogue.indicators.values())


def test_an_annual_decline_rate_is_not_a_share_even_without_the_override(data_copy):
    def drop_override(doc):
        for ind in doc["indicators"]:
            ind.pop("bounded", None)

    edit_yaml(data_copy / "indicators.yaml", drop_override)
    catalogue = load_catalogue(data_copy)
    assert catalogue.indicators["energy_intensity_annual_decline"].bounded is False  # it feeds a reduction
    assert catalogue.indicators["non_fossil_energy_consumption_share"].bounded is True  # unit "%"


def test_bounded_is_overridable_per_indicator_and_refused_for_a_reduction(data_copy):
    def edit(doc):
        by_id = {i["id"]: i for i in doc["indicators"]}
        by_id["good_air_quality_days_ratio"]["bounded"] = False
        by_id["energy_intensity_reduction"]["bounded"] = True

    edit_yaml(data_copy / "indicators.yaml", edit)
    catalogue, problems = validate_catalogue(data_copy)
    assert catalogue.indicators["good_air_quality_days_ratio"].bounded is False
    assert problems == ["indicators.yaml: energy_intensity_reduction: 累计降低率不是比重，不能设bounded / a cumulative reduction is not a share"]


# ---------------------------------------------------------------------------
# §8.6 relative and "左右" targets in a plan file
# ---------------------------------------------------------------------------

EXAMPLE_TEXT = "到2025年，空气质量优良天数比例比2020年提高8个百分点以上，非化石能源消费比重达到12%左右。"
EXAMPLE_PLAN = """\
id: example_2024
title_zh: 示例市方案
title_en: Example plan
issuer: 示例市人民政府
date_issued: 2024-01-01
status: 正式
region: tianjin
base_year: 2020
target_year: 2025
source_text: sources/example_city.txt
targets:
  - indicator: good_air_quality_days_ratio
    value: 8
    relative: true
    bound: at_least
    wording: [提高, 以上]
    clause: （二）主要目标
    quote: 空气质量优良天数比例比2020年提高8个百分点以上
  - indicator: non_fossil_energy_consumption_share
    value: 12
    bound: at_least
    wording: [达到, 左右]
    clause: （二）主要目标
    quote: 非化石能源消费比重达到12%左右
"""


@pytest.fixture
def example_catalogue(data_copy: Path):
    (data_copy / "plans" / "sources" / "example_city.txt").write_text(EXAMPLE_TEXT, encoding="utf-8")
    (data_copy / "plans" / "example_2024.yaml").write_text(EXAMPLE_PLAN, encoding="utf-8")
    return load_catalogue(data_copy)


def test_a_plan_with_a_relative_and_an_about_target_validates(example_catalogue):
    air, non_fossil = example_catalogue.plans["example_2024"].targets
    assert air.relative is True and air.value == 8 and not air.about
    assert non_fossil.about is True and not non_fossil.relative


def test_relative_and_about_targets_are_assessed_through_status(example_catalogue):
    rows = [("tianjin", "good_air_quality_days_ratio", 2020, None, 65.0), ("tianjin", "good_air_quality_days_ratio", 2024, None, 69.4),
            ("tianjin", "non_fossil_energy_consumption_share", 2020, None, 9.0),
            ("tianjin", "non_fossil_energy_consumption_share", 2024, None, 11.4)]
    result = status_of(example_catalogue, rows, plan="example_2024")
    air = result.loc["example_2024|tianjin|good_air_quality_days_ratio"]
    assert air["target"] == pytest.approx(73.0) and air["target_delta"] == 8  # 65 + 8
    assert air["completion_progress"] == pytest.approx(0.55)  # (69.4 - 65) / 8
    non_fossil = result.loc["example_2024|tianjin|non_fossil_energy_consumption_share"]
    assert "目标12.0%左右" in non_fossil["explanation_zh"]  # at the indicator's decimals
    assert non_fossil["required_annual_change"] == pytest.approx(0.6)  # (12 - 11.4) / 1, at least 12


def test_a_relative_target_without_the_base_year_is_pending_through_status(example_catalogue):
    rows = [("tianjin", "good_air_quality_days_ratio", 2021, None, 65.0), ("tianjin", "good_air_quality_days_ratio", 2024, None, 69.4)]
    air = status_of(example_catalogue, rows, plan="example_2024").loc["example_2024|tianjin|good_air_quality_days_ratio"]
    assert str(air["status_barometer"]) == "not_set" and pd.isna(air["target"])
    assert "待基期数据" in air["explanation_zh"]


def test_relative_targets_only_for_levels_and_counts_with_a_value(data_copy):
    def edit(plan):
        plan["targets"][4]["relative"] = True  # 生活垃圾无害化处理率保持100%: a maintain target
        plan["targets"][3]["relative"] = True
        plan["targets"][3]["value"] = None
        plan["targets"][3]["value_pending_zh"] = "待定"

    edit_yaml(data_copy / "plans" / "zhanjiang_2023_draft.yaml", edit)
    _, problems = validate_catalogue(data_copy)
    text = "\n".join(problems)
    assert "only level and count targets can be relative" in text and "household_waste" in text
    assert "a relative target needs its change as value" in text
    assert len(problems) == 2


@pytest.mark.parametrize("words", [["左右"], ["大于"], ["不低于"], ["削减"], ["提高", "以上"]])
def test_wording_accepts_the_plans_words_around_a_value(words):
    target = Target(indicator="x", value=1.0, bound="at_least", wording=words, clause="（二）", quote="".join(words))
    assert target.wording == words


# ---------------------------------------------------------------------------
# status --json: every contract key, and the new ones, null where they have no meaning
# ---------------------------------------------------------------------------


def test_status_json_adds_the_new_keys_with_natural_units_and_nulls(tmp_path, command):
    db = tmp_path / "cli.duckdb"
    rows = [["天津市", "工业战略性新兴产业增加值占规模以上工业增加值比重", y, None, v, "%", "正式", "公报", None]
            for y, v in ((2020, 26.1), (2024, 30.2))]
    rows += [["天津市", "国家高新技术企业数量", y, None, v, "家", "正式", "公报", None] for y, v in ((2020, 7420), (2023, 10900))]
    rows += [["廉江市", "生活垃圾无害化处理率", y, None, v, "%", "正式", "公报", None]
             for y, v in ((2020, 98.0), (2021, 99.0), (2022, 100.0), (2023, 100.0), (2024, 100.0))]
    rows += [["天津市", "空气质量优良天数比例", 2020, None, 65.0, "%", "正式", "公报", None],
             ["天津市", "空气质量优良天数比例", 2025, 9, 68.9, "%", "初步", "公报", "1-9月"]]
    env = {"GTM_DB": str(db), "GTM_USER": "tester"}
    assert command("loaders", "import", str(write_xlsx(tmp_path / "rows.xlsx", rows)), env=env).returncode == 0
    run = command("indicators", "status", "--json", env=env)
    assert run.returncode == 0, run.stderr
    records = json.loads(run.stdout)
    for record in records:
        assert list(record)[: len(CONTRACT_KEYS)] == list(CONTRACT_KEYS)
        assert set(EXTRA_KEYS) <= set(record) and set(NEW_JSON_KEYS) <= set(record)
        assert isinstance(record["provisional"], bool)
    by = {(r["region"], r["indicator"]): r for r in records}
    strategic = by["tianjin", "strategic_emerging_industry_share"]
    assert (round(strategic["required_annual_change"], 2), strategic["required_annual_change_unit"]) == (9.8, "个百分点/年")
    assert round(strategic["required_annual_rate"], 2) == 32.45  # (40/30.2 - 1): kept beside it
    assert strategic["judged_from"] is None and strategic["bounded"] is True
    enterprises = by["tianjin", "high_tech_enterprises"]
    assert (round(enterprises["required_annual_change"], 6), enterprises["required_annual_change_unit"]) == (350.0, "家/年")
    lianjiang = by["zhanjiang_lianjiang", "household_waste_harmless_treatment_rate"]
    assert lianjiang["status"] == {"barometer": "achieved", "ratio": "achieved", "anticipated": "achieved"}
    assert lianjiang["judged_from"] == 2023
    assert lianjiang["completion_progress"] is None and lianjiang["required_annual_change"] is None
    assert lianjiang["required_annual_change_unit"] is None and lianjiang["projected_value"] == 100.0
    air = by["tianjin", "good_air_quality_days_ratio"]
    assert air["provisional"] is True and (air["latest_year"], air["latest_month"]) == (2025, 9)
    assert air["status"] == {"barometer": "green", "ratio": "on_track", "anticipated": "on_track"}
    assert "阶段性（1—9月）" in air["explanation_zh"]
    no_data = by["tianjin", "forest_coverage_first_level_zone"]
    assert no_data["provisional"] is False and no_data["required_annual_change"] is None
