"""The catalogue: every quantified target of both plans, validated, traceable to the plan text."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from indicators.catalogue import Indicator, load_catalogue, validate_catalogue
from tests.conftest import edit_yaml

# Every quantified target in the two plans, read end to end: (plan, indicator, value, bound).
EXPECTED_TARGETS = {
    ("tianjin_2022", "strategic_emerging_industry_share", 40, "at_least"),
    ("tianjin_2022", "high_tech_enterprises", 11600, "at_least"),
    ("tianjin_2022", "non_fossil_energy_consumption_share", 11.5, "at_least"),
    ("tianjin_2022", "energy_intensity_reduction", 14.5, "at_least"),
    ("tianjin_2022", "good_air_quality_days_ratio", 68, "at_least"),
    ("tianjin_2022", "livestock_manure_utilisation_rate", 90, "at_least"),
    ("tianjin_2022", "crop_straw_utilisation_rate", 98, "at_least"),
    ("tianjin_2022", "leading_agri_enterprises", 150, "at_least"),
    ("tianjin_2022", "agri_industrialisation_consortia", 20, "at_least"),
    ("tianjin_2022", "harbour_craft_shore_power_rate", 100, "at_least"),
    ("tianjin_2022", "black_odorous_water_bodies_sustained", 26, "maintain"),
    ("tianjin_2022", "forest_coverage_first_level_zone", 25, "at_least"),
    ("zhanjiang_2023_draft", "energy_intensity_reduction", 14, "at_least"),
    ("zhanjiang_2023_draft", "co2_intensity_reduction", None, "at_least"),
    ("zhanjiang_2023_draft", "non_fossil_capacity_share", 49.8, "at_least"),
    ("zhanjiang_2023_draft", "central_city_sewage_treatment_rate", 98, "at_least"),
    ("zhanjiang_2023_draft", "household_waste_harmless_treatment_rate", 100, "maintain"),
}


def test_every_catalogue_file_is_valid():
    _, problems = validate_catalogue()
    assert problems == [], "\n".join(problems)


def test_catalogue_holds_every_quantified_target_of_both_plans(catalogue):
    found = {(p.id, t.indicator, t.value, t.bound) for p, t in catalogue.plan_targets()}
    assert found == EXPECTED_TARGETS


def test_target_whose_value_is_set_elsewhere_is_listed_with_its_value_left_open(catalogue):
    co2 = next(t for p, t in catalogue.plan_targets() if t.indicator == "co2_intensity_reduction")
    assert co2.value is None
    assert "省" in co2.value_pending_zh
    assert co2.quote == "单位地区生产总值二氧化碳排放完成省下达目标任务"


def test_plans_carry_status_dates_and_years(catalogue):
    tianjin, zhanjiang = catalogue.plans["tianjin_2022"], catalogue.plans["zhanjiang_2023_draft"]
    assert (tianjin.status, str(tianjin.date_issued), tianjin.region) == ("正式", "2022-03-25", "tianjin")
    assert (zhanjiang.status, str(zhanjiang.date_issued), zhanjiang.region) == ("征求意见稿", "2023-07-25", "zhanjiang")
    assert all((p.base_year, p.target_year) == (2020, 2025) for p in catalogue.plans.values())


def test_targets_name_the_departments_the_plan_names(catalogue):
    by_indicator = {t.indicator: t for p, t in catalogue.plan_targets() if p.id == "tianjin_2022"}
    assert by_indicator["harbour_craft_shore_power_rate"].all_departments == ["市交通运输委", "天津海事局", "滨海新区人民政府", "天津港集团"]
    assert by_indicator["energy_intensity_reduction"].all_departments == ["市发展改革委", "各区人民政府"]
    assert by_indicator["good_air_quality_days_ratio"].all_departments == []  # the plan names none


def test_cumulative_reductions_name_their_input_series(catalogue):
    energy = catalogue.indicators["energy_intensity_reduction"]
    assert energy.inputs.annual_rate == "energy_intensity_annual_decline"
    assert energy.inputs.level == "energy_intensity"
    assert catalogue.find_indicator("万元地区生产总值能耗下降") == "energy_intensity_annual_decline"
    assert catalogue.find_indicator("单位地区生产总值能耗下降率") == "energy_intensity_annual_decline"


@pytest.mark.parametrize("form", ["天津", "天津市", "120000", 120000, 120000.0, "Tianjin", "１２００００"])
def test_tianjin_is_found_by_every_common_form(catalogue, form):
    assert catalogue.find_region(form) == "tianjin"


@pytest.mark.parametrize("form", ["湛江", "湛江市", "广东湛江", "440800", "Zhanjiang"])
def test_zhanjiang_is_found_by_every_common_form(catalogue, form):
    assert catalogue.find_region(form) == "zhanjiang"


def test_districts_have_room_with_parents_and_former_codes(catalogue):
    assert catalogue.find_region("440883") == "zhanjiang_wuchuan"
    assert catalogue.regions["zhanjiang_wuchuan"].parent == "zhanjiang"
    assert catalogue.find_region("120225") == "tianjin_jizhou"  # 蓟县's code before 2016


def test_model_refuses_unknown_keys():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Indicator.model_validate({
            "id": "x", "name_zh": "x", "name_en": "x", "unit": "%", "direction": "higher", "kind": "level",
            "area": "energy", "decimals": 1, "colour": "red",
        })


def test_validation_reports_every_problem_in_every_file_at_once(data_copy):
    def break_tianjin(plan):
        plan["typo_key"] = 1

    def break_indicators(doc):
        doc["indicators"][0]["area"] = "nowhere"

    edit_yaml(data_copy / "plans" / "tianjin_2022.yaml", break_tianjin)
    edit_yaml(data_copy / "indicators.yaml", break_indicators)
    _, problems = validate_catalogue(data_copy)
    text = "\n".join(problems)
    assert "typo_key" in text  # the unknown key is reported ...
    assert "unknown area 'nowhere'" in text  # ... together with the problem in the other file


def test_broken_twin_of_a_plan_reports_quote_indicator_and_wording(data_copy):
    def break_zhanjiang(plan):
        plan["targets"][0]["quote"] = "单位地区生产总值能耗强度下降15%"
        plan["targets"][2]["indicator"] = "no_such_indicator"
        plan["targets"][3]["wording"] = ["保持"]

    edit_yaml(data_copy / "plans" / "zhanjiang_2023_draft.yaml", break_zhanjiang)
    _, problems = validate_catalogue(data_copy)
    text = "\n".join(problems)
    assert "与原文不符" in text and "15%" in text
    assert "no_such_indicator" in text and "未知指标" in text
    assert "措辞'保持'不在引文中" in text
    assert len(problems) == 3


def test_a_third_citys_plan_is_added_by_dropping_a_yaml_file(data_copy):
    (data_copy / "plans" / "sources" / "example_city.txt").write_text("到2025年，空气质量优良天数比例达到80%。", encoding="utf-8")
    (data_copy / "plans" / "example_2024.yaml").write_text(
        "id: example_2024\ntitle_zh: 示例市方案\ntitle_en: Example plan\nissuer: 示例市人民政府\n"
        "date_issued: 2024-01-01\nstatus: 正式\nregion: tianjin\nbase_year: 2020\ntarget_year: 2025\n"
        "source_text: sources/example_city.txt\ntargets:\n"
        "  - indicator: good_air_quality_days_ratio\n    value: 80\n    bound: at_least\n    wording: [达到]\n"
        "    clause: （二）主要目标\n    quote: 空气质量优良天数比例达到80%\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(data_copy)
    assert set(catalogue.plans) == {"tianjin_2022", "zhanjiang_2023_draft", "example_2024"}
    assert catalogue.plans["example_2024"].targets[0].value == 80


def test_every_model_names_itself_in_either_language(catalogue):
    named = [*catalogue.areas.values(), *catalogue.indicators.values(), *catalogue.regions.values()]
    for model in named:
        assert (model.name("zh"), model.name("en")) == (model.name_zh, model.name_en)
    for plan in catalogue.plans.values():
        assert (plan.name("zh"), plan.name("en")) == (plan.title_zh, plan.title_en)
