"""Plotly figures and SVG sparklines from plain data: shared by the pages and the exports.

No database access here: callers pass the series and the assessment row they already have.
Colours are the Okabe–Ito palette (safe for colour-blind readers), and every status is
also written as an icon and a word, never shown by colour alone.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

# Okabe–Ito colours by status.
STATUS_COLOURS = {
    "green": "#009E73", "on_track": "#009E73",
    "yellow": "#E69F00", "acceleration_needed": "#E69F00", "fair": "#E69F00", "limited": "#E69F00",
    "red": "#D55E00", "deterioration": "#D55E00", "stagnation": "#D55E00",
    "achieved": "#0072B2",
    "not_assessable": "#8C8C8C", "not_set": "#8C8C8C",
}
SERIES_COLOUR = "#1f2933"
TARGET_COLOUR = "#CC79A7"  # Okabe–Ito reddish purple: distinct from every status colour
PATH_COLOUR = "#56B4E9"  # required path
PROJECTION_COLOUR = "#7f7f7f"
CJK_FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
SPARK_WIDTH, SPARK_HEIGHT = 120, 32  # px; fits a card beside the figures


@dataclass(frozen=True)
class SeriesChartData:
    """Everything the indicator chart shows, in the indicator's terms (a reduction: cumulative %)."""

    title: str
    unit: str
    years: Sequence[float]  # a within-year figure sits at year - 1 + month/12
    values: Sequence[float]
    base_year: int
    base_value: float | None
    target_year: int
    target_value: float | None
    path_years: Sequence[int] = ()
    path_values: Sequence[float] = ()
    projection_years: Sequence[int] = ()
    projection_cagr: Sequence[float] = ()
    projection_linear: Sequence[float] = ()
    labels: dict[str, str] | None = None  # legend texts in the page language


DEFAULT_LABELS = {"observed": "实际值", "target": "目标", "path": "目标路径", "cagr": "按年均增速推算", "linear": "线性趋势推算"}


def series_figure(data: SeriesChartData, *, height: int = 420, font_size: int = 15) -> go.Figure:
    """The series with the target at the target year, the required path and both projections dashed."""
    labels = {**DEFAULT_LABELS, **(data.labels or {})}
    fig = go.Figure()
    if data.path_years:
        fig.add_trace(go.Scatter(x=list(data.path_years), y=list(data.path_values), name=labels["path"], mode="lines",
                                 line={"color": PATH_COLOUR, "width": 2, "dash": "dot"}))
    if data.projection_years:
        fig.add_trace(go.Scatter(x=list(data.projection_years), y=list(data.projection_cagr), name=labels["cagr"],
                                 mode="lines", line={"color": PROJECTION_COLOUR, "width": 2, "dash": "dash"}))
        fig.add_trace(go.Scatter(x=list(data.projection_years), y=list(data.projection_linear), name=labels["linear"],
                                 mode="lines", line={"color": PROJECTION_COLOUR, "width": 1.5, "dash": "longdashdot"}))
    fig.add_trace(go.Scatter(x=list(data.years), y=list(data.values), name=labels["observed"], mode="lines+markers",
                             line={"color": SERIES_COLOUR, "width": 3}, marker={"size": 8}))
    if data.target_value is not None:
        fig.add_trace(go.Scatter(x=[data.target_year], y=[data.target_value], name=labels["target"], mode="markers+text",
                                 marker={"color": TARGET_COLOUR, "size": 16, "symbol": "star"},
                                 text=[f"{data.target_value:g}{data.unit}"], textposition="top center"))
    fig.update_layout(
        title={"text": html.escape(data.title), "x": 0, "font": {"size": font_size + 5}},
        height=height, margin={"l": 50, "r": 20, "t": 60, "b": 40},
        font={"family": CJK_FONT, "size": font_size}, paper_bgcolor="white", plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.15},
        xaxis={"dtick": 1, "range": [data.base_year - 0.5, data.target_year + 0.5], "gridcolor": "#eeeeee"},
        yaxis={"title": data.unit, "gridcolor": "#eeeeee"},
    )
    return fig


def comparison_figure(names: Sequence[str], completion: Sequence[float | None], time_progress: float | None,
                      statuses: Sequence[str], status_words: Sequence[str], title: str, *, font_size: int = 15,
                      time_label: str = "时序进度") -> go.Figure:
    """Completion per region as horizontal bars (colour and word), with the time-progress line."""
    values = [0.0 if c is None or math.isnan(c) else c * 100 for c in completion]
    fig = go.Figure(go.Bar(
        x=values, y=list(names), orientation="h", marker={"color": [STATUS_COLOURS.get(s, "#8C8C8C") for s in statuses]},
        text=[f"{v:.1f}% · {w}" for v, w in zip(values, status_words, strict=True)], textposition="outside",
    ))
    if time_progress is not None and not math.isnan(time_progress):
        fig.add_vline(x=time_progress * 100, line={"color": SERIES_COLOUR, "dash": "dash", "width": 2},
                      annotation_text=f"{time_label} {time_progress * 100:.0f}%", annotation_position="top")
    fig.update_layout(
        title={"text": html.escape(title), "x": 0, "font": {"size": font_size + 5}},
        height=max(260, 70 + 44 * len(names)), margin={"l": 20, "r": 40, "t": 70, "b": 40},
        font={"family": CJK_FONT, "size": font_size}, paper_bgcolor="white", plot_bgcolor="white",
        xaxis={"title": "%", "range": [0, max([100.0, *values]) * 1.2], "gridcolor": "#eeeeee"},
        yaxis={"autorange": "reversed"},
    )
    return fig


def sparkline_svg(values: Sequence[float], target: float | None = None, colour: str = SERIES_COLOUR) -> str:
    """A tiny inline SVG line (no JavaScript, nothing from user data but numbers)."""
    points = [v for v in values if v is not None and not math.isnan(v)]
    if len(points) < 2:
        return ""
    low = min([*points, target] if target is not None else points)
    high = max([*points, target] if target is not None else points)
    span = (high - low) or 1.0
    pad = 3

    def y(v: float) -> float:
        return pad + (SPARK_HEIGHT - 2 * pad) * (1 - (v - low) / span)

    step = (SPARK_WIDTH - 2 * pad) / (len(points) - 1)
    coords = " ".join(f"{pad + i * step:.1f},{y(v):.1f}" for i, v in enumerate(points))
    target_line = ""
    if target is not None:
        ty = y(target)
        target_line = (f'<line x1="0" y1="{ty:.1f}" x2="{SPARK_WIDTH}" y2="{ty:.1f}" stroke="{TARGET_COLOUR}" '
                       f'stroke-width="1.5" stroke-dasharray="3,2"/>')
    last_x, last_y = pad + (len(points) - 1) * step, y(points[-1])
    return (f'<svg width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
            f'role="img" aria-hidden="true">{target_line}'
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>'
            f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="{colour}"/></svg>')


def sparkline_img(values: Sequence[float], target: float | None = None, colour: str = SERIES_COLOUR, alt: str = "") -> str:
    """The sparkline as an <img> with a data URI: HTML sanitisers that drop inline <svg> keep images."""
    svg = sparkline_svg(values, target, colour)
    if not svg:
        return ""
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    data = base64.b64encode(svg.encode()).decode()
    return (f'<img src="data:image/svg+xml;base64,{data}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
            f'alt="{html.escape(alt)}"/>')
