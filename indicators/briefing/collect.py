"""Everything a briefing on one plan × region shows, gathered once: statuses worst first, each target's
chart, the barometer, the sources and batches behind the figures, and whether demo data is present.

The deck (indicators/briefing/deck.py) and the images (indicators/briefing/images.py) only lay this out; the
`brief` command and the pages' export buttons both start here.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from indicators.briefing.images import ImageSpec
from indicators.catalogue import Catalogue, Plan, Target
from indicators.display.chart_data import ChartTable, barometer_table, series_table
from indicators.display.charts import NOTES_NAME, TITLE_NAME
from indicators.display.figures import SLIDE_SIZE, plan_barometer_figure, sources_by_series, target_figure
from indicators.display.labels import as_of_summary, display_rows, target_text
from indicators.errors import InvalidArgument, UserError
from indicators.progress import assess_frame
from indicators.progress.ranking import worst_first
from indicators.status import history_frame, load_inputs, resolve_region
from indicators.store import Store
from indicators.targets import apply_target_overrides
from indicators.vocabulary import METHODS

BAROMETER_SCALE = 1.5  # the barometer is drawn 1590 px wide: 1.5× gives 2385 px, sharp on a projector
CHART_SCALE = 2.0  # a slide's chart, 820 × 560 px drawn: 2× gives 1640 × 1120 (about 190 dpi on the slide)
DEMO_BATCH_KIND = "demo"  # one of indicators/vocabulary.py BATCH_KINDS
_SAFE_NAME = re.compile(r"[^0-9A-Za-z_-]+")


@dataclass(frozen=True)
class TargetBrief:
    """One target's slide: its status row (with display texts), the plan's target and the chart."""

    row: dict[str, Any]
    target: Target
    figure: go.Figure
    sources: list[str]
    target_short: str  # the target without the plan's wording, for the summary table
    file_stem: str  # '01_energy_intensity_reduction': the chart's PNG name
    data: ChartTable  # the data behind the chart, for CSV/xlsx

    @property
    def image(self) -> ImageSpec:
        return ImageSpec(self.figure, SLIDE_SIZE.width or 0, SLIDE_SIZE.height, CHART_SCALE)

    @property
    def alt_text(self) -> str:
        """The chart's title and notes as text (the picture's description)."""
        texts = [a.text for a in self.figure.layout.annotations if a.name in (TITLE_NAME, NOTES_NAME)]
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)) for text in texts)


@dataclass(frozen=True)
class Briefing:
    plan: Plan
    region_id: str
    region_name: str
    method: str
    lang: str
    data_as_of: str  # '数据截至2024年', or each period with its count (§8.5): '数据截至：2024年（11项）、2025年1—9月（1项）'
    demo: bool  # some figures shown are demo data: every slide says 示例数据
    targets: list[TargetBrief]  # worst first, grouped by area
    barometer: go.Figure
    sources: list[str]  # every source behind the figures, the most recent first
    batches: pd.DataFrame  # the import batches behind the figures
    barometer_data: ChartTable  # the barometer's data, for CSV/xlsx
    generated: dt.date = field(default_factory=dt.date.today)

    @property
    def barometer_image(self) -> ImageSpec:
        return ImageSpec(self.barometer, int(self.barometer.layout.width), int(self.barometer.layout.height), BAROMETER_SCALE)

    def images(self) -> list[ImageSpec]:
        """Every image of the briefing, charts first, then the barometer."""
        return [*(t.image for t in self.targets), self.barometer_image]


def collect_briefing(catalogue: Catalogue, store: Store, *, plan_id: str, region: str | None = None,
                     as_of: int | None = None, method: str = "barometer", lang: str = "zh") -> Briefing:
    """Read and assess one plan × region (the plan's own region by default) for a briefing."""
    if plan_id not in catalogue.plans:
        raise InvalidArgument(f"没有id为“{plan_id}”的方案（现有：{'、'.join(catalogue.plans)}）。/ No plan '{plan_id}'.")
    if method not in METHODS:
        raise InvalidArgument(f"未知的判定方法“{method}”（可选：{'、'.join(METHODS)}）。/ Unknown method '{method}'.")
    catalogue = apply_target_overrides(catalogue, store.target_overrides())  # targets an administrator entered
    plan = catalogue.plans[plan_id]
    region_id = resolve_region(catalogue, region) or plan.region
    region_name = catalogue.regions[region_id].name(lang)
    specs, observations = load_inputs(catalogue, store, plan=plan_id, region=region_id, as_of=as_of)
    if specs.empty:
        raise UserError(f"方案“{plan.title_zh}”在{region_name}没有可汇报的目标（该地区不属于此方案，或没有数据）。\n"
                        f"Plan '{plan_id}' has no targets to report for {region_id}.")
    results = assess_frame(specs, observations, as_of=as_of, reasons=True)
    rows = worst_first(display_rows(results, catalogue, lang), method)
    history = history_frame(specs, observations)
    current = store.current_observations(as_of=as_of, regions=[region_id], indicators=sorted(set(rows["input_indicator"])))
    by_series = sources_by_series(current)
    targets = {t.indicator: t for t in plan.targets}
    briefs = []
    for number, row in enumerate(rows.to_dict("records"), start=1):
        target = targets[row["indicator"]]
        sources = by_series.get((region_id, row["input_indicator"]), [])
        figure = target_figure(row, history, plan, target, lang=lang, method=method, sources=sources, size=SLIDE_SIZE)
        short = target_text(target, str(row["unit_text"]), int(row["decimals"]), lang, bool(row["is_reduction"]), wording=False)
        data = series_table(row, history, plan, target, lang=lang, method=method, sources=sources,
                            sheet=f"{number:02d} {row['indicator_name']}")
        briefs.append(TargetBrief(row=row, target=target, figure=figure, sources=sources, target_short=short,
                                  file_stem=f"{number:02d}_{_SAFE_NAME.sub('_', row['indicator'])}", data=data))
    all_sources = list(dict.fromkeys(s for sources in by_series.values() for s in sources))
    batches = _batches_behind(store, current["batch_id"].unique().tolist())
    demo = bool((batches["kind"] == DEMO_BATCH_KIND).any())  # the figures shown include demo ones
    return Briefing(
        plan=plan, region_id=region_id, region_name=region_name, method=method, lang=lang,
        data_as_of=as_of_summary(rows, lang), demo=demo,
        targets=briefs, barometer=plan_barometer_figure(rows, plan, region_name, method=method, lang=lang,
                                                        sources=all_sources, demo=demo),
        sources=all_sources, batches=batches,
        barometer_data=barometer_table(rows, plan, region_name, method=method, lang=lang, sources=all_sources),
    )


def _batches_behind(store: Store, batch_ids: Sequence[int]) -> pd.DataFrame:
    batches = store.batches()
    return batches[batches["batch_id"].isin([int(b) for b in batch_ids])].reset_index(drop=True)
