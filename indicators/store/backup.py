"""Backups and restores of the database: the rules, apart from the mechanics a backend supplies.

Why a module: what makes a backup trustworthy and what a restore may replace holds whichever backend stores the
data. A backup is a consistent snapshot taken while the dashboard keeps reading, written to a temporary name and
renamed into place, so it is complete or absent. A restore may replace an empty database, or with `force` any
(the old one kept aside). A backup file is data, never code (copying.py): a restore builds a new database from
its rows with our own migrations. That copy is upgraded and checked before it replaces anything: schema version,
views, a status run. Its audit row and its new data version go in with it. The swap happens holding the write
lock, and "the database holds data" is decided there too, so no other process is mid-write on the file being
replaced. A refused restore changes nothing but the one audit row that records it. Backup files are DuckDB files
(duckdb_backend reads them). loaders/backup.py is the command line over these.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from indicators.catalogue import Catalogue
from indicators.store import audit, schema
from indicators.store.duckdb_backend import inspect_file
from indicators.store.errors import StoreBusyError, StoreError
from indicators.store.schema import SCHEMA_VERSION, holds_batches
from indicators.store.transaction import BACKUP_BUSY_MESSAGE, Database

if TYPE_CHECKING:
    from indicators.store.backend import Staged

log = logging.getLogger("gtm")

NOT_EMPTY_MESSAGE = (
    "数据库 {where} 已有数据，未做任何更改。确认要用备份覆盖它，请加 --force（原数据库会另存一份）。",
    "Database {where} is not empty; nothing was changed. Add --force to replace it (the old file is kept aside).",
)


@dataclass(frozen=True)
class Restored:
    counts: dict[str, int]  # rows restored per table
    kept: Path | None  # where the replaced database was kept (restore --force over data)
    ignored: dict[str, int]  # objects of the file not restored, per kind (view, macro, …)
    cleaned: int = 0  # text cells that lost control or bidi characters


def is_empty(db: Database) -> bool:
    """True when the database is missing or holds no batch (so a restore may replace it without --force)."""
    if not db.backend.exists():
        return True
    with db.connection() as con:
        return not holds_batches(con)


def backup_to(db: Database, out: Path) -> dict[str, int]:
    """Write a consistent snapshot of the database to `out` (a DuckDB file); returns table row counts.

    Readers carry on while this runs; a writer that holds the database makes this wait (up to lock_timeout)
    like any other operation. The copy is written to a temporary name beside `out` and renamed into place.
    """
    backend = db.backend
    if not backend.exists():
        raise StoreError(f"数据库文件不存在：{db.where}。", f"Database file not found: {db.where}.")
    out = Path(out)
    check_backup_path(out)
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    backend.discard(partial)
    try:
        with backend.serialised():
            counts = db.wait_for(lambda: backend.copy_to(partial), BACKUP_BUSY_MESSAGE)
        os.replace(partial, out)
    finally:
        backend.discard(partial)
    return counts


def check_backup_path(out: Path) -> None:
    """A backup is written into an existing folder, never over one (nothing is created to make room for it)."""
    if out.is_dir():
        raise StoreError(f"{out} 是一个文件夹，不能作为备份文件。未做任何更改。请给出文件名，例如 {out / 'gtm-backup.duckdb'}。",
                         f"{out} is a folder, not a backup file. Nothing was changed. Name a file, e.g. {out / 'gtm-backup.duckdb'}.")
    if not out.parent.is_dir():
        raise StoreError(f"备份文件所在的文件夹不存在：{out.parent}。未做任何更改。请先创建该文件夹。",
                         f"The folder for the backup does not exist: {out.parent}. Nothing was changed. Create it first.")


def inspect_backup(backup: Path) -> dict[str, int]:
    """Table row counts of a backup file, after checking it is a database this version can restore (a dry run)."""
    backup = Path(backup)
    _require_file(backup)
    return inspect_file(backup).counts


def restore_from(db: Database, backup: Path, *, force: bool = False, actor: str = "cli", sha256: str | None = None,
                 catalogue: Catalogue | None = None, check: Callable[[Database], object] | None = None) -> Restored:
    """Replace the database with a backup, atomically; a refusal is audited (when there is a database to hold the row).

    Refuses a non-empty database unless `force`; with `force` the previous database is kept aside (DuckDB:
    <name>.before-restore-<time>.duckdb beside it). The copy is built, upgraded, given the `catalogue`'s mirror,
    checked (schema version, views, then `check` on it, e.g. a status run) and given its audit row before the swap.
    """
    backup = Path(backup)
    try:
        return _restore(db, backup, force=force, actor=actor, sha256=sha256, catalogue=catalogue, check=check)
    except StoreBusyError:
        raise  # nothing was tried; an audit row would wait for the same lock
    except StoreError as refusal:
        _audit_refusal(db, actor, backup, sha256, refusal)
        raise


def _restore(db: Database, backup: Path, *, force: bool, actor: str, sha256: str | None, catalogue: Catalogue | None,
             check: Callable[[Database], object] | None) -> Restored:
    _require_file(backup)
    if not force and not is_empty(db):  # said at once; decided again under the write lock below
        raise _not_empty(db)
    backend = db.backend
    with backend.serialised():
        staged = backend.stage_restore(backup)
        try:
            copy = Database(staged.backend, staged.path, db.lock_timeout)
            _check_copy(copy, catalogue, check)
            if not backend.exists():
                _finish_copy(copy, staged, actor, backup, sha256, None)
                return Restored(staged.counts, backend.swap_in(staged, keep_old=False), staged.ignored, staged.cleaned)
            with db.write(transaction=False) as tx:  # the write lock: no other process is mid-write on the old file
                has_data = holds_batches(tx.con)
                if has_data and not force:
                    raise _not_empty(db)
                keep = force and has_data
                _finish_copy(copy, staged, actor, backup, sha256, staged.keep_as if keep else None)
                tx.con.checkpoint()  # the old database is complete on its own (DuckDB: without its WAL)
                return Restored(staged.counts, backend.swap_in(staged, keep_old=keep), staged.ignored, staged.cleaned)
        finally:
            backend.discard(staged.path)


def _check_copy(copy: Database, catalogue: Catalogue | None, check: Callable[[Database], object] | None) -> None:
    """The restored copy works before it replaces anything: current schema, its views answer, `check` passes."""
    if catalogue is not None:
        schema.initialise(copy, catalogue)  # the catalogue's mirror, never the file's
    with copy.connection() as con:
        version = schema.schema_version(con, schema.named(copy.where))
        views_answer = schema.has_table(con, "current_observations") and con.fetchall("SELECT COUNT(*) FROM current_observations")
    if version != SCHEMA_VERSION or not views_answer:
        raise StoreError("恢复的副本未通过检查（结构版本或视图不对）。未做任何更改。",
                         "The restored copy failed its check (schema version or views). Nothing was changed.")
    if check is None:
        return
    try:
        check(copy)
    except StoreError:
        raise
    except Exception as exc:  # the pages would fail on it: refuse rather than swap it in
        log.debug("restored copy failed its check", exc_info=True)  # the message names the error; no traceback for users
        raise StoreError(f"恢复的副本未通过检查：计算进度时出错（{type(exc).__name__}）。未做任何更改。",
                         f"The restored copy failed its check: computing progress raised {type(exc).__name__}. "
                         "Nothing was changed.") from exc


def _finish_copy(copy: Database, staged: Staged, actor: str, backup: Path, sha256: str | None, kept: Path | None) -> None:
    """The restore's audit row, written into the copy so it arrives with it; then the copy made complete on its own."""
    ignored = ",".join(f"{kind}:{n}" for kind, n in staged.ignored.items())
    detail = " ".join(part for part in (f"observations={staged.counts.get('observations', 0)}", f"kept={kept}" if kept else "",
                                        f"ignored={ignored}" if ignored else "",
                                        f"cleaned={staged.cleaned}" if staged.cleaned else "") if part)
    audit.record_audit(copy, actor, "restore", file_name=str(backup), sha256=sha256, detail=detail)
    with copy.connection(write=True) as con:
        con.checkpoint()


def _audit_refusal(db: Database, actor: str, backup: Path, sha256: str | None, refusal: StoreError) -> None:
    """One `restore_refused` row in the live database; none when there is no usable database to hold it."""
    try:
        if db.backend.exists() and schema.meta(db, "schema_version") is not None:
            audit.record_audit(db, actor, "restore_refused", file_name=str(backup), sha256=sha256, detail=refusal.message_en)
    except Exception as exc:  # a full disk, an old or broken database: the refusal itself must still reach the user
        log.warning("could not audit the refused restore of %s: %s", backup, exc)


def _require_file(backup: Path) -> None:
    if not backup.is_file():
        raise StoreError(f"找不到备份文件：{backup}", f"Backup file not found: {backup}")


def _not_empty(db: Database) -> StoreError:
    zh, en = (text.format(where=db.where) for text in NOT_EMPTY_MESSAGE)
    return StoreError(zh, en)
