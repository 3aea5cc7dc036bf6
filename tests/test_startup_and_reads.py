"""A page render reads the observations once; start-up (migrate, demo data) is a step of its own, not a read;
user-facing conditions are UserErrors, and a ValueError from a bug is an internal error, never a user message."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from indicators.cli import EXIT_FAILED, run
from indicators.errors import InvalidArgument, UserError
from indicators.settings import lock_timeout
from indicators.store import Store
from tests.conftest import APP, PAGE_TIMEOUT


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = Store.current_observations

    def counted(self: Store, *args: object, **kwargs: object):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "current_observations", counted)
    return calls


@pytest.mark.usefixtures("app_state")
def test_the_overview_reads_the_observations_once_for_cards_and_sparklines(monkeypatch: pytest.MonkeyPatch):
    AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT).run()  # start-up: creates the database, loads demo data
    import streamlit as st

    st.cache_data.clear()
    calls = count_reads(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.run()
    assert not at.exception
    assert len(calls) == 1


@pytest.mark.usefixtures("app_state")
def test_start_up_creates_the_database_and_loads_demo_data_before_the_first_page(tmp_path: Path):
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.run()
    assert not at.exception
    store = Store(tmp_path / "app.duckdb")
    assert store.has_demo_data()
    assert store.observation_count() > 0


def test_a_value_error_from_a_bug_is_an_internal_error_not_a_user_message(capsys: pytest.CaptureFixture[str]):
    def buggy(argv: object) -> int:
        raise ValueError("secret detail from deep inside")

    assert run(buggy, []) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "内部错误" in err and "Internal error" in err
    assert "secret detail" not in err
    assert "详情已写入" in err  # the details went to the log file, for a developer


def test_a_user_error_is_printed_as_its_message(capsys: pytest.CaptureFixture[str]):
    def refused(argv: object) -> int:
        raise InvalidArgument("没有id为“x”的方案。/ No plan 'x'.")

    assert run(refused, []) == EXIT_FAILED
    assert capsys.readouterr().err.strip() == "没有id为“x”的方案。/ No plan 'x'."


def test_invalid_argument_is_both_a_user_error_and_a_value_error():
    assert issubclass(InvalidArgument, UserError) and issubclass(InvalidArgument, ValueError)


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf"])
def test_a_malformed_lock_timeout_setting_is_refused_in_words(monkeypatch: pytest.MonkeyPatch, value: str):
    monkeypatch.setenv("GTM_LOCK_TIMEOUT", value)
    with pytest.raises(InvalidArgument, match="GTM_LOCK_TIMEOUT"):
        lock_timeout()


def test_the_lock_timeout_setting_defaults_to_ten_seconds_and_reads_a_number(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GTM_LOCK_TIMEOUT", raising=False)
    assert lock_timeout() == 10.0
    monkeypatch.setenv("GTM_LOCK_TIMEOUT", "2.5")
    assert lock_timeout() == 2.5


@pytest.mark.usefixtures("app_state")
def test_a_write_by_another_process_shows_at_the_next_rerun_not_after_the_cache_expires(tmp_path):
    """The CLI (or another dashboard instance) publishes; the open page's next rerun shows the new batch."""
    import os

    from indicators.catalogue import load_catalogue
    from loaders.importer import prepare_import, publish
    from tests.accounts import ANALYST, ANALYST_PASSWORD
    from tests.conftest import GOOD_ROWS, write_xlsx
    from tests.test_pages import run_app

    at = run_app("views/data.py", login=(ANALYST, ANALYST_PASSWORD))
    assert list(at.dataframe[0].value["批次"]) == [1]
    elsewhere = Store(os.environ["GTM_DB"])  # a second handle, as another process has: this one's caches know nothing
    publish(prepare_import(write_xlsx(tmp_path / "g.xlsx", GOOD_ROWS), load_catalogue(), elsewhere), elsewhere, "cli")
    at.run()
    assert list(at.dataframe[0].value["批次"]) == [2, 1]


def test_a_command_piped_into_a_reader_that_stops_early_exits_quietly():
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT

    shell = f"{sys.executable} -m indicators catalogue | true"  # the reader is gone before the first line is written
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Internal error" not in done.stderr and "内部错误" not in done.stderr
