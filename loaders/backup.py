"""Backups: `backup OUT` writes a consistent snapshot while the dashboard runs; `restore IN` brings it back.

The work is done by the store (the only module that opens DuckDB): a backup is a DuckDB file copied from a
read-only attachment in one transaction, so it is consistent even while the dashboard reads and while
imports queue; a restore checks the file, refuses a non-empty database unless --force (then the old file
is kept beside it), and swaps the database in with one atomic rename.

    python -m loaders backup  backups/gtm-2025-06-30.duckdb [--db PATH] [--force]
    python -m loaders restore backups/gtm-2025-06-30.duckdb [--db PATH] [--force]

(also `python -m loaders.backup backup|restore …`). `add_backup_commands` and `run_backup_command` let
loaders/__main__.py offer both subcommands in two lines.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indicators.catalogue import Catalogue, load_catalogue
from indicators.cli import EXIT_OK, add_db_argument, current_user, run
from indicators.errors import UserError
from indicators.store import Store, StoreError, resolve_db_path

BACKUP_COMMANDS = ("backup", "restore")
HASH_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class BackupResult:
    path: Path
    sha256: str
    counts: dict[str, int]


@dataclass(frozen=True)
class RestoreResult:
    sha256: str
    counts: dict[str, int]
    kept: Path | None  # where the replaced database was kept (restore --force over data)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def backup(store: Store, out: Path, *, force: bool = False, actor: str = "cli") -> BackupResult:
    """Snapshot the database to `out`; refuses to overwrite an existing file unless `force`."""
    out = Path(out)
    if out.resolve() == store.path.resolve():
        raise UserError("备份文件不能是数据库本身。/ The backup cannot be the database itself.")
    if out.exists() and not force:
        raise UserError(f"{out} 已存在，未做任何更改。要覆盖请加 --force。/ {out} exists; nothing was changed. Add --force to overwrite.")
    counts = store.backup_to(out)
    digest = file_sha256(out)
    store.record_audit(actor, "backup", file_name=str(out), sha256=digest,
                       detail=f"observations={counts.get('observations', 0)} batches={counts.get('batches', 0)}")
    return BackupResult(out, digest, counts)


def restore(store: Store, catalogue: Catalogue, source: Path, *, force: bool = False, actor: str = "cli") -> RestoreResult:
    """Bring a backup back: validated first, atomic swap, migrated to the current schema, audited."""
    source = Path(source)
    if source.exists() and store.path.exists() and source.resolve() == store.path.resolve():
        raise UserError("备份文件就是数据库本身。/ The backup is the database itself.")
    counts = Store.inspect_backup(source)
    digest = file_sha256(source)
    kept = store.restore_from(source, force=force)
    store.initialise(catalogue)  # an older backup is migrated; the catalogue mirror is refreshed
    store.record_audit(actor, "restore", file_name=str(source), sha256=digest,
                       detail=f"observations={counts.get('observations', 0)} kept={kept}" if kept else
                       f"observations={counts.get('observations', 0)}")
    return RestoreResult(digest, counts, kept)


def add_backup_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add `backup OUT` and `restore IN` to a CLI's subcommands (loaders/__main__.py)."""
    p = subparsers.add_parser("backup", help="备份数据库（看板运行时也可）/ back up the database (also while the dashboard runs)")
    p.add_argument("out", type=Path, help="备份文件 / backup file (.duckdb)")
    add_db_argument(p)
    p.add_argument("--force", action="store_true", help="覆盖已有的备份文件 / overwrite an existing backup file")
    p.add_argument("--user", help="记入审计日志的操作人 / who is logged as doing this")

    p = subparsers.add_parser("restore", help="从备份恢复数据库 / restore the database from a backup")
    p.add_argument("source", type=Path, help="备份文件 / backup file")
    add_db_argument(p)
    p.add_argument("--force", action="store_true", help="覆盖有数据的数据库（原文件另存）/ replace a database that holds data (kept aside)")
    p.add_argument("--user", help="记入审计日志的操作人 / who is logged as doing this")


def run_backup_command(args: argparse.Namespace) -> int:
    """Run a parsed `backup` or `restore` command; UserError/StoreError propagate to indicators.cli.run."""
    store = Store(resolve_db_path(args.db))
    actor = current_user(args.user)
    if args.command == "backup":
        if not store.path.exists():
            raise StoreError(f"数据库文件不存在：{store.path}。", f"Database file not found: {store.path}.")
        made = backup(store, args.out, force=args.force, actor=actor)
        print(f"已备份到 {made.path}（观测值 {made.counts.get('observations', 0)} 行，批次 {made.counts.get('batches', 0)} 个），"
              f"sha256 {made.sha256[:12]}…\n/ backed up to {made.path}")
        return EXIT_OK
    if args.command == "restore":
        restored = restore(store, load_catalogue(), args.source, force=args.force, actor=actor)
        kept = f"原数据库另存为 {restored.kept}。/ the previous database is kept as {restored.kept}.\n" if restored.kept else ""
        print(f"已从 {args.source} 恢复数据库 {store.path}（观测值 {restored.counts.get('observations', 0)} 行）。\n{kept}"
              f"/ restored {store.path} from {args.source}")
        return EXIT_OK
    raise ValueError(f"not a backup command: {args.command}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loaders.backup", description="备份与恢复 / backup and restore")
    add_backup_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_backup_command(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(run(main))
