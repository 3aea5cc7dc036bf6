"""Slide helpers for the comparison's deck (indicators/briefing/comparison.py), in the briefing deck's style and sizes."""

from __future__ import annotations

from collections.abc import Sequence

from pptx import Presentation
from pptx.presentation import Presentation as PresentationFile
from pptx.slide import Slide
from pptx.util import Inches

from indicators.briefing.deck import (
    FOOTER_PT,
    HEADER_FILL,
    MARGIN_IN,
    MUTED_COLOUR,
    SLIDE_HEIGHT_IN,
    SLIDE_WIDTH_IN,
    TABLE_PT_FEW,
    TABLE_PT_MANY,
    TITLE_PT,
    WIDE_TABLE_ROWS,
    ZEBRA,
    _cell,
    _fit_columns,
    _line_height,
    _lines,
    _text,
)

__all__ = ["FOOTER_PT", "MARGIN_IN", "MUTED_COLOUR", "SLIDE_HEIGHT_IN", "SLIDE_WIDTH_IN", "TITLE_PT", "new_presentation",
           "slide_table", "slide_text"]

slide_text = _text


def new_presentation(title: str, subject: str) -> PresentationFile:
    """An empty 16:9 deck with its title and subject set."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    prs.core_properties.title, prs.core_properties.subject = title, subject
    return prs


def slide_table(slide: Slide, headers: Sequence[str], rows: Sequence[Sequence[str]], *, top: float,
                flexible: int | None = None) -> None:
    """A full-width table: header in the dashboard's dark colour, zebra rows; the longest column wraps."""
    size = TABLE_PT_FEW if len(rows) <= WIDE_TABLE_ROWS else TABLE_PT_MANY
    texts = [list(headers), *(list(r) for r in rows)]
    widest = flexible if flexible is not None else len(headers) - 1
    widths = _fit_columns(texts, size, flexible=widest, wrapping=tuple(range(len(headers))))
    heights = [max(_lines(text, w, size) for text, w in zip(row, widths, strict=True)) * _line_height(size, 1.0) + 0.1
               for row in texts]
    shape = slide.shapes.add_table(len(texts), len(headers), Inches(MARGIN_IN), Inches(top), Inches(sum(widths)),
                                   Inches(sum(heights)))
    table = shape.table
    table.first_row, table.horz_banding = True, False
    for i, w in enumerate(widths):
        table.columns[i].width = Inches(w)
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            if r == 0:
                _cell(table.cell(r, c), text, size, bold=True, colour="#ffffff", fill=HEADER_FILL)
            else:
                _cell(table.cell(r, c), text, size, fill=ZEBRA[r % 2])
        table.rows[r].height = Inches(heights[r])


