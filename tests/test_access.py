"""Access control under AppTest: who may open the data and admin pages, and every write re-checked on the server."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from indicators.accounts import UsersFile
from indicators.accounts import passwords as users_module
from indicators.accounts import throttle as throttle_module
from indicators.status import status_frame
from indicators.store import Store
from tests.accounts import ADMIN, ADMIN_PASSWORD, ANALYST, ANALYST_PASSWORD, FAST_ROUNDS, log_in
from tests.conftest import APP, GOOD_ROWS, PAGE_TIMEOUT, write_xlsx
from ui.safe import md_escape

DATA_PAGES = ["views/data.py", "views/admin.py"]
LOGIN_NEEDED = "此页仅限已登录的分析员和管理员"
SSO_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-secret",
                        "client_id": "id", "client_secret": "secret",
                        "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration"}}


pytestmark = pytest.mark.usefixtures("app_state")


def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    return at.run()


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return at.run()


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.mark.parametrize("page", DATA_PAGES)
def test_anonymous_visitors_are_refused_every_data_page_by_direct_url(page):
    at = open_page(app(), page)
    assert not at.exception
    assert LOGIN_NEEDED in errors(at)
    assert not at.file_uploader and not at.download_button and not at.dataframe  # nothing of the page beyond the refusal
    assert all(b.key in ("auth_submit",) for b in at.button)  # only the login form's button


def test_an_analyst_logs_in_in_the_sidebar_and_gets_the_data_page_but_not_the_admin_page():
    at = log_in(app(), ANALYST, ANALYST_PASSWORD)
    assert f"已登录：{md_escape(ANALYST)}（分析员）" in at.sidebar.caption[0].value
    at = open_page(at, "views/data.py")
    assert not at.error and at.file_uploader
    at = open_page(at, "views/admin.py")
    assert "此页仅限管理员" in errors(at) and not at.dataframe


def test_an_admin_gets_the_admin_page_with_users_and_the_audit_log_but_no_hashes():
    at = open_page(log_in(app(), ADMIN, ADMIN_PASSWORD), "views/admin.py")
    assert not at.exception and not at.error, errors(at)
    users_table = at.dataframe[0].value
    assert set(users_table["用户名"]) == {ANALYST, ADMIN}
    assert not users_table.astype(str).apply(lambda c: c.str.contains(r"\$2b\$")).any().any()
    audit = at.dataframe[-1].value
    assert list(audit["action"][:1]) == ["login"] and audit["actor"].iloc[0] == ADMIN
    assert at.download_button(key="download_audit")


def test_a_wrong_password_is_refused_and_audited_without_saying_which_part_was_wrong(tmp_path):
    at = log_in(app(), ANALYST, "not-the-password")
    assert "用户名或密码不对" in at.sidebar.error[0].value
    at = open_page(at, "views/data.py")
    assert LOGIN_NEEDED in errors(at)
    log = Store(tmp_path / "app.duckdb").audit_log()
    assert (log["action"].iloc[0], log["actor"].iloc[0]) == ("login_failed", ANALYST)


def test_repeated_failed_logins_are_slowed_down_even_for_the_right_password(monkeypatch):
    # A wait long enough that a slow, busy machine cannot outlast it between two AppTest runs.
    monkeypatch.setattr(throttle_module, "BASE_DELAY_SECONDS", 60.0)
    at = app()
    for _ in range(3):
        at = log_in(at, ANALYST, "guess-guess-guess")
    at = log_in(at, ANALYST, ANALYST_PASSWORD)
    assert "登录失败次数过多" in at.sidebar.error[0].value
    at = open_page(at, "views/data.py")
    assert LOGIN_NEEDED in errors(at)


def test_removing_a_user_ends_their_access_at_their_next_click(tmp_path):
    at = open_page(log_in(app(), ANALYST, ANALYST_PASSWORD), "views/data.py")
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    assert at.button(key="publish")
    UsersFile(tmp_path / "users.toml").remove(ANALYST)
    at.button(key="publish").click().run()
    assert LOGIN_NEEDED in errors(at)
    assert list(Store(tmp_path / "app.duckdb").batches()["kind"]) == ["demo"]  # nothing was published


def test_a_password_reset_logs_out_sessions_that_used_the_old_password(tmp_path, monkeypatch):
    at = open_page(log_in(app(), ANALYST, ANALYST_PASSWORD), "views/data.py")
    assert at.file_uploader
    monkeypatch.setattr(users_module, "BCRYPT_ROUNDS", FAST_ROUNDS)
    UsersFile(tmp_path / "users.toml").reset_password(ANALYST, "a-brand-new-password")
    at.run()
    assert LOGIN_NEEDED in errors(at)


def test_every_write_action_refuses_a_viewer_on_the_server_side(tmp_path, catalogue):
    from ui import actions

    (tmp_path / "app.duckdb").unlink()  # no first run here: a new, empty database, not app_state's copy of the demo one
    store = Store(tmp_path / "app.duckdb")
    store.initialise(catalogue)
    for write in (lambda: actions.preview_upload("x.xlsx", b"data"), lambda: actions.rollback(1),
                  lambda: actions.set_target("zhanjiang_2023_draft", "co2_intensity_reduction", 18.0),
                  lambda: actions.add_user("mallory", "admin", "mallory-password", None), lambda: actions.audit_log()):
        with pytest.raises(actions.NotAllowed):
            write()
    assert store.batches().empty and store.audit_log().empty and not store.target_overrides()
    assert set(UsersFile(tmp_path / "users.toml").load()) == {ANALYST, ADMIN}


def test_an_analyst_cannot_do_what_only_admins_may(monkeypatch):
    from ui import actions

    monkeypatch.setattr(actions, "current_role", lambda: "analyst")
    for admin_only in (lambda: actions.set_target("zhanjiang_2023_draft", "co2_intensity_reduction", 18.0),
                       lambda: actions.remove_user(ADMIN), lambda: actions.audit_log()):
        with pytest.raises(actions.NotAllowed):
            admin_only()


def test_an_admin_enters_zhanjiangs_co2_target_and_the_status_is_assessed_against_it(tmp_path, catalogue):
    at = open_page(log_in(app(), ADMIN, ADMIN_PASSWORD), "views/admin.py")
    key = "zhanjiang_2023_draft__co2_intensity_reduction"
    at.number_input(key=f"target_value_{key}").set_value(18.0)
    at.text_input(key=f"target_note_{key}").input("粤府函〔2024〕1号").run()
    at.button(key=f"target_save_{key}").click().run()
    assert not at.exception and "已保存" in at.success[0].value
    store = Store(tmp_path / "app.duckdb")
    assert store.target_overrides() == {("zhanjiang_2023_draft", "co2_intensity_reduction"): 18.0}
    row = status_frame(catalogue, store, plan="zhanjiang_2023_draft", region="zhanjiang").set_index("indicator").loc["co2_intensity_reduction"]
    assert row["target"] == 18.0 and row["status_barometer"] != "not_set"
    log = store.audit_log()
    assert (log["action"].iloc[0], log["actor"].iloc[0], log["subject"].iloc[0]) == (
        "set_target", ADMIN, "zhanjiang_2023_draft/co2_intensity_reduction")
    overview = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT).run()
    cards = "\n".join(str(h.proto.body) for h in overview.html)
    assert "由广东省下达" not in cards and "累计降低 18.0" in cards


def test_single_sign_on_users_get_the_role_their_email_has_in_the_users_file(tmp_path, monkeypatch):
    monkeypatch.setattr(users_module, "BCRYPT_ROUNDS", FAST_ROUNDS)
    UsersFile(tmp_path / "users.toml").add("ops", "analyst", None, "ops@example.org")
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.secrets = SSO_SECRETS
    at.user = {"is_logged_in": True, "email": "ops@example.org", "name": "Ops"}
    at = open_page(at.run(), "views/data.py")
    assert not at.error and at.file_uploader
    stranger = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    stranger.secrets = SSO_SECRETS
    stranger.user = {"is_logged_in": True, "email": "someone@elsewhere.org"}
    stranger = open_page(stranger.run(), "views/data.py")
    assert LOGIN_NEEDED in errors(stranger)
    assert "仅可浏览" in stranger.sidebar.caption[0].value
    assert stranger.button(key="auth_submit")  # password login is still offered


def test_an_admin_adds_resets_and_removes_a_user_on_the_admin_page_and_each_change_is_audited(tmp_path, monkeypatch):
    monkeypatch.setattr(users_module, "BCRYPT_ROUNDS", FAST_ROUNDS)
    at = open_page(log_in(app(), ADMIN, ADMIN_PASSWORD), "views/admin.py")
    at.text_input(key="new_user_name").input("zhao")
    at.text_input(key="new_user_password").input("short")
    at.button(key="add_user").click().run()
    assert "至少需要" in errors(at)  # refused in the page, nothing added
    at.text_input(key="new_user_name").input("zhao")
    at.text_input(key="new_user_password").input("zhao-password-1")
    at.button(key="add_user").click().run()
    assert "已添加用户 zhao" in at.success[0].value
    users = UsersFile(tmp_path / "users.toml")
    assert users.authenticate("zhao", "zhao-password-1").role == "analyst"
    at.selectbox(key="change_user").set_value("zhao")
    at.text_input(key="change_user_password").input("zhao-password-2").run()
    at.button(key="reset_password").click().run()
    assert users.authenticate("zhao", "zhao-password-2") is not None
    at.selectbox(key="change_user").set_value("zhao")
    at.checkbox(key="remove_user_confirm").check().run()
    at.button(key="remove_user").click().run()
    assert users.get("zhao") is None
    log = Store(tmp_path / "app.duckdb").audit_log()
    assert list(log["action"][:3]) == ["user_remove", "user_reset", "user_add"] and set(log["actor"][:3]) == {ADMIN}
    at.selectbox(key="change_user").set_value(ADMIN)
    at.checkbox(key="remove_user_confirm").check().run()
    at.button(key="remove_user").click().run()
    assert "不能删除自己的账号" in errors(at) and users.get(ADMIN) is not None


def test_an_admin_removes_the_demo_data_from_the_admin_page_after_confirming_and_it_is_audited():
    from tests.test_pages import run_app

    at = run_app("views/admin.py", login=(ADMIN, ADMIN_PASSWORD))
    assert at.button(key="remove_demo").disabled
    at.checkbox(key="remove_demo_confirm").check().run()
    at.button(key="remove_demo").click().run()
    store = Store(os.environ["GTM_DB"])
    assert not store.has_demo_data() and (store.audit_log()["action"] == "remove_demo").sum() == 1
    assert not [b for b in at.button if b.key == "remove_demo"]  # nothing left to remove


def test_removing_the_demo_data_is_refused_on_the_server_side_without_an_admin_login():
    from ui import actions

    with pytest.raises(actions.NotAllowed):
        actions.remove_demo()
