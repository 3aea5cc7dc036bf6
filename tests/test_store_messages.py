"""What the store says when the disk or the file will not co-operate: Chinese first, English beside, exit 1, nothing changed.

A full disk is a real 3 MB tmpfs and a read-only file system a real read-only bind mount (root can mount here; where it
cannot, those tests skip and their twins below, which raise the very exception DuckDB 2.0 raised there, still run).
"""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators.store import BatchInfo, DiskFullError, ReadOnlyError, Store, StoreError
from indicators.store import duckdb_backend as duckdb_backend_module
from loaders.backup import backup
from tests.conftest import GOOD_ROWS, PROJECT_ROOT, write_xlsx

# Full disks and read-only mounts of the DuckDB file itself (real tmpfs and bind mounts where allowed).
pytestmark = [pytest.mark.usefixtures("duckdb_only"), pytest.mark.slow]

TMPFS_SIZE = "16m"  # small enough to fill in a moment, with room for a database (DuckDB grows files by 256 KB blocks)
AIR = "good_air_quality_days_ratio"


def rows(year: int, n: int = 1) -> pd.DataFrame:
    return pd.DataFrame([{"region_id": "tianjin", "indicator_id": AIR, "year": year + i, "month": None, "value": 60.0 + i,
                          "unit": "%", "status": "正式", "source": "公报" * 50, "note": None} for i in range(n)])


def batch(name: str = "a.xlsx") -> BatchInfo:
    return BatchInfo(name, "0" * 64, "tester")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def assert_clear_failure(run: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "内部错误" not in run.stderr, run.stderr
    for fragment in fragments:
        assert fragment in run.stderr, run.stderr


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip()})")


@contextlib.contextmanager
def tmpfs(folder: Path) -> Iterator[Path]:
    folder.mkdir()
    _mount("-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@contextlib.contextmanager
def read_only_view(folder: Path, view: Path) -> Iterator[Path]:
    """`folder` seen read-only at `view` (a read-only bind mount: even root cannot write through it)."""
    view.mkdir()
    _mount("--bind", str(folder), str(view))
    try:
        _mount("-o", "remount,ro,bind", str(view))
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=True)


def fill(folder: Path) -> Path:
    """Fill the file system under `folder` to the last byte; returns the filler to delete."""
    filler = folder / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as handle:
        while True:
            handle.write(b"x" * 4096)
            handle.flush()
    return filler


# --- a full disk ----------------------------------------------------------------------------------------------------
def test_a_full_disk_during_an_import_says_so_and_loses_nothing(tmp_path, catalogue):
    with tmpfs(tmp_path / "small") as disk:
        db = disk / "gtm.duckdb"
        store = Store(db, lock_timeout=1)
        store.initialise(catalogue)
        store.write_batch(batch(), rows(2020))
        before = store.current_observations()
        filler = fill(disk)
        sheet = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
        assert_clear_failure(cli("loaders", "import", str(sheet), "--db", str(db)), "磁盘空间已满", "The disk is full")
        with pytest.raises(DiskFullError, match="未做任何更改"):
            store.write_batch(batch(), rows(2000, 200))
        filler.unlink()
        pd.testing.assert_frame_equal(store.current_observations(), before)  # nothing of either write landed
        store.write_batch(batch(), rows(2030))  # and with space again, writes go through
        assert len(store.current_observations()) == 2


def test_a_full_disk_during_a_backup_says_so_and_leaves_no_partial_file(tmp_path, store, db_path):
    store.write_batch(batch(), rows(2000, 300))
    with tmpfs(tmp_path / "small") as disk:
        filler = fill(disk)
        assert_clear_failure(cli("loaders", "backup", str(disk / "snap.duckdb"), "--db", str(db_path)), "磁盘空间已满")
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no backup, no partial copy, no WAL
        filler.unlink()
    assert "backup" not in set(store.audit_log()["action"])  # a backup that was not written is not recorded as one


class _CommitFailsOnAFullDisk:
    """A duckdb connection whose COMMIT fails as DuckDB 2.0's did on a full tmpfs (message copied from there)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str):
        self._con, self._path = con, path

    def execute(self, sql: str, *args: object) -> object:
        if sql == "COMMIT":
            self._con.execute("ROLLBACK")
            raise duckdb.TransactionException(
                f'TransactionContext Error: Failed to commit: Could not write file "{self._path}.wal": No space left on device')
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


def test_the_full_disk_duckdb_reports_at_commit_becomes_a_clear_message(store, db_path, monkeypatch):
    real_connect = duckdb.connect
    monkeypatch.setattr(duckdb_backend_module.duckdb, "connect",
                        lambda path, **kw: _CommitFailsOnAFullDisk(real_connect(path, **kw), path))
    with pytest.raises(DiskFullError) as caught:
        store.write_batch(batch(), rows(2020))
    assert caught.value.message_zh.startswith("磁盘空间已满") and "Nothing was changed" in caught.value.message_en
    monkeypatch.undo()
    assert store.batches().empty


# --- a read-only file system ----------------------------------------------------------------------------------------
def test_a_read_only_file_system_is_not_called_damaged_and_reads_go_on(tmp_path, store, db_path, catalogue):
    store.write_batch(batch(), rows(2020))
    digest = sha(db_path)
    with read_only_view(db_path.parent, tmp_path / "ro") as view:
        seen = Store(view / db_path.name, lock_timeout=1)
        with pytest.raises(ReadOnlyError) as caught:
            seen.write_batch(batch(), rows(2021))
        assert "只读" in caught.value.message_zh and "损坏" not in str(caught.value)
        assert list(seen.current_observations()["year"]) == [2020]  # the database is intact and readable
        sheet = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
        run = cli("loaders", "import", str(sheet), "--db", str(view / db_path.name))
        assert_clear_failure(run, "只读", "read-only")
        assert "损坏" not in run.stderr
    assert sha(db_path) == digest


def test_a_read_only_file_as_duckdb_reports_it_is_not_called_damaged(store, db_path, monkeypatch):
    real_connect = duckdb.connect

    def connect(path, *, read_only=False, **kw):
        if not read_only:  # the message DuckDB 2.0 gave for a read-only bind mount
            raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Read-only file system')
        return real_connect(path, read_only=read_only, **kw)

    monkeypatch.setattr(duckdb_backend_module.duckdb, "connect", connect)
    with pytest.raises(ReadOnlyError) as caught:
        store.write_batch(batch(), rows(2020))
    assert "损坏" not in str(caught.value) and "intact" in caught.value.message_en
    assert store.batches().empty


# --- the schema version -------------------------------------------------------------------------------------------
def _set_version(path: Path, value: str) -> None:
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [value])
    con.close()


def refused_with_version(store, db_path: Path, catalogue, version: str, message: str) -> str:
    """The database stamped with schema `version`: initialise refuses it with `message`; the file's digest before."""
    _set_version(db_path, version)
    digest = sha(db_path)
    with pytest.raises(StoreError, match=message):
        store.initialise(catalogue)
    return digest


def test_a_malformed_schema_version_gets_a_clear_message_and_changes_nothing(store, db_path, catalogue):
    digest = refused_with_version(store, db_path, catalogue, "2abc", "结构版本“2abc”无法识别")
    assert_clear_failure(cli("indicators", "status", "--db", str(db_path)), "2abc", "unreadable schema version")
    assert sha(db_path) == digest


def test_initialise_refuses_a_newer_database_instead_of_stamping_its_version_down(store, db_path, catalogue):
    from indicators.store.schema import SCHEMA_VERSION

    digest = refused_with_version(store, db_path, catalogue, "99", f"比本程序支持的 {SCHEMA_VERSION} 新")
    assert_clear_failure(cli("indicators", "init", "--db", str(db_path)), "结构版本为 99", "newer than this program")
    assert sha(db_path) == digest and store.meta("schema_version") == "99"


# --- odd backup paths -----------------------------------------------------------------------------------------------
def test_backup_force_onto_a_folder_is_refused_clearly(store, db_path, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    assert_clear_failure(cli("loaders", "backup", str(folder), "--force", "--db", str(db_path)), "是一个文件夹", "is a folder")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert "backup" not in set(store.audit_log()["action"])


def test_a_backup_into_a_folder_that_does_not_exist_is_refused_and_creates_nothing(store, db_path, tmp_path):
    out = tmp_path / "no" / "such" / "folder" / "snap.duckdb"
    assert_clear_failure(cli("loaders", "backup", str(out), "--db", str(db_path)), "文件夹不存在", "does not exist")
    assert not (tmp_path / "no").exists()
    with pytest.raises(StoreError, match="文件夹不存在"):
        backup(store, out)
    assert not (tmp_path / "no").exists()
