"""Observations and their batches: the reads, the comparison of incoming rows, and the writes of batches.

Why a module: the append-only model is one idea and lives here whole. Re-importing a changed value adds a
row; the current view shows the latest row of each key from batches not rolled back, so every earlier value
stays queryable and a rollback restores the state before it. A batch is written through the one write path
(transaction.py): all its rows and its audit row, or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from indicators.store.backend import Connection
from indicators.store.errors import StoreError
from indicators.store.schema import DATA_VERSION_KEY, get_meta, own_name, set_meta
from indicators.store.transaction import now, pause_point
from indicators.vocabulary import BATCH_KINDS, DATA_STATUSES, OBSERVATION_COLUMNS

if TYPE_CHECKING:
    from indicators.store.transaction import Database

# Fields whose change makes a re-imported row a revision (a note alone does not).
COMPARED_FIELDS = ["value", "unit", "status", "source"]
VALUE_TOLERANCE = 1e-9  # relative; float noise from spreadsheets is not a revision
KEY = ["region_id", "indicator_id", "year", "month"]


@dataclass(frozen=True)
class BatchInfo:
    file_name: str
    sha256: str
    imported_by: str
    sheet: str | None = None
    note: str | None = None
    kind: str = "import"


@dataclass(frozen=True)
class BatchResult:
    batch_id: int
    row_count: int
    new: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class Comparison:
    """Incoming rows marked new / changed / unchanged, and the state of the data they were compared with.

    `version` changes with every write that can change current values (a batch, a rollback, removing demo
    data), so a comparison whose version is still the database's can be written without comparing again.
    """

    marked: pd.DataFrame
    version: str | None


# --- reads ------------------------------------------------------------------------------------------------
def current_observations(db: Database, *, as_of: int | None = None, regions: Sequence[str] | None = None,
                         indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """The latest value of every (region, indicator, year, month), optionally filtered."""
    where: list[str] = ["1 = 1"]
    params: list[object] = []
    if as_of is not None:
        where.append("year <= ?")
        params.append(as_of)
    for column, values in (("region_id", regions), ("indicator_id", indicators)):
        if values is not None:
            if not values:
                where.append("1 = 0")
                continue
            where.append(f"{own_name(column)} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    return db.query(
        f"SELECT * FROM current_observations WHERE {' AND '.join(where)} "
        "ORDER BY region_id, indicator_id, year, month NULLS FIRST",
        params,
    )


def observation_history(db: Database, region_id: str, indicator_id: str, year: int | None = None) -> pd.DataFrame:
    """Every value ever recorded for a series (or one year), newest first, with its batch."""
    sql = (
        "SELECT o.year, o.month, o.value, o.unit, o.status, o.source, o.note, o.batch_id, "
        "b.file_name, b.imported_by, b.imported_at, b.rolled_back_at "
        "FROM observations o JOIN batches b ON b.batch_id = o.batch_id "
        "WHERE o.region_id = ? AND o.indicator_id = ?"
    )
    params: list[object] = [region_id, indicator_id]
    if year is not None:
        sql += " AND o.year = ?"
        params.append(year)
    return db.query(sql + " ORDER BY o.year, o.month NULLS FIRST, o.obs_id DESC", params)


def active_observation_log(db: Database) -> pd.DataFrame:
    """Every row of every batch not rolled back, oldest first, with its batch's time and file: the data versions
    one after another (what changed since the previous version, which values were revised)."""
    return db.query(
        "SELECT o.obs_id, o.batch_id, o.region_id, o.indicator_id, o.year, o.month, o.value, o.unit, o.status, o.source, "
        "b.kind, b.file_name, b.imported_by, b.imported_at "
        "FROM observations o JOIN batches b ON b.batch_id = o.batch_id WHERE b.rolled_back_at IS NULL ORDER BY o.obs_id"
    )


def batches(db: Database) -> pd.DataFrame:
    return db.query("SELECT * FROM batches ORDER BY batch_id")


def batch_row_counts(db: Database) -> pd.DataFrame:
    """Per batch: the rows it recorded as written (new + changed) and the rows present (an integrity check)."""
    return db.query(
        "SELECT b.batch_id, b.new_count + b.changed_count AS recorded, COUNT(o.obs_id) AS present "
        "FROM batches b LEFT JOIN observations o ON o.batch_id = b.batch_id "
        "GROUP BY b.batch_id, b.new_count, b.changed_count ORDER BY b.batch_id"
    )


# Each row of one batch with the value its key had just before the batch was written: the latest earlier row of
# the key from a batch that was not rolled back by then (NULL: the key was new).
_BATCH_ROWS_SQL = """
SELECT o.obs_id, o.region_id, o.indicator_id, o.year, o.month, o.value, o.unit, o.status, o.source, o.note,
       (SELECT p.value FROM observations p JOIN batches pb ON pb.batch_id = p.batch_id
        WHERE p.region_id = o.region_id AND p.indicator_id = o.indicator_id AND p.year = o.year
          AND p.month IS NOT DISTINCT FROM o.month AND p.obs_id < o.obs_id
          AND (pb.rolled_back_at IS NULL OR pb.rolled_back_at > b.imported_at)
        ORDER BY p.obs_id DESC LIMIT 1) AS old_value
FROM observations o JOIN batches b ON b.batch_id = o.batch_id
WHERE o.batch_id = ?
ORDER BY o.obs_id
"""


def batch_rows(db: Database, batch_id: int) -> pd.DataFrame:
    """The rows one batch wrote (its new and changed rows; unchanged rows are counted, not stored), each with
    `change` (new / changed) and `old_value`, the value its key had when the batch was written."""
    frame = db.query(_BATCH_ROWS_SQL, [batch_id])
    frame["change"] = np.where(frame["old_value"].isna(), "new", "changed") if not frame.empty else pd.Series(dtype=object)
    return frame


def observation_count(db: Database) -> int:
    return int(db.query("SELECT COUNT(*) AS n FROM current_observations")["n"].iloc[0])


def has_demo_data(db: Database) -> bool:
    """True while any demo batch is still active (drives the 示例数据 banner)."""
    frame = db.query("SELECT COUNT(*) AS n FROM batches WHERE kind = 'demo' AND rolled_back_at IS NULL")
    return bool(frame["n"].iloc[0])


# --- comparing and writing ----------------------------------------------------------------------------------
def compare(db: Database, rows: pd.DataFrame) -> Comparison:
    """Each incoming row marked new / changed / unchanged against the current view, with the data version it
    was compared with (one read transaction: both from one snapshot)."""
    incoming = _normalise_rows(rows)
    with db.connection() as con, con.transaction():
        return Comparison(_mark_changes(con, incoming), get_meta(con, DATA_VERSION_KEY))


def write_batch(db: Database, info: BatchInfo, rows: pd.DataFrame, *, compared: Comparison | None = None) -> BatchResult:
    """Record one batch atomically: its new and changed rows and its audit row, or nothing at all.

    `compared`: these rows as `compare` marked them for the preview; reused when no write has come in between.
    """
    if info.kind not in BATCH_KINDS:
        raise ValueError(f"unknown batch kind {info.kind}")
    if compared is not None and len(compared.marked) != len(rows):
        raise ValueError("compared is not a comparison of these rows")
    incoming = None if compared is not None else _normalise_rows(rows)
    action = "demo_load" if info.kind == "demo" else "import"
    with db.write(info.imported_by, action, file_name=info.file_name, sha256=info.sha256, bump_version=True) as tx:
        con = tx.con
        if compared is not None and compared.version is not None and get_meta(con, DATA_VERSION_KEY) == compared.version:
            marked = compared.marked
        else:
            marked = _mark_changes(con, incoming if incoming is not None else _normalise_rows(rows))
        counts = marked["change"].value_counts()
        new, changed, unchanged = (int(counts.get(change, 0)) for change in ("new", "changed", "unchanged"))
        batch_id = int(con.fetchall(
            "INSERT INTO batches (batch_id, kind, file_name, sha256, sheet, imported_by, imported_at, row_count, new_count, "
            "changed_count, unchanged_count, note) VALUES (nextval('batch_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING batch_id",
            [info.kind, info.file_name, info.sha256, info.sheet, info.imported_by, now(), len(marked), new, changed, unchanged,
             info.note],
        )[0][0])
        result = BatchResult(batch_id=batch_id, row_count=len(marked), new=new, changed=changed, unchanged=unchanged)
        pause_point("after-batch-row")
        _insert_frame(con, marked[marked["change"] != "unchanged"][OBSERVATION_COLUMNS], batch_id)
        tx.audit(subject=str(batch_id), detail=json.dumps({"rows": result.row_count, "new": new, "changed": changed,
                                                           "unchanged": unchanged, "sheet": info.sheet, "note": info.note},
                                                          ensure_ascii=False))
    return result


def rollback_batch(db: Database, batch_id: int, by: str) -> int:
    """Withdraw a batch: its rows stay in history, the current view falls back to earlier values."""
    with db.write(by, "rollback", subject=str(batch_id), bump_version=True) as tx:
        found = tx.con.fetchall("SELECT rolled_back_at, row_count, file_name, sha256 FROM batches WHERE batch_id = ?", [batch_id])
        if not found:
            raise StoreError(f"没有编号为 {batch_id} 的导入批次。", f"No batch with id {batch_id}.")
        rolled_back_at, row_count, file_name, sha256 = found[0]
        if rolled_back_at is not None:
            raise StoreError(f"批次 {batch_id} 已于 {rolled_back_at} 撤销。", f"Batch {batch_id} was already rolled back at {rolled_back_at}.")
        tx.con.execute("UPDATE batches SET rolled_back_at = ?, rolled_back_by = ? WHERE batch_id = ?", [now(), by, batch_id])
        tx.audit(file_name=file_name, sha256=sha256, detail=json.dumps({"rows": int(row_count)}))
    return int(row_count)


def reapply_batch(db: Database, batch_id: int, by: str) -> BatchResult:
    """Write a rolled-back batch's rows again as a new batch (same file, sha256, sheet and kind), compared with the
    current view as an import is; the old batch stays rolled back in history. One write with its "reapply" audit row.

    Re-applying the same batch twice is allowed, as importing the same file twice is: the second time its rows
    match the current view and are counted unchanged, so nothing is written twice."""
    with db.write(by, "reapply", bump_version=True) as tx:
        con = tx.con
        found = con.fetchall("SELECT rolled_back_at, file_name, sha256, sheet, kind, note FROM batches WHERE batch_id = ?", [batch_id])
        if not found:
            raise StoreError(f"没有编号为 {batch_id} 的导入批次。", f"No batch with id {batch_id}.")
        rolled_back_at, file_name, sha256, sheet, kind, note = found[0]
        if rolled_back_at is None:
            raise StoreError(f"批次 {batch_id} 没有撤销，无需重新应用。", f"Batch {batch_id} is not rolled back; there is nothing to re-apply.")
        stored = con.frame(f"SELECT {', '.join(OBSERVATION_COLUMNS)} FROM observations WHERE batch_id = ? ORDER BY obs_id", [batch_id])
        marked = _mark_changes(con, _normalise_rows(stored))
        counts = marked["change"].value_counts()
        new, changed, unchanged = (int(counts.get(change, 0)) for change in ("new", "changed", "unchanged"))
        reapplied_note = f"重新应用批次 {batch_id} / re-applied batch {batch_id}" + (f"：{note}" if note else "")
        new_id = int(con.fetchall(
            "INSERT INTO batches (batch_id, kind, file_name, sha256, sheet, imported_by, imported_at, row_count, new_count, "
            "changed_count, unchanged_count, note) VALUES (nextval('batch_id_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING batch_id",
            [kind, file_name, sha256, sheet, by, now(), len(marked), new, changed, unchanged, reapplied_note],
        )[0][0])
        _insert_frame(con, marked[marked["change"] != "unchanged"][OBSERVATION_COLUMNS], new_id)
        tx.audit(subject=str(new_id), file_name=file_name, sha256=sha256,
                 detail=json.dumps({"reapplied": batch_id, "rows": len(marked), "new": new, "changed": changed,
                                    "unchanged": unchanged}))
    return BatchResult(batch_id=new_id, row_count=len(marked), new=new, changed=changed, unchanged=unchanged)


def remove_demo(db: Database, actor: str) -> int:
    """Delete demo batches and their rows outright: demo figures are not data worth keeping."""
    with db.write(actor, "remove_demo", bump_version=True) as tx:
        con = tx.con
        ids = [r[0] for r in con.fetchall("SELECT batch_id FROM batches WHERE kind = 'demo'")]
        removed = 0
        if ids:
            marks = ", ".join("?" for _ in ids)
            removed = int(con.fetchall(f"SELECT COUNT(*) FROM observations WHERE batch_id IN ({marks})", ids)[0][0])
            con.execute(f"DELETE FROM observations WHERE batch_id IN ({marks})", ids)
            con.execute(f"DELETE FROM batches WHERE batch_id IN ({marks})", ids)
        set_meta(con, "demo_removed_at", now().isoformat())
        tx.audit(subject=",".join(str(i) for i in ids) or None, detail=json.dumps({"rows": removed}))
    return removed


def mark_demo_seeded(db: Database) -> None:
    """Remember that demo data was offered once, so removing it is final."""
    with db.write() as tx:
        set_meta(tx.con, "demo_seeded_at", now().isoformat())


# --- helpers (module-level so tests can replace them) --------------------------------------------------------
def _normalise_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Incoming rows with exactly the observation columns and their types (text columns: object, blanks None)."""
    missing = [c for c in OBSERVATION_COLUMNS if c not in rows.columns and c not in ("month", "note")]
    if missing:
        raise ValueError(f"rows lack columns {missing}")
    n = len(rows)
    columns: dict[str, object] = {
        "year": rows["year"].to_numpy(dtype="int64"),
        "month": pd.array(rows["month"] if "month" in rows.columns else [None] * n, dtype="Int64"),
        "value": rows["value"].to_numpy(dtype="float64"),
    }
    for column in ("region_id", "indicator_id", "unit", "status", "source", "note"):
        values = rows[column].to_numpy(dtype=object) if column in rows.columns else np.full(n, None, dtype=object)
        blank = pd.isna(values)
        if blank.any():
            values = values.copy()  # to_numpy may hand out the frame's own array
            values[blank] = None
        columns[column] = values
    bad_status = sorted(set(pd.unique(columns["status"])) - set(DATA_STATUSES), key=str)
    if bad_status:
        raise ValueError(f"unknown status {bad_status}; use one of {DATA_STATUSES}")
    # text stays object dtype with None for blanks (pandas 3 would otherwise infer its string dtype with NA)
    return pd.DataFrame({c: pd.Series(columns[c], dtype=object if c not in ("year", "month", "value") else None, copy=False)
                         for c in OBSERVATION_COLUMNS}, copy=False)


CHANGES = np.array(["new", "changed", "unchanged"], dtype=object)  # indexed by the code _CHANGES_SQL gives
# Each incoming row's key joined to the current value (limited to the incoming regions and indicators) and
# classified in one pass: the database does the join, Python only spreads three columns back.
_CHANGES_SQL = """
SELECT CASE WHEN c.region_id IS NULL THEN 0
            WHEN abs(c.value - i.value) <= ? * greatest(abs(i.value), 1.0)
                 AND c.unit = i.unit AND c.status = i.status AND c.source = i.source THEN 2
            ELSE 1 END AS change_code,
       c.value AS old_value, c.status AS old_status
FROM incoming_keys i
LEFT JOIN (SELECT region_id, indicator_id, year, month, value, unit, status, source FROM current_observations
           WHERE region_id IN (SELECT region_id FROM incoming_keys)
             AND indicator_id IN (SELECT indicator_id FROM incoming_keys)) c
  ON c.region_id = i.region_id AND c.indicator_id = i.indicator_id AND c.year = i.year
 AND c.month IS NOT DISTINCT FROM i.month
ORDER BY i.position
"""


def _mark_changes(con: Connection, incoming: pd.DataFrame) -> pd.DataFrame:
    """The incoming rows with change (new / changed / unchanged), old_value and old_status, against the current view.

    The same value means equal within VALUE_TOLERANCE (relative); unit, status and source must match exactly.
    """
    marked = incoming.copy(deep=False)
    if incoming.empty:
        return marked.assign(change=pd.Series(dtype=object), old_value=pd.Series(dtype="float64"),
                             old_status=pd.Series(dtype=object))
    keys = incoming[KEY + COMPARED_FIELDS].assign(position=np.arange(len(incoming)))
    with con.staged("incoming_keys", keys):
        found = con.arrays(_CHANGES_SQL, [VALUE_TOLERANCE])
    old_status = np.array(found["old_status"], dtype=object)  # a copy: NULLs become None below
    old_status[pd.isna(old_status)] = None
    marked["change"] = CHANGES[np.asarray(found["change_code"], dtype=np.intp)]
    marked["old_value"] = np.ma.filled(np.ma.asarray(found["old_value"], dtype="float64"), np.nan)
    marked["old_status"] = old_status
    return marked


def _insert_frame(con: Connection, frame: pd.DataFrame, batch_id: int) -> None:
    """Bulk insert of a batch's rows, their ids from obs_id_seq in row order."""
    con.insert_frame("observations", frame.assign(batch_id=batch_id), id_column="obs_id", sequence="obs_id_seq")
