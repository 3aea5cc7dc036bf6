"""Benchmark: importing a 200,000-row long-template workbook vs. reading it bare, for three shapes of file.

Generates (once, cached in bench/out/, which is git-ignored) long-template workbooks of N_ROWS distinct
observations with openpyxl's write-only mode, as our template and export are written (inline strings, non-ASCII
as character references):
  bench     every region and indicator of the catalogue, years 1949–2026, annual and monthly rows, numbers as
            numbers plus a share of typical text forms ("1,234", "45.6%"), one source for the file;
  district  the catalogue's districts and counties written with their city ("天津市和平区", "湛江市赤坎区"), every
            row monthly, a source naming the district, year and month ("天津市和平区统计局《2021年3月统计月报》",
            every 7th with a page) — tens of thousands of distinct sources;
  excel     the bench rows as Excel saves them (shared strings, plain UTF-8, a <dimension>), which calamine reads
            faster, so the same import costs a larger ratio.
Then, in one run, REPEATS interleaved rounds, each round going through every shape and alternating the order of
  (a) a bare python-calamine read of the sheet (`get_sheet_by_name(...).to_python()`) and
  (b) our import: read with the guards, detect the layout, validate, diff and write one batch into a fresh
      temporary DuckDB file (prepare_import + publish; creating the empty file is not the import, and is shown
      apart: "counting the creation ...").
Prints, per shape, (b)/(a) as the median of the paired rounds (and each round) against GOAL_RATIO. Then the page
path against the CLI on the district file, PAGE_REPEATS interleaved rounds, each in a fresh temporary DuckDB:
  page  what ui/actions.preview_upload does for an upload, without Streamlit: the bytes hashed, written to a temp
        file and parsed with prepare_import(options_from="page") (the preview; publishing is a later click);
  CLI   `python -m loaders import FILE --db DB` run in this process (loaders.__main__.main), which opens the store,
        parses, publishes and prints the preview (printed into /dev/null).
Ratios, not seconds: other engineers' processes share the cores and move every absolute figure; the per-round
ratios show by how much. --detail adds, per shape, read_workbook alone, CPU time and pandas.read_excel.

Run: .venv/bin/python bench/bench_import.py [n_rows] [--detail] [--shapes bench,district,excel] (--excel-style: --shapes excel)
"""

from __future__ import annotations

import contextlib
import io
import itertools
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indicators.catalogue import Catalogue, load_catalogue
from indicators.store import Store, sha256_of
from loaders.__main__ import main as loaders_cli
from loaders.importer import prepare_import, publish
from loaders.read import read_workbook
from loaders.read.xlsx_parts import available_cores
from loaders.template import DATA_SHEET, TEMPLATE_HEADERS

N_ROWS = 200_000  # rows in the benchmark workbook
REPEATS = 6  # interleaved rounds of (a) and (b) over every shape, order alternating; the median paired ratio is reported
PAGE_REPEATS = 4  # interleaved rounds of the page's preview and the CLI's import
GOAL_RATIO = 1.3  # our import / bare calamine read
PAGE_GOAL_RATIO = 1.5  # the page's upload → preview / the CLI's import
SEED = 20250101  # reproducible data
TEXT_SHARE = 0.05  # values written as text ("1,234", "45.6%") as analysts paste them
OUT_DIR = Path(__file__).resolve().parent / "out"  # git-ignored cache of the generated workbook
FILE_VERSION = 1  # bump when the generator changes, so a stale cached file is not reused
DISTRICT_FILE_VERSION = 1  # the same for the district/month/source file
PAGE_SHAPE = "district"  # the file the page/CLI comparison uses: the one with the most work per row


def generate(path: Path, n: int) -> None:
    """A long-template workbook with n distinct (region, indicator, year, month) rows and valid values."""
    catalogue = load_catalogue()
    rng = np.random.default_rng(SEED)
    regions = [r.name_zh if i % 2 else r.code for i, r in enumerate(catalogue.regions.values())]
    indicators = list(catalogue.indicators.values())
    keys = itertools.product(range(1949, 2027), [None, *range(1, 13)], regions, indicators)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    sheet.append(TEMPLATE_HEADERS)
    draws = rng.random(n)
    for i, (year, month, region, indicator) in zip(range(n), keys, strict=False):
        if indicator.unit == "%":
            value: object = round(float(draws[i]) * 100, 2)
            if i % int(1 / TEXT_SHARE) == 0:
                value = f"{value}%"
        elif indicator.kind == "count" or indicator.unit in ("家", "个", "条"):
            value = int(draws[i] * 20_000)
            if i % int(1 / TEXT_SHARE) == 0:
                value = f"{value:,}"
        else:
            value = round(float(draws[i]) * 10, 4)
        sheet.append([region, indicator.name_zh, year, month, value, indicator.unit, "正式", "基准测试", None])
    book.save(path)


def district_regions(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(region id, name written with its city) for the catalogue's districts, counties and county-level cities."""
    local = [r for r in catalogue.regions.values() if r.level in ("district", "county", "county_city") and r.parent]
    return [(r.id, catalogue.regions[str(r.parent)].name_zh + r.name_zh) for r in local]


def district_source(region: str, year: int, month: int, i: int) -> str:
    """A source naming the district, year and month; every 7th row cites a page too."""
    source = f"{region}统计局《{year}年{month}月统计月报》"
    return source + f"，第{i % 997 + 1}页" if i % 7 == 0 else source


def generate_district(path: Path, n: int) -> None:
    """A long template of n distinct monthly rows of districts written with their city, each with its own source."""
    catalogue = load_catalogue()
    rng = np.random.default_rng(SEED)
    regions = [name for _, name in district_regions(catalogue)]
    indicators = list(catalogue.indicators.values())
    keys = itertools.product(range(1949, 2027), range(1, 13), regions, indicators)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(DATA_SHEET)
    sheet.append(TEMPLATE_HEADERS)
    draws = rng.random(n)
    for i, (year, month, region, indicator) in zip(range(n), keys, strict=False):
        if indicator.unit == "%":
            value: object = round(float(draws[i]) * 100, 2)
        elif indicator.kind == "count" or indicator.unit in ("家", "个", "条"):
            value = int(draws[i] * 20_000)
        else:
            value = round(float(draws[i]) * 10, 4)
        sheet.append([region, indicator.name_zh, year, month, value, indicator.unit, "正式", district_source(region, year, month, i), None])
    book.save(path)


def cached(path: Path, make: Callable[[Path], None]) -> Path:
    OUT_DIR.mkdir(exist_ok=True)
    if not path.exists():
        started = time.perf_counter()
        make(path)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    return path


def district_path(n: int) -> Path:
    return cached(OUT_DIR / f"district_month_source_{n}_v{DISTRICT_FILE_VERSION}.xlsx", lambda p: generate_district(p, n))


def workbook_path(n: int) -> Path:
    return cached(OUT_DIR / f"long_template_{n}_v{FILE_VERSION}.xlsx", lambda p: generate(p, n))


def excel_style_path(n: int) -> Path:
    """The same rows as Excel saves them: shared strings, plain UTF-8, a <dimension> (calamine reads these faster)."""
    source = workbook_path(n)
    path = OUT_DIR / f"long_template_{n}_v{FILE_VERSION}_shared_strings.xlsx"
    if path.exists():
        return path
    rows = CalamineWorkbook.from_path(str(source)).get_sheet_by_name(DATA_SHEET).to_python()
    strings: dict[str, int] = {}
    body = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, str) and value:
                cells.append(f'<c r="{ref}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>')
            elif isinstance(value, float | int) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{value:g}</v></c>' if float(value).is_integer() else f'<c r="{ref}"><v>{value!r}</v></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    main_ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/'
        'sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {main_ns} xmlns:r="{rel_ns}"><sheets>'
        f'<sheet name="{DATA_SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel_ns}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel_ns}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {main_ns}>'
        f'<dimension ref="A1:I{len(rows)}"/><sheetData>{"".join(body)}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {main_ns} count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))
    return path


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


SHAPES: dict[str, Callable[[int], Path]] = {"bench": workbook_path, "district": district_path, "excel": excel_style_path}


def bare_read(path: Path) -> None:
    CalamineWorkbook.from_path(str(path)).get_sheet_by_name(DATA_SHEET).to_python()


class Shape:
    """One file's rounds: bare read and our import, and where the import spends its time."""

    def __init__(self, name: str, path: Path, n: int, catalogue: Catalogue) -> None:
        self.name, self.path, self.n, self.catalogue = name, path, n, catalogue
        self.bare: list[float] = []
        self.ours: list[float] = []  # the import: prepare and publish
        self.with_creation: list[float] = []  # the same plus creating the fresh DuckDB file it goes into
        self.parts: dict[str, list[float]] = {"prepare (read, layout, validate, diff)": [], "publish (one batch into DuckDB)": []}

    def import_once(self) -> float:
        """One import into a fresh DuckDB file; the seconds of the import itself (the file's creation not counted)."""
        with tempfile.TemporaryDirectory() as folder:
            created = time.perf_counter()
            store = Store(Path(folder) / "bench.duckdb")
            store.initialise(self.catalogue)
            started = time.perf_counter()
            preview = prepare_import(self.path, self.catalogue, store, use_recipes=False)
            prepared = time.perf_counter()
            result = publish(preview, store, "bench")
            done = time.perf_counter()
            assert result.new == self.n, f"{self.name}: expected {self.n} new rows, got {result.new}"
        self.parts["prepare (read, layout, validate, diff)"].append(prepared - started)
        self.parts["publish (one batch into DuckDB)"].append(done - prepared)
        self.with_creation.append(done - created)
        return done - started

    def round(self, bare_first: bool) -> None:
        if bare_first:
            self.bare.append(timed(lambda: bare_read(self.path)))
        self.ours.append(self.import_once())
        if not bare_first:
            self.bare.append(timed(lambda: bare_read(self.path)))

    def paired(self) -> np.ndarray:
        return np.array(self.ours) / np.array(self.bare)

    def report(self, detail: bool) -> None:
        paired = self.paired()
        print(f"[{self.name}] {self.path.name}  ({self.path.stat().st_size / 1e6:.1f} MB)")
        print(f"    ours / bare calamine, median of paired rounds: {np.median(paired):.2f}   (rounds: "
              f"{', '.join(f'{r:.2f}' for r in paired)}; best vs best {min(self.ours) / min(self.bare):.2f}; goal <= {GOAL_RATIO})")
        created = np.array(self.with_creation) / np.array(self.bare)
        print(f"    counting the creation of the fresh DuckDB file too: {np.median(created):.2f}")
        print(f"    bare read {min(self.bare):.2f} s, our import {min(self.ours):.2f} s (best; seconds move with the machine's load)")
        for name, seconds in self.parts.items():
            print(f"    {name:<38} {min(seconds):7.2f} s")
        if detail:
            best_bare = min(self.bare)
            read_time = min(timed(lambda: read_workbook(self.path)) for _ in range(2))
            print(f"    read_workbook alone (guards, tidy) {read_time:7.2f} s   ratio = {read_time / best_bare:.2f}")
            print(f"    CPU time (all threads): ours / bare = {cpu_seconds(self.import_once) / cpu_seconds(lambda: bare_read(self.path)):.2f}"
                  "  (the import parses on several cores)")
            pandas_time = timed(lambda: pd.read_excel(self.path, sheet_name=DATA_SHEET, engine="openpyxl"))
            print(f"    pandas.read_excel(openpyxl)        {pandas_time:7.2f} s   ratio = {pandas_time / best_bare:.2f}")


def page_preview(path: Path, catalogue: Catalogue, store: Store) -> None:
    """ui.actions.preview_upload's parse without Streamlit: the upload's bytes hashed, written to a temp file, prepared."""
    data = path.read_bytes()  # the uploader hands the page the file's bytes
    sha256_of(data)  # the key the page keeps its preview under
    with tempfile.TemporaryDirectory() as folder:
        upload = Path(folder) / "upload"
        upload.write_bytes(data)
        prepare_import(upload, catalogue, store, display_name=path.name, options_from="page")


def cli_import(path: Path, db: Path) -> None:
    """`python -m loaders import FILE --db DB` in this process, its printed preview thrown away."""
    with contextlib.redirect_stdout(io.StringIO()):
        code = loaders_cli(["import", str(path), "--db", str(db), "--user", "bench"])
    assert code == 0, f"the CLI's import failed with exit code {code}"


def page_against_cli(path: Path, catalogue: Catalogue) -> np.ndarray:
    """Paired rounds of the page's preview and the CLI's import, each against a fresh temporary DuckDB."""
    ratios = []
    for i in range(PAGE_REPEATS):
        with tempfile.TemporaryDirectory() as folder:
            page_store, cli_db = Store(Path(folder) / "page.duckdb"), Path(folder) / "cli.duckdb"
            page_store.initialise(catalogue)  # the page's store is open already when a file is uploaded
            Store(cli_db).initialise(catalogue)  # the CLI's database exists; opening it is part of the command
            runs = {"page": lambda store=page_store: page_preview(path, catalogue, store),
                    "cli": lambda db=cli_db: cli_import(path, db)}
            order = ["page", "cli"] if i % 2 == 0 else ["cli", "page"]
            seconds = {name: timed(runs[name]) for name in order}
        ratios.append(seconds["page"] / seconds["cli"])
    return np.array(ratios)


def main(n: int = N_ROWS, *, shapes: list[str] | None = None, detail: bool = False) -> None:
    catalogue = load_catalogue()
    chosen = [Shape(name, SHAPES[name](n), n, catalogue) for name in shapes or list(SHAPES)]
    print(f"rows: {n:,}   rounds: {REPEATS}, every shape in each, order alternating   cores: {available_cores()}")
    # Interleaved rounds, the order alternating: the machine's speed drifts (other processes take its cores),
    # so each round compares runs made side by side, and the median of those ratios is the figure.
    for i in range(REPEATS):
        for shape in chosen:
            shape.round(bare_first=i % 2 == 0)
    for shape in chosen:
        shape.report(detail)
    page_path = SHAPES[PAGE_SHAPE](n)
    ratios = page_against_cli(page_path, catalogue)
    print(f"[page vs CLI] {page_path.name}: upload → preview (ui.actions parse, no Streamlit) / `python -m loaders import` in process")
    print(f"    median of paired rounds: {statistics.median(ratios):.2f}   (rounds: {', '.join(f'{r:.2f}' for r in ratios)};"
          f" goal <= {PAGE_GOAL_RATIO})")
    print("summary: " + "   ".join(f"{s.name} {np.median(s.paired()):.2f}" for s in chosen)
          + f"   page/CLI {statistics.median(ratios):.2f}")


def cpu_seconds(run: Callable[[], object]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    named = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--shapes=")), None)
    if "--shapes" in sys.argv[:-1]:
        named = sys.argv[sys.argv.index("--shapes") + 1]
    if "--excel-style" in sys.argv:  # the earlier flag for the Excel-saved file alone
        named = "excel"
    main(int(numbers[0]) if numbers else N_ROWS, shapes=named.split(",") if named else None, detail="--detail" in sys.argv)
