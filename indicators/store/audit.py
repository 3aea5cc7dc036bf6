"""The audit log: who did what, written by the one write path inside the transaction of the write it records.

Why a module: the row's shape, the clipping of hostile text and the reads of the log are one concern, used
by every write (transaction.py appends the row) and by the pages and the CLI that show the log. An import,
rollback or target change is either there together with its audit row, or neither is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from indicators.errors import InvalidArgument
from indicators.store.backend import Connection

if TYPE_CHECKING:
    from indicators.store.transaction import Database

MAX_AUDIT_TEXT = 500  # characters kept of any audit field (a hostile name must not bloat the log)


@dataclass(frozen=True)
class AuditRow:
    actor: str | None
    action: str
    subject: str | None = None
    file_name: str | None = None
    sha256: str | None = None
    detail: str | None = None


def insert_audit_row(con: Connection, row: AuditRow, occurred_at: dt.datetime) -> None:
    """Append one audit row on `con`, inside the caller's transaction (called by the write path only)."""
    con.execute(
        "INSERT INTO audit_log (audit_id, occurred_at, actor, action, subject, file_name, sha256, detail) "
        "VALUES (nextval('audit_id_seq'), ?, ?, ?, ?, ?, ?, ?)",
        [occurred_at, _clip(row.actor) or "unknown", row.action, _clip(row.subject), _clip(row.file_name),
         _clip(row.sha256), _clip(row.detail)],
    )


def record_audit(db: Database, actor: str, action: str, *, subject: str | None = None, file_name: str | None = None,
                 sha256: str | None = None, detail: str | None = None) -> None:
    """One audit row for an event that writes nothing else here (a login, a refused upload, a user change)."""
    with db.write(actor, action, subject=subject, file_name=file_name, sha256=sha256, detail=detail):
        pass


def audit_log(db: Database, limit: int | None = None) -> pd.DataFrame:
    """The audit log, newest first."""
    sql = "SELECT audit_id, occurred_at, actor, action, subject, file_name, sha256, detail FROM audit_log ORDER BY audit_id DESC"
    if limit is not None:
        if limit < 1:
            raise InvalidArgument(f"行数应不小于1，而不是 {limit}。/ The number of rows must be at least 1, not {limit}.")
        return db.query(sql + " LIMIT ?", [int(limit)])
    return db.query(sql)


def _clip(text: object) -> str | None:
    if text is None:
        return None
    value = str(text)
    return value if len(value) <= MAX_AUDIT_TEXT else value[: MAX_AUDIT_TEXT - 1] + "…"
