"""Backups and restores of the database: the rules, apart from the mechanics a backend supplies.

Why a module: what makes a backup trustworthy (a consistent snapshot taken while the dashboard keeps
reading; written to a temporary name and renamed into place, so it is complete or absent; checked before a
restore uses it) and what a restore may replace (an empty database, or with `force` any, the old one kept
aside) hold whichever backend stores the data. Backup files are DuckDB files: duckdb_backend reads them.
The swap of a restore happens inside the one write path, holding the write lock, so no other process is
mid-write on the file being replaced. loaders/backup.py is the command line over these.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from indicators.store.duckdb_backend import read_file
from indicators.store.errors import StoreError
from indicators.store.schema import SCHEMA_VERSION, holds_batches
from indicators.store.transaction import BACKUP_BUSY_MESSAGE

if TYPE_CHECKING:
    from indicators.store.transaction import Database


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
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    backend.discard(partial)
    try:
        with backend.serialised():
            counts = db.wait_for(lambda: backend.copy_to(partial), BACKUP_BUSY_MESSAGE)
        os.replace(partial, out)
    finally:
        backend.discard(partial)
    return counts


def inspect_backup(backup: Path) -> dict[str, int]:
    """Table row counts of a backup file, after checking it is a database this version can use."""
    backup = Path(backup)
    if not backup.is_file():
        raise StoreError(f"找不到备份文件：{backup}", f"Backup file not found: {backup}")
    contents = read_file(backup)
    if not ("meta" in contents.counts and "observations" in contents.counts):
        raise StoreError(f"{backup.name} 不是本系统的备份文件（缺少数据表）。未做任何更改。",
                         f"{backup.name} is not a backup of this system (tables missing). Nothing was changed.")
    version = int(contents.schema_version) if contents.schema_version is not None else 0
    if not 1 <= version <= SCHEMA_VERSION:
        raise StoreError(f"备份 {backup.name} 的结构版本为 {version}，本程序支持 1–{SCHEMA_VERSION}。请用更新的版本恢复。",
                         f"Backup {backup.name} has schema version {version}; this program supports 1–{SCHEMA_VERSION}.")
    return contents.counts


def restore_from(db: Database, backup: Path, *, force: bool = False) -> Path | None:
    """Replace the database with a backup, atomically; returns where the replaced database was kept (if any).

    Refuses a non-empty database unless `force`; with `force` the previous database is kept aside (DuckDB:
    <name>.before-restore-<time>.duckdb beside it). Nothing changes unless the backup opens and checks out.
    """
    backup = Path(backup)
    inspect_backup(backup)
    if not force and not is_empty(db):
        raise StoreError(
            f"数据库 {db.where} 已有数据，未做任何更改。确认要用备份覆盖它，请加 --force（原数据库会另存一份）。",
            f"Database {db.where} is not empty; nothing was changed. Add --force to replace it (the old file is kept aside).",
        )
    backend = db.backend
    with backend.serialised():
        staged = backend.stage_restore(backup)
        try:
            if not backend.exists():
                return backend.swap_in(staged, keep_old=False)
            with db.write(transaction=False) as tx:  # the write lock: no other process is mid-write on the old file
                tx.con.checkpoint()  # the old database is complete on its own (DuckDB: without its WAL)
                return backend.swap_in(staged, keep_old=force and holds_batches(tx.con))
        finally:
            backend.discard(staged)
