"""Crafted backup files, each made by one small function from a copy of a real database, with what a restore must do.

`HOSTILE_BACKUPS` lists them. A case is either refused (`expected_zh`: a fragment of the Chinese message) or
neutralised: restored with only our own tables' rows, nothing else of the file surviving. Every case may try to
write `Bait.marker` or read `Bait.secret`; neither may happen. The files are DuckDB files crafted with duckdb itself,
so the tests using them need the DuckDB backend.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from tests.conftest import write_version_2_database


@dataclass(frozen=True)
class Bait:
    marker: Path  # a file no restore may create
    secret: Path  # a file whose contents no page may show
    secret_text: str


@dataclass(frozen=True)
class HostileBackup:
    name: str
    craft: Callable[[duckdb.DuckDBPyConnection, Bait], None]
    outcome: Literal["refused", "neutralised"]
    expected_zh: str = ""  # a fragment of the refusal
    base: Literal["current", "version 2"] = "current"


def _sql(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_named_with_a_second_statement(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    # SELECT COUNT(*) FROM bak."<name>" built from this name runs: SELECT … FROM bak."x"; COPY (SELECT 1) TO '<marker>'; --"
    con.execute('CREATE TABLE "x" (a INTEGER)')
    con.execute(f"CREATE TABLE {_quoted('x' + chr(34) + '; COPY (SELECT 1) TO ' + _sql(bait.marker) + '; --')} (a INTEGER)")


def view_reading_a_file(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("DROP VIEW current_observations")
    con.execute(f"""CREATE VIEW current_observations AS
        SELECT obs_id, batch_id, region_id, indicator_id, year, month, value, unit, status,
               (SELECT content FROM read_text({_sql(bait.secret)})) AS source, note FROM observations""")


def macros_shadowing_functions_we_use(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("CREATE MACRO nextval(s) AS 1")  # every id would be 1
    con.execute("CREATE MACRO max(x) AS 0")  # sequences would start at 1


def extra_schema_and_type(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("CREATE SCHEMA extra")
    con.execute("CREATE TABLE extra.observations AS SELECT * FROM main.observations")
    con.execute("UPDATE extra.observations SET source = 'FROM-THE-EXTRA-SCHEMA'")
    con.execute("CREATE TYPE mood AS ENUM ('calm', 'angry')")
    con.execute("CREATE TABLE moods (m mood)")


def observations_as_a_view(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("CREATE TABLE kept_rows AS SELECT * FROM observations")
    con.execute("DROP VIEW current_observations")
    con.execute("DROP TABLE observations")
    con.execute(f"CREATE VIEW observations AS SELECT * REPLACE ((SELECT content FROM read_text({_sql(bait.secret)})) AS source) "
                "FROM kept_rows")


def version_with_letters(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("UPDATE meta SET value = '2abc' WHERE key = 'schema_version'")


def version_3_without_sequences(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    for sequence in ("batch_id_seq", "obs_id_seq", "audit_id_seq", "override_id_seq"):
        con.execute(f"DROP SEQUENCE {sequence}")


def sequences_behind_the_ids(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    for sequence in ("batch_id_seq", "obs_id_seq", "audit_id_seq", "override_id_seq"):
        con.execute(f"DROP SEQUENCE {sequence}")
        con.execute(f"CREATE SEQUENCE {sequence} START WITH 1")  # the next id would be one already used


def newer_than_our_schema(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")


def without_the_current_observations_view(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("DROP VIEW current_observations")


def control_characters_in_stored_text(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    # \x01 makes every xlsx export fail; U+202E makes a name read backwards (the import strips both)
    con.execute("UPDATE observations SET source = source || chr(1) || chr(8238) WHERE obs_id = (SELECT MIN(obs_id) FROM observations)")
    con.execute("UPDATE batches SET file_name = chr(27) || file_name")


def ids_too_large_to_continue(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    # passes every check of the file; only the upgrade to version 3 (sequences from MAX(id) + 1) fails
    con.execute("UPDATE target_overrides SET override_id = 9223372036854775807")


def a_value_that_is_not_finite(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    con.execute("UPDATE observations SET value = 'inf'::DOUBLE WHERE obs_id = (SELECT MIN(obs_id) FROM observations)")


def duplicate_ids(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    _replace_observations(con, "SELECT * FROM old_rows UNION ALL (SELECT * FROM old_rows ORDER BY obs_id LIMIT 1)")


def a_column_of_another_type(con: duckdb.DuckDBPyConnection, bait: Bait) -> None:
    _replace_observations(con, "SELECT * REPLACE ('abc' AS value) FROM old_rows")


def _replace_observations(con: duckdb.DuckDBPyConnection, rows_sql: str) -> None:
    """observations rebuilt without its constraints (CREATE TABLE AS keeps the column types)."""
    con.execute("CREATE TABLE old_rows AS SELECT * FROM observations")
    con.execute("DROP VIEW current_observations")
    con.execute("DROP TABLE observations")
    con.execute(f"CREATE TABLE observations AS {rows_sql}")
    con.execute("DROP TABLE old_rows")


HOSTILE_BACKUPS = [
    HostileBackup("table named with a second statement", table_named_with_a_second_statement, "neutralised"),
    HostileBackup("view reading a file", view_reading_a_file, "neutralised"),
    HostileBackup("macros shadowing functions we use", macros_shadowing_functions_we_use, "neutralised"),
    HostileBackup("extra schema and type", extra_schema_and_type, "neutralised"),
    HostileBackup("observations as a view", observations_as_a_view, "refused", "observations 是视图"),
    HostileBackup("schema version 2abc", version_with_letters, "refused", "结构版本“2abc”无法识别"),
    HostileBackup("version 3 without sequences", version_3_without_sequences, "neutralised"),
    HostileBackup("sequences behind the ids", sequences_behind_the_ids, "neutralised"),
    HostileBackup("newer than our schema", newer_than_our_schema, "refused", "结构版本为 99"),
    HostileBackup("without the current_observations view", without_the_current_observations_view, "neutralised"),
    HostileBackup("control characters in stored text", control_characters_in_stored_text, "neutralised"),
    HostileBackup("ids too large to continue", ids_too_large_to_continue, "refused", "无法恢复", base="version 2"),
    HostileBackup("a value that is not finite", a_value_that_is_not_finite, "refused", "非有限数值"),
    HostileBackup("duplicate ids", duplicate_ids, "refused", "无法恢复"),
    HostileBackup("a column of another type", a_column_of_another_type, "refused", "列与本系统不符"),
]
REFUSED = [case for case in HOSTILE_BACKUPS if case.outcome == "refused"]
NEUTRALISED = [case for case in HOSTILE_BACKUPS if case.outcome == "neutralised"]


def write_hostile_backup(case: HostileBackup, base: Path, out: Path, bait: Bait) -> Path:
    """`base` (a closed, checkpointed database file; for a version-2 case, ignored) copied to `out` and crafted."""
    if case.base == "version 2":
        write_version_2_database(out)
    else:
        shutil.copyfile(base, out)
    con = duckdb.connect(str(out))
    try:
        case.craft(con, bait)
    finally:
        con.close()
    return out
