"""Copies between the two backends: the portable backup of a PostgreSQL store (a DuckDB file), a restore of a backup
file into PostgreSQL, and `python -m loaders migrate --to postgresql://…` (a DuckDB database into PostgreSQL).

Why a module: copying.py's rules (our migrations, our names, our tables' columns checked, nothing of the source run)
are written against one backend.CopyConnection. Here that connection writes one backend and reads the other: the
new database's side is an ordinary connection of its backend, the source's side answers `objects`, `columns`,
`source_rows` and `count` from its own catalogue, with PostgreSQL's types and schema named as DuckDB names them so
the checks compare like with like. A DuckDB side is a duckdb_backend.DuckDBCopy (its file attached, external
access off); a PostgreSQL side reads in one REPEATABLE READ snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.store import copying
from indicators.store.duckdb_backend import BACKUP_FAILED, RESTORE_FAILED, DuckDBCopy, copying_connection
from indicators.store.postgres_backend import PostgresBackend, PostgresConnection
from indicators.store.schema import own_name

STAGED_ROWS = "crossing_rows"  # the name a batch of copied rows is staged under on the DuckDB side


class _Delegating:
    """backend.Connection methods of the new database's connection."""

    def __init__(self, target: PostgresConnection | DuckDBCopy):
        self._target = target

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        self._target.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self._target.executemany(sql, rows)

    def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self._target.fetchall(sql, params)

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self._target.frame(sql, params)

    def arrays(self, sql: str, params: Sequence[object] = ()) -> Mapping[str, np.ndarray]:
        return self._target.arrays(sql, params)

    def staged(self, name: str, frame: pd.DataFrame) -> AbstractContextManager[None]:
        return self._target.staged(name, frame)

    def insert_frame(self, table: str, frame: pd.DataFrame, *, id_column: str, sequence: str) -> None:
        self._target.insert_frame(table, frame, id_column=id_column, sequence=sequence)

    def transaction(self) -> AbstractContextManager[None]:
        return self._target.transaction()

    def checkpoint(self) -> None:
        self._target.checkpoint()

    def close(self) -> None:
        self._target.close()


class IntoPostgres(_Delegating):
    """A CopyConnection writing a PostgreSQL schema from a DuckDB file (attached read-only to `duck`)."""

    def __init__(self, target: PostgresConnection, duck: DuckDBCopy):
        super().__init__(target)
        self._pg = target
        self._duck = duck

    def objects(self, *, source: bool = False) -> set[tuple[str, str, str]]:
        return self._duck.objects(source=True) if source else self._pg.objects()

    def columns(self, table: str, *, source: bool = False) -> list[tuple[str, str]] | None:
        return self._duck.columns(table, source=True) if source else self._pg.columns(table)

    def source_rows(self, table: str, columns: Sequence[str]) -> list[tuple]:
        return self._duck.source_rows(table, columns)

    def copy_rows(self, table: str, columns: Sequence[str]) -> None:
        self._pg.append_rows(table, columns, self._duck.source_rows(table, columns))

    def count(self, table: str, *, source: bool = False) -> int:
        if source:
            return self._duck.count(table, source=True)
        return int(self._pg.fetchall(f"SELECT COUNT(*) FROM {own_name(table)}")[0][0])


class IntoDuckDB(_Delegating):
    """A CopyConnection writing a new DuckDB file (attached to `duck` as its target) from a PostgreSQL schema."""

    def __init__(self, duck: DuckDBCopy, source: PostgresConnection):
        super().__init__(duck)
        self._duck = duck
        self._pg = source

    def objects(self, *, source: bool = False) -> set[tuple[str, str, str]]:
        return self._pg.objects() if source else self._duck.objects()

    def columns(self, table: str, *, source: bool = False) -> list[tuple[str, str]] | None:
        return self._pg.columns(table) if source else self._duck.columns(table)

    def source_rows(self, table: str, columns: Sequence[str]) -> list[tuple]:
        return self._pg.fetchall(f"SELECT {_names(columns)} FROM {own_name(table)}")

    def copy_rows(self, table: str, columns: Sequence[str]) -> None:
        rows = self.source_rows(table, columns)
        if not rows:
            return
        # object columns: DuckDB takes each value as it came (a date a date, an int an int) and casts on insert
        frame = pd.DataFrame({c: pd.Series([row[i] for row in rows], dtype=object) for i, c in enumerate(columns)})
        with self._duck.staged(STAGED_ROWS, frame):
            self._duck.execute(f"INSERT INTO {own_name(table)} ({_names(columns)}) SELECT {_names(columns)} FROM {STAGED_ROWS}")

    def count(self, table: str, *, source: bool = False) -> int:
        if source:
            return int(self._pg.fetchall(f"SELECT COUNT(*) FROM {own_name(table)}")[0][0])
        return self._duck.count(table)


def backup_postgres(backend: PostgresBackend, out: Path) -> dict[str, int]:
    """The portable backup of a PostgreSQL store: a new DuckDB file `out` from one snapshot of its schema."""
    source = copying.Source(backend.where, is_backup=False)
    pg = backend.connect(write=False)
    try:
        with pg.transaction(), copying_connection(None, out, source, failed=BACKUP_FAILED) as duck, duck.transaction():
            return copying.copy_snapshot(IntoDuckDB(duck, pg), source).counts
    finally:
        pg.close()


@contextmanager
def from_duckdb_file(path: Path, target: PostgresBackend, source: copying.Source) -> Iterator[IntoPostgres]:
    """A CopyConnection writing `target` (its write lock held, one transaction) from the DuckDB file `path`."""
    pg = target.connect(write=True)
    try:
        with copying_connection(path, None, source, failed=RESTORE_FAILED) as duck, pg.transaction():
            yield IntoPostgres(pg, duck)
    finally:
        pg.close()


def _names(columns: Sequence[str]) -> str:
    return ", ".join(own_name(column) for column in columns)
