"""Accounts: who may change data — roles, the users file of bcrypt hashes, the failed-login slowdown, and the CLI.

A room of its own because it is about people, not plans or figures: its data is the users file (outside the
database and outside git), and nothing else in indicators/ needs it. Importable without Streamlit; the dashboard's
side is ui/auth.py (who is logged in) and ui/actions.py (the role check).

- passwords: the rules a new password must meet; bcrypt hashing and checking.
- users_file: roles, User, and the TOML users file (cached reads, locked atomic writes).
- throttle: the growing wait after failed logins, and attempt_login.
- cli: `python -m indicators.users` (add / remove / reset / role / list / audit).
"""

from indicators.accounts.passwords import check_password_rules, hash_password, verify_password
from indicators.accounts.throttle import MAX_DELAY_SECONDS, LoginOutcome, LoginThrottle, attempt_login, delay_after
from indicators.accounts.users_file import (
    ACCOUNT_ROLES,
    ADMIN_ROLES,
    ROLES,
    WRITE_ROLES,
    User,
    UsersFile,
    resolve_users_path,
)

__all__ = [
    "ACCOUNT_ROLES",
    "ADMIN_ROLES",
    "MAX_DELAY_SECONDS",
    "ROLES",
    "WRITE_ROLES",
    "LoginOutcome",
    "LoginThrottle",
    "User",
    "UsersFile",
    "attempt_login",
    "check_password_rules",
    "delay_after",
    "hash_password",
    "resolve_users_path",
    "verify_password",
]
