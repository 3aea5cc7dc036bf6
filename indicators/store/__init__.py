"""The store: the ONLY owner of the database. `Store` is its face; the rooms behind it:

- schema.py        migrations (MIGRATIONS, SCHEMA_VERSION), the meta table, the catalogue mirror
- transaction.py   read connections and the one write path (`Database.write`): the process lock, the
                   database's write lock with the one lock-retry loop, the transaction, the data-version
                   bump, the audit row, commit or roll back all of it
- observations.py  reads, compare, write_batch, rollback, removing demo data (append-only history)
- audit.py         the audit row and the log
- overrides.py     targets an administrator enters
- login_sessions.py password logins that last beyond one tab (hashes of tokens only), revoked on logout or reset
- published_plans.py  plans published from the dashboard: every version and withdrawal kept
- backup.py        backup, inspection and restore of backup files; copying.py the rules of copying our tables
                   out of (into) a file: our migrations, our names, never the file's objects
- backend.py       the protocol a database engine implements; duckdb_backend.py (the embedded default, the only
                   module that imports duckdb) and postgres_backend.py (a postgresql:// URL, the only module
                   that imports psycopg)

See README "数据存储 / Storage". SQL outside the backends stays portable (standard types, window functions,
sequences, `?` parameters); postgres_backend.py translates what PostgreSQL spells otherwise.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from indicators import settings
from indicators.accounts.sessions import StoredSession
from indicators.catalogue import Catalogue
from indicators.settings import DEFAULT_DB
from indicators.store import audit, login_sessions, observations, overrides, published_plans, schema
from indicators.store import backup as backups
from indicators.store.audit import MAX_AUDIT_TEXT
from indicators.store.backend import Backend
from indicators.store.backup import Restored
from indicators.store.duckdb_backend import DuckDBBackend
from indicators.store.errors import DiskFullError, ReadOnlyError, StoreBusyError, StoreError
from indicators.store.observations import BatchInfo, BatchResult, Comparison
from indicators.store.published_plans import StoredPlan
from indicators.store.schema import MIGRATIONS, SCHEMA_VERSION
from indicators.store.transaction import Database

# Re-exported for modules that still import these words from the store; their home is indicators.vocabulary.
from indicators.vocabulary import AUDIT_ACTIONS, BATCH_KINDS, DEMO_SOURCE_MARK, OBSERVATION_COLUMNS
from indicators.vocabulary import DATA_STATUSES as STATUSES

__all__ = [
    "AUDIT_ACTIONS", "BATCH_KINDS", "DEFAULT_DB", "DEMO_SOURCE_MARK", "MAX_AUDIT_TEXT", "MIGRATIONS",
    "OBSERVATION_COLUMNS", "SCHEMA_VERSION", "STATUSES", "BatchInfo", "BatchResult", "Comparison", "DiskFullError", "ReadOnlyError",
    "Restored", "Store", "StoreBusyError", "StoreError", "StoredPlan", "resolve_db_path", "sha256_of",
]


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path | str:
    """--db wins, then $GTM_DB, then data/gtm.duckdb: a DuckDB file's path, or a PostgreSQL URL (a str, as given)."""
    location = cli_value or settings.db_location()
    if not location:
        return DEFAULT_DB
    return str(location) if settings.is_server_url(location) else Path(location)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    """All reads and writes of one database: a DuckDB file, or a PostgreSQL database named by a postgresql:// URL
    (unless another backend is given).

    `path` is the DuckDB file (for a server database, a Path of nothing: `on_server` says so); `where` is how
    messages name the database (a URL without its password)."""

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float | None = None, *, backend: Backend | None = None):
        self.lock_timeout = lock_timeout if lock_timeout is not None else settings.lock_timeout()
        self.on_server = settings.is_server_url(path)
        if self.on_server:
            from indicators.store.postgres_backend import PostgresBackend  # psycopg is loaded only when asked for

            server = PostgresBackend(str(path), lock_timeout=self.lock_timeout)
            self.path = Path()
            self.where: Path | str = server.where
            chosen: Backend = backend if backend is not None else server
        else:
            self.path = Path(path)
            self.where = self.path
            chosen = backend if backend is not None else DuckDBBackend(self.path)
        self._db = Database(chosen, self.where, self.lock_timeout)

    # --- schema ---------------------------------------------------------------------------------------------
    def initialise(self, catalogue: Catalogue) -> None:
        """Create or migrate the schema and mirror the catalogue; idempotent and cheap when current."""
        schema.initialise(self._db, catalogue)

    def meta(self, key: str) -> str | None:
        return schema.meta(self._db, key)

    # --- observations ---------------------------------------------------------------------------------------
    def data_version(self) -> str | None:
        """A value that changes with every write that can change a figure (cheap: one meta row)."""
        return self.meta(schema.DATA_VERSION_KEY)

    def current_observations(self, *, as_of: int | None = None, regions: Sequence[str] | None = None,
                             indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """The latest value of every (region, indicator, year, month), optionally filtered."""
        return observations.current_observations(self._db, as_of=as_of, regions=regions, indicators=indicators)

    def observation_history(self, region_id: str, indicator_id: str, year: int | None = None) -> pd.DataFrame:
        """Every value ever recorded for a series (or one year), newest first, with its batch."""
        return observations.observation_history(self._db, region_id, indicator_id, year)

    def active_observation_log(self) -> pd.DataFrame:
        """Every row of every batch not rolled back, oldest first, with its batch's time and file."""
        return observations.active_observation_log(self._db)

    def batches(self) -> pd.DataFrame:
        return observations.batches(self._db)

    def batch_rows(self, batch_id: int) -> pd.DataFrame:
        """The rows one batch wrote, each with change (new / changed) and the old value it replaced."""
        return observations.batch_rows(self._db, batch_id)

    def batch_row_counts(self) -> pd.DataFrame:
        """Per batch: rows recorded as written and rows present (an integrity check)."""
        return observations.batch_row_counts(self._db)

    def observation_count(self) -> int:
        return observations.observation_count(self._db)

    def has_demo_data(self) -> bool:
        """True while any demo batch is still active (drives the 示例数据 banner)."""
        return observations.has_demo_data(self._db)

    def compare(self, rows: pd.DataFrame) -> Comparison:
        """Incoming rows marked new / changed / unchanged, with the data version they were compared with."""
        return observations.compare(self._db, rows)

    def write_batch(self, info: BatchInfo, rows: pd.DataFrame, *, compared: Comparison | None = None) -> BatchResult:
        """Record one batch atomically (its rows and its audit row, or nothing); `compared` reuses a preview's comparison."""
        return observations.write_batch(self._db, info, rows, compared=compared)

    def rollback_batch(self, batch_id: int, by: str) -> int:
        """Withdraw a batch: its rows stay in history, the current view falls back to earlier values."""
        return observations.rollback_batch(self._db, batch_id, by)

    def reapply_batch(self, batch_id: int, by: str) -> BatchResult:
        """Write a rolled-back batch's rows again as a new batch (audited "reapply"); the old one stays rolled back."""
        return observations.reapply_batch(self._db, batch_id, by)

    def remove_demo(self, actor: str = "cli") -> int:
        """Delete demo batches and their rows outright."""
        return observations.remove_demo(self._db, actor)

    def mark_demo_seeded(self) -> None:
        """Remember that demo data was offered once, so removing it is final."""
        observations.mark_demo_seeded(self._db)

    # --- audit log ------------------------------------------------------------------------------------------
    def record_audit(self, actor: str, action: str, *, subject: str | None = None, file_name: str | None = None,
                     sha256: str | None = None, detail: str | None = None) -> None:
        """One audit row for an event that writes nothing else here (a login, a refused upload, a user change)."""
        audit.record_audit(self._db, actor, action, subject=subject, file_name=file_name, sha256=sha256, detail=detail)

    def audit_log(self, limit: int | None = None) -> pd.DataFrame:
        """The audit log, newest first."""
        return audit.audit_log(self._db, limit)

    # --- login sessions (indicators/accounts/sessions.py has the rules) --------------------------------------
    def start_login_session(self, session_id: str, user_name: str, fingerprint: str, ticket_hash: str | None,
                            ticket_seconds: float, client_address: str) -> None:
        """Record a password login (audited `login`) and the session it starts."""
        login_sessions.start(self._db, session_id, user_name, fingerprint, ticket_hash, ticket_seconds, client_address)

    def redeem_login_ticket(self, ticket_hash: str, token_hash: str, client_address: str) -> StoredSession | None:
        """Trade a one-time ticket for the cookie token's hash, once (audited `session_start`); None if refused."""
        return login_sessions.redeem_ticket(self._db, ticket_hash, token_hash, client_address)

    def login_session(self, *, token_hash: str | None = None, session_id: str | None = None) -> StoredSession | None:
        """The session with that cookie token hash (or that id), revoked ones too; None when there is none."""
        if token_hash is not None:
            return login_sessions.by_token(self._db, token_hash)
        return login_sessions.by_id(self._db, session_id) if session_id is not None else None

    def touch_login_session(self, session_id: str) -> None:
        """The session was used now (no audit row, no new data version: call at most every few minutes)."""
        login_sessions.touch(self._db, session_id)

    def revoke_login_session(self, session_id: str, *, by: str, reason: str, action: str = "session_revoked",
                             client_address: str | None = None) -> bool:
        """End one session, audited once as `action`; False when it had already ended."""
        return login_sessions.revoke(self._db, session_id, by=by, reason=reason, action=action,
                                     client_address=client_address)

    def revoke_user_sessions(self, user_name: str, *, by: str, reason: str) -> int:
        """End every open session of a user (audited `session_revoked` when there was one); how many ended."""
        return login_sessions.revoke_user(self._db, user_name, by=by, reason=reason)

    def open_login_sessions(self, user_name: str) -> int:
        return login_sessions.open_sessions(self._db, user_name)

    # --- targets an administrator enters --------------------------------------------------------------------
    def target_overrides(self) -> dict[tuple[str, str], float]:
        """(plan id, indicator id) → the value an administrator entered last (cleared ones left out)."""
        return overrides.target_overrides(self._db)

    def target_override_history(self) -> pd.DataFrame:
        """Every target value an administrator entered or cleared, newest first, with who and when."""
        return overrides.target_override_history(self._db)

    def set_target_override(self, plan_id: str, indicator_id: str, value: float | None, actor: str, note: str | None = None) -> None:
        """Record a target value (None clears it) and its audit row in one transaction."""
        overrides.set_target_override(self._db, plan_id, indicator_id, value, actor, note)

    # --- plans published from the dashboard ------------------------------------------------------------------
    def published_plans(self) -> list[StoredPlan]:
        """The current version of every published plan (latest not withdrawn), as stored."""
        return published_plans.current_plans(self._db)

    def published_plan_history(self, plan_id: str | None = None) -> pd.DataFrame:
        """Every version of the published plans (or one), newest first, with who published and withdrew it."""
        return published_plans.plan_history(self._db, plan_id)

    def publish_plan(self, plan_id: str, document: str, source_text: str, actor: str, *, target_count: int,
                     note: str | None = None) -> int:
        """Append a new version of a plan the domain has checked (indicators/plans/published.py); returns its number."""
        return published_plans.publish_plan(self._db, plan_id, document, source_text, actor, target_count=target_count, note=note)

    def withdraw_plan(self, plan_id: str, actor: str, note: str | None = None) -> int:
        """Withdraw every version of a published plan (kept in history, audited); returns how many."""
        return published_plans.withdraw_plan(self._db, plan_id, actor, note)

    # --- backup and restore ---------------------------------------------------------------------------------
    def backup_to(self, out: Path) -> dict[str, int]:
        """Write a consistent snapshot to `out` while others keep reading; returns table row counts."""
        return backups.backup_to(self._db, out)

    @staticmethod
    def inspect_backup(backup: Path) -> dict[str, int]:
        """Table row counts of a backup file, after checking it is a database this version can use."""
        return backups.inspect_backup(backup)

    def restore_from(self, backup: Path, *, force: bool = False, actor: str = "cli", sha256: str | None = None,
                     catalogue: Catalogue | None = None, check: Callable[[Store], object] | None = None) -> Restored:
        """Replace the database with a backup, atomically, after the copy was upgraded and checked (`check` runs on a
        Store over the copy, e.g. a status run); says where a replaced database was kept. A refusal is audited."""
        on_copy = None if check is None else (lambda copy: check(Store(copy.where, copy.lock_timeout, backend=copy.backend)))
        return backups.restore_from(self._db, backup, force=force, actor=actor, sha256=sha256, catalogue=catalogue, check=on_copy)
