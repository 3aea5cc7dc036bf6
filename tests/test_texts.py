"""Every text table has one shape, key → {zh, en}, and no text is missing in either language."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.texts import TextTableError, in_language, load_texts
from tests.conftest import PROJECT_ROOT

TABLES = sorted([*(PROJECT_ROOT / "ui" / "texts").glob("*.yaml"), *(PROJECT_ROOT / "indicators").rglob("*.yaml")])


def test_the_interface_and_the_deck_have_text_tables():
    expected = {"interface.yaml", "auth.yaml", "admin.yaml", "exports.yaml", "present.yaml", "texts.yaml", "status_labels.yaml"}
    assert {p.name for p in TABLES} >= expected


@pytest.mark.parametrize("path", TABLES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_text_has_chinese_and_english(path: Path):
    table = load_texts(path)
    assert table
    assert all(set(entry) == {"zh", "en"} and entry["zh"] for entry in table.values())


def test_a_table_missing_english_is_refused(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("title:\n  zh: 标题\n", encoding="utf-8")
    with pytest.raises(TextTableError, match="title"):
        load_texts(path)


def test_a_table_reads_in_either_language(tmp_path: Path):
    path = tmp_path / "ok.yaml"
    path.write_text("title:\n  zh: 标题\n  en: Title\nheaders:\n  zh: [地区, 指标]\n  en: [Region, Indicator]\n", encoding="utf-8")
    assert in_language(load_texts(path), "en") == {"title": "Title", "headers": ["Region", "Indicator"]}
    assert in_language(load_texts(path), "zh")["title"] == "标题"
