"""The plans page under AppTest: admins only; an uploaded plan reviewed, refused with what to fix, published, and
its targets on the overview; the plan's text shown escaped."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from indicators.store import Store, sha256_of
from tests.accounts import ADMIN, ADMIN_PASSWORD, ANALYST, ANALYST_PASSWORD, log_in
from tests.conftest import APP, PAGE_TIMEOUT
from tests.published_plans import PLAN_ID, TARGETS, TEXT, TITLE
from tests.test_pages import html_text

pytestmark = pytest.mark.usefixtures("app_state")
PAGE = "views/plans.py"


def opened(login: tuple[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT).run()
    if login is not None:
        log_in(at, *login)
    at.switch_page(PAGE)
    return at.run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def uploaded(text: str = TEXT, name: str = "zhuhai.txt") -> tuple[AppTest, str]:
    at = opened((ADMIN, ADMIN_PASSWORD))
    assert not at.exception and not at.error
    at.file_uploader[0].upload(name, text.encode("utf-8")).run()
    assert not at.exception, [e.message for e in at.exception]
    return at, f"pl{sha256_of(text.encode('utf-8'))[:10]}"


def fill_plan(at: AppTest, key: str) -> AppTest:
    at.text_input(key=f"{key}_plan_id").input(PLAN_ID)
    at.text_input(key=f"{key}_issuer").input("珠海市人民政府")
    at.date_input(key=f"{key}_date").set_value(dt.date(2022, 3, 1))
    at.run()
    at.text_input(key=f"{key}_reg_search").input("珠海").run()
    at.selectbox(key=f"{key}_reg_pick").set_value("440400")
    at.text_input(key=f"{key}_reg_en").input("Zhuhai")
    return at.run()


@pytest.mark.parametrize("login", [None, (ANALYST, ANALYST_PASSWORD)], ids=["visitor", "analyst"])
def test_the_plans_page_refuses_everyone_but_admins_even_by_direct_url(login):
    at = opened(login)
    assert not at.exception
    assert "此页仅限" in errors(at)
    assert not at.file_uploader and not at.download_button


def test_an_admin_publishes_an_uploaded_plan_and_its_targets_show_on_the_overview(tmp_path):
    at, key = uploaded()
    assert f"共 {TARGETS} 个候选目标" in "\n".join(m.value for m in at.markdown)
    at = fill_plan(at, key)
    at.button(key=f"{key}_publish").click().run()
    assert not at.exception and not at.error, errors(at)
    assert f"已发布方案 {PLAN_ID}（第1版）" in "\n".join(s.value for s in at.success)
    stored = Store(tmp_path / "app.duckdb").published_plans()
    assert [(p.plan_id, p.version, p.published_by) for p in stored] == [(PLAN_ID, 1, ADMIN)]
    assert not at.file_uploader[0].value  # the published file left the uploader
    assert at.download_button  # the plan's YAML, text and new region are offered for download
    assert Store(tmp_path / "app.duckdb").audit_log().iloc[0]["action"] == "plan_publish"
    at.switch_page("views/overview.py")
    at.run()
    assert not at.exception
    assert TITLE in [s.value for s in at.subheader]  # the published plan is a section of the overview
    assert html_text(at).count("gtm-card") >= TARGETS and "空气质量优良天数比例" in html_text(at)


def test_a_quote_edited_away_from_the_text_is_refused_naming_it_and_nothing_is_stored(tmp_path):
    at, key = uploaded()
    at = fill_plan(at, key)
    at.text_input(key=f"{key}_2_quote").input("非化石能源装机比重达到60%以上").run()
    at.button(key=f"{key}_publish").click().run()
    assert not at.exception
    message = errors(at)
    assert "方案未发布" in message and "与原文不符" in message and "not verbatim" in message
    assert Store(tmp_path / "app.duckdb").published_plans() == []


def test_the_plan_text_is_shown_escaped_with_its_candidates_marked():
    hostile = TEXT + "<script>alert(1)</script><img src=x onerror=alert(2)> [链接](https://evil.example)\n"
    at, _ = uploaded(hostile, name="<b>evil</b>.txt")
    shown = next(h.proto.body for h in at.get("html") if "gtm-plan-text" in h.proto.body)
    assert "<script>" not in shown and "<img" not in shown and "&lt;script&gt;" in shown
    assert shown.count('<mark data-candidate="') == TARGETS
    assert "&lt;b&gt;evil" not in "".join(m.value for m in at.markdown)  # the file name is Markdown-escaped, not HTML


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_every_plan_action_refuses_non_admins_on_the_server_side(tmp_path, monkeypatch, catalogue, role):
    from tests.published_plans import document, fields, reviewed
    from ui import actions

    monkeypatch.setattr(actions, "current_role", lambda: role)
    for attempt in (lambda: actions.read_plan("plan.txt", TEXT.encode()), lambda: actions.withdraw_plan(PLAN_ID),
                    lambda: actions.publish_plan(fields(), reviewed(catalogue), TEXT, [], document(catalogue).regions),
                    lambda: actions.published_plans(), lambda: actions.new_region("440400", "Zhuhai")):
        with pytest.raises(actions.NotAllowed):
            attempt()
    assert Store(tmp_path / "app.duckdb").published_plans() == []


def test_an_admin_downloads_a_published_plan_as_yaml_and_withdraws_it_after_confirming(tmp_path, catalogue):
    import yaml

    from indicators.catalogue import Plan
    from indicators.plans.published import plan_yaml, publish_document
    from tests.published_plans import document

    store = Store(tmp_path / "app.duckdb")
    store.initialise(catalogue)
    publish_document(catalogue, store, document(catalogue), ADMIN)
    at = opened((ADMIN, ADMIN_PASSWORD))
    assert not at.exception and not at.error
    yaml_button = next(b for b in at.get("download_button") if b.proto.label == "下载YAML（随程序提供的格式）")
    assert yaml_button
    assert Plan.model_validate(yaml.safe_load(plan_yaml(document(catalogue).plan))) == document(catalogue).plan
    assert at.button(key=f"withdraw_{PLAN_ID}").disabled  # not before confirming
    at.checkbox(key=f"confirm_{PLAN_ID}").check().run()
    at.button(key=f"withdraw_{PLAN_ID}").click().run()
    assert not at.exception and not at.error
    assert f"已撤回方案 {PLAN_ID}" in "\n".join(s.value for s in at.success)
    assert store.published_plans() == [] and store.audit_log().iloc[0]["action"] == "plan_withdraw"
    at.switch_page("views/overview.py")
    at.run()
    assert TITLE not in [s.value for s in at.subheader]
