"""Text from files, forms and backups made harmless to store, print and export.

- Control characters (C0 but tab and newline, DEL, C1) and bidi embeddings/overrides/isolates (U+202A–202E,
  U+2066–2069) are removed before text is stored: they break xlsx writers, rewrite terminals, and make a name
  read backwards (README: "存储的文本 / stored text").
- A text cell that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab or CR) is
  written to CSV with a leading `'` (OWASP, CSV injection); the importer reads such a cell back as the
  original, so an export stays a valid, exact import. xlsx exports write such text as string cells instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 controls except tab (\x09) and newline (\x0a); DEL; C1 controls; bidi embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # first characters Excel, LibreOffice and Sheets evaluate
CSV_TEXT_MARK = "'"  # prefixed to such text in CSV; Excel shows it as text


def unsafe_characters(text: str, *, one_line: bool = False) -> list[str]:
    """The distinct unsafe characters in `text`, as code points ('U+202E'), in order of appearance."""
    pattern = _UNSAFE_ON_ONE_LINE if one_line else _UNSAFE
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in pattern.findall(text)))


def any_unsafe(texts: Iterable[str]) -> bool:
    """Whether any of the texts holds a character `strip_unsafe` would remove (or a CR it would turn into a newline):
    one regex pass over them all, so a column of thousands of clean texts is proved clean without a call per text."""
    return _UNSAFE.search("\n".join(texts)) is not None  # the newline joining them is not unsafe; CR is


def strip_unsafe(text: str, *, one_line: bool = False) -> str:
    """`text` without control and bidi characters; with `one_line`, runs of newlines, tabs and spaces become one
    space (names, labels).

    A CR LF or lone CR becomes a newline first, so a note typed on Windows keeps its lines.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE.sub("", text)
    return " ".join(text.split()) if one_line else text


def for_terminal(text: object) -> str:
    """Text fit to print on an administrator's terminal: every control or bidi character shown as an escape."""
    return _UNSAFE_ON_ONE_LINE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                   else f"\\u{ord(m.group()):04x}", str(text))


def csv_cell(value: object) -> object:
    """A value as written to CSV: text that a spreadsheet would evaluate gets the leading `'`; others unchanged."""
    if isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS) or _is_marked(value)):
        return CSV_TEXT_MARK + value
    return value


def from_csv_cell(text: str) -> str:
    """The original of a CSV text cell `csv_cell` wrote: the leading `'` of a marked cell removed."""
    return text[1:] if _is_marked(text) else text


def _is_marked(text: str) -> bool:
    """`'` followed by a formula trigger (or by another such mark): only `csv_cell` writes that."""
    rest = text.lstrip(CSV_TEXT_MARK)
    return text.startswith(CSV_TEXT_MARK) and len(rest) < len(text) and rest.startswith(FORMULA_TRIGGERS)
