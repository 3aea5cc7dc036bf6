"""Copying the store's tables from one database into a new one: the rules of backups and restores.

Why a module: a backup file is data, never code. Both directions build the new database with the store's own
migrations and copy the rows of the tables those migrations make, addressed by the store's own names, never by
a name read from the file. Each of those tables must be a base table of the source with exactly the columns the
migrations give it. Nothing else of the source reaches the copy: no view, macro, sequence, type or schema. The
sequences are created from the copied ids. A backend supplies the CopyConnection, writing the new database with
the source readable beside it and every other file out of reach (duckdb_backend.copying). These rules stay
portable: one more backend reuses them unchanged.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

import numpy as np

from indicators.inert_text import strip_unsafe
from indicators.store.backend import CopyConnection
from indicators.store.errors import StoreError
from indicators.store.schema import (
    DATA_VERSION_KEY,
    MIRROR_TABLES,
    OWNED_META_KEYS,
    SCHEMA_VERSION,
    TRANSIENT_TABLES,
    create_sequences,
    create_tables,
    named,
    own_name,
    parse_version,
    set_meta,
    upgrade,
)

# Numeric columns whose values a page computes with: a copy refuses NaN or infinity there, as an import does.
FINITE_COLUMNS = (("observations", "value"), ("target_overrides", "value"))
# Text a restore cleans of control and bidi characters, as an import does (one of them breaks every xlsx export):
# table → (its id column, its text columns). The audit log is a record and stays as written; it is escaped where shown.
CLEANED_TEXT = {
    "observations": ("obs_id", ("region_id", "indicator_id", "unit", "status", "source", "note")),
    "batches": ("batch_id", ("kind", "file_name", "sha256", "sheet", "imported_by", "note", "rolled_back_by")),
    "target_overrides": ("override_id", ("plan_id", "indicator_id", "set_by", "note")),
}


@dataclass(frozen=True)
class Source:
    """What is being copied: a backup file offered for a restore (named by its file name), or the database."""

    name: str
    is_backup: bool  # a backup file's faults make it "not a backup of this system"

    @property
    def names(self) -> tuple[str, str]:
        """How messages name it (Chinese, English)."""
        return (f"备份 {self.name}", f"Backup {self.name}") if self.is_backup else named(self.name)


@dataclass(frozen=True)
class Copied:
    counts: dict[str, int]  # rows copied per table
    ignored: dict[str, int]  # objects of the source left behind, per kind (view, macro, …)
    cleaned: int = 0  # text cells that lost control or bidi characters


def copy_snapshot(con: CopyConnection, source: Source) -> Copied:
    """A backup: every table of the store's schema at the source's version, mirror included, meta as it is."""
    version = source_version(con, source)
    if version > SCHEMA_VERSION:
        raise _newer(source, version)
    create_tables(con, 1, version)
    tables = [table for table in _tables(con) if table not in TRANSIENT_TABLES]  # login sessions stay behind
    _check_tables(con, tables, source)
    for table in tables:
        con.copy_rows(table, _names(con, table))
    create_sequences(con, version)
    counts = {table: con.count(table) for table in tables}
    if counts != {table: con.count(table, source=True) for table in tables}:
        raise StoreError("备份校验失败：副本与数据库的行数不一致。", "Backup check failed: row counts differ.")
    return Copied(counts, _ignored(con))


def rebuild(con: CopyConnection, source: Source) -> Copied:
    """A restore: the data tables of a backup (the catalogue mirror is rebuilt from the catalogue instead) copied into
    a database built at the backup's version, numbered from the copied ids, then upgraded and given a new data version."""
    version = source_version(con, source)
    if version > SCHEMA_VERSION:
        raise _newer(source, version)
    create_tables(con, 1, version)
    tables = [table for table in _tables(con) if table not in MIRROR_TABLES + TRANSIENT_TABLES]
    _check_tables(con, tables, source)
    for table in tables:
        con.copy_rows(table, _names(con, table))
    _check_finite(con, tables, source)
    cleaned = _clean_text(con, tables)
    con.execute(f"DELETE FROM meta WHERE key IN ({', '.join('?' for _ in OWNED_META_KEYS)})", OWNED_META_KEYS)
    create_sequences(con, version)  # from the copied ids: a file's sequences are never trusted
    upgrade(con, version, source.names)
    set_meta(con, DATA_VERSION_KEY, uuid.uuid4().hex)  # pages and previews must not take the restored data for the old
    return Copied({table: con.count(table) for table in tables}, _ignored(con), cleaned)


def source_version(con: CopyConnection, source: Source) -> int:
    """The source's schema version, after building migration 1 in the new database (for meta's own columns) and
    checking the source's meta against it."""
    create_tables(con, 0, 1)
    _check_tables(con, ["meta"], source)
    stored = [value for key, value in con.source_rows("meta", ["key", "value"]) if key == "schema_version"]
    version = parse_version(stored[0] if stored else None, source.names)
    if version == 0:
        raise _not_ours(source, "缺少结构版本", "no schema version")
    return version


def _tables(con: CopyConnection) -> list[str]:
    """The base tables of the new database: exactly those the migrations built so far."""
    return sorted(name for kind, _, name in con.objects() if kind == "table")


def _names(con: CopyConnection, table: str) -> list[str]:
    return [name for name, _ in con.columns(table) or []]


def _check_tables(con: CopyConnection, tables: list[str], source: Source) -> None:
    """Each table is a base table of the source with the columns (names, order, types) the migrations gave it."""
    for table in tables:
        found = con.columns(table, source=True)
        if found is None:
            if any(kind == "view" and name == table for kind, _, name in con.objects(source=True)):
                raise _not_ours(source, f"{table} 是视图，不是数据表", f"{table} is a view, not a table")
            raise _not_ours(source, f"缺少数据表 {table}", f"table {table} missing")
        expected = con.columns(table)
        if found != expected:
            raise _not_ours(source, f"表 {table} 的列与本系统不符", f"the columns of table {table} differ from this system's")


def _check_finite(con: CopyConnection, tables: list[str], source: Source) -> None:
    for table, column in FINITE_COLUMNS:
        if table in tables:
            sql = f"SELECT {own_name(column)} FROM {own_name(table)} WHERE {own_name(column)} IS NOT NULL"
            values = np.asarray(con.arrays(sql)[column], dtype=float)
            if not np.isfinite(values).all():
                raise _not_ours(source, f"表 {table} 的 {column} 含有非有限数值（NaN或无穷大）",
                                f"{table}.{column} holds a value that is not finite (NaN or infinity)")


def _clean_text(con: CopyConnection, tables: list[str]) -> int:
    """Strip control and bidi characters from the copied text (inert_text.strip_unsafe); returns the cells changed."""
    cleaned = 0
    for table, (key, columns) in CLEANED_TEXT.items():
        if table not in tables:
            continue
        for column in columns:
            key_name, column_name, table_name = own_name(key), own_name(column), own_name(table)
            found = con.fetchall(f"SELECT {key_name}, {column_name} FROM {table_name} WHERE {column_name} IS NOT NULL")
            changed = [(clean, key_value) for key_value, text in found if (clean := strip_unsafe(str(text))) != text]
            if changed:
                con.executemany(f"UPDATE {table_name} SET {column_name} = ? WHERE {key_name} = ?", changed)
                cleaned += len(changed)
    return cleaned


def _ignored(con: CopyConnection) -> dict[str, int]:
    """Objects of the source that the copy does not have (its own views, macros, sequences, types, schemas, tables)."""
    ours = con.objects()
    return dict(sorted(Counter(kind for kind, schema, name in con.objects(source=True) - ours).items()))


def _not_ours(source: Source, why_zh: str, why_en: str) -> StoreError:
    zh, en = source.names
    if source.is_backup:
        return StoreError(f"{source.name} 不是本系统的备份文件（{why_zh}）。未做任何更改。",
                          f"{source.name} is not a backup of this system ({why_en}). Nothing was changed.")
    return StoreError(f"{zh} 的结构与本系统不符（{why_zh}），无法备份。未做任何更改。",
                      f"{en} does not have this system's structure ({why_en}); cannot back it up. Nothing was changed.")


def _newer(source: Source, version: int) -> StoreError:
    zh, en = source.names
    return StoreError(f"{zh} 的结构版本为 {version}，本程序支持 1–{SCHEMA_VERSION}。请使用更新版本的程序。未做任何更改。",
                      f"{en} has schema version {version}; this program supports 1–{SCHEMA_VERSION}: use a newer version "
                      "of the program. Nothing was changed.")
