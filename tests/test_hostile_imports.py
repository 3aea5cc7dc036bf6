"""Every hostile file through `python -m loaders import`, as the analyst runs it: refused with its message, exit code 1,
no traceback, and the database export identical before and after the attempt.

The reader's guards (tests.hostile_files) and the content checks (tests.hostile_imports) both run here, in process
through the CLI's own entry point (`indicators.cli.run`); a few also run as real subprocesses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from indicators.cli import run
from indicators.store import Store
from loaders.__main__ import build_parser, main, override_text
from loaders.errors import LoaderError
from loaders.export import export_frame
from loaders.importer import prepare_import, publish
from tests.conftest import GOOD_ROWS, PROJECT_ROOT, write_xlsx
from tests.hostile_files import HOSTILE_FILES, encrypted_xls_workbook, zip_bomb_by_ratio
from tests.hostile_imports import (
    HOSTILE_IMPORTS,
    data_only_on_a_hidden_sheet,
    share_of_150_percent,
    thousands_of_bad_rows,
    very_wide_sheet,
)

CLI_ONLY = ("--save-recipe",)  # options that act after the preview, so prepare_import alone cannot show them
BIG_FILES = (very_wide_sheet, thousands_of_bad_rows)  # marked slow: thousands of columns or rows each


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, catalogue) -> Store:
    """A database holding one published batch, shared by every attempt (none may change it)."""
    folder = tmp_path_factory.mktemp("hostile")
    store = Store(folder / "seeded.duckdb", lock_timeout=1.0)
    store.initialise(catalogue)
    preview = prepare_import(write_xlsx(folder / "good.xlsx", GOOD_ROWS), catalogue, store, use_recipes=False)
    publish(preview, store, "seed")
    return store


@pytest.fixture(scope="module")
def before(seeded: Store, catalogue) -> tuple[object, int]:
    """The export and batch count every attempt must leave as they are."""
    return snapshot(seeded, catalogue)


@pytest.fixture(autouse=True)
def own_recipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTM_RECIPES_DIR", str(tmp_path / "recipes"))


def snapshot(store: Store, catalogue) -> tuple[object, int]:
    return export_frame(store, catalogue), len(store.batches())


def assert_unchanged(store: Store, catalogue, before: tuple[object, int]) -> None:
    frame, batches = snapshot(store, catalogue)
    assert len(frame) == len(GOOD_ROWS) and frame.equals(before[0]) and batches == before[1]


def import_command(path: Path, store: Store, catalogue, args: tuple[str, ...], capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """`python -m loaders import` in this process (the catalogue is loaded once for the module, not per command)."""
    monkeypatch.setattr("loaders.__main__.open_store", lambda db: (catalogue, Store(db, lock_timeout=1.0)))
    code = run(main, ["import", str(path), "--db", str(store.path), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("make", HOSTILE_FILES, ids=[f.__name__ for f in HOSTILE_FILES])
def test_every_reader_guard_surfaces_through_the_import_command_and_changes_nothing(make, tmp_path, seeded, before, catalogue, capsys,
                                                                                   monkeypatch):
    hostile = make(tmp_path)
    monkeypatch.setattr("loaders.importer.DEFAULT_LIMITS", hostile.limits)  # the small caps some cases need
    code, out, err = import_command(hostile.path, seeded, catalogue, (), capsys, monkeypatch)
    assert code == 1 and out == ""
    assert hostile.expected_zh in err and "Traceback" not in err and "内部错误" not in err
    assert_unchanged(seeded, catalogue, before)


@pytest.mark.parametrize("make", [pytest.param(f, id=f.__name__, marks=pytest.mark.slow if f in BIG_FILES else ()) for f in HOSTILE_IMPORTS])
def test_every_hostile_content_is_refused_by_the_import_command_and_changes_nothing(make, tmp_path, seeded, before, catalogue, capsys,
                                                                                  monkeypatch):
    hostile = make(tmp_path)
    code, out, err = import_command(hostile.path, seeded, catalogue, hostile.args, capsys, monkeypatch)
    assert code == 1 and out == ""
    assert hostile.expected_zh in err and "Traceback" not in err and "内部错误" not in err
    assert "\x1b" not in err  # cell text cannot send terminal escapes
    assert len(err) < 20_000  # thousands of bad rows are summarised, not listed
    if not set(hostile.args) & set(CLI_ONLY):
        args = build_parser().parse_args(["import", str(hostile.path), *hostile.args])
        with pytest.raises(LoaderError, match=hostile.expected_zh.replace("(", r"\(")):
            prepare_import(hostile.path, catalogue, seeded, overrides=override_text(args), recipe=args.recipe)
        assert_unchanged(seeded, catalogue, before)


def test_the_hostile_suite_is_at_least_thirty_files():
    assert len(HOSTILE_FILES) + len(HOSTILE_IMPORTS) >= 30


@pytest.mark.slow  # four real processes; the same refusals run in process above
@pytest.mark.parametrize("make", [zip_bomb_by_ratio, encrypted_xls_workbook, share_of_150_percent, data_only_on_a_hidden_sheet],
                         ids=lambda f: f.__name__)
def test_refusals_in_a_real_process_exit_1_without_a_traceback(make, tmp_path, seeded, before, catalogue):
    hostile = make(tmp_path)
    env = {**os.environ, "GTM_USER": "测试员", "GTM_LOCK_TIMEOUT": "1", "GTM_RECIPES_DIR": str(tmp_path / "recipes")}
    done = subprocess.run([sys.executable, "-m", "loaders", "import", str(hostile.path), "--db", str(seeded.path)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and hostile.expected_zh in done.stderr and "Traceback" not in done.stderr
    assert_unchanged(seeded, catalogue, before)
