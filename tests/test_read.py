"""loaders.read: real statistical spreadsheets read cell for cell; hostile uploads refused clearly."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from openpyxl import Workbook as XlsxWriter

from loaders.errors import LoaderError, Problem, cell_name, safe_file_label
from loaders.read import (
    ZIP_CHUNK_BYTES,
    MergedRange,
    ReadLimits,
    Sheet,
    detect_format,
    read_sheet,
    read_workbook,
    sniff_delimiter,
)
from loaders.read.guards import xlsx as guard_xlsx
from tests.hostile_files import (
    HOSTILE_FILES,
    MACRO_CONTENT_TYPE,
    biff8_workbook,
    inline_cell,
    ods_bytes,
    ole2_bytes,
    sheet_xml,
    small_xlsx_bytes,
    xlsx_bytes,
)

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CITIES = "Open-Earth-Foundation_OpenClimate/The_Emission_Inventories_for_290_Chinese_Cities_from_1997_to_2019.xlsx"
PROVINCES = "Open-Earth-Foundation_OpenClimate/Emission_Inventories_for_30_Provinces_2019.xlsx"
NATIONAL = "Open-Earth-Foundation_OpenClimate/China_CO2_Inventory_1997-2019_(IPCC_Sectoral_Emissions).xlsx"
COUNTIES = "STATS201-DKU-Autumn2024_Week1_Yuxiang/co2.xlsx"
EXPECTED_SHEETS: dict[str, list[str]] = {
    "zhangda1021_data/0401.xls": ["Sheet1"],
    "zhangda1021_data/0501.xls": ["Sheet1"],
    "zhangda1021_data/0503.xls": ["Sheet1"],
    "zhangda1021_data/0504.xls": ["Sheet1"],
    "zhangda1021_data/19.xls": ["Sheet1"],
    "zhangda1021_data/2.xls": ["Sheet1"],
    "zhangda1021_data/fu04.xls": ["fu04"],
    COUNTIES: ["Unit (Million tons)"],
    CITIES: ["NOTE", "emission vector", "emission matrix"],
    NATIONAL: ["NOTE", "sum", "Sum-Sec-Scope 1"] + [str(year) for year in range(1997, 2020)],
    PROVINCES: [
        "NOTE", "Shanghai2019", "Yunnan2019", "InnerMongolia2019", "Beijing2019", "Jilin2019", "Sichuan2019",
        "Tianjin2019", "Ningxia2019", "Anhui2019", "Shandong2019", "Shanxi2019", "Guangdong2019", "Guangxi2019",
        "Xinjiang2019", "Jiangsu2019", "Jiangxi2019", "Hebei2019", "Henan2019", "Zhejiang2019", "Hainan2019",
        "Hubei2019", "Hunan2019", "Gansu2019", "Fujian2019", "Guizhou2019", "Liaoning2019", "Chongqing2019",
        "Shaanxi2019", "Qinghai2019", "Heilongjiang2019",
    ],
}
needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not present")


def real(relative: str) -> Path:
    return REALDATA / relative


# ---------------------------------------------------------------------------------------------------------------
# Real files
# ---------------------------------------------------------------------------------------------------------------


@needs_realdata
def test_every_real_spreadsheet_is_listed_with_its_sheets() -> None:
    found = {str(p.relative_to(REALDATA)) for pattern in ("*/*.xls", "*/*.xlsx") for p in REALDATA.glob(pattern)}
    assert found == set(EXPECTED_SHEETS)


@needs_realdata
@pytest.mark.parametrize("relative", sorted(EXPECTED_SHEETS))
def test_reads_real_spreadsheet_with_expected_sheet_names(relative: str) -> None:
    workbook = read_workbook(real(relative))
    assert workbook.sheet_names == EXPECTED_SHEETS[relative]
    assert workbook.file_name == Path(relative).name
    assert workbook.format == Path(relative).suffix.lstrip(".")
    assert any(not sheet.is_empty() for sheet in workbook.sheets)


@needs_realdata
def test_yearbook_xls_years_header_and_values_are_numbers_at_their_cells() -> None:
    sheet = read_workbook(real("zhangda1021_data/0501.xls")).sheets[0]
    assert sheet.rows[0][0].startswith("5-1")  # A1 title
    assert sheet.rows[3][1:8] == [1995.0, 2000.0, 2003.0, 2004.0, 2005.0, 2006.0, 2007.0]  # B4:H4
    assert sheet.rows[5][0] == "能源消费总量 (万吨标煤) (电热当量计算法)"  # A6
    assert sheet.rows[5][1] == 125763.0  # B6
    assert sheet.rows[6][1] is None  # B7: English continuation row, empty value


@needs_realdata
def test_energy_balance_keeps_number_stored_as_text_and_merged_titles() -> None:
    sheet = read_workbook(real("zhangda1021_data/0401.xls")).sheets[0]
    assert sheet.cell(18, 13) == "-677.22"  # N19: text, converted later by normalise.parse_number
    assert sheet.cell(3, 0).startswith("单位:万吨标准煤")  # A4 unit line
    assert sheet.cell(10, 0) == "一.可供本地区消费的能源量"
    assert MergedRange(0, 0, 0, 25) in sheet.merged  # A1:Z1 title, clipped from the file's merge to column IV
    assert all(m.last_col < sheet.n_cols and m.last_row < sheet.n_rows for m in sheet.merged)


@needs_realdata
def test_ceads_city_workbook_has_long_and_wide_sheets_and_note_with_newline() -> None:
    workbook = read_workbook(real(CITIES))
    note = workbook.sheet("NOTE")
    assert note.rows[4] == ["Unit/单位", "million tones\n百万吨"]
    assert MergedRange(7, 0, 10, 0) in note.merged  # A8:A11
    vector = workbook.sheet("emission vector")
    assert vector.rows[0] == ["ID", "city", "year", "emission"]
    assert vector.rows[1] == ["北京1997", "北京", 1997.0, 61.918115152276634]
    matrix = workbook.sheet("emission matrix")
    assert matrix.rows[0][:4] == ["city", "1995", "1997", "1998"]  # years as text
    zhanjiang = next(row for row in matrix.rows if row[0] == "广东湛江")
    assert zhanjiang[1:6] == [None] * 5  # not available before 2001
    assert zhanjiang[6] == pytest.approx(8.015972432193227)


@needs_realdata
def test_county_workbook_header_codes_and_note_footer() -> None:
    sheet = read_workbook(real(COUNTIES)).sheets[0]
    assert sheet.rows[0][:3] == ["DISTCODE地区代码", "County Name", "County Name"]
    assert sheet.rows[0][7] == "C1997"
    assert sheet.rows[-2] == [None] * sheet.n_cols  # the blank row before the footer
    assert sheet.rows[-1][0].startswith("Note: County name")
    assert sheet.rows[1455][0] == "320211（2）"  # a code stored as text with a full-width suffix
    binhai = next(row for row in sheet.rows if row[0] == 120116.0)
    assert binhai[1] == "滨海新区"


@needs_realdata
def test_formula_sheet_gives_cached_numbers_not_formulas() -> None:
    workbook = read_workbook(real(NATIONAL))
    scope = workbook.sheet("Sum-Sec-Scope 1")
    assert scope.rows[0][1:3] == [1997.0, 1998.0]
    assert scope.rows[3][0] == "Total Consumption"
    assert scope.rows[3][1] == pytest.approx(2923.855560299561)
    for sheet in (scope, workbook.sheet("sum")):
        assert not any(isinstance(v, str) and v.startswith("=") for row in sheet.rows for v in row)


@needs_realdata
def test_province_workbook_unit_row_under_header() -> None:
    tianjin = read_workbook(real(PROVINCES), sheet_names=["Tianjin2019"]).sheets
    assert [s.name for s in tianjin] == ["Tianjin2019"]
    assert tianjin[0].rows[1][:3] == ["unit", "Mt CO2", "Mt CO2"]
    assert tianjin[0].rows[3][0] == "TotalEmissions"


# ---------------------------------------------------------------------------------------------------------------
# Hostile files
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", HOSTILE_FILES, ids=[f.__name__ for f in HOSTILE_FILES])
def test_refuses_hostile_file_with_clear_message(make, tmp_path: Path) -> None:
    hostile = make(tmp_path)
    before = sorted(tmp_path.iterdir())
    with pytest.raises(LoaderError) as caught:
        read_workbook(hostile.path, display_name=hostile.display_name, limits=hostile.limits)
    message = str(caught.value)
    assert hostile.expected_zh in message
    label = caught.value.problems[0].file
    assert message.startswith(f"文件 {label}")
    assert f" / File {label}" in message  # English follows the Chinese
    assert "/" not in label and "\\" not in label and "\x1b" not in label
    if hostile.display_name is None:
        assert label == hostile.path.name
    assert sorted(tmp_path.iterdir()) == before  # nothing written


def test_path_traversal_name_is_reduced_to_its_base_name(tmp_path: Path) -> None:
    path = tmp_path / "u.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20))
    with pytest.raises(LoaderError) as caught:
        read_workbook(path, display_name="..\\..\\windows\\system32\\../../etc/passwd.xlsx")
    assert caught.value.problems[0].file == "passwd.xlsx"
    assert "etc" not in str(caught.value)


def test_missing_file_is_a_loader_error(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="无法打开文件"):
        read_workbook(tmp_path / "nope.xlsx")


REPETITIVE_OK = ReadLimits(max_compression_ratio=100_000)  # 1 MB of padding compresses ~1000:1


def test_far_cell_reference_split_between_decompression_chunks_is_still_refused(tmp_path: Path) -> None:
    filler_cell = '<c r="A1"><v>1</v></c>'
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet><sheetData><row r="1">'
    middle = '</row><row r="1048576">'
    # Place the far cell's tag so that the chunk boundary falls right after its '<c'.
    padding = ZIP_CHUNK_BYTES - 2 - len(head) - len(middle)
    cells = filler_cell * (padding // len(filler_cell))
    spaces = " " * (padding - len(cells))
    xml = f"{head}{cells}{spaces}{middle}{inline_cell('XFD1048576', 'x')}</row></sheetData></worksheet>"
    assert xml.index('<c r="XFD') + 2 == ZIP_CHUNK_BYTES
    path = tmp_path / "split.xlsx"
    path.write_bytes(xlsx_bytes({"数据": xml}))
    with pytest.raises(LoaderError, match="工作表过大"):
        read_workbook(path, limits=REPETITIVE_OK)


def test_ordinary_cell_tag_split_between_chunks_takes_the_fast_path(tmp_path: Path, monkeypatch) -> None:
    def slow_path(*_args: object) -> None:
        raise AssertionError("the exact parse should not be needed")

    monkeypatch.setattr(guard_xlsx, "_xlsx_extent_by_parsing", slow_path)
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet><sheetData><row r="1">'
    cell = '<c r="B1"><v>7</v></c>'
    spaces = " " * (ZIP_CHUNK_BYTES - len(head) - 3)  # the boundary falls right after '<c '
    xml = f"{head}{spaces}{cell}</row></sheetData></worksheet>"
    path = tmp_path / "split.xlsx"
    path.write_bytes(xlsx_bytes({"数据": xml}))
    assert read_workbook(path, limits=REPETITIVE_OK).sheets[0].rows == [[None, 7.0]]


# ---------------------------------------------------------------------------------------------------------------
# Cells and layout of the result
# ---------------------------------------------------------------------------------------------------------------


def _write_openpyxl(path: Path, build) -> Path:
    book = XlsxWriter()
    build(book)
    book.save(path)
    return path


def test_cells_keep_spreadsheet_coordinates_and_blanks_are_none(tmp_path: Path) -> None:
    def build(book) -> None:
        book.active["C3"] = "地区"
        book.active["D5"] = 1.5

    sheet = read_workbook(_write_openpyxl(tmp_path / "offset.xlsx", build)).sheets[0]
    assert sheet.n_rows == 5 and sheet.n_cols == 4
    assert sheet.rows[2][2] == "地区"  # C3
    assert sheet.rows[4][3] == 1.5  # D5
    assert sheet.rows[0] == [None, None, None, None]
    assert sheet.cell(100, 100) is None


def test_trailing_blank_rows_and_columns_are_trimmed(tmp_path: Path) -> None:
    rows = (f'<row r="1">{inline_cell("A1", "a")}{inline_cell("B1", "")}</row>'
            f'<row r="2">{inline_cell("A2", "b")}{inline_cell("C2", "")}</row><row r="3">{inline_cell("A3", "")}</row>')
    path = tmp_path / "trail.xlsx"
    path.write_bytes(xlsx_bytes({"数据": sheet_xml(rows)}))
    assert read_workbook(path).sheets[0].rows == [["a"], ["b"]]


def test_text_that_looks_like_markup_is_read_as_a_plain_string(tmp_path: Path) -> None:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    strings = ["&lt;script&gt;alert('x')&lt;/script&gt;", "=HYPERLINK(&quot;http://evil&quot;)"]
    path = tmp_path / "script.xlsx"
    path.write_bytes(xlsx_bytes({"数据": sheet_xml(rows)}, shared_strings=strings))
    assert read_workbook(path).sheets[0].rows == [["<script>alert('x')</script>", '=HYPERLINK("http://evil")']]


def test_cells_without_references_are_placed_like_excel_does(tmp_path: Path) -> None:
    rows = (f"<row>{inline_cell(None, 'a')}{inline_cell(None, 'b')}</row>"
            f'<row r="4">{inline_cell(None, "c")}{inline_cell("D4", "d")}{inline_cell(None, "e")}</row>')
    path = tmp_path / "noref.xlsx"
    path.write_bytes(xlsx_bytes({"数据": sheet_xml(rows)}))
    assert read_workbook(path).sheets[0].rows == [
        ["a", "b", None, None, None], [None] * 5, [None] * 5, ["c", None, None, "d", "e"]]


def test_wide_and_long_sheets_within_the_cap_are_read_in_full(tmp_path: Path) -> None:
    def build(book) -> None:
        for r in range(1, 81):  # 80 rows × 30 columns: beyond column P and beyond 1000 // 16 rows
            book.active.append([r * 100 + c for c in range(30)])

    path = _write_openpyxl(tmp_path / "wide.xlsx", build)
    sheet = read_workbook(path, limits=ReadLimits(max_cells=2400)).sheets[0]
    assert (sheet.n_rows, sheet.n_cols) == (80, 30)
    assert sheet.rows[79][29] == 8029
    with pytest.raises(LoaderError, match="工作表过大"):
        read_workbook(path, limits=ReadLimits(max_cells=2399))


def test_hidden_sheets_are_read_and_flagged(tmp_path: Path) -> None:
    def build(book) -> None:
        book.active["A1"] = 1
        hidden = book.create_sheet("备用")
        hidden["A1"] = 2
        hidden.sheet_state = "hidden"

    workbook = read_workbook(_write_openpyxl(tmp_path / "hidden.xlsx", build))
    assert [(s.name, s.visible) for s in workbook.sheets] == [("Sheet", True), ("备用", False)]


def test_reads_only_the_requested_sheet(tmp_path: Path) -> None:
    def build(book) -> None:
        book.active.title = "说明"
        book.active["A1"] = "note"
        book.create_sheet("数据")["B2"] = 3

    path = _write_openpyxl(tmp_path / "two.xlsx", build)
    workbook = read_workbook(path, sheet_names=["数据"])
    assert workbook.sheet_names == ["数据"]
    assert workbook.available_sheets == ("说明", "数据")
    assert read_sheet(path, "数据").rows == [[None, None], [None, 3]]
    with pytest.raises(LoaderError, match="没有名为“汇总”的工作表"):
        read_workbook(path, sheet_names=["汇总"])
    with pytest.raises(LoaderError, match="没有名为“汇总”的工作表"):
        read_workbook(path).sheet("汇总")


def test_workbook_cell_cap_counts_all_sheets_read(tmp_path: Path) -> None:
    def build(book) -> None:
        for name in ("a", "b"):
            sheet = book.create_sheet(name)
            for _ in range(6):
                sheet.append(list(range(10)))

    path = _write_openpyxl(tmp_path / "many.xlsx", build)
    with pytest.raises(LoaderError, match="工作簿过大"):
        read_workbook(path, limits=ReadLimits(max_workbook_cells=100))
    assert read_workbook(path, sheet_names=["a"], limits=ReadLimits(max_workbook_cells=100)).sheets[0].n_rows == 6


def test_sha256_is_of_the_file_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(small_xlsx_bytes())
    assert read_workbook(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_format_comes_from_content_not_extension(tmp_path: Path) -> None:
    xlsx_named_xls = tmp_path / "really_xlsx.xls"
    xlsx_named_xls.write_bytes(small_xlsx_bytes())
    assert read_workbook(xlsx_named_xls).format == "xlsx"
    macro = xlsx_bytes({"S": sheet_xml(f'<row r="1">{inline_cell("A1", "m")}</row>')}, main_content_type=MACRO_CONTENT_TYPE)
    assert detect_format(macro, "book.xlsx") == "xlsm"
    assert detect_format(ods_bytes("<table:table table:name='T'/>"), "x.xlsx") == "ods"
    assert detect_format(ole2_bytes({"Workbook": biff8_workbook([(0, 0, 1.0)])}), "x.xlsx") == "xls"
    assert detect_format(b"a,b\n1,2\n", "x.TXT") == "csv"


def test_reads_ods_tables_with_repeated_cells(tmp_path: Path) -> None:
    body = ('<table:table table:name="指标"><table:table-row>'
            '<table:table-cell office:value-type="string"><text:p>天津</text:p></table:table-cell>'
            '<table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="2.5"/>'
            "</table:table-row></table:table>")
    path = tmp_path / "t.ods"
    path.write_bytes(ods_bytes(body))
    workbook = read_workbook(path)
    assert workbook.format == "ods"
    assert workbook.sheets == [Sheet("指标", [["天津", 2.5, 2.5]])]


def test_reads_a_minimal_biff8_workbook(tmp_path: Path) -> None:
    path = tmp_path / "mini.xls"
    path.write_bytes(ole2_bytes({"Workbook": biff8_workbook([(0, 0, 1.0), (2, 1, 2.5)])}))
    workbook = read_workbook(path)
    assert (workbook.format, workbook.sheet_names) == ("xls", ["Sheet1"])
    assert workbook.sheets[0].rows == [[1.0, None], [None, None], [None, 2.5]]


FUZZ_SEEDS = {
    "xlsx": small_xlsx_bytes,
    "xls": lambda: ole2_bytes({"Workbook": biff8_workbook([(0, 0, 1.0), (2, 1, 2.5)])}),
    "ods": lambda: ods_bytes('<table:table table:name="S"><table:table-row><table:table-cell office:value-type="float" '
                             'office:value="1"/></table:table-row></table:table>'),
    "csv": lambda: "地区,数值\n天津,1\n".encode(),
}


@pytest.mark.parametrize("kind", sorted(FUZZ_SEEDS))
def test_damaged_files_are_read_or_refused_never_anything_else(kind: str, tmp_path: Path) -> None:
    rng = random.Random(kind)
    seed = FUZZ_SEEDS[kind]()
    path = tmp_path / f"damaged.{kind}"
    for _ in range(80):
        data = bytearray(seed)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            read_workbook(path)
        except LoaderError as exc:
            assert str(exc).startswith(f"文件 damaged.{kind}")


# ---------------------------------------------------------------------------------------------------------------
# Text files
# ---------------------------------------------------------------------------------------------------------------

CSV_TEXT = "地区,指标,年份,数值\n天津,非化石能源消费比重,2023,12.5\n湛江,森林覆盖率,2023,\n"
CSV_ROWS = [
    ["地区", "指标", "年份", "数值"], ["天津", "非化石能源消费比重", "2023", "12.5"], ["湛江", "森林覆盖率", "2023", None],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_decodes_the_same_chinese_text_in_each_encoding(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / f"data_{encoding}.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    workbook = read_workbook(path)
    assert workbook.format == "csv"
    assert workbook.sheets[0].name == f"data_{encoding}"
    assert workbook.sheets[0].rows == CSV_ROWS


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "，"])
def test_csv_delimiter_is_sniffed(delimiter: str, tmp_path: Path) -> None:
    text = CSV_TEXT.replace(",", delimiter)
    assert sniff_delimiter(text) == delimiter
    path = tmp_path / "d.txt"
    path.write_text(text, encoding="utf-8")
    assert read_workbook(path).sheets[0].rows == CSV_ROWS


def test_csv_prose_with_full_width_commas_keeps_ascii_delimiter() -> None:
    assert sniff_delimiter("地区,备注\n天津,数据来源：统计局，初步核算\n湛江,无\n") == ","


def test_csv_quoted_fields_keep_delimiters_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('名称,说明\n"能源, 合计","第一行\n第二行"\n', encoding="utf-8")
    assert read_workbook(path).sheets[0].rows == [["名称", "说明"], ["能源, 合计", "第一行\n第二行"]]


def test_csv_with_only_blank_lines_is_an_empty_workbook(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n,,\r\n  \r\n")
    with pytest.raises(LoaderError, match="工作簿是空的"):
        read_workbook(path)


def test_loader_error_renders_each_problem_on_its_own_line_chinese_first() -> None:
    error = LoaderError([
        Problem("a.xlsx", "Sheet1", cell_name(6, 2), "数值“abc”无法识别为数字。", '"abc" is not a number.',
                "请填写数字或留空。", "Enter a number or leave it blank."),
        Problem("a.xlsx", "Sheet1", "7", "整行为空。", "The row is empty."),
        Problem("a.xlsx", None, None, "文件过大。", "Too large."),
    ])
    assert str(error).split("\n") == [
        "文件 a.xlsx，工作表 Sheet1，单元格 C7：数值“abc”无法识别为数字。请填写数字或留空。"
        ' / File a.xlsx, sheet Sheet1, cell C7: "abc" is not a number. Enter a number or leave it blank.',
        "文件 a.xlsx，工作表 Sheet1，第 7 行：整行为空。 / File a.xlsx, sheet Sheet1, row 7: The row is empty.",
        "文件 a.xlsx：文件过大。 / File a.xlsx: Too large.",
    ]


@pytest.mark.parametrize(("row", "col", "name"), [(0, 0, "A1"), (6, 2, "C7"), (0, 25, "Z1"), (9, 26, "AA10"),
                                                  (0, 701, "ZZ1"), (1048575, 16383, "XFD1048576")])
def test_cell_name_is_a1_style(row: int, col: int, name: str) -> None:
    assert cell_name(row, col) == name


def test_safe_file_label_drops_directories_and_control_characters() -> None:
    assert safe_file_label("../../etc/passwd") == "passwd"
    assert safe_file_label("C:\\Users\\x\\表.xlsx") == "表.xlsx"
    assert safe_file_label("a\x00b\x1b.xlsx") == "a_b_.xlsx"
    assert safe_file_label("..") == "未命名文件"
