"""A batch's own rows and what each changed; re-applying a rolled-back batch as a new, audited batch."""

from __future__ import annotations

import json

import pytest

from indicators.store import StoreError
from tests.test_store import AIR, batch, current_value, rows


def test_a_batchs_rows_say_which_were_new_and_which_changed_with_the_old_value(store):
    store.write_batch(batch("first.xlsx"), rows(("tianjin", AIR, 2022, 65.8)))
    second = store.write_batch(batch("second.xlsx"), rows(("tianjin", AIR, 2022, 66.2), ("tianjin", AIR, 2023, 67.1),
                                                          ("tianjin", AIR, 2021, 60.0)))
    detail = store.batch_rows(second.batch_id).set_index("year")
    assert detail.loc[2022, "change"] == "changed" and detail.loc[2022, "old_value"] == pytest.approx(65.8)
    assert detail.loc[2023, "change"] == "new" and detail.loc[2021, "change"] == "new"
    assert set(detail.columns) >= {"region_id", "indicator_id", "month", "value", "unit", "status", "source"}


def test_a_batchs_old_values_ignore_batches_rolled_back_before_it(store):
    first = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    store.rollback_batch(first.batch_id, by="tester")
    second = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 66.2)))
    assert store.batch_rows(second.batch_id)["change"].tolist() == ["new"]


def test_reapplying_a_rolled_back_batch_makes_its_rows_current_again_as_a_new_audited_batch(store):
    store.write_batch(batch("first.xlsx"), rows(("tianjin", AIR, 2022, 65.8)))
    second = store.write_batch(batch("second.xlsx"), rows(("tianjin", AIR, 2022, 66.2), ("tianjin", AIR, 2023, 67.1)))
    store.rollback_batch(second.batch_id, by="tester")
    assert current_value(store, 2022) == pytest.approx(65.8)
    again = store.reapply_batch(second.batch_id, by="analyst")
    assert again.batch_id > second.batch_id and (again.new, again.changed, again.unchanged) == (1, 1, 0)
    assert current_value(store, 2022) == pytest.approx(66.2) and current_value(store, 2023) == pytest.approx(67.1)
    batches = store.batches().set_index("batch_id")
    assert batches.loc[second.batch_id, "rolled_back_at"] is not None  # the old batch stays rolled back in history
    assert batches.loc[again.batch_id, "file_name"] == "second.xlsx" and batches.loc[again.batch_id, "imported_by"] == "analyst"
    entry = store.audit_log().iloc[0]
    assert (entry["action"], entry["actor"], entry["subject"]) == ("reapply", "analyst", str(again.batch_id))
    assert json.loads(entry["detail"])["reapplied"] == second.batch_id


def test_reapplying_the_same_batch_twice_is_allowed_and_writes_no_row_twice(store):
    first = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    store.rollback_batch(first.batch_id, by="tester")
    store.reapply_batch(first.batch_id, by="tester")
    twice = store.reapply_batch(first.batch_id, by="tester")
    assert (twice.new, twice.changed, twice.unchanged) == (0, 0, 1)
    assert len(store.observation_history("tianjin", AIR)) == 2  # the original row and one re-applied copy


def test_reapplying_an_active_or_unknown_batch_is_refused_and_writes_nothing(store):
    first = store.write_batch(batch(), rows(("tianjin", AIR, 2022, 65.8)))
    audit_rows = len(store.audit_log())
    with pytest.raises(StoreError, match="没有撤销"):
        store.reapply_batch(first.batch_id, by="tester")
    with pytest.raises(StoreError, match="没有编号为 99"):
        store.reapply_batch(99, by="tester")
    assert len(store.batches()) == 1 and len(store.audit_log()) == audit_rows
