"""The PowerPoint deck of a briefing (python-pptx), 16:9: cover, summary, one slide per target, sources.

Layout only: the figures, texts and images come from indicators/briefing/collect.py and indicators/briefing/images.py.
Sizes are chosen for a meeting room: body text 14 pt or more, tables 13 pt or more, and nothing smaller
than 11 pt (the footer). While demo data is shown, every slide carries the 示例数据 tag.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from indicators.briefing.collect import Briefing, TargetBrief
from indicators.display.charts import DARK_TEXT_ON, SERIES_COLOUR, STATUS_COLOURS, text_width_em
from indicators.display.figures import latest_text, needed_text, progress_text
from indicators.display.labels import (
    as_of_text,
    count_text,
    format_value,
    method_basis,
    method_name,
    original_text,
    period_text,
    plan_line,
    provisional_text,
    status_label,
)
from indicators.progress.ranking import provisional_counts, status_counts
from indicators.texts import in_language, load_texts

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5  # 16:9
MARGIN_IN = 0.45
# Microsoft YaHei is on every Chinese Windows, where decks are shown; elsewhere the viewer falls back to
# its own CJK font (LibreOffice here: Noto Sans CJK from fonts-noto-cjk). Set for Latin and East Asian text.
DECK_FONT = "Microsoft YaHei"
TEXT_COLOUR = SERIES_COLOUR
MUTED_COLOUR = "#52606d"
ACCENT_COLOUR = "#1b7f5a"  # the dashboard's green
DEMO_FILL = "#1f2933"
HEADER_FILL = SERIES_COLOUR
ZEBRA = ("#ffffff", "#f1f5f3")
TITLE_PT, SUBTITLE_PT, BODY_PT, SMALL_PT, FOOTER_PT = 28, 16, 15, 13, 11
FIGURE_PT = 22  # a key figure's value on a target slide
STATUS_PT = 26
COVER_TITLE_PT, COVER_LINE_PT = 36, 19
FOOTER_WIDTH_IN = 10.8  # beside the page number
CHART_WIDTH_IN = 8.4  # the chart on a target slide; its height follows the image (820 × 560)
WIDE_TABLE_ROWS = 8  # a summary with more rows than this uses the smaller table type
TABLE_PT_FEW, TABLE_PT_MANY = 16, 13
TABLE_PT_SMALLEST = TABLE_PT_MANY  # never smaller (meeting-room legibility): a longer summary continues on a second slide
SUMMARY_TABLE_TOP = 1.98  # inches: under the heading, the method line and the status counts
SUMMARY_TABLE_ROOM = 7.05 - SUMMARY_TABLE_TOP  # down to the footer (at 7.08 in)
TEXT_SLACK = 1.12  # measured text may come out this much wider in another font (LibreOffice, Office)
LINE_ADVANCE = 1.3  # a line of CJK text takes about 1.3 × its size, before line spacing
TABLE_WIDTH_IN = SLIDE_WIDTH_IN - 2 * 0.45
CELL_MARGINS_IN = 0.35  # a table cell's inner margins, and room for the spaces viewers add between Chinese and digits
MAX_COLUMN_IN = 2.0  # a long text (a target set elsewhere) wraps instead of squeezing the names

TEXTS = load_texts(Path(__file__).with_name("texts.yaml"))


def _text_inches(text: str, size: float) -> float:
    """Estimated width of a one-line text: viewers' fonts vary, so with a little slack."""
    return text_width_em(text) * size / 72 * TEXT_SLACK


def _line_count(text: str, width_in: float, size: float) -> int:
    usable = max(width_in - 0.12, 0.5)  # the text box's inner margins
    return max(1, math.ceil(_text_inches(text, size) / usable))


def _line_height(size: float, spacing: float = 1.1) -> float:
    return size / 72 * spacing * LINE_ADVANCE


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _set_font(run, size: float, *, bold: bool = False, colour: str = TEXT_COLOUR) -> None:
    """Size, weight, colour, and the typeface for Latin and East Asian (Chinese) text alike."""
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)
    run.font.name = DECK_FONT  # writes <a:latin>; Chinese text uses <a:ea>, added right after it
    rpr = run._r.get_or_add_rPr()
    latin = rpr.find(qn("a:latin"))
    for tag in ("a:cs", "a:ea"):
        element = rpr.find(qn(tag))
        if element is None:
            element = rpr.makeelement(qn(tag), {})
            latin.addnext(element)
        element.set("typeface", DECK_FONT)


def _text(slide: Slide, x: float, y: float, w: float, h: float, lines: Sequence[str] | str, size: float, *,
          bold: bool = False, colour: str = TEXT_COLOUR, align: PP_ALIGN = PP_ALIGN.LEFT,
          anchor: MSO_ANCHOR = MSO_ANCHOR.TOP, spacing: float = 1.1):
    """A text box (inches) with one paragraph per line."""
    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    frame.margin_top = frame.margin_bottom = Inches(0.03)
    for i, line in enumerate([lines] if isinstance(lines, str) else list(lines)):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.line_spacing = spacing
        run = paragraph.add_run()
        run.text = line
        _set_font(run, size, bold=bold, colour=colour)
    return box


def _chip(slide: Slide, x: float, y: float, w: float, h: float, text: str, fill: str, size: float, *,
          bold: bool = True) -> None:
    """A filled rounded box with centred text: a status or the demo tag."""
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(x), Inches(y), Inches(w), Inches(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = _rgb(fill)
    shape.line.fill.background()
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.margin_left = frame.margin_right = Inches(0.06)
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    run = paragraph.add_run()
    run.text = text
    _set_font(run, size, bold=bold, colour=TEXT_COLOUR if fill in DARK_TEXT_ON else "#ffffff")


def _status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "#8C8C8C")


class _Deck:
    """Builds the slides of one briefing in order; page numbers need the total up front."""

    def __init__(self, briefing: Briefing):
        self.b = briefing
        self.t = in_language(TEXTS, briefing.lang)
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
        self.total = 2 + len(self.summary_pages) + len(briefing.targets)
        self.page = 0
        core = self.prs.core_properties
        core.title = f"{self._plan_title()} · {briefing.region_name}"
        core.subject = briefing.data_as_of
        core.author = self.t["app"]

    def _plan_title(self) -> str:
        return self.b.plan.name(self.b.lang)

    def new_slide(self, as_of: str | None = None) -> Slide:
        """A blank slide with the footer (app, plan, data as of — the briefing's unless `as_of` names the slide's own —,
        page) and, for demo data, the tag."""
        self.page += 1
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[6])  # blank
        footer = self._footer(as_of or self.b.data_as_of)
        _text(slide, MARGIN_IN, 7.08, FOOTER_WIDTH_IN, 0.32, footer, FOOTER_PT, colour=MUTED_COLOUR)
        _text(slide, 11.6, 7.08, 1.3, 0.32, f"{self.page} / {self.total}", FOOTER_PT, colour=MUTED_COLOUR,
              align=PP_ALIGN.RIGHT)
        if self.b.demo:
            _chip(slide, SLIDE_WIDTH_IN - MARGIN_IN - 3.0, 0.14, 3.0, 0.42, self.t["demo_tag"], DEMO_FILL, SMALL_PT)
        return slide

    def _footer(self, as_of: str) -> str:
        """One line: the app's name goes first when the data-as-of summary needs the room, then the plan's title is cut."""
        parts = [self.t["app"], self.b.region_name, self._plan_title(), as_of]
        if _line_count(" · ".join(parts), FOOTER_WIDTH_IN, FOOTER_PT) > 1:
            parts = parts[1:]
        title = self._plan_title()
        while _line_count(" · ".join(parts), FOOTER_WIDTH_IN, FOOTER_PT) > 1 and len(title) > 8:
            title = title[:-2]
            parts[1] = title + "…"
        return " · ".join(parts)

    def heading(self, slide: Slide, title: str, english: str = "") -> None:
        width = SLIDE_WIDTH_IN - 2 * MARGIN_IN - (3.2 if self.b.demo else 0)
        _text(slide, MARGIN_IN, 0.3, width, 0.6, title + (f"  {english}" if english else ""), TITLE_PT, bold=True)

    # --- slides -----------------------------------------------------------------
    def cover(self) -> None:
        b, t = self.b, self.t
        slide = self.new_slide()
        bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(0), Emu(0), self.prs.slide_width, Inches(0.12))
        bar.fill.solid()
        bar.fill.fore_color.rgb = _rgb(ACCENT_COLOUR)
        bar.line.fill.background()
        _text(slide, MARGIN_IN + 0.2, 0.9, 12, 0.5, t["kicker"], SUBTITLE_PT + 2, colour=ACCENT_COLOUR, bold=True)
        x, w = MARGIN_IN + 0.2, 12.2
        title_h = _line_count(self._plan_title(), w, COVER_TITLE_PT) * _line_height(COVER_TITLE_PT, 1.0)
        _text(slide, x, 1.45, w, title_h, self._plan_title(), COVER_TITLE_PT, bold=True, spacing=1.0)
        y = 1.45 + title_h + 0.1
        if b.lang == "zh":
            english_h = _line_count(b.plan.title_en, w, SUBTITLE_PT) * _line_height(SUBTITLE_PT)
            _text(slide, x, y, w, english_h, b.plan.title_en, SUBTITLE_PT, colour=MUTED_COLOUR)
            y += english_h
        plan = b.plan
        lines = [
            f"{t['region']}{t['colon']}{b.region_name}",
            b.data_as_of,
            f"{t['method']}{t['colon']}{method_name(b.method, b.lang)}",
            f"{t['plan']}{t['colon']}{plan_line(plan, b.lang)} · {len(plan.targets)} {t['targets']}",
            f"{t['generated']}{t['colon']}{b.generated:%Y-%m-%d}",
        ]
        _text(slide, x, y + 0.25, w, len(lines) * _line_height(COVER_LINE_PT, 1.15), lines, COVER_LINE_PT, spacing=1.15)
        _text(slide, x, 5.8, w, 0.55, method_basis(b.method, b.lang), SMALL_PT, colour=MUTED_COLOUR)
        if b.demo:
            _chip(slide, x, 6.35, w, 0.55, t["demo_cover"], DEMO_FILL, BODY_PT + 1)

    def summary(self) -> None:
        """The summary slide(s): the status counts, then the table; rows that do not fit go on a next slide."""
        b, t = self.b, self.t
        for page, rows in enumerate(self.summary_pages):
            slide = self.new_slide()
            self.heading(slide, t["summary"] + (t["continued"] if page else ""), t["summary_en"])
            basis = f"{t['method']}{t['colon']}{method_name(b.method, b.lang)}{t['dash']}{method_basis(b.method, b.lang)}"
            _text(slide, MARGIN_IN, 0.88, SLIDE_WIDTH_IN - 2 * MARGIN_IN, 0.55, basis, SMALL_PT, colour=MUTED_COLOUR)
            if page == 0:
                self._status_chips(slide)
            self._summary_table(slide, rows, top=SUMMARY_TABLE_TOP)

    def _status_chips(self, slide: Slide) -> None:
        b = self.b
        rows = pd.DataFrame([t_.row for t_ in b.targets])
        counts = status_counts(rows, b.method) if b.targets else {}
        provisional = provisional_counts(rows, b.method) if b.targets else {}
        x = MARGIN_IN
        for status, n in counts.items():
            if n:
                text = count_text(status, n, provisional.get(status, 0), b.lang)  # '● 绿灯 5（其中阶段性1）'
                width = max(1.75, _text_inches(text, BODY_PT) + 0.25)
                _chip(slide, x, 1.45, width, 0.4, text, _status_colour(status), BODY_PT)
                x += width + 0.15

    def _summary_cells(self) -> list[tuple[list[str], str, str]]:
        """Each target's row of the summary: texts, zebra fill (alternating by area), status."""
        b = self.b
        group, previous, cells = 0, None, []
        for target in b.targets:
            row = target.row
            first_of_area = row["area"] != previous
            group += first_of_area and previous is not None
            previous = row["area"]
            status = str(row[f"status_{b.method}"])
            latest, status_cell = latest_text(row, b.lang), status_label(status, b.lang)
            if bool(row.get("provisional")):  # §8.5: the months on the value's second line, the tag on the status's
                latest = _break_before_bracket(latest)  # (so the columns stay narrow and the row two lines high)
                status_cell += "\n" + provisional_text(None, b.lang)
            texts = [str(row["area_name"]) if first_of_area else "", str(row["indicator_name"]), latest,
                     target.target_short, progress_text(row, b.lang), status_cell]
            cells.append((texts, ZEBRA[group % 2], status))
        return cells

    def _summary_layout(self) -> tuple[int, list[float], list[float], list[list[int]]]:
        """Type size, column widths, row heights (header first) and the rows on each summary slide: as many as fit
        above the footer (English names wrap to two or three lines, so an English summary may take two slides)."""
        t, cells = self.t, self._summary_cells()
        texts = [list(t["headers"]), *(c[0] for c in cells)]
        for size in (TABLE_PT_FEW if len(cells) <= WIDE_TABLE_ROWS else TABLE_PT_MANY, TABLE_PT_SMALLEST):
            widths = _fit_columns(texts, size, flexible=1, wrapping=(0, 1, 3))
            heights = [max(_lines(text, w, size) for text, w in zip(row, widths, strict=True)) * _line_height(size, 1.0) + 0.1
                       for row in texts]
            if sum(heights) <= SUMMARY_TABLE_ROOM:
                break
        pages: list[list[int]] = [[]]
        used = heights[0]
        for r, height in enumerate(heights[1:]):
            if pages[-1] and used + height > SUMMARY_TABLE_ROOM:
                pages.append([])
                used = heights[0]
            pages[-1].append(r)
            used += height
        return size, widths, heights, pages

    @property
    def summary_pages(self) -> list[list[int]]:
        return self._summary_layout()[3] if self.b.targets else [[]]

    def _summary_table(self, slide: Slide, shown: Sequence[int], top: float) -> None:
        t = self.t
        cells = self._summary_cells()
        size, widths, heights, _ = self._summary_layout()
        rows_h = [heights[0], *(heights[r + 1] for r in shown)]
        shape = slide.shapes.add_table(len(shown) + 1, len(widths), Inches(MARGIN_IN), Inches(top),
                                       Inches(sum(widths)), Inches(sum(rows_h)))
        table = shape.table
        table.first_row, table.horz_banding = True, False
        for i, w in enumerate(widths):
            table.columns[i].width = Inches(w)
        for i, header in enumerate(t["headers"]):
            _cell(table.cell(0, i), header, size, bold=True, colour="#ffffff", fill=HEADER_FILL)
        for r, index in enumerate(shown, start=1):
            texts, zebra, status = cells[index]
            if r == 1 and not texts[0]:  # a continued area names itself again at the top of a slide
                texts = [str(self.b.targets[index].row["area_name"]), *texts[1:]]
            for c, text in enumerate(texts[:-1]):
                _cell(table.cell(r, c), text, size, fill=zebra)
            colour = _status_colour(status)
            _cell(table.cell(r, len(texts) - 1), texts[-1], size, bold=True, fill=colour,
                  colour=TEXT_COLOUR if colour in DARK_TEXT_ON else "#ffffff", align=PP_ALIGN.CENTER)
        for r, height in enumerate(rows_h):
            table.rows[r].height = Inches(height)

    def target_slide(self, number: int, target: TargetBrief, png: bytes) -> None:
        b, t = self.b, self.t
        row = target.row
        slide = self.new_slide(as_of_text(row.get("latest_year"), row.get("latest_month"), b.lang))  # this target's own
        kicker = f"{t['item'].format(n=number, total=len(b.targets))} · {row['area_name']} · {row['indicator_name']}"
        _text(slide, MARGIN_IN, 0.16, 8.6, 0.4, kicker, SMALL_PT, colour=MUTED_COLOUR)
        # The chart carries its own title and notes (data as of, source, the plan's clause): it stands alone.
        picture = slide.shapes.add_picture(io.BytesIO(png), Inches(0.3), Inches(0.58), width=Inches(CHART_WIDTH_IN))
        picture.name = f"chart {row['indicator']}"
        picture._element.nvPicPr.cNvPr.set("descr", target.alt_text)  # type: ignore[union-attr]  # read aloud by screen readers
        status = str(row[f"status_{b.method}"])
        panel_x = 0.3 + CHART_WIDTH_IN + 0.3
        panel_w = SLIDE_WIDTH_IN - panel_x - MARGIN_IN + 0.1
        _chip(slide, panel_x, 0.7, panel_w, 0.78, status_label(status, b.lang), _status_colour(status), STATUS_PT)
        y = 1.52
        if bool(row.get("provisional")):  # §8.5: judged on a within-year figure
            _text(slide, panel_x, y, panel_w, 0.34, provisional_text(row.get("latest_month"), b.lang), BODY_PT, bold=True)
            y += 0.34
        _text(slide, panel_x, y, panel_w, 0.32, f"{t['method']}{t['colon']}{method_name(b.method, b.lang)}", SMALL_PT,
              colour=MUTED_COLOUR)
        y += 0.38
        for label, value, note in self._key_figures(target):
            _text(slide, panel_x, y, panel_w, 0.3, label, SMALL_PT, colour=MUTED_COLOUR)
            y += 0.27
            # A long value (a target set elsewhere) gets body type over two lines rather than running over.
            size = FIGURE_PT if _line_count(value, panel_w, FIGURE_PT) == 1 else BODY_PT
            height = _line_count(value, panel_w, size) * _line_height(size, 1.0)
            _text(slide, panel_x, y, panel_w, height, value, size, bold=True, spacing=1.0)
            y += height + 0.02
            if note:
                _text(slide, panel_x, y, panel_w, 0.3, note, SMALL_PT)
                y += 0.28
            y += 0.08
        _text(slide, panel_x, y, panel_w, 0.3, t["reason"], SMALL_PT, colour=MUTED_COLOUR)
        _text(slide, panel_x, y + 0.3, panel_w, 6.95 - y - 0.3, str(row[f"reason_{b.method}"]) + ("。" if b.lang == "zh" else "."), BODY_PT - 1)
        departments = f"{t['departments']}{t['colon']}{row['departments_text']}"
        _text(slide, MARGIN_IN, 6.42, CHART_WIDTH_IN - 0.2, 0.6, departments, BODY_PT - 1)

    def _key_figures(self, target: TargetBrief) -> list[tuple[str, str, str]]:
        """(label, value, note) for the panel: latest, target, completion against time, rate still needed."""
        row, t, lang = target.row, self.t, self.b.lang
        year = _number(row.get("latest_year"))
        when = "" if year is None else period_text(year, _number(row.get("latest_month")), lang)
        latest = format_value(_number(row.get("latest_value")), str(row["unit_text"]), int(row["decimals"]), t["no_data"])
        gap = _number(row.get("gap_pp"))
        gap_text = "" if gap is None else (t["behind"] if gap < 0 else t["ahead"]).format(pp=abs(gap))
        latest_label = t["latest"] + ((f"（{when}）" if lang == "zh" else f" ({when})") if when else "")
        return [(latest_label, latest, ""), (t["target"], target.target_short, ""),
                (t["progress"], progress_text(row, lang), gap_text), (t["needed"], needed_text(row, lang), "")]

    def sources(self) -> None:
        b, t = self.b, self.t
        slide = self.new_slide()
        self.heading(slide, t["sources"], t["sources_en"])
        _text(slide, MARGIN_IN, 1.0, 8.6, 0.4, t["clauses"], BODY_PT + 1, bold=True)
        size = SMALL_PT - 1 if len(b.targets) > WIDE_TABLE_ROWS else SMALL_PT + 1
        row_h = 0.22 + size / 72 * 0.6
        shape = slide.shapes.add_table(len(b.targets) + 1, 2, Inches(MARGIN_IN), Inches(1.45), Inches(8.6),
                                       Inches(row_h * (len(b.targets) + 1)))
        table = shape.table
        table.first_row, table.horz_banding = True, False
        table.columns[0].width, table.columns[1].width = Inches(2.75), Inches(5.85)
        _cell(table.cell(0, 0), t["clause"], size, bold=True, colour="#ffffff", fill=HEADER_FILL)
        _cell(table.cell(0, 1), t["quote"], size, bold=True, colour="#ffffff", fill=HEADER_FILL)
        for r, target in enumerate(sorted(b.targets, key=lambda x: b.plan.targets.index(x.target)), start=1):
            _cell(table.cell(r, 0), original_text(target.target.clause, b.lang), size, fill=ZEBRA[r % 2])
            _cell(table.cell(r, 1), f"“{target.target.quote}”" if b.lang == "zh" else original_text(target.target.quote, b.lang),
                  size, fill=ZEBRA[r % 2])
            table.rows[r].height = Inches(row_h)
        table.rows[0].height = Inches(row_h)
        x, w = 9.35, SLIDE_WIDTH_IN - 9.35 - MARGIN_IN
        plan = b.plan
        # Cited as a reader finds it: title, issuer and date (never a file of this project).
        document = [f"《{plan.title_zh}》" if b.lang == "zh" else plan.title_en,
                    *([] if b.lang == "zh" else [original_text(f"《{plan.title_zh}》", b.lang)]), plan_line(plan, b.lang)]
        y = self._block(slide, x, 1.0, w, t["plan_document"], document)
        y = self._block(slide, x, y, w, t["data_sources"], b.sources or ["—"])
        batches = [t["batch_line"].format(id=int(r["batch_id"]), file=r["file_name"], at=f"{r['imported_at']:%Y-%m-%d %H:%M}",
                                          by=r["imported_by"], rows=int(r["row_count"]))
                   for r in b.batches.to_dict("records")] or [t["no_batches"]]
        self._block(slide, x, y, w, t["batches"], batches)

    def _block(self, slide: Slide, x: float, y: float, w: float, title: str, lines: Sequence[str]) -> float:
        """A heading and its lines; returns where the next block starts (line count estimated from widths)."""
        _text(slide, x, y, w, 0.4, title, BODY_PT + 1, bold=True)
        chars_per_line = max(8, int(w * 72 / SMALL_PT) - 1)
        line_count = sum(1 + len(line) // chars_per_line for line in lines)
        height = 0.12 + line_count * SMALL_PT / 72 * 1.3
        _text(slide, x, y + 0.42, w, height, lines, SMALL_PT, spacing=1.05)
        return y + 0.42 + height + 0.2


def _break_before_bracket(text: str) -> str:
    """'68.9%（2025年1—9月）' → '68.9%\n（2025年1—9月）', 'provisional (Jan–Sep)' → 'provisional\n(Jan–Sep)'."""
    return text.replace("（", "\n（", 1) if "（" in text else text.replace(" (", "\n(", 1)


def _lines(text: str, width_in: float, size: float) -> int:
    """Lines a cell takes: its own line breaks, each part wrapped to the width."""
    return sum(_line_count(part, width_in, size) for part in text.split("\n"))


def _fit_columns(rows: Sequence[Sequence[str]], size: float, *, flexible: int, wrapping: Sequence[int] = ()) -> list[float]:
    """Column widths (inches) for a full-width table: each column as wide as its longest text (the
    `wrapping` columns at most MAX_COLUMN_IN), and the `flexible` column (the names) takes what is left."""
    natural = [max(_text_inches(part, size) for row in rows for part in row[c].split("\n")) + CELL_MARGINS_IN
               for c in range(len(rows[0]))]
    natural = [min(w, MAX_COLUMN_IN) if c in wrapping else w for c, w in enumerate(natural)]
    fixed = sum(w for c, w in enumerate(natural) if c != flexible)
    natural[flexible] = max(TABLE_WIDTH_IN - fixed, 2.5)
    scale = min(1.0, TABLE_WIDTH_IN / sum(natural))
    return [w * scale for w in natural]


def _cell(cell, text: str, size: float, *, bold: bool = False, colour: str = TEXT_COLOUR, fill: str | None = None,
          align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    frame = cell.text_frame
    frame.word_wrap = True
    cell.margin_left = cell.margin_right = Inches(0.08)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    for i, line in enumerate(text.split("\n")):  # a status, then its provisional tag, as two paragraphs
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        _set_font(run, size, bold=bold, colour=colour)
    if fill:
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(fill)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def slide_total(briefing: Briefing) -> int:
    """Cover, the summary slide(s), one per target, sources."""
    return _Deck(briefing).total


def build_deck(briefing: Briefing, chart_pngs: Sequence[bytes]) -> bytes:
    """The .pptx file: cover, summary, one slide per target (its chart from `chart_pngs`, same order), sources."""
    if len(chart_pngs) != len(briefing.targets):
        raise ValueError(f"{len(chart_pngs)} chart images for {len(briefing.targets)} targets")
    deck = _Deck(briefing)
    deck.cover()
    deck.summary()
    for number, (target, png) in enumerate(zip(briefing.targets, chart_pngs, strict=True), start=1):
        deck.target_slide(number, target, png)
    deck.sources()
    out = io.BytesIO()
    deck.prs.save(out)
    return out.getvalue()

