"""Crash safety: an import killed with SIGKILL leaves all of its batch or none; two imports at once lose nothing.
On both backends: DuckDB (a file and its write-ahead log) and PostgreSQL (the server rolls back a dead session's
transaction and releases its write lock).

The imports run as real processes (`python -m loaders import`) on a 50,000-row template. Kills happen at
instrumented points (the store's test-only GTM_TEST_PAUSE_AT hook: the process writes a marker file and
waits there) and after fixed delays, which land in reading, validating, diffing, writing or checkpointing.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from indicators.catalogue import Catalogue
from indicators.settings import PAUSE_ENV
from indicators.store import BatchInfo, Store
from loaders.export import export_frame
from tests.conftest import PROJECT_ROOT, TEMPLATE_HEADER, StoreFactory

BIG_ROWS = 50_000  # the batch a kill interrupts
RACE_ROWS = 20_000  # each of two concurrent imports
MARKER_TIMEOUT = 180  # seconds for a paused import to reach its pause point
IMPORT_TIMEOUT = 300  # seconds for an import to finish
KILL_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)  # seconds after start: start-up, reading, validating, writing

pytestmark = pytest.mark.slow  # real processes on 50,000-row files, killed and raced


def write_template_csv(path: Path, catalogue: Catalogue, n: int, *, value_shift: int = 0) -> Path:
    """A long-template CSV with n distinct (region, indicator, year, month) rows of valid values."""
    regions = [r.name_zh for r in catalogue.regions.values()]
    keys = itertools.product(range(1949, 2027), [None, *range(1, 13)], regions, catalogue.indicators.values())
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TEMPLATE_HEADER)
        for i, (year, month, region, indicator) in zip(range(n), keys, strict=False):
            writer.writerow([region, indicator.name_zh, year, month or "", (i % 89) + 1 + value_shift, indicator.unit, "正式",
                             "崩溃测试", ""])
    return path


def seed_base(store: Store, catalogue: Catalogue) -> None:
    """A new database holding one small batch: what every case starts from."""
    store.initialise(catalogue)
    store.write_batch(BatchInfo(file_name="base.xlsx", sha256="0" * 64, imported_by="setup"), pd.DataFrame([
        {"region_id": "tianjin", "indicator_id": "good_air_quality_days_ratio", "year": 2021, "month": None, "value": 72.3,
         "unit": "%", "status": "正式", "source": "公报", "note": None}]))


@pytest.fixture(scope="module")
def files(tmp_path_factory, catalogue, backend) -> dict[str, Path]:
    """The big template, two same-key templates with different values, and (DuckDB) a base database file."""
    folder = tmp_path_factory.mktemp("crash")
    base = folder / "base.duckdb"
    if backend == "duckdb":
        seed_base(Store(base), catalogue)
    return {
        "base": base,
        "big": write_template_csv(folder / "big.csv", catalogue, BIG_ROWS),
        "race_a": write_template_csv(folder / "race_a.csv", catalogue, RACE_ROWS),
        "race_b": write_template_csv(folder / "race_b.csv", catalogue, RACE_ROWS, value_shift=1),
    }


def fresh_db(files: dict[str, Path], tmp_path: Path, make: StoreFactory, catalogue: Catalogue, name: str = "case.duckdb") -> Path:
    """A new database like the base one, named by `path` (the store_factory's name for it)."""
    path = tmp_path / name
    if files["base"].exists():
        shutil.copyfile(files["base"], path)  # the base file is closed and checkpointed: a plain copy is a database
    else:
        seed_base(make(path), catalogue)
    return path


def start_import(csv_path: Path, make: StoreFactory, db: Path, *, pause_at: str | None = None, marker: Path | None = None,
                 lock_timeout: float = 120) -> subprocess.Popen:
    location = make.location(db)  # type: ignore[attr-defined]
    env = {**os.environ, "GTM_DB": location, "GTM_LOCK_TIMEOUT": str(lock_timeout), "GTM_USER": "crash-test"}
    env.pop(PAUSE_ENV, None)
    if pause_at is not None:
        env[PAUSE_ENV] = f"{pause_at}:{marker}"
    return subprocess.Popen([sys.executable, "-m", "loaders", "import", str(csv_path), "--db", location], cwd=PROJECT_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(marker: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + MARKER_TIMEOUT
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"import ended before its pause point: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("import never reached its pause point")
        time.sleep(0.05)


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=IMPORT_TIMEOUT)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=IMPORT_TIMEOUT)
    return process.returncode, out, err


def state_after(make: StoreFactory, db: Path, catalogue: Catalogue, before: pd.DataFrame, before_batches: int) -> str:
    """Open the database again and classify it: 'none' (nothing of the batch) or 'all'; fail on anything else."""
    store = make(db, lock_timeout=10)
    store.initialise(catalogue)  # opens read-write: replays the write-ahead log like the dashboard would
    counts = store.batch_row_counts()
    assert (counts["recorded"] == counts["present"]).all(), counts  # no batch is missing rows
    batches = store.batches()
    audit = store.audit_log()
    assert sorted(audit[audit["action"] == "import"]["subject"].astype(int)) == list(batches["batch_id"])  # each batch audited
    after = export_frame(store, catalogue)
    if len(batches) == before_batches:
        pd.testing.assert_frame_equal(after, before)
        outcome = "none"
    else:
        assert len(batches) == before_batches + 1
        new = counts.iloc[-1]
        assert new["present"] == BIG_ROWS
        assert len(after) == len(before) + BIG_ROWS
        outcome = "all"
    # The database still takes writes after the crash.
    store.write_batch(BatchInfo(file_name="after.xlsx", sha256="1" * 64, imported_by="tester"), pd.DataFrame([
        {"region_id": "zhanjiang", "indicator_id": "good_air_quality_days_ratio", "year": 2030, "month": None, "value": 90.0,
         "unit": "%", "status": "初步", "source": "测试", "note": None}]))
    return outcome


def baseline(make: StoreFactory, db: Path, catalogue: Catalogue) -> tuple[pd.DataFrame, int]:
    store = make(db)
    return export_frame(store, catalogue), len(store.batches())


@pytest.mark.parametrize(("point", "expected"), [("after-batch-row", "none"), ("before-commit", "none"), ("after-commit", "all")])
def test_an_import_killed_at_each_write_step_leaves_all_of_its_batch_or_none(files, tmp_path, catalogue, store_factory, point, expected):
    db = fresh_db(files, tmp_path, store_factory, catalogue)
    before, n_batches = baseline(store_factory, db, catalogue)
    marker = tmp_path / "paused"
    process = start_import(files["big"], store_factory, db, pause_at=point, marker=marker)
    wait_for(marker, process)
    kill(process)
    assert process.returncode == -signal.SIGKILL
    assert state_after(store_factory, db, catalogue, before, n_batches) == expected


def test_an_import_killed_after_any_delay_leaves_all_of_its_batch_or_none(files, tmp_path, catalogue, store_factory):
    outcomes = []
    for delay in KILL_DELAYS:
        db = fresh_db(files, tmp_path, store_factory, catalogue, f"delay_{delay}.duckdb")
        before, n_batches = baseline(store_factory, db, catalogue)
        process = start_import(files["big"], store_factory, db)
        time.sleep(delay)
        killed = process.poll() is None
        kill(process)
        outcomes.append((delay, killed, state_after(store_factory, db, catalogue, before, n_batches)))
    assert any(killed for _, killed, _ in outcomes), outcomes  # the kills did interrupt imports
    assert all(outcome == "none" for _, killed, outcome in outcomes[:2]), outcomes  # killed long before any write


def test_two_imports_at_once_both_land_in_order(files, tmp_path, catalogue, store_factory):
    db = fresh_db(files, tmp_path, store_factory, catalogue)
    marker = tmp_path / "first_paused"
    first = start_import(files["race_a"], store_factory, db, pause_at="before-commit", marker=marker)
    wait_for(marker, first)  # the first holds the write lock, its batch written but not committed
    second = start_import(files["race_b"], store_factory, db)
    time.sleep(1.0)
    assert second.poll() is None  # the second waits for the lock instead of failing
    marker.unlink()  # let the first commit
    code_a, out_a, err_a = finish(first)
    code_b, out_b, err_b = finish(second)
    assert (code_a, code_b) == (0, 0), (err_a, err_b)
    assert "已发布为批次 2" in out_a and "已发布为批次 3" in out_b
    store = store_factory(db)
    counts = store.batch_row_counts().set_index("batch_id")
    assert list(counts["present"]) == [1, RACE_ROWS, RACE_ROWS]
    batches = store.batches().set_index("batch_id")
    assert batches.loc[3, "changed_count"] == RACE_ROWS  # the second was compared with the first's committed rows
    current = store.current_observations()
    assert set(current[current["source"] == "崩溃测试"]["batch_id"]) == {3}  # the later import's values are current


def test_two_imports_started_together_both_land(files, tmp_path, catalogue, store_factory):
    db = fresh_db(files, tmp_path, store_factory, catalogue)
    processes = [start_import(files["race_a"], store_factory, db), start_import(files["race_b"], store_factory, db)]
    results = [finish(p) for p in processes]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    store = store_factory(db)
    counts = store.batch_row_counts()
    assert list(counts["present"]) == [1, RACE_ROWS, RACE_ROWS]
    current = store.current_observations()
    assert set(current[current["source"] == "崩溃测试"]["batch_id"]) == {3}  # whichever came second wins, in full


def test_an_import_that_cannot_wait_is_told_to_retry_and_nothing_is_lost(files, tmp_path, catalogue, store_factory):
    db = fresh_db(files, tmp_path, store_factory, catalogue)
    marker = tmp_path / "first_paused"
    first = start_import(files["race_a"], store_factory, db, pause_at="before-commit", marker=marker)
    wait_for(marker, first)
    second = start_import(files["race_b"], store_factory, db, lock_timeout=1)
    code_b, _, err_b = finish(second)
    assert code_b == 1
    assert "稍后重试" in err_b and "未做任何更改" in err_b and "Traceback" not in err_b
    marker.unlink()
    code_a, _, err_a = finish(first)
    assert code_a == 0, err_a
    store = store_factory(db)
    assert list(store.batch_row_counts()["present"]) == [1, RACE_ROWS]
    retry = start_import(files["race_b"], store_factory, db)  # the retry the message asked for
    assert finish(retry)[0] == 0
    assert list(store_factory(db).batch_row_counts()["present"]) == [1, RACE_ROWS, RACE_ROWS]
