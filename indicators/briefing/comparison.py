"""One target across the city and its districts (the 地区对比 page and its exports): the figure, its data
table, and the PNG, PPTX and CSV/xlsx a presenter takes to a meeting.

Everything is built from display rows (indicators/display/labels.display_rows) of one plan × indicator, one row
per region, under one method: the page shows the same figure that is exported.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from indicators.briefing.images import ImageSession, ImageSpec
from indicators.briefing.names import WHAT, file_name
from indicators.catalogue import Plan, Target
from indicators.display.chart_data import ChartTable, comparison_table
from indicators.display.charts import comparison_figure
from indicators.display.figures import clause_text, sources_text
from indicators.display.labels import as_of_summary, method_name, status_label
from indicators.progress.ranking import worst_first
from indicators.tabular_files import titled_csv_bytes, titled_xlsx_bytes
from indicators.texts import in_language, load_texts

EXPORT_WIDTH = 1200  # px: the exported chart's drawing width (wraps title and notes for it)
EXPORT_SCALE = 2.0  # 2400 px wide: sharp on a slide
TEXTS = load_texts(Path(__file__).with_name("texts.yaml"))


@dataclass(frozen=True)
class Comparison:
    plan: Plan
    target: Target
    city_name: str  # the plan's own region: the title says whose districts these are
    indicator_name: str
    method: str
    lang: str
    rows: pd.DataFrame  # one per region, worst first under `method`
    sources: list[str]

    @property
    def title(self) -> str:
        """'天津市 · 空气质量优良天数比例 · 各地区完成进度（发改委晴雨表）'."""
        t = in_language(TEXTS, self.lang)
        return t["comparison_title"].format(city=self.city_name, indicator=self.indicator_name,
                                            method=method_name(self.method, self.lang))

    def notes(self) -> list[str]:
        """Under the chart: each region's data year (§8.5) and the sources, then the plan's clause."""
        return [f"{as_of_summary(self.rows, self.lang)} · {sources_text(self.sources, self.lang)}",
                clause_text(self.plan, self.target, self.lang)]

    def figure(self, width: int | None = None) -> go.Figure:
        t = in_language(TEXTS, self.lang)
        time_progress = self.rows["time_progress"].dropna()
        statuses = [str(s) for s in self.rows[f"status_{self.method}"]]
        return comparison_figure(
            names=list(self.rows["region_name"]), completion=list(self.rows["completion_progress"]),
            time_progress=float(time_progress.mode().iloc[0]) if not time_progress.empty else None,  # most regions' year
            statuses=statuses, status_words=[status_label(s, self.lang) for s in statuses],
            title=self.title, time_label=t["time_elapsed"], notes=self.notes(), width=width,
            no_completion=[t["base_met_short"] if bool(m) else "—" for m in self.rows["base_met"]],  # §8.3
        )

    def table(self) -> ChartTable:
        return comparison_table(self.rows, self.plan, self.target, lang=self.lang, method=self.method, title=self.title,
                                sources=self.sources)

    def file_name(self, suffix: str) -> str:
        """'天津市_空气质量优良天数比例_地区对比_2025年.png'."""
        return file_name([self.city_name, self.indicator_name, WHAT["comparison"][self.lang]], self.plan.target_year,
                         self.lang, suffix)

    # --- files --------------------------------------------------------------------------------------------
    def image(self) -> ImageSpec:
        figure = self.figure(EXPORT_WIDTH)
        return ImageSpec(figure, EXPORT_WIDTH, int(figure.layout.height), EXPORT_SCALE)

    def png(self, session: ImageSession | None = None) -> bytes:
        if session is None:
            with ImageSession() as own:
                return self.png(own)
        return session.render([self.image()])[0]

    def csv(self) -> bytes:
        table = self.table()
        return titled_csv_bytes(table.title_lines, table.frame)

    def xlsx(self) -> bytes:
        table = self.table()
        return titled_xlsx_bytes([(table.sheet, table.title_lines, table.frame)])

    def pptx(self, png: bytes | None = None) -> bytes:
        """Two slides: the chart (its title, data years, source and clause are in the picture, and again as text
        under it), then the table with each region's reason."""
        from pptx.util import Inches  # python-pptx loads only when a deck is made

        from indicators.briefing.comparison_slides import (
            FOOTER_PT,
            MARGIN_IN,
            MUTED_COLOUR,
            SLIDE_HEIGHT_IN,
            SLIDE_WIDTH_IN,
            TITLE_PT,
            new_presentation,
            slide_table,
            slide_text,
        )

        image = png if png is not None else self.png()
        prs = new_presentation(self.title, as_of_summary(self.rows, self.lang))
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        slide_text(slide, MARGIN_IN, 0.25, SLIDE_WIDTH_IN - 2 * MARGIN_IN, 0.6, self.title, TITLE_PT - 6, bold=True)
        height = SLIDE_HEIGHT_IN - 2.0
        picture = slide.shapes.add_picture(io.BytesIO(image), Inches(MARGIN_IN), Inches(0.95), height=Inches(height))
        if picture.width > Inches(SLIDE_WIDTH_IN - 2 * MARGIN_IN):  # a short chart: fit the width instead
            scale = Inches(SLIDE_WIDTH_IN - 2 * MARGIN_IN) / picture.width
            picture.width, picture.height = int(picture.width * scale), int(picture.height * scale)
        picture._element.nvPicPr.cNvPr.set("descr", " ".join([self.title, *self.notes()]))
        slide_text(slide, MARGIN_IN, SLIDE_HEIGHT_IN - 0.95, SLIDE_WIDTH_IN - 2 * MARGIN_IN, 0.8, self.notes(), FOOTER_PT,
                   colour=MUTED_COLOUR)
        table = self.table()
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        slide_text(slide, MARGIN_IN, 0.25, SLIDE_WIDTH_IN - 2 * MARGIN_IN, 0.6, self.title, TITLE_PT - 6, bold=True)
        shown = table.frame.astype(object).where(table.frame.notna(), "—")
        slide_table(slide, [str(c) for c in shown.columns], [[_cell_text(v) for v in row] for row in shown.itertuples(index=False)],
                    top=1.0)
        slide_text(slide, MARGIN_IN, SLIDE_HEIGHT_IN - 0.95, SLIDE_WIDTH_IN - 2 * MARGIN_IN, 0.8, table.title_lines[1:],
                   FOOTER_PT, colour=MUTED_COLOUR)
        out = io.BytesIO()
        prs.save(out)
        return out.getvalue()


def _cell_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def build_comparison(rows: pd.DataFrame, plan: Plan, target: Target, *, city_name: str, method: str, lang: str,
                     sources: Sequence[str] = ()) -> Comparison:
    """`rows`: display rows of one plan × indicator (any regions); ordered worst first under `method`."""
    selected = worst_first(rows, method, by_area=False)
    name = str(selected["indicator_name"].iloc[0]) if not selected.empty else target.indicator
    return Comparison(plan=plan, target=target, city_name=city_name, indicator_name=name, method=method, lang=lang,
                      rows=selected.reset_index(drop=True), sources=list(dict.fromkeys(sources)))
