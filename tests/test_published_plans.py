"""Plans published from the dashboard: stored append-only with history, checked exactly as the shipped YAML plans,
part of the catalogue every command uses, and exported as a shipped plan (real DuckDB files, real CLI mains)."""

from __future__ import annotations

import dataclasses
import json

import pytest
import yaml

from indicators.catalogue import validate_catalogue
from indicators.plans.published import PlanRefused, publish_document, with_published
from indicators.plans.review import build_document
from indicators.store import StoreError
from tests.conftest import TEMPLATE_HEADER, write_xlsx
from tests.published_plans import PLAN_ID, REGION_ID, TARGETS, TEXT, document, fields, reviewed


def current_catalogue(catalogue, store):
    combined, problems = with_published(catalogue, store.published_plans())
    assert problems == []
    return combined


def test_a_published_plan_is_read_back_as_published_with_its_region_and_an_audit_row(catalogue, store):
    before = store.data_version()
    doc = document(catalogue)
    assert publish_document(catalogue, store, doc, "管理员") == 1
    combined = current_catalogue(catalogue, store)
    assert combined.plans[PLAN_ID] == doc.plan
    assert len(doc.plan.targets) == TARGETS
    assert combined.regions[REGION_ID].name_zh == "珠海市" and combined.find_region("广东省珠海市") == REGION_ID
    assert set(catalogue.plans) < set(combined.plans)  # the shipped plans stay
    assert store.data_version() != before  # every dashboard instance reads the catalogue again
    audit = store.audit_log()
    row = audit.iloc[0]
    assert (row["action"], row["actor"], row["subject"]) == ("plan_publish", "管理员", PLAN_ID)
    assert json.loads(row["detail"])["targets"] == TARGETS
    assert store.published_plans()[0].source_text == TEXT


def test_publishing_again_keeps_every_version_and_the_latest_is_current(catalogue, store):
    publish_document(catalogue, store, document(catalogue), "管理员")
    first = document(catalogue)
    second = dataclasses.replace(first, plan=first.plan.model_copy(update={"targets": first.plan.targets[:2]}))
    assert publish_document(catalogue, store, second, "管理员2", note="删去三个目标") == 2
    assert len(current_catalogue(catalogue, store).plans[PLAN_ID].targets) == 2
    history = store.published_plan_history(PLAN_ID)
    assert list(history["version"]) == [2, 1] and list(history["published_by"]) == ["管理员2", "管理员"]


def test_a_withdrawn_plan_leaves_the_catalogue_its_history_stays_and_withdrawing_again_changes_nothing(catalogue, store):
    publish_document(catalogue, store, document(catalogue), "管理员")
    publish_document(catalogue, store, document(catalogue), "管理员")
    assert store.withdraw_plan(PLAN_ID, "管理员", "误发") == 2
    assert PLAN_ID not in current_catalogue(catalogue, store).plans
    assert REGION_ID not in current_catalogue(catalogue, store).regions
    history = store.published_plan_history(PLAN_ID)
    assert len(history) == 2 and history["withdrawn_by"].notna().all()
    audit_rows = len(store.audit_log())
    with pytest.raises(StoreError, match="没有已发布的方案"):
        store.withdraw_plan(PLAN_ID, "管理员")
    assert len(store.audit_log()) == audit_rows
    assert publish_document(catalogue, store, document(catalogue), "管理员") == 3  # published again: current again
    assert PLAN_ID in current_catalogue(catalogue, store).plans


def refused(catalogue, store, doc) -> str:
    with pytest.raises(PlanRefused) as info:
        publish_document(catalogue, store, doc, "管理员")
    assert store.published_plans() == []  # nothing stored
    return str(info.value)


def test_a_quote_not_verbatim_in_the_text_is_refused_naming_the_target(catalogue, store):
    doc = document(catalogue)
    targets = list(doc.plan.targets)
    targets[1] = targets[1].model_copy(update={"quote": "非化石能源装机比重达到55%以上"})
    message = refused(catalogue, store, dataclasses.replace(doc, plan=doc.plan.model_copy(update={"targets": targets})))
    assert "targets[1] (non_fossil_capacity_share): quote 与原文不符" in message
    assert "非化石能源装机比重达到55%以上" in message


def test_a_wording_term_outside_its_quote_is_refused(catalogue, store):
    doc = document(catalogue)
    targets = list(doc.plan.targets)
    targets[0] = targets[0].model_copy(update={"wording": ["下降", "力争"]})
    message = refused(catalogue, store, dataclasses.replace(doc, plan=doc.plan.model_copy(update={"targets": targets})))
    assert "措辞'力争'不在引文中" in message and "wording '力争' not in the quote" in message


def test_a_published_plan_may_not_take_a_shipped_plans_id(catalogue, store):
    message = refused(catalogue, store, document(catalogue, plan_id="tianjin_2022"))
    assert "与随程序提供的方案同名" in message and "a shipped plan has this id" in message


def test_an_unknown_region_and_an_unaccepted_plan_are_refused_before_anything_is_stored(catalogue):
    with pytest.raises(PlanRefused) as info:
        build_document(fields(region=None), [dataclasses.replace(r, accepted=False) for r in reviewed(catalogue)], TEXT)
    assert "没有接受任何候选目标" in str(info.value) and "未选择地区" in str(info.value)


def test_an_indicator_created_for_a_plan_joins_the_catalogue_and_a_taken_name_is_refused(catalogue, store):
    text = TEXT.replace("生活垃圾无害化处理率保持100%。", "生活垃圾无害化处理率保持100%，海岛光伏装机达到30万千瓦。")
    targets = reviewed(catalogue, text)
    new = {"id": "island_pv_capacity", "name_zh": "海岛光伏装机", "name_en": "Island PV capacity", "unit": "万千瓦",
           "direction": "higher", "kind": "level", "area": next(iter(catalogue.areas)), "decimals": 1}
    pv = next(t for t in targets if "光伏" in t.quote)
    pv.indicator, pv.accepted = "island_pv_capacity", True
    region = document(catalogue).regions  # Zhuhai, picked from the registry as the page does
    doc = build_document(fields(), targets, text, indicators=[new], regions=region)
    publish_document(catalogue, store, doc, "管理员")
    combined = current_catalogue(catalogue, store)
    assert combined.indicators["island_pv_capacity"].bounded is False  # decided as for the YAML ones
    assert combined.find_indicator("海岛光伏装机") == "island_pv_capacity"
    taken = dict(new, id="island_pv_capacity_2", name_zh="空气质量优良天数比例")
    pv.indicator = "island_pv_capacity_2"
    with pytest.raises(PlanRefused) as info:
        publish_document(catalogue, store, build_document(fields(), targets, text, indicators=[taken], regions=region), "管理员")
    message = str(info.value)
    assert "新指标 / new indicators" in message and "name used by two indicators" in message


def test_a_stored_document_that_no_longer_passes_is_left_out_with_its_problem(catalogue, store):
    doc = document(catalogue)
    store.publish_plan(PLAN_ID, doc.to_json(), "另一份文本", "管理员", target_count=TARGETS)  # bypassing the check
    store.publish_plan("broken_plan", "{not json", "", "管理员", target_count=0)
    combined, problems = with_published(catalogue, store.published_plans())
    assert PLAN_ID not in combined.plans and "broken_plan" not in combined.plans
    assert any("quote 与原文不符" in p for p in problems) and any("无法读取" in p for p in problems)


def test_a_published_plan_is_in_status_json_and_gets_statuses_after_an_import(catalogue, command, tmp_path):
    db = tmp_path / "cli.duckdb"
    assert command("indicators", "init", "--db", str(db)).returncode == 0
    from indicators.store import Store

    publish_document(catalogue, Store(db), document(catalogue), "管理员")
    records = json.loads(command("indicators", "status", "--json", "--plan", PLAN_ID, "--db", str(db)).stdout)
    assert len(records) == TARGETS and {r["region"] for r in records} == {REGION_ID}
    assert {r["status"]["barometer"] for r in records} == {"not_assessable"}  # no data yet
    rows = [["珠海市", "空气质量优良天数比例", 2020, None, 90.0, "%", "正式", "珠海统计公报", None],
            ["珠海", "空气质量优良天数比例", 2023, None, 94.0, "%", "正式", "珠海统计公报", None],
            ["440400", "中心城区污水处理率", 2020, None, 95.0, "%", "正式", "珠海统计公报", None],
            ["440400", "中心城区污水处理率", 2023, None, 97.0, "%", "正式", "珠海统计公报", None]]
    imported = command("loaders", "import", str(write_xlsx(tmp_path / "zhuhai.xlsx", rows, header=TEMPLATE_HEADER)),
                       "--db", str(db), "--user", "分析员")
    assert imported.returncode == 0, imported.stderr
    records = json.loads(command("indicators", "status", "--json", "--plan", PLAN_ID, "--db", str(db)).stdout)
    by_indicator = {r["indicator"]: r for r in records}
    assert by_indicator["good_air_quality_days_ratio"]["latest_value"] == 94.0
    assert by_indicator["good_air_quality_days_ratio"]["status"]["barometer"] != "not_assessable"
    assert by_indicator["central_city_sewage_treatment_rate"]["status"]["barometer"] != "not_assessable"


def test_an_exported_plan_and_its_text_validate_as_a_shipped_plan(catalogue, command, tmp_path, data_copy):
    db = tmp_path / "cli.duckdb"
    from indicators.store import Store

    store = Store(db)
    store.initialise(catalogue)
    publish_document(catalogue, store, document(catalogue), "管理员")
    out = data_copy / "plans" / f"{PLAN_ID}.yaml"
    exported = command("indicators", "plan", "export", PLAN_ID, str(out), "--db", str(db))
    assert exported.returncode == 0, exported.stderr
    assert (data_copy / "plans" / "sources" / f"{PLAN_ID}.txt").read_text(encoding="utf-8") == TEXT
    additions = yaml.safe_load((data_copy / "plans" / f"{PLAN_ID}.additions.yml").read_text(encoding="utf-8"))
    regions = yaml.safe_load((data_copy / "regions.yaml").read_text(encoding="utf-8"))
    regions["regions"].extend(additions["regions"])
    (data_copy / "regions.yaml").write_text(yaml.safe_dump(regions, allow_unicode=True), encoding="utf-8")
    shipped, problems = validate_catalogue(data_copy)
    assert problems == []
    assert shipped is not None and shipped.plans[PLAN_ID] == document(catalogue).plan
    wrong_name = command("indicators", "plan", "export", PLAN_ID, str(tmp_path / "plan.yaml"), "--db", str(db))
    assert wrong_name.returncode == 1 and f"须命名为 {PLAN_ID}.yaml" in wrong_name.stderr
    assert not (tmp_path / "plan.yaml").exists()
    listed = json.loads(command("indicators", "plan", "list", "--json", "--db", str(db)).stdout)
    assert [(r["plan_id"], r["version"], r["current"]) for r in listed] == [(PLAN_ID, 1, True)]


def test_plan_withdraw_on_the_command_line_is_audited(catalogue, command, tmp_path):
    db = tmp_path / "cli.duckdb"
    from indicators.store import Store

    store = Store(db)
    store.initialise(catalogue)
    publish_document(catalogue, store, document(catalogue), "管理员")
    done = command("indicators", "plan", "withdraw", PLAN_ID, "--user", "管理员", "--note", "误发", "--db", str(db))
    assert done.returncode == 0 and "1 个版本" in done.stdout
    assert store.audit_log().iloc[0]["action"] == "plan_withdraw"
    again = command("indicators", "plan", "withdraw", PLAN_ID, "--db", str(db))
    assert again.returncode == 1 and "没有已发布的方案" in again.stderr and "Traceback" not in again.stderr


def test_a_plan_carrying_another_published_plans_region_stays_when_that_plan_is_withdrawn(catalogue, store):
    publish_document(catalogue, store, document(catalogue), "管理员")
    second = document(catalogue, plan_id="zhuhai_2023")  # the same Zhuhai region, carried unchanged
    assert publish_document(catalogue, store, second, "管理员") == 1
    store.withdraw_plan(PLAN_ID, "管理员")
    combined = current_catalogue(catalogue, store)
    assert "zhuhai_2023" in combined.plans and combined.regions[REGION_ID].name_zh == "珠海市"
