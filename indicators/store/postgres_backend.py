"""The PostgreSQL backend: the only module in the project that imports psycopg.

Why a module of its own: the store's modules write portable SQL against backend.Connection; everything particular
to PostgreSQL lives here — translating `?` placeholders to psycopg's `%s` (and DuckDB's `DOUBLE` to `DOUBLE
PRECISION` in DDL, so the released migrations stay as they are for DuckDB), a connection pool per database URL,
the write lock, staging a DataFrame as a temporary table, COPY for bulk inserts, and DataFrames with the dtypes
DuckDB gives (so pages and exports cannot tell the two apart).

The write lock: a session-level advisory lock keyed by the store's schema, taken with pg_try_advisory_lock when a
write connection is handed out and released when it is closed. A second writer gets DatabaseBusy and the store's
one lock-retry loop (transaction.Database.wait_for) waits up to lock_timeout, then says StoreBusyError — exactly as
with DuckDB's file lock. A writer that dies loses its session, and the server releases the lock and rolls back its
open transaction: a killed import leaves all of its batch or none. Readers never wait for writers (MVCC); a read
that must be consistent across statements (compare) runs in a REPEATABLE READ transaction.

Timestamps: the columns are TIMESTAMP (without time zone) holding UTC, as on DuckDB — the store writes naive UTC
(transaction.now), every session runs with TimeZone UTC, frames come back naive as DuckDB's do, and a copy between
the two backends moves values unchanged. See README "PostgreSQL".
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import psycopg_pool
from psycopg import errors as pg_errors
from psycopg import sql as pg_sql

from indicators.inert_text import for_terminal
from indicators.store.backend import Staged
from indicators.store.errors import DatabaseBusy, DiskFullError, ReadOnlyError, StoreError
from indicators.store.schema import own_name

LOCK_CLASS = 0x67746D  # "gtm": the first key of the store's advisory lock; the second is the schema's hash
RESTORE_SCHEMA_PREFIX = "gtm_restore_"  # a restore's copy is built in a schema named so, beside the store's
POOL_SIZE = 10  # connections one process keeps open at most (Streamlit sessions share them)
POOL_WAIT_SECONDS = 15.0  # how long to wait for a connection before saying the server is out of reach
MAX_SHOWN_DETAIL = 300  # characters of a server message quoted to a user

# PostgreSQL type OIDs → how a frame column is built, to give the dtypes DuckDB's .df() gives.
INT32_OIDS = {21, 23}  # int2, int4 (DuckDB INTEGER → int32, Int32 with NULLs)
INT64_OIDS = {20}  # int8 (BIGINT, COUNT(*))
FLOAT_OIDS = {700, 701, 1700}  # float4, float8, numeric
BOOL_OIDS = {16}
TIME_OIDS = {1082, 1114, 1184}  # date, timestamp, timestamptz (the last never used by the store)

# information_schema's type names → DuckDB's, for the column checks of a copy between the two.
DUCKDB_TYPE_NAMES = {"character varying": "VARCHAR", "text": "VARCHAR", "bigint": "BIGINT", "integer": "INTEGER",
                     "smallint": "SMALLINT", "double precision": "DOUBLE", "real": "FLOAT", "boolean": "BOOLEAN",
                     "date": "DATE", "timestamp without time zone": "TIMESTAMP",
                     "timestamp with time zone": "TIMESTAMP WITH TIME ZONE", "numeric": "DECIMAL"}

_POOLS: dict[str, psycopg_pool.ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()

# `?` outside string literals, quoted identifiers and comments (the migrations' comments hold apostrophes).
_PLACEHOLDER = re.compile(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*)|\?")
_DOUBLE = re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.IGNORECASE)
_DDL = re.compile(r"^\s*(CREATE|ALTER)\b", re.IGNORECASE)


def shown_url(url: str) -> str:
    """The URL as messages name it: without the password."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = str(parts.get("host") or "")
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host if '/' not in host else ''}{port}/{parts.get('dbname') or ''}"


def translate(statement: str) -> str:
    """Portable store SQL as psycopg takes it: `?` → `%s` (a literal `%` doubled); DDL's DOUBLE → DOUBLE PRECISION."""
    text = statement.replace("%", "%%")
    if _DDL.match(text):
        text = _DOUBLE.sub("DOUBLE PRECISION", text)
    return _PLACEHOLDER.sub(lambda m: m.group(1) or "%s", text)


def pool_for(url: str) -> psycopg_pool.ConnectionPool:
    """This process's pool for one database URL, opened on first use."""
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None or pool.closed:
            _probe(url)  # a wrong address, user or password is said at once, in the server's words
            pool = psycopg_pool.ConnectionPool(url, min_size=1, max_size=POOL_SIZE, kwargs={"autocommit": True, "prepare_threshold": None},
                                               # no prepared statements: a restore renames schemas under them
                                               configure=_configure, open=False, timeout=POOL_WAIT_SECONDS,
                                               check=psycopg_pool.ConnectionPool.check_connection,  # survives a server restart
                                               name="gtm")
            try:
                pool.open(wait=True, timeout=POOL_WAIT_SECONDS)
            except psycopg_pool.PoolTimeout as exc:
                pool.close()
                raise _unreachable(url, exc) from exc
            _POOLS[url] = pool
        return pool


def _probe(url: str) -> None:
    try:
        psycopg.connect(url, connect_timeout=int(POOL_WAIT_SECONDS)).close()
    except psycopg.Error as exc:
        where, detail = shown_url(url), for_terminal(str(exc).strip())[:MAX_SHOWN_DETAIL]
        raise StoreError(f"无法连接数据库服务器 {where}（{detail}）。请检查地址、用户名、密码和服务器是否在运行。",
                         f"Cannot connect to database server {where} ({detail}). Check the address, user, password and "
                         "that the server is running.") from exc


def close_pools() -> None:
    """Close every pool of this process (tests, and a clean exit)."""
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            pool.close()
        _POOLS.clear()


def _configure(con: psycopg.Connection) -> None:
    con.execute("SET TIME ZONE 'UTC'")  # naive timestamps are UTC, whatever the server's default
    con.execute("SET application_name = 'green-target-monitor'")


class PostgresConnection:
    """backend.Connection over one pooled psycopg connection (autocommit outside `transaction`)."""

    def __init__(self, con: psycopg.Connection, where: str, release: Any, *, write: bool):
        self._con = con
        self.where = where
        self._release = release  # gives the connection back to its pool
        self._write = write

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        with self._errors():
            self._con.execute(translate(sql), _plain(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        with self._errors(), self._con.cursor() as cur:
            cur.executemany(translate(sql), [_plain(row) for row in rows])

    def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._errors(), self._con.cursor() as cur:
            cur.execute(translate(sql), _plain(params))
            return cur.fetchall() if cur.description is not None else []

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        with self._errors(), self._con.cursor() as cur:
            cur.execute(translate(sql), _plain(params))
            assert cur.description is not None, "frame() needs a query"
            rows = cur.fetchall()
            return pd.DataFrame({column.name: _column([row[i] for row in rows], column.type_code)
                                 for i, column in enumerate(cur.description)})

    def arrays(self, sql: str, params: Sequence[object] = ()) -> Mapping[str, np.ndarray]:
        frame = self.frame(sql, params)
        return {name: _array(frame[name]) for name in frame.columns}

    @contextmanager
    def staged(self, name: str, frame: pd.DataFrame) -> Iterator[None]:
        table = pg_sql.Identifier(name)  # a name of our code's choosing ("incoming_keys"), quoted all the same
        columns = pg_sql.SQL(", ").join(pg_sql.SQL("{} {}").format(pg_sql.Identifier(str(c)), pg_sql.SQL(_sql_type(frame[c])))
                                        for c in frame.columns)
        with self._errors():
            self._con.execute(pg_sql.SQL("CREATE TEMPORARY TABLE {} ({})").format(table, columns))
            self._copy(pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
                table, pg_sql.SQL(", ").join(pg_sql.Identifier(str(c)) for c in frame.columns)), frame)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            # after an error the transaction may be aborted; its rollback drops the table with it
            with suppress(psycopg.Error) if failed else nullcontext():
                self._con.execute(pg_sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(table))

    def insert_frame(self, table: str, frame: pd.DataFrame, *, id_column: str, sequence: str) -> None:
        if frame.empty:
            return
        columns = [own_name(str(c), quoted=False) for c in frame.columns]  # the store's own names only
        # Ids drawn from the sequence, sorted, handed out in row order: unique and increasing however other
        # sessions draw from the same sequence meanwhile.
        ids = sorted(r[0] for r in self.fetchall(
            f"SELECT nextval('{own_name(sequence, quoted=False)}') FROM generate_series(1, ?)", [len(frame)]))
        numbered = frame.assign(**{own_name(id_column, quoted=False): ids})[[id_column, *columns]]
        statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
            pg_sql.Identifier(own_name(table, quoted=False)), pg_sql.SQL(", ").join(pg_sql.Identifier(c) for c in [id_column, *columns]))
        with self._errors():
            self._copy(statement, numbered)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # A reader's transaction sees one snapshot (compare: the rows and the data version together). A writer's
        # runs READ COMMITTED under the write lock, which already keeps every other writer out.
        self.execute("BEGIN" if self._write else "BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            yield
        except BaseException:
            with suppress(psycopg.Error):
                self._con.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    # --- the store schema's own catalogue, for copies between backends (store/crossing.py) --------------------------
    def objects(self) -> set[tuple[str, str, str]]:
        """Every object of the store's schema as backend.CopyConnection.objects names them, the schema named "main" as
        DuckDB names its default one (indexes backing a key are part of their table, as on DuckDB)."""
        return {(kind, "main", name) for kind, name in self.fetchall(
            "SELECT CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END, table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() "
            "UNION ALL SELECT 'sequence', sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema() "
            "UNION ALL SELECT 'macro', p.proname FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
            "UNION ALL SELECT 'type', t.typname FROM pg_type t WHERE t.typnamespace = current_schema()::regnamespace "
            "AND t.typrelid = 0 AND t.typcategory <> 'A' "
            "UNION ALL SELECT 'index', i.indexname FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace)")}

    def columns(self, table: str) -> list[tuple[str, str]] | None:
        """(name, type) of each column of the base table `table` of the store's schema, types named as DuckDB names
        them (so a copy compares them with a DuckDB file's); None when there is no such base table."""
        if not self.fetchall("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                             "AND table_name = ? AND table_type = 'BASE TABLE'", [table])[0][0]:
            return None
        return [(name, DUCKDB_TYPE_NAMES.get(kind, kind.upper()) + (" GENERATED" if generated == "ALWAYS" else ""))
                for name, kind, generated in self.fetchall(
                    "SELECT column_name, data_type, is_generated FROM information_schema.columns WHERE table_schema = "
                    "current_schema() AND table_name = ? ORDER BY ordinal_position", [table])]

    def append_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """COPY rows into one of the store's tables (those columns)."""
        statement = pg_sql.SQL("COPY {} ({}) FROM STDIN").format(
            pg_sql.Identifier(own_name(table, quoted=False)),
            pg_sql.SQL(", ").join(pg_sql.Identifier(own_name(c, quoted=False)) for c in columns))
        with self._errors(), self._con.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(_plain(row))

    def checkpoint(self) -> None:
        """Nothing to do: a committed transaction is durable on the server (its WAL), and CHECKPOINT needs a superuser."""

    def close(self) -> None:
        self._release(self._con)

    def _copy(self, statement: pg_sql.Composed, frame: pd.DataFrame) -> None:
        with self._con.cursor() as cur, cur.copy(statement) as copy:
            for row in _rows(frame):
                copy.write_row(row)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            mapped = _server_error(self.where, exc)
            if mapped is None:
                raise
            raise mapped from exc


class PostgresBackend:
    """backend.Backend for one PostgreSQL database (the schema named by the URL's search_path, else public)."""

    def __init__(self, url: str, *, lock_timeout: float = 10.0):
        self.url = url
        self.where = shown_url(url)
        self.lock_timeout = lock_timeout

    def exists(self) -> bool:
        """Whether the store's schema is there (its meta table): an empty database counts as missing."""
        con = self.connect(write=False)
        try:
            return bool(con.fetchall("SELECT to_regclass('meta') IS NOT NULL")[0][0])
        finally:
            con.close()

    def serialised(self) -> AbstractContextManager[object]:
        return nullcontext()  # the server serves many connections of one process at once

    def connect(self, *, write: bool) -> PostgresConnection:
        pool = pool_for(self.url)
        try:
            raw = pool.getconn()
        except psycopg_pool.PoolTimeout as exc:
            raise _unreachable(self.url, exc) from exc
        if not write:
            return PostgresConnection(raw, self.where, pool.putconn, write=False)
        try:
            # lock_timeout: no statement of a write waits for a table or row lock longer than a writer waits for the store
            raw.execute(f"SET lock_timeout = {int(self.lock_timeout * 1000):d}")
            held = raw.execute("SELECT pg_try_advisory_lock(%s, hashtext(current_schema()))", [LOCK_CLASS]).fetchone()
        except psycopg.Error as exc:
            pool.putconn(raw)
            raise _server_error(self.where, exc) or exc from exc
        if not held or not held[0]:
            pool.putconn(raw)
            raise DatabaseBusy(f"{self.where}: another session holds the store's write lock")

        def release(con: psycopg.Connection) -> None:
            try:
                con.execute("SELECT pg_advisory_unlock(%s, hashtext(current_schema()))", [LOCK_CLASS])
                con.execute("RESET lock_timeout")
            except psycopg.Error:
                con.close()  # a connection whose lock state is unknown is not handed out again
            pool.putconn(con)

        return PostgresConnection(raw, self.where, release, write=True)

    # --- the portable backup and restore (store/crossing.py copies between the backends) -------------------------
    def copy_to(self, out: Path) -> dict[str, int]:
        """The portable backup: a new DuckDB file from one snapshot of this schema."""
        from indicators.store.crossing import backup_postgres  # crossing imports this module

        return backup_postgres(self, out)

    def stage_restore(self, backup: Path) -> Staged:
        """A backup file's rows in a new schema of this database (RESTORE_SCHEMA_PREFIX…), built and upgraded by the
        store's migrations in one transaction, waiting for `swap_in`."""
        from indicators.store import copying
        from indicators.store.crossing import from_duckdb_file

        staging = f"{RESTORE_SCHEMA_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self._admin(pg_sql.SQL("CREATE SCHEMA {}").format(pg_sql.Identifier(staging)).as_string(None))
        staged = PostgresBackend(self.with_schema(staging), lock_timeout=self.lock_timeout)
        source = copying.Source(backup.name, is_backup=True)
        try:
            with from_duckdb_file(backup, staged, source) as con:
                copied = copying.rebuild(con, source)
        except BaseException:
            self.discard(Path(staging))
            raise
        # lower case, at most 63 characters: a name search_path finds unquoted, as PostgreSQL folds and clips names
        stamp = f"{dt.datetime.now(dt.UTC).replace(tzinfo=None):%Y%m%d_%H%M%S}"
        keep_as = Path(f"{self.schema()[:30]}_before_restore_{stamp}")
        return Staged(Path(staging), staged, copied.counts, keep_as, copied.ignored, copied.cleaned)

    def swap_in(self, staged: Staged, *, keep_old: bool) -> Path | None:
        """The staged schema takes this one's name in one transaction (DDL is transactional on PostgreSQL); the
        replaced schema is renamed to `staged.keep_as` (keep_old) or dropped."""
        live, staging, keep = self.schema(), staged.path.name, staged.keep_as.name
        con = self.connect(write=False)
        try:
            with con.transaction():
                there = con.fetchall("SELECT COUNT(*) FROM pg_namespace WHERE nspname = ?", [live])[0][0]
                if there and keep_old:
                    con.execute(pg_sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                        pg_sql.Identifier(live), pg_sql.Identifier(keep)).as_string(None))
                elif there:
                    con.execute(pg_sql.SQL("DROP SCHEMA {} CASCADE").format(pg_sql.Identifier(live)).as_string(None))
                con.execute(pg_sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    pg_sql.Identifier(staging), pg_sql.Identifier(live)).as_string(None))
        finally:
            con.close()
        return staged.keep_as if keep_old else None

    def discard(self, path: Path) -> None:
        """A staged restore's schema, or a partial backup file."""
        if str(path) == path.name and path.name.startswith(RESTORE_SCHEMA_PREFIX):
            self._admin(pg_sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pg_sql.Identifier(path.name)).as_string(None))
        else:
            path.unlink(missing_ok=True)

    # --- naming the schema ----------------------------------------------------------------------------------------
    def schema(self) -> str:
        """The store's schema: the first of the URL's search_path (public unless the URL says otherwise)."""
        con = self.connect(write=False)
        try:
            found = con.fetchall("SELECT current_schema()")[0][0]
            if found is None:  # named but not created yet
                first = str(con.fetchall("SHOW search_path")[0][0]).split(",")[0].strip().strip('"')
                found = first if first and first != "$user" else "public"
            return str(found)
        finally:
            con.close()

    def with_schema(self, schema: str) -> str:
        """This database's connection string with `schema` as the search_path."""
        parts = psycopg.conninfo.conninfo_to_dict(self.url)
        parts["options"] = f"{parts.get('options') or ''} -c search_path={schema}".strip()
        return psycopg.conninfo.make_conninfo("", **parts)

    def _admin(self, statement: str) -> None:
        con = self.connect(write=False)
        try:
            con.execute(statement)
        finally:
            con.close()


def _unreachable(url: str, exc: BaseException) -> StoreError:
    where = shown_url(url)
    return StoreError(f"无法连接数据库服务器 {where}（{POOL_WAIT_SECONDS:g}秒内未连上）。请检查地址、用户名、密码和服务器是否在运行。",
                      f"Cannot connect to database server {where} (no connection within {POOL_WAIT_SECONDS:g} s). "
                      "Check the address, user, password and that the server is running.")


def _server_error(where: str, exc: psycopg.Error) -> Exception | None:
    """What a user is told for a server error they can act on; None for any other (a bug, raised as it is)."""
    detail = for_terminal(str(exc))[:MAX_SHOWN_DETAIL]
    if isinstance(exc, pg_errors.LockNotAvailable):
        return DatabaseBusy(detail)
    if isinstance(exc, pg_errors.DiskFull):
        return DiskFullError(f"数据库服务器 {where} 磁盘空间已满。本次操作未做任何更改。",
                             f"The database server {where} has no disk space left. Nothing was changed.")
    if isinstance(exc, pg_errors.ReadOnlySqlTransaction | pg_errors.InsufficientPrivilege):
        return ReadOnlyError(f"无法写入 {where}：服务器只读或没有写入权限（{detail}）。本次操作未做任何更改。",
                             f"Cannot write {where}: the server is read-only or this user may not write ({detail}). "
                             "Nothing was changed.")
    if isinstance(exc, pg_errors.UndefinedTable):
        return StoreError(f"数据库 {where} 中还没有本系统的数据表。请先运行 python -m indicators init 或启动看板以创建。",
                          f"Database {where} has no tables of this system yet. Run `python -m indicators init` or start "
                          "the dashboard first.")
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"与数据库服务器 {where} 的连接出错（{detail}）。本次操作未做任何更改，请重试。",
                          f"The connection to database server {where} failed ({detail}). Nothing was changed; retry.")
    return None


# --- DataFrames in and out ---------------------------------------------------------------------------------------
def _column(values: list[object], oid: int) -> pd.Series:
    """One result column with the dtype DuckDB's .df() gives its type."""
    has_null = any(v is None for v in values)
    if oid in INT32_OIDS:
        return pd.Series(values, dtype="Int32" if has_null else "int32")
    if oid in INT64_OIDS:
        return pd.Series(values, dtype="Int64" if has_null else "int64")
    if oid in FLOAT_OIDS:
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")  # type: ignore[arg-type]
    if oid in BOOL_OIDS:
        return pd.Series(values, dtype="boolean" if has_null else "bool")
    if oid in TIME_OIDS:
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[us]")
    return pd.Series(values) if values else pd.Series([], dtype=object)  # text: str, or object when all NULL (as DuckDB)


def _array(series: pd.Series) -> np.ndarray:
    """A frame column as fetchnumpy gives it: NULLs masked (numbers) or None (text)."""
    if isinstance(series.dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(series.dtype):
        return np.ma.masked_array(series.to_numpy(dtype="int64", na_value=0), mask=series.isna().to_numpy())
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_dtype(series.dtype):
        return series.to_numpy()
    values = np.array(series.to_numpy(dtype=object), dtype=object)  # a copy: pandas may hand out a read-only view
    values[pd.isna(values)] = None
    return values


def _sql_type(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE PRECISION"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "TIMESTAMP"
    return "TEXT"


def _rows(frame: pd.DataFrame) -> Iterator[tuple[object, ...]]:
    """The frame's rows as plain Python values, NULL for every missing one."""
    columns = [_plain_values(frame[c]) for c in frame.columns]
    return zip(*columns, strict=True) if columns else iter(())


def _plain_values(series: pd.Series) -> list[object]:
    missing = series.isna().to_numpy()
    values = series.to_numpy(dtype=object)
    return [None if gone else _plain_one(v) for v, gone in zip(values, missing, strict=True)]


def _plain_one(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _plain(params: Sequence[object]) -> list[object]:
    return [None if (v is not None and not isinstance(v, str | bytes | list | tuple) and pd.isna(v)) else _plain_one(v)
            for v in params]
