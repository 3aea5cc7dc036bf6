"""Shared fixtures: each test gets its own DuckDB file in tmp_path, a copy of one built once per session (empty, or as
the first run leaves it, with the demo data); the command-line tools run in process (`command`).

The store's tests are written against the store's backend protocol (indicators/store/backend.py), as
harlequin's adapter tests are: `store_factory` builds a Store on the backend named by the `backend`
parameter, DuckDB or PostgreSQL. PostgreSQL runs in a throwaway cluster this test session starts
(tests/postgres_server.py: one per test worker, one database in it, a fresh schema for every database a test asks
for). The modules in POSTGRES_MODULES run their `backend` tests on both; the others on DuckDB only so far.
If PostgreSQL cannot be started its tests fail, never skip silently; GTM_TEST_POSTGRES=0 skips them, saying so.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import streamlit as st
import yaml
from openpyxl import Workbook
from streamlit.components.v2 import manifest_scanner

from indicators.catalogue import Catalogue, load_catalogue
from indicators.cli import run
from indicators.settings import DATA_DIR
from indicators.store import MIGRATIONS, Store
from loaders.demo import seed_demo_if_first_run
from tests import postgres_server
from tests.accounts import make_users_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_HEADER = ["地区", "指标", "年份", "月份", "数值", "单位", "状态", "来源", "备注"]


APP = str(PROJECT_ROOT / "app.py")
PAGE_TIMEOUT = 60  # seconds an AppTest run may take; a first run creates the database and loads the demo data


# AppTest scans every installed package for Streamlit components on each new AppTest (about a second here);
# the packages do not change during a test session, so the scan runs once.
_installed_components = functools.cache(manifest_scanner.scan_component_manifests)


@pytest.fixture
def app_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_database: Path, catalogue: Catalogue) -> Iterator[None]:
    """For AppTest: its own database file (as the first run leaves it: a copy of the demo database) and users file,
    and no cached connection, query result or login throttle left from the last test
    (use with pytestmark = pytest.mark.usefixtures("app_state"))."""
    from ui import queries

    shutil.copyfile(demo_database, tmp_path / "app.duckdb")
    monkeypatch.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: list(_installed_components()))
    monkeypatch.setattr(queries, "load_catalogue", lambda: catalogue)  # read once per server process; here once per session
    monkeypatch.setenv("GTM_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("GTM_USERS", str(tmp_path / "users.toml"))
    make_users_file(tmp_path / "users.toml")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of data/ (catalogue, plans, recipes; no databases, no demo workbook) that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("*.duckdb*", "demo"))
    return target


def edit_yaml(path: Path, edit: Callable[[Any], None]) -> None:
    """Change a YAML file in place through `edit(content)`."""
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


def built_once(path: Path, catalogue: Catalogue, *, demo: bool) -> Path:
    """An initialised database (with the demo data if asked), to be copied by tests that need one like it."""
    store = Store(path)
    store.initialise(catalogue)
    if demo:
        seed_demo_if_first_run(store, catalogue)
    return path


def copied_store(original: Path, db_path: Path, catalogue: Catalogue) -> Store:
    """A store on a copy of a database built once (the store closes its connections: the file is the whole database)."""
    assert not original.with_name(original.name + ".wal").exists()
    shutil.copyfile(original, db_path)
    handle = Store(db_path, lock_timeout=1.0)
    handle.initialise(catalogue)  # already current: only checks
    return handle


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """A new database (schema and catalogue, no data), built once per test session; tests get copies (store)."""
    return built_once(tmp_path_factory.mktemp("empty") / "empty.duckdb", catalogue, demo=False)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, catalogue: Catalogue) -> Path:
    """A database as the first run leaves it (the catalogue and the demo data), built once per test session;
    tests get copies (demo_store, app_state)."""
    return built_once(tmp_path_factory.mktemp("demo") / "demo.duckdb", catalogue, demo=True)


STORE_BACKENDS = ["duckdb", "postgresql"]  # the backends every store test runs on
# Test modules whose `backend` tests run on PostgreSQL too (the others' run on DuckDB only, until checked there).
POSTGRES_MODULES = {"test_store", "test_batches", "test_audit", "test_import_export", "test_backup", "test_crash",
                    "test_postgres", "test_access", "test_escaping", "test_hostile_imports", "test_hostile_text",
                    "test_hostile_backups", "test_import_preview", "test_layouts", "test_recipes", "test_brief", "test_published_plans",
                    "test_realdata"}
POSTGRES_ENV = "GTM_TEST_POSTGRES"  # "0": skip the PostgreSQL tests on a machine without PostgreSQL (never in CI)
TEST_DATABASE = "gtm_test"  # the one database of each worker's server; each store of a test is a schema in it
StoreFactory = Callable[..., Store]  # (path, lock_timeout=None) -> a Store on the backend under test


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL variants only for the modules checked on PostgreSQL (POSTGRES_MODULES)."""
    kept, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        (dropped if on_postgres and item.module is not None and item.module.__name__.rsplit(".", 1)[-1] not in POSTGRES_MODULES
         else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session", params=STORE_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def postgres() -> Iterator[postgres_server.Server]:
    """This worker's throwaway PostgreSQL server, with the empty database TEST_DATABASE; stopped at the end."""
    if os.environ.get(POSTGRES_ENV) == "0":
        if os.environ.get("CI"):  # CI must run them: a skip there would hide a missing install step
            pytest.fail(f"{POSTGRES_ENV}=0 is for machines without PostgreSQL, not for CI", pytrace=False)
        pytest.skip(f"{POSTGRES_ENV}=0: the PostgreSQL variants are skipped on this machine")
    try:
        server = postgres_server.start()
    except (postgres_server.ServerUnavailable, OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"PostgreSQL could not be started for the tests ({exc}). Install it with scripts/setup.sh --dev, "
                    f"or set {POSTGRES_ENV}=0 to skip these tests on this machine.", pytrace=False)
    try:
        server.sql(f"CREATE DATABASE {TEST_DATABASE}")
        yield server
    finally:
        from indicators.store.postgres_backend import close_pools

        close_pools()
        server.stop()


@pytest.fixture(autouse=True)
def _postgres_connections_closed() -> Iterator[None]:
    """Each test's pools closed after it (a pool per database URL; a test's schemas are its own)."""
    yield
    backend_module = sys.modules.get("indicators.store.postgres_backend")
    if backend_module is not None:
        backend_module.close_pools()


def postgres_url(server: postgres_server.Server, path: str | os.PathLike[str]) -> str:
    """The URL of a fresh schema standing for the database `path` names (the same path, the same schema)."""
    import psycopg  # only the PostgreSQL variants need it

    schema = "s_" + hashlib.sha256(str(path).encode()).hexdigest()[:20]  # [a-z0-9_]: no quoting needed
    with psycopg.connect(server.url(TEST_DATABASE), autocommit=True) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    return server.url(TEST_DATABASE, schema=schema)


@pytest.fixture(scope="session")
def store_factory(backend: str, request: pytest.FixtureRequest) -> StoreFactory:
    """Stores on the backend under test: `store_factory(path, lock_timeout=None)`. `path` names the database
    (for DuckDB it is the file; for PostgreSQL a schema of its own); every call with a new path is a new, empty
    database, and the same path reaches the same one. `store_factory.location(path)` gives what --db takes."""
    server = request.getfixturevalue("postgres") if backend == "postgresql" else None

    def location(path: str | os.PathLike[str]) -> str:
        return str(path) if server is None else postgres_url(server, path)

    def make(path: str | os.PathLike[str], lock_timeout: float | None = None) -> Store:
        return Store(location(path), lock_timeout=lock_timeout)

    def kept(where: Path) -> Store:
        """The database a restore --force kept aside (Restored.kept): a file beside it, or a schema beside it."""
        if server is None:
            assert where.is_file(), where
            return Store(where)
        return Store(server.url(TEST_DATABASE, schema=where.name))

    make.location = location  # type: ignore[attr-defined]
    make.kept = kept  # type: ignore[attr-defined]
    return make


@pytest.fixture(scope="session")
def duckdb_only(backend: str) -> None:
    """For tests that reach under the store into the DuckDB file itself (a process holding its lock, a copy of it)."""
    if backend != "duckdb":
        pytest.skip("needs the DuckDB file")


@pytest.fixture
def store(empty_database: Path, db_path: Path, catalogue: Catalogue, backend: str, store_factory: StoreFactory) -> Store:
    """An initialised, empty database of the test's own at db_path (DuckDB: a copy of the one built once)."""
    if backend == "duckdb":
        return copied_store(empty_database, db_path, catalogue)
    handle = store_factory(db_path, lock_timeout=1.0)
    handle.initialise(catalogue)
    return handle


@pytest.fixture(scope="module")
def read_only_demo_store(demo_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A copy of the session's demo database shared by one module's tests (for modules none of whose tests write)."""
    path = tmp_path_factory.mktemp("shared_demo") / "demo.duckdb"
    shutil.copyfile(demo_database, path)
    return Store(path)


@pytest.fixture
def demo_store(demo_database: Path, db_path: Path, catalogue: Catalogue) -> Store:
    """The `store` fixture with the demo data already loaded, as the first run leaves it."""
    return copied_store(demo_database, db_path, catalogue)


COMMANDS = {  # `python -m NAME` -> the module whose main(argv) it runs
    "indicators": "indicators.__main__",
    "loaders": "loaders.__main__",
    "loaders.backup": "loaders.backup",
    "indicators.users": "indicators.users",
}


@pytest.fixture
def command(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., subprocess.CompletedProcess[str]]:
    """`python -m NAME ARGS…` run in this process, as the real one runs it (main(argv) through indicators.cli.run):
    command(NAME, *ARGS, env={VAR: value or None to unset}, stdin=TEXT) gives its exit code, stdout and stderr."""

    def call(name: str, *args: str, env: dict[str, str | None] | None = None,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        for key, value in (env or {}).items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))  # not a terminal, as with a pipe
        capsys.readouterr()  # only this command's output
        main = importlib.import_module(COMMANDS[name]).main
        try:
            code = run(main, list(args))
        except SystemExit as exc:  # argparse: 2 for a usage error, 0 after --help
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        captured = capsys.readouterr()
        return subprocess.CompletedProcess([sys.executable, "-m", name, *args], code, captured.out, captured.err)

    return call


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "数据", header: list[str] | None = TEMPLATE_HEADER) -> Path:
    """A workbook with one sheet: the header (if any) and the given rows."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


# A small, valid long-template table and its broken twin (each break named with the cell it is in).
GOOD_ROWS: list[list[object]] = [
    ["天津市", "空气质量优良天数比例", 2021, None, 72.3, "%", "正式", "2021年天津市统计公报", None],
    ["天津", "空气质量优良天数比例", 2022, None, 65.8, "%", "正式", "2022年天津市统计公报", None],
    ["120000", "单位地区生产总值能耗下降率", 2021, None, 3.2, "%", "正式", "公报", None],
    ["广东湛江", "非石化能源装机比重", 2023, None, "45.6%", "%", "初步", "湛江市统计局", "征求意见稿写作非石化"],
    ["湛江市", "生活垃圾无害化处理率", 2025, 6, 100, "%", "初步", None, "1-6月"],
    ["湛江", "国家高新技术企业数量", 2024, None, "1,234", "家", None, "科技局", None],
]
BROKEN_ROWS: list[list[object]] = [
    ["天津市", "空气质量优良天数比率X", 2021, None, 72.3, "%", "正式", "公报", None],  # B2 unknown indicator
    ["天律市", "空气质量优良天数比例", 2022, None, 65.8, "%", "正式", "公报", None],  # A3 unknown region
    ["天津市", "非化石能源消费比重", "二〇二一", None, 9.0, "%", "正式", "公报", None],  # C4 bad year
    ["天津市", "非化石能源消费比重", 2022, None, "abc", "%", "正式", "公报", None],  # E5 not a number
    ["天津市", "国家高新技术企业数量", 2022, None, 9000, "吨", "正式", "公报", None],  # F6 incompatible unit
    ["天津市", "国家高新技术企业数量", 2023, 13, 9500, "家", "正式", "公报", None],  # D7 bad month
    ["天津市", "国家高新技术企业数量", 2024, None, 9600, "家", "已发布", "公报", None],  # G8 bad status
]
BROKEN_CELLS = ["B2", "A3", "C4", "E5", "F6", "D7", "G8"]


def write_version_1_database(path: Path) -> None:
    """A database as schema version 1 left it (before the audit log and target tables), with one batch and one value."""
    con = duckdb.connect(str(path))
    for sql in MIGRATIONS[0]:
        con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO batches VALUES (1, 'import', 'old.xlsx', ?, '数据', 'someone', TIMESTAMP '2024-01-01 00:00:00', "
                "1, 1, 0, 0, NULL, NULL, NULL)", ["e" * 64])
    con.execute("INSERT INTO observations VALUES (1, 1, 'tianjin', 'good_air_quality_days_ratio', 2023, NULL, 67.1, '%', '正式', "
                "'公报', NULL)")
    con.close()


def write_version_2_database(path: Path) -> None:
    """A database as schema version 2 left it (ids by MAX(id) + 1, no sequences), its ids with gaps: batches 1 and 4
    (2 and 3 removed), observations up to 9, audit rows up to 7, target entries up to 5."""
    con = duckdb.connect(str(path))
    for sql in [*MIGRATIONS[0], *MIGRATIONS[1]]:
        con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    for batch_id in (1, 4):
        con.execute("INSERT INTO batches VALUES (?, 'import', 'old.xlsx', ?, '数据', 'someone', TIMESTAMP '2024-01-01 00:00:00', "
                    "1, 1, 0, 0, NULL, NULL, NULL)", [batch_id, "e" * 64])
    for obs_id, batch_id, year in ((3, 1, 2022), (9, 4, 2023)):
        con.execute("INSERT INTO observations VALUES (?, ?, 'tianjin', 'good_air_quality_days_ratio', ?, NULL, 67.1, '%', '正式', "
                    "'公报', NULL)", [obs_id, batch_id, year])
    con.execute("INSERT INTO audit_log VALUES (7, TIMESTAMP '2024-01-01 00:00:00', 'someone', 'import', '4', 'old.xlsx', NULL, NULL)")
    con.execute("INSERT INTO target_overrides VALUES (5, 'zhanjiang_2023_draft', 'co2_intensity_reduction', 18.0, 'admin', "
                "TIMESTAMP '2024-01-01 00:00:00', NULL)")
    con.close()
