"""The PostgreSQL backend on a real server (tests/postgres_server.py): selected by a URL, the same frames as DuckDB,
the write lock between sessions, the portable backup both ways, and `migrate --to` from a DuckDB database."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from indicators.catalogue import Catalogue
from indicators.store import BatchInfo, Store, StoreBusyError, StoreError, resolve_db_path
from indicators.store.backend import Backend, Connection
from indicators.store.postgres_backend import PostgresBackend, shown_url, translate
from loaders.backup import backup, restore
from loaders.demo import seed_demo_if_first_run
from loaders.export import export_frame
from tests.conftest import copied_store, postgres_url
from tests.postgres_server import Server

AIR = "good_air_quality_days_ratio"


def rows(year: int, value: float) -> pd.DataFrame:
    return pd.DataFrame([{"region_id": "tianjin", "indicator_id": AIR, "year": year, "month": None, "value": value,
                          "unit": "%", "status": "正式", "source": "公报", "note": None}])


def server_store(postgres: Server, tmp_path: Path, name: str, catalogue: Catalogue, *, lock_timeout: float = 1.0) -> Store:
    store = Store(postgres_url(postgres, tmp_path / name), lock_timeout=lock_timeout)
    store.initialise(catalogue)
    return store


def busy(store: Store) -> Store:
    """Every table with rows: imports (one a revision), a rollback, a target an administrator entered."""
    store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst"), rows(2025, 70.1))
    second = store.write_batch(BatchInfo("b.xlsx", "b" * 64, "analyst"), rows(2025, 71.0))
    store.rollback_batch(second.batch_id, "analyst")
    store.set_target_override("zhanjiang_2023_draft", "co2_intensity_reduction", 18.0, "admin", "省下达")
    return store


def test_a_postgresql_url_selects_the_server_and_a_path_keeps_duckdb(monkeypatch, tmp_path):
    url = "postgresql://gtm:s3cret@db.example:5432/gtm"
    monkeypatch.setenv("GTM_DB", url)
    assert resolve_db_path() == url and resolve_db_path(str(tmp_path / "a.duckdb")) == tmp_path / "a.duckdb"
    on_server, on_file = Store(url), Store(tmp_path / "a.duckdb")
    assert on_server.on_server and isinstance(on_server._db.backend, PostgresBackend) and not on_file.on_server
    assert str(on_server.where) == "postgresql://gtm@db.example:5432/gtm"  # messages never show the password
    assert "s3cret" not in shown_url("postgres://u:s3cret@h/d")


def test_portable_sql_is_translated_for_psycopg_and_comments_and_literals_are_left_alone():
    assert translate("SELECT * FROM t WHERE a = ? AND b LIKE '%?%'") == "SELECT * FROM t WHERE a = %s AND b LIKE '%%?%%'"
    ddl = "CREATE TABLE t (v DOUBLE,  -- the plan's value?\n w DOUBLE PRECISION)"
    assert translate(ddl) == "CREATE TABLE t (v DOUBLE PRECISION,  -- the plan's value?\n w DOUBLE PRECISION)"
    assert translate("INSERT INTO t VALUES ('DOUBLE', ?)") == "INSERT INTO t VALUES ('DOUBLE', %s)"  # DDL only


def test_the_postgres_backend_implements_the_protocol(postgres, tmp_path):
    backend = PostgresBackend(postgres_url(postgres, tmp_path / "p"))
    assert isinstance(backend, Backend)
    con = backend.connect(write=True)
    try:
        assert isinstance(con, Connection)
        with con.transaction():
            con.execute("CREATE SEQUENCE batch_id_seq START WITH 3")
            con.execute("CREATE TABLE batches (batch_id BIGINT, note VARCHAR, row_count INTEGER)")
            con.insert_frame("batches", pd.DataFrame({"note": ["a", "b", None], "row_count": [3, 1, 2]}),
                             id_column="batch_id", sequence="batch_id_seq")
        assert con.fetchall("SELECT batch_id, note, row_count FROM batches ORDER BY batch_id") == [
            (3, "a", 3), (4, "b", 1), (5, None, 2)]  # ids in row order, NULL kept
        with pytest.raises(RuntimeError), con.transaction():
            con.execute("INSERT INTO batches VALUES (9, 'x', 0)")
            raise RuntimeError
        assert con.fetchall("SELECT COUNT(*) FROM batches") == [(3,)]
        with con.staged("incoming", pd.DataFrame({"k": [1, 2]})):
            assert list(con.frame("SELECT k * 2 AS k FROM incoming")["k"]) == [2, 4]
            assert list(con.arrays("SELECT k FROM incoming")["k"]) == [1, 2]
        assert con.fetchall("SELECT to_regclass('pg_temp.incoming') IS NULL") == [(True,)]  # gone after the block
    finally:
        con.close()


def test_reads_give_the_same_frames_on_both_backends(postgres, tmp_path, catalogue, demo_store):
    pg = server_store(postgres, tmp_path, "same", catalogue)
    seed_demo_if_first_run(pg, catalogue)
    for store in (pg, demo_store):
        store.write_batch(BatchInfo("m.xlsx", "m" * 64, "analyst"), rows(2025, 70.1).assign(month=6))
    stamps = ["imported_at", "rolled_back_at", "occurred_at", "set_at"]  # when, not what
    for read in ("current_observations", "batches", "audit_log", "target_override_history", "batch_row_counts"):
        on_server, on_file = getattr(pg, read)(), getattr(demo_store, read)()
        assert dict(on_server.dtypes.astype(str)) == dict(on_file.dtypes.astype(str)), read
        pd.testing.assert_frame_equal(on_server.drop(columns=stamps, errors="ignore"), on_file.drop(columns=stamps, errors="ignore"),
                                      obj=read)
    history = pg.observation_history("tianjin", AIR)
    assert str(history["month"].dtype) == "Int32" and str(history["imported_at"].dtype) == "datetime64[us]"
    pd.testing.assert_frame_equal(export_frame(pg, catalogue), export_frame(demo_store, catalogue))


def test_a_writer_waits_for_another_sessions_write_lock_then_says_retry(postgres, tmp_path, catalogue):
    store = server_store(postgres, tmp_path, "locked", catalogue, lock_timeout=0.5)
    other_session = PostgresBackend(postgres_url(postgres, tmp_path / "locked")).connect(write=True)  # as an import would
    try:
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst"), rows(2025, 70.1))
        assert time.monotonic() - started >= 0.5
        assert "正被另一个程序写入" in caught.value.message_zh and str(store.where) in caught.value.message_en
        assert store.current_observations().empty  # readers are not held up, and nothing was written
    finally:
        other_session.close()
    store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst"), rows(2025, 70.1))  # once it lets go
    assert list(store.current_observations()["value"]) == [70.1]


def test_a_postgresql_stores_backup_restores_into_duckdb_and_postgresql_alike(postgres, tmp_path, catalogue):
    pg = busy(server_store(postgres, tmp_path, "source", catalogue))
    made = backup(pg, tmp_path / "snap.duckdb")
    assert made.counts["observations"] == 2 and made.counts["cat_plans"] == len(catalogue.plans)
    into_file = Store(tmp_path / "restored.duckdb")
    into_server = Store(postgres_url(postgres, tmp_path / "restored"))
    for target in (into_file, into_server):
        restore(target, catalogue, tmp_path / "snap.duckdb")
        pd.testing.assert_frame_equal(export_frame(target, catalogue), export_frame(pg, catalogue))
        pd.testing.assert_frame_equal(target.target_override_history().drop(columns="set_at"),
                                      pg.target_override_history().drop(columns="set_at"))
        assert list(target.audit_log()["action"][:1]) == ["restore"]


def test_migrate_copies_a_duckdb_database_into_postgresql_verified(postgres, tmp_path, catalogue, demo_database, command):
    source = busy(copied_store(demo_database, tmp_path / "gtm.duckdb", catalogue))
    url = postgres_url(postgres, tmp_path / "target")
    done = command("loaders", "migrate", "--db", str(source.path), "--to", url, "--user", "ops")
    assert done.returncode == 0, done.stderr
    assert "校验一致" in done.stdout or "verified equal" in done.stdout
    target = Store(url)
    pd.testing.assert_frame_equal(export_frame(target, catalogue), export_frame(source, catalogue))
    pd.testing.assert_frame_equal(target.batches(), source.batches())  # ids, times and who, unchanged
    pd.testing.assert_frame_equal(target.audit_log().iloc[1:].reset_index(drop=True), source.audit_log())
    assert target.audit_log().iloc[0]["actor"] == "ops"
    # the copy carries on numbering where the file left off, and takes writes
    after = target.write_batch(BatchInfo("d.xlsx", "d" * 64, "analyst"), rows(2027, 73.0))
    assert after.batch_id == int(source.batches()["batch_id"].max()) + 1
    again = command("loaders", "migrate", "--db", str(source.path), "--to", url)
    assert again.returncode == 1 and "--force" in again.stderr  # a target with data is not overwritten unasked
    wrong_way = command("loaders", "migrate", "--db", url, "--to", str(tmp_path / "x.duckdb"))
    assert wrong_way.returncode == 1 and "--to postgresql://" in wrong_way.stderr


@pytest.mark.usefixtures("app_state")
def test_the_dashboard_runs_on_postgresql_from_its_first_run(postgres, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP, PAGE_TIMEOUT

    url = postgres_url(postgres, tmp_path / "dashboard")
    monkeypatch.setenv("GTM_DB", url)
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    demo_line = "\n".join(str(h.proto.body) for h in at.html if "gtm-demo" in str(h.proto.body))
    assert "示例数据" in demo_line  # the first run created the schema and loaded the demo data there
    assert "\n".join(str(h.proto.body) for h in at.html).count('class="gtm-card"') == 17
    assert Store(url).has_demo_data()


def test_a_server_that_refuses_the_connection_is_named_without_the_password(postgres, tmp_path, catalogue):
    wrong = postgres.url("no_such_database").replace("postgres@", "postgres:s3cret@")
    with pytest.raises(StoreError) as caught:
        Store(wrong).initialise(catalogue)
    assert "无法连接数据库服务器" in caught.value.message_zh and "no_such_database" in caught.value.message_en
    assert "s3cret" not in str(caught.value)


def test_percent_signs_and_question_marks_in_literals_reach_the_server_as_written(postgres, tmp_path):
    con = PostgresBackend(postgres_url(postgres, tmp_path / "literal")).connect(write=False)
    try:
        assert con.fetchall("SELECT '100%' AS a, 'why?' AS b, ? AS c", ["x%?"]) == [("100%", "why?", "x%?")]
        assert con.fetchall("SELECT '50%'") == [("50%",)]
    finally:
        con.close()
