"""Test accounts: a users file in the test's folder, and logging in through the sidebar form (AppTest)."""

from __future__ import annotations

from pathlib import Path

from indicators.accounts import UsersFile
from indicators.accounts import passwords as users_module

ANALYST, ANALYST_PASSWORD = "analyst_li", "analyst-password-1"
ADMIN, ADMIN_PASSWORD = "admin_wang", "admin-password-22"
FAST_ROUNDS = 4  # bcrypt's minimum cost: tests hash quickly; the stored hash says which cost to verify with


def make_users_file(path: Path) -> UsersFile:
    """A users file with one analyst and one admin (password logins)."""
    saved = users_module.BCRYPT_ROUNDS
    users_module.BCRYPT_ROUNDS = FAST_ROUNDS
    try:
        users = UsersFile(path)
        users.add(ANALYST, "analyst", ANALYST_PASSWORD)
        users.add(ADMIN, "admin", ADMIN_PASSWORD)
    finally:
        users_module.BCRYPT_ROUNDS = saved
    return users


def log_in(at, name: str, password: str):
    """Fill the sidebar login form and submit it (the app reruns itself on success)."""
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    at.button(key="auth_submit").click()
    return at.run()
