"""Benchmark: progress engine vs. DuckDB reading the same rows into pandas.

Generates N_SERIES series × 6 years (2020–2025; a mix of kinds, directions and input
forms), writes the observations into a temporary DuckDB file, then in one run measures,
best of REPEATS each:
  (a) DuckDB reading those rows into pandas (`con.execute(SELECT ...).df()`),
  (b) `assess_frame` on those rows (figures and statuses),
  (c) `assess_frame(..., reasons=True)` (figures, statuses and both reason texts).
Prints engine/read ratios; the goal for (b)/(a) is at most 3×.

Run: .venv/bin/python bench/bench_progress.py [n_series]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indicators.progress import assess_frame

N_SERIES = 100_000  # series in the benchmark
YEARS = np.arange(2020, 2026)  # 6 years of observations per series
REPEATS = 3  # best of
GOAL_RATIO = 3.0  # engine time / DuckDB read time
SEED = 20250101  # reproducible data
READ_SQL = "SELECT series_id, year, month, value FROM observations"

# (kind, direction, bound, input_form, share of series)
MIX = (
    ("cumulative_reduction", "lower", "at_least", "annual_rate", 0.20),
    ("cumulative_reduction", "lower", "at_least", "level", 0.10),
    ("cumulative_reduction", "lower", "at_least", "cumulative", 0.10),
    ("level", "higher", "at_least", "level", 0.25),
    ("level", "lower", "at_most", "level", 0.15),
    ("count", "higher", "at_least", "level", 0.10),
    ("maintain", "higher", "maintain", "level", 0.05),
    ("qualitative", "lower", "at_least", "annual_rate", 0.05),
)


def make_specs(n: int, rng: np.random.Generator) -> pd.DataFrame:
    shares = np.array([m[4] for m in MIX])
    pick = rng.choice(len(MIX), size=n, p=shares / shares.sum())
    table = pd.DataFrame([m[:4] for m in MIX], columns=["kind", "direction", "bound", "input_form"])
    specs = table.iloc[pick].reset_index(drop=True)
    specs.insert(0, "series_id", [f"S{i:07d}" for i in range(n)])
    kind = specs["kind"].to_numpy()
    target = np.select(
        [kind == "cumulative_reduction", kind == "level", kind == "count", kind == "maintain"],
        [rng.uniform(10, 20, n), rng.uniform(30, 90, n), rng.uniform(500, 20_000, n), np.full(n, 100.0)],
        default=np.nan,
    )
    target[rng.random(n) < 0.02] = np.nan  # a few targets not entered yet
    specs["target"] = target
    specs["base_year"] = 2020
    specs["target_year"] = 2025
    specs["area"] = rng.choice(["能源", "产业", "环境", "资源"], size=n)
    return specs


def make_observations(specs: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(specs)
    years = np.tile(YEARS, n)
    row_form = np.repeat(specs["input_form"].to_numpy(), len(YEARS))
    row_kind = np.repeat(specs["kind"].to_numpy(), len(YEARS))
    step = np.tile(np.arange(len(YEARS)), n)
    rates = rng.normal(3.0, 1.5, n * len(YEARS))
    growth = np.repeat(rng.normal(0.02, 0.03, n), len(YEARS))
    base = np.repeat(rng.uniform(20, 80, n), len(YEARS))
    intensity = np.repeat(rng.uniform(0.3, 1.2, n), len(YEARS)) * (1 - rates / 100) ** step
    value = np.select(
        [row_form == "annual_rate", row_form == "cumulative", row_kind == "cumulative_reduction",
         row_kind == "maintain"],
        [rates, (1 - (1 - rates / 100) ** step) * 100, intensity,
         np.minimum(100.0, 98.5 + rng.random(n * len(YEARS)) * 3)],
        default=base * (1 + growth) ** step,
    )
    month = np.full(n * len(YEARS), np.nan)
    latest = step == len(YEARS) - 1
    month[latest & (rng.random(n * len(YEARS)) < 0.3)] = 6.0  # some within-year figures
    obs = pd.DataFrame({
        "series_id": np.repeat(specs["series_id"].to_numpy(), len(YEARS)),
        "year": years.astype(np.int32),
        "month": pd.array(month, dtype="Int32"),
        "value": value,
    })
    drop = (row_form == "annual_rate") & (years == 2020)  # rates start after the base year
    return obs[~drop].reset_index(drop=True)


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n_series: int = N_SERIES) -> None:
    rng = np.random.default_rng(SEED)
    specs = make_specs(n_series, rng)
    obs = make_observations(specs, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        con = duckdb.connect(str(path))
        con.register("obs_frame", obs)
        con.execute(
            "CREATE TABLE observations AS SELECT series_id, CAST(year AS INTEGER) AS year, "
            "CAST(month AS INTEGER) AS month, value FROM obs_frame"
        )
        con.unregister("obs_frame")
        con.close()
        con = duckdb.connect(str(path), read_only=True)
        rows = con.execute(READ_SQL).df()
        t_read = best_of(lambda: con.execute(READ_SQL).df())
        con.close()

    t_engine = best_of(lambda: assess_frame(specs, rows))
    t_reasons = best_of(lambda: assess_frame(specs, rows, reasons=True))
    result = assess_frame(specs, rows, reasons=True)

    print(f"series: {n_series:,}  observation rows: {len(rows):,}")
    print(f"(a) DuckDB read into pandas:          {t_read * 1000:8.1f} ms")
    print(f"(b) engine, figures + statuses:       {t_engine * 1000:8.1f} ms")
    print(f"(c) engine, with reasons (zh + en):   {t_reasons * 1000:8.1f} ms")
    print(f"ratio engine/read:              {t_engine / t_read:5.2f}x  (goal <= {GOAL_RATIO:.0f}x)")
    print(f"ratio engine with reasons/read: {t_reasons / t_read:5.2f}x")
    print("barometer statuses:", result["status_barometer"].value_counts().to_dict())
    print("sample reason:", result["explanation_zh"].iloc[0])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N_SERIES)
