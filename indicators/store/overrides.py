"""Targets an administrator enters (values a plan leaves to a higher authority), kept with who and when.

Why a module: these are the store's only writes besides observations and the audit log, with their own
history table; which targets may be entered, and how they are applied, is indicators/targets.py's business.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from indicators.store.transaction import now

if TYPE_CHECKING:
    from indicators.store.transaction import Database


def target_overrides(db: Database) -> dict[tuple[str, str], float]:
    """(plan id, indicator id) → the value an administrator entered last (cleared ones left out)."""
    frame = db.query(
        "SELECT plan_id, indicator_id, value FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY plan_id, indicator_id "
        "ORDER BY override_id DESC) AS rn FROM target_overrides) latest WHERE rn = 1 AND value IS NOT NULL"
    )
    return {(p, i): float(v) for p, i, v in frame.itertuples(index=False)}


def target_override_history(db: Database) -> pd.DataFrame:
    """Every target value an administrator entered or cleared, newest first, with who and when."""
    return db.query(
        "SELECT override_id, plan_id, indicator_id, value, set_by, set_at, note FROM target_overrides ORDER BY override_id DESC"
    )


def set_target_override(db: Database, plan_id: str, indicator_id: str, value: float | None, actor: str,
                        note: str | None = None) -> None:
    """Record a target value (None clears it) and its audit row in one transaction."""
    with db.write(actor, "set_target", subject=f"{plan_id}/{indicator_id}",
                  detail=json.dumps({"value": value, "note": note}, ensure_ascii=False),
                  bump_version=True) as tx:  # a target's value changes its status: every reader must notice
        tx.con.execute(
            "INSERT INTO target_overrides (override_id, plan_id, indicator_id, value, set_by, set_at, note) "
            "VALUES (nextval('override_id_seq'), ?, ?, ?, ?, ?, ?)",
            [plan_id, indicator_id, value, actor, now(), note],
        )
