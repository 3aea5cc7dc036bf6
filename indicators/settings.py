"""Every setting read from the environment (`GTM_*`), with its default and meaning, in one place.

Each is read when asked for, not at import, so a test or a long-running process sees a changed variable.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from indicators.errors import InvalidArgument

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

DB_ENV = "GTM_DB"  # the database: a DuckDB file path (default data/gtm.duckdb), or a postgresql:// URL
USERS_ENV = "GTM_USERS"  # the users file (default data/users.toml, git-ignored, mode 0600)
USER_ENV = "GTM_USER"  # who the CLI records as doing an import or change when --user/--by is not given
LOCK_TIMEOUT_ENV = "GTM_LOCK_TIMEOUT"  # seconds a writer waits for another process holding the database
LOG_ENV = "GTM_LOG"  # the log file (default data/gtm.log, git-ignored)
DEBUG_ENV = "GTM_DEBUG"  # "1": the CLI prints the traceback behind an internal error
RECIPES_ENV = "GTM_RECIPES_DIR"  # where import recipes are saved and found (default data/recipes)
TRUSTED_PROXIES_ENV = "GTM_TRUSTED_PROXIES"  # comma-separated addresses of reverse proxies whose X-Forwarded-For is believed
SESSION_IDLE_ENV = "GTM_SESSION_IDLE_HOURS"  # hours a password login's session lasts without use (default 8)
PAUSE_ENV = "GTM_TEST_PAUSE_AT"  # TEST ONLY: "<point>:<marker file>" makes a writer stop at that point (crash tests)

DEFAULT_DB = DATA_DIR / "gtm.duckdb"
DEFAULT_USERS = DATA_DIR / "users.toml"
DEFAULT_LOG = DATA_DIR / "gtm.log"
DEFAULT_RECIPES_DIR = DATA_DIR / "recipes"
DEFAULT_LOCK_TIMEOUT = 10.0  # long enough to outlast a dashboard query, short enough to answer a user
DEFAULT_SESSION_IDLE_HOURS = 8.0  # a working day: a login left overnight has expired by the morning
MAX_SESSION_IDLE_HOURS = 24.0 * 90  # a quarter: longer is no expiry at all, and probably a typo


def _env(name: str) -> str | None:
    """The variable's value, or None when unset or empty."""
    return os.environ.get(name) or None


SERVER_URL_SCHEMES = ("postgresql://", "postgres://")  # a --db / GTM_DB value naming a PostgreSQL database


def db_location() -> str | None:
    return _env(DB_ENV)


def is_server_url(location: object) -> bool:
    """Whether a --db / GTM_DB value names a PostgreSQL database (postgresql://user:pass@host:port/db) rather than
    a DuckDB file."""
    return isinstance(location, str) and location.lower().startswith(SERVER_URL_SCHEMES)


def users_path() -> Path:
    value = _env(USERS_ENV)
    return Path(value) if value else DEFAULT_USERS


def acting_user() -> str | None:
    return _env(USER_ENV)


def lock_timeout() -> float:
    value = _env(LOCK_TIMEOUT_ENV)
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidArgument(f"环境变量 {LOCK_TIMEOUT_ENV} 应为不小于0的秒数，现为“{value}”。"
                              f"/ {LOCK_TIMEOUT_ENV} must be a number of seconds >= 0, not '{value}'.")
    return seconds


def log_path() -> Path:
    value = _env(LOG_ENV)
    return Path(value) if value else DEFAULT_LOG


def debug() -> bool:
    return _env(DEBUG_ENV) == "1"


def recipes_dir() -> Path:
    value = _env(RECIPES_ENV)
    return Path(value) if value else DEFAULT_RECIPES_DIR


def trusted_proxies() -> frozenset[str]:
    """Addresses of reverse proxies whose X-Forwarded-For names the client (none by default: the header is ignored)."""
    return frozenset(part.strip() for part in (_env(TRUSTED_PROXIES_ENV) or "").split(",") if part.strip())


def session_idle_hours() -> float:
    """Hours a login session may go unused before it expires (GTM_SESSION_IDLE_HOURS, > 0, at most a quarter)."""
    value = _env(SESSION_IDLE_ENV)
    if not value:
        return DEFAULT_SESSION_IDLE_HOURS
    try:
        hours = float(value)
    except ValueError:
        hours = math.nan
    if not math.isfinite(hours) or not 0 < hours <= MAX_SESSION_IDLE_HOURS:
        raise InvalidArgument(f"环境变量 {SESSION_IDLE_ENV} 应为大于0、不超过{MAX_SESSION_IDLE_HOURS:g}的小时数，现为“{value}”。"
                              f"/ {SESSION_IDLE_ENV} must be a number of hours > 0 and <= {MAX_SESSION_IDLE_HOURS:g}, "
                              f"not '{value}'.")
    return hours


def pause_spec() -> str | None:
    return _env(PAUSE_ENV)
