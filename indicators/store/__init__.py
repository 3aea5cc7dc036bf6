"""The store: the ONLY module that opens DuckDB.

Design (see README "数据存储 / Storage"):
- Observations are append-only. Re-importing a changed value adds a row; the
  current view shows the latest row of each key from batches not rolled back,
  so every earlier value stays queryable and a rollback restores the state before it.
- Every write goes through `_write`, one transaction per batch: all rows or none.
- Connections are short-lived. DuckDB lets one process write a file at a time, so
  the dashboard never holds the file open between operations; a second writer
  waits up to `lock_timeout` seconds and then gets StoreBusyError saying what to do.
- SQL stays portable (standard types, window functions, no DuckDB-only syntax
  outside `_insert_frame` and the backup/restore methods) so a PostgreSQL backend can follow.
- Every write records who did what in `audit_log`, inside the same transaction as the write itself:
  an import, rollback or target change is either there together with its audit row, or neither is.
- Backups are DuckDB files made by `COPY FROM DATABASE` from a read-only attachment (one consistent
  snapshot, taken while the dashboard keeps reading); a restore validates the file, copies it next to
  the database and swaps it in with one atomic rename while holding the write lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from indicators import settings
from indicators.catalogue import Catalogue
from indicators.errors import UserError
from indicators.settings import DEFAULT_DB
from indicators.vocabulary import AUDIT_ACTIONS, BATCH_KINDS, DEMO_SOURCE_MARK, OBSERVATION_COLUMNS
from indicators.vocabulary import DATA_STATUSES as STATUSES

__all__ = ["AUDIT_ACTIONS", "BATCH_KINDS", "DEFAULT_DB", "DEMO_SOURCE_MARK", "OBSERVATION_COLUMNS", "STATUSES"]

LOCK_RETRY_INTERVAL = 0.1  # seconds between attempts to take the file lock
PAUSE_SECONDS = 600.0  # how long a paused writer waits for the test to kill it
# Fields whose change makes a re-imported row a revision (a note alone does not).
COMPARED_FIELDS = ["value", "unit", "status", "source"]
VALUE_TOLERANCE = 1e-9  # relative; float noise from spreadsheets is not a revision
DATA_VERSION_KEY = "data_version"  # meta key: a fresh random value with every write that changes current values

# Each entry upgrades the schema by one version; never edit a released entry.
MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        """CREATE TABLE batches (
            batch_id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            sheet VARCHAR,
            imported_by VARCHAR NOT NULL,
            imported_at TIMESTAMP NOT NULL,
            row_count BIGINT NOT NULL,
            new_count BIGINT NOT NULL,
            changed_count BIGINT NOT NULL,
            unchanged_count BIGINT NOT NULL,
            note VARCHAR,
            rolled_back_at TIMESTAMP,
            rolled_back_by VARCHAR)""",
        """CREATE TABLE observations (
            obs_id BIGINT PRIMARY KEY,
            batch_id BIGINT NOT NULL,  -- batches.batch_id; no FOREIGN KEY: DuckDB cannot delete a parent in the child's transaction
            region_id VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            year INTEGER NOT NULL,
            month INTEGER,
            value DOUBLE NOT NULL,
            unit VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            note VARCHAR)""",
        "CREATE INDEX observations_key ON observations (region_id, indicator_id, year)",
        """CREATE VIEW current_observations AS
            SELECT obs_id, batch_id, region_id, indicator_id, year, month, value, unit, status, source, note
            FROM (
                SELECT o.*, ROW_NUMBER() OVER (
                    PARTITION BY o.region_id, o.indicator_id, o.year, o.month
                    ORDER BY o.obs_id DESC) AS rn
                FROM observations o JOIN batches b ON b.batch_id = o.batch_id
                WHERE b.rolled_back_at IS NULL) ranked
            WHERE rn = 1""",
        # A mirror of the YAML catalogue, for joins in SQL tools and exports.
        """CREATE TABLE cat_indicators (id VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR,
            unit VARCHAR, direction VARCHAR, kind VARCHAR, area VARCHAR, decimals INTEGER)""",
        """CREATE TABLE cat_regions (id VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR,
            code VARCHAR, level VARCHAR, parent VARCHAR)""",
        """CREATE TABLE cat_plans (id VARCHAR PRIMARY KEY, title_zh VARCHAR, region_id VARCHAR,
            status VARCHAR, date_issued DATE, base_year INTEGER, target_year INTEGER)""",
        """CREATE TABLE cat_targets (plan_id VARCHAR, indicator_id VARCHAR, value DOUBLE, bound VARCHAR,
            clause VARCHAR, quote VARCHAR, PRIMARY KEY (plan_id, indicator_id))""",
    ],
    [  # 2: audit log and targets entered by an administrator (values the plan leaves to a higher authority)
        """CREATE TABLE audit_log (
            audit_id BIGINT PRIMARY KEY,
            occurred_at TIMESTAMP NOT NULL,
            actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            subject VARCHAR,
            file_name VARCHAR,
            sha256 VARCHAR,
            detail VARCHAR)""",
        """CREATE TABLE target_overrides (
            override_id BIGINT PRIMARY KEY,
            plan_id VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            value DOUBLE,  -- NULL: cleared, the plan's pending text shows again
            set_by VARCHAR NOT NULL,
            set_at TIMESTAMP NOT NULL,
            note VARCHAR)""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
MAX_AUDIT_TEXT = 500  # characters kept of any audit field (a hostile name must not bloat the log)


class StoreError(UserError):
    """A store failure with a message fit for users, Chinese first."""

    def __init__(self, message_zh: str, message_en: str):
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(f"{message_zh}\n{message_en}")


class StoreBusyError(StoreError):
    """Another process holds the database file."""


@dataclass(frozen=True)
class BatchInfo:
    file_name: str
    sha256: str
    imported_by: str
    sheet: str | None = None
    note: str | None = None
    kind: str = "import"


@dataclass(frozen=True)
class BatchResult:
    batch_id: int
    row_count: int
    new: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class Comparison:
    """Incoming rows marked new / changed / unchanged, and the state of the data they were compared with.

    `version` changes with every write that can change current values (a batch, a rollback, removing demo
    data), so a comparison whose version is still the database's can be written without comparing again.
    """

    marked: pd.DataFrame
    version: str | None


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """--db wins, then $GTM_DB, then data/gtm.duckdb."""
    if cli_value:
        return Path(cli_value)
    location = settings.db_location()
    return Path(location) if location else DEFAULT_DB


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _catalogue_fingerprint(catalogue: Catalogue) -> str:
    payload = {
        "indicators": [i.model_dump(mode="json") for i in catalogue.indicators.values()],
        "regions": [r.model_dump(mode="json") for r in catalogue.regions.values()],
        "plans": [p.model_dump(mode="json") for p in catalogue.plans.values()],
    }
    return sha256_of(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode())


# One store operation at a time per process: DuckDB refuses two connections with
# different read_only settings to one file in the same process.
_PROCESS_LOCK = threading.RLock()


class Store:
    """All reads and writes of one database file."""

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float | None = None):
        self.path = Path(path)
        self.lock_timeout = lock_timeout if lock_timeout is not None else settings.lock_timeout()

    # --- connections --------------------------------------------------------
    @contextmanager
    def _connect(self, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        with _PROCESS_LOCK:
            con = self._open_with_retry(read_only)
            try:
                yield con
            finally:
                con.close()

    def _open_with_retry(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if read_only and not self.path.exists():
            raise StoreError(
                f"数据库文件不存在：{self.path}。请先运行 python -m indicators init 或启动看板以创建。",
                f"Database file not found: {self.path}. Run `python -m indicators init` or start the dashboard first.",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # No extension downloads: this machine has no network, and nothing here needs one.
        config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only, config=config)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(
                        f"无法打开数据库 {self.path}：文件已损坏或不是DuckDB数据库。",
                        f"Cannot open database {self.path}: damaged or not a DuckDB file ({exc}).",
                    ) from exc
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"数据库 {self.path} 正被另一个程序写入（可能是另一个导入或旧版看板进程），"
                        f"已等待{self.lock_timeout:g}秒。本次操作未做任何更改。请稍后重试，或在看板的“数据管理”页导入。",
                        f"Database {self.path} is held by another process (another import or dashboard); waited "
                        f"{self.lock_timeout:g} s. Nothing was changed. Retry shortly, or import from the dashboard's data page.",
                    ) from exc
                time.sleep(LOCK_RETRY_INTERVAL)

    # --- schema -------------------------------------------------------------
    def initialise(self, catalogue: Catalogue) -> None:
        """Create or migrate the schema and mirror the catalogue; idempotent and cheap when current."""
        fingerprint = _catalogue_fingerprint(catalogue)
        if self.path.exists():
            with self._connect(read_only=True) as con:
                if self._schema_version(con) == SCHEMA_VERSION and self._meta(con, "catalogue") == fingerprint:
                    return
        with self._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                version = self._schema_version(con)
                for statements in MIGRATIONS[version:]:
                    for sql in statements:
                        con.execute(sql)
                self._set_meta(con, "schema_version", str(SCHEMA_VERSION))
                if self._meta(con, "catalogue") != fingerprint:
                    self._mirror_catalogue(con, catalogue)
                    self._set_meta(con, "catalogue", fingerprint)
                if self._meta(con, DATA_VERSION_KEY) is None:
                    self._set_meta(con, DATA_VERSION_KEY, uuid.uuid4().hex)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    @staticmethod
    def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
        exists = con.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchall()[0][0]
        if not exists:
            return 0
        row = _first(con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall())
        return int(row[0]) if row else 0

    @staticmethod
    def _meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
        try:
            row = _first(con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchall())
        except duckdb.CatalogException:
            return None
        return row[0] if row else None

    @staticmethod
    def _set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        con.execute("DELETE FROM meta WHERE key = ?", [key])
        con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [key, value])

    @staticmethod
    def _mirror_catalogue(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
        for table in ("cat_targets", "cat_plans", "cat_regions", "cat_indicators"):
            con.execute(f"DELETE FROM {table}")
        con.executemany(
            "INSERT INTO cat_indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[i.id, i.name_zh, i.name_en, i.unit, i.direction, i.kind, i.area, i.decimals] for i in catalogue.indicators.values()],
        )
        con.executemany(
            "INSERT INTO cat_regions VALUES (?, ?, ?, ?, ?, ?)",
            [[r.id, r.name_zh, r.name_en, r.code, r.level, r.parent] for r in catalogue.regions.values()],
        )
        con.executemany(
            "INSERT INTO cat_plans VALUES (?, ?, ?, ?, ?, ?, ?)",
            [[p.id, p.title_zh, p.region, p.status, p.date_issued, p.base_year, p.target_year] for p in catalogue.plans.values()],
        )
        con.executemany(
            "INSERT INTO cat_targets VALUES (?, ?, ?, ?, ?, ?)",
            [[p.id, t.indicator, t.value, t.bound, t.clause, t.quote] for p, t in catalogue.plan_targets()],
        )

    # --- reads --------------------------------------------------------------
    def _query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        with self._connect(read_only=True) as con:
            return con.execute(sql, list(params)).df()

    def current_observations(
        self,
        *,
        as_of: int | None = None,
        regions: Sequence[str] | None = None,
        indicators: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The latest value of every (region, indicator, year, month), optionally filtered."""
        where, params = ["1 = 1"], []
        if as_of is not None:
            where.append("year <= ?")
            params.append(as_of)
        for column, values in (("region_id", regions), ("indicator_id", indicators)):
            if values is not None:
                if not values:
                    where.append("1 = 0")
                    continue
                where.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        return self._query(
            f"SELECT * FROM current_observations WHERE {' AND '.join(where)} "
            "ORDER BY region_id, indicator_id, year, month NULLS FIRST",
            params,
        )

    def observation_history(self, region_id: str, indicator_id: str, year: int | None = None) -> pd.DataFrame:
        """Every value ever recorded for a series (or one year), newest first, with its batch."""
        sql = (
            "SELECT o.year, o.month, o.value, o.unit, o.status, o.source, o.note, o.batch_id, "
            "b.file_name, b.imported_by, b.imported_at, b.rolled_back_at "
            "FROM observations o JOIN batches b ON b.batch_id = o.batch_id "
            "WHERE o.region_id = ? AND o.indicator_id = ?"
        )
        params: list[object] = [region_id, indicator_id]
        if year is not None:
            sql += " AND o.year = ?"
            params.append(year)
        return self._query(sql + " ORDER BY o.year, o.month NULLS FIRST, o.obs_id DESC", params)

    def batches(self) -> pd.DataFrame:
        return self._query("SELECT * FROM batches ORDER BY batch_id")

    def batch_row_counts(self) -> pd.DataFrame:
        """Per batch: the rows it recorded as written (new + changed) and the rows present (an integrity check)."""
        return self._query(
            "SELECT b.batch_id, b.new_count + b.changed_count AS recorded, COUNT(o.obs_id) AS present "
            "FROM batches b LEFT JOIN observations o ON o.batch_id = b.batch_id "
            "GROUP BY b.batch_id, b.new_count, b.changed_count ORDER BY b.batch_id"
        )

    def observation_count(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM current_observations")["n"].iloc[0])

    def has_demo_data(self) -> bool:
        """True while any demo batch is still active (drives the 示例数据 banner)."""
        frame = self._query("SELECT COUNT(*) AS n FROM batches WHERE kind = 'demo' AND rolled_back_at IS NULL")
        return bool(frame["n"].iloc[0])

    def meta(self, key: str) -> str | None:
        with self._connect(read_only=True) as con:
            return self._meta(con, key)

    # --- the one write path -------------------------------------------------
    def compare(self, rows: pd.DataFrame) -> Comparison:
        """Each incoming row marked new / changed / unchanged against the current view, with the data version it
        was compared with (one read transaction: both from one snapshot)."""
        incoming = _normalise_rows(rows)
        with self._connect(read_only=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                return Comparison(_mark_changes(con, incoming), self._meta(con, DATA_VERSION_KEY))
            finally:
                con.execute("ROLLBACK")

    def write_batch(self, info: BatchInfo, rows: pd.DataFrame, actor: str | None = None, *,
                    compared: Comparison | None = None) -> BatchResult:
        """Record one batch atomically: its new and changed rows and its audit row, or nothing at all.

        `actor` is who is logged as having imported it (default: the batch's imported_by). `compared`: these
        rows as `compare` marked them for the preview; reused when no write has come in between.
        """
        if info.kind not in BATCH_KINDS:
            raise ValueError(f"unknown batch kind {info.kind}")
        if compared is not None and len(compared.marked) != len(rows):
            raise ValueError("compared is not a comparison of these rows")
        incoming = None if compared is not None else _normalise_rows(rows)
        with self._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                if compared is not None and compared.version is not None and self._meta(con, DATA_VERSION_KEY) == compared.version:
                    marked = compared.marked
                else:
                    marked = _mark_changes(con, incoming if incoming is not None else _normalise_rows(rows))
                self._set_meta(con, DATA_VERSION_KEY, uuid.uuid4().hex)
                batch_id = int(con.execute("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM batches").fetchall()[0][0])
                counts = marked["change"].value_counts()
                result = BatchResult(
                    batch_id=batch_id,
                    row_count=len(marked),
                    new=int(counts.get("new", 0)),
                    changed=int(counts.get("changed", 0)),
                    unchanged=int(counts.get("unchanged", 0)),
                )
                con.execute(
                    "INSERT INTO batches (batch_id, kind, file_name, sha256, sheet, imported_by, imported_at, "
                    "row_count, new_count, changed_count, unchanged_count, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [batch_id, info.kind, info.file_name, info.sha256, info.sheet, info.imported_by, _now(),
                     result.row_count, result.new, result.changed, result.unchanged, info.note],
                )
                _pause_point("after-batch-row")
                to_insert = marked[marked["change"] != "unchanged"][OBSERVATION_COLUMNS]
                _insert_frame(con, to_insert, batch_id)
                _audit(con, actor or info.imported_by, "demo_load" if info.kind == "demo" else "import", subject=str(batch_id),
                       file_name=info.file_name, sha256=info.sha256,
                       detail=json.dumps({"rows": result.row_count, "new": result.new, "changed": result.changed,
                                          "unchanged": result.unchanged, "sheet": info.sheet, "note": info.note}, ensure_ascii=False))
                _pause_point("before-commit")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            _pause_point("after-commit")
        return result

    def rollback_batch(self, batch_id: int, by: str) -> int:
        """Withdraw a batch: its rows stay in history, the current view falls back to earlier values."""
        with self._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                row = _first(con.execute("SELECT rolled_back_at, row_count, file_name, sha256 FROM batches WHERE batch_id = ?",
                                         [batch_id]).fetchall())
                if row is None:
                    raise StoreError(f"没有编号为 {batch_id} 的导入批次。", f"No batch with id {batch_id}.")
                if row[0] is not None:
                    raise StoreError(f"批次 {batch_id} 已于 {row[0]} 撤销。", f"Batch {batch_id} was already rolled back at {row[0]}.")
                con.execute(
                    "UPDATE batches SET rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?", [_now(), by, batch_id]
                )
                self._set_meta(con, DATA_VERSION_KEY, uuid.uuid4().hex)
                _audit(con, by, "rollback", subject=str(batch_id), file_name=row[2], sha256=row[3],
                       detail=json.dumps({"rows": int(row[1])}))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return int(row[1])

    def remove_demo(self, actor: str = "cli") -> int:
        """Delete demo batches and their rows outright: demo figures are not data worth keeping."""
        with self._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                ids = [r[0] for r in con.execute("SELECT batch_id FROM batches WHERE kind = 'demo'").fetchall()]
                removed = 0
                if ids:
                    marks = ", ".join("?" for _ in ids)
                    removed = int(con.execute(f"SELECT COUNT(*) FROM observations WHERE batch_id IN ({marks})", ids).fetchall()[0][0])
                    con.execute(f"DELETE FROM observations WHERE batch_id IN ({marks})", ids)
                    con.execute(f"DELETE FROM batches WHERE batch_id IN ({marks})", ids)
                self._set_meta(con, "demo_removed_at", _now().isoformat())
                self._set_meta(con, DATA_VERSION_KEY, uuid.uuid4().hex)
                _audit(con, actor, "remove_demo", subject=",".join(str(i) for i in ids) or None,
                       detail=json.dumps({"rows": removed}))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return removed

    def mark_demo_seeded(self) -> None:
        """Remember that demo data was offered once, so removing it is final."""
        with self._connect(read_only=False) as con:
            self._set_meta(con, "demo_seeded_at", _now().isoformat())

    # --- audit log ------------------------------------------------------------
    def record_audit(self, actor: str, action: str, *, subject: str | None = None, file_name: str | None = None,
                     sha256: str | None = None, detail: str | None = None) -> None:
        """One audit row for an event that writes nothing else here (a login, a refused upload, a user change)."""
        with self._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                _audit(con, actor, action, subject=subject, file_name=file_name, sha256=sha256, detail=detail)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def audit_log(self, limit: int | None = None) -> pd.DataFrame:
        """The audit log, newest first."""
        sql = "SELECT audit_id, occurred_at, actor, action, subject, file_name, sha256, detail FROM audit_log ORDER BY audit_id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._query(sql)

    # --- targets an administrator enters --------------------------------------
    def target_overrides(self) -> dict[tuple[str, str], float]:
        """(plan id, indicator id) → the value an administrator entered last (cleared ones left out)."""
        frame = self._query(
            "SELECT plan_id, indicator_id, value FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY plan_id, indicator_id "
            "ORDER BY override_id DESC) AS rn FROM target_overrides) latest WHERE rn = 1 AND value IS NOT NULL"
        )
        return {(p, i): float(v) for p, i, v in frame.itertuples(index=False)}

    def target_override_history(self) -> pd.DataFrame:
        """Every target value an administrator entered or cleared, newest first, with who and when."""
        return self._query(
            "SELECT override_id, plan_id, indicator_id, value, set_by, set_at, note FROM target_overrides ORDER BY override_id DESC"
        )

    def set_target_override(self, plan_id: str, indicator_id: str, value: float | None, actor: str, note: str | None = None) -> None:
        """Record a target value (None clears it) and its audit row in one transaction."""
        with self._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                next_id = int(con.execute("SELECT COALESCE(MAX(override_id), 0) + 1 FROM target_overrides").fetchall()[0][0])
                con.execute("INSERT INTO target_overrides VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [next_id, plan_id, indicator_id, value, actor, _now(), note])
                _audit(con, actor, "set_target", subject=f"{plan_id}/{indicator_id}",
                       detail=json.dumps({"value": value, "note": note}, ensure_ascii=False))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # --- backup and restore -----------------------------------------------------
    def is_empty(self) -> bool:
        """True when the file is missing or holds no batch (so a restore may replace it without --force)."""
        if not self.path.exists():
            return True
        with self._connect(read_only=True) as con:
            return not _holds_batches(con)

    def backup_to(self, out: Path) -> dict[str, int]:
        """Write a consistent snapshot of the database to `out` (a DuckDB file); returns table row counts.

        The source is attached read-only, so the dashboard keeps reading while this runs; a writer that holds
        the file makes this wait (up to lock_timeout) like any other operation. The copy is written to a
        temporary name beside `out` and renamed into place, so `out` is either a complete backup or absent.
        """
        if not self.path.exists():
            raise StoreError(f"数据库文件不存在：{self.path}。", f"Database file not found: {self.path}.")
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
        _remove_database_file(partial)
        try:
            with _PROCESS_LOCK, _memory_connection() as mem:
                self._attach_with_retry(mem, self.path, "src", read_only=True)
                mem.execute(f"ATTACH {_sql_string(partial)} AS dst")
                mem.execute("COPY FROM DATABASE src TO dst")
                counts = _table_counts(mem, "src")
                if _table_counts(mem, "dst") != counts:
                    raise StoreError("备份校验失败：副本与数据库的行数不一致。", "Backup check failed: row counts differ.")
                mem.execute("DETACH dst")
                mem.execute("DETACH src")
            os.replace(partial, out)
        finally:
            _remove_database_file(partial)
        return counts

    @staticmethod
    def inspect_backup(backup: Path) -> dict[str, int]:
        """Table row counts of a backup file, after checking it is a database this version can use."""
        backup = Path(backup)
        if not backup.is_file():
            raise StoreError(f"找不到备份文件：{backup}", f"Backup file not found: {backup}")
        with _PROCESS_LOCK, _memory_connection() as mem:
            try:
                mem.execute(f"ATTACH {_sql_string(backup)} AS bak (READ_ONLY)")
            except duckdb.Error as exc:
                raise StoreError(f"{backup.name} 不是本系统的备份文件（无法作为DuckDB数据库打开）。未做任何更改。",
                                 f"{backup.name} is not a backup of this system (not a DuckDB database). Nothing was changed.") from exc
            try:
                if not (_has_table(mem, "bak", "meta") and _has_table(mem, "bak", "observations")):
                    raise StoreError(f"{backup.name} 不是本系统的备份文件（缺少数据表）。未做任何更改。",
                                     f"{backup.name} is not a backup of this system (tables missing). Nothing was changed.")
                row = _first(mem.execute("SELECT value FROM bak.meta WHERE key = 'schema_version'").fetchall())
                version = int(row[0]) if row else 0
                if not 1 <= version <= SCHEMA_VERSION:
                    raise StoreError(f"备份 {backup.name} 的结构版本为 {version}，本程序支持 1–{SCHEMA_VERSION}。请用更新的版本恢复。",
                                     f"Backup {backup.name} has schema version {version}; this program supports 1–{SCHEMA_VERSION}.")
                return _table_counts(mem, "bak")
            finally:
                mem.execute("DETACH bak")

    def restore_from(self, backup: Path, *, force: bool = False) -> Path | None:
        """Replace the database with a backup, atomically; returns where the replaced database was kept (if any).

        Refuses a non-empty database unless `force`; with `force` the previous file is kept beside it as
        <name>.before-restore-<time>.duckdb. Nothing changes unless the backup opens and checks out.
        """
        backup = Path(backup)
        self.inspect_backup(backup)
        if not force and not self.is_empty():
            raise StoreError(
                f"数据库 {self.path} 已有数据，未做任何更改。确认要用备份覆盖它，请加 --force（原数据库会另存一份）。",
                f"Database {self.path} is not empty; nothing was changed. Add --force to replace it (the old file is kept aside).",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.restore-{os.getpid()}")
        _remove_database_file(staged)
        kept: Path | None = None
        try:
            with _PROCESS_LOCK:
                with _memory_connection() as mem:  # a clean copy (also folds in a WAL the backup may carry)
                    mem.execute(f"ATTACH {_sql_string(backup)} AS bak (READ_ONLY)")
                    mem.execute(f"ATTACH {_sql_string(staged)} AS dst")
                    mem.execute("COPY FROM DATABASE bak TO dst")
                    mem.execute("DETACH dst")
                    mem.execute("DETACH bak")
                if self.path.exists():
                    # Hold the write lock while swapping, so no other process is mid-write on the old file.
                    con = self._open_with_retry(read_only=False)
                    try:
                        con.execute("CHECKPOINT")  # the old file is complete without its WAL
                        if force and _holds_batches(con):
                            kept = self.path.with_name(f"{self.path.stem}.before-restore-{_now():%Y%m%dT%H%M%S}{self.path.suffix}")
                            os.link(self.path, kept)
                        os.replace(staged, self.path)
                    finally:
                        con.close()
                else:
                    self.path.with_name(self.path.name + ".wal").unlink(missing_ok=True)  # a stray WAL would be replayed
                    os.replace(staged, self.path)
        finally:
            _remove_database_file(staged)
        return kept

    def _attach_with_retry(self, mem: duckdb.DuckDBPyConnection, path: Path, alias: str, *, read_only: bool) -> None:
        """ATTACH another file, waiting for another process's write lock like `_open_with_retry` does."""
        deadline = time.monotonic() + self.lock_timeout
        mode = " (READ_ONLY)" if read_only else ""
        while True:
            try:
                mem.execute(f"ATTACH {_sql_string(path)} AS {alias}{mode}")
                return
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise StoreError(f"无法打开数据库 {path}：文件已损坏或不是DuckDB数据库。",
                                     f"Cannot open database {path}: damaged or not a DuckDB file ({exc}).") from exc
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"数据库 {path} 正被另一个程序写入，已等待{self.lock_timeout:g}秒。本次操作未做任何更改。请稍后重试。",
                        f"Database {path} is held by another process; waited {self.lock_timeout:g} s. Nothing was changed. Retry shortly.",
                    ) from exc
                time.sleep(LOCK_RETRY_INTERVAL)


def _pause_point(name: str) -> None:
    """TEST ONLY (crash and concurrency tests): with GTM_TEST_PAUSE_AT=<name>:<marker>, write the marker file and
    wait there until the test kills the process or deletes the marker (then carry on)."""
    spec = settings.pause_spec()
    if not spec:
        return
    point, _, marker_name = spec.partition(":")
    if point != name:
        return
    marker = Path(marker_name)
    marker.write_text(str(os.getpid()))
    deadline = time.monotonic() + PAUSE_SECONDS
    while marker.exists() and time.monotonic() < deadline:
        time.sleep(LOCK_RETRY_INTERVAL)


def _audit(con: duckdb.DuckDBPyConnection, actor: str, action: str, *, subject: str | None = None, file_name: str | None = None,
           sha256: str | None = None, detail: str | None = None) -> None:
    """Append one audit row on `con`, inside the caller's transaction."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action}")
    next_id = int(con.execute("SELECT COALESCE(MAX(audit_id), 0) + 1 FROM audit_log").fetchall()[0][0])
    con.execute(
        "INSERT INTO audit_log (audit_id, occurred_at, actor, action, subject, file_name, sha256, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [next_id, _now(), _clip(actor) or "unknown", action, _clip(subject), _clip(file_name), _clip(sha256), _clip(detail)],
    )


def _clip(text: object) -> str | None:
    if text is None:
        return None
    value = str(text)
    return value if len(value) <= MAX_AUDIT_TEXT else value[: MAX_AUDIT_TEXT - 1] + "…"


@contextmanager
def _memory_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection to ATTACH files to (backup and restore)."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        yield con
    finally:
        con.close()


def _sql_string(path: Path) -> str:
    """A path as a SQL string literal (ATTACH takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> bool:
    return bool(con.execute(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_catalog = ? AND table_name = ?", [catalog, table]
    ).fetchall()[0][0])


def _holds_batches(con: duckdb.DuckDBPyConnection) -> bool:
    if not _has_table(con, con.execute("SELECT current_database()").fetchall()[0][0], "batches"):
        return False
    return int(con.execute("SELECT COUNT(*) FROM batches").fetchall()[0][0]) > 0


def _table_counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Row count of every base table in an attached database."""
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_type = 'BASE TABLE' ORDER BY table_name",
        [catalog]).fetchall()]
    return {t: int(con.execute(f'SELECT COUNT(*) FROM {catalog}."{t}"').fetchall()[0][0]) for t in tables}


def _remove_database_file(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _first(rows: list[tuple]) -> tuple | None:
    """First row or None. (fetchall, not fetchone: DuckDB 2 refuses register() while a result is unfinished.)"""
    return rows[0] if rows else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _normalise_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Incoming rows with exactly the observation columns and their types (text columns: object, blanks None)."""
    missing = [c for c in OBSERVATION_COLUMNS if c not in rows.columns and c not in ("month", "note")]
    if missing:
        raise ValueError(f"rows lack columns {missing}")
    n = len(rows)
    columns: dict[str, object] = {
        "year": rows["year"].to_numpy(dtype="int64"),
        "month": pd.array(rows["month"] if "month" in rows.columns else [None] * n, dtype="Int64"),
        "value": rows["value"].to_numpy(dtype="float64"),
    }
    for column in ("region_id", "indicator_id", "unit", "status", "source", "note"):
        values = rows[column].to_numpy(dtype=object) if column in rows.columns else np.full(n, None, dtype=object)
        blank = pd.isna(values)
        if blank.any():
            values = np.where(blank, None, values)
        columns[column] = values
    bad_status = sorted(set(pd.unique(columns["status"])) - set(STATUSES), key=str)  # type: ignore[call-overload]
    if bad_status:
        raise ValueError(f"unknown status {bad_status}; use one of {STATUSES}")
    # text stays object dtype with None for blanks (pandas 3 would otherwise infer its string dtype with NA)
    return pd.DataFrame({c: pd.Series(columns[c], dtype=object if c not in ("year", "month", "value") else None, copy=False)
                         for c in OBSERVATION_COLUMNS}, copy=False)


KEY = ["region_id", "indicator_id", "year", "month"]
CHANGES = np.array(["new", "changed", "unchanged"], dtype=object)  # indexed by the code _CHANGES_SQL gives
# Each incoming row's key joined to the current value (limited to the incoming regions and indicators) and
# classified in one pass: DuckDB does the join on its own threads, Python only spreads three columns back.
_CHANGES_SQL = """
SELECT CASE WHEN c.region_id IS NULL THEN 0
            WHEN abs(c.value - i.value) <= ? * greatest(abs(i.value), 1.0)
                 AND c.unit = i.unit AND c.status = i.status AND c.source = i.source THEN 2
            ELSE 1 END AS change_code,
       c.value AS old_value, c.status AS old_status
FROM incoming_keys i
LEFT JOIN (SELECT region_id, indicator_id, year, month, value, unit, status, source FROM current_observations
           WHERE region_id IN (SELECT region_id FROM incoming_keys)
             AND indicator_id IN (SELECT indicator_id FROM incoming_keys)) c
  ON c.region_id = i.region_id AND c.indicator_id = i.indicator_id AND c.year = i.year
 AND c.month IS NOT DISTINCT FROM i.month
ORDER BY i.position
"""


def _mark_changes(con: duckdb.DuckDBPyConnection, incoming: pd.DataFrame) -> pd.DataFrame:
    """The incoming rows with change (new / changed / unchanged), old_value and old_status, against the current view.

    The same value means equal within VALUE_TOLERANCE (relative); unit, status and source must match exactly.
    """
    marked = incoming.copy(deep=False)
    if incoming.empty:
        return marked.assign(change=pd.Series(dtype=object), old_value=pd.Series(dtype="float64"),
                             old_status=pd.Series(dtype=object))
    keys = incoming[KEY + COMPARED_FIELDS].assign(position=np.arange(len(incoming)))
    con.register("incoming_keys", keys)
    try:
        found = con.execute(_CHANGES_SQL, [VALUE_TOLERANCE]).fetchnumpy()
    finally:
        con.unregister("incoming_keys")
    old_status = np.asarray(found["old_status"], dtype=object)
    marked["change"] = CHANGES[np.asarray(found["change_code"], dtype=np.intp)]
    marked["old_value"] = np.ma.filled(np.ma.asarray(found["old_value"], dtype="float64"), np.nan)
    marked["old_status"] = np.where(pd.isna(old_status), None, old_status)
    return marked


def _insert_frame(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, batch_id: int) -> None:
    """Bulk insert (DuckDB scans the registered frame; a PostgreSQL backend would COPY)."""
    if frame.empty:
        return
    start = int(con.execute("SELECT COALESCE(MAX(obs_id), 0) FROM observations").fetchall()[0][0]) + 1
    staged = frame.assign(obs_id=range(start, start + len(frame)), batch_id=batch_id)
    con.register("staged_rows", staged)
    try:
        con.execute(
            "INSERT INTO observations (obs_id, batch_id, region_id, indicator_id, year, month, value, unit, status, source, note) "
            "SELECT obs_id, batch_id, region_id, indicator_id, year, month, value, unit, status, source, note FROM staged_rows"
        )
    finally:
        con.unregister("staged_rows")
