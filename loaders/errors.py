"""The one error type of the loaders: every problem names file, sheet and cell, in Chinese first.

A `LoaderError` carries all problems found, so an analyst fixes a file in one pass
instead of one error per upload.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from indicators.errors import UserError

FILE_LABEL_MAX_CHARS = 120  # longer uploaded names are shortened in messages
_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f<>\"|?*]")  # control and shell/HTML-special characters


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as is known.

    `cell` is A1 style ("C7"), or a row number ("7") or a column letter ("C") when only that applies.
    """

    file: str
    sheet: str | None
    cell: str | None
    message_zh: str
    message_en: str
    hint_zh: str = ""
    hint_en: str = ""

    def location_zh(self) -> str:
        """'文件 a.xlsx，工作表 Sheet1，单元格 C7' (parts that are unknown are left out)."""
        parts = [f"文件 {self.file}"]
        if self.sheet is not None:
            parts.append(f"工作表 {self.sheet}")
        if self.cell:
            if self.cell.isdigit():
                parts.append(f"第 {self.cell} 行")
            elif self.cell.isalpha():
                parts.append(f"{self.cell} 列")
            else:
                parts.append(f"单元格 {self.cell}")
        return "，".join(parts)

    def location_en(self) -> str:
        """'File a.xlsx, sheet Sheet1, cell C7'."""
        parts = [f"File {self.file}"]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.cell:
            if self.cell.isdigit():
                parts.append(f"row {self.cell}")
            elif self.cell.isalpha():
                parts.append(f"column {self.cell}")
            else:
                parts.append(f"cell {self.cell}")
        return ", ".join(parts)

    def render_zh(self) -> str:
        return f"{self.location_zh()}：{self.message_zh}{self.hint_zh}"

    @property
    def hint_english(self) -> str:
        """The hint in English: as given, else its form in loaders/hint_texts.py ('' when there is none)."""
        from loaders.hint_texts import english_hint  # small table, read only when an English text is needed

        return self.hint_en or english_hint(self.hint_zh)

    def render_en(self) -> str:
        text = f"{self.location_en()}: {self.message_en}"
        return f"{text} {self.hint_english}" if self.hint_english else text

    def render(self) -> str:
        """One line, Chinese then English."""
        return f"{self.render_zh()} / {self.render_en()}"


class LoaderError(UserError):
    """An input the loaders refuse; `problems` lists every reason, each with its location."""

    def __init__(self, problems: Iterable[Problem] | Problem) -> None:
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(p.render() for p in self.problems)

    @classmethod
    def about_file(
        cls, file: str, message_zh: str, message_en: str, hint_zh: str = "", hint_en: str = "",
        *, sheet: str | None = None, cell: str | None = None,
    ) -> LoaderError:
        """A LoaderError with a single problem."""
        return cls(Problem(file, sheet, cell, message_zh, message_en, hint_zh, hint_en))


def column_name(col: int) -> str:
    """0-based column index → spreadsheet letters: 0 → 'A', 25 → 'Z', 26 → 'AA'."""
    if col < 0:
        raise ValueError(f"column index must be >= 0, got {col}")
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """0-based (row, col) → A1 style: (6, 2) → 'C7'."""
    if row < 0:
        raise ValueError(f"row index must be >= 0, got {row}")
    return f"{column_name(col)}{row + 1}"


def safe_file_label(name: str) -> str:
    """The base name of an uploaded file, fit to print in a message.

    Directory parts ('../../etc/passwd', 'C:\\x\\a.xlsx') and control characters are dropped, so a
    hostile name can neither point elsewhere nor break a log line.
    """
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip(" .")
    if not base:
        base = "未命名文件"
    if len(base) > FILE_LABEL_MAX_CHARS:
        base = base[: FILE_LABEL_MAX_CHARS - 1] + "…"
    return base
