"""A backup is data, never code: crafted backups are refused or neutralised, and nothing of them runs or survives.

Each case of tests/hostile_backups.py is restored over a database holding data. A refused case changes nothing:
the live file is byte-identical when its refusal is audited, that audit row is its one change, and no file
appears beside it. A neutralised case restores exactly the rows of our own tables, into exactly the objects our
migrations make. No case writes the marker file or shows the secret file's text. Backups of a database holding
such objects run nothing from it either, and the store's connections cannot reach other files at all.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators.status import status_frame
from indicators.store import BatchInfo, Store, StoreError, audit
from indicators.store import backup as backups
from indicators.store.duckdb_backend import DuckDBBackend
from loaders.backup import backup, restore
from loaders.demo import seed_demo_if_first_run
from loaders.export import export_frame
from tests.conftest import PROJECT_ROOT, copied_store
from tests.hostile_backups import NEUTRALISED, REFUSED, Bait, HostileBackup, write_hostile_backup

# The crafted files are DuckDB files made with duckdb itself; each restore builds, upgrades and checks a whole database.
# The live database is a DuckDB file; the neutralised cases are also restored into PostgreSQL (store_factory).
pytestmark = [pytest.mark.slow]


def rows(year: int, value: float) -> pd.DataFrame:
    return pd.DataFrame([{"region_id": "tianjin", "indicator_id": "good_air_quality_days_ratio", "year": year, "month": None,
                          "value": value, "unit": "%", "status": "正式", "source": "公报", "note": None}])


@pytest.fixture
def live(empty_database, db_path, catalogue) -> Store:
    """The database being restored over (a DuckDB file): demo data, imports, a rollback and a target, in every table."""
    store = copied_store(empty_database, db_path, catalogue)
    seed_demo_if_first_run(store, catalogue)
    store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst"), rows(2025, 70.1))
    second = store.write_batch(BatchInfo("b.xlsx", "b" * 64, "analyst"), rows(2025, 71.0))
    store.rollback_batch(second.batch_id, "analyst")
    store.set_target_override("zhanjiang_2023_draft", "co2_intensity_reduction", 18.0, "admin", "省下达")
    return store


@pytest.fixture
def files(tmp_path) -> Path:
    folder = tmp_path / "files"  # apart from the live database, so its folder's listing shows any stray file
    folder.mkdir()
    return folder


@pytest.fixture
def base_file(live, files) -> Path:
    """A copy of the live database: closed and checkpointed, so a plain copy is a valid backup to craft from."""
    assert not live.path.with_name(live.path.name + ".wal").exists()
    return Path(shutil.copyfile(live.path, files / "base.duckdb"))


@pytest.fixture
def bait(files) -> Bait:
    secret = files / "secret.txt"
    secret.write_text("TOPSECRET-7f3a")
    return Bait(marker=files / "pwned", secret=secret, secret_text="TOPSECRET-7f3a")


def crafted(case: HostileBackup, base_file: Path, bait: Bait) -> Path:
    return write_hostile_backup(case, base_file, base_file.with_name("crafted.duckdb"), bait)


def objects(path: Path) -> set[tuple[str, str, str]]:
    """Every object in a DuckDB file: tables, views, macros, sequences, types, schemas, indexes."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return set(con.execute(
            "SELECT 'table', schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION ALL SELECT 'view', schema_name, view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal "
            "UNION ALL SELECT 'macro', schema_name, function_name FROM duckdb_functions() WHERE database_name = current_database() "
            "AND NOT internal UNION ALL SELECT 'sequence', schema_name, sequence_name FROM duckdb_sequences() WHERE database_name = "
            "current_database() UNION ALL SELECT 'type', schema_name, type_name FROM duckdb_types() WHERE database_name = "
            "current_database() AND NOT internal UNION ALL SELECT 'schema', schema_name, '' FROM duckdb_schemas() WHERE "
            "database_name = current_database() AND NOT internal").fetchall())
    finally:
        con.close()


def objects_of(store: Store) -> set[tuple[str, str, str]]:
    """Every object of a store's database: its DuckDB file's, or its PostgreSQL schema's."""
    if not store.on_server:
        return objects(store.path)
    con = store._db.backend.connect(write=False)
    try:
        return con.objects()  # type: ignore[attr-defined]
    finally:
        con.close()


def page_data(store: Store, catalogue) -> list[pd.DataFrame]:
    """What the pages show: current values, the status run, the export, the batches, the targets."""
    return [store.current_observations(), status_frame(catalogue, store), export_frame(store, catalogue), store.batches(),
            store.target_override_history()]


def everything_but_the_audit_log(store: Store, catalogue) -> list[object]:
    return [*page_data(store, catalogue), store.observation_history("tianjin", "good_air_quality_days_ratio"),
            store.meta("data_version"), store.meta("schema_version")]


@pytest.mark.parametrize("case", NEUTRALISED, ids=lambda case: case.name)
def test_a_neutralised_backup_restores_only_its_rows_into_our_own_schema(case, base_file, bait, tmp_path, catalogue, store_factory):
    clean = store_factory(tmp_path / "clean.duckdb")
    restore(clean, catalogue, base_file)
    target = store_factory(tmp_path / "target.duckdb")
    restore(target, catalogue, crafted(case, base_file, bait))
    assert not bait.marker.exists()
    for shown, expected in zip(page_data(target, catalogue), page_data(clean, catalogue), strict=True):
        pd.testing.assert_frame_equal(shown, expected)  # the same rows as the clean backup's
        assert bait.secret_text not in shown.to_string()
    assert objects_of(target) == objects_of(clean)  # no view, macro, sequence, type or schema of the file survives
    last = {"batch": int(clean.batches()["batch_id"].max()), "audit": int(clean.audit_log()["audit_id"].max())}
    assert target.write_batch(BatchInfo("d.xlsx", "d" * 64, "analyst"), rows(2027, 73.0)).batch_id == last["batch"] + 1
    assert list(target.audit_log()["audit_id"][:2]) == [last["audit"] + 1, last["audit"]]  # numbered from the copied ids


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.name)
def test_a_refused_backup_changes_nothing_but_one_audit_row(case, live, base_file, bait, catalogue, monkeypatch):
    backup_file = crafted(case, base_file, bait)
    before, audit_before = everything_but_the_audit_log(live, catalogue), live.audit_log()
    live_bytes, listing = live.path.read_bytes(), sorted(live.path.parent.iterdir())
    audited = []
    record = audit.record_audit

    def spy(db, actor, action, **fields):
        audited.append((action, db.where, db.where.read_bytes() == live_bytes))  # the live file as the audit row finds it
        record(db, actor, action, **fields)

    monkeypatch.setattr(audit, "record_audit", spy)
    with pytest.raises(StoreError, match=case.expected_zh) as refusal:
        restore(live, catalogue, backup_file, force=True)
    assert "未做任何更改" in str(refusal.value) and "Nothing was changed" in str(refusal.value)
    assert audited == [("restore_refused", live.path, True)]  # the audit row is the one write, to an untouched file
    for now, then in zip(everything_but_the_audit_log(live, catalogue), before, strict=True):
        if isinstance(then, pd.DataFrame):
            pd.testing.assert_frame_equal(now, then)
        else:
            assert now == then
    log = live.audit_log()
    pd.testing.assert_frame_equal(log.iloc[1:].reset_index(drop=True), audit_before)
    assert (log["action"].iloc[0], log["file_name"].iloc[0]) == ("restore_refused", str(backup_file))
    assert sorted(live.path.parent.iterdir()) == listing  # no staged copy, WAL or kept file left beside it
    assert not bait.marker.exists()


def test_the_restore_command_says_what_it_refused_or_left_out_and_exits_accordingly(live, base_file, bait, db_path):
    def cli(source: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "loaders", "restore", str(source), "--db", str(db_path), "--force"],
                              cwd=PROJECT_ROOT, capture_output=True, text=True)

    refused = cli(crafted(REFUSED[0], base_file, bait))
    assert refused.returncode == 1 and "observations 是视图" in refused.stderr and "Traceback" not in refused.stderr
    neutralised = cli(crafted(next(c for c in NEUTRALISED if c.name == "table named with a second statement"), base_file, bait))
    assert neutralised.returncode == 0, neutralised.stderr
    assert "未恢复" in neutralised.stdout and "table 2" in neutralised.stdout  # the two tables that are not ours
    assert bait.secret_text not in live.current_observations().to_string()
    assert not bait.marker.exists()


def test_a_backup_runs_nothing_named_in_the_database_and_copies_only_our_objects(live, bait, files):
    clean = backup(live, files / "clean.duckdb")
    con = duckdb.connect(str(live.path))  # objects an earlier, trusting restore could have brought in
    try:
        for case in ("table named with a second statement", "view reading a file", "extra schema and type"):
            next(c for c in NEUTRALISED if c.name == case).craft(con, bait)
    finally:
        con.close()
    result = backup(live, files / "out.duckdb")
    assert not bait.marker.exists()
    assert result.counts == {**clean.counts, "audit_log": clean.counts["audit_log"] + 1}  # our tables (and the first backup's row)
    assert objects(result.path) == objects(clean.path)  # none of the planted objects is copied


@pytest.mark.parametrize("statement", [
    "COPY (SELECT 1) TO '{marker}'",
    "SELECT * FROM read_text('{secret}')",
    "ATTACH '{other}' AS other (READ_ONLY)",
    "SET lock_configuration = false",  # SQL cannot unlock what the connection was opened with
])
@pytest.mark.parametrize("write", [False, True], ids=["reading", "writing"])
def test_the_stores_connections_reach_no_file_but_their_database(statement, write, live, bait, files):
    other = files / "other.duckdb"
    duckdb.connect(str(other)).close()
    con = DuckDBBackend(live.path).connect(write=write)
    try:
        with pytest.raises(duckdb.Error):
            con.execute(statement.format(marker=bait.marker, secret=bait.secret, other=other))
    finally:
        con.close()
    assert not bait.marker.exists()


def test_a_restore_gives_the_data_a_new_version(live, catalogue, files):
    backup(live, files / "snap.duckdb")
    version = live.meta("data_version")
    restore(live, catalogue, files / "snap.duckdb", force=True)
    assert live.meta("data_version") not in (version, None)  # a preview compared before the restore is stale


def test_a_copy_that_fails_its_check_is_never_swapped_in(live, catalogue, files):
    backup(live, files / "snap.duckdb")
    before, listing = export_frame(live, catalogue), sorted(live.path.parent.iterdir())

    def pages_fail(copy: Store) -> None:
        assert copy.path != live.path and copy.observation_count() > 0  # the check sees the restored copy
        raise RuntimeError("the status run fails on this copy")

    with pytest.raises(StoreError, match="未通过检查"):
        live.restore_from(files / "snap.duckdb", force=True, catalogue=catalogue, check=pages_fail)
    assert live.audit_log()["action"].iloc[0] == "restore_refused"
    pd.testing.assert_frame_equal(export_frame(live, catalogue), before)
    assert sorted(live.path.parent.iterdir()) == listing


def test_data_that_arrives_after_the_first_look_is_not_replaced_without_force(live, catalogue, files, monkeypatch):
    backup(live, files / "snap.duckdb")
    live.write_batch(BatchInfo("late.xlsx", "e" * 64, "analyst"), rows(2030, 50.0))
    before = export_frame(live, catalogue)
    monkeypatch.setattr(backups, "is_empty", lambda db: True)  # another process wrote between the first look and the lock
    with pytest.raises(StoreError, match="--force"):
        restore(live, catalogue, files / "snap.duckdb")
    pd.testing.assert_frame_equal(export_frame(live, catalogue), before)
    assert live.audit_log()["action"].iloc[0] == "restore_refused"


def test_a_backup_that_fails_its_upgrade_leaves_the_database_working(live, base_file, bait, catalogue):
    case = next(c for c in REFUSED if c.name == "ids too large to continue")
    before = export_frame(live, catalogue)
    with pytest.raises(StoreError, match="无法恢复"):
        restore(live, catalogue, crafted(case, base_file, bait), force=True)
    live.initialise(catalogue)  # what every command and page does first
    result = live.write_batch(BatchInfo("after.xlsx", "f" * 64, "analyst"), rows(2031, 51.0))
    assert result.new == 1
    assert len(export_frame(live, catalogue)) == len(before) + 1
