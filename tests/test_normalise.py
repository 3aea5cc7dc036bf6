"""loaders.normalise: every accepted spelling of numbers, years, labels and units, and the rejected ones."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from loaders.normalise import (
    YEAR_MIN,
    LabelParts,
    NotANumber,
    NumberWithUnit,
    canonical_unit,
    conversion_factor,
    is_missing,
    label_parts,
    looks_like_unit,
    match_form,
    normalise_text,
    parse_number,
    parse_number_with_unit,
    parse_unit_line,
    parse_year,
    split_bilingual,
    split_label_unit,
    strip_numbering,
    year_max,
)

# ---------------------------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------------------------

NUMBERS = [
    (123, 123.0), (1.5, 1.5), (-0.0, 0.0), (1e-05, 1e-05),  # the repo author's placeholder in 2.xls stays a number
    ("-677.22", -677.22),  # number stored as text (0401.xls)
    (" 42 ", 42.0), ("+3", 3.0), (".5", 0.5), ("5.", 5.0), ("1e-05", 1e-05), ("2.5E+3", 2500.0),
    ("１２３．５", 123.5), ("－5", -5.0), ("\u22125", -5.0),  # full-width digits and point; full-width and math minus
    ("1,234", 1234.0), ("1，234", 1234.0), ("１，２３４", 1234.0), ("1,234,567.89", 1234567.89),
    ("20 908", 20908.0), ("20\u00a0908", 20908.0), ("12 345 678", 12345678.0),  # spaced thousands (fu04.xls)
    ("12.3%", 12.3), ("12.3％", 12.3), ("68 %", 68.0), ("-1.5%", -1.5),
]
MISSING = ["", " ", "\u3000", "—", "——", "-", "--", "…", "……", "...", "／", "/", "NA", "n.a.", "N/A", "无", "暂无", None,
           math.nan]
NOT_NUMBERS = [
    ("0.2857～0.4286", "范围"), ("8 363～12 545", "范围"), ("2021-2025", "范围"), ("1-5", "范围"),
    ("abc", "无法识别的文字"), ("1,23", "无法识别的文字"), ("1.2.3", "无法识别的文字"), ("(5)", "无法识别的文字"),
    ("%", "无法识别的文字"), ("20 908 千焦 / (5 000 千卡) / 千克", "无法识别的文字"),
    ("12.5万吨", "单位“万吨”"), ("0.7143 千克标准煤 / 千克", "单位“千克标准煤/千克”"),
    ("123.4①", "带圈的数字"), ("10⁴", "上标"), ("⑴", "带圈的数字"),  # NFKC would silently make these 123.41, 104, (1)
    (True, "逻辑值"), (False, "逻辑值"), (math.inf, "无穷大"), (dt.date(2021, 1, 1), "日期"), (dt.datetime(2021, 1, 1), "日期"),
]


@pytest.mark.parametrize(("cell", "expected"), NUMBERS)
def test_parse_number_accepts(cell: object, expected: float) -> None:
    assert parse_number(cell) == pytest.approx(expected)


@pytest.mark.parametrize("cell", MISSING)
def test_parse_number_reads_missing_markers_as_none(cell: object) -> None:
    assert parse_number(cell) is None
    assert is_missing(cell)


@pytest.mark.parametrize(("cell", "reason"), NOT_NUMBERS)
def test_parse_number_rejects_with_a_reason(cell: object, reason: str) -> None:
    with pytest.raises(ValueError, match="无法识别为数字") as caught:
        parse_number(cell)
    assert isinstance(caught.value, NotANumber)
    assert reason in str(caught.value)
    assert caught.value.reason_en


@pytest.mark.parametrize(("cell", "expected"), [
    ("12.3%", NumberWithUnit(12.3, "%")), ("12.3％", NumberWithUnit(12.3, "%")), ("12.3", NumberWithUnit(12.3)),
    (0.68, NumberWithUnit(0.68)), ("—", NumberWithUnit(None)),
    ("12.5万吨", NumberWithUnit(12.5, "万吨")), ("0.7143 千克标准煤 / 千克", NumberWithUnit(0.7143, "千克标准煤/千克")),
    ("20 908 千焦", NumberWithUnit(20908.0, "千焦")), ("1,234.5 亿元", NumberWithUnit(1234.5, "亿元")),
])
def test_parse_number_with_unit_reports_the_unit_written_after_the_number(cell: object, expected: NumberWithUnit) -> None:
    assert parse_number_with_unit(cell) == expected


def test_percent_flag_tells_percent_from_plain_number() -> None:
    assert parse_number_with_unit("12.3%").percent
    assert not parse_number_with_unit("12.3").percent


@pytest.mark.parametrize("cell", ["0.2857～0.4286", "abc", True])
def test_parse_number_with_unit_still_rejects_non_numbers(cell: object) -> None:
    with pytest.raises(NotANumber):
        parse_number_with_unit(cell)


@pytest.mark.parametrize("cell", [0, 0.0, "0", "x", "N", 12])
def test_is_missing_is_false_for_values(cell: object) -> None:
    assert not is_missing(cell)


# ---------------------------------------------------------------------------------------------------------------
# Years
# ---------------------------------------------------------------------------------------------------------------

YEARS = [
    (2021, 2021), (2021.0, 2021), ("2021", 2021), ("2021年", 2021), ("2021年度", 2021), ("C2021", 2021),
    ("c1997", 1997), (" 2021 ", 2021), ("２０２１", 2021), ("2021.0", 2021), (1995.0, 1995), ("1997", 1997),
    (YEAR_MIN, YEAR_MIN),
]
NOT_YEARS = [
    2021.5, "2021.5", "1948", 1948, "21", "20210", "2021-2025", "2021年1-6月", "CC2021", "abc", "", None, True,
    dt.date(2021, 1, 1), 1e20,
]


@pytest.mark.parametrize(("cell", "expected"), YEARS)
def test_parse_year_accepts(cell: object, expected: int) -> None:
    assert parse_year(cell) == expected


@pytest.mark.parametrize("cell", NOT_YEARS)
def test_parse_year_rejects(cell: object) -> None:
    assert parse_year(cell) is None


def test_plausible_years_run_to_next_year() -> None:
    assert year_max() == dt.date.today().year + 1
    assert parse_year(year_max()) == year_max()
    assert parse_year(year_max() + 1) is None
    assert parse_year(str(year_max() + 1)) is None


# ---------------------------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------------------------

LABEL_UNITS = [
    ("能源消费总量 (万吨标煤)", ("能源消费总量", "万吨标煤")),
    ("构成(%)", ("构成", "%")),
    ("比重（%）", ("比重", "%")),
    ("森林覆盖率（％） ", ("森林覆盖率", "%")),
    ("天然气 (亿立方米)", ("天然气", "亿立方米")),
    ("能源消费总量 (万吨标煤) (电热当量计算法)", ("能源消费总量 (电热当量计算法)", "万吨标煤")),
    ("构成 (电热当量计算法) (%)", ("构成 (电热当量计算法)", "%")),
    ("煤炭 (万吨)  Coal (104 tn)", ("煤炭 Coal", "万吨")),
    ("Total  Energy  Consumption  (104 tce)", ("Total Energy Consumption", "104 tce")),
    ("Unit (Million tons)", ("Unit", "Million tons")),
    ("单位GDP能耗【吨标准煤/万元】", ("单位GDP能耗", "吨标准煤/万元")),
    ("调出量(-)", ("调出量(-)", None)),  # a sign convention, not a unit
    ("库存增(-)、减(+)量", ("库存增(-)、减(+)量", None)),
    ("(coal equivalent calculation)", ("(coal equivalent calculation)", None)),
    ("能源合计", ("能源合计", None)),
    (None, ("", None)),
]


@pytest.mark.parametrize(("label", "expected"), LABEL_UNITS)
def test_split_label_unit(label: object, expected: tuple[str, str | None]) -> None:
    assert split_label_unit(label) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("万吨标煤", True), ("%", True), ("亿千瓦时", True), ("104 tn", True), ("Mt CO2", True), ("微克/立方米", True),
    ("电热当量计算法", False), ("-", False), ("+", False), ("coal equivalent", False), ("", False), ("注1", False),
])
def test_looks_like_unit(text: str, expected: bool) -> None:
    assert looks_like_unit(text) is expected


NUMBERED_LABELS = [
    ("一.可供本地区消费的能源量", ("可供本地区消费的能源量", 0), "一.", 1, False),
    ("五、平衡差额", ("平衡差额", 0), "五、", 1, False),
    ("  (一)采掘业", ("采掘业", 1), "(一)", 2, False),
    ("（一）采掘业", ("采掘业", 0), "（一）", 2, False),
    ("1.一次能源生产量", ("一次能源生产量", 0), "1.", 3, False),
    ("3.进 口 量", ("进口量", 0), "3.", 3, False),
    ("(1)火电", ("火电", 0), "(1)", 4, False),
    ("①煤炭", ("煤炭", 0), "①", 5, False),
    ("  水电", ("水电", 1), None, 0, False),
    ("    煤炭开采和洗选业", ("煤炭开采和洗选业", 2), None, 0, False),
    ("\u3000\u3000煤炭开采和洗选业", ("煤炭开采和洗选业", 2), None, 0, False),
    ("#焦炭再投入量(-)", ("焦炭再投入量(-)", 0), None, 0, True),
    ("＃焦炭", ("焦炭", 0), None, 0, True),
    ("其中：工业", ("工业", 0), None, 0, True),
    ("1.5%增长", ("1.5%增长", 0), None, 0, False),  # a number, not numbering
    ("2023年", ("2023年", 0), None, 0, False),
    ("十一五规划", ("十一五规划", 0), None, 0, False),
]


@pytest.mark.parametrize(("label", "stripped", "marker", "rank", "of_which"), NUMBERED_LABELS)
def test_strip_numbering_and_label_parts(label: str, stripped: tuple[str, int], marker: str | None, rank: int,
                                         of_which: bool) -> None:
    assert strip_numbering(label) == stripped
    parts = label_parts(label)
    assert (parts.marker, parts.rank, parts.of_which) == (marker, rank, of_which)


def test_label_parts_keeps_footnote_marks_apart() -> None:
    assert label_parts("水电①") == LabelParts("水电", 0, None, 0, False, "①")
    assert label_parts("工业*").footnote == "*"


@pytest.mark.parametrize(("label", "expected"), [
    ("能源合计 Energy Total", ("能源合计", "Energy Total")),
    ("煤炭 (万吨)  Coal (104 tn)", ("煤炭 (万吨)", "Coal (104 tn)")),
    ("项   目    Item", ("项目", "Item")),
    ("DISTCODE地区代码", ("DISTCODE地区代码", None)),
    ("单位GDP能耗", ("单位GDP能耗", None)),
    ("Coal Total", ("Coal Total", None)),
])
def test_split_bilingual(label: str, expected: tuple[str, str | None]) -> None:
    assert split_bilingual(label) == expected


# ---------------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "normalised", "key"), [
    ("５-４  分 行 业 能 源 消 费 总 量", "5-4 分行业能源消费总量", "5-4分行业能源消费总量"),
    ("项    目", "项目", "项目"),
    ("Coal  Total ", "Coal Total", "coaltotal"),
    ("ＰＭ２．５浓度", "PM2.5浓度", "pm2.5浓度"),
    ("\u3000天津\u3000", "天津", "天津"),
    ("水电①", "水电", "水电"),  # a note mark, not the digit 1
    (None, "", ""),
    (2021.0, "2021.0", "2021.0"),
])
def test_normalise_text_and_match_form(text: object, normalised: str, key: str) -> None:
    assert normalise_text(text) == normalised
    assert match_form(text) == key


# ---------------------------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "unit"), [
    ("单位:万吨标准煤", "万吨标准煤"), ("单位：万吨标准煤", "万吨标准煤"), ("单位:万吨标准煤  ", "万吨标准煤"),
    ("计量单位：%", "%"), ("单  位：亿元", "亿元"), ("单位：万吨标准煤    (10 000 tce)", "万吨标准煤"),
    ("Unit: %", "%"), ("Unit (Million tons)", "Million tons"),
])
def test_parse_unit_line(cell: str, unit: str) -> None:
    assert parse_unit_line(cell) == unit


@pytest.mark.parametrize("cell", ["能源消费总量", "单位GDP能耗", "单位：", None, 5, "Unit/单位"])
def test_parse_unit_line_rejects_other_cells(cell: object) -> None:
    assert parse_unit_line(cell) is None


@pytest.mark.parametrize(("unit", "canonical"), [
    ("％", "%"), ("%", "%"), ("百分比", "%"), ("(%)", "%"), ("比值", "比例"), ("ratio", "比例"),
    ("万吨标煤", "万吨标准煤"), ("10 000 tce", "万吨标准煤"), ("104 tce", "万吨标准煤"), ("tce", "吨标准煤"),
    ("吨标煤/万元", "吨标准煤/万元"), ("tce/万元", "吨标准煤/万元"), ("（万吨）", "万吨"), ("104 tn", "万吨"),
    ("108 cu.m", "亿立方米"), ("108 kW•h", "亿千瓦时"), ("亿kWh", "亿千瓦时"), ("Mt CO2", "百万吨二氧化碳"),
    ("million tones", "百万吨"), ("μg/m³", "微克/立方米"), ("ug/m3", "微克/立方米"), ("公斤", "千克"),
    ("家", "家"), ("个", "个"), ("吨二氧化碳/万元", "吨二氧化碳/万元"),
])
def test_canonical_unit(unit: str, canonical: str) -> None:
    assert canonical_unit(unit) == canonical


@pytest.mark.parametrize(("source", "target", "factor"), [
    ("人", "万人", 1e-4), ("万人", "人", 1e4), ("吨", "万吨", 1e-4), ("万吨", "吨", 1e4),
    ("比例", "%", 100.0), ("ratio", "％", 100.0), ("%", "比例", 0.01), ("‰", "%", 0.1),
    ("万吨标煤", "吨标准煤", 1e4), ("千克标准煤/元", "吨标准煤/万元", 10.0), ("百万吨", "万吨", 100.0),
    ("Mt CO2", "万吨二氧化碳", 100.0), ("μg/m3", "mg/m3", 1e-3), ("亿元", "万元", 1e4), ("%", "％", 1.0),
    ("家", "家", 1.0),
])
def test_conversion_factor_for_convertible_units(source: str, target: str, factor: float) -> None:
    assert conversion_factor(source, target) == pytest.approx(factor)


@pytest.mark.parametrize(("source", "target"), [
    ("家", "个"), ("吨", "吨标准煤"), ("%", "万吨"), ("百分点", "%"), ("吨标准煤/万元", "吨二氧化碳/万元"),
    ("人", "万人次"), ("foo", "bar"),
])
def test_conversion_factor_refuses_incompatible_units(source: str, target: str) -> None:
    assert conversion_factor(source, target) is None
