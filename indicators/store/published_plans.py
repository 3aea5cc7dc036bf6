"""Plans published from the dashboard, kept append-only: every version a row, a withdrawal a row of its own.

Why a module: the store keeps the documents and their history; what a document holds and whether it is a valid
plan is the domain's business (indicators/plans/published.py), which hands the store checked JSON. The current
version of a plan is its latest version that was not withdrawn; withdrawing a plan withdraws all its versions,
so it leaves the catalogue until it is published again (as a new version).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from indicators.store.errors import StoreError
from indicators.store.transaction import now

if TYPE_CHECKING:
    from indicators.store.transaction import Database

_NOT_WITHDRAWN = "NOT EXISTS (SELECT 1 FROM plan_withdrawals w WHERE w.version_id = p.version_id)"


@dataclass(frozen=True)
class StoredPlan:
    """One stored version of a published plan, as written (the document is JSON for the domain to read)."""

    plan_id: str
    version: int
    document: str
    source_text: str
    published_by: str
    published_at: dt.datetime
    note: str | None


def current_plans(db: Database) -> list[StoredPlan]:
    """The current version of every published plan (its latest version not withdrawn), by plan id."""
    with db.connection() as con:
        rows = con.fetchall(
            "SELECT plan_id, version, document, source_text, published_by, published_at, note FROM ("
            "SELECT p.*, ROW_NUMBER() OVER (PARTITION BY p.plan_id ORDER BY p.version DESC) AS rn "
            f"FROM published_plans p WHERE {_NOT_WITHDRAWN}) latest WHERE rn = 1 ORDER BY plan_id")
    return [StoredPlan(str(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), r[5], r[6]) for r in rows]


def plan_history(db: Database, plan_id: str | None = None) -> pd.DataFrame:
    """Every version of every published plan (or of one), newest first, with who published and who withdrew it."""
    where, params = ("WHERE p.plan_id = ?", [plan_id]) if plan_id is not None else ("", [])
    return db.query(
        "SELECT p.plan_id, p.version, p.published_by, p.published_at, p.note, w.withdrawn_by, w.withdrawn_at "
        "FROM published_plans p LEFT JOIN plan_withdrawals w ON w.version_id = p.version_id "
        f"{where} ORDER BY p.plan_id, p.version DESC", params)


def publish_plan(db: Database, plan_id: str, document: str, source_text: str, actor: str, *, target_count: int,
                 note: str | None = None) -> int:
    """Store a new version of `plan_id` (`document`: its JSON, checked by the caller) with its audit row; returns its
    version number. The data version moves: every dashboard instance reads the catalogue again."""
    with db.write(actor, "plan_publish", subject=plan_id, bump_version=True) as tx:
        latest = tx.con.fetchall("SELECT COALESCE(MAX(version), 0) FROM published_plans WHERE plan_id = ?", [plan_id])
        version = int(latest[0][0]) + 1
        tx.con.execute(
            "INSERT INTO published_plans (version_id, plan_id, version, document, source_text, published_by, "
            "published_at, note) VALUES (nextval('plan_version_id_seq'), ?, ?, ?, ?, ?, ?, ?)",
            [plan_id, version, document, source_text, actor, now(), note])
        tx.audit(detail=json.dumps({"version": version, "targets": target_count, "note": note}, ensure_ascii=False))
    return version


def withdraw_plan(db: Database, plan_id: str, actor: str, note: str | None = None) -> int:
    """Withdraw every version of a published plan (history kept; audited); returns how many versions were withdrawn.
    A plan with nothing left to withdraw is refused and nothing changes."""
    with db.write(actor, "plan_withdraw", subject=plan_id, bump_version=True) as tx:
        open_versions = tx.con.fetchall(
            f"SELECT p.version_id, p.version FROM published_plans p WHERE p.plan_id = ? AND {_NOT_WITHDRAWN}", [plan_id])
        if not open_versions:
            raise StoreError(f"没有已发布的方案“{plan_id}”可撤回（命令行 plan list 列出已发布的方案）。未做任何更改。",
                             f"There is no published plan '{plan_id}' to withdraw (plan list shows them). Nothing was changed.")
        at = now()
        tx.con.executemany(
            "INSERT INTO plan_withdrawals (withdrawal_id, version_id, withdrawn_by, withdrawn_at, note) "
            "VALUES (nextval('plan_withdrawal_id_seq'), ?, ?, ?, ?)",
            [[version_id, actor, at, note] for version_id, _ in open_versions])
        tx.audit(detail=json.dumps({"versions": sorted(int(v) for _, v in open_versions), "note": note}, ensure_ascii=False))
    return len(open_versions)
