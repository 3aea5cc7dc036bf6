"""Plotly figures and SVG sparklines from plain data: shared by the pages and the exports.

No database access here: callers pass the series and the assessment row they already have.
Colours are the Okabe–Ito palette (safe for colour-blind readers), and every status is
also written as an icon and a word, never shown by colour alone.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from indicators.progress.rules import SHARE_LIMITS

# Colours by status, one per status key and distinct within each method (§8.7), as the shapes are
# (indicators/vocabulary.py STATUS_ICONS): ● green, ▲ orange, ■ vermillion (Okabe–Ito), ✔ blue, ○ grey, and
# ◆ limited progress wine (Paul Tol's colour-blind-safe "muted" wine: Okabe–Ito has no eighth colour that is
# neither the target's reddish purple nor too light for white text).
STATUS_COLOURS = {
    "green": "#009E73", "on_track": "#009E73",
    "yellow": "#E69F00", "acceleration_needed": "#E69F00", "fair": "#E69F00",
    "limited": "#882255",
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
    projection_years: Sequence[float] = ()
    projection_cagr: Sequence[float] = ()
    projection_linear: Sequence[float] = ()
    labels: dict[str, str] | None = None  # legend texts in the page language
    bounded: bool = False  # a share in [0, 100] (§8.2): the value axis stops at 100 (and 0) unless data pass it
    whole_units: bool = False  # a count (家, 条, 个): the axis ticks whole units ('26条', never '25.8条')
    judged_from: int | None = None  # a maintain target's first judged year (§8.1): earlier years are drawn as history


DEFAULT_LABELS = {"observed": "实际值", "target": "目标", "path": "目标路径", "cagr": "按年均增速推算", "linear": "线性趋势推算",
                  "history": "方案实施前（不评判）"}
HISTORY_COLOUR = "#9aa5b1"  # a maintain target's years before the plan: drawn lighter, never judged
HISTORY_FILL = "#f1f5f3"
NOTE_COLOUR = "#3e4c59"  # the data-as-of / source / clause lines under a chart
WIDE_CHAR_FROM = 0x2E80  # CJK and full-width characters take one em; the rest about half
NARROW_CHAR_EM = 0.55
LINE_HEIGHT = 1.35  # line height in ems for titles and notes
AXIS_SPACE_PX = 34  # below the plot area: the x tick labels, then the notes
LEGEND_HINT_WIDTH = 640  # px: the narrowest main column a stretched chart's legend is planned for (1280 px with sidebar)
WRAP_HINT_WIDTH = 800  # px; pages draw charts full width: wrap for the main column of a 1280 px screen with the sidebar open
# (narrower screens scroll the chart sideways at this width: ui/present.py CHART_MIN_WIDTH_CSS)


def text_width_em(text: str) -> float:
    """Display width of a text in ems (Chinese characters are one em wide)."""
    return sum(1.0 if ord(ch) >= WIDE_CHAR_FROM else NARROW_CHAR_EM for ch in text)


NO_LINE_START = frozenset("）》」』】〉”’，。、：；！？%)")  # closing marks stay with the text before them
NO_LINE_END = frozenset("（《「『【〈“‘(■▲◆●✔○")  # opening marks and status icons stay with the text after them


# A status with its word, a within-year period ('2025年1—9月'), one Chinese character, a Latin word or number, spaces.
WRAP_TOKENS = re.compile(r"[■▲◆●✔○]\s?\S+|\d{4}年1(?:—\d{1,2})?月|[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+")


def wrap_text(text: str, width_em: float) -> list[str]:
    """Greedy line breaking that never splits a Latin word or number (Chinese breaks anywhere), never
    starts a line with a closing mark nor ends one with an opening mark; a status and a within-year period
    ('2025年1—9月') stay whole."""
    tokens = re.findall(WRAP_TOKENS, text)
    lines: list[str] = []
    line: list[str] = []  # the tokens of the line being filled
    for token in tokens:
        if line and text_width_em("".join(line) + token) > width_em:
            carry: list[str] = []
            # The last token (and an opening mark before it) moves down rather than part a mark from its text.
            while len(line) > 1 and (_starts_closed(carry[0] if carry else token) or _ends_open(line)):
                carry.insert(0, line.pop())
                while len(line) > 1 and line[-1].isspace():
                    carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line = [t for t in [*carry, token] if t] if "".join(carry).strip() else [token]
            while line and line[0].isspace():
                line.pop(0)
        else:
            line.append(token)
    if "".join(line).strip():
        lines.append("".join(line).rstrip())
    return lines or [""]


def _starts_closed(token: str) -> bool:
    return bool(token) and token[0] in NO_LINE_START


def _ends_open(line: Sequence[str]) -> bool:
    kept = "".join(line).rstrip()
    return bool(kept) and kept[-1] in NO_LINE_END


def _wrapped(texts: Sequence[str], width_px: float, font_px: float) -> list[str]:
    width_em = max(10.0, width_px / font_px)
    return [line for text in texts for line in wrap_text(text, width_em)]


TITLE_NAME = "gtm-title"  # the annotation that carries a chart's title
NOTES_NAME = "gtm-notes"  # the annotation with data as of, source and clause
TITLE_GAP_PX = 10  # between the title's last line and what is under it
LEGEND_ITEM_PX = 70  # a legend entry's symbol (40 px) and gaps, besides its text, at LEGEND_ITEM_FONT_PX
LEGEND_ITEM_FONT_PX = 15
LEGEND_TEXT_SLACK = 1.12
MARGIN_LEFT, MARGIN_RIGHT = 60, 24  # px around the plot area of a line chart
COMPARISON_MARGIN_LEFT = 24  # px besides the longest region name


def legend_rows(labels: Sequence[str], width_px: float, font_px: float) -> int:
    """How many rows a horizontal legend takes at this width."""
    rows, used = 1, 0.0
    for label in labels:
        # plotly's entries grow with the type (symbol, gaps) and Latin text runs a little wider than estimated
        item = text_width_em(label) * font_px * LEGEND_TEXT_SLACK + LEGEND_ITEM_PX * font_px / LEGEND_ITEM_FONT_PX
        if used and used + item > width_px:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _title_and_notes(fig: go.Figure, title: str, notes: Sequence[str], *, width: int, font_size: int,
                     legend: int = 0, plot_left: int | None = None) -> dict[str, int]:
    """Put the (wrapped) title above the plot (and its legend) and the notes under the x axis, inside
    the figure, so a download or an exported PNG carries them; returns the top and bottom margins."""
    title_size = font_size + 6
    note_size = max(font_size - 2, 11)
    title_lines = _wrapped([title], width - 30, title_size) if title else []
    note_lines = _wrapped(notes, width - 30, note_size)
    legend_px = int(legend * font_size * 1.9)
    top = 16 + TITLE_GAP_PX + int(len(title_lines) * title_size * LINE_HEIGHT) + legend_px
    if title_lines:
        # An annotation, not layout.title: plotly misplaces multi-line titles (they overlap the legend).
        fig.add_annotation(text="<br>".join(f"<b>{html.escape(line)}</b>" for line in title_lines), name=TITLE_NAME,
                           xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="bottom", align="left",
                           yshift=legend_px + TITLE_GAP_PX, xshift=-(plot_left or 0) + 12, showarrow=False,
                           font={"size": title_size, "color": SERIES_COLOUR})
    if note_lines:
        fig.add_annotation(text="<br>".join(html.escape(line) for line in note_lines), name=NOTES_NAME, xref="paper", yref="paper",
                           x=0, y=0, xanchor="left", yanchor="top", yshift=-AXIS_SPACE_PX, xshift=-(plot_left or 0) + 12,
                           align="left",
                           showarrow=False, font={"size": note_size, "color": NOTE_COLOUR})
    bottom = AXIS_SPACE_PX + 10 + int(len(note_lines) * note_size * LINE_HEIGHT)
    return {"t": max(top, 30), "b": bottom}


SUFFIX_UNITS = frozenset({"%", "个", "家", "条"})  # short units go on the tick labels ('20个'), not a rotated title


def _unit_axis(unit: str) -> dict[str, object]:
    """A short unit as a tick suffix (a rotated Chinese character reads as a symbol), a long one as the title."""
    return {"ticksuffix": unit} if unit in SUFFIX_UNITS else {"title": unit}


def _left_margin(y_range: list[float] | None, unit: str, font_size: int) -> int:
    """Room for the y tick labels ('11,000家', '25.8条') and a long unit's title, computed rather than
    left to plotly's automargin, so the title and notes can be placed from the figure's left edge."""
    if not y_range:
        return MARGIN_LEFT
    biggest = max(abs(y_range[0]), abs(y_range[1]))
    label = f"{biggest:,.0f}" + (".0" if y_range[1] - y_range[0] < 10 else "") + ("-" if y_range[0] < 0 else "")
    label += unit if unit in SUFFIX_UNITS else ""
    title = 0 if unit in SUFFIX_UNITS else int(font_size * 1.8)
    return max(MARGIN_LEFT, int(text_width_em(label) * font_size) + 18 + title)


def _finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and not math.isnan(float(v))]


def _value_range(values: Sequence[float | None], *, bounded: bool = False,
                 observed: Sequence[float | None] = ()) -> list[float] | None:
    """The y range with room above for the target's label (plotly's autorange ignores text). A bounded share's
    range stops at 100 and 0 (§8.2) unless an `observed` value passes them."""
    finite = _finite(values)
    if not finite:
        return None
    low, high = min(finite), max(finite)
    span = (high - low) or max(abs(high), 1.0)
    bottom, top = low - span * 0.08, high + span * 0.18
    if bounded and top - bottom < SHARE_MIN_SPAN:  # a 0.2-point dip near 100% must not fill the axis like a crash
        middle = (top + bottom) / 2
        bottom, top = middle - SHARE_MIN_SPAN / 2, middle + SHARE_MIN_SPAN / 2
        ceiling = max([SHARE_TOP, *_finite(observed)])
        if top > ceiling:
            bottom, top = bottom - (top - ceiling), ceiling
        if bottom < SHARE_BOTTOM:
            bottom, top = SHARE_BOTTOM, top + (SHARE_BOTTOM - bottom)
    if bounded:
        seen = _finite(observed)
        top = min(top, max([SHARE_TOP, *seen]))
        bottom = max(bottom, min([SHARE_BOTTOM, *seen]))
    return [bottom, top]


SHARE_BOTTOM, SHARE_TOP = SHARE_LIMITS  # a bounded share's axis limits: the engine's own (§8.2)
SHARE_MIN_SPAN = 10.0  # percentage points: a share's value axis spans at least this much


def _whole_unit_ticks(y_range: list[float] | None) -> dict[str, object]:
    """Ticks of a count's axis at whole units (1, 2, 5, 10 … apart, about six of them), without decimals."""
    if not y_range:
        return {"tickformat": ",d"}
    rough = max((y_range[1] - y_range[0]) / 6, 1.0)
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    return {"tickformat": ",d", "dtick": step, "tick0": 0}


def series_figure(data: SeriesChartData, *, height: int = 460, font_size: int = 15, notes: Sequence[str] = (),
                  width: int | None = None) -> go.Figure:
    """The series with the target at the target year, the required path and both projections dashed.

    The title (indicator, region, status) and the notes (data as of, source, the plan's clause) are part
    of the figure, so the toolbar download and the exported PNG stand alone. `width` is the drawing width
    when known (exports); otherwise lines are wrapped for a wide screen.
    """
    labels = {**DEFAULT_LABELS, **(data.labels or {})}
    fig = go.Figure()
    if data.path_years:
        fig.add_trace(go.Scatter(x=list(data.path_years), y=list(data.path_values), name=labels["path"], mode="lines",
                                 line={"color": PATH_COLOUR, "width": 2.5, "dash": "dot"}))
    if data.projection_years:
        fig.add_trace(go.Scatter(x=list(data.projection_years), y=list(data.projection_cagr), name=labels["cagr"],
                                 mode="lines", line={"color": PROJECTION_COLOUR, "width": 2, "dash": "dash"}))
        fig.add_trace(go.Scatter(x=list(data.projection_years), y=list(data.projection_linear), name=labels["linear"],
                                 mode="lines", line={"color": PROJECTION_COLOUR, "width": 1.5, "dash": "longdashdot"}))
    years, values = list(data.years), list(data.values)
    if data.judged_from is not None and any(y < data.judged_from for y in years):
        # §8.1: years before the plan was in force are history: lighter, in their own legend entry, never judged.
        before = [i for i, y in enumerate(years) if y < data.judged_from]
        joined = before + ([before[-1] + 1] if before[-1] + 1 < len(years) else [])  # the line reaches the first judged year
        fig.add_vrect(x0=data.base_year - 0.5, x1=data.judged_from - 0.5, fillcolor=HISTORY_FILL, line_width=0, layer="below")
        fig.add_trace(go.Scatter(x=[years[i] for i in joined], y=[values[i] for i in joined], name=labels["history"],
                                 mode="lines+markers", line={"color": HISTORY_COLOUR, "width": 2, "dash": "dot"},
                                 marker={"size": [9 if i in before else 0 for i in joined], "color": "white",
                                         "line": {"color": HISTORY_COLOUR, "width": 2}}))
        years, values = years[len(before):], values[len(before):]
    fig.add_trace(go.Scatter(x=years, y=values, name=labels["observed"], mode="lines+markers",
                             line={"color": SERIES_COLOUR, "width": 3}, marker={"size": 9}))
    y_range = _value_range([*data.values, *data.path_values, *data.projection_cagr, *data.projection_linear,
                            data.target_value, data.base_value], bounded=data.bounded, observed=data.values)
    if data.target_value is not None:
        # At the top of a capped axis the label goes beside the star, and the star may overlap the frame.
        at_top = y_range is not None and data.target_value >= y_range[1] - (y_range[1] - y_range[0]) * 0.1
        fig.add_trace(go.Scatter(x=[data.target_year], y=[data.target_value], name=labels["target"], mode="markers+text",
                                 marker={"color": TARGET_COLOUR, "size": 18, "symbol": "star"}, cliponaxis=False,
                                 text=[f"{data.target_value:,g}" + (data.unit if data.unit in SUFFIX_UNITS else f" {data.unit}")],
                                 textposition="bottom left" if at_top else "top center"))
    left = _left_margin(y_range, data.unit, font_size)
    drawing_width = width or WRAP_HINT_WIDTH
    # A page's chart is stretched to a width only the browser knows: room for the legend as wrapped in a narrow column
    # (an English legend takes three rows there), so the title never sits on it.
    legend_width = width if width is not None else LEGEND_HINT_WIDTH
    legend = legend_rows([trace.name for trace in fig.data], legend_width - left - MARGIN_RIGHT, font_size)
    margins = _title_and_notes(fig, data.title, notes, width=drawing_width, font_size=font_size, legend=legend,
                               plot_left=left)
    fig.update_layout(
        height=height, margin={"l": left, "r": MARGIN_RIGHT, **margins},
        font={"family": CJK_FONT, "size": font_size, "color": SERIES_COLOUR}, paper_bgcolor="white", plot_bgcolor="white",
        showlegend=True, legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.01, "yanchor": "bottom"},
        xaxis={"dtick": 1, "range": [data.base_year - 0.5, data.target_year + 0.5], "gridcolor": "#eeeeee"},
        yaxis={"gridcolor": "#eeeeee", "exponentformat": "none", "separatethousands": True, **_unit_axis(data.unit),
               **({"range": y_range} if y_range else {}), **(_whole_unit_ticks(y_range) if data.whole_units else {})},
    )
    if width is not None:
        fig.update_layout(width=width)
    return fig


def comparison_figure(names: Sequence[str], completion: Sequence[float | None], time_progress: float | None,
                      statuses: Sequence[str], status_words: Sequence[str], title: str, *, font_size: int = 15,
                      time_label: str = "时序进度", notes: Sequence[str] = (), width: int | None = None,
                      no_completion: Sequence[str] | None = None) -> go.Figure:
    """Completion per region as horizontal bars (colour and icon + word), with the time-progress line;
    the title and the notes (data as of, the plan's clause) are part of the figure. A region without a
    completion figure gets no bar and `no_completion`'s word for it ('基期已达标', §8.3), never '0.0%'."""
    missing = [c is None or math.isnan(c) for c in completion]
    values = [0.0 if gone else c * 100 for c, gone in zip(completion, missing, strict=True)]  # type: ignore[operator]
    instead = list(no_completion) if no_completion is not None else ["—"] * len(values)
    fig = go.Figure(go.Bar(
        x=values, y=list(names), orientation="h", marker={"color": [STATUS_COLOURS.get(s, "#8C8C8C") for s in statuses]},
        text=[f"{instead[i] if missing[i] else f'{v:.1f}%'} · {w}" for i, (v, w) in enumerate(zip(values, status_words, strict=True))],
        textposition="outside", cliponaxis=False,  # a long label past the last gridline stays whole
    ))
    if time_progress is not None and not math.isnan(time_progress):
        fig.add_vline(x=time_progress * 100, line={"color": SERIES_COLOUR, "dash": "dash", "width": 2},
                      annotation_text=f"{time_label} {time_progress * 100:.0f}%", annotation_position="top")
    left = COMPARISON_MARGIN_LEFT + int(max([0.0, *(text_width_em(n) for n in names)]) * font_size)
    # The longest bar's label runs past the bar: room for it on the right (the axis leaves 20% of the plot for it).
    longest = max(range(len(values)), key=lambda i: values[i]) if values else None
    label_px = text_width_em(fig.data[0].text[longest]) * font_size if longest is not None else 0.0
    right = max(40, int(label_px - 0.2 * ((width or WRAP_HINT_WIDTH) - left) * 0.8) + 20)
    margins = _title_and_notes(fig, title, notes, width=width or WRAP_HINT_WIDTH, font_size=font_size, legend=1,
                               plot_left=left)
    fig.update_layout(
        height=max(260, margins["t"] + margins["b"] + 44 * len(names)), margin={"l": left, "r": right, **margins},
        font={"family": CJK_FONT, "size": font_size, "color": SERIES_COLOUR}, paper_bgcolor="white", plot_bgcolor="white",
        xaxis={"ticksuffix": "%", "range": [0, max([100.0, *values]) * 1.25], "gridcolor": "#eeeeee"},
        yaxis={"autorange": "reversed"},
    )
    if width is not None:
        fig.update_layout(width=width)
    return fig


@dataclass(frozen=True)
class BarometerRow:
    """One target in the barometer table: texts already formatted, the status as a key for its colour."""

    area: str
    name: str
    latest: str
    target: str
    progress: str
    needed: str  # still needed a year, in natural units (§8.4)
    status: str
    status_text: str  # icon and word, e.g. "■ 红灯", and "· 阶段性（1—9月）" on a within-year figure


@dataclass(frozen=True)
class BarometerData:
    title: str
    headers: Sequence[str]  # seven column headings, in BarometerRow's field order (status last)
    rows: Sequence[BarometerRow]
    notes: Sequence[str] = ()


# Proportions: at 18 px every Chinese text fits one line (a provisional status has its tag on a second line; a
# within-year latest value and the longest name wrap), and the same at 1500 px and 16 px (PRESENT_BAROMETER_*);
# English texts wrap where they must (each row grows to its tallest cell). Widths are ems × 18 px + CELL_PADDING_PX:
# area 10, name 19, latest 10, target 14, progress and still needed 8.3, status 8.1.
BAROMETER_COLUMN_PX = (210, 372, 210, 282, 179, 178, 176)
BAROMETER_MARGIN_PX = 20
BAROMETER_WIDTH = sum(BAROMETER_COLUMN_PX) + 2 * BAROMETER_MARGIN_PX  # 1647 px: about a 16:9 slide's width at 1×
BAROMETER_ROW_PX = 46  # a one-line row at 18 px
BAROMETER_HEADER_PX = 50
CELL_PADDING_PX = 30  # plotly's cell padding, both sides, and slack for glyphs wider than estimated
ZEBRA = ("#ffffff", "#f1f5f3")  # alternate areas, so a group reads as one block
DARK_TEXT_ON = frozenset({"#E69F00"})  # yellow needs dark text for contrast
BAROMETER_FIELDS = ("area", "name", "latest", "target", "progress", "needed", "status_text")
PLAIN_COLUMNS = len(BAROMETER_FIELDS) - 1  # every column but the status, which is filled with the status colour


def _cell_lines(text: str, column_px: int, font_size: int) -> list[str]:
    """A cell's lines: its own line breaks kept (a status, then its provisional tag), each wrapped to the column."""
    width_em = max(4.0, (column_px - CELL_PADDING_PX) / font_size)
    return [line for part in text.split("\n") for line in wrap_text(part, width_em)]


def barometer_columns(width: int) -> list[int]:
    """Column widths in px for a drawing `width` px wide (the proportions of BAROMETER_COLUMN_PX)."""
    scale = (width - 2 * BAROMETER_MARGIN_PX) / sum(BAROMETER_COLUMN_PX)
    return [int(px * scale) for px in BAROMETER_COLUMN_PX]


def barometer_row_heights(rows: Sequence[BarometerRow], font_size: int, width: int = BAROMETER_WIDTH) -> list[int]:
    """Each row's height: one line is BAROMETER_ROW_PX, a wrapped cell makes its row taller."""
    heights = []
    columns = barometer_columns(width)
    for row in rows:
        lines = max(len(_cell_lines(getattr(row, f), px, font_size)) for f, px in zip(BAROMETER_FIELDS, columns, strict=True))
        heights.append(max(BAROMETER_ROW_PX, int(lines * font_size * LINE_HEIGHT) + 20))
    return heights


def barometer_figure(data: BarometerData, *, font_size: int = 18, width: int = BAROMETER_WIDTH) -> go.Figure:
    """A plan's barometer (晴雨表) on one page: one row per target, the area named on its first row,
    status as colour, icon and word. The height grows with the rows, so nothing is cut off."""
    rows = list(data.rows)
    colours = [STATUS_COLOURS.get(r.status, "#8C8C8C") for r in rows]
    text_colours = ["#1f2933" if c in DARK_TEXT_ON else "#ffffff" for c in colours]
    group = 0
    zebra, areas = [], []
    for i, row in enumerate(rows):
        first_of_area = i == 0 or row.area != rows[i - 1].area
        group += first_of_area and i > 0
        zebra.append(ZEBRA[group % 2])
        areas.append(row.area if first_of_area else "")
    widths = barometer_columns(width)
    columns = []
    for field, px in zip(BAROMETER_FIELDS, widths, strict=True):
        texts = areas if field == "area" else [getattr(r, field) for r in rows]
        columns.append(["<br>".join(html.escape(line) for line in _cell_lines(t, px, font_size)) if t else "" for t in texts])
    fig = go.Figure(go.Table(
        columnwidth=widths,
        header={"values": [f"<b>{html.escape(h)}</b>" for h in data.headers], "fill": {"color": SERIES_COLOUR},
                "font": {"color": "white", "size": font_size}, "align": "left", "height": BAROMETER_HEADER_PX},
        cells={"values": columns, "fill": {"color": [zebra] * PLAIN_COLUMNS + [colours]},
               "font": {"color": [[SERIES_COLOUR] * len(rows)] * PLAIN_COLUMNS + [text_colours], "size": font_size},
               "align": ["left"] * PLAIN_COLUMNS + ["center"], "height": BAROMETER_ROW_PX, "line": {"color": "#d9e1dd"}},
    ))
    margins = _title_and_notes(fig, data.title, data.notes, width=width, font_size=font_size,
                               plot_left=BAROMETER_MARGIN_PX)
    margins["b"] -= AXIS_SPACE_PX - 10  # a table has no axis under it
    fig.update_annotations(selector={"name": NOTES_NAME}, yshift=-10)  # right under the table
    table_px = BAROMETER_HEADER_PX + sum(barometer_row_heights(rows, font_size, width)) + 4
    fig.update_layout(
        width=width, height=margins["t"] + table_px + margins["b"],
        margin={"l": BAROMETER_MARGIN_PX, "r": BAROMETER_MARGIN_PX, **margins},
        font={"family": CJK_FONT, "size": font_size, "color": SERIES_COLOUR}, paper_bgcolor="white",
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
