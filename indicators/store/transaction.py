"""How the store reaches its database: short-lived read connections, and the one write path.

Why one module: the lock, the transaction, the data-version bump and the audit row of every write live in
one place (datasette's `execute_write_fn` is the model), and so does the lock-retry loop, so no write can
forget its audit row and no caller hand-writes BEGIN / COMMIT / ROLLBACK. Every write of the store —
migrating, a batch, a rollback, removing demo data, an audit row alone, a target, the swap of a restore —
is a `with db.write(...) as tx:` block.

Connections are short-lived. DuckDB lets one process write a file at a time, so the dashboard never holds
the file open between operations; a second writer waits up to `lock_timeout` seconds and then gets
StoreBusyError saying what to do. On PostgreSQL the write lock is an advisory lock of the server
(postgres_backend.py), waited for by the same loop with the same message.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import pandas as pd

from indicators import settings
from indicators.store.audit import AuditRow, insert_audit_row
from indicators.store.backend import Backend, Connection
from indicators.store.errors import DatabaseBusy, StoreBusyError
from indicators.store.schema import DATA_VERSION_KEY, set_meta
from indicators.vocabulary import AUDIT_ACTIONS

LOCK_RETRY_INTERVAL = 0.1  # seconds between attempts to take the database's lock
PAUSE_SECONDS = 600.0  # how long a paused writer waits for the test to kill it

T = TypeVar("T")

# What a user is told when the database stayed busy for the whole lock timeout ({path}, {timeout}).
BUSY_MESSAGE = (
    "数据库 {path} 正被另一个程序写入（可能是另一个导入或旧版看板进程），已等待{timeout:g}秒。本次操作未做任何更改。"
    "请稍后重试，或在看板的“数据管理”页导入。",
    "Database {path} is held by another process (another import or dashboard); waited {timeout:g} s. Nothing was "
    "changed. Retry shortly, or import from the dashboard's data page.",
)
BACKUP_BUSY_MESSAGE = (  # a backup (or restore) waiting: importing from the dashboard would not help
    "数据库 {path} 正被另一个程序写入，已等待{timeout:g}秒。本次操作未做任何更改。请稍后重试。",
    "Database {path} is held by another process; waited {timeout:g} s. Nothing was changed. Retry shortly.",
)


@dataclass
class Tx:
    """The write in progress: its connection, and the audit row it will commit with."""

    con: Connection
    entry: AuditRow | None

    def audit(self, *, subject: str | None = None, file_name: str | None = None, sha256: str | None = None,
              detail: str | None = None) -> None:
        """Fill in audit fields known only after writing (a batch id, a row count); None leaves a field as it is."""
        if self.entry is None:
            raise ValueError("this write has no audit row")
        given = {"subject": subject, "file_name": file_name, "sha256": sha256, "detail": detail}
        self.entry = replace(self.entry, **{k: v for k, v in given.items() if v is not None})


class Database:
    """One database behind a backend, with the lock timeout every connection waits up to."""

    def __init__(self, backend: Backend, where: Path | str, lock_timeout: float):
        self.backend = backend
        self.where = where  # named in messages
        self.lock_timeout = lock_timeout

    # --- the lock-retry loop (the only one) ---------------------------------------------------------------
    def wait_for(self, attempt: Callable[[], T], busy: tuple[str, str] = BUSY_MESSAGE) -> T:
        """`attempt()`, tried again every LOCK_RETRY_INTERVAL while the backend reports the database busy, until
        lock_timeout has passed; then StoreBusyError with `busy` (a message pair formatted with path and timeout)."""
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                return attempt()
            except DatabaseBusy as exc:
                if time.monotonic() >= deadline:
                    zh, en = (text.format(path=self.where, timeout=self.lock_timeout) for text in busy)
                    raise StoreBusyError(zh, en) from exc
                time.sleep(LOCK_RETRY_INTERVAL)

    # --- reads --------------------------------------------------------------------------------------------
    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection for the length of the block, under the process lock (writing: also the write lock)."""
        with self.backend.serialised():
            con = self.wait_for(lambda: self.backend.connect(write=write))
            try:
                yield con
            finally:
                con.close()

    def query(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        with self.connection() as con:
            return con.frame(sql, params)

    # --- the one write path -------------------------------------------------------------------------------
    @contextmanager
    def write(self, actor: str | None = None, action: str | None = None, *, subject: str | None = None,
              file_name: str | None = None, sha256: str | None = None, detail: str | None = None,
              bump_version: bool = False, transaction: bool = True) -> Iterator[Tx]:
        """Take the process lock and the database's write lock (waiting as `wait_for` does), begin a transaction,
        let the block write on `tx.con`, then give the data a new version (`bump_version`: the write can change
        current values), append the audit row (when `action` is given; `tx.audit(...)` fills in what the block
        learnt) and commit. Any exception rolls back all of it, audit row included.

        `transaction=False` is for what cannot run in a transaction (the file swap of a restore): the locks only,
        so no version bump and no audit row.
        """
        if action is not None and action not in AUDIT_ACTIONS:
            raise ValueError(f"unknown audit action {action}")
        if not transaction and (action is not None or bump_version):
            raise ValueError("an audit row or a version bump needs a transaction")
        entry = None if action is None else AuditRow(actor, action, subject, file_name, sha256, detail)
        with self.connection(write=True) as con:
            tx = Tx(con, entry)
            if not transaction:
                yield tx
                return
            with con.transaction():
                yield tx
                if bump_version:
                    set_meta(con, DATA_VERSION_KEY, uuid.uuid4().hex)
                if tx.entry is not None:
                    insert_audit_row(con, tx.entry, now())
                pause_point("before-commit")
            pause_point("after-commit")


def now() -> dt.datetime:
    """The time every write records: UTC, without a zone (the columns are TIMESTAMP)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def pause_point(name: str) -> None:
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
