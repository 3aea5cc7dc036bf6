"""The schema: its migrations and version, the meta table, and the mirror of the YAML catalogue.

Why a module: what the database looks like, and how a database of any earlier version becomes the current
one, is read in one place. Each MIGRATIONS entry upgrades the schema by one version and is never edited
once released; `initialise` runs the missing ones, through the one write path, in one transaction.
SQL here stays portable (standard types, window functions; sequences as PostgreSQL and DuckDB spell them).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indicators.catalogue import Catalogue
from indicators.inert_text import for_terminal
from indicators.store.backend import Connection
from indicators.store.errors import StoreError

if TYPE_CHECKING:
    from indicators.store.transaction import Database

DATA_VERSION_KEY = "data_version"  # meta key: a fresh random value with every write that changes current values
# meta keys the store sets itself: a restore never takes them from the file (it stamps, bumps or recomputes them)
OWNED_META_KEYS = ("schema_version", "catalogue", DATA_VERSION_KEY)
# tables mirroring the YAML catalogue: rebuilt from the catalogue, never restored from a file
MIRROR_TABLES = ("cat_targets", "cat_plans", "cat_regions", "cat_indicators")
# tables of who is logged in: never copied into a backup nor out of one (a restore logs everybody out)
TRANSIENT_TABLES = ("login_sessions",)
MAX_VERSION_DIGITS = 6  # a schema version is a small whole number
MAX_SHOWN_VERSION = 40  # characters of a malformed version quoted in the message


@dataclass(frozen=True)
class CreateSequence:
    """A migration step: CREATE SEQUENCE `name`, starting one past the largest `column` already in `table`
    (so ids continue where MAX(id) + 1 left them in a database of an earlier version)."""

    name: str
    table: str
    column: str


# Each entry upgrades the schema by one version; never edit a released entry.
MIGRATIONS: list[list[str | CreateSequence]] = [
    [
        "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        """CREATE TABLE batches (
            batch_id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            sheet VARCHAR,
            imported_by VARCHAR NOT NULL,
            imported_at TIMESTAMP NOT NULL,
            row_count BIGINT NOT NULL,
            new_count BIGINT NOT NULL,
            changed_count BIGINT NOT NULL,
            unchanged_count BIGINT NOT NULL,
            note VARCHAR,
            rolled_back_at TIMESTAMP,
            rolled_back_by VARCHAR)""",
        """CREATE TABLE observations (
            obs_id BIGINT PRIMARY KEY,
            batch_id BIGINT NOT NULL,  -- batches.batch_id; no FOREIGN KEY: DuckDB cannot delete a parent in the child's transaction
            region_id VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            year INTEGER NOT NULL,
            month INTEGER,
            value DOUBLE NOT NULL,
            unit VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            note VARCHAR)""",
        "CREATE INDEX observations_key ON observations (region_id, indicator_id, year)",
        """CREATE VIEW current_observations AS
            SELECT obs_id, batch_id, region_id, indicator_id, year, month, value, unit, status, source, note
            FROM (
                SELECT o.*, ROW_NUMBER() OVER (
                    PARTITION BY o.region_id, o.indicator_id, o.year, o.month
                    ORDER BY o.obs_id DESC) AS rn
                FROM observations o JOIN batches b ON b.batch_id = o.batch_id
                WHERE b.rolled_back_at IS NULL) ranked
            WHERE rn = 1""",
        # A mirror of the YAML catalogue, for joins in SQL tools and exports.
        """CREATE TABLE cat_indicators (id VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR,
            unit VARCHAR, direction VARCHAR, kind VARCHAR, area VARCHAR, decimals INTEGER)""",
        """CREATE TABLE cat_regions (id VARCHAR PRIMARY KEY, name_zh VARCHAR, name_en VARCHAR,
            code VARCHAR, level VARCHAR, parent VARCHAR)""",
        """CREATE TABLE cat_plans (id VARCHAR PRIMARY KEY, title_zh VARCHAR, region_id VARCHAR,
            status VARCHAR, date_issued DATE, base_year INTEGER, target_year INTEGER)""",
        """CREATE TABLE cat_targets (plan_id VARCHAR, indicator_id VARCHAR, value DOUBLE, bound VARCHAR,
            clause VARCHAR, quote VARCHAR, PRIMARY KEY (plan_id, indicator_id))""",
    ],
    [  # 2: audit log and targets entered by an administrator (values the plan leaves to a higher authority)
        """CREATE TABLE audit_log (
            audit_id BIGINT PRIMARY KEY,
            occurred_at TIMESTAMP NOT NULL,
            actor VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            subject VARCHAR,
            file_name VARCHAR,
            sha256 VARCHAR,
            detail VARCHAR)""",
        """CREATE TABLE target_overrides (
            override_id BIGINT PRIMARY KEY,
            plan_id VARCHAR NOT NULL,
            indicator_id VARCHAR NOT NULL,
            value DOUBLE,  -- NULL: cleared, the plan's pending text shows again
            set_by VARCHAR NOT NULL,
            set_at TIMESTAMP NOT NULL,
            note VARCHAR)""",
    ],
    [  # 3: ids from sequences (nextval in every insert), not MAX(id) + 1, which would race on a server database
        CreateSequence("batch_id_seq", "batches", "batch_id"),
        CreateSequence("obs_id_seq", "observations", "obs_id"),
        CreateSequence("audit_id_seq", "audit_log", "audit_id"),
        CreateSequence("override_id_seq", "target_overrides", "override_id"),
    ],
    [  # 4: password logins that last beyond one tab (indicators/store/login_sessions.py); a small table, no index
        """CREATE TABLE login_sessions (
            session_id VARCHAR PRIMARY KEY,  -- random; names the session in the audit log, never a credential alone
            token_hash VARCHAR,  -- sha256 of the cookie's token (never the token); NULL until the ticket is redeemed
            ticket_hash VARCHAR,  -- sha256 of the one-time ticket that sets the cookie; NULL once redeemed
            ticket_expires_at TIMESTAMP,
            user_name VARCHAR NOT NULL,
            password_fingerprint VARCHAR NOT NULL,  -- digest of the password hash logged in with: a reset ends it
            created_at TIMESTAMP NOT NULL,
            last_seen_at TIMESTAMP NOT NULL,  -- written at most every few minutes; idle expiry counts from it
            revoked_at TIMESTAMP,
            revoked_by VARCHAR,
            revoke_reason VARCHAR,  -- logout, password_reset, user_removed, password_changed, user_gone, expired
            client_address VARCHAR)""",
    ],
    [  # 5: plans published from the dashboard. Append-only: every version is a row, a withdrawal is a row of its own;
        # the current version of a plan is its latest version without a withdrawal (published_plans.py).
        """CREATE TABLE published_plans (
            version_id BIGINT PRIMARY KEY,
            plan_id VARCHAR NOT NULL,
            version INTEGER NOT NULL,
            document VARCHAR NOT NULL,  -- JSON: the plan, and the indicators and regions created for it
            source_text VARCHAR NOT NULL,  -- the plan's text, which every quote must be verbatim in
            published_by VARCHAR NOT NULL,
            published_at TIMESTAMP NOT NULL,
            note VARCHAR)""",
        "CREATE INDEX published_plans_key ON published_plans (plan_id, version)",
        """CREATE TABLE plan_withdrawals (
            withdrawal_id BIGINT PRIMARY KEY,
            version_id BIGINT NOT NULL,  -- published_plans.version_id (no FOREIGN KEY, as for observations)
            withdrawn_by VARCHAR NOT NULL,
            withdrawn_at TIMESTAMP NOT NULL,
            note VARCHAR)""",
        CreateSequence("plan_version_id_seq", "published_plans", "version_id"),
        CreateSequence("plan_withdrawal_id_seq", "plan_withdrawals", "withdrawal_id"),
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)

# Every name our own migrations create or use. SQL that must format an identifier (a table, a column, a sequence)
# takes it through `own_name`, which refuses anything else: no name read from a file, a form or a URL can get in.
_OWN_NAMES = frozenset(
    re.findall(r"[a-z_][a-z0-9_]*", " ".join(s for step in MIGRATIONS for s in step if isinstance(s, str)).lower())
) | {n for step in MIGRATIONS for s in step if isinstance(s, CreateSequence) for n in (s.name, s.table, s.column)}


def own_name(name: str, *, quoted: bool = True) -> str:
    """`name` (quoted as an SQL identifier unless `quoted` is False) if it is one of the schema's own names, which are
    plain snake_case; anything else is a bug and raises ValueError."""
    if name not in _OWN_NAMES:
        raise ValueError(f"not one of the store's own names: {name!r}")
    return f'"{name}"' if quoted else name


def initialise(db: Database, catalogue: Catalogue) -> None:
    """Create or migrate the schema and mirror the catalogue; idempotent and cheap when current.

    A database of a newer schema is refused, never stamped down to this version (its tables would be misread)."""
    fingerprint = catalogue_fingerprint(catalogue)
    if db.backend.exists():
        with db.connection() as con:
            version = schema_version(con, named(db.where))
            refuse_newer(version, named(db.where))  # before asking for the write lock it will not need
            if version == SCHEMA_VERSION and get_meta(con, "catalogue") == fingerprint:
                return
    with db.write() as tx:
        con = tx.con
        upgrade(con, schema_version(con, named(db.where)), named(db.where))  # read again under the write lock
        if get_meta(con, "catalogue") != fingerprint:
            _mirror_catalogue(con, catalogue)
            set_meta(con, "catalogue", fingerprint)
        if get_meta(con, DATA_VERSION_KEY) is None:
            set_meta(con, DATA_VERSION_KEY, uuid.uuid4().hex)


def named(where: object) -> tuple[str, str]:
    """How messages name a database at `where` (Chinese, English)."""
    return f"数据库 {where}", f"Database {where}"


def refuse_newer(version: int, names: tuple[str, str]) -> None:
    """A database of a newer schema than ours is never read as ours, nor stamped down (`names`: `named`)."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{names[0]} 的结构版本为 {version}，比本程序支持的 {SCHEMA_VERSION} 新：请使用更新版本的程序。未做任何更改。",
            f"{names[1]} has schema version {version}, newer than this program's {SCHEMA_VERSION}: use a newer "
            "version of the program. Nothing was changed.")


def upgrade(con: Connection, version: int, names: tuple[str, str]) -> None:
    """Run the migrations after `version` and stamp the current version; refuses a newer database."""
    refuse_newer(version, names)
    for step in MIGRATIONS[version:]:
        for statement in step:
            _apply(con, statement)
    set_meta(con, "schema_version", str(SCHEMA_VERSION))


def create_tables(con: Connection, first: int, last: int) -> None:
    """The tables, views and indexes of migrations first+1 … last, without their sequences (a copy numbers them from
    its copied ids afterwards: `create_sequences`)."""
    for step in MIGRATIONS[first:last]:
        for statement in step:
            if not isinstance(statement, CreateSequence):
                con.execute(statement)


def create_sequences(con: Connection, version: int) -> None:
    """The sequences of migrations 1 … `version`, each starting one past the largest id its table holds."""
    for step in MIGRATIONS[:version]:
        for statement in step:
            if isinstance(statement, CreateSequence):
                _apply(con, statement)


def _apply(con: Connection, statement: str | CreateSequence) -> None:
    if isinstance(statement, CreateSequence):
        column, table, name = own_name(statement.column), own_name(statement.table), own_name(statement.name)
        start = int(con.fetchall(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}")[0][0])
        con.execute(f"CREATE SEQUENCE {name} START WITH {start:d}")  # DDL takes no parameters: an int we computed
    else:
        con.execute(statement)


def has_table(con: Connection, table: str) -> bool:
    """Whether the connected database has a table (or view) of that name in its default schema (an attached
    database's tables do not count)."""
    return bool(con.fetchall("SELECT COUNT(*) FROM information_schema.tables WHERE table_catalog = current_database() "
                             "AND table_schema = current_schema() AND table_name = ?", [table])[0][0])


def schema_version(con: Connection, names: tuple[str, str] = ("数据库", "The database")) -> int:
    """The connected database's schema version (0: no schema yet); StoreError (`names`: `named`) when not a number."""
    if not has_table(con, "meta"):
        return 0
    rows = con.fetchall("SELECT value FROM meta WHERE key = 'schema_version'")
    return parse_version(rows[0][0] if rows else None, names)


def parse_version(text: object, names: tuple[str, str]) -> int:
    """A schema version as stored in meta; None (none stored) is 0. Only plain ASCII digits count: int() would also take
    ' 3', '３' or '3_0', and a raw ValueError is no message for a user."""
    if text is None:
        return 0
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= MAX_VERSION_DIGITS:
        return int(text)
    shown = for_terminal(str(text)[:MAX_SHOWN_VERSION])
    raise StoreError(f"{names[0]} 的结构版本“{shown}”无法识别（应为整数），文件可能已被改动。未做任何更改。",
                     f"{names[1]} has an unreadable schema version '{shown}' (not a whole number); the file may "
                     "have been altered. Nothing was changed.")


def get_meta(con: Connection, key: str) -> str | None:
    """A meta value (the meta table must exist: `meta` below checks)."""
    rows = con.fetchall("SELECT value FROM meta WHERE key = ?", [key])
    return rows[0][0] if rows else None


def meta(db: Database, key: str) -> str | None:
    """A meta value, or None (also when the database has no schema yet)."""
    with db.connection() as con:
        return get_meta(con, key) if has_table(con, "meta") else None


def set_meta(con: Connection, key: str, value: str) -> None:
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [key, value])


def holds_batches(con: Connection) -> bool:
    """Whether the connected database has recorded any batch (a database without one may be replaced freely)."""
    if not bool(con.fetchall(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = current_schema() AND table_name = 'batches'"
    )[0][0]):
        return False
    return int(con.fetchall("SELECT COUNT(*) FROM batches")[0][0]) > 0


def catalogue_fingerprint(catalogue: Catalogue) -> str:
    payload = {
        "indicators": [i.model_dump(mode="json") for i in catalogue.indicators.values()],
        "regions": [r.model_dump(mode="json") for r in catalogue.regions.values()],
        "plans": [p.model_dump(mode="json") for p in catalogue.plans.values()],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _mirror_catalogue(con: Connection, catalogue: Catalogue) -> None:
    for table in MIRROR_TABLES:
        con.execute(f"DELETE FROM {own_name(table)}")
    con.executemany(
        "INSERT INTO cat_indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [[i.id, i.name_zh, i.name_en, i.unit, i.direction, i.kind, i.area, i.decimals] for i in catalogue.indicators.values()],
    )
    con.executemany(
        "INSERT INTO cat_regions VALUES (?, ?, ?, ?, ?, ?)",
        [[r.id, r.name_zh, r.name_en, r.code, r.level, r.parent] for r in catalogue.regions.values()],
    )
    con.executemany(
        "INSERT INTO cat_plans VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[p.id, p.title_zh, p.region, p.status, p.date_issued, p.base_year, p.target_year] for p in catalogue.plans.values()],
    )
    con.executemany(
        "INSERT INTO cat_targets VALUES (?, ?, ?, ?, ?, ?)",
        [[p.id, t.indicator, t.value, t.bound, t.clause, t.quote] for p, t in catalogue.plan_targets()],
    )
