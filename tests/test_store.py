"""The store: history is never overwritten, batches are atomic, rollbacks restore, writers queue clearly."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from indicators.store import SCHEMA_VERSION, BatchInfo, Store, StoreBusyError, StoreError, resolve_db_path, transaction
from indicators.store.backend import Backend, Connection
from indicators.store.duckdb_backend import DuckDBBackend
from indicators.store.errors import DatabaseBusy
from tests.conftest import write_version_2_database


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


@contextlib.contextmanager
def lock_held_by_another_process(db_path: Path) -> Iterator[None]:
    """Another process holds the database file's lock (as a running import would) for the length of the block."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(30)", str(db_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow  # a second real process holds the lock; the writer waits out its timeout
def test_a_second_writer_gets_a_clear_message_and_loses_nothing(store, db_path, duckdb_only):
    store.write_batch(batch(), rows(("tianjin", AIR, 2021, 72.3)))
    # Another process (as a running import would) holds the file's write lock.
    with lock_held_by_another_process(db_path):
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
        assert time.monotonic() - started >= 0.9  # it waited for the lock before giving up
        message = str(caught.value)
        assert "正被另一个程序写入" in message and "未做任何更改" in message and "稍后重试" in message
    # Once the other process is gone, the same write goes through and the earlier data is intact.
    store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    assert list(store.current_observations()["year"]) == [2021, 2022]


def test_a_file_that_is_not_a_database_gives_a_clear_message(tmp_path, catalogue, store_factory, duckdb_only):
    path = tmp_path / "not.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="无法打开数据库"):
        store_factory(path).initialise(catalogue)


# --- the one write path ---------------------------------------------------------------------------------------
def test_a_write_that_fails_rolls_back_its_writes_its_audit_row_and_its_version_bump(store):
    version = store.meta("data_version")
    with pytest.raises(RuntimeError, match="halfway"), store._db.write("tester", "rollback", subject="7", bump_version=True) as tx:
        tx.con.execute("INSERT INTO meta (key, value) VALUES ('half_done', 'x')")
        raise RuntimeError("the write fails halfway")
    assert store.meta("half_done") is None
    assert store.audit_log().empty
    assert store.meta("data_version") == version


def test_a_batch_whose_audit_row_cannot_be_written_is_not_written_either(store, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(transaction, "insert_audit_row", broken_audit)
    version = store.meta("data_version")
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    assert store.batches().empty and store.current_observations().empty and store.meta("data_version") == version


def test_every_write_that_changes_current_values_gives_the_data_a_new_version(store):
    versions = [store.meta("data_version")]
    first = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    versions.append(store.meta("data_version"))
    store.rollback_batch(first.batch_id, by="tester")
    versions.append(store.meta("data_version"))
    store.record_audit("tester", "login")  # an audit row alone changes no value
    versions.append(store.meta("data_version"))
    assert len(set(versions[:3])) == 3 and versions[3] == versions[2]


def test_an_unknown_audit_action_is_refused_before_anything_is_written(store):
    with pytest.raises(ValueError, match="unknown audit action"):
        store.record_audit("tester", "no_such_action")
    assert store.audit_log().empty


# --- ids from sequences ---------------------------------------------------------------------------------------
def test_batches_and_their_rows_get_increasing_ids_in_row_order(store):
    first = store.write_batch(batch(), rows(("tianjin", AIR, 2023, 67.1), ("tianjin", AIR, 2021, 72.3), ("tianjin", AIR, 2022, 65.8)))
    second = store.write_batch(batch(), rows(("tianjin", AIR, 2024, 69.4)))
    assert second.batch_id > first.batch_id
    ids = store.current_observations().set_index("year")["obs_id"]
    assert ids[2023] < ids[2021] < ids[2022] < ids[2024]  # in the order the rows came, the later batch after


def test_the_id_of_a_deleted_batch_is_not_handed_out_again(store):
    first = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    store.write_batch(BatchInfo("demo.xlsx", "0" * 64, "demo", kind="demo"), rows(("tianjin", AIR, 2023, 67.1)))
    store.remove_demo(actor="tester")
    after = store.write_batch(batch(), rows(("tianjin", AIR, 2024, 69.4)))
    assert after.batch_id == first.batch_id + 2  # the removed demo batch's id is not handed out again
    audit_ids = list(store.audit_log()["audit_id"])
    assert audit_ids == sorted(audit_ids, reverse=True) and len(set(audit_ids)) == len(audit_ids)


def test_ids_continue_after_a_migrated_version_2_database(db_path, catalogue, store_factory, duckdb_only):
    write_version_2_database(db_path)
    store = store_factory(db_path)
    store.initialise(catalogue)
    assert store.meta("schema_version") == str(SCHEMA_VERSION)
    result = store.write_batch(batch(), rows(("tianjin", AIR, 2024, 69.4)))
    store.set_target_override("zhanjiang_2023_draft", "co2_intensity_reduction", 17.0, "admin")
    assert result.batch_id == 5
    assert store.current_observations().set_index("year").loc[2024, "obs_id"] == 10
    assert list(store.audit_log()["audit_id"]) == [9, 8, 7]
    assert list(store.target_override_history()["override_id"]) == [5 + 1, 5]
    assert store.target_overrides() == {("zhanjiang_2023_draft", "co2_intensity_reduction"): 17.0}


# --- waiting for another writer ---------------------------------------------------------------------------------
BUSY_ZH = ("数据库 {path} 正被另一个程序写入（可能是另一个导入或旧版看板进程），已等待{timeout}秒。本次操作未做任何更改。"
           "请稍后重试，或在看板的“数据管理”页导入。")
BUSY_EN = ("Database {path} is held by another process (another import or dashboard); waited {timeout} s. Nothing was changed. "
           "Retry shortly, or import from the dashboard's data page.")


class AlwaysBusy:
    """A backend whose database another process never lets go of (counts the attempts)."""

    def __init__(self):
        self.attempts = 0

    def exists(self) -> bool:
        return True

    def serialised(self):
        return contextlib.nullcontext()

    def connect(self, *, write: bool) -> Connection:
        self.attempts += 1
        raise DatabaseBusy("held")

    def copy_to(self, out: Path) -> dict[str, int]:
        self.attempts += 1
        raise DatabaseBusy("held")

    def stage_restore(self, backup: Path) -> Path:
        raise AssertionError("not reached")

    def swap_in(self, staged: Path, *, keep_old: bool) -> Path | None:
        raise AssertionError("not reached")

    def discard(self, path: Path) -> None:
        pass


@pytest.mark.parametrize("operation", ["read", "write", "audit"])
def test_the_lock_retry_waits_the_timeout_then_gives_the_busy_message(tmp_path, operation):
    backend = AlwaysBusy()
    store = Store(tmp_path / "busy.duckdb", lock_timeout=0.5, backend=backend)
    act = {"read": store.batches, "write": lambda: store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8))),
           "audit": lambda: store.record_audit("tester", "login")}[operation]
    started = time.monotonic()
    with pytest.raises(StoreBusyError) as caught:
        act()
    assert time.monotonic() - started >= 0.5 and backend.attempts > 2  # it kept trying until the timeout
    where = tmp_path / "busy.duckdb"
    assert str(caught.value) == BUSY_ZH.format(path=where, timeout="0.5") + "\n" + BUSY_EN.format(path=where, timeout="0.5")


def test_a_backup_that_cannot_wait_says_to_retry(tmp_path):
    store = Store(tmp_path / "busy.duckdb", lock_timeout=0.3, backend=AlwaysBusy())
    with pytest.raises(StoreBusyError) as caught:
        store.backup_to(tmp_path / "out.duckdb")
    where = tmp_path / "busy.duckdb"
    assert caught.value.message_zh == f"数据库 {where} 正被另一个程序写入，已等待0.3秒。本次操作未做任何更改。请稍后重试。"
    assert caught.value.message_en == f"Database {where} is held by another process; waited 0.3 s. Nothing was changed. Retry shortly."
    assert not list(tmp_path.glob("*out.duckdb*"))


@pytest.mark.slow  # a second real process holds the lock; the reader waits out its timeout
def test_a_reader_waits_for_a_writer_process_and_gets_the_same_message(store, db_path, duckdb_only):
    with lock_held_by_another_process(db_path), pytest.raises(StoreBusyError) as caught:
        store.current_observations()
    assert str(caught.value) == BUSY_ZH.format(path=db_path, timeout="1") + "\n" + BUSY_EN.format(path=db_path, timeout="1")
    assert store.current_observations().empty  # and once it is gone, reads go through


def test_the_duckdb_backend_implements_the_protocol(tmp_path):
    backend = DuckDBBackend(tmp_path / "p.duckdb")
    assert isinstance(backend, Backend) and isinstance(AlwaysBusy(), Backend)
    con = backend.connect(write=True)
    try:
        assert isinstance(con, Connection)
        with con.transaction():
            # insert_frame takes only the schema's own names (schema.own_name): a table and sequence named as ours
            con.execute("CREATE SEQUENCE batch_id_seq START WITH 3")
            con.execute("CREATE TABLE batches (batch_id BIGINT, note VARCHAR, row_count INTEGER)")
            con.insert_frame("batches", pd.DataFrame({"note": ["a", "b", None], "row_count": [3, 1, 2]}),
                             id_column="batch_id", sequence="batch_id_seq")
        assert con.fetchall("SELECT batch_id, note, row_count FROM batches ORDER BY batch_id") == [
            (3, "a", 3), (4, "b", 1), (5, None, 2)]
        with pytest.raises(RuntimeError), con.transaction():
            con.execute("INSERT INTO batches VALUES (9, 'x', 0)")
            raise RuntimeError
        assert con.fetchall("SELECT COUNT(*) FROM batches") == [(3,)]
        with con.staged("incoming", pd.DataFrame({"k": [1, 2]})):
            assert list(con.frame("SELECT k * 2 AS k FROM incoming")["k"]) == [2, 4]
            assert list(con.arrays("SELECT k FROM incoming")["k"]) == [1, 2]
    finally:
        con.close()


@pytest.mark.parametrize("table, column", [('x"; DROP TABLE batches; --', "note"), ("batches", "note) VALUES (1); --"),
                                           ("users", "note")])
def test_sql_takes_identifiers_only_from_the_schemas_own_names(tmp_path, table, column):
    con = DuckDBBackend(tmp_path / "n.duckdb").connect(write=True)
    try:
        con.execute("CREATE TABLE batches (batch_id BIGINT, note VARCHAR)")
        with pytest.raises(ValueError, match="not one of the store's own names"):
            con.insert_frame(table, pd.DataFrame({column: ["a"]}), id_column="batch_id", sequence="batch_id_seq")
        assert con.fetchall("SELECT COUNT(*) FROM batches") == [(0,)]
    finally:
        con.close()
