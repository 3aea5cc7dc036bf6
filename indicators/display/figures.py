"""The figures a target and a plan are shown with, built from status rows (indicators/display/labels.display_rows).

Shared by the pages, presentation mode and the exports, so a slide shows exactly the chart the page
shows. Every figure carries its own title (indicator, region, status as icon + word) and notes (data as
of, source, the plan's clause): a toolbar download or an exported PNG stands alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from indicators.catalogue import Plan, Target
from indicators.display.charts import (
    BAROMETER_WIDTH,
    DEFAULT_LABELS,
    BarometerData,
    BarometerRow,
    SeriesChartData,
    barometer_figure,
    series_figure,
)
from indicators.display.labels import (
    as_of_summary,
    as_of_text,
    format_value,
    method_name,
    needed_short,
    original_text,
    period_text,
    status_text,
)
from indicators.progress import chart_lines
from indicators.progress.ranking import worst_first
from indicators.vocabulary import DEMO_SOURCE_MARK

LEGEND_LABELS = {
    "zh": DEFAULT_LABELS,
    "en": {"observed": "Observed", "target": "Target", "path": "Required path", "cagr": "Projection (average growth)",
           "linear": "Projection (linear trend)", "history": "Before the plan (not judged)"},
}
SOURCES_SHOWN = 2  # a chart names its two most recent sources, then says how many more there are
BAROMETER_HEADERS = {
    "zh": ("领域", "指标", "最新值", "目标", "完成/时序进度", "年均尚需", "状态"),
    "en": ("Area", "Indicator", "Latest", "Target", "Done / time", "Needed a year", "Status"),
}
NOT_APPLICABLE = {"zh": "不适用", "en": "n/a"}
BASE_MET = {"zh": "基期已达标", "en": "base already met"}  # §8.3: completion and gap have no meaning


@dataclass(frozen=True)
class FigureSize:
    """Drawing size: `width` None lets the page stretch the chart (lines are then wrapped for a wide screen)."""

    width: int | None
    height: int
    font_size: int


PAGE_SIZE = FigureSize(None, 500, 15)
PRESENT_SIZE = FigureSize(None, 640, 20)  # presentation mode: large type on a 16:9 screen
SLIDE_SIZE = FigureSize(820, 560, 19)  # the chart on a target slide: 8.4 in wide, so 19 px reads as ~14 pt
PRESENT_BAROMETER_WIDTH = 1500  # px, drawn as is (no stretching, so wrapping stays as computed): fits a 1600 × 900 screen and up
PRESENT_BAROMETER_FONT = 16  # px: at that width every Chinese text fits its column but the longest name


def series_points(row: Mapping[str, Any], history: pd.DataFrame) -> tuple[list[float], list[float]]:
    """The series in the indicator's terms, with the base point a reduction implies (0% at the base year).
    A within-year figure sits at year - 1 + month/12."""
    series = history[history["series_id"] == row["series_id"]]
    years = [float(y) - 1 + m / 12 if pd.notna(m) else float(y) for y, m in zip(series["year"], series["month"], strict=True)]
    values = [float(v) for v in series["value"]]
    base = row.get("effective_base_year")
    if row.get("is_reduction") and base is not None and pd.notna(base) and float(base) not in years:
        years, values = [float(base), *years], [0.0, *values]
    return years, values


def chart_title(row: Mapping[str, Any], lang: str, method: str = "barometer") -> str:
    """'单位地区生产总值能耗累计降低率 · 天津市 · ■ 红灯' (and '· 阶段性（1—9月）' on a within-year figure)."""
    return f"{row['indicator_name']} · {row['region_name']} · {status_text(row, method, lang)}"


def sources_by_series(observations: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    """Each (region, indicator)'s distinct sources, the most recent first (from the store's current observations)."""
    if observations.empty:
        return {}
    ordered = observations.sort_values(["year", "month"], ascending=False, na_position="first")
    return {key: list(dict.fromkeys(group["source"].astype(str)))
            for key, group in ordered.groupby(["region_id", "indicator_id"], sort=False)}


DEMO_SOURCE_EN = "demo data (invented figures, not official statistics)"


def source_name(source: str, lang: str) -> str:
    """A source as an English page shows it: the demo source in English, any other marked as the original text."""
    if lang == "zh":
        return source
    return DEMO_SOURCE_EN if source.startswith(DEMO_SOURCE_MARK) else original_text(source, lang)


def sources_text(sources: Sequence[str], lang: str) -> str:
    named = [source_name(s, lang) for s in sources[:SOURCES_SHOWN]]
    shown = "；".join(named) if lang == "zh" else "; ".join(named)
    more = len(sources) - SOURCES_SHOWN
    if not sources:
        return "来源：暂无" if lang == "zh" else "Source: none yet"
    if lang == "zh":
        return f"来源：{shown}" + (f" 等{len(sources)}项" if more > 0 else "")
    return f"Source: {shown}" + (f" and {more} more" if more > 0 else "")


def clause_text(plan: Plan, target: Target, lang: str) -> str:
    """'《…实施方案》（二）主要目标：“…”' — where the target is written in the plan."""
    title = plan.name(lang)
    if lang == "zh":
        return f"《{title}》{target.clause}：“{target.quote}”"
    return f"{title}: {original_text(f'{target.clause}：{target.quote}', lang)}"


def chart_notes(row: Mapping[str, Any], plan: Plan, target: Target, *, lang: str, sources: Sequence[str]) -> list[str]:
    """The lines under a chart: data as of and source (demo figures' source says 示例数据), then the plan's clause."""
    first = f"{as_of_text(row.get('latest_year'), row.get('latest_month'), lang)} · {sources_text(sources, lang)}"
    return [first, clause_text(plan, target, lang)]


def target_figure(row: Mapping[str, Any], history: pd.DataFrame, plan: Plan, target: Target, *, lang: str,
                  method: str = "barometer", sources: Sequence[str] = (), size: FigureSize = PAGE_SIZE) -> go.Figure:
    """The indicator chart: series, target, required path and projections, titled and annotated."""
    years, values = series_points(row, history)
    lines = chart_lines(row)
    data = SeriesChartData(
        title=chart_title(row, lang, method), unit=str(row["unit_text"]), years=years, values=values,
        base_year=plan.base_year, base_value=None, target_year=plan.target_year, target_value=target.value,
        path_years=lines.path_years, path_values=lines.path_values, projection_years=lines.projection_years,
        projection_cagr=lines.projection_cagr, projection_linear=lines.projection_linear,
        labels=LEGEND_LABELS["zh" if lang == "zh" else "en"], bounded=bool(row.get("bounded")),
        whole_units=int(row.get("decimals", 1)) == 0 and not bool(row.get("is_reduction")),
        judged_from=None if pd.isna(row.get("judged_from")) else int(row["judged_from"]),
    )
    notes = chart_notes(row, plan, target, lang=lang, sources=sources)
    return series_figure(data, height=size.height, font_size=size.font_size, notes=notes, width=size.width)


def progress_text(row: Mapping[str, Any], lang: str = "zh") -> str:
    """'78.4% / 80%': completion against time elapsed, '—' where not applicable; '基期已达标 / 80%' for a base that
    already met the target (§8.3: no completion figure)."""
    completion, elapsed = row.get("completion_progress"), row.get("time_progress")
    done = "—" if completion is None or pd.isna(completion) else f"{completion * 100:.1f}%"
    if bool(row.get("base_met")):
        done = BASE_MET["zh" if lang == "zh" else "en"]
    time = "—" if elapsed is None or pd.isna(elapsed) else f"{elapsed * 100:.0f}%"
    return f"{done} / {time}"


def latest_text(row: Mapping[str, Any], lang: str) -> str:
    """'11.2%（2024年）', '68.9%（2025年1—9月）' or 'no data'."""
    value = row.get("latest_value")
    if value is None or pd.isna(value):
        return "暂无数据" if lang == "zh" else "no data"
    when = period_text(row.get("latest_year"), row.get("latest_month"), lang)
    number = format_value(float(value), str(row["unit_text"]), int(row["decimals"]))
    return f"{number}（{when}）" if lang == "zh" else f"{number} ({when})"


def needed_text(row: Mapping[str, Any], lang: str, *, short: bool = False) -> str:
    """The row's still-needed text (§8.4), or 'not applicable'; `short` under a heading that says "a year"."""
    text = row.get("still_needed_text")
    if not (isinstance(text, str) and text):
        return NOT_APPLICABLE["zh" if lang == "zh" else "en"]
    return needed_short(text, lang) if short else text


def barometer_rows(rows: pd.DataFrame, method: str, lang: str) -> list[BarometerRow]:
    """One row per target, by area with the worst area first and the worst target first within it."""
    ordered = worst_first(rows, method)
    return [BarometerRow(area=str(r["area_name"]), name=str(r["indicator_name"]), latest=latest_text(r, lang),
                         target=str(r["target_text"]), progress=progress_text(r, lang), needed=needed_text(r, lang, short=True),
                         status=str(r[f"status_{method}"]), status_text=status_text(r, method, lang, separator="\n"))
            for r in ordered.to_dict("records")]


def barometer_title(plan: Plan, region_name: str, as_of: str, lang: str) -> str:
    if lang == "zh":
        return f"目标晴雨表 · {region_name} · {as_of}｜《{plan.title_zh}》"
    return f"Target barometer · {region_name} · {as_of} | {plan.title_en}"


def plan_barometer_figure(rows: pd.DataFrame, plan: Plan, region_name: str, *, method: str, lang: str,
                          sources: Sequence[str] = (), demo: bool = False, width: int = BAROMETER_WIDTH,
                          font_size: int = 18) -> go.Figure:
    """A plan's one-page barometer (晴雨表): one row per target, the method and the sources named under it."""
    as_of = as_of_summary(rows, lang)  # §8.5: one year only when every row shares it
    method_line = ("判定方法：" if lang == "zh" else "Method: ") + method_name(method, lang)
    notes = [f"{method_line} · {sources_text(list(sources), lang)}"]
    if demo and not any(s.startswith(DEMO_SOURCE_MARK) for s in sources):
        notes.insert(0, DEMO_SOURCE_MARK)
    headers = BAROMETER_HEADERS["zh" if lang == "zh" else "en"]
    return barometer_figure(BarometerData(title=barometer_title(plan, region_name, as_of, lang), headers=headers,
                                          rows=barometer_rows(rows, method, lang), notes=notes),
                            width=width, font_size=font_size)
