"""The audit log and the targets an admin enters: written in the same transaction as the change they record."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from indicators import store as store_module
from indicators.errors import UserError
from indicators.status import build_inputs, status_frame
from indicators.store import MIGRATIONS, SCHEMA_VERSION, BatchInfo, observations
from indicators.targets import apply_target_overrides, set_target, settable_targets
from tests.conftest import write_version_1_database

CO2 = ("zhanjiang_2023_draft", "co2_intensity_reduction")


def rows(year: int, value: float) -> pd.DataFrame:
    return pd.DataFrame([{"region_id": "tianjin", "indicator_id": "good_air_quality_days_ratio", "year": year, "month": None,
                          "value": value, "unit": "%", "status": "正式", "source": "公报", "note": None}])


def test_an_import_is_audited_with_who_what_and_the_files_sha256(store):
    result = store.write_batch(BatchInfo("公报.xlsx", "f" * 64, "analyst_li", sheet="数据", note="首批"), rows(2023, 67.1))
    entry = store.audit_log().iloc[0]
    assert (entry["actor"], entry["action"], entry["subject"], entry["file_name"], entry["sha256"]) == (
        "analyst_li", "import", str(result.batch_id), "公报.xlsx", "f" * 64)
    assert json.loads(entry["detail"]) == {"rows": 1, "new": 1, "changed": 0, "unchanged": 0, "sheet": "数据", "note": "首批"}


def test_a_failed_import_leaves_neither_its_rows_nor_its_audit_row(store, monkeypatch):
    def broken_insert(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(observations, "_insert_frame", broken_insert)
    with pytest.raises(RuntimeError):
        store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst_li"), rows(2023, 67.1))
    assert store.batches().empty and store.audit_log().empty


def test_a_rollback_and_removing_the_demo_data_are_audited(demo_store, catalogue):
    store = demo_store
    batch = store.write_batch(BatchInfo("a.xlsx", "a" * 64, "analyst_li"), rows(2030, 70.0))
    store.rollback_batch(batch.batch_id, "analyst_li")
    store.remove_demo(actor="admin_wang")
    log = store.audit_log()
    assert list(log["action"]) == ["remove_demo", "rollback", "import", "demo_load"]
    assert log.iloc[1][["actor", "subject", "sha256"]].tolist() == ["analyst_li", str(batch.batch_id), "a" * 64]
    assert log.iloc[0]["actor"] == "admin_wang" and json.loads(log.iloc[0]["detail"])["rows"] > 0


def test_a_refused_rollback_writes_no_audit_row(store):
    with pytest.raises(UserError):
        store.rollback_batch(42, "analyst_li")
    assert store.audit_log().empty


def test_audit_fields_from_hostile_input_are_clipped(store):
    store.record_audit("x" * 10_000, "login_failed", detail="<script>" * 1000)
    entry = store.audit_log().iloc[0]
    assert len(entry["actor"]) == store_module.MAX_AUDIT_TEXT and len(entry["detail"]) == store_module.MAX_AUDIT_TEXT


def test_only_zhanjiangs_co2_target_is_left_for_an_admin_to_enter(catalogue):
    assert [(p.id, t.indicator) for p, t in settable_targets(catalogue)] == [CO2]


def test_an_entered_target_is_kept_with_who_and_when_and_assessed_by_the_status(demo_store, catalogue):
    store = demo_store
    before = status_frame(catalogue, store, plan=CO2[0], region="zhanjiang").set_index("indicator").loc[CO2[1]]
    assert before["status_barometer"] == "not_set"
    set_target(catalogue, store, *CO2, 18.0, "admin_wang", "粤府函〔2024〕1号")
    after = status_frame(catalogue, store, plan=CO2[0], region="zhanjiang").set_index("indicator").loc[CO2[1]]
    assert after["target"] == 18.0 and after["status_barometer"] in ("green", "yellow", "red", "achieved")
    history = store.target_override_history()
    assert history.iloc[0][["plan_id", "indicator_id", "value", "set_by", "note"]].tolist() == [*CO2, 18.0, "admin_wang", "粤府函〔2024〕1号"]
    set_target(catalogue, store, *CO2, None, "admin_wang")  # cleared: the plan's pending text applies again
    assert store.target_overrides() == {}
    assert list(store.audit_log()["action"][:2]) == ["set_target", "set_target"]


def test_build_inputs_uses_an_entered_value_only_where_the_plan_has_none(catalogue):
    overrides = {CO2: 18.0, ("tianjin_2022", "good_air_quality_days_ratio"): 1.0}
    specs, _ = build_inputs(catalogue, pd.DataFrame(columns=["region_id", "indicator_id", "year", "month", "value"]),
                            target_overrides=overrides)
    targets = specs.set_index(["plan", "indicator"])["target"]
    assert targets[CO2] == 18.0
    assert targets[("tianjin_2022", "good_air_quality_days_ratio")] != 1.0  # the plan's own value stands
    assert apply_target_overrides(catalogue, {}) is catalogue


@pytest.mark.parametrize(("plan", "indicator", "value", "message"), [
    ("tianjin_2022", "good_air_quality_days_ratio", 90.0, "由方案原文规定"),
    ("nowhere", "co2_intensity_reduction", 18.0, "没有指标"),
    (*CO2, float("nan"), "无效"),
    (*CO2, 1e300, "无效"),
])
def test_targets_the_plan_sets_and_nonsense_values_are_refused(store, catalogue, plan, indicator, value, message):
    with pytest.raises(UserError, match=message):
        set_target(catalogue, store, plan, indicator, value, "admin_wang")
    assert store.target_overrides() == {} and store.audit_log().empty


def test_a_version_1_database_is_migrated_keeping_its_data(db_path, catalogue, store_factory, duckdb_only):
    write_version_1_database(db_path)
    store = store_factory(db_path)
    store.initialise(catalogue)
    assert store.meta("schema_version") == str(SCHEMA_VERSION) == str(len(MIGRATIONS))
    assert list(store.current_observations()["value"]) == [67.1]
    assert store.audit_log().empty and store.target_overrides() == {}
