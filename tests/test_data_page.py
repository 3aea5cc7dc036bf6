"""The data page under AppTest: the upload's preview kept in the session, batches inspected, rolled back once and re-applied."""

from __future__ import annotations

import os

import pytest

from indicators.store import Store
from tests.accounts import ANALYST, ANALYST_PASSWORD
from tests.conftest import BROKEN_ROWS, GOOD_ROWS, write_xlsx
from tests.test_pages import run_app

pytestmark = pytest.mark.usefixtures("app_state")


@pytest.fixture
def parses(monkeypatch):
    """Every call the page makes to prepare_import, counted (on the module ui/actions imports it into)."""
    from ui import actions

    calls: list[str] = []
    real = actions.prepare_import

    def counted(*args, **kwargs):
        calls.append(kwargs.get("display_name") or "")
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "prepare_import", counted)
    return calls


def audit_actions(action: str) -> int:
    log = Store(os.environ["GTM_DB"]).audit_log()
    return int((log["action"] == action).sum())


def data_page():
    return run_app("views/data.py", login=(ANALYST, ANALYST_PASSWORD))


def test_a_refused_upload_is_parsed_and_audited_once_however_often_the_page_reruns(tmp_path, parses):
    at = data_page()
    at.file_uploader[0].upload("broken.xlsx", write_xlsx(tmp_path / "broken.xlsx", BROKEN_ROWS).read_bytes()).run()
    assert "7 个问题" in at.error[0].value
    assert parses == ["broken.xlsx"] and audit_actions("upload_refused") == 1
    at.checkbox(key="rollback_confirm_1").check().run()  # any rerun: a ticked box, then a plain one
    at.run()
    assert "7 个问题" in at.error[0].value  # still shown, from the session
    assert parses == ["broken.xlsx"] and audit_actions("upload_refused") == 1


def test_typing_a_batch_note_parses_nothing_again_and_publish_reuses_the_kept_preview(tmp_path, parses):
    at = data_page()
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    at.text_input(key="batch_note").input("2022年公报").run()
    at.checkbox(key="rollback_confirm_1").check().run()
    assert parses == ["good.xlsx"]
    at.button(key="publish").click().run()
    assert "已发布为批次 2" in at.success[0].value and parses == ["good.xlsx"]
    assert Store(os.environ["GTM_DB"]).batches()["note"].iloc[-1] == "2022年公报"


def test_a_kept_preview_is_compared_again_without_parsing_when_the_data_changed(tmp_path, parses):
    at = data_page()
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    assert [m.value for m in at.metric] == ["2", "4", "0"]
    at.checkbox(key="rollback_confirm_1").check().run()
    at.button(key="rollback_button").click().run()  # the demo batch withdrawn: the same rows are now all new
    assert [m.value for m in at.metric] == ["6", "0", "0"] and parses == ["good.xlsx"]


def test_the_preview_notes_series_no_target_uses_and_still_imports_them(tmp_path):
    rows = [["天津市", "二氧化碳排放量", 2020 + i, None, 150.0 + i, "百万吨", "正式", "CEADs", None] for i in range(3)]
    at = data_page()
    at.file_uploader[0].upload("co2.xlsx", write_xlsx(tmp_path / "co2.xlsx", rows).read_bytes()).run()
    assert any("以下序列目前没有方案目标使用：天津市 二氧化碳排放量（3行）——仍可导入" in i.value for i in at.info)
    at.button(key="publish").click().run()
    assert "已发布为批次 2" in at.success[0].value


LATER_ROWS = [["天津市", "空气质量优良天数比例", 2021, None, 73.3, "%", "正式", "2021年天津市统计公报（修订）", None]]


def test_rollback_names_its_batch_follows_the_newest_and_its_confirmation_is_not_reused(tmp_path):
    at = data_page()
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    at.button(key="publish").click().run()
    at.selectbox(key="rollback_batch").set_value(1).run()  # looked at the demo batch, then published another file
    at.file_uploader[0].upload("later.xlsx", write_xlsx(tmp_path / "later.xlsx", LATER_ROWS).read_bytes()).run()
    at.button(key="publish").click().run()
    assert "已发布为批次 3" in at.success[0].value
    assert at.selectbox(key="rollback_batch").value == 3  # the selector follows the newest batch
    confirm = at.checkbox(key="rollback_confirm_3")
    assert "批次 3" in confirm.label and at.button(key="rollback_button").disabled
    confirm.check().run()
    at.button(key="rollback_button").click().run()
    assert "已撤销批次 3" in at.success[0].value
    assert at.selectbox(key="rollback_batch").value == 2
    assert not at.checkbox(key="rollback_confirm_2").value and at.button(key="rollback_button").disabled  # one more click undoes nothing
    assert Store(os.environ["GTM_DB"]).batches()["rolled_back_at"].notna().tolist() == [False, False, True]


def test_a_rolled_back_batch_is_re_applied_as_a_new_batch_after_a_confirmation_naming_it(tmp_path):
    at = data_page()
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    at.button(key="publish").click().run()
    at.checkbox(key="rollback_confirm_2").check().run()
    at.button(key="rollback_button").click().run()
    assert at.selectbox(key="reapply_batch").value == 2
    confirm = at.checkbox(key="reapply_confirm_2")
    assert "批次 2" in confirm.label and at.button(key="reapply_button").disabled
    confirm.check().run()
    at.button(key="reapply_button").click().run()
    assert "已重新应用批次 2，作为新批次 3：新增 2，修改 4" in at.success[0].value
    history = at.dataframe[-1].value
    assert list(history["批次"]) == [3, 2, 1] and list(history["状态"]) == ["有效", "已撤销", "有效"]
    assert at.selectbox(key="reapply_batch").value == 2 and not at.checkbox(key="reapply_confirm_2").value
    entry = Store(os.environ["GTM_DB"]).audit_log().iloc[0]
    assert (entry["action"], entry["actor"], entry["subject"]) == ("reapply", ANALYST, "3")


def test_a_batchs_detail_lists_its_rows_with_what_each_changed_and_its_provenance(tmp_path):
    at = data_page()
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    at.button(key="publish").click().run()
    at.selectbox(key="batch_detail").set_value(2).run()
    summary = " ".join(m.value for m in at.markdown).replace("\\", "")  # markdown-escaped on the page
    assert "good.xlsx" in summary and ANALYST in summary
    assert Store(os.environ["GTM_DB"]).batches()["sha256"].iloc[-1] in summary
    rows = at.dataframe[-1].value  # the detail, under the history
    assert sorted(rows["变化"]) == ["修改"] * 4 + ["新增"] * 2
    assert {"地区", "指标", "年份", "月份", "数值", "原值", "单位", "来源"} <= set(rows.columns)
    assert rows.loc[rows["变化"] == "新增", "原值"].eq("").all() and rows.loc[rows["变化"] == "修改", "原值"].ne("").all()


def test_a_batch_rolled_back_elsewhere_meanwhile_is_reported_not_rolled_back_twice():
    at = data_page()
    at.checkbox(key="rollback_confirm_1").check().run()
    Store(os.environ["GTM_DB"]).rollback_batch(1, by="cli")  # another tab or the CLI, before the click
    at.button(key="rollback_button").click().run()
    # The click's rerun sees the new data version: the batch is listed as rolled back and no button offers it again.
    assert not at.exception and list(at.dataframe[0].value["状态"]) == ["已撤销"]
    assert "rollback_button" not in [b.key for b in at.button]
    assert audit_actions("rollback") == 1


def test_a_rollback_that_loses_a_race_inside_one_rerun_is_said_and_not_repeated(monkeypatch):
    """Between the page reading the batch list and the click's write, another process rolls the batch back."""
    from ui import actions

    at = data_page()
    at.checkbox(key="rollback_confirm_1").check().run()
    real = actions.rollback

    def raced(batch_id: int) -> int:
        Store(os.environ["GTM_DB"]).rollback_batch(batch_id, by="cli")
        return real(batch_id)

    monkeypatch.setattr(actions, "rollback", raced)
    at.button(key="rollback_button").click().run()
    assert not at.exception and "已于" in at.error[0].value
    assert audit_actions("rollback") == 1


def test_reapplying_refuses_a_viewer_on_the_server_side():
    from ui import actions

    store = Store(os.environ["GTM_DB"])
    store.rollback_batch(1, by="cli")
    with pytest.raises(actions.NotAllowed):
        actions.reapply(1)
    assert len(store.batches()) == 1 and audit_actions("reapply") == 0


def test_typing_a_note_after_a_refused_upload_parses_nothing_again_and_writes_no_second_audit_row(tmp_path, parses):
    at = data_page()
    at.file_uploader[0].upload("broken.xlsx", write_xlsx(tmp_path / "broken.xlsx", BROKEN_ROWS).read_bytes()).run()
    assert parses == ["broken.xlsx"] and audit_actions("upload_refused") == 1
    at.text_input(key="batch_note").input("2023年公报，待修正").run()
    at.text_input(key="batch_note").input("2023年公报，已核对").run()
    assert "7 个问题" in at.error[0].value
    assert parses == ["broken.xlsx"] and audit_actions("upload_refused") == 1
