"""Passwords: the rules a new password must meet, and bcrypt hashing and checking (never the password itself kept)."""

from __future__ import annotations

import bcrypt

from indicators.errors import UserError

BCRYPT_ROUNDS = 12  # about 0.2 s per check here: slow for a guesser, unnoticeable for a person
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_BYTES = 72  # bcrypt reads at most 72 bytes (bcrypt 5 refuses longer input)


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


def spend_a_check(password: str) -> None:
    """Verify against a throwaway hash, so an unknown name costs as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("not-a-real-password")
    verify_password(password[:MAX_PASSWORD_BYTES], _dummy_hash)
