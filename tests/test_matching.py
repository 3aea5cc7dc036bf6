"""Labels → catalogue ids, units → the indicator's unit, values the unit rules out."""

from __future__ import annotations

import numpy as np
import pytest

from loaders.matching import Matcher, impossible_values, label_variants, looks_like_code, unit_factor


@pytest.fixture(scope="module")
def matcher(catalogue) -> Matcher:
    return Matcher(catalogue)


@pytest.mark.parametrize("label", ["一、空气质量优良天数比例(%)", "  #空气质量优良天数比例（%） Share of good days", "2.空气质量优良天数比例①",
                                   "Share of days with good air quality"])
def test_indicator_labels_match_after_numbering_units_english_and_note_marks_are_stripped(label, matcher):
    assert matcher.indicator(label) == "good_air_quality_days_ratio"


def test_a_stray_latin_letter_is_not_an_english_translation(matcher):
    assert "空气质量优良天数比率X" in label_variants("空气质量优良天数比率X")
    assert matcher.indicator("空气质量优良天数比率X") is None
    assert matcher.suggest_indicators("空气质量优良天数比率X")[0] == "空气质量优良天数比例"


@pytest.mark.parametrize(("label", "region"), [
    ("天津", "tianjin"), (120000, "tianjin"), (120000.0, "tianjin"), ("120000", "tianjin"),
    ("广东湛江", "zhanjiang"), ("广东省湛江市", "zhanjiang"), (120221, "tianjin_ninghe"), ("天津和平", "tianjin_heping"),
])
def test_regions_match_by_name_alias_code_former_code_and_province_prefix(label, region, matcher):
    assert matcher.region(label).region_id == region


def test_a_city_prefixed_with_another_province_does_not_match(matcher):
    assert matcher.region("江苏湛江").region_id is None


def test_a_suffixed_text_code_never_matches_the_bare_code(matcher):
    assert matcher.region("120101（2）").reason == "suffixed_code"
    assert looks_like_code("320211（2）") and not looks_like_code("999999")


def test_a_bare_district_name_needs_its_city_in_the_context_unless_strict(matcher):
    assert matcher.region("和平区").reason == "ambiguous"
    assert matcher.region("和平区", ["天津市各区主要指标"]).region_id == "tianjin_heping"
    assert matcher.region("和平区", strict=True).region_id == "tianjin_heping"
    assert matcher.region("和平区", ["沈阳市"]).reason == "ambiguous"


@pytest.mark.parametrize(("unit", "indicator", "factor"), [
    ("百万吨", "co2_emissions", 1.0), ("Mt CO2", "co2_emissions", 1.0), ("million tones", "co2_emissions", 1.0),
    ("万吨", "co2_emissions", 0.01), ("吨二氧化碳", "co2_emissions", 1e-6), ("比例", "good_air_quality_days_ratio", 100.0),
    ("千克标准煤/元", "energy_intensity", 10.0), ("吨", "high_tech_enterprises", None), ("Million tons", "co2_intensity", None),
])
def test_units_convert_only_when_they_measure_the_same_thing(unit, indicator, factor, catalogue):
    result = unit_factor(unit, catalogue.indicators[indicator])
    assert result == (pytest.approx(factor) if factor is not None else None)


def test_impossible_values_depend_on_the_indicator(catalogue):
    ids = np.array(["good_air_quality_days_ratio", "energy_intensity_annual_decline", "high_tech_enterprises",
                    "high_tech_enterprises", "co2_emissions", "good_air_quality_days_ratio"], dtype=object)
    values = np.array([150.0, -2.5, -3.0, 12.5, -1.0, 100.0])
    broken = impossible_values(ids, values, catalogue)
    assert broken["above_max"].tolist() == [True, False, False, False, False, False]  # a share above 100%
    assert broken["below_min"].tolist() == [False, False, True, False, True, False]  # a decline may be negative; counts may not
    assert broken["fraction"].tolist() == [False, False, False, True, False, False]  # 12.5 enterprises


def test_a_real_region_the_catalogue_does_not_track_is_named_as_such(matcher):
    match = matcher.region("石家庄")
    assert match.region_id is None and match.reason == "unknown"
    assert match.registered == ("河北省石家庄市（130100）",)
    zh, en = matcher.unknown_region_text("石家庄")
    assert "是真实地区" in zh and "尚未纳入" in zh and "130100" in zh and "does not track yet" in en
    assert matcher.region("130100").registered == ("河北省石家庄市（130100）",)


def test_a_made_up_region_is_still_unknown_with_suggestions(matcher):
    assert matcher.region("天律市").registered == ()
    zh, _en = matcher.unknown_region_text("天律市")
    assert "不在地区目录中" in zh and "真实地区" not in zh
