"""Users: bcrypt hashes only, passwords never on the command line, slowed-down guessing, audited management."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import bcrypt
import pytest

from indicators import accounts as users_module
from indicators.accounts import LoginThrottle, UsersFile, attempt_login, delay_after, passwords
from indicators.accounts import throttle as throttle_module
from indicators.errors import UserError
from indicators.store import Store
from tests.accounts import FAST_ROUNDS
from tests.conftest import PROJECT_ROOT

PASSWORD = "tian-jin-2025-ok"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", FAST_ROUNDS)


def users_env(tmp_path) -> dict[str, str]:
    return {"GTM_USERS": str(tmp_path / "users.toml"), "GTM_DB": str(tmp_path / "audit.duckdb"), "GTM_USER": "ops"}


@pytest.fixture
def users_cli(command):
    """users_cli(tmp_path, *args, stdin=…): `python -m indicators.users` in this process (stdin a pipe, not a terminal)."""

    def call(tmp_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return command("indicators.users", *args, env=users_env(tmp_path), stdin=stdin)

    return call


def test_the_users_file_holds_a_bcrypt_hash_that_verifies_and_never_the_password(users_cli, tmp_path):
    done = users_cli(tmp_path, "add", "张三", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "users.toml"
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and PASSWORD.encode().hex() not in text
    stored = UsersFile(path).get("张三")
    assert stored.role == "analyst" and stored.password_hash.startswith("$2b$")
    assert bcrypt.checkpw(PASSWORD.encode(), stored.password_hash.encode())
    assert not bcrypt.checkpw(b"tian-jin-2025-no", stored.password_hash.encode())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # owner only


def test_a_password_is_never_taken_from_the_command_line(users_cli, tmp_path):
    for args in (["--password", PASSWORD], ["--pass", PASSWORD], [f"--password={PASSWORD}"]):
        done = users_cli(tmp_path, "add", "li", "--role", "admin", *args)
        assert done.returncode == 2, args  # argparse refuses: no such option, and no abbreviation of --password-stdin
    no_terminal = users_cli(tmp_path, "add", "li", "--role", "admin", stdin="")
    assert no_terminal.returncode == 1 and "--password-stdin" in no_terminal.stderr
    assert not (tmp_path / "users.toml").exists()


def test_reset_replaces_the_hash_so_only_the_new_password_works(users_cli, tmp_path):
    users_cli(tmp_path, "add", "li", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    done = users_cli(tmp_path, "reset", "li", "--password-stdin", stdin="another-password-9\n")
    assert done.returncode == 0, done.stderr
    users = UsersFile(tmp_path / "users.toml")
    assert users.authenticate("li", PASSWORD) is None
    assert users.authenticate("li", "another-password-9").name == "li"


def test_remove_and_role_change_take_effect_and_list_shows_no_hashes(users_cli, tmp_path):
    users_cli(tmp_path, "add", "li", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    users_cli(tmp_path, "add", "ops", "--role", "admin", "--sso-only", "--email", "ops@example.org")
    assert users_cli(tmp_path, "role", "li", "admin").returncode == 0
    listed = users_cli(tmp_path, "list", "--json")
    assert listed.returncode == 0 and "$2b$" not in listed.stdout and '"role": "admin"' in listed.stdout
    assert users_cli(tmp_path, "remove", "li").returncode == 0
    assert set(UsersFile(tmp_path / "users.toml").load()) == {"ops"}
    missing = users_cli(tmp_path, "remove", "li")
    assert missing.returncode == 1 and "没有用户" in missing.stderr


def test_user_management_is_audited_and_the_log_exports_to_csv(users_cli, tmp_path):
    users_cli(tmp_path, "add", "li", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    users_cli(tmp_path, "reset", "li", "--password-stdin", stdin="another-password-9\n")
    users_cli(tmp_path, "remove", "li")
    log = Store(tmp_path / "audit.duckdb").audit_log()
    assert list(log["action"]) == ["user_remove", "user_reset", "user_add"]
    assert set(log["actor"]) == {"ops"} and set(log["subject"]) == {"li"}
    assert not log["detail"].fillna("").str.contains(PASSWORD).any()
    out = tmp_path / "audit.csv"
    done = users_cli(tmp_path, "audit", "--out", str(out))
    assert done.returncode == 0
    exported = out.read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0] == "audit_id,occurred_at,actor,action,subject,file_name,sha256,detail"
    assert exported.count("\n") == 4


@pytest.mark.parametrize(("name", "password", "message"), [
    ("li", "short", "至少需要"), ("li", "界" * 25, "不能超过72字节"), ("li-is-long", "li-is-long", "不能与用户名相同"),
])
def test_passwords_too_short_too_long_for_bcrypt_or_equal_to_the_name_are_refused(tmp_path, name, password, message):
    users = UsersFile(tmp_path / "users.toml")
    with pytest.raises(UserError, match=message):
        users.add(name, "analyst", password)
    assert users.load() == {}


def test_a_hand_broken_users_file_is_refused_with_every_problem_listed(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users.li]\nrole = "root"\npassword = "plain"\n\n[users.wang]\nrole = "analyst"\n', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        UsersFile(path).load()
    message = str(caught.value)
    assert "li: 未知字段" in message and "li: 角色须为" in message and "wang: 既无密码也无电子邮箱" in message


def test_unknown_users_and_sso_only_users_cannot_log_in_with_a_password(tmp_path):
    users = UsersFile(tmp_path / "users.toml")
    users.add("ops", "admin", None, "ops@example.org")
    assert users.authenticate("nobody", PASSWORD) is None
    assert users.authenticate("ops", "") is None
    assert users.by_email("OPS@example.org").name == "ops"


def test_the_wait_doubles_after_three_failures_up_to_a_cap():
    assert [delay_after(n) for n in range(7)] == [0, 0, 0, 2, 4, 8, 16]
    assert delay_after(100) == users_module.MAX_DELAY_SECONDS


def test_repeated_failed_logins_are_refused_until_the_wait_is_over_even_with_the_right_password(tmp_path):
    users = UsersFile(tmp_path / "users.toml")
    users.add("li", "analyst", PASSWORD)
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(3):
        assert not attempt_login(users, throttle, "li", "wrong-password!", extra_keys=["session:a"]).ok
    blocked = attempt_login(users, throttle, "li", PASSWORD, extra_keys=["session:b"])  # another session: same user, same wait
    assert not blocked.ok and blocked.wait_seconds == 2
    other = attempt_login(users, throttle, "wang", "whatever-pass", extra_keys=["session:a"])  # the session itself waits too
    assert other.wait_seconds == 2
    now[0] += 2.5
    assert attempt_login(users, throttle, "li", PASSWORD, extra_keys=["session:b"]).ok
    assert throttle.failures("user:li") == 0  # success forgets the failures


def test_the_throttle_forgets_the_oldest_keys_beyond_its_cap(monkeypatch):
    monkeypatch.setattr(throttle_module, "MAX_THROTTLE_KEYS", 5)
    throttle = LoginThrottle(clock=iter(range(100)).__next__)
    for i in range(8):
        throttle.failure([f"user:{i}"])
    assert throttle.failures("user:0") == 0 and throttle.failures("user:7") == 1


@pytest.mark.slow  # a real process (the one smoke test of `python -m indicators.users`)
def test_the_users_command_runs_as_a_real_process(users_cli, tmp_path):
    users_cli(tmp_path, "add", "li", "--role", "analyst", "--password-stdin", stdin=PASSWORD + "\n")
    listed = subprocess.run([sys.executable, "-m", "indicators.users", "list"], cwd=PROJECT_ROOT, env={**os.environ, **users_env(tmp_path)},
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["li", "analyst", "密码"]
