"""What the data page offers as choices for a file: its sheets and the labels written in it.

The analyst maps a label of the file to a catalogue indicator by picking both, so the labels come from the
file itself: the text cells of each sheet's first columns and of its header rows (numbers and years left out),
shown as read (normalised, control characters replaced, long texts cut).
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.layouts.rawtable import display
from loaders.layouts.structure import blank, is_number
from loaders.read.workbook import Workbook

LABEL_COLUMNS = 3  # leftmost columns read for row labels
HEADER_ROWS = 12  # top rows read for column labels
SCANNED_ROWS = 2000  # rows read for row labels: a long table repeats its labels
MAX_LABELS = 400  # labels offered at most
MAX_LABEL_CHARS = 60  # longer texts are notes or titles, not labels


@dataclass(frozen=True)
class FileContext:
    """A file's sheets (in order) and its distinct label texts."""

    sheets: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


def file_context(workbook: Workbook) -> FileContext:
    labels: dict[str, None] = {}
    for sheet in workbook.sheets:
        for r, row in enumerate(sheet.rows[:SCANNED_ROWS]):
            cells = row if r < HEADER_ROWS else row[:LABEL_COLUMNS]
            for value in cells:
                if len(labels) >= MAX_LABELS:
                    break
                if blank(value) or is_number(value) or not isinstance(value, str):
                    continue
                text = display(value)
                if text and len(text) <= MAX_LABEL_CHARS:
                    labels.setdefault(text, None)
    return FileContext(tuple(workbook.available_sheets or workbook.sheet_names), tuple(labels))
