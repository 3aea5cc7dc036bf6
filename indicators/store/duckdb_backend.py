"""The DuckDB backend: the only module in the project that imports duckdb.

Why a module of its own: everything DuckDB-specific lives here and nowhere else in the store — connecting
read-only or read-write with extension autoinstall/autoload off (this machine has no network), recognising
another process's file lock by its message, `register` for DataFrames, `.df()` / `fetchnumpy`, and the
ATTACH / COPY FROM DATABASE / CHECKPOINT mechanics of backups — so a PostgreSQL backend is a new module
implementing backend.Backend, not edits across the store.

DuckDB lets one process write a file at a time; a read-write connection is the file's write lock.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from indicators.store.errors import DatabaseBusy, StoreError

# No extension downloads: this machine has no network, and nothing here needs one.
CONFIG: dict[str, str | bool | int | float | list[str]] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
ORDER_COLUMN = "_row_order"  # added to a frame being inserted, so ids follow its row order

# One store operation at a time per process: DuckDB refuses two connections with
# different read_only settings to one file in the same process.
_PROCESS_LOCK = threading.RLock()


class DuckDBConnection:
    """backend.Connection over one duckdb connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        # fetched, not left pending: DuckDB 2 refuses register() while a result is unfinished
        self._con.execute(sql, list(params)).fetchall()

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self._con.executemany(sql, [list(row) for row in rows])

    def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self._con.execute(sql, list(params)).fetchall()

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self._con.execute(sql, list(params)).df()

    def arrays(self, sql: str, params: Sequence[object] = ()) -> Mapping[str, np.ndarray]:
        return self._con.execute(sql, list(params)).fetchnumpy()

    @contextmanager
    def staged(self, name: str, frame: pd.DataFrame) -> Iterator[None]:
        self._con.register(name, frame)  # DuckDB scans the frame in place, no copy
        try:
            yield
        finally:
            self._con.unregister(name)

    def insert_frame(self, table: str, frame: pd.DataFrame, *, id_column: str, sequence: str) -> None:
        if frame.empty:
            return
        columns = ", ".join(frame.columns)  # the store's own column names, never text from a file
        # nextval is taken in the ordered subquery's output order; with ORDER BY beside nextval DuckDB would number
        # the rows before sorting them (checked on DuckDB 2.0).
        with self.staged("staged_rows", frame.assign(**{ORDER_COLUMN: np.arange(len(frame))})):
            self.execute(f"INSERT INTO {table} ({id_column}, {columns}) SELECT nextval('{sequence}'), {columns} "
                         f"FROM (SELECT * FROM staged_rows ORDER BY {ORDER_COLUMN}) ordered_rows")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    def checkpoint(self) -> None:
        self._con.execute("CHECKPOINT")

    def close(self) -> None:
        self._con.close()


class DuckDBBackend:
    """backend.Backend for one DuckDB file."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.exists()

    def serialised(self) -> AbstractContextManager[object]:
        return _PROCESS_LOCK

    def connect(self, *, write: bool) -> DuckDBConnection:
        if not write and not self.path.exists():
            raise StoreError(
                f"数据库文件不存在：{self.path}。请先运行 python -m indicators init 或启动看板以创建。",
                f"Database file not found: {self.path}. Run `python -m indicators init` or start the dashboard first.",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return DuckDBConnection(duckdb.connect(str(self.path), read_only=not write, config=CONFIG))
        except duckdb.IOException as exc:
            raise _busy_or_damaged(self.path, exc) from exc

    def copy_to(self, out: Path) -> dict[str, int]:
        with _memory_connection() as mem:
            try:
                mem.execute(f"ATTACH {_sql_string(self.path)} AS src (READ_ONLY)")  # a read-only attachment: readers carry on
            except duckdb.IOException as exc:
                raise _busy_or_damaged(self.path, exc) from exc
            mem.execute(f"ATTACH {_sql_string(out)} AS dst")
            mem.execute("COPY FROM DATABASE src TO dst")  # one transaction: a consistent snapshot, sequences included
            counts = _table_counts(mem, "src")
            if _table_counts(mem, "dst") != counts:
                raise StoreError("备份校验失败：副本与数据库的行数不一致。", "Backup check failed: row counts differ.")
            mem.execute("DETACH dst")
            mem.execute("DETACH src")
        return counts

    def stage_restore(self, backup: Path) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.restore-{os.getpid()}")
        self.discard(staged)
        try:
            with _memory_connection() as mem:  # a clean copy (also folds in a WAL the backup may carry)
                mem.execute(f"ATTACH {_sql_string(backup)} AS bak (READ_ONLY)")
                mem.execute(f"ATTACH {_sql_string(staged)} AS dst")
                mem.execute("COPY FROM DATABASE bak TO dst")
                mem.execute("DETACH dst")
                mem.execute("DETACH bak")
        except BaseException:
            self.discard(staged)
            raise
        return staged

    def swap_in(self, staged: Path, *, keep_old: bool) -> Path | None:
        kept = None
        if keep_old and self.path.exists():
            stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            kept = self.path.with_name(f"{self.path.stem}.before-restore-{stamp:%Y%m%dT%H%M%S}{self.path.suffix}")
            os.link(self.path, kept)
        if not self.path.exists():
            self.path.with_name(self.path.name + ".wal").unlink(missing_ok=True)  # a stray WAL would be replayed
        os.replace(staged, self.path)
        return kept

    def discard(self, path: Path) -> None:
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)


@dataclass(frozen=True)
class FileContents:
    """What a DuckDB file holds, as far as a restore needs to know before trusting it."""

    counts: dict[str, int]  # rows of every base table
    schema_version: str | None  # meta's schema_version as written; None when the file has no meta table or no such key


def read_file(path: Path) -> FileContents:
    """Open a (backup) file read-only and count its rows; StoreError when it is not a DuckDB database."""
    with _PROCESS_LOCK, _memory_connection() as mem:
        try:
            mem.execute(f"ATTACH {_sql_string(path)} AS bak (READ_ONLY)")
        except duckdb.Error as exc:
            raise StoreError(f"{path.name} 不是本系统的备份文件（无法作为DuckDB数据库打开）。未做任何更改。",
                             f"{path.name} is not a backup of this system (not a DuckDB database). Nothing was changed.") from exc
        try:
            counts = _table_counts(mem, "bak")
            version = None
            if "meta" in counts and "observations" in counts:
                rows = mem.execute("SELECT value FROM bak.meta WHERE key = 'schema_version'").fetchall()
                version = rows[0][0] if rows else None
            return FileContents(counts, version)
        finally:
            mem.execute("DETACH bak")


def _busy_or_damaged(path: Path, exc: duckdb.IOException) -> Exception:
    """DuckDB reports another process's lock only in the message of an IOException."""
    if "lock" in str(exc).lower():
        return DatabaseBusy(str(exc))
    return StoreError(f"无法打开数据库 {path}：文件已损坏或不是DuckDB数据库。",
                      f"Cannot open database {path}: damaged or not a DuckDB file ({exc}).")


@contextmanager
def _memory_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection to ATTACH files to (backup and restore)."""
    con = duckdb.connect(":memory:", config=CONFIG)
    try:
        yield con
    finally:
        con.close()


def _sql_string(path: Path) -> str:
    """A path as a SQL string literal (ATTACH takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _table_counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Row count of every base table in an attached database."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
        [catalog]).fetchall()]
    return {t: int(con.execute(f'SELECT COUNT(*) FROM {catalog}."{t}"').fetchall()[0][0]) for t in tables}
