"""Plumbing shared by the two command-line tools: opening the store, clear errors, JSON output."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence

from indicators import settings
from indicators.catalogue import Catalogue, load_catalogue
from indicators.errors import UserError
from indicators.logsetup import configure_logging
from indicators.store import Store, resolve_db_path

EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and refused: bad input, busy database, unknown batch

log = logging.getLogger("gtm")


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="数据库文件路径（默认 $GTM_DB 或 data/gtm.duckdb）/ database file")


def open_store(db: str | None) -> tuple[Catalogue, Store]:
    """The catalogue (the shipped YAML plus the plans published in the database, each checked as the YAML ones are)
    and an initialised store (created on first use). A published plan that fails its checks is left out, and said."""
    from indicators.plans.published import with_published  # imports the store: kept out of this module's import time

    shipped = load_catalogue()
    store = Store(resolve_db_path(db))
    store.initialise(shipped)
    catalogue, problems = with_published(shipped, store.published_plans())
    for problem in problems:
        print(f"警告 / warning: {problem}", file=sys.stderr)
    return catalogue, store


def current_user(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if settings.acting_user():
        return str(settings.acting_user())
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "unknown"


def print_json(payload: object) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None) -> int:
    """Run a CLI main: domain errors become a clear message and exit 1, never a traceback."""
    try:
        return main(argv)
    except (UserError, FileNotFoundError) as exc:
        print(_message(exc), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("已中断，未做任何更改。/ Interrupted; nothing was changed.", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours, and stdout is gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes at exit
        return EXIT_OK
    except Exception as exc:  # a bug: say so plainly, keep the details for a developer
        if settings.debug():
            raise
        log_file = configure_logging()
        log.exception("internal error")
        print(f"内部错误：{type(exc).__name__}。详情已写入 {log_file}；设置 {settings.DEBUG_ENV}=1 可直接查看。请报告此问题。\n"
              f"Internal error: {type(exc).__name__}. Details are in {log_file}; set {settings.DEBUG_ENV}=1 to see them.", file=sys.stderr)
        return EXIT_FAILED


def _message(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件：{exc.filename} / File not found: {exc.filename}"
    return str(exc)
