"""Dashboard users: roles, bcrypt-hashed passwords in a file outside git, failed-login slowdown, and the CLI.

Roles (README "安全 / Security"):
- viewer: anyone who opens the dashboard, without logging in; reads everything, changes nothing.
- analyst: uploads, publishes and rolls back data.
- admin: what an analyst may, plus managing users, entering targets the plans leave to a higher
  authority, and reading the audit log.

The users file (TOML, path from $GTM_USERS, default data/users.toml, git-ignored, mode 0600) holds only
bcrypt hashes, never a password. An entry may carry an e-mail address: a single-sign-on (OIDC) user whose
e-mail matches gets that entry's role; one without a password can only log in through single sign-on.

    python -m indicators.users add 张三 --role analyst            # asks for the password twice
    printf '%s\\n' "$PW" | python -m indicators.users add li --role admin --password-stdin
    python -m indicators.users reset 张三 | remove 张三 | role 张三 admin | list [--json]
    python -m indicators.users audit --out audit.csv             # the audit log, for admins and auditors

Importable without Streamlit; the dashboard's side is ui/auth.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import getpass
import json
import math
import os
import re
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import bcrypt

from indicators import settings
from indicators.errors import UserError

ROLES = ("viewer", "analyst", "admin")
ACCOUNT_ROLES = ("analyst", "admin")  # roles a users-file entry may have; viewers need no account
WRITE_ROLES = ("analyst", "admin")  # may upload, publish and roll back
ADMIN_ROLES = ("admin",)  # may manage users, set targets and read the audit log
BCRYPT_ROUNDS = 12  # about 0.2 s per check here: slow for a guesser, unnoticeable for a person
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_BYTES = 72  # bcrypt reads at most 72 bytes (bcrypt 5 refuses longer input)
NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")  # letters (Chinese too), digits, _ . @ -
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
FILE_MODE = 0o600  # owner only: the hashes are not secret keys, but nobody else needs them
ENTRY_KEYS = frozenset({"role", "password_hash", "email", "created_at", "updated_at"})
FILE_HEADER = (
    "# Green Target Monitor users: bcrypt hashes only, never passwords. Keep this file out of git.\n"
    "# Manage it with `python -m indicators.users` (add / remove / reset / role / list).\n"
)

# Failed logins: the first FREE_FAILURES cost nothing extra; each further one doubles the wait.
FREE_FAILURES = 3
BASE_DELAY_SECONDS = 2.0  # the wait after the FREE_FAILURES-th failure
MAX_DELAY_SECONDS = 15 * 60.0
FORGET_AFTER_SECONDS = 24 * 3600.0  # failures older than this no longer count
MAX_THROTTLE_KEYS = 10_000  # an attacker inventing names cannot grow the table without bound


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str | None = None
    email: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES


def resolve_users_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """--users wins, then $GTM_USERS, then data/users.toml."""
    if cli_value:
        return Path(cli_value)
    return settings.users_path()


# --- passwords ---------------------------------------------------------------------------------------------------

def check_password_rules(name: str, password: str) -> None:
    """Refuse passwords that are too short, too long for bcrypt, or the user's own name."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"密码至少需要{MIN_PASSWORD_CHARS}个字符。/ A password needs at least {MIN_PASSWORD_CHARS} characters.")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise UserError(f"密码不能超过{MAX_PASSWORD_BYTES}字节（bcrypt的上限）。/ A password may not exceed {MAX_PASSWORD_BYTES} bytes.")
    if password.strip().lower() == name.strip().lower():
        raise UserError("密码不能与用户名相同。/ The password may not be the user name.")


def hash_password(password: str, rounds: int | None = None) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds or BCRYPT_ROUNDS)).decode()


def verify_password(password: str, password_hash: str) -> bool:
    data = password.encode()
    if len(data) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode())
    except ValueError:  # not a bcrypt hash: a hand-edited file
        return False


_dummy_hash: str | None = None


def _spend_a_check(password: str) -> None:
    """Verify against a throwaway hash, so an unknown name costs as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("not-a-real-password")
    verify_password(password[:MAX_PASSWORD_BYTES], _dummy_hash)


# --- the users file ----------------------------------------------------------------------------------------------

# Parsed users files by path, with the (mtime, size, inode) they were read at: re-read when the file changes.
_CACHE: dict[Path, tuple[tuple[int, int, int], dict[str, User]]] = {}
_CACHE_LOCK = threading.Lock()


class UsersFile:
    """The users file: read on every check (cached until it changes on disk), written atomically under a lock."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    # reading
    def load(self) -> dict[str, User]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with _CACHE_LOCK:
            cached = _CACHE.get(self.path)
            if cached and cached[0] == stamp:
                return dict(cached[1])
        users = _parse_users(self.path)
        with _CACHE_LOCK:
            _CACHE[self.path] = (stamp, users)
        return dict(users)

    def get(self, name: str | None) -> User | None:
        return self.load().get(name) if name else None

    def by_email(self, email: str | None) -> User | None:
        if not email:
            return None
        wanted = email.strip().lower()
        return next((u for u in self.load().values() if u.email and u.email.lower() == wanted), None)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password matches, else None (the same cost for an unknown name)."""
        user = self.get(name)
        if user is None or user.password_hash is None:
            _spend_a_check(password)
            return None
        return user if verify_password(password, user.password_hash) else None

    # writing
    def add(self, name: str, role: str, password: str | None, email: str | None = None) -> User:
        _check_name(name)
        _check_role(role)
        if email is not None and not EMAIL_PATTERN.match(email):
            raise UserError(f"电子邮箱“{email}”格式不对。/ '{email}' is not an e-mail address.")
        if password is None and email is None:
            raise UserError("没有密码的用户必须有电子邮箱（仅能通过单点登录）。/ A user without a password needs an e-mail (SSO only).")
        if password is not None:
            check_password_rules(name, password)
        with self._locked() as users:
            if name in users:
                raise UserError(f"用户“{name}”已存在；要改密码请用 reset，要改角色请用 role。/ User '{name}' exists; use reset or role.")
            if email and any(u.email and u.email.lower() == email.lower() for u in users.values()):
                raise UserError(f"电子邮箱 {email} 已属于另一个用户。/ {email} belongs to another user.")
            now = _now()
            user = User(name, role, hash_password(password) if password is not None else None, email, now, now)
            users[name] = user
            self._save(users)
        return user

    def remove(self, name: str) -> None:
        with self._locked() as users:
            if name not in users:
                raise UserError(f"没有用户“{name}”。/ No user '{name}'.")
            del users[name]
            self._save(users)

    def reset_password(self, name: str, password: str) -> None:
        check_password_rules(name, password)
        with self._locked() as users:
            user = users.get(name)
            if user is None:
                raise UserError(f"没有用户“{name}”。/ No user '{name}'.")
            users[name] = User(name, user.role, hash_password(password), user.email, user.created_at, _now())
            self._save(users)

    def set_role(self, name: str, role: str) -> None:
        _check_role(role)
        with self._locked() as users:
            user = users.get(name)
            if user is None:
                raise UserError(f"没有用户“{name}”。/ No user '{name}'.")
            users[name] = User(name, role, user.password_hash, user.email, user.created_at, _now())
            self._save(users)

    @contextmanager
    def _locked(self):
        """The current users under an exclusive lock, so two admins editing at once lose nothing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield _parse_users(self.path) if self.path.exists() else {}
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _save(self, users: dict[str, User]) -> None:
        text = FILE_HEADER + "".join(_entry_toml(u) for u in sorted(users.values(), key=lambda u: u.name))
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(partial, FILE_MODE)
            os.replace(partial, self.path)
        finally:
            partial.unlink(missing_ok=True)


def _parse_users(path: Path) -> dict[str, User]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"用户文件 {path} 无法读取：{exc}。/ The users file {path} cannot be read.") from exc
    problems: list[str] = []
    unknown_top = sorted(set(raw) - {"users"})
    if unknown_top:
        problems.append(f"未知的节 / unknown sections: {unknown_top}")
    users: dict[str, User] = {}
    for name, entry in (raw.get("users") or {}).items():
        if not isinstance(entry, dict):
            problems.append(f"{name}: 不是一个表 / not a table")
            continue
        unknown = sorted(set(entry) - ENTRY_KEYS)
        if unknown:
            problems.append(f"{name}: 未知字段 / unknown keys {unknown}")
        if entry.get("role") not in ACCOUNT_ROLES:
            problems.append(f"{name}: 角色须为 / role must be one of {ACCOUNT_ROLES}")
        if not NAME_PATTERN.match(name):
            problems.append(f"{name}: 用户名不合规 / invalid user name")
        password_hash = entry.get("password_hash")
        if password_hash is None and not entry.get("email"):
            problems.append(f"{name}: 既无密码也无电子邮箱 / neither password_hash nor email")
        users[name] = User(name, str(entry.get("role")), password_hash, entry.get("email"), entry.get("created_at"),
                           entry.get("updated_at"))
    if problems:
        raise UserError(f"用户文件 {path} 有误 / the users file is invalid:\n" + "\n".join(problems))
    return users


def _entry_toml(user: User) -> str:
    lines = [f"\n[users.{_toml_string(user.name)}]", f"role = {_toml_string(user.role)}"]
    for key in ("password_hash", "email", "created_at", "updated_at"):
        value = getattr(user, key)
        if value is not None:
            lines.append(f"{key} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for these characters)."""
    return json.dumps(text, ensure_ascii=False)


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise UserError(f"用户名“{name}”不合规：1–64个字母、数字或 _ . @ -。/ Invalid user name: 1–64 letters, digits or _ . @ -.")


def _check_role(role: str) -> None:
    if role not in ACCOUNT_ROLES:
        raise UserError(f"角色须为 {' 或 '.join(ACCOUNT_ROLES)}。/ Role must be one of {ACCOUNT_ROLES}.")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# --- failed logins ------------------------------------------------------------------------------------------------

def delay_after(failures: int) -> float:
    """Seconds a login must wait after `failures` failures in a row: 0, 0, 2, 4, 8, … up to MAX_DELAY_SECONDS."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(BASE_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


@dataclass
class LoginThrottle:
    """Failed logins per key ("user:NAME", "session:ID"), kept in the server's memory."""

    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, keys: Iterable[str]) -> float:
        """How long until any of these keys may try again (0 when they may now)."""
        now = self.clock()
        with self._lock:
            waits = [last + delay_after(count) - now for count, last in
                     (self._failures.get(k, (0, now)) for k in keys)]
        return max([0.0, *waits])

    def failure(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                count, last = self._failures.get(key, (0, now))
                if now - last > FORGET_AFTER_SECONDS:
                    count = 0
                self._failures[key] = (count + 1, now)
            if len(self._failures) > MAX_THROTTLE_KEYS:
                oldest = sorted(self._failures, key=lambda k: self._failures[k][1])[: len(self._failures) - MAX_THROTTLE_KEYS]
                for key in oldest:
                    del self._failures[key]

    def success(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def failures(self, key: str) -> int:
        with self._lock:
            return self._failures.get(key, (0, 0.0))[0]


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    wait_seconds: float = 0.0  # > 0: refused without checking, try again after this long

    @property
    def ok(self) -> bool:
        return self.user is not None


def attempt_login(users: UsersFile, throttle: LoginThrottle, name: str, password: str, *, extra_keys: Sequence[str] = ()) -> LoginOutcome:
    """Check a password login, honouring the slowdown of repeated failures for the name and the given keys."""
    keys = [f"user:{name}", *extra_keys]
    wait = throttle.wait_seconds(keys)
    if wait > 0:
        return LoginOutcome(None, math.ceil(wait))
    user = users.authenticate(name, password)
    if user is None:
        throttle.failure(keys)
        return LoginOutcome(None, 0.0)
    throttle.success(keys)
    return LoginOutcome(user)


# --- command line -------------------------------------------------------------------------------------------------

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
    p.add_argument("--limit", type=int, help="只看最近 N 条 / only the newest N rows")
    return parser


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
    from indicators.cli import EXIT_OK, current_user, open_store, print_json

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
        return _audit(store, args, print_json)
    if args.command == "add":
        password = None if args.sso_only else read_new_password(args.password_stdin)
        user = users.add(args.name, args.role, password, args.email)
        store.record_audit(actor, "user_add", subject=user.name, detail=json.dumps({"role": user.role, "email": user.email}))
        print(f"已添加用户 {user.name}（{user.role}）：{users.path} / user added")
    elif args.command == "remove":
        users.remove(args.name)
        store.record_audit(actor, "user_remove", subject=args.name)
        print(f"已删除用户 {args.name}。/ user removed")
    elif args.command == "reset":
        if users.get(args.name) is None:
            raise UserError(f"没有用户“{args.name}”。/ No user '{args.name}'.")
        users.reset_password(args.name, read_new_password(args.password_stdin))
        store.record_audit(actor, "user_reset", subject=args.name)
        print(f"已重设 {args.name} 的密码。/ password reset")
    elif args.command == "role":
        users.set_role(args.name, args.role)
        store.record_audit(actor, "user_role", subject=args.name, detail=json.dumps({"role": args.role}))
        print(f"{args.name} 的角色已改为 {args.role}。/ role changed")
    return EXIT_OK


def _audit(store, args: argparse.Namespace, print_json: Callable[[object], None]) -> int:
    log = store.audit_log(limit=args.limit)
    if args.out is not None:
        suffix = args.out.suffix.lower()
        if suffix == ".csv":
            log.to_csv(args.out, index=False, encoding="utf-8-sig")
        elif suffix == ".json":
            args.out.write_text(log.to_json(orient="records", force_ascii=False, date_format="iso", indent=2), encoding="utf-8")
        else:
            raise UserError("审计日志须导出为 .csv 或 .json。/ Export the audit log as .csv or .json.")
        print(f"已导出审计日志 {len(log)} 条：{args.out} / audit log exported")
    elif args.json:
        print_json(log.astype(object).where(log.notna(), None).to_dict(orient="records"))
    else:
        for row in log.itertuples(index=False):
            print(f"{row.audit_id:>5} {row.occurred_at:%Y-%m-%d %H:%M:%S} {row.actor:<14} {row.action:<15} "
                  f"{row.subject or ''} {row.file_name or ''} {(row.sha256 or '')[:12]}")
    return 0


if __name__ == "__main__":
    from indicators.cli import run

    sys.exit(run(main))
