"""Crafted names and many logins at once: the throttle checks one password at a time per name, throttled attempts are
audited, and the audit listing survives any log and never passes terminal escapes through."""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from indicators.accounts import LoginThrottle, UsersFile, attempt_login
from indicators.accounts.users_file import User
from indicators.store import BatchInfo, Store
from tests.accounts import ANALYST, log_in
from tests.conftest import APP, PAGE_TIMEOUT

SESSIONS = 12


class SlowUsers(UsersFile):
    """A users file whose password check takes as long as bcrypt's, counting the checks made."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.checks = 0
        self._count = threading.Lock()

    def authenticate(self, name: str, password: str) -> User | None:
        with self._count:
            self.checks += 1
        time.sleep(0.2)
        return None


def test_many_sessions_at_once_get_one_password_check_at_a_time_for_one_name(tmp_path: Path):
    users, throttle = SlowUsers(tmp_path / "users.toml"), LoginThrottle()
    barrier = threading.Barrier(SESSIONS)
    outcomes = []

    def guess(session: int) -> None:
        barrier.wait()
        outcomes.append(attempt_login(users, throttle, "admin_wang", f"guess-{session}", extra_keys=[f"session:{session}"]))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert users.checks == 1  # the others were refused while the one check ran
    assert sum(o.wait_seconds > 0 for o in outcomes) == SESSIONS - 1
    assert throttle.failures("user:admin_wang") == 1


def test_after_the_free_failures_every_further_guess_waits_whatever_the_session(tmp_path: Path):
    users, throttle = SlowUsers(tmp_path / "users.toml"), LoginThrottle()
    for session in range(3):
        assert attempt_login(users, throttle, "admin_wang", "x", extra_keys=[f"session:{session}"]).wait_seconds == 0
    assert attempt_login(users, throttle, "admin_wang", "x", extra_keys=["session:new"]).wait_seconds >= 2
    assert users.checks == 3


@pytest.mark.usefixtures("app_state")
def test_a_throttled_login_is_audited(tmp_path: Path):
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.run()
    for _ in range(4):
        log_in(at, ANALYST, "wrong-password")
    actions = list(Store(tmp_path / "app.duckdb").audit_log()["action"])
    assert actions.count("login_failed") == 3 and actions.count("login_throttled") == 1


def audit_with_crafted_names(db: Path, catalogue) -> Store:
    store = Store(db)
    store.initialise(catalogue)
    store.record_audit("\x1b[2J\x1b[31madmin\u202e", "login_failed", detail="ip=loopback")
    store.record_audit('=HYPERLINK("http://x.example","点我")', "login_failed", detail="ip=loopback")
    store.record_audit("admin", "user_add", subject="li")  # no sha256: NaN under pandas 3
    store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst"), pd_rows())
    return store


def pd_rows():
    import pandas as pd

    return pd.DataFrame([{"region_id": "tianjin", "indicator_id": "good_air_quality_days_ratio", "year": 2021, "month": None,
                          "value": 70.0, "unit": "%", "status": "正式", "source": "公报", "note": None}])


def test_the_audit_listing_prints_a_log_with_imports_and_user_changes_and_escapes_terminal_codes(tmp_path, catalogue, command):
    audit_with_crafted_names(tmp_path / "a.duckdb", catalogue)
    done = command("indicators.users", "audit", "--db", str(tmp_path / "a.duckdb"), "--users", str(tmp_path / "u.toml"))
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\u202e" not in done.stdout
    assert "\\x1b[2J" in done.stdout and "aaaaaaaaaaaa" in done.stdout and "user_add" in done.stdout


def test_the_audit_csv_keeps_a_name_typed_as_a_formula_as_text(tmp_path, catalogue, command):
    audit_with_crafted_names(tmp_path / "a.duckdb", catalogue)
    out = tmp_path / "audit.csv"
    assert command("indicators.users", "audit", "--db", str(tmp_path / "a.duckdb"), "--out", str(out)).returncode == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        actors = [row["actor"] for row in csv.DictReader(handle)]
    assert "'=HYPERLINK(\"http://x.example\",\"点我\")" in actors
    assert not any(a.startswith(("=", "+", "-", "@")) for a in actors)


@pytest.mark.parametrize("limit", ["-1", "0", "abc", "1.5"])
def test_a_bad_audit_limit_is_refused_in_words(tmp_path, catalogue, command, limit):
    audit_with_crafted_names(tmp_path / "a.duckdb", catalogue)
    done = command("indicators.users", "audit", "--db", str(tmp_path / "a.duckdb"), "--limit", limit)
    assert done.returncode == 1
    assert "--limit" in done.stderr and "不小于1" in done.stderr and "Internal error" not in done.stderr
