"""A long template of districts written with their city, a month on every row and a source of its own per row imports
exactly: the right region ids, months, values and sources, whether the sheet is read whole or in pieces, written by
openpyxl or saved as Excel saves it (shared strings). This is the shape bench/bench_import.py times as "district"."""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from loaders.importer import prepare_import, publish
from loaders.read import xlsx_parts
from loaders.template import TEMPLATE_HEADERS
from tests.conftest import write_xlsx
from tests.hostile_files import sheet_xml, xlsx_bytes

ROWS = 700  # more than the sample code_rows looks at first would be slower to read; fewer would hide nothing
DISTRICTS = [("tianjin_heping", "天津市和平区"), ("tianjin_binhai", "天津市滨海新区"), ("zhanjiang_chikan", "湛江市赤坎区"),
             ("zhanjiang_suixi", "湛江市遂溪县"), ("zhanjiang_leizhou", "湛江市雷州市")]
INDICATORS = [("non_fossil_energy_consumption_share", "非化石能源占能源消费总量比重", "%"),
              ("good_air_quality_days_ratio", "空气质量优良天数比例", "%"), ("high_tech_enterprises", "高新技术企业数量", "家")]


def expected_rows() -> list[dict[str, object]]:
    """One distinct (district, indicator, year, month) per row, a source naming all of it (every 7th with a page)."""
    rows = []
    for i in range(ROWS):
        region_id, region = DISTRICTS[i % len(DISTRICTS)]
        indicator_id, indicator, unit = INDICATORS[(i // len(DISTRICTS)) % len(INDICATORS)]
        month = (i // (len(DISTRICTS) * len(INDICATORS))) % 12 + 1
        year = 2000 + i // (len(DISTRICTS) * len(INDICATORS) * 12)
        source = f"{region}统计局《{year}年{month}月统计月报》" + (f"，第{i % 97 + 1}页" if i % 7 == 0 else "")
        value = float(i % 90) + 0.5 if unit == "%" else float(i * 3)
        rows.append({"region": region, "region_id": region_id, "indicator": indicator, "indicator_id": indicator_id,
                     "year": year, "month": month, "value": value, "unit": unit, "source": source})
    return rows


def cells(row: dict[str, object]) -> list[object]:
    return [row["region"], row["indicator"], row["year"], row["month"], row["value"], row["unit"], "正式", row["source"], None]


def excel_saved(path: Path, rows: list[list[object]]) -> Path:
    """The rows as Excel saves them: text in shared strings, numbers as numbers."""
    strings: dict[str, int] = {}
    body = []
    for r, row in enumerate(rows, 1):
        written = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, str):
                written.append(f'<c r="{ref}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>')
            elif value is not None:
                written.append(f'<c r="{ref}"><v>{value!r}</v></c>')
        body.append(f'<row r="{r}">{"".join(written)}</row>')
    path.write_bytes(xlsx_bytes({"数据": sheet_xml("".join(body))}, shared_strings=[escape(s) for s in strings]))
    return path


def cut_into_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sheet over a few hundred bytes parsed in ~4 KB pieces, as on two cores (see tests/test_xlsx_parts.py)."""
    monkeypatch.setattr(xlsx_parts, "SPLIT_MIN_BYTES", 300)
    monkeypatch.setattr(xlsx_parts, "MIN_PIECE_BYTES", 4096)
    monkeypatch.setattr(xlsx_parts, "available_cores", lambda: 2)


def assert_imported_exactly(preview, expected: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    rows = preview.rows.sort_values(["year", "month", "indicator_id", "region_id"]).reset_index(drop=True)
    want = sorted(expected, key=lambda e: (e["year"], e["month"], e["indicator_id"], e["region_id"]))
    assert len(rows) == len(want) == ROWS
    assert rows["region_id"].tolist() == [e["region_id"] for e in want]
    assert rows["indicator_id"].tolist() == [e["indicator_id"] for e in want]
    assert rows["year"].tolist() == [e["year"] for e in want]
    assert rows["month"].tolist() == [e["month"] for e in want]
    assert all(math.isclose(a, float(str(e["value"]))) for a, e in zip(rows["value"], want, strict=True))
    assert rows["source"].tolist() == [e["source"] for e in want]
    assert rows["status"].unique().tolist() == ["正式"]
    assert preview.warnings == []


@pytest.mark.parametrize("in_pieces", [False, True], ids=["read whole", "read in pieces"])
def test_districts_with_their_city_months_and_a_source_per_row_import_exactly(tmp_path, catalogue, store, monkeypatch,
                                                                            in_pieces) -> None:
    if in_pieces:
        cut_into_pieces(monkeypatch)
    expected = expected_rows()
    path = write_xlsx(tmp_path / "districts.xlsx", [cells(e) for e in expected])
    preview = prepare_import(path, catalogue, store, recipes_dir=tmp_path)
    assert_imported_exactly(preview, expected)
    result = publish(preview, store, "tester")
    assert (result.new, result.changed) == (ROWS, 0)


def test_the_same_districts_saved_as_excel_saves_them_import_exactly(tmp_path, catalogue, store, monkeypatch) -> None:
    cut_into_pieces(monkeypatch)
    expected = expected_rows()
    path = excel_saved(tmp_path / "districts_excel.xlsx", [TEMPLATE_HEADERS, *[cells(e) for e in expected]])
    assert_imported_exactly(prepare_import(path, catalogue, store, recipes_dir=tmp_path), expected)


def test_a_control_character_in_one_of_many_sources_is_still_removed_and_named(tmp_path, catalogue, store) -> None:
    expected = expected_rows()
    written = [cells(e) for e in expected]
    written[500][7] = "天津市和平区统计局\u202e《月报》"  # a bidi override among hundreds of distinct sources
    preview = prepare_import(write_xlsx(tmp_path / "bidi.xlsx", written), catalogue, store, recipes_dir=tmp_path)
    key = expected[500]
    rows = preview.rows
    row = rows[(rows["region_id"] == key["region_id"]) & (rows["indicator_id"] == key["indicator_id"])
               & (rows["year"] == key["year"]) & (rows["month"] == key["month"])]
    assert row["source"].tolist() == ["天津市和平区统计局《月报》"]
    assert rows["source"].str.contains("\u202e").sum() == 0
    assert [w.cell for w in preview.warnings] == ["H502"] and "U+202E" in preview.warnings[0].message_zh
