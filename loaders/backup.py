"""Backups: `backup OUT` writes a consistent snapshot while the dashboard runs; `restore IN` brings it back.

The work is done by the store (the only module that opens DuckDB): a backup is a DuckDB file built by our
migrations and filled from a read-only attachment in one transaction, so it is consistent even while the
dashboard reads and while imports queue; a restore copies a backup's rows into a new database built by our
migrations (nothing of the file runs), upgrades it, checks it with a status run, refuses a non-empty database
unless --force (then the old file is kept beside it), and swaps the database in with one atomic rename.

    python -m loaders backup  backups/gtm-2025-06-30.duckdb [--db PATH|URL] [--force]
    python -m loaders restore backups/gtm-2025-06-30.duckdb [--db PATH|URL] [--force]

On PostgreSQL (--db postgresql://…) the backup is the same portable DuckDB file, and a restore builds the copy in a
schema beside the store's and swaps the two schemas' names in one transaction (store/crossing.py).

(also `python -m loaders.backup backup|restore …`). `migrate --to postgresql://…` copies the DuckDB database into
PostgreSQL the same way (the file restored into the server database) and then compares the two: export, batches,
audit log, entered targets. `add_backup_commands` and `run_backup_command` let
loaders/__main__.py offer both subcommands in two lines.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.catalogue import Catalogue, load_catalogue
from indicators.cli import EXIT_OK, add_db_argument, current_user, run
from indicators.errors import UserError
from indicators.status import status_frame
from indicators.store import Store, StoreError, resolve_db_path
from indicators.store.backup import check_backup_path
from loaders.export import export_frame

BACKUP_COMMANDS = ("backup", "restore", "migrate")
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
    ignored: dict[str, int] = field(default_factory=dict)  # objects of the file not restored, per kind
    cleaned: int = 0  # text cells that lost control or bidi characters


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def backup(store: Store, out: Path, *, force: bool = False, actor: str = "cli") -> BackupResult:
    """Snapshot the database to `out`; refuses to overwrite an existing file unless `force`, and never a folder."""
    out = Path(out)
    if not store.on_server and out.resolve() == store.path.resolve():
        raise UserError("备份文件不能是数据库本身。/ The backup cannot be the database itself.")
    check_backup_path(out)  # a folder is refused even with --force; a missing folder is not created
    if out.exists() and not force:
        raise UserError(f"{out} 已存在，未做任何更改。要覆盖请加 --force。/ {out} exists; nothing was changed. Add --force to overwrite.")
    counts = store.backup_to(out)
    digest = file_sha256(out)
    store.record_audit(actor, "backup", file_name=str(out), sha256=digest,
                       detail=f"observations={counts.get('observations', 0)} batches={counts.get('batches', 0)}")
    return BackupResult(out, digest, counts)


def restore(store: Store, catalogue: Catalogue, source: Path, *, force: bool = False, actor: str = "cli") -> RestoreResult:
    """Bring a backup back: rebuilt from its rows, migrated, checked by a status run, audited, then swapped in."""
    source = Path(source)
    if not store.on_server and source.exists() and store.path.exists() and source.resolve() == store.path.resolve():
        raise UserError("备份文件就是数据库本身。/ The backup is the database itself.")
    digest = file_sha256(source) if source.is_file() else None
    restored = store.restore_from(source, force=force, actor=actor, sha256=digest, catalogue=catalogue,
                                  check=lambda copy: status_frame(catalogue, copy))  # the pages' computation, on the copy
    return RestoreResult(digest or "", restored.counts, restored.kept, restored.ignored, restored.cleaned)


def migrate(source: Store, target: Store, catalogue: Catalogue, *, force: bool = False, actor: str = "cli") -> RestoreResult:
    """Copy a DuckDB database into a PostgreSQL one (restored from the file as from a backup: our tables' rows, checked,
    numbered on), then verify it: the target's export, batches, audit log and entered targets equal the source's."""
    if source.on_server or not target.on_server:
        raise UserError("migrate 把 DuckDB 数据库（--db 或 GTM_DB）复制到 PostgreSQL（--to postgresql://…）。"
                        "/ migrate copies a DuckDB database (--db or GTM_DB) into PostgreSQL (--to postgresql://…).")
    if not source.path.is_file():
        raise StoreError(f"数据库文件不存在：{source.path}。", f"Database file not found: {source.path}.")
    result = restore(target, catalogue, source.path, force=force, actor=actor)
    source.initialise(catalogue)  # already current unless it was older: then compared as upgraded, like the copy
    copied_audit = target.audit_log().iloc[1:].reset_index(drop=True)  # the newest row is the copy's own "restore"
    checks = {"export": (export_frame(source, catalogue), export_frame(target, catalogue)),
              "batches": (source.batches(), target.batches()),
              "audit_log": (source.audit_log(), copied_audit),
              "target_overrides": (source.target_override_history(), target.target_override_history())}
    for name, (before, after) in checks.items():
        if not _same(before, after):
            raise StoreError(f"迁移校验失败：{name} 与源数据库不一致。数据已复制到 {target.where}，请检查后重试（--force）。",
                             f"Migration check failed: {name} differs from the source. The data was copied to {target.where}; "
                             "check it and retry (--force).")
    return result


def _same(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(left, right)
    except AssertionError:
        return False
    return True


def add_backup_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add `backup OUT` and `restore IN` to a CLI's subcommands (loaders/__main__.py)."""
    p = subparsers.add_parser("backup", help="备份数据库（看板运行时也可）/ back up the database (also while the dashboard runs)")
    p.add_argument("out", type=Path, help="备份文件 / backup file (.duckdb)")
    add_db_argument(p)
    p.add_argument("--force", action="store_true", help="覆盖已有的备份文件 / overwrite an existing backup file")
    p.add_argument("--user", help="记入审计日志的操作人 / who is logged as doing this")

    p = subparsers.add_parser("migrate", help="把DuckDB数据库复制到PostgreSQL并校验 / copy the DuckDB database into PostgreSQL, verified")
    add_db_argument(p)
    p.add_argument("--to", required=True, metavar="URL", help="目标 PostgreSQL 数据库 postgresql://用户:密码@主机:端口/库名 / the target")
    p.add_argument("--force", action="store_true", help="覆盖已有数据的目标（原数据另存为一个schema）/ replace a target that holds data")
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
        if not store.on_server and not store.path.exists():
            raise StoreError(f"数据库文件不存在：{store.path}。", f"Database file not found: {store.path}.")
        made = backup(store, args.out, force=args.force, actor=actor)
        print(f"已备份到 {made.path}（观测值 {made.counts.get('observations', 0)} 行，批次 {made.counts.get('batches', 0)} 个），"
              f"sha256 {made.sha256[:12]}…\n/ backed up to {made.path}")
        return EXIT_OK
    if args.command == "restore":
        restored = restore(store, load_catalogue(), args.source, force=args.force, actor=actor)
        kept = f"原数据库另存为 {restored.kept}。/ the previous database is kept as {restored.kept}.\n" if restored.kept else ""
        ignored = "、".join(f"{kind} {n}" for kind, n in restored.ignored.items())
        ignored = (f"备份中不属于本系统的对象未恢复（由本程序重建或忽略）：{ignored}。/ objects of the file not restored "
                   f"(rebuilt by this program or ignored): {ignored}.\n" if ignored else "")
        if restored.cleaned:
            ignored += (f"{restored.cleaned} 处文本中的控制字符或双向控制字符已删除。/ control or bidi characters removed from "
                        f"{restored.cleaned} text cells.\n")
        print(f"已从 {args.source} 恢复数据库 {store.where}（观测值 {restored.counts.get('observations', 0)} 行）。\n{kept}{ignored}"
              f"/ restored {store.where} from {args.source}")
        return EXIT_OK
    if args.command == "migrate":
        catalogue = load_catalogue()
        moved = migrate(store, Store(args.to), catalogue, force=args.force, actor=actor)
        print(f"已把 {store.where} 复制到 {Store(args.to).where}（观测值 {moved.counts.get('observations', 0)} 行，"
              f"批次 {moved.counts.get('batches', 0)} 个），导出、批次、审计日志与目标值经比对一致。\n"
              f"/ copied {store.where} to {Store(args.to).where}; export, batches, audit log and targets verified equal.")
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
