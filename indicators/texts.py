"""Text tables: every user-facing text of a page or export, Chinese and English, in one shape.

A table is a YAML file mapping each key to `{zh: …, en: …}` (a text, or a list of texts such as table
headers). Loading checks that every entry has both languages, so English is never missing a string.
Texts built from the engine's constants (method thresholds) are added in code, in the same shape.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("zh", "en")  # Chinese first; every text table has both
TextTable = dict[str, dict[str, Any]]


class TextTableError(Exception):
    """A text table is malformed (a developer's mistake, found by the tests)."""


@cache
def load_texts(path: Path) -> TextTable:
    """The table in `path`, every entry checked to have exactly the languages zh and en, none of them empty."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise TextTableError(f"{path}: not a mapping of keys to texts")
    for key, entry in data.items():
        if not isinstance(entry, dict) or set(entry) != set(LANGUAGES):
            raise TextTableError(f"{path}: {key} must have exactly the languages {', '.join(LANGUAGES)}")
        for lang, text in entry.items():
            if not isinstance(text, (str, list)) or (lang == "zh" and not text):
                raise TextTableError(f"{path}: {key}.{lang} must be a text or a list of texts")
    return data


def in_language(table: TextTable, lang: str) -> dict[str, Any]:
    """Every text of `table` in `lang` ('zh' unless 'en')."""
    chosen = "en" if lang == "en" else "zh"
    return {key: entry[chosen] for key, entry in table.items()}
