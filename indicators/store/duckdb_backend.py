"""The DuckDB backend: the only module in the project that imports duckdb.

Why a module of its own: everything DuckDB-specific lives here and nowhere else in the store — connecting
read-only or read-write with extension autoinstall/autoload off (this machine has no network) and file access
off, recognising another process's file lock, a full disk and a read-only file system by their messages,
`register` for DataFrames, `.df()` / `fetchnumpy`, and the ATTACH / CHECKPOINT mechanics of copying a database
for backups and restores — so a PostgreSQL backend is a new module implementing backend.Backend, not edits
across the store.

DuckDB lets one process write a file at a time; a read-write connection is the file's write lock.

File access (checked on DuckDB 2.0): with `enable_external_access = false` a connection still reads and writes
its own database file, WAL and temp directory, and any database attached before the switch; every other file is
refused (read_text, COPY … TO, ATTACH, INSTALL), and `lock_configuration = true` keeps SQL from switching it back.
Ordinary connections are opened that way. Copying connections attach the two files first, then lock down, so a
view or macro in a backup file could not reach another file even if something ran it — and nothing does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd

from indicators.inert_text import for_terminal
from indicators.store import copying
from indicators.store.backend import Staged
from indicators.store.errors import DatabaseBusy, DiskFullError, ReadOnlyError, StoreError
from indicators.store.schema import own_name

# No extension downloads: this machine has no network, and nothing here needs one.
CONFIG: dict[str, str | bool | int | float | list[str]] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# Ordinary connections: no file but the database's own, and no SQL can change that.
LOCKED_CONFIG = {**CONFIG, "enable_external_access": False, "lock_configuration": True}
ORDER_COLUMN = "_row_order"  # added to a frame being inserted, so ids follow its row order
SOURCE = "copy_source"  # the alias a copy's source is attached under (our word, never the file's)
TARGET = "copy_target"  # the alias of the new database a copy writes
MAX_SHOWN_DETAIL = 300  # characters of a DuckDB message quoted to a user (it may quote the file's data)

# How DuckDB quotes the operating system (strerror) when a write fails; checked by filling a tmpfs and by a
# read-only bind mount (tests/test_store_messages.py).
DISK_FULL_TEXTS = ("No space left on device", "Disk quota exceeded")  # ENOSPC, EDQUOT
READ_ONLY_TEXTS = ("Read-only file system", "Permission denied", "Operation not permitted")  # EROFS, EACCES, EPERM (chattr +i)

T = TypeVar("T")

# One store operation at a time per process: DuckDB refuses two connections with
# different read_only settings to one file in the same process.
_PROCESS_LOCK = threading.RLock()


class DuckDBConnection:
    """backend.Connection over one duckdb connection; a full disk or a read-only file system becomes a StoreError
    naming `where` (the database being written)."""

    wal_keeps_commits = True  # a failed checkpoint loses nothing committed (a copy's target is discarded instead)

    def __init__(self, con: duckdb.DuckDBPyConnection, where: Path):
        self._con = con
        self.where = where

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        # fetched, not left pending: DuckDB 2 refuses register() while a result is unfinished
        with self._os_errors():
            self._con.execute(sql, list(params)).fetchall()

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        with self._os_errors():
            self._con.executemany(sql, [list(row) for row in rows])

    def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._os_errors():
            return self._con.execute(sql, list(params)).fetchall()

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        with self._os_errors():
            return self._con.execute(sql, list(params)).df()

    def arrays(self, sql: str, params: Sequence[object] = ()) -> Mapping[str, np.ndarray]:
        with self._os_errors():
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
        columns = _names(list(frame.columns))  # the store's own column names (own_name refuses any other)
        # nextval is taken in the ordered subquery's output order; with ORDER BY beside nextval DuckDB would number
        # the rows before sorting them (checked on DuckDB 2.0).
        with self.staged("staged_rows", frame.assign(**{ORDER_COLUMN: np.arange(len(frame))})):
            self.execute(f"INSERT INTO {own_name(table)} ({own_name(id_column)}, {columns}) "
                         f"SELECT nextval('{own_name(sequence, quoted=False)}'), {columns} "
                         f"FROM (SELECT * FROM staged_rows ORDER BY {ORDER_COLUMN}) ordered_rows")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # the transaction may be gone already (an invalidated database)
                self._con.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def checkpoint(self) -> None:
        self.execute("CHECKPOINT")

    def close(self) -> None:
        with self._os_errors():
            self._con.close()

    @contextmanager
    def _os_errors(self) -> Iterator[None]:
        try:
            yield
        except duckdb.Error as exc:
            mapped = _os_error(self.where, exc, write=True, wal_keeps_commits=self.wal_keeps_commits)
            if mapped is None:
                raise
            raise mapped from exc


class DuckDBCopy(DuckDBConnection):
    """backend.CopyConnection: a new database (attached as TARGET, or an in-memory one) with the source attached
    read-only as SOURCE, opened by `copying_connection`. Names are the store's own, quoted as DuckDB quotes
    identifiers."""

    wal_keeps_commits = False

    def __init__(self, con: duckdb.DuckDBPyConnection, where: Path, target: str):
        super().__init__(con, where)
        self._target = target

    def objects(self, *, source: bool = False) -> set[tuple[str, str, str]]:
        catalog = SOURCE if source else self._target
        return set(self.fetchall(
            "SELECT 'table', schema_name, table_name FROM duckdb_tables() WHERE database_name = $1 "
            "UNION ALL SELECT 'view', schema_name, view_name FROM duckdb_views() WHERE database_name = $1 AND NOT internal "
            "UNION ALL SELECT 'macro', schema_name, function_name FROM duckdb_functions() WHERE database_name = $1 AND NOT internal "
            "UNION ALL SELECT 'sequence', schema_name, sequence_name FROM duckdb_sequences() WHERE database_name = $1 "
            "UNION ALL SELECT 'type', schema_name, type_name FROM duckdb_types() WHERE database_name = $1 AND NOT internal "
            "UNION ALL SELECT 'index', schema_name, index_name FROM duckdb_indexes() WHERE database_name = $1 "
            "UNION ALL SELECT 'schema', schema_name, schema_name FROM duckdb_schemas() WHERE database_name = $1 AND NOT internal",
            [catalog]))

    def columns(self, table: str, *, source: bool = False) -> list[tuple[str, str]] | None:
        catalog = SOURCE if source else self._target
        if not self.fetchall("SELECT COUNT(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
                             "AND table_name = ?", [catalog, table])[0][0]:
            return None
        return [(name, f"{kind} GENERATED" if generated else kind) for name, kind, generated in self.fetchall(
            "SELECT column_name, data_type, is_generated FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
            "AND table_name = ? ORDER BY column_index", [catalog, table])]

    def source_rows(self, table: str, columns: Sequence[str]) -> list[tuple]:
        return self.fetchall(f"SELECT {_names(columns)} FROM {SOURCE}.main.{_quoted(table)}")

    def copy_rows(self, table: str, columns: Sequence[str]) -> None:
        self.execute(f"INSERT INTO {self._target}.main.{_quoted(table)} ({_names(columns)}) "
                     f"SELECT {_names(columns)} FROM {SOURCE}.main.{_quoted(table)}")

    def count(self, table: str, *, source: bool = False) -> int:
        return int(self.fetchall(f"SELECT COUNT(*) FROM {SOURCE if source else self._target}.main.{_quoted(table)}")[0][0])


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
        existed = self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return DuckDBConnection(duckdb.connect(str(self.path), read_only=not write, config=LOCKED_CONFIG), self.path)
        except duckdb.Error as exc:
            error = _opening_error(self.path, exc, write=write)
            if isinstance(error, DiskFullError) and not existed and self.path.exists() and not self.path.stat().st_size:
                self.path.unlink()  # creating the database on a full disk left an empty file
            raise error from exc

    def copy_to(self, out: Path) -> dict[str, int]:
        source = copying.Source(str(self.path), is_backup=False)
        with copying_connection(self.path, out, source, failed=BACKUP_FAILED) as con, con.transaction():
            return copying.copy_snapshot(con, source).counts

    def stage_restore(self, backup: Path) -> Staged:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.restore-{os.getpid()}")
        self.discard(staged)
        source = copying.Source(backup.name, is_backup=True)
        with copying_connection(backup, staged, source, failed=RESTORE_FAILED) as con, con.transaction():
            copied = copying.rebuild(con, source)
        return Staged(staged, DuckDBBackend(staged), copied.counts, self._aside_name(), copied.ignored, copied.cleaned)

    def _aside_name(self) -> Path:
        """<name>.before-restore-<time><suffix> beside the database, numbered if one of that second exists."""
        stamp = f"{dt.datetime.now(dt.UTC).replace(tzinfo=None):%Y%m%dT%H%M%S}"
        candidates = (f"{stamp}-{n}" if n else stamp for n in range(1000))
        return next(aside for tail in candidates
                    if not (aside := self.path.with_name(f"{self.path.stem}.before-restore-{tail}{self.path.suffix}")).exists())

    def swap_in(self, staged: Staged, *, keep_old: bool) -> Path | None:
        if staged.path.with_name(staged.path.name + ".wal").exists():
            raise StoreError("恢复的副本尚未写完整（有预写日志）。未做任何更改。", "The staged copy still has a WAL. Nothing was changed.")
        if not self.path.exists():
            self.path.with_name(self.path.name + ".wal").unlink(missing_ok=True)  # a stray WAL would be replayed
            try:
                os.link(staged.path, self.path)  # never over a database another process created meanwhile
            except FileExistsError as exc:
                raise StoreError(f"恢复期间另一个程序创建了数据库 {self.path}。未做任何更改，请重试。",
                                 f"Another process created {self.path} during the restore. Nothing was changed; retry.") from exc
            self.discard(staged.path)
            return None
        kept = None
        if keep_old:
            os.link(self.path, staged.keep_as)
            kept = staged.keep_as
        os.replace(staged.path, self.path)
        return kept

    def discard(self, path: Path) -> None:
        for leftover in (path, path.with_name(path.name + ".wal")):
            leftover.unlink(missing_ok=True)


# What a copy that fails inside DuckDB says ({detail}: DuckDB's message, escaped), for a backup and a restore.
BACKUP_FAILED = ("备份失败：数据库中的数据无法复制（{detail}）。未做任何更改。",
                 "Backup failed: the data could not be copied ({detail}). Nothing was changed.")
RESTORE_FAILED = ("{name} 无法恢复：其中的数据不符合本系统的结构（{detail}）。未做任何更改。",
                  "{name} cannot be restored: its data does not fit this system's structure ({detail}). Nothing was changed.")


@contextmanager
def copying_connection(source_path: Path | None, target: Path | None, source: copying.Source, *,
                       failed: tuple[str, str]) -> Iterator[DuckDBCopy]:
    """A DuckDBCopy writing the new file `target` (None: an in-memory database) with `source_path` attached read-only
    (None: no source file; a copy from another backend, store.crossing, brings the rows).

    Both files are attached first; then external access is switched off and the configuration locked, before any
    SQL reads the source. The target is detached (so complete on its own, no WAL) when the block ends, and removed
    if anything fails. Errors: the source locked by a writer → DatabaseBusy; a source that is not a DuckDB file →
    StoreError (not a backup, or damaged); a full disk, a read-only file system → their StoreErrors; any other
    DuckDB error in the block → StoreError from `failed` ({name}, {detail})."""
    mem = duckdb.connect(":memory:", config=CONFIG)
    where = target.parent if target is not None else source_path or Path()  # a full disk is named by its folder
    try:
        if target is not None:
            try:
                mem.execute(f"ATTACH {_sql_string(target)} AS {TARGET}")
            except duckdb.Error as exc:
                raise _os_error(where, exc, write=True) or StoreError(
                    f"无法创建 {target}（{_detail(exc)}）。未做任何更改。", f"Cannot create {target} ({_detail(exc)}). Nothing was changed.") from exc
        if source_path is not None:
            try:
                mem.execute(f"ATTACH {_sql_string(source_path)} AS {SOURCE} (READ_ONLY)")
            except duckdb.Error as exc:
                raise _source_error(source_path, source, exc) from exc
        mem.execute(f"USE {TARGET if target is not None else 'memory'}")
        mem.execute("SET enable_external_access = false")
        mem.execute("SET lock_configuration = true")
        con = DuckDBCopy(mem, where, TARGET if target is not None else "memory")
        try:
            yield con
            if source_path is not None:
                con.execute(f"DETACH {SOURCE}")
            if target is not None:
                con.execute("USE memory")
                con.execute(f"DETACH {TARGET}")  # checkpoints: the file is complete without a WAL
        except duckdb.Error as exc:
            zh, en = (text.format(name=source.name, detail=_detail(exc)) for text in failed)
            raise StoreError(zh, en) from exc
    except BaseException:
        mem.close()
        if target is not None:
            DuckDBBackend(target).discard(target)
        raise
    mem.close()


def inspect_file(path: Path) -> copying.Copied:
    """A dry run of a restore from `path` into memory: what it would copy, or the StoreError it would refuse with."""
    source = copying.Source(path.name, is_backup=True)
    with _PROCESS_LOCK, copying_connection(path, None, source, failed=RESTORE_FAILED) as con, con.transaction():
        return copying.rebuild(con, source)


def _source_error(path: Path, source: copying.Source, exc: duckdb.Error) -> Exception:
    """Why a copy's source did not open: the database (a backup being taken) as any database; a backup file."""
    if not source.is_backup:
        return _opening_error(path, exc, write=False)
    if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
        return StoreError(f"{source.name} 正被另一个程序使用，无法读取。未做任何更改。",
                          f"{source.name} is held by another process. Nothing was changed.")
    return StoreError(f"{source.name} 不是本系统的备份文件（无法作为DuckDB数据库打开）。未做任何更改。",
                      f"{source.name} is not a backup of this system (not a DuckDB database). Nothing was changed.")


def _opening_error(path: Path, exc: duckdb.Error, *, write: bool) -> Exception:
    """Why a database file did not open: another process's lock (DuckDB says so only in an IOException's message),
    a full disk, a read-only file system, or a damaged file."""
    if isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower():
        return DatabaseBusy(str(exc))
    return _os_error(path, exc, write=write) or StoreError(
        f"无法打开数据库 {path}：文件已损坏或不是DuckDB数据库。",
        f"Cannot open database {path}: damaged or not a DuckDB file ({_detail(exc)}).")


def _os_error(where: Path, exc: duckdb.Error, *, write: bool, wal_keeps_commits: bool = False) -> StoreError | None:
    """A full disk or a read-only file system, as a user is told it; None for any other error."""
    text = str(exc)
    if any(marker in text for marker in DISK_FULL_TEXTS):
        if wal_keeps_commits and "checkpoint" in text.lower():  # what was committed is in the WAL; only folding it into the file failed
            return DiskFullError(f"磁盘空间已满：数据库 {where} 未能整理（已提交的数据保存在预写日志中，不会丢失）。请清理磁盘空间。",
                                 f"The disk is full: database {where} could not be checkpointed (committed data is "
                                 "safe in its write-ahead log). Free some space.")
        return DiskFullError(f"磁盘空间已满，无法写入 {where}。本次操作未做任何更改；请清理磁盘空间后重试。",
                             f"The disk is full: cannot write {where}. Nothing was changed; free some space and retry.")
    if any(marker in text for marker in READ_ONLY_TEXTS):
        if not write:
            return ReadOnlyError(f"没有读取 {where} 的权限。未做任何更改。", f"No permission to read {where}. Nothing was changed.")
        return ReadOnlyError(f"无法写入 {where}：文件系统是只读的，或没有写入权限（数据库本身完好，可以读取）。本次操作未做任何更改。",
                             f"Cannot write {where}: the file system is read-only or the file is not writable (the "
                             "database itself is intact and readable). Nothing was changed.")
    return None


def _detail(exc: BaseException) -> str:
    """DuckDB's message as a user may see it: clipped, with control and bidi characters escaped (it may quote data)."""
    return for_terminal(str(exc))[:MAX_SHOWN_DETAIL]


def _quoted(table: str) -> str:
    """One of the store's own table names, quoted (schema.own_name refuses any other name)."""
    return own_name(table)


def _names(columns: Sequence[str]) -> str:
    return ", ".join(own_name(column) for column in columns)


def _sql_string(path: Path) -> str:
    """A path as a SQL string literal (ATTACH takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"
