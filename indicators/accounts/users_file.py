"""The users file: who has an account, with which role, and the TOML file (outside git) that holds them.

Roles (README "安全 / Security"):
- viewer: anyone who opens the dashboard, without logging in; reads everything, changes nothing.
- analyst: uploads, publishes and rolls back data.
- admin: what an analyst may, plus managing users, entering targets the plans leave to a higher
  authority, and reading the audit log.

The users file (TOML, path from $GTM_USERS, default data/users.toml, git-ignored, mode 0600) holds only
bcrypt hashes, never a password. An entry may carry an e-mail address: a single-sign-on (OIDC) user whose
e-mail matches gets that entry's role; one without a password can only log in through single sign-on.
It is re-read whenever it changes on disk and written atomically under an exclusive lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import threading
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indicators import settings
from indicators.accounts.passwords import check_password_rules, hash_password, spend_a_check, verify_password
from indicators.errors import UserError

ROLES = ("viewer", "analyst", "admin")
ACCOUNT_ROLES = ("analyst", "admin")  # roles a users-file entry may have; viewers need no account
WRITE_ROLES = ("analyst", "admin")  # may upload, publish and roll back
ADMIN_ROLES = ("admin",)  # may manage users, set targets and read the audit log
NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")  # letters (Chinese too), digits, _ . @ -
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
FILE_MODE = 0o600  # owner only: the hashes are not secret keys, but nobody else needs them
ENTRY_KEYS = frozenset({"role", "password_hash", "email", "created_at", "updated_at"})
FILE_HEADER = (
    "# Green Target Monitor users: bcrypt hashes only, never passwords. Keep this file out of git.\n"
    "# Manage it with `python -m indicators.users` (add / remove / reset / role / list).\n"
)


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
            spend_a_check(password)
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
