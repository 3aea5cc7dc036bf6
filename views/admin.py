"""Administration (管理): targets the plans leave to a higher authority, users, and the audit log. Admins only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from indicators.accounts import ACCOUNT_ROLES
from indicators.display.labels import original_text, recorded_text
from indicators.errors import UserError
from indicators.tabular_files import csv_bytes
from indicators.targets import settable_targets
from indicators.texts import load_texts
from ui import actions, auth, queries
from ui.i18n import TEXTS_DIR, language, text_from
from ui.safe import md_escape

lang = language()
TEXTS = load_texts(TEXTS_DIR / "admin.yaml")


def tx(key: str, **values: object) -> str:
    return text_from(TEXTS, key, **values)


st.title(tx("title"))
actions.admins_only_page(tx("admins_only"))

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
        st.markdown(f"**{md_escape(indicator.name(lang))}** · {md_escape(plan.name(lang))}")
        st.caption(md_escape(original_text(f"{target.clause} {target.quote}", lang)))  # the plan's words, marked in English
        colon, unit = ("：", indicator.unit) if lang == "zh" else (": ", indicator.unit_text(lang))
        st.caption(f"{tx('current')}{colon}" + (f"{current:g} {md_escape(unit)}" if current is not None else tx("not_entered")))
        columns = st.columns([2, 4, 1, 1])
        label = f"{tx('value')}（{unit}）" if lang == "zh" else f"{tx('value')} ({unit})"
        value = columns[0].number_input(label, value=current, key=f"target_value_{key}", format="%.4g")
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
shown_log = log.copy()
for column in [c for c in shown_log.columns if pd.api.types.is_string_dtype(shown_log[c]) or shown_log[c].dtype == "object"]:
    shown_log[column] = [recorded_text(v, lang) for v in shown_log[column]]
st.dataframe(shown_log, hide_index=True, width="stretch")
st.download_button(tx("download_audit"), csv_bytes(log), "audit_log.csv", mime="text/csv",
                   key="download_audit")

# --- demo data ------------------------------------------------------------------------------------------------------
if queries.has_demo_data():
    st.subheader(tx("demo"))
    st.caption(tx("demo_help"))
    confirmed = st.checkbox(tx("demo_confirm"), key="remove_demo_confirm")
    if st.button(tx("demo_remove"), key="remove_demo", disabled=not confirmed):
        attempt(actions.remove_demo, tx("demo_removed"))
