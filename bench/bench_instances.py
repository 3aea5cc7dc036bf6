"""Load benchmark: concurrent sessions reading the overview while an import runs, on PostgreSQL with two instances
against DuckDB with one, in one run.

For each setup a fresh database is seeded with the demo data, the server(s) are started and warmed, then SESSIONS
headless Chromium pages (each its own browser context, spread over the instances in turn) load the overview at once,
ROUNDS times, while a CLI import of a 20,000-row template runs in the background. Each load is timed from navigation
until every card is drawn. Prints, per setup, the median and p95 time to drawn, the number of failed loads, and the
ratio of the p95s (goal: PostgreSQL with two instances at most 1.5× DuckDB with one, and no error). PostgreSQL is the
project's throwaway test server (tests/postgres_server.py: Debian's package, installed by scripts/setup.sh --dev).

Run: .venv/bin/python bench/bench_instances.py [sessions] [rounds]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import CHROMIUM, CHROMIUM_ARGS, OVERVIEW_READY, TIMEOUT_MS, free_port  # noqa: E402
from tests import postgres_server  # noqa: E402
from tests.conftest import write_xlsx  # noqa: E402

SESSIONS = 20
ROUNDS = 3
IMPORT_ROWS = 20_000
GOAL_P95_RATIO = 1.5


@contextmanager
def serving(db: str, count: int, folder: Path) -> Iterator[list[str]]:
    """`count` instances of `streamlit run server.py` on database `db`, each answering its health check."""
    import urllib.request

    processes, urls = [], []
    try:
        for n in range(count):
            port = free_port()
            log = (folder / f"instance{n}.log").open("w")
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port), "--server.headless", "true"],
                cwd=ROOT, env={**os.environ, "GTM_DB": db}, stdout=log, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.3)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def import_rows(path: Path) -> Path:
    """A long template of distinct rows for the background import: every region × three indicators × months × years."""
    from indicators.catalogue import load_catalogue

    regions = [r.name_zh for r in load_catalogue().regions.values()]
    indicators = [("非化石能源消费比重", "%"), ("空气质量优良天数比例", "%"), ("国家高新技术企业数量", "家")]
    rows: list[list[object]] = []
    for year in range(1949, 2025):
        for region in regions:
            for indicator, unit in indicators:
                for month in range(1, 13):
                    value: float = 1000 + month if unit == "家" else 50.0 + month / 10
                    rows.append([region, indicator, year, month, value, unit, "初步", "基准测试", None])
        if len(rows) >= IMPORT_ROWS:
            break
    return write_xlsx(path, rows[:IMPORT_ROWS])


def seed(db: str) -> None:
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, '.'); from indicators.catalogue import load_catalogue;"
                    "from indicators.store import Store; from loaders.demo import seed_demo_if_first_run;"
                    f"c = load_catalogue(); s = Store({db!r}); s.initialise(c); seed_demo_if_first_run(s, c)"],
                   cwd=ROOT, check=True)


def measure(urls: list[str], db: str, workbook: Path) -> tuple[list[float], list[str]]:
    """Times of SESSIONS × ROUNDS concurrent overview loads while the import runs; and what failed."""
    from playwright.sync_api import sync_playwright

    times: list[float] = []
    failures: list[str] = []
    importing = subprocess.Popen([sys.executable, "-m", "loaders", "import", str(workbook), "--db", db, "--user", "bench"],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for _ in range(ROUNDS):
            contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(SESSIONS)]
            pages = [c.new_page() for c in contexts]
            started = [0.0] * SESSIONS
            for n, page in enumerate(pages):  # navigations start together; each is waited for below
                started[n] = time.perf_counter()
                page.goto(urls[n % len(urls)], wait_until="commit")
            for n, page in enumerate(pages):
                try:
                    page.wait_for_function(OVERVIEW_READY, timeout=TIMEOUT_MS)
                    shown_error = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
                    if shown_error.count():
                        failures.append("page error: " + shown_error.first.inner_text()[:120])
                    times.append(time.perf_counter() - started[n])
                except Exception as exc:
                    failures.append(f"not drawn: {type(exc).__name__}")
            for context in contexts:
                context.close()
        browser.close()
    _, errors = importing.communicate(timeout=600)
    if importing.returncode != 0:
        failures.append(f"import exited {importing.returncode}: {errors.strip()[:300]}")
    return times, failures


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else float("nan")


def main() -> None:
    global SESSIONS, ROUNDS
    if len(sys.argv) > 1:
        SESSIONS = int(sys.argv[1])
    if len(sys.argv) > 2:
        ROUNDS = int(sys.argv[2])
    results: dict[str, tuple[list[float], list[str]]] = {}
    with tempfile.TemporaryDirectory() as folder_name, ExitStack() as stack:
        folder = Path(folder_name)
        workbook = import_rows(folder / "import.xlsx")
        server = postgres_server.start()
        stack.callback(server.stop)
        server.sql("CREATE DATABASE bench")
        setups = {"DuckDB, 1 instance": (str(folder / "bench.duckdb"), 1),
                  "PostgreSQL, 2 instances": (server.url("bench"), 2)}
        for name, (db, count) in setups.items():
            seed(db)
            with serving(db, count, folder) as urls:
                measure(urls, db, write_xlsx(folder / "warm.xlsx", [["天津市", "非化石能源消费比重", 2024, None, 10.8, "%",
                                                                    "正式", "预热", None]]))  # warm: caches, pools
                results[name] = measure(urls, db, workbook)
    print(f"{SESSIONS} concurrent sessions × {ROUNDS} rounds reading the overview while {IMPORT_ROWS:,} rows import")
    for name, (times, failures) in results.items():
        print(f"  {name:<26} median {statistics.median(times):6.2f} s   p95 {p95(times):6.2f} s   failures {len(failures)}")
        for failure in sorted(set(failures)):
            print(f"      {failures.count(failure)} × {failure}")
    duck, pg = results["DuckDB, 1 instance"], results["PostgreSQL, 2 instances"]
    ratio = p95(pg[0]) / p95(duck[0])
    print(f"p95 ratio PostgreSQL×2 / DuckDB×1: {ratio:.2f} (goal ≤ {GOAL_P95_RATIO}); failures: {len(pg[1]) + len(duck[1])}")


if __name__ == "__main__":
    main()
