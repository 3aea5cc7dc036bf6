"""Backups: a consistent snapshot while others read, restore gives identical exports, and restore refuses to clobber."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from indicators.errors import UserError
from indicators.store import MIGRATIONS, BatchInfo, Store, StoreBusyError, StoreError
from loaders.backup import add_backup_commands, backup, restore, run_backup_command
from loaders.export import export_frame
from tests.conftest import PROJECT_ROOT, copied_store, write_version_1_database, write_version_2_database


def rows(year: int, value: float, source: str = "公报") -> pd.DataFrame:
    return pd.DataFrame([{"region_id": "tianjin", "indicator_id": "good_air_quality_days_ratio", "year": year, "month": None,
                          "value": value, "unit": "%", "status": "正式", "source": source, "note": "备注"}])


@pytest.fixture(scope="module")
def busy_database(demo_database, tmp_path_factory, catalogue) -> Path:
    """Demo data, two imports (one a revision), a rollback and a target an admin entered: every table has rows.
    Built once; each test gets a copy (busy_store)."""
    path = tmp_path_factory.mktemp("busy") / "busy.duckdb"
    store = copied_store(demo_database, path, catalogue)
    store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst"), rows(2025, 70.1))
    second = store.write_batch(BatchInfo("b.xlsx", "b" * 64, "analyst"), rows(2025, 71.0))
    store.write_batch(BatchInfo("c.xlsx", "c" * 64, "analyst"), rows(2026, 72.0))
    store.rollback_batch(second.batch_id, "analyst")
    store.set_target_override("zhanjiang_2023_draft", "co2_intensity_reduction", 18.0, "admin", "省下达")
    return path


@pytest.fixture
def busy_store(busy_database, db_path, catalogue) -> Store:
    return copied_store(busy_database, db_path, catalogue)


def everything(store: Store, catalogue) -> dict[str, pd.DataFrame]:
    return {
        "export": export_frame(store, catalogue),
        "batches": store.batches(),
        "history": store.observation_history("tianjin", "good_air_quality_days_ratio"),
        "overrides": store.target_override_history(),
    }


def assert_same(left: dict[str, pd.DataFrame], right: dict[str, pd.DataFrame]) -> None:
    for key in left:
        pd.testing.assert_frame_equal(left[key], right[key], obj=key)


def test_backup_then_restore_into_an_empty_database_gives_identical_exports(busy_store, catalogue, tmp_path, store_factory):
    before = everything(busy_store, catalogue)
    audit_before = busy_store.audit_log()
    result = backup(busy_store, tmp_path / "snap.duckdb", actor="ops")
    assert len(result.sha256) == 64 and result.counts["observations"] > 0
    target = store_factory(tmp_path / "restored.duckdb")
    restored = restore(target, catalogue, tmp_path / "snap.duckdb", actor="ops")
    assert restored.kept is None and restored.sha256 == result.sha256
    assert_same(before, everything(target, catalogue))
    after_audit = target.audit_log()
    pd.testing.assert_frame_equal(after_audit.iloc[1:].reset_index(drop=True), audit_before)  # the old log, then the restore
    assert after_audit["action"].iloc[0] == "restore" and after_audit["sha256"].iloc[0] == result.sha256
    assert busy_store.audit_log()["action"].iloc[0] == "backup"


@pytest.mark.slow  # a second real process holds the database open
def test_backup_is_taken_while_another_process_reads(busy_store, catalogue, db_path, tmp_path, store_factory, duckdb_only):
    reader = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); "
         "print('reading', flush=True); time.sleep(30)", str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        counts = busy_store.backup_to(tmp_path / "live.duckdb")
    finally:
        reader.kill()
        reader.wait()
    assert counts["observations"] == int(busy_store.batch_row_counts()["present"].sum())
    target = store_factory(tmp_path / "from_live.duckdb")
    target.restore_from(tmp_path / "live.duckdb")
    pd.testing.assert_frame_equal(export_frame(target, catalogue), export_frame(busy_store, catalogue))


@pytest.mark.slow  # a second real process holds the lock; the backup waits out its timeout
def test_backup_waits_for_a_writer_then_says_to_retry_and_writes_nothing(busy_store, db_path, tmp_path, duckdb_only):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(30)", str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusyError, match="稍后重试"):
            busy_store.backup_to(tmp_path / "blocked.duckdb")
    finally:
        holder.kill()
        holder.wait()
    assert not (tmp_path / "blocked.duckdb").exists()
    assert not list(tmp_path.glob(".blocked.duckdb*"))  # no partial file left behind


def test_backup_refuses_to_overwrite_a_file_without_force(busy_store, catalogue, tmp_path):
    out = tmp_path / "snap.duckdb"
    out.write_bytes(b"an older backup")
    with pytest.raises(UserError, match="已存在"):
        backup(busy_store, out)
    assert out.read_bytes() == b"an older backup"
    backup(busy_store, out, force=True)
    assert Store.inspect_backup(out)["observations"] > 0


def test_restore_refuses_a_database_with_data_unless_forced_and_then_keeps_the_old_one(busy_store, catalogue, tmp_path, store_factory):
    backup(busy_store, tmp_path / "snap.duckdb")
    other = store_factory(tmp_path / "other.duckdb")
    other.initialise(catalogue)
    other.write_batch(BatchInfo("other.xlsx", "d" * 64, "analyst"), rows(2030, 50.0))
    other_before = export_frame(other, catalogue)
    with pytest.raises(StoreError, match="--force"):
        restore(other, catalogue, tmp_path / "snap.duckdb")
    pd.testing.assert_frame_equal(export_frame(other, catalogue), other_before)  # nothing changed
    result = restore(other, catalogue, tmp_path / "snap.duckdb", force=True)
    pd.testing.assert_frame_equal(export_frame(other, catalogue), export_frame(busy_store, catalogue))
    assert result.kept is not None
    kept = store_factory.kept(result.kept)  # DuckDB: the file kept beside it; PostgreSQL: the schema kept beside it
    pd.testing.assert_frame_equal(export_frame(kept, catalogue), other_before)  # the replaced data is kept


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 50, b"SQLite format 3\x00" + bytes(4000)])
def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(busy_store, catalogue, tmp_path, content):
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_bytes(content)
    before = everything(busy_store, catalogue)
    with pytest.raises(StoreError, match="不是本系统的备份文件"):
        restore(busy_store, catalogue, bogus, force=True)
    assert_same(before, everything(busy_store, catalogue))


def test_restore_of_a_version_1_backup_migrates_it(catalogue, tmp_path, store_factory):
    old = tmp_path / "v1.duckdb"
    write_version_1_database(old)
    target = store_factory(tmp_path / "new.duckdb")
    restore(target, catalogue, old)
    assert list(target.current_observations()["value"]) == [67.1]
    assert target.meta("schema_version") == str(len(MIGRATIONS))
    assert list(target.audit_log()["action"]) == ["restore"]


def test_backup_and_restore_commands_plug_into_a_parser_and_run(busy_store, catalogue, db_path, tmp_path, store_factory):
    parser = argparse.ArgumentParser()
    add_backup_commands(parser.add_subparsers(dest="command", required=True))
    assert run_backup_command(parser.parse_args(["backup", str(tmp_path / "cli.duckdb"), "--db", str(db_path)])) == 0
    fresh = tmp_path / "fresh.duckdb"
    assert run_backup_command(parser.parse_args(["restore", str(tmp_path / "cli.duckdb"), "--db", store_factory.location(fresh)])) == 0
    pd.testing.assert_frame_equal(export_frame(store_factory(fresh), catalogue), export_frame(busy_store, catalogue))


def test_backup_module_cli_exits_zero_on_success_and_one_with_a_clear_message(busy_store, db_path, tmp_path, duckdb_only, command):
    def cli(*args: str) -> subprocess.CompletedProcess:
        return command("loaders.backup", *args)

    out = tmp_path / "cli.duckdb"
    done = cli("backup", str(out), "--db", str(db_path))
    assert done.returncode == 0 and "已备份到" in done.stdout
    refused = cli("restore", str(out), "--db", str(db_path))
    assert refused.returncode == 1 and "--force" in refused.stderr and "Traceback" not in refused.stderr
    missing = cli("restore", str(tmp_path / "nope.duckdb"), "--db", str(tmp_path / "x.duckdb"))
    assert missing.returncode == 1 and "找不到备份文件" in missing.stderr
    assert not Path(tmp_path / "x.duckdb").exists()


def test_a_restored_database_carries_on_numbering_where_the_backup_left_off(busy_store, catalogue, tmp_path, store_factory):
    last = {"batch": int(busy_store.batches()["batch_id"].max()), "audit": int(busy_store.audit_log()["audit_id"].max()),
            "override": int(busy_store.target_override_history()["override_id"].max())}
    backup(busy_store, tmp_path / "snap.duckdb")  # its audit row comes after the snapshot, so it is not in the backup
    target = store_factory(tmp_path / "restored.duckdb")
    restore(target, catalogue, tmp_path / "snap.duckdb")
    result = target.write_batch(BatchInfo("d.xlsx", "d" * 64, "analyst"), rows(2027, 73.0))
    target.set_target_override("zhanjiang_2023_draft", "co2_intensity_reduction", 17.0, "admin")
    assert result.batch_id == last["batch"] + 1  # the sequences came with the copy: no id is handed out twice
    assert target.target_override_history()["override_id"].iloc[0] == last["override"] + 1
    assert list(target.audit_log()["action"][:3]) == ["set_target", "import", "restore"]
    assert list(target.audit_log()["audit_id"][:3]) == [last["audit"] + 3, last["audit"] + 2, last["audit"] + 1]


def test_restoring_a_version_2_backup_gives_it_sequences_past_its_ids(catalogue, tmp_path, store_factory):
    old = tmp_path / "v2.duckdb"
    write_version_2_database(old)
    target = store_factory(tmp_path / "new.duckdb")
    restore(target, catalogue, old)
    assert target.write_batch(BatchInfo("d.xlsx", "d" * 64, "analyst"), rows(2027, 73.0)).batch_id == 5


@pytest.mark.slow  # a real process (the one smoke test of `python -m loaders.backup`)
def test_the_backup_module_runs_as_a_real_process(busy_store, db_path, tmp_path):
    done = subprocess.run([sys.executable, "-m", "loaders.backup", "backup", str(tmp_path / "cli.duckdb"), "--db", str(db_path)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "已备份到" in done.stdout
