"""The store: history is never overwritten, batches are atomic, rollbacks restore, writers queue clearly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from indicators.store import SCHEMA_VERSION, BatchInfo, Store, StoreBusyError, StoreError, resolve_db_path


def rows(*records: tuple[str, str, int, float]) -> pd.DataFrame:
    return pd.DataFrame([
        {"region_id": r, "indicator_id": i, "year": y, "month": None, "value": v, "unit": "%", "status": "正式",
         "source": "测试公报", "note": None}
        for r, i, y, v in records
    ])


AIR = "good_air_quality_days_ratio"


def batch(name: str = "a.xlsx") -> BatchInfo:
    return BatchInfo(file_name=name, sha256="0" * 64, imported_by="tester", sheet="数据")


def current_value(store: Store, year: int) -> float:
    frame = store.current_observations(regions=["tianjin"], indicators=[AIR])
    return float(frame.loc[frame["year"] == year, "value"].iloc[0])


def test_reimporting_a_changed_value_keeps_the_old_one_in_history(store):
    store.write_batch(batch("first.xlsx"), rows(("tianjin", AIR, 2022, 65.8)))
    result = store.write_batch(batch("second.xlsx"), rows(("tianjin", AIR, 2022, 66.2)))
    assert (result.new, result.changed, result.unchanged) == (0, 1, 0)
    assert current_value(store, 2022) == pytest.approx(66.2)
    history = store.observation_history("tianjin", AIR, 2022)
    assert list(history["value"]) == [66.2, 65.8]  # newest first, the old value still there
    assert list(history["file_name"]) == ["second.xlsx", "first.xlsx"]


def test_reimporting_identical_values_adds_no_rows(store):
    store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    result = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    assert (result.new, result.changed, result.unchanged) == (0, 0, 1)
    assert len(store.observation_history("tianjin", AIR)) == 1


def test_rolling_back_a_batch_restores_the_state_before_it(store):
    store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    second = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 66.2), ("tianjin", AIR, 2023, 67.1)))
    store.rollback_batch(second.batch_id, by="tester")
    current = store.current_observations()
    assert list(current["year"]) == [2022]
    assert current_value(store, 2022) == pytest.approx(65.8)
    assert len(store.observation_history("tianjin", AIR)) == 3  # rolled-back rows stay queryable
    assert store.batches().set_index("batch_id").loc[second.batch_id, "rolled_back_by"] == "tester"


def test_rolling_back_twice_or_an_unknown_batch_is_refused_clearly(store):
    first = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    store.rollback_batch(first.batch_id, by="tester")
    with pytest.raises(StoreError, match="已于"):
        store.rollback_batch(first.batch_id, by="tester")
    with pytest.raises(StoreError, match="没有编号为 99 的导入批次"):
        store.rollback_batch(99, by="tester")


def test_a_batch_with_one_bad_row_writes_nothing(store):
    good = rows(("tianjin", AIR, 2021, 72.3))
    bad = rows(("tianjin", AIR, 2022, 65.8)).assign(status="不存在的状态")
    with pytest.raises(ValueError, match="unknown status"):
        store.write_batch(batch(), pd.concat([good, bad]))
    assert store.batches().empty
    assert store.current_observations().empty


def test_batches_record_provenance_and_counts(store):
    info = BatchInfo(file_name="公报.xlsx", sha256="ab" * 32, imported_by="分析员", sheet="表1", note="2023年公报")
    store.write_batch(info, rows(("tianjin", AIR, 2022, 65.8), ("tianjin", AIR, 2023, 67.1)))
    record = store.batches().iloc[0]
    assert (record["file_name"], record["sha256"], record["sheet"], record["imported_by"], record["note"]) == (
        "公报.xlsx", "ab" * 32, "表1", "分析员", "2023年公报")
    assert (record["row_count"], record["new_count"]) == (2, 2)
    assert pd.notna(record["imported_at"])


def test_monthly_and_annual_figures_of_one_year_are_separate_keys(store):
    monthly = rows(("tianjin", AIR, 2025, 68.9)).assign(month=9)
    annual = rows(("tianjin", AIR, 2025, 70.0))
    store.write_batch(batch(), pd.concat([monthly, annual]))
    current = store.current_observations()
    assert sorted(current["month"].fillna(0).astype(int)) == [0, 9]


def test_as_of_ignores_later_years(store):
    store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8), ("tianjin", AIR, 2023, 67.1)))
    assert list(store.current_observations(as_of=2022)["year"]) == [2022]


def test_database_path_comes_from_flag_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.setenv("GTM_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path("flag.duckdb") == Path("flag.duckdb")
    assert resolve_db_path(None) == tmp_path / "env.duckdb"
    monkeypatch.delenv("GTM_DB")
    assert resolve_db_path(None).name == "gtm.duckdb"


def test_initialise_mirrors_the_catalogue_and_is_idempotent(store, catalogue):
    store.initialise(catalogue)  # a second time changes nothing and does not fail
    assert store.meta("schema_version") == str(SCHEMA_VERSION)
    assert store.meta("catalogue") is not None


@pytest.mark.slow  # a second real process holds the lock; the writer waits out its timeout
def test_a_second_writer_gets_a_clear_message_and_loses_nothing(store, db_path):
    store.write_batch(batch(), rows(("tianjin", AIR, 2021, 72.3)))
    # Another process (as a running import would) holds the file's write lock.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)", str(db_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
        assert time.monotonic() - started >= 0.9  # it waited for the lock before giving up
        message = str(caught.value)
        assert "正被另一个程序写入" in message and "未做任何更改" in message and "稍后重试" in message
    finally:
        holder.kill()
        holder.wait()
    # Once the other process is gone, the same write goes through and the earlier data is intact.
    store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    assert list(store.current_observations()["year"]) == [2021, 2022]


def test_a_file_that_is_not_a_database_gives_a_clear_message(tmp_path, catalogue):
    path = tmp_path / "not.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="无法打开数据库"):
        Store(path).initialise(catalogue)
