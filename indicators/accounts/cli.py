"""The `users` command (`python -m indicators.users`): add, remove, reset, role, list and audit.

    python -m indicators.users add 张三 --role analyst            # asks for the password twice
    printf '%s\\n' "$PW" | python -m indicators.users add li --role admin --password-stdin
    python -m indicators.users reset 张三 | remove 张三 | role 张三 admin | list [--json]
    python -m indicators.users audit --out audit.csv             # the audit log, for admins and auditors

A password is read from a terminal prompt (twice) or one line of stdin, never from the command line; every change
is written to the audit log of the database. A reset or a removal also ends the user's login sessions in the database
(every browser logged in as them is logged out at its next click).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from indicators.accounts.users_file import ACCOUNT_ROLES, UsersFile, resolve_users_path
from indicators.cli import EXIT_OK, current_user, open_store, print_json
from indicators.errors import InvalidArgument, UserError
from indicators.inert_text import for_terminal
from indicators.tabular_files import write_csv


def build_parser() -> argparse.ArgumentParser:
    # No abbreviations: "--password SECRET" must not be read as "--password-stdin" and leave SECRET in shell history.
    common = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    common.add_argument("--users", help="用户文件（默认 $GTM_USERS 或 data/users.toml）/ users file")
    common.add_argument("--db", help="数据库文件，用于审计日志（默认 $GTM_DB 或 data/gtm.duckdb）/ database, for the audit log")
    common.add_argument("--by", help="记入审计日志的操作人（默认 $GTM_USER 或系统用户）/ who is logged as doing this")
    parser = argparse.ArgumentParser(prog="python -m indicators.users", description="看板用户与审计日志 / users and the audit log",
                                     allow_abbrev=False)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("add", parents=[common], allow_abbrev=False, help="添加用户 / add a user")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ACCOUNT_ROLES)
    p.add_argument("--email", help="单点登录时匹配的电子邮箱 / e-mail matched at single sign-on")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码 / read the password from stdin")
    how.add_argument("--sso-only", action="store_true", help="不设密码，仅能单点登录（需 --email）/ no password, SSO only")

    p = sub.add_parser("remove", parents=[common], allow_abbrev=False, help="删除用户 / remove a user")
    p.add_argument("name")

    p = sub.add_parser("reset", parents=[common], allow_abbrev=False, help="重设密码 / reset a password")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读一行作为密码 / read the password from stdin")

    p = sub.add_parser("role", parents=[common], allow_abbrev=False, help="修改角色 / change a role")
    p.add_argument("name")
    p.add_argument("role", choices=ACCOUNT_ROLES)

    p = sub.add_parser("list", parents=[common], allow_abbrev=False, help="列出用户（不含密码哈希）/ list users (no hashes)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("audit", parents=[common], allow_abbrev=False, help="导出审计日志 / export the audit log")
    p.add_argument("--out", type=Path, help="写入 .csv 或 .json 文件（默认打印）/ write a .csv or .json file")
    p.add_argument("--json", action="store_true", help="JSON 打印 / print JSON")
    p.add_argument("--limit", help="只看最近 N 条 / only the newest N rows")
    return parser


def _row_count(text: str | None) -> int | None:
    """A --limit: a whole number of rows, at least 1 (None: all rows)."""
    if text is None:
        return None
    if not text.strip().isdigit() or int(text) < 1:
        shown = for_terminal(text)
        raise InvalidArgument(f"--limit 应为不小于1的整数，而不是“{shown}”。/ --limit must be a whole number of rows >= 1, not '{shown}'.")
    return int(text)


def read_new_password(from_stdin: bool) -> str:
    """A password from one line of stdin, or typed twice at a prompt; never from the command line."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise UserError("标准输入中没有密码。/ No password on stdin.")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("没有终端可输入密码：请用 --password-stdin 从标准输入传入。/ No terminal: pass --password-stdin.")
    first = getpass.getpass("新密码 / new password: ")
    if getpass.getpass("再输一次 / again: ") != first:
        raise UserError("两次输入的密码不一致。/ The passwords differ.")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    users = UsersFile(resolve_users_path(args.users))
    actor = current_user(args.by)
    if args.command == "list":
        listed = [{"name": u.name, "role": u.role, "email": u.email, "password": u.password_hash is not None,
                   "created_at": u.created_at, "updated_at": u.updated_at} for u in users.load().values()]
        if args.json:
            print_json(listed)
        elif not listed:
            print(f"{users.path} 中还没有用户。/ no users yet.")
        for u in listed:
            print(f"{u['name']:<16} {u['role']:<8} {u['email'] or '':<28} {'密码' if u['password'] else '仅单点登录'}")
        return EXIT_OK
    _, store = open_store(args.db)
    if args.command == "audit":
        return _audit(store, args)
    if args.command == "add":
        password = None if args.sso_only else read_new_password(args.password_stdin)
        user = users.add(args.name, args.role, password, args.email)
        store.record_audit(actor, "user_add", subject=user.name, detail=json.dumps({"role": user.role, "email": user.email}))
        print(f"已添加用户 {user.name}（{user.role}）：{users.path} / user added")
    elif args.command == "remove":
        users.remove(args.name)
        store.record_audit(actor, "user_remove", subject=args.name)
        print(f"已删除用户 {args.name}。/ user removed")
        _end_sessions(store, args.name, actor, "user_removed")
    elif args.command == "reset":
        if users.get(args.name) is None:
            raise UserError(f"没有用户“{args.name}”。/ No user '{args.name}'.")
        users.reset_password(args.name, read_new_password(args.password_stdin))
        store.record_audit(actor, "user_reset", subject=args.name)
        print(f"已重设 {args.name} 的密码。/ password reset")
        _end_sessions(store, args.name, actor, "password_reset")
    elif args.command == "role":
        users.set_role(args.name, args.role)
        store.record_audit(actor, "user_role", subject=args.name, detail=json.dumps({"role": args.role}))
        print(f"{args.name} 的角色已改为 {args.role}。/ role changed")
    return EXIT_OK


def _end_sessions(store, name: str, actor: str, reason: str) -> None:
    """A reset or a removal logs the user out of the dashboard everywhere (audited `session_revoked`)."""
    ended = store.revoke_user_sessions(name, by=actor, reason=reason)
    if ended:
        print(f"已结束 {name} 的 {ended} 个登录会话（所有浏览器都须重新登录）。/ {ended} login session(s) ended")


def _audit(store, args: argparse.Namespace) -> int:
    log = store.audit_log(limit=_row_count(args.limit))
    if args.out is not None:
        suffix = args.out.suffix.lower()
        if suffix == ".csv":
            write_csv(log, args.out)  # inert: a name typed as "=HYPERLINK(…)" stays text
        elif suffix == ".json":
            args.out.write_text(log.to_json(orient="records", force_ascii=False, date_format="iso", indent=2), encoding="utf-8")
        else:
            raise UserError("审计日志须导出为 .csv 或 .json。/ Export the audit log as .csv or .json.")
        print(f"已导出审计日志 {len(log)} 条：{args.out} / audit log exported")
    elif args.json:
        print_json(log.astype(object).where(log.notna(), None).to_dict(orient="records"))
    else:
        for row in log.astype(object).where(log.notna(), None).to_dict(orient="records"):  # pandas 3: a missing text is NaN
            shown = {key: for_terminal(row[key] or "") for key in ("actor", "action", "subject", "file_name")}
            print(f"{row['audit_id']:>5} {row['occurred_at']:%Y-%m-%d %H:%M:%S} {shown['actor']:<14} {shown['action']:<15} "
                  f"{shown['subject']} {shown['file_name']} {for_terminal(row['sha256'] or '')[:12]}")
    return 0
