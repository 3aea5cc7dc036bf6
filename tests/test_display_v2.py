"""What pages, deck and images show under methodology §8 (display): still needed in natural units (§8.4), each series'
data year and the honest summary of many (§8.5), the provisional tag and counts, bounded share axes (§8.2), a base
already met (§8.3), pre-plan years of a maintain target (§8.1), one label, colour and shape per status (§8.7).

Pure functions and figures on the demo data; the deck is built from a placeholder chart image (no browser needed).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from indicators.briefing.collect import Briefing, collect_briefing
from indicators.briefing.deck import build_deck
from indicators.catalogue import load_catalogue
from indicators.display.charts import STATUS_COLOURS, SeriesChartData, comparison_figure, series_figure, wrap_text
from indicators.display.figures import barometer_rows, plan_barometer_figure, target_figure
from indicators.display.labels import (
    as_of_summary,
    as_of_text,
    count_text,
    display_rows,
    needed_short,
    period_text,
    provisional_text,
    status_text,
    still_needed_text,
)
from indicators.progress.ranking import provisional_counts, status_counts
from indicators.progress.rules import CHANGE_POINTS, CHANGE_REDUCTION, CHANGE_RELATIVE, CHANGE_UNITS
from indicators.status import history_frame, load_inputs, status_frame
from indicators.store import Store
from indicators.vocabulary import STATUS_ICONS, STATUS_LABELS, STATUSES, UNRANKED_STATUSES
from tests.conftest import PROJECT_ROOT
from tests.test_brief import slide_texts


def periods(*pairs: tuple[float | None, float | None]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["latest_year", "latest_month"]).astype({"latest_year": "Int64", "latest_month": "Int64"})


# --- data as of (§8.5) -------------------------------------------------------------------------------

def test_as_of_summary_names_one_year_only_when_every_series_shares_it():
    assert as_of_summary(periods(*[(2024, None)] * 12), "zh") == "数据截至2024年"
    assert as_of_summary(periods(*[(2024, None)] * 12), "en") == "Data as of 2024"
    assert as_of_summary(periods((2025, 9), (2025, 9)), "zh") == "数据截至2025年1—9月"


def test_as_of_summary_counts_each_period_oldest_first_months_before_the_annual_figure():
    rows = periods(*[(2024, None)] * 11, (2025, 9))
    assert as_of_summary(rows, "zh") == "数据截至：2024年（11项）、2025年1—9月（1项）"
    assert as_of_summary(rows, "en") == "Data as of: 2024 (11), 2025 Jan–Sep (1)"
    mixed = periods((2025, None), (2023, None), (2025, 6), (2024, None), (2025, None))
    assert as_of_summary(mixed, "zh") == "数据截至：2023年（1项）、2024年（1项）、2025年1—6月（1项）、2025年（2项）"


def test_as_of_summary_counts_series_without_data_as_such():
    assert as_of_summary(periods((2024, None), (None, None)), "zh") == "数据截至：2024年（1项）、暂无数据（1项）"
    assert as_of_summary(periods((2024, None), (None, None)), "en") == "Data as of: 2024 (1), no data (1)"
    assert as_of_summary(periods((None, None)), "zh") == "暂无数据"


def test_periods_name_the_months_of_a_within_year_figure():
    assert period_text(2025, 9, "zh") == "2025年1—9月" and period_text(2025, 9, "en") == "2025 Jan–Sep"
    assert period_text(2025, 1, "zh") == "2025年1月" and period_text(2025, 1, "en") == "2025 Jan"
    assert period_text(2024, None, "zh") == "2024年" and period_text(2024, pd.NA, "en") == "2024"
    assert as_of_text(2025, 6, "zh") == "数据截至2025年1—6月" and as_of_text(2025, 6, "en") == "Data as of 2025 Jan–Jun"
    assert provisional_text(9, "zh") == "阶段性（1—9月）" and provisional_text(9, "en") == "provisional (Jan–Sep)"


# --- still needed (§8.4) -----------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "form", "unit", "decimals", "zh", "en"), [
    (9.8, CHANGE_POINTS, "%", 1, "年均需提高9.80个百分点", "needs +9.80 pts a year"),
    (-0.65, CHANGE_POINTS, "%", 1, "年均需降低0.65个百分点", "needs −0.65 pts a year"),
    (4.793964, CHANGE_REDUCTION, "%", 2, "年均需下降4.79%", "needs a 4.79% decline a year"),
    (350, CHANGE_UNITS, "家", 0, "年均需新增350家", "needs 350 more enterprises a year"),
    (0.4, CHANGE_UNITS, "家", 0, "年均需新增0.4家", "needs 0.4 more enterprises a year"),  # never "0 a year"
    (2.3, CHANGE_RELATIVE, "吨标准煤/万元", 4, "年均需提高2.30%", "needs +2.30% a year"),
    (-5.72, CHANGE_RELATIVE, "吨标准煤/万元", 4, "年均需下降5.72%", "needs −5.72% a year"),
])
def test_still_needed_reads_in_natural_units_in_both_languages(change, form, unit, decimals, zh, en):
    row = {"required_annual_change": change, "change_form": form, "unit": unit, "decimals": decimals}
    assert still_needed_text(row, "zh") == zh
    assert still_needed_text(row, "en", unit_en="enterprises") == en


def test_still_needed_in_english_never_shows_a_chinese_unit():
    row = {"required_annual_change": 8.0, "change_form": CHANGE_UNITS, "unit": "家", "decimals": 0}
    assert still_needed_text(row, "en") == "needs 8 more a year"  # no English unit in the catalogue: no unit at all
    assert "家" not in still_needed_text(row, "en", unit_en="enterprises")


def test_nothing_is_still_needed_where_the_engine_gives_no_figure():
    for change in (None, float("nan"), pd.NA):
        assert still_needed_text({"required_annual_change": change, "change_form": CHANGE_POINTS}, "zh") is None


def test_the_barometer_says_still_needed_under_a_heading_that_says_a_year():
    assert needed_short("年均需提高9.80个百分点", "zh") == "提高9.80个百分点"
    assert needed_short("needs a 4.79% decline a year", "en") == "4.79% decline"
    assert needed_short("needs 8 more enterprises a year", "en") == "8 more enterprises"


# --- statuses: provisional (§8.5) and one word, colour and shape (§8.7) ---------------------------------

def test_a_provisional_status_carries_its_months_and_a_rollup_counts_them():
    row = {"status_barometer": "green", "provisional": True, "latest_month": 9}
    assert status_text(row, "barometer", "zh") == "● 绿灯 · 阶段性（1—9月）"
    assert status_text({**row, "provisional": False}, "barometer", "zh") == "● 绿灯"
    assert count_text("green", 5, 1, "zh") == "● 绿灯 5（其中阶段性1）"
    assert count_text("green", 5, 1, "en") == "● Green 5 (1 provisional)"
    assert count_text("red", 2, 0, "zh") == "■ 红灯 2"
    rows = pd.DataFrame({"status_barometer": ["green", "green", "red"], "provisional": [True, False, False]})
    assert provisional_counts(rows, "barometer")["green"] == 1 and status_counts(rows, "barometer")["green"] == 2


def test_each_status_has_one_colour_and_shape_distinct_within_its_method():
    for method, keys in STATUSES.items():
        ranked = [k for k in keys if k not in UNRANKED_STATUSES]
        assert len({STATUS_COLOURS[k] for k in ranked}) == len(ranked), method
        assert len({STATUS_ICONS[k] for k in ranked}) == len(ranked), method
    assert (STATUS_ICONS["limited"], STATUS_ICONS["acceleration_needed"]) == ("◆", "▲")
    assert STATUS_COLOURS["limited"] != STATUS_COLOURS["acceleration_needed"]
    assert set(STATUS_COLOURS) == set(STATUS_LABELS)


def test_no_page_or_export_text_uses_the_old_status_words():
    old = re.compile("正常推进|需加速")
    folders = ["views", "ui", "indicators"]
    found = [str(path.relative_to(PROJECT_ROOT)) for folder in folders for path in (PROJECT_ROOT / folder).rglob("*")
             if path.suffix in (".py", ".yaml") and old.search(path.read_text(encoding="utf-8"))]
    assert found == []


def test_wrapping_keeps_a_within_year_period_and_a_diamond_status_whole():
    assert wrap_text("68.9%（2025年1—9月）", 10) == ["68.9%", "（2025年1—9月）"]
    assert wrap_text("增长率比值法 · ◆ 进展有限", 9)[-1] == "◆ 进展有限"


# --- on the demo data ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(read_only_demo_store) -> Store:
    return read_only_demo_store  # none of this module's tests writes to it


@pytest.fixture(scope="module")
def shown(demo) -> dict[str, pd.DataFrame]:
    catalogue = load_catalogue()
    status = status_frame(catalogue, demo)
    return {lang: display_rows(status, catalogue, lang) for lang in ("zh", "en")}


def one(rows: pd.DataFrame, region: str, indicator: str) -> dict:
    return rows[(rows["region"] == region) & (rows["indicator"] == indicator)].iloc[0].to_dict()


def test_display_rows_carry_still_needed_and_the_provisional_tag(shown):
    zh, en = shown["zh"], shown["en"]
    assert one(zh, "tianjin", "strategic_emerging_industry_share")["still_needed_text"] == "年均需提高9.80个百分点"
    assert one(en, "tianjin", "strategic_emerging_industry_share")["still_needed_text"] == "needs +9.80 pts a year"
    assert one(zh, "tianjin", "energy_intensity_reduction")["still_needed_text"] == "年均需下降4.79%"
    assert one(zh, "tianjin", "leading_agri_enterprises")["still_needed_text"] == "年均需新增8家"
    assert one(en, "tianjin", "leading_agri_enterprises")["still_needed_text"] == "needs 8 more enterprises a year"
    air = one(zh, "tianjin", "good_air_quality_days_ratio")
    assert air["provisional_text"] == "阶段性（1—9月）" and one(en, "tianjin", "good_air_quality_days_ratio")[
        "provisional_text"] == "provisional (Jan–Sep)"
    assert one(zh, "tianjin_binhai", "good_air_quality_days_ratio")["provisional_text"] == ""
    assert not any("家" in str(t) for t in en["still_needed_text"].dropna())


def test_the_barometer_summarises_data_as_of_and_tags_the_provisional_row(shown):
    catalogue = load_catalogue()
    rows = shown["zh"][shown["zh"]["region"] == "tianjin"]
    figure = plan_barometer_figure(rows, catalogue.plans["tianjin_2022"], "天津市", method="barometer", lang="zh")
    title = next(a.text for a in figure.layout.annotations if a.name == "gtm-title")
    assert "数据截至：2024年（11项）、2025年1—9月（1项）" in title.replace("<b>", "").replace("</b>", "").replace("<br>", "")
    table = barometer_rows(rows, "barometer", "zh")
    air = next(r for r in table if r.name == "空气质量优良天数比例")
    assert air.status_text == "● 绿灯\n阶段性（1—9月）" and air.latest == "68.9%（2025年1—9月）"
    strategic = next(r for r in table if r.name.startswith("工业战略性"))
    assert strategic.needed == "提高9.80个百分点"
    jizhou = barometer_rows(shown["zh"][shown["zh"]["region"] == "tianjin_jizhou"], "barometer", "zh")[0]
    assert jizhou.progress.startswith("基期已达标")  # §8.3: no completion figure


def figure_for(demo, shown, region: str, indicator: str, lang: str = "zh"):
    catalogue = load_catalogue()
    specs, observations = load_inputs(catalogue, demo)
    history = history_frame(specs, observations)
    plan = catalogue.plans["tianjin_2022"]
    target = next(t for t in plan.targets if t.indicator == indicator)
    return target_figure(one(shown[lang], region, indicator), history, plan, target, lang=lang)


def test_a_bounded_share_axis_stops_at_100(demo, shown):
    """Shore power: 93% in 2024 towards 100% (its projection was 103.8% before §8.2, on an axis to 110%)."""
    figure = figure_for(demo, shown, "tianjin", "harbour_craft_shore_power_rate")
    low, high = figure.layout.yaxis.range
    assert high <= 100 and low >= 0
    projected = [y for trace in figure.data if trace.name in ("按年均增速推算", "线性趋势推算") for y in trace.y]
    assert max(projected) <= 100


def test_a_share_axis_passes_100_only_when_observed_data_do():
    data = SeriesChartData(title="t", unit="%", years=[2020, 2021], values=[99.0, 101.5], base_year=2020, base_value=None,
                           target_year=2025, target_value=100.0, bounded=True)
    assert series_figure(data).layout.yaxis.range[1] >= 101.5
    unbounded = SeriesChartData(title="t", unit="%", years=[2020, 2024], values=[60.0, 93.0], base_year=2020, base_value=None,
                                target_year=2025, target_value=100.0)
    assert series_figure(unbounded).layout.yaxis.range[1] > 100  # a figure that is not a share keeps room above


def test_a_maintain_targets_years_before_the_plan_are_drawn_as_history(demo, shown):
    """Tianjin's plan (March 2022) judges its 26 water bodies from 2022: 2020–2021 are history, not judged."""
    figure = figure_for(demo, shown, "tianjin", "black_odorous_water_bodies_sustained")
    history = next(t for t in figure.data if t.name == "方案实施前（不评判）")
    observed = next(t for t in figure.data if t.name == "实际值")
    assert [x for x, size in zip(history.x, history.marker.size, strict=True) if size] == [2020, 2021]
    assert min(observed.x) == 2022
    assert figure.layout.shapes[0].x1 == 2021.5  # the shaded band ends where judging starts


def test_a_provisional_chart_title_says_so(demo, shown):
    figure = figure_for(demo, shown, "tianjin", "good_air_quality_days_ratio")
    title = next(a.text for a in figure.layout.annotations if a.name == "gtm-title")
    assert "阶段性（1—9月）" in title
    notes = next(a.text for a in figure.layout.annotations if a.name == "gtm-notes")
    assert "数据截至2025年1—9月" in notes.replace("<br>", "")


def test_the_comparison_chart_shows_no_completion_for_a_base_already_met():
    figure = comparison_figure(["蓟州区", "武清区"], [None, 0.167], 0.8, ["achieved", "red"], ["✔ 已完成", "■ 红灯"], "t",
                               no_completion=["基期已达标", "—"])
    assert list(figure.data[0].text) == ["基期已达标 · ✔ 已完成", "16.7% · ■ 红灯"]


# --- the deck (python-pptx, a placeholder chart: no browser) --------------------------------------------

def placeholder_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (820, 560), "white").save(out, format="PNG")
    return out.getvalue()


def deck_texts(briefing: Briefing) -> list[str]:
    return slide_texts(build_deck(briefing, [placeholder_png()] * len(briefing.targets)))


@pytest.fixture(scope="module")
def tianjin_deck(demo) -> tuple[Briefing, list[str]]:
    briefing = collect_briefing(load_catalogue(), demo, plan_id="tianjin_2022")
    return briefing, deck_texts(briefing)


def test_deck_states_data_as_of_honestly_on_cover_summary_and_footers(tianjin_deck):
    briefing, (cover, summary, *targets, sources) = tianjin_deck
    summary_as_of = "数据截至：2024年（11项）、2025年1—9月（1项）"
    assert briefing.data_as_of == summary_as_of
    assert summary_as_of in cover and summary_as_of in summary and summary_as_of in sources
    assert "数据截至2025年" not in cover.replace(summary_as_of, "")  # never one year for all twelve
    for slide, target in zip(targets, briefing.targets, strict=True):  # a target slide's footer: its own period
        assert as_of_text(target.row["latest_year"], target.row["latest_month"], "zh") in slide


def test_deck_shows_still_needed_in_natural_units_and_provisional_statuses(tianjin_deck):
    briefing, (_, summary, *targets, _) = tianjin_deck
    by_indicator = dict(zip((t.row["indicator"] for t in briefing.targets), targets, strict=True))
    assert "年均需提高9.80个百分点" in by_indicator["strategic_emerging_industry_share"]
    assert "年均需下降4.79%" in by_indicator["energy_intensity_reduction"]
    assert "年均需新增8家" in by_indicator["leading_agri_enterprises"]
    assert "32.45" not in by_indicator["strategic_emerging_industry_share"]  # the relative rate is not the headline
    air = by_indicator["good_air_quality_days_ratio"]
    assert "阶段性（1—9月）" in air and "最新值（2025年1—9月）" in air and "不适用" in air
    assert "● 绿灯 7（其中阶段性1）" in summary and "● 绿灯\n阶段性" in summary


def test_english_deck_words_still_needed_without_chinese_units(demo):
    briefing = collect_briefing(load_catalogue(), demo, plan_id="tianjin_2022", lang="en")
    texts = deck_texts(briefing)
    assert "Data as of: 2024 (11), 2025 Jan–Sep (1)" in texts[0]
    joined = "\n".join(texts)
    assert "needs +9.80 pts a year" in joined and "needs 8 more enterprises a year" in joined
    assert "provisional (Jan–Sep)" in joined and "Green 7 (1 provisional)" in joined
    assert "Method: NDRC barometer" in texts[0]  # an English colon in English


def test_deck_module_stays_under_500_lines():
    for module in ("indicators/briefing/deck.py", "indicators/display/charts.py", "indicators/display/labels.py"):
        assert len(Path(PROJECT_ROOT / module).read_text(encoding="utf-8").splitlines()) <= 500, module
