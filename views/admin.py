"""Administration (管理): targets the plans leave to a higher authority, users, and the audit log. Admins only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicators.accounts import ACCOUNT_ROLES
from indicators.errors import UserError
from indicators.targets import settable_targets
from ui import actions, auth, queries
from ui.i18n import language, text_from
from ui.safe import md_escape

lang = language()
TEXTS = {
    "title": {"zh": "管理", "en": "Administration"},
    "admins_only": {"zh": "此页仅限管理员。", "en": "This page is for admins only."},
    "targets": {"zh": "由上级下达的目标值", "en": "Targets set by a higher authority"},
    "targets_help": {"zh": "方案原文未给出数值的目标（如“完成省下达目标任务”）：录入上级下达的数值后，进度按此计算。每次录入都记入审计日志。",
                     "en": "Targets the plan leaves to a higher authority: enter the value set for the city; progress is assessed "
                           "against it. Every entry is audited."},
    "none_settable": {"zh": "所有目标的数值都已写在方案中。", "en": "Every target's value is written in its plan."},
    "current": {"zh": "当前录入值", "en": "Entered value"},
    "not_entered": {"zh": "尚未录入", "en": "not entered"},
    "value": {"zh": "目标值", "en": "Target value"},
    "note": {"zh": "依据（文件名、文号）", "en": "Basis (document, reference)"},
    "save": {"zh": "保存", "en": "Save"},
    "clear": {"zh": "清除", "en": "Clear"},
    "saved": {"zh": "已保存。", "en": "Saved."},
    "entries": {"zh": "录入记录", "en": "Entries"},
    "users": {"zh": "用户", "en": "Users"},
    "users_file": {"zh": "用户文件：{path}（仅存 bcrypt 哈希）", "en": "Users file: {path} (bcrypt hashes only)"},
    "name": {"zh": "用户名", "en": "Name"},
    "role": {"zh": "角色", "en": "Role"},
    "email": {"zh": "电子邮箱（单点登录）", "en": "E-mail (single sign-on)"},
    "has_password": {"zh": "有密码", "en": "Password"},
    "created": {"zh": "创建时间", "en": "Created"},
    "add_user": {"zh": "添加用户", "en": "Add a user"},
    "password": {"zh": "密码（至少10个字符；留空则仅能单点登录）", "en": "Password (10+ characters; empty: SSO only)"},
    "add": {"zh": "添加", "en": "Add"},
    "added": {"zh": "已添加用户 {name}。", "en": "User {name} added."},
    "change_user": {"zh": "修改用户", "en": "Change a user"},
    "which_user": {"zh": "用户", "en": "User"},
    "new_password": {"zh": "新密码", "en": "New password"},
    "reset": {"zh": "重设密码", "en": "Reset password"},
    "set_role": {"zh": "改为此角色", "en": "Set this role"},
    "remove_confirm": {"zh": "确认删除该用户", "en": "Yes, remove this user"},
    "remove": {"zh": "删除用户", "en": "Remove user"},
    "done": {"zh": "已完成。", "en": "Done."},
    "audit": {"zh": "审计日志", "en": "Audit log"},
    "audit_help": {"zh": "谁在何时做了什么：导入（含文件sha256）、撤销、登录与失败、目标录入、用户管理。",
                   "en": "Who did what when: imports (with the file's sha256), rollbacks, logins and failures, targets, user changes."},
    "download_audit": {"zh": "下载审计日志（CSV）", "en": "Download the audit log (CSV)"},
}


def tx(key: str, **values: object) -> str:
    return text_from(TEXTS, key, **values)


st.title(tx("title"))
if auth.identity() is None:
    auth.refuse_page()
if not actions.can_admin():
    st.error(tx("admins_only"))
    st.stop()

FLASH = "admin_flash"
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))


def attempt(action, done: str) -> None:
    """Run an admin action; show its refusal in the page, or rerun with a confirmation."""
    try:
        action()
    except (UserError, actions.NotAllowed) as exc:
        st.error(md_escape(str(exc)))
    else:
        st.session_state[FLASH] = done
        st.rerun()


# --- targets set elsewhere --------------------------------------------------------------------------------------
catalogue = queries.catalogue()
st.subheader(tx("targets"))
st.caption(tx("targets_help"))
entered = queries.target_overrides()
settable = settable_targets(catalogue)
if not settable:
    st.info(tx("none_settable"))
for plan, target in settable:
    indicator = catalogue.indicators[target.indicator]
    current = entered.get((plan.id, target.indicator))
    key = f"{plan.id}__{target.indicator}"
    with st.container(border=True):
        st.markdown(f"**{md_escape(indicator.name_zh if lang == 'zh' else indicator.name_en)}** · "
                    f"{md_escape(plan.title_zh if lang == 'zh' else plan.title_en)}")
        st.caption(md_escape(f"{target.clause} {target.quote}"))
        st.caption(f"{tx('current')}：" + (f"{current:g} {md_escape(indicator.unit)}" if current is not None else tx("not_entered")))
        columns = st.columns([2, 4, 1, 1])
        value = columns[0].number_input(f"{tx('value')}（{indicator.unit}）", value=current, key=f"target_value_{key}", format="%.4g")
        note = columns[1].text_input(tx("note"), key=f"target_note_{key}", max_chars=500)
        if columns[2].button(tx("save"), key=f"target_save_{key}", disabled=value is None):
            attempt(lambda p=plan.id, i=target.indicator, v=value, n=note: actions.set_target(p, i, float(v), n), tx("saved"))
        if columns[3].button(tx("clear"), key=f"target_clear_{key}", disabled=current is None):
            attempt(lambda p=plan.id, i=target.indicator, n=note: actions.set_target(p, i, None, n), tx("saved"))
history = actions.target_history()
if not history.empty:
    with st.expander(tx("entries")):
        st.dataframe(history, hide_index=True, width="stretch")

# --- users --------------------------------------------------------------------------------------------------------
st.subheader(tx("users"))
st.caption(md_escape(tx("users_file", path=auth.users_file().path)))
accounts = actions.users()
st.dataframe(pd.DataFrame({
    tx("name"): [u.name for u in accounts], tx("role"): [auth.role_label(u.role) for u in accounts],
    tx("email"): [u.email or "" for u in accounts], tx("has_password"): [u.password_hash is not None for u in accounts],
    tx("created"): [u.created_at or "" for u in accounts],
}), hide_index=True, width="stretch")
with st.form("admin_add_user", clear_on_submit=True):
    st.markdown(f"**{tx('add_user')}**")
    columns = st.columns(4)
    new_name = columns[0].text_input(tx("name"), key="new_user_name", max_chars=64)
    new_role = columns[1].selectbox(tx("role"), ACCOUNT_ROLES, format_func=auth.role_label, key="new_user_role")
    new_email = columns[2].text_input(tx("email"), key="new_user_email")
    new_password = columns[3].text_input(tx("password"), type="password", key="new_user_password")
    if st.form_submit_button(tx("add"), key="add_user"):
        attempt(lambda: actions.add_user(new_name, new_role, new_password, new_email), tx("added", name=new_name))
names = [u.name for u in accounts]
if names:
    with st.container(border=True):
        st.markdown(f"**{tx('change_user')}**")
        columns = st.columns([2, 3, 2, 2])
        chosen = columns[0].selectbox(tx("which_user"), names, key="change_user")
        password = columns[1].text_input(tx("new_password"), type="password", key="change_user_password")
        if columns[1].button(tx("reset"), key="reset_password", disabled=not password):
            attempt(lambda: actions.reset_password(chosen, password), tx("done"))
        role = columns[2].selectbox(tx("role"), ACCOUNT_ROLES, format_func=auth.role_label, key="change_user_role")
        if columns[2].button(tx("set_role"), key="set_role"):
            attempt(lambda: actions.set_role(chosen, role), tx("done"))
        confirmed = columns[3].checkbox(tx("remove_confirm"), key="remove_user_confirm")
        if columns[3].button(tx("remove"), key="remove_user", disabled=not confirmed):
            attempt(lambda: actions.remove_user(chosen), tx("done"))

# --- audit log ------------------------------------------------------------------------------------------------------
st.subheader(tx("audit"))
st.caption(tx("audit_help"))
log = actions.audit_log()
st.dataframe(log, hide_index=True, width="stretch")
st.download_button(tx("download_audit"), log.to_csv(index=False).encode("utf-8-sig"), "audit_log.csv", mime="text/csv",
                   key="download_audit")
