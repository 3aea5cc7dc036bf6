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
  outside `_insert_frame`) so a PostgreSQL backend can follow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from indicators.catalogue import Catalogue
from indicators.errors import UserError

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "gtm.duckdb"
DB_ENV = "GTM_DB"  # environment variable naming the database file
LOCK_TIMEOUT_ENV = "GTM_LOCK_TIMEOUT"  # seconds a writer waits for another process
DEFAULT_LOCK_TIMEOUT = 10.0  # long enough to outlast a dashboard query, short enough to answer a user
LOCK_RETRY_INTERVAL = 0.1  # seconds between attempts to take the file lock
SCHEMA_VERSION = 1
STATUSES = ("初步", "正式", "修订", "估计")  # preliminary, final, revised, estimated
DEMO_SOURCE_MARK = "示例数据"  # every demo observation's source starts with this
BATCH_KINDS = ("import", "demo")
OBSERVATION_COLUMNS = ["region_id", "indicator_id", "year", "month", "value", "unit", "status", "source", "note"]
# Fields whose change makes a re-imported row a revision (a note alone does not).
COMPARED_FIELDS = ["value", "unit", "status", "source"]
VALUE_TOLERANCE = 1e-9  # relative; float noise from spreadsheets is not a revision

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
]


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


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """--db wins, then $GTM_DB, then data/gtm.duckdb."""
    if cli_value:
        return Path(cli_value)
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return DEFAULT_DB


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
        env_timeout = os.environ.get(LOCK_TIMEOUT_ENV)
        self.lock_timeout = lock_timeout if lock_timeout is not None else float(env_timeout or DEFAULT_LOCK_TIMEOUT)

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
    def diff(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Each incoming row marked new / changed / unchanged against the current view."""
        incoming = _normalise_rows(rows)
        if incoming.empty:
            return incoming.assign(change=pd.Series(dtype="string"), old_value=pd.Series(dtype="float64"))
        current = self.current_observations(
            regions=sorted(incoming["region_id"].unique()), indicators=sorted(incoming["indicator_id"].unique())
        )
        return _mark_changes(incoming, current)

    def write_batch(self, info: BatchInfo, rows: pd.DataFrame) -> BatchResult:
        """Record one batch atomically: its new and changed rows, or nothing at all."""
        if info.kind not in BATCH_KINDS:
            raise ValueError(f"unknown batch kind {info.kind}")
        incoming = _normalise_rows(rows)
        with self._connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                current = _current_for(con, incoming)
                marked = _mark_changes(incoming, current)
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
                to_insert = marked[marked["change"] != "unchanged"][OBSERVATION_COLUMNS]
                _insert_frame(con, to_insert, batch_id)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return result

    def rollback_batch(self, batch_id: int, by: str) -> int:
        """Withdraw a batch: its rows stay in history, the current view falls back to earlier values."""
        with self._connect(read_only=False) as con:
            row = _first(con.execute("SELECT rolled_back_at, row_count FROM batches WHERE batch_id = ?", [batch_id]).fetchall())
            if row is None:
                raise StoreError(f"没有编号为 {batch_id} 的导入批次。", f"No batch with id {batch_id}.")
            if row[0] is not None:
                raise StoreError(f"批次 {batch_id} 已于 {row[0]} 撤销。", f"Batch {batch_id} was already rolled back at {row[0]}.")
            con.execute(
                "UPDATE batches SET rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?", [_now(), by, batch_id]
            )
            return int(row[1])

    def remove_demo(self) -> int:
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
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return removed

    def mark_demo_seeded(self) -> None:
        """Remember that demo data was offered once, so removing it is final."""
        with self._connect(read_only=False) as con:
            self._set_meta(con, "demo_seeded_at", _now().isoformat())


def _first(rows: list[tuple]) -> tuple | None:
    """First row or None. (fetchall, not fetchone: DuckDB 2 refuses register() while a result is unfinished.)"""
    return rows[0] if rows else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _normalise_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Incoming rows with exactly the observation columns and their types."""
    missing = [c for c in OBSERVATION_COLUMNS if c not in rows.columns and c not in ("month", "note")]
    if missing:
        raise ValueError(f"rows lack columns {missing}")
    frame = rows.reindex(columns=OBSERVATION_COLUMNS).copy()
    frame["year"] = frame["year"].astype("int64")
    frame["month"] = frame["month"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    for column in ("region_id", "indicator_id", "unit", "status", "source", "note"):
        frame[column] = frame[column].astype("object").where(frame[column].notna(), None)
    bad_status = sorted(set(frame["status"]) - set(STATUSES))
    if bad_status:
        raise ValueError(f"unknown status {bad_status}; use one of {STATUSES}")
    return frame.reset_index(drop=True)


def _current_for(con: duckdb.DuckDBPyConnection, incoming: pd.DataFrame) -> pd.DataFrame:
    if incoming.empty:
        return pd.DataFrame(columns=OBSERVATION_COLUMNS)
    regions = sorted(incoming["region_id"].unique())
    indicators = sorted(incoming["indicator_id"].unique())
    sql = (
        f"SELECT * FROM current_observations WHERE region_id IN ({', '.join('?' for _ in regions)}) "
        f"AND indicator_id IN ({', '.join('?' for _ in indicators)})"
    )
    return con.execute(sql, [*regions, *indicators]).df()


KEY = ["region_id", "indicator_id", "year", "month"]


def _mark_changes(incoming: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Join incoming rows to current ones by key and classify each."""
    current = current.reindex(columns=KEY + COMPARED_FIELDS).copy()
    current["year"] = current["year"].astype("int64")
    current["month"] = current["month"].astype("Int64")
    merged = incoming.merge(current, on=KEY, how="left", suffixes=("", "_old"), indicator=True)
    exists = merged["_merge"] == "both"
    old, new = merged["value_old"].astype("float64"), merged["value"]
    same_value = (old - new).abs() <= VALUE_TOLERANCE * new.abs().clip(lower=1.0)
    same = same_value.fillna(False)
    for field in ("unit", "status", "source"):
        same &= merged[field].astype("object").eq(merged[f"{field}_old"].astype("object")).fillna(False)
    merged["change"] = "new"
    merged.loc[exists & same, "change"] = "unchanged"
    merged.loc[exists & ~same, "change"] = "changed"
    merged["old_value"] = merged["value_old"].astype("float64")
    merged["old_status"] = merged["status_old"]
    return merged[[*OBSERVATION_COLUMNS, "change", "old_value", "old_status"]]


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
