"""Every text that names a method's threshold is built from the engine's constants: today's texts come out
byte for byte, and another constant would change them."""

from __future__ import annotations

import pandas as pd

from indicators.display.labels import METHOD_BASIS, method_rules
from indicators.progress import TargetSpec, assess_frame, spec_record
from indicators.progress.reason_texts import anticipated_bands, barometer_limits, no_target_thresholds, ratio_bands
from indicators.progress.rules import decimal_text, percent_text
from ui.i18n import TEXTS

# The texts as they were typed before the thresholds came from the constants.
OLD_METHOD_BASIS = {
    "barometer": {
        "zh": "国家发展改革委能耗双控晴雨表（发改办环资〔2020〕901号）：达到当年进度目标为绿灯；未达到且差距不超过进度目标的10%为黄灯；"
              "超过10%为红灯。累计降低类按几何路径，其余按线性路径。",
        "en": "NDRC barometer (NDRC document “发改办环资〔2020〕901号” (original text)): "
              "green when this year's progress target is met; yellow when short by at most "
              "10% of it; red beyond 10%.",
    },
    "ratio": {
        "zh": "增长率比值法（Statistics Canada / Eurostat）：R≥0.95符合进度；0.60–0.95需加快；0–0.60进展有限；R<0倒退。",
        "en": "Growth-rate ratio (Statistics Canada / Eurostat): R ≥ 0.95 on track; 0.60–0.95 acceleration needed; "
              "0–0.60 limited progress; R < 0 deterioration.",
    },
    "anticipated": {
        "zh": "联合国SDG进展图表法：按年均增速推算到目标年，P≥0.95符合进度；0.10–0.95有进展需加快；P<0.10停滞或倒退。",
        "en": "UN SDG Progress Chart: projecting the average growth to the target year, P ≥ 0.95 on track; 0.10–0.95 fair "
              "progress; P < 0.10 stagnation or regression.",
    },
}
OLD_METHOD_NOTES = {
    "method_note_barometer": {
        "zh": "状态依据：国家发展改革委能耗双控晴雨表（发改办环资〔2020〕901号）——达到当年进度目标为绿灯；"
              "未达到且差距不超过进度目标的10%为黄灯；超过10%为红灯。累计降低类按几何路径，其余按线性路径。",
        "en": "Colours by the NDRC barometer (NDRC document “发改办环资〔2020〕901号” (original text)): "
              "green when this year's progress target is met; "
              "yellow when short by at most 10% of it; red beyond 10%. Geometric path for reductions, linear otherwise.",
    },
    "method_note_ratio": {
        "zh": "状态依据：增长率比值法（Statistics Canada / Eurostat）——R≥0.95符合进度；0.60–0.95需加快；0–0.60进展有限；R<0倒退。",
        "en": "Colours by the growth-rate ratio (Statistics Canada / Eurostat): R ≥ 0.95 on track; 0.60–0.95 acceleration "
              "needed; 0–0.60 limited progress; R < 0 deterioration.",
    },
    "method_note_anticipated": {
        "zh": "状态依据：联合国SDG进展图表法——按年均增速推算到目标年，P≥0.95符合进度；0.10–0.95有进展需加快；P<0.10停滞或倒退。",
        "en": "Colours by the UN SDG Progress Chart method: projecting the average growth to the target year, P ≥ 0.95 on track; "
              "0.10–0.95 fair progress; P < 0.10 stagnation or regression.",
    },
}
OLD_RATIO_BANDS = {
    "on_track": ("（R≥0.95）", " (R≥0.95)"),
    "acceleration_needed": ("（0.60≤R<0.95）", " (0.60≤R<0.95)"),
    "limited": ("（0≤R<0.60）", " (0≤R<0.60)"),
    "deterioration": ("（R<0）", " (R<0)"),
}
OLD_ANTICIPATED_BANDS = {"on_track": "P≥0.95", "fair": "0.10≤P<0.95", "stagnation": "P<0.10"}


def test_thresholds_are_written_as_before():
    assert [decimal_text(v) for v in (0.95, 0.6, 0.1)] == ["0.95", "0.60", "0.10"]
    assert [percent_text(v) for v in (0.10, 0.015, 0.005, 0.2)] == ["10%", "1.5%", "0.5%", "20%"]


def test_method_texts_equal_the_old_literal_texts():
    assert METHOD_BASIS == OLD_METHOD_BASIS
    assert {key: TEXTS[key] for key in OLD_METHOD_NOTES} == OLD_METHOD_NOTES


def test_reason_bands_equal_the_old_literal_texts():
    assert ratio_bands() == OLD_RATIO_BANDS
    assert anticipated_bands() == OLD_ANTICIPATED_BANDS
    assert barometer_limits() == {True: ("超过10%", "above 10%"), False: ("未超过10%", "within 10%")}
    assert no_target_thresholds() == "1.5%/0.5%/0"


def test_the_reasons_name_the_thresholds():
    specs = [spec_record("red", TargetSpec(kind="level", target=11.5, unit="%")),
             spec_record("none", TargetSpec(kind="qualitative", target=None, direction="lower"), "annual_rate")]
    obs = [("red", 2020, 7.0), ("red", 2023, 9.4), ("none", 2021, 3.0), ("none", 2022, 2.0)]
    frame = pd.DataFrame(obs, columns=["series_id", "year", "value"])
    zh, none_zh = assess_frame(pd.DataFrame(specs), frame, reasons=True)["explanation_zh"]
    assert "超过10% → 红灯" in zh and "（R≥0.95）→ 符合进度" in zh  # §8.7: the vocabulary's label
    assert "（阈值1.5%/0.5%/0）" in none_zh


def test_another_constant_changes_the_texts():
    rules = method_rules(red_shortfall=0.2, ratio_on_track=0.9, ratio_acceleration=0.5, anticipated_on_track=0.8,
                         anticipated_fair=0.2)
    assert rules["barometer"]["zh"] == "达到当年进度目标为绿灯；未达到且差距不超过进度目标的20%为黄灯；超过20%为红灯。"
    assert rules["ratio"]["en"] == "R ≥ 0.90 on track; 0.50–0.90 acceleration needed; 0–0.50 limited progress; R < 0 deterioration."
    assert "P≥0.80符合进度；0.20–0.80有进展需加快；P<0.20停滞或倒退" in rules["anticipated"]["zh"]
    assert rules != method_rules()
    assert ratio_bands(0.9, 0.5)["acceleration_needed"] == ("（0.50≤R<0.90）", " (0.50≤R<0.90)")
    assert anticipated_bands(0.8, 0.2) == {"on_track": "P≥0.80", "fair": "0.20≤P<0.80", "stagnation": "P<0.20"}
    assert barometer_limits(0.15)[True] == ("超过15%", "above 15%")
    assert no_target_thresholds(0.02, 0.01) == "2%/1%/0"
