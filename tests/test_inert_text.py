"""Text from files and forms: control and bidi characters removed, formula-like cells inert in CSV and xlsx."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from indicators.inert_text import FORMULA_TRIGGERS, csv_cell, for_terminal, from_csv_cell, strip_unsafe, unsafe_characters
from indicators.tabular_files import csv_bytes, write_sheet


@given(st.text())
def test_csv_cells_read_back_as_the_original_text(text: str):
    assert from_csv_cell(str(csv_cell(text))) == text


@given(st.text())
def test_no_csv_text_cell_begins_with_a_formula_trigger(text: str):
    assert not str(csv_cell(text)).startswith(FORMULA_TRIGGERS)


@given(st.text())
def test_stored_text_has_no_control_or_bidi_character_left(text: str):
    assert unsafe_characters(strip_unsafe(text)) == []
    assert unsafe_characters(strip_unsafe(text, one_line=True), one_line=True) == []


def test_newlines_stay_in_notes_and_go_from_names():
    assert strip_unsafe("1—9月\r\n初步核算\x01") == "1—9月\n初步核算"
    assert strip_unsafe("张\u202e三\n\tadmin", one_line=True) == "张三 admin"


def test_terminal_output_shows_escape_sequences_instead_of_running_them():
    assert for_terminal("\x1b[2J\x1b[31madmin\u202e") == "\\x1b[2J\\x1b[31madmin\\u202e"


def test_numbers_and_plain_text_are_written_unchanged():
    assert csv_cell(-5.0) == -5.0
    assert csv_cell("2021年天津市统计公报") == "2021年天津市统计公报"
    assert csv_cell("'plain") == "'plain"


def test_a_csv_export_marks_formula_text_and_keeps_numbers(tmp_path: Path):
    frame = pd.DataFrame({"来源": ["=HYPERLINK(\"http://x\",\"点我\")", "+1", "公报"], "数值": [1.5, -2.0, 3.0]})
    text = csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert text[1].startswith('"\'=HYPERLINK')
    assert text[2] == "'+1,-2.0"
    assert text[3] == "公报,3.0"


def test_an_xlsx_export_writes_formula_text_as_a_string_cell(tmp_path: Path):
    book = Workbook()
    write_sheet(book.active, pd.DataFrame({"备注": ["=1+1", "@SUM(A1)", None], "数值": [1, 2, 3]}))
    book.save(tmp_path / "x.xlsx")
    cells = list(load_workbook(tmp_path / "x.xlsx").active["A"])
    assert [(c.value, c.data_type) for c in cells] == [("备注", "s"), ("=1+1", "s"), ("@SUM(A1)", "s"), (None, "n")]
