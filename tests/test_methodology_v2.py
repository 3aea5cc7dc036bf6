"""Methodology §8 (rules that keep figures honest), one rule at a time, both directions where that applies.

Every expected figure is worked out by hand from shared/methodology.md (the arithmetic is next to it), never
read back from the engine. The catalogue, `status` and CLI side is in test_methodology_v2_catalogue.py.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators.progress import (
    Point,
    ProgressInputError,
    TargetSpec,
    assess,
    assess_frame,
    chart_lines,
    rollup,
    rules,
    spec_record,
)
from indicators.vocabulary import RATIO_STATUSES, STATUS_ICONS, STATUS_LABELS, STATUSES


def statuses(result) -> tuple[str, str, str]:
    return result.status["barometer"], result.status["ratio"], result.status["anticipated"]


FALLEN = ("red", "deterioration", "stagnation")
LAPSED = ("yellow", "acceleration_needed", "fair")
ACHIEVED = ("achieved",) * 3
PROVISIONAL_MET = ("green", "on_track", "on_track")

# 生活垃圾无害化处理率保持100% (湛江 draft, issued 2023-07-25): judged from max(2021, 2023) = 2023.
WASTE_ZHANJIANG = TargetSpec(kind="maintain", target=100.0, bound="maintain", unit="%", issued_year=2023)
LIANJIANG = [(2020, 98.0), (2021, 99.0), (2022, 100.0), (2023, 100.0), (2024, 100.0)]
# A maintain target of a plan issued in 2022 (天津's plan of March 2022): judged from 2022.
WASTE_2022 = TargetSpec(kind="maintain", target=100.0, bound="maintain", unit="%", issued_year=2022)
AIR = TargetSpec(kind="level", target=68.0, unit="%")  # 空气质量优良天数比例达到68%
PM25 = TargetSpec(kind="level", target=40.0, direction="lower", bound="at_most", unit="微克/立方米")


def frame_row(spec: TargetSpec, points: list[tuple[int, float]]) -> dict[str, object]:
    """One result row as a dict (what pages and chart_lines read)."""
    specs = pd.DataFrame([spec_record("s", spec)])
    obs = pd.DataFrame({"series_id": "s", "year": [y for y, _ in points], "month": None,
                        "value": [v for _, v in points]})
    return assess_frame(specs, obs).iloc[0].to_dict()


# ---------------------------------------------------------------------------
# §8.1 Maintain targets are judged while the plan is in force
# ---------------------------------------------------------------------------


def test_lianjiang_waste_treatment_100_percent_since_the_plan_is_achieved_not_red():
    r = assess(WASTE_ZHANJIANG, LIANJIANG)
    assert statuses(r) == ACHIEVED  # was red / deterioration / stagnation: 2020 (98%) was judged
    assert r.judged_from == 2023
    assert r.score == 5.0
    for figure in (r.completion_progress, r.gap_pp, r.ratio, r.required_annual_rate, r.required_annual_change):
        assert figure is None
    assert r.details["anticipated"]["ant_p"] is None
    assert "自2023年起评判" in r.explanation_zh
    assert "2020—2022年为方案实施前数据，仅作参考、不评判" in r.explanation_zh
    assert "2023—2024年各年均达到99.00 → 各方法均为已完成" in r.explanation_zh


def test_lianjiang_projection_never_passes_100():
    r = assess(WASTE_ZHANJIANG, LIANJIANG)
    # CAGR: 100·(100/98)^(1/4) = 100.51; least squares through 98, 99, 100, 100, 100: 99.4 + 0.5·3 = 100.9
    assert r.projected_value == 100.0
    assert r.projected_value_linear == 100.0
    assert r.bounded is True
    lines = chart_lines(frame_row(WASTE_ZHANJIANG, LIANJIANG))
    assert max(lines.projection_cagr + lines.projection_linear) <= 100.0


def test_maintain_without_an_issue_year_is_judged_from_the_year_after_the_base():
    spec = TargetSpec(kind="maintain", target=100.0, bound="maintain", unit="%")
    r = assess(spec, [(2020, 95.0), (2021, 100.0), (2022, 100.0)])
    assert statuses(r) == ACHIEVED  # 2020 = B is the base, never judged
    assert r.judged_from == 2021


def test_maintain_failing_only_before_the_plan_is_achieved():
    r = assess(WASTE_2022, [(2020, 95.0), (2021, 96.0), (2022, 100.0), (2023, 99.5), (2024, 100.0)])
    assert statuses(r) == ACHIEVED  # 99.5 is within the 1-point tolerance
    assert r.details["maintain"]["maintain_failed_years"] == 0


def test_maintain_that_lapsed_once_and_recovered_is_yellow_and_names_the_lapsed_year():
    r = assess(WASTE_2022, [(2020, 95.0), (2022, 100.0), (2023, 98.5), (2024, 100.0)])
    assert statuses(r) == LAPSED
    assert r.score is None  # R does not apply
    assert r.details["maintain"]["maintain_last_failed_year"] == 2023
    assert r.details["maintain"]["maintain_failed_years"] == 1  # 2020 (95%) is history, not a failure
    assert "2023年为98.50，未达到99.00" in r.explanation_zh
    assert "已恢复达标 → 晴雨表黄灯，增长率比需加快，预期进度有进展需加快" in r.explanation_zh
    assert "2023 was 98.50" in r.explanation_en
    assert r.completion_progress is None and r.required_annual_change is None


def test_maintain_whose_latest_judged_year_fails_is_red_and_names_that_year():
    r = assess(WASTE_2022, [(2020, 100.0), (2022, 100.0), (2023, 100.0), (2024, 98.5)])
    assert statuses(r) == FALLEN
    assert r.score == -5.0
    assert "2024年为98.50，未达到99.00" in r.explanation_zh
    assert "晴雨表红灯，增长率比倒退，预期进度停滞或倒退" in r.explanation_zh


def test_maintain_with_no_judged_year_yet_judges_the_latest_year_before_them():
    kept = assess(WASTE_ZHANJIANG, [(2020, 98.0), (2021, 99.0), (2022, 100.0)])
    assert statuses(kept) == ACHIEVED and kept.judged_from == 2022
    assert "尚无方案实施后的数据，以最近的2022年评判" in kept.explanation_zh
    failed = assess(WASTE_ZHANJIANG, [(2020, 100.0), (2021, 100.0), (2022, 98.0)])
    assert statuses(failed) == FALLEN and failed.judged_from == 2022


# ---------------------------------------------------------------------------
# §8.2 Bounded quantities stay in their range
# ---------------------------------------------------------------------------

SHORE_POWER = TargetSpec(kind="level", target=100.0, unit="%")  # 港作船舶岸电使用率达到100%
SHORE_POINTS = [(2020, 60.0), (2021, 72.0), (2022, 81.0), (2023, 88.0), (2024, 93.0)]


def test_a_share_projected_above_100_is_capped_at_100_before_p():
    r = assess(SHORE_POWER, SHORE_POINTS)
    # CAGR 60 → 93 in 4 years: (93/60)^(1/4) - 1 = 11.578%; 93·1.11578 = 103.77 → 100
    # least squares: mean 78.8, slope 82/10 = 8.2; 78.8 + 8.2·3 = 103.4 → 100
    assert r.projected_value == 100.0 and r.projected_value_linear == 100.0
    assert r.details["anticipated"]["ant_p"] == pytest.approx(1.0)  # (100-60)/(100-60), not 1.094
    assert r.details["data"]["projection_clipped"] is True
    assert r.status["anticipated"] == "on_track"
    assert "推算值以100%为上限" in r.explanation_zh
    lines = chart_lines(frame_row(SHORE_POWER, SHORE_POINTS))
    assert lines.projection_cagr[-1] == 100.0 and max(lines.projection_linear) <= 100.0


def test_a_series_not_bounded_keeps_its_projection():
    unbounded = TargetSpec(kind="level", target=100.0, unit="%", bounded=False)
    r = assess(unbounded, SHORE_POINTS)
    assert r.projected_value == pytest.approx(93 * (93 / 60) ** 0.25)  # 103.77
    assert r.projected_value_linear == pytest.approx(103.4)
    assert r.bounded is False and r.details["data"]["projection_clipped"] is False


def test_a_share_projected_below_0_is_capped_at_0():
    spec = TargetSpec(kind="level", target=2.0, direction="lower", bound="at_most", unit="%")
    r = assess(spec, [(2020, 10.0), (2022, 4.0)])
    # least squares through (0, 10), (2, 4): slope -3 → 10 - 3·5 = -5 → 0
    assert r.projected_value_linear == 0.0
    assert r.projected_value == pytest.approx(4.0 * 0.4 ** 1.5)  # CAGR stays positive: 1.01, unclipped


def test_bounded_follows_the_unit_by_default():
    assert assess(TargetSpec(kind="level", target=11.5, unit="%"), [(2020, 7.0), (2023, 9.4)]).bounded is True
    assert assess(TargetSpec(kind="count", target=150.0, unit="家"), [(2020, 1.0), (2023, 9.0)]).bounded is False
    reduction = TargetSpec(kind="cumulative_reduction", target=14.5, unit="%")
    assert assess(reduction, [(2021, 3.0)], input_form="annual_rate").bounded is False


# ---------------------------------------------------------------------------
# §8.3 A base that already meets the target
# ---------------------------------------------------------------------------


def test_a_base_already_meeting_the_target_that_holds_is_achieved_without_completion():
    r = assess(AIR, [(2020, 70.5), (2022, 71.0), (2024, 74.1)])  # 蓟州-style: 70.5% ≥ 68% in 2020
    assert statuses(r) == ACHIEVED
    assert r.completion_progress is None and r.gap_pp is None  # not (74.1-70.5)/(68-70.5) = -144%
    assert "基期已达到目标" in r.explanation_zh
    assert "完成进度" not in r.explanation_zh.replace("完成进度不适用", "")


def test_a_base_already_meeting_the_target_that_falls_is_red_deterioration_stagnation():
    r = assess(AIR, [(2020, 70.0), (2022, 69.0), (2024, 66.0)])
    assert statuses(r) == FALLEN
    assert r.completion_progress is None and r.gap_pp is None  # not (66-70)/(68-70) = 200%
    assert r.ratio is None and r.details["anticipated"]["ant_p"] is None
    assert r.score == -5.0
    assert "基期已达到目标" in r.explanation_zh and "由达标转为未达标" in r.explanation_zh
    assert r.required_annual_change == pytest.approx(2.0)  # back to 68 in the one year left: (68-66)/1
    assert r.required_annual_change_unit == "个百分点/年"


def test_a_lower_is_better_base_already_meeting_the_target_both_ways():
    assert statuses(assess(PM25, [(2020, 38.0), (2023, 36.0)])) == ACHIEVED
    fell = assess(PM25, [(2020, 38.0), (2023, 42.0)])
    assert statuses(fell) == FALLEN and fell.completion_progress is None


def test_a_base_short_of_the_target_keeps_its_completion():
    r = assess(AIR, [(2020, 66.2), (2024, 70.9)])  # 和平-style: not met in 2020, met in 2024
    assert statuses(r) == ACHIEVED
    assert r.completion_progress == pytest.approx(4.7 / 1.8)  # (70.9-66.2)/(68-66.2)


# ---------------------------------------------------------------------------
# §8.4 What is still needed, in the units people use
# ---------------------------------------------------------------------------


def test_a_share_still_needs_percentage_points_per_year():
    strategic = TargetSpec(kind="level", target=40.0, unit="%")  # 战略性新兴产业 30.2% → 40%, one year left
    r = assess(strategic, [(2020, 26.1), (2022, 27.5), (2024, 30.2)])
    assert r.required_annual_change == pytest.approx(9.8)  # (40 - 30.2) / 1
    assert r.required_annual_change_unit == "个百分点/年"
    assert r.required_annual_rate == pytest.approx((40 / 30.2 - 1) * 100)  # 32.45%/yr stays beside it
    assert "余下1年需年均提高9.80个百分点" in r.explanation_zh
    assert "32.45" not in r.explanation_zh


def test_non_fossil_share_needs_0_65_points_a_year():
    r = assess(TargetSpec(kind="level", target=11.5, unit="%"), [(2020, 7.8), (2023, 10.2)])
    assert r.required_annual_change == pytest.approx(0.65)  # (11.5 - 10.2) / 2
    assert "余下2年需年均提高0.65个百分点" in r.explanation_zh


def test_a_lower_is_better_share_needs_a_fall_in_points():
    spec = TargetSpec(kind="level", target=2.0, direction="lower", bound="at_most", unit="%")
    r = assess(spec, [(2020, 6.0), (2023, 4.0)])
    assert r.required_annual_change == pytest.approx(-1.0)  # (2 - 4) / 2
    assert "余下2年需年均降低1.00个百分点" in r.explanation_zh


def test_a_count_still_needs_units_per_year():
    enterprises = TargetSpec(kind="count", target=11600.0, unit="家")
    r = assess(enterprises, [(2020, 7420.0), (2023, 10900.0)])
    assert r.required_annual_change == pytest.approx(350.0)  # (11600 - 10900) / 2
    assert r.required_annual_change_unit == "家/年"
    assert "余下2年需年均新增350家" in r.explanation_zh


def test_a_reduction_still_needs_k_rem_percent_per_year():
    tianjin = TargetSpec(kind="cumulative_reduction", target=14.5, direction="lower")
    r = assess(tianjin, [(2021, 3.0), (2022, 1.0), (2023, 3.5)], input_form="annual_rate")
    assert r.required_annual_change == pytest.approx(3.95, abs=0.005)  # 1-(0.855/0.92669)^(1/2)
    assert r.required_annual_change_unit == "%/年"
    assert "余下2年需年均下降3.95%" in r.explanation_zh


def test_another_level_still_needs_a_relative_rate():
    r = assess(PM25, [(2020, 48.0), (2023, 45.0)])
    assert r.required_annual_change == pytest.approx(((40 / 45) ** 0.5 - 1) * 100)  # -5.72%/yr
    assert r.required_annual_change_unit == "%/年"
    assert r.required_annual_rate == pytest.approx(-r.required_annual_change)  # positive in the good direction


def test_nothing_is_still_needed_when_met_for_maintain_or_without_time_left():
    assert assess(AIR, [(2020, 65.0), (2023, 69.0)]).required_annual_change is None
    assert assess(WASTE_2022, [(2020, 100.0), (2024, 97.0)]).required_annual_change is None
    last_year = assess(AIR, [(2020, 65.0), (2025, 67.0)])  # T = Y
    assert last_year.required_annual_change is None and last_year.required_annual_change_unit is None


# ---------------------------------------------------------------------------
# §8.5 Data as of, per series; within-year figures are provisional
# ---------------------------------------------------------------------------


def test_a_within_year_figure_that_meets_its_target_is_green_and_provisional_never_achieved():
    r = assess(AIR, [(2020, 65.0), (2024, 69.4), Point(2025, 68.9, month=9)])
    assert statuses(r) == PROVISIONAL_MET
    assert "achieved" not in statuses(r)
    assert r.provisional is True and (r.latest_year, r.latest_month) == (2025, 9)
    assert r.time_progress == pytest.approx(0.95)  # (2025 - 1 - 2020 + 9/12) / 5
    assert r.completion_progress == pytest.approx(1.3)  # (68.9 - 65) / 3
    assert "阶段性（1—9月）" in r.explanation_zh
    assert "provisional (months 1–9)" in r.explanation_en
    assert r.required_annual_change is None  # met


def test_the_same_figure_for_the_whole_year_is_achieved():
    r = assess(AIR, [(2020, 65.0), (2024, 69.4), (2025, 68.9)])
    assert statuses(r) == ACHIEVED and r.provisional is False
    assert "阶段性" not in r.explanation_zh


def test_a_within_year_figure_short_of_the_path_is_judged_on_within_year_time():
    r = assess(AIR, [(2020, 65.0), Point(2024, 66.0, month=6)])
    assert r.time_progress == pytest.approx(0.7)  # (2024 - 1 - 2020 + 6/12) / 5
    # path 65 + 3·0.7 = 67.1; shortfall (67.1 - 66) / (67.1 - 65) = 52.4% > 10%
    assert r.details["barometer"]["bar_shortfall"] == pytest.approx(1.1 / 2.1)
    assert r.status["barometer"] == "red" and r.provisional is True
    assert "阶段性（1—6月）" in r.explanation_zh


def test_a_maintain_target_kept_on_a_within_year_figure_is_green_not_achieved():
    r = assess(WASTE_ZHANJIANG, [*LIANJIANG, Point(2025, 100.0, month=9)])
    assert statuses(r) == PROVISIONAL_MET and r.provisional is True
    assert r.score is None
    assert "阶段性（1—9月）" in r.explanation_zh


# ---------------------------------------------------------------------------
# §8.6 Targets relative to the base, and targets "about" a value
# ---------------------------------------------------------------------------

AIR_PLUS_8 = TargetSpec(kind="level", target=8.0, unit="%", relative=True)  # 比2020年提高8个百分点


def test_a_relative_target_is_the_base_value_plus_n():
    r = assess(AIR_PLUS_8, [(2020, 65.0), (2024, 69.4)])
    assert r.target == pytest.approx(73.0) and r.target_delta == 8.0  # v* = 65 + 8
    assert r.completion_progress == pytest.approx(0.55)  # (69.4 - 65) / 8
    assert r.gap_pp == pytest.approx(-25.0)  # (0.55 - 0.8) · 100
    assert r.details["barometer"]["bar_shortfall"] == pytest.approx(2.0 / 6.4)  # path 65 + 8·0.8 = 71.4
    assert r.status["barometer"] == "red"
    assert r.required_annual_change == pytest.approx(3.6)  # (73 - 69.4) / 1
    assert "相对目标：比2020年提高8个百分点，即73.00%" in r.explanation_zh


def test_a_relative_target_met_is_achieved():
    assert statuses(assess(AIR_PLUS_8, [(2020, 65.0), (2024, 73.5)])) == ACHIEVED


def test_a_relative_lower_is_better_target_is_the_base_value_minus_n():
    spec = TargetSpec(kind="level", target=2.0, direction="lower", bound="at_most", unit="%", relative=True)
    r = assess(spec, [(2020, 10.0), (2023, 9.0)])
    assert r.target == pytest.approx(8.0)  # 10 - 2
    assert r.completion_progress == pytest.approx(0.5)  # (9 - 10) / (8 - 10)
    assert "比2020年降低2个百分点" in r.explanation_zh


def test_a_relative_target_without_the_base_year_value_awaits_it():
    r = assess(AIR_PLUS_8, [(2021, 65.0), (2024, 69.4)])
    assert r.status["barometer"] == "not_set" and r.status["anticipated"] == "not_set"
    assert r.target is None and r.completion_progress is None and r.required_annual_change is None
    assert r.details["data"]["assessability"] == "base_pending"
    assert "待基期数据" in r.explanation_zh
    # the no-target rule still reads the trend: (69.4/65)^(1/3) - 1 = 2.21%/yr ≥ 1.5%
    assert r.status["ratio"] == "on_track"
    assert statuses(assess(AIR_PLUS_8, [])) == ("not_set", "not_assessable", "not_set")


def test_only_level_and_count_targets_can_be_relative():
    with pytest.raises(ProgressInputError):
        TargetSpec(kind="maintain", target=1.0, bound="maintain", relative=True)
    specs = pd.DataFrame([{**spec_record("m", WASTE_2022), "relative": True}])
    with pytest.raises(ProgressInputError, match="m"):
        assess_frame(specs, pd.DataFrame(columns=["series_id", "year", "month", "value"]))


def test_cutting_a_total_is_a_cumulative_reduction_of_that_series():
    coal = TargetSpec(kind="cumulative_reduction", target=6.0, direction="lower")  # 煤炭消费削减6%
    r = assess(coal, [(2020, 4000.0), (2023, 3800.0)], input_form="level")  # 万吨
    assert r.latest_value == pytest.approx(5.0)  # 1 - 3800/4000
    assert r.completion_progress == pytest.approx(5.0 / 6.0)


def test_about_a_value_is_judged_as_at_least_that_value_and_keeps_its_words():
    about = TargetSpec(kind="level", target=68.0, unit="%", about=True)  # 68%左右
    below = assess(about, [(2020, 65.0), (2024, 67.4)])
    assert "achieved" not in statuses(below)
    assert "目标68.00%左右" in below.explanation_zh and "target about 68.00%" in below.explanation_en
    above = assess(about, [(2020, 65.0), (2024, 68.4)])
    assert statuses(above) == ACHIEVED
    assert "已达到目标68.00%左右" in above.explanation_zh
    assert statuses(assess(about, [(2020, 65.0), (2024, 67.9)])) != ACHIEVED  # "about" is not "within"


# ---------------------------------------------------------------------------
# §8.7 One word per status
# ---------------------------------------------------------------------------


def test_reasons_use_the_vocabulary_label_of_every_status():
    cases = [
        (AIR, [(2020, 65.0), (2023, 67.0)]), (AIR, [(2020, 65.0), (2023, 66.6)]), (AIR, [(2020, 65.0), (2023, 65.5)]),
        (PM25, [(2020, 48.0), (2023, 45.0)]),
        (AIR, [(2020, 65.0), (2023, 64.0)]), (TargetSpec(kind="level", target=11.5, unit="%"), [(2020, 7.0), (2023, 9.4)]),
    ]
    seen = set()
    for spec, points in cases:
        r = assess(spec, points)
        for method, word_prefix in (("barometer", "→ "), ("ratio", "→ "), ("anticipated", "→ ")):
            label = STATUS_LABELS[r.status[method]]["zh"]
            assert f"{word_prefix}{label}" in r.explanation_zh, (method, r.explanation_zh)
            seen.add((method, r.status[method]))
        for old in ("正常推进", "需加速", "可如期完成", "有进展需加速"):
            assert old not in r.explanation_zh
    assert {s for m, s in seen if m == "ratio"} == {"on_track", "acceleration_needed", "limited", "deterioration"}


def test_each_method_shows_its_statuses_with_distinct_shapes():
    assert STATUS_ICONS["limited"] == "◆" != STATUS_ICONS["acceleration_needed"]
    for method, keys in STATUSES.items():
        ranked = [k for k in keys if k not in ("not_assessable", "not_set")]
        assert len({STATUS_ICONS[k] for k in ranked}) == len(ranked), method
    assert set(RATIO_STATUSES) <= set(STATUS_LABELS)


def test_thresholds_in_reasons_come_from_the_constants(monkeypatch):
    monkeypatch.setattr(rules, "ZERO_SUBSTITUTE", 0.01)  # the reason texts read the constants where they live
    monkeypatch.setattr(rules, "MIN_TREND_POINTS", 3)
    seedlings = assess(TargetSpec(kind="count", target=150.0, unit="家"), [(2020, 0.0), (2023, 90.0)])
    assert "按0.01代入" in seedlings.explanation_zh
    assert "少于3个" in assess(AIR, [(2023, 60.0)]).explanation_zh
    monkeypatch.undo()
    assert "按0.001代入" in assess(TargetSpec(kind="count", target=150.0, unit="家"),
                                   [(2020, 0.0), (2023, 90.0)]).explanation_zh


def test_every_new_figure_is_present_and_null_where_it_has_no_meaning():
    r = assess(WASTE_ZHANJIANG, LIANJIANG).to_dict()
    for key in ("required_annual_change", "required_annual_change_unit", "provisional", "judged_from", "bounded",
                "target_delta"):
        assert key in r
    assert (r["required_annual_change"], r["required_annual_change_unit"], r["target_delta"]) == (None, None, None)
    assert r["provisional"] is False and r["judged_from"] == 2023
    assert assess(AIR, [(2020, 65.0), (2023, 66.0)]).judged_from is None  # not a maintain target
    assert not math.isnan(assess(AIR, [(2020, 65.0), (2023, 66.0)]).required_annual_change)


def test_rollups_count_provisional_statuses():
    specs = pd.DataFrame([spec_record("a", AIR), spec_record("b", AIR), spec_record("c", PM25)]).assign(area=["x", "x", "y"])
    obs = pd.DataFrame({"series_id": ["a", "a", "b", "b", "c", "c"], "year": [2020, 2025, 2020, 2024, 2020, 2023],
                        "month": [None, 9, None, None, None, None], "value": [65.0, 68.9, 65.0, 66.0, 48.0, 45.0]})
    out = rollup(assess_frame(specs, obs), ["area"], "barometer").set_index("area")
    assert out.loc["x", "n_provisional"] == 1 and out.loc["y", "n_provisional"] == 0
    assert out.loc["x", "n_green"] == 1  # a: 68.9 in 1–9月 meets 68: green, not achieved
