"""The seam between the store and a database engine: what a backend must offer, and nothing more.

The store's modules (schema, observations, audit, overrides, backup) write portable SQL (standard types,
window functions, `?` parameters, `nextval('<sequence>')`) against a `Connection`; everything particular to
one engine sits behind these two protocols: how to connect (read-only or for writing), how a lock held by
another process is recognised (the backend raises DatabaseBusy for one failed attempt; the store's one
lock-retry loop waits), how a DataFrame is made readable by SQL or appended in bulk, how results come back
as a DataFrame or numpy arrays, and how a consistent copy is taken and swapped in for backups. Modelled on
harlequin's HarlequinAdapter / HarlequinConnection: the store's callers never know which database they talk
to, and tests/test_store.py runs against every backend listed in tests/conftest.py.

Today's backend is duckdb_backend.DuckDBBackend; a PostgreSQL backend is a new module implementing these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class Connection(Protocol):
    """One open connection. SQL uses `?` placeholders; a backend whose driver wants another style translates."""

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run one statement, discarding any result."""

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement once per row of parameters."""

    def fetchall(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """Run one statement (a query, or a write with RETURNING) and return all its rows."""

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run a query and return its rows as a DataFrame (timestamps naive, as stored)."""

    def arrays(self, sql: str, params: Sequence[object] = ()) -> Mapping[str, np.ndarray]:
        """Run a query and return one numpy array per column (a NULL may come back masked, numpy.ma, or as None)."""

    def staged(self, name: str, frame: pd.DataFrame) -> AbstractContextManager[None]:
        """Make `frame` readable as the table `name` by this connection's SQL for the length of the block."""

    def insert_frame(self, table: str, frame: pd.DataFrame, *, id_column: str, sequence: str) -> None:
        """Append every row of `frame` to `table` (same column names), numbering `id_column` from `sequence` in the
        frame's row order (the store relies on a later row of a batch having the larger id)."""

    def transaction(self) -> AbstractContextManager[None]:
        """Begin a transaction; commit when the block ends, roll back on any exception. The only way the store
        opens a transaction."""

    def checkpoint(self) -> None:
        """Make the database's main storage complete on its own (DuckDB: fold the write-ahead log into the file)."""

    def close(self) -> None: ...


@runtime_checkable
class CopyConnection(Connection, Protocol):
    """A connection writing a new database, with another database (the copy's source) readable beside it: a backup
    file being restored, or the live database being backed up. Nothing of the source is addressed by a name read
    from it: the store passes its own table and column names, and the backend quotes them by its driver's rules.
    A backend opens it with the source read-only and every other file out of reach (DuckDB: external access off,
    configuration locked) before anything of the source is read."""

    def objects(self, *, source: bool = False) -> set[tuple[str, str, str]]:
        """Every object of the new database (or the source): (kind, schema, name), kind one of table, view,
        macro, sequence, type, index, schema. Schemas and the default schema are named as the backend names them."""

    def columns(self, table: str, *, source: bool = False) -> list[tuple[str, str]] | None:
        """(name, type) of each column of the base table `table` in the default schema, in order; None when there is
        no base table of that name there (a view is not one). A generated column's type says so."""

    def source_rows(self, table: str, columns: Sequence[str]) -> list[tuple]:
        """The source's rows of `table` (those columns only)."""

    def copy_rows(self, table: str, columns: Sequence[str]) -> None:
        """Append the source's rows of `table` (those columns) to the new database's table of that name."""

    def count(self, table: str, *, source: bool = False) -> int:
        """Rows of `table` in the new database (or the source)."""


@dataclass(frozen=True)
class Staged:
    """A restore's copy of a backup, built beside the database and checked, waiting for `Backend.swap_in`."""

    path: Path
    backend: Backend  # the copy, for the checks and its audit row before it is swapped in
    counts: dict[str, int]  # rows copied per table
    keep_as: Path  # where the replaced database is kept if the swap keeps it
    ignored: dict[str, int] = field(default_factory=dict)  # objects of the file not restored, per kind
    cleaned: int = 0  # text cells that lost control or bidi characters on the way in


@runtime_checkable
class Backend(Protocol):
    """One database: connecting to it, and copying it for backups. Backup files are DuckDB files whichever
    backend holds the data (see backup.py)."""

    def exists(self) -> bool:
        """Whether the database has been created (a missing database counts as empty)."""

    def serialised(self) -> AbstractContextManager[object]:
        """Held around every store operation in this process (DuckDB refuses a read-only and a read-write
        connection to one file in one process); a backend without that limit may hand out a no-op."""

    def connect(self, *, write: bool) -> Connection:
        """One attempt to connect, for reading or for writing (writing takes the database's write lock).

        Raises DatabaseBusy when another process holds the database (the store waits and tries again) and
        StoreError when the database is missing (reading) or cannot be opened."""

    def copy_to(self, out: Path) -> dict[str, int]:
        """One attempt to write a consistent snapshot of the database to the new file `out` while others keep
        reading: a database built by the store's migrations holding the rows of the store's tables
        (store.copying.copy_snapshot over a CopyConnection); returns the row count of every table (checked against
        the source). Raises DatabaseBusy like `connect`."""

    def stage_restore(self, backup: Path) -> Staged:
        """Build a new database beside this one from the backup file's rows (store.copying.rebuild over a
        CopyConnection), upgraded to the current schema, ready for the checks and `swap_in`. Raises StoreError
        (nothing left behind) when the file is not a usable backup."""

    def swap_in(self, staged: Staged, *, keep_old: bool) -> Path | None:
        """Replace the database with a staged copy in one atomic step; with `keep_old`, keep the replaced
        database as `staged.keep_as` and return that. Called while holding the write lock when a database exists;
        when none exists, never replaces one created meanwhile."""

    def discard(self, path: Path) -> None:
        """Remove a copy (a partial backup, a staged restore) and anything the engine keeps beside it."""
