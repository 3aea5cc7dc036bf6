"""Page benchmark in real headless Chromium against the real Streamlit server.

Measures, in one run, the time from navigation until every chart of a page is drawn:
  1. the overview of both plans (all 17 cards with their sparklines) vs a one-chart Streamlit
     page (bench/one_chart_app.py) — goal: at most 1.5×;
  2. the overview on a database with 1,000,000 observations vs on the demo data — goal: at most 1.2×.
Each server is started fresh (cold caches, as after a deploy) and each page is loaded
REPEATS times in new browser contexts; the median is reported. Ratios, not seconds, are
the result: absolute times depend on the machine.

Run: .venv/bin/python bench/bench_pages.py
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indicators.catalogue import load_catalogue  # noqa: E402
from indicators.store import BatchInfo, Store  # noqa: E402
from loaders.demo import seed_demo_if_first_run  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
REPEATS = 5  # page loads per measurement; the median is reported
BIG_ROWS = 1_000_000  # observations in the large database
TIMEOUT_MS = 120_000
OVERVIEW_READY = ("document.querySelectorAll('.gtm-card').length >= 17 && "
                  "[...document.querySelectorAll('.gtm-card img')].every(i => i.complete)")
ONE_CHART_READY = "document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= 1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(script: str, db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "GTM_DB": str(db)}
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                                "--server.headless", "true"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{script} did not start")


def time_page(browser, url: str, ready: str) -> float:
    """Seconds from navigation to `ready` being true, in a fresh browser context."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(ready, timeout=TIMEOUT_MS)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def measure(browser, script: str, db: Path, ready: str, path: str = "/") -> tuple[float, float]:
    """(first load on a fresh server, median of the REPEATS loads after it): cold and warm caches."""
    process, url = start_server(script, db)
    try:
        cold = time_page(browser, url + path, ready)
        warm = statistics.median(time_page(browser, url + path, ready) for _ in range(REPEATS))
    finally:
        process.terminate()
        process.wait(timeout=20)
    return cold, warm


def demo_database(folder: Path) -> Path:
    catalogue = load_catalogue()
    store = Store(folder / "demo.duckdb")
    store.initialise(catalogue)
    seed_demo_if_first_run(store, catalogue)
    return store.path


def big_database(folder: Path) -> Path:
    """Demo data plus 1,000,000 observations: every catalogue indicator for many regions not assessed."""
    catalogue = load_catalogue()
    store = Store(folder / "big.duckdb")
    store.initialise(catalogue)
    seed_demo_if_first_run(store, catalogue)
    rng = np.random.default_rng(7)
    indicators = list(catalogue.indicators)
    years = np.arange(1990, 2026)
    n_regions = BIG_ROWS // (len(indicators) * len(years)) + 1
    keys = pd.MultiIndex.from_product([[f"county_{i:05d}" for i in range(n_regions)], indicators, years],
                                      names=["region_id", "indicator_id", "year"]).to_frame(index=False).head(BIG_ROWS)
    rows = keys.assign(month=None, value=rng.uniform(0, 100, len(keys)), unit="%", status="正式", source="bench", note=None)
    store.write_batch(BatchInfo(file_name="bench.xlsx", sha256="0" * 64, imported_by="bench"), rows)
    return store.path


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo_db, big_db = demo_database(folder), big_database(folder)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            one_chart = measure(browser, "bench/one_chart_app.py", demo_db, ONE_CHART_READY)
            overview_demo = measure(browser, "server.py", demo_db, OVERVIEW_READY)
            overview_big = measure(browser, "server.py", big_db, OVERVIEW_READY)
            browser.close()
    print(f"first load on a fresh server (cold), then median of {REPEATS} loads (warm)")
    for name, (cold, warm) in (("one-chart Streamlit page", one_chart), ("overview, both plans, demo", overview_demo),
                               ("overview, 1,000,000 observations", overview_big)):
        print(f"{name:<34} cold {cold * 1000:7.0f} ms   warm {warm * 1000:7.0f} ms")
    for label, (a, b), goal in (("overview / one-chart page", (overview_demo, one_chart), 1.5),
                                ("1M observations / demo", (overview_big, overview_demo), 1.2)):
        print(f"ratio {label:<27} cold {a[0] / b[0]:.2f}x   warm {a[1] / b[1]:.2f}x   (goal <= {goal}x)")


if __name__ == "__main__":
    main()
