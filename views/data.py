"""Data management (数据管理): upload, validate, preview the diff, publish; history with rollback; downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from indicators.display.labels import recorded_text
from indicators.store import StoreError
from loaders.errors import LoaderError
from loaders.importer import ImportPreview
from ui import actions, auth, import_options, publish_effect, queries
from ui.i18n import language, t
from ui.safe import md_escape

lang = language()
WRAPPED_PROBLEMS = 60  # up to this many refusals are shown whole (wrapped); more scroll in a grid
st.title(t("data_page"))

if not actions.can_write():  # viewers, also by direct URL; every write re-checks in ui/actions.py
    auth.refuse_page()

FLASH = "data_flash"  # a message that survives the rerun after a write
UPLOADER_GENERATION = "data_uploader_generation"  # bumped after a publish, which empties the uploader
FLASH_ERROR = "data_flash_error"  # a refused write, said after the rerun that unticks its confirmation
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))
if FLASH_ERROR in st.session_state:
    st.error(md_escape(st.session_state.pop(FLASH_ERROR)))
generation = st.session_state.setdefault(UPLOADER_GENERATION, 0)

CHANGE_WORDS = {"new": t("change_new"), "changed": t("change_changed"), "unchanged": t("change_unchanged")}


UNUSED_SHOWN = 10  # series named in the note on series no target uses; the rest are counted
ROLLBACK_CHOICE = "rollback_batch"  # selector widget keys, forgotten after each write (see _after_batch_write)
REAPPLY_CHOICE = "reapply_batch"


def _confirmed_batch_action(batch_ids: list[int], name: str, choice_key: str, act: Callable[[int], Any],
                            done: Callable[[int, Any], str]) -> None:
    """A batch selector, a confirmation naming the chosen batch (keyed by it, so a tick never carries over to another
    batch) and the button for `name` (rollback or reapply); the outcome is shown after the rerun."""
    columns = st.columns([2, 3])
    chosen = columns[0].selectbox(t(f"{name}_which"), batch_ids, key=choice_key)
    confirm_key = f"{name}_confirm_{chosen}"
    confirmed = columns[1].checkbox(t(f"{name}_confirm", batch=chosen), key=confirm_key)
    if not st.button(t(name), disabled=not confirmed, key=f"{name}_button"):
        return
    try:
        outcome = act(int(chosen))
    except StoreError as exc:  # done meanwhile in another tab or by the CLI: said, not crashed
        st.session_state[FLASH_ERROR] = exc.message_zh if lang == "zh" else exc.message_en
    else:
        st.session_state[FLASH] = done(chosen, outcome)
    _after_batch_write(confirm_key)
    st.rerun()


def _after_batch_write(confirm_key: str | None = None) -> None:
    """After a publish, rollback or re-apply: the used confirmation unticked, the selectors back at the newest batch."""
    for key in (k for k in (confirm_key, ROLLBACK_CHOICE, REAPPLY_CHOICE) if k):
        st.session_state.pop(key, None)


def _when(moment: object) -> str:
    """A recorded time (UTC) to the second."""
    return f"{pd.Timestamp(moment):%Y-%m-%d %H:%M:%S} UTC"


def _old_value_text(value: float) -> str:
    """A new row has no old value: an empty cell, not the table's grey 'None'."""
    return "" if pd.isna(value) else f"{value:.10g}"

def _save_recipe_form(keys: import_options.OptionKeys, preview: ImportPreview) -> None:
    """Save the options in use (the page's over the recipe's) under a name, for the CLI and the next file like this."""
    columns = st.columns([3, 2], vertical_alignment="bottom")
    name = columns[0].text_input(import_options.text("recipe_name"), key=keys.recipe_name, max_chars=64)
    if columns[1].button(import_options.text("recipe_save"), key=f"{keys.recipe_name}_save", disabled=not name.strip()):
        try:
            saved = actions.save_recipe(name, preview)
        except LoaderError as exc:
            st.error(md_escape("；".join(p.message_zh + p.hint_zh if lang == "zh" else p.message_en for p in exc.problems)))
        else:
            st.success(md_escape(import_options.text("recipe_saved", name=saved)))


st.subheader(t("upload_title"))
st.caption(t("upload_help"))
upload = st.file_uploader(t("upload_label"), type=list(actions.UPLOAD_TYPES), key=f"upload_{generation}")
if upload is None:
    actions.forget_upload()
else:
    keys = import_options.OptionKeys(f"{generation}_{upload.file_id}")
    choice = import_options.current_choice(keys, queries.catalogue())  # the controls are drawn below, once the file is read
    options_box = st.container()
    # The note belongs to the batch-to-be whatever the file's fate: typing it while fixing options reruns the page,
    # and the kept parse (or refusal) is reused, so nothing is parsed or audited again.
    note = st.text_input(t("batch_note"), key="batch_note")
    preview = None
    try:
        preview = actions.preview_upload(upload.name, upload.getvalue(), choice.sheet, overrides=choice.overrides,
                                         recipe=choice.recipe, use_recipes=choice.use_recipes)
    except LoaderError as exc:
        with options_box:
            import_options.draw(keys, queries.catalogue(), actions.file_choices(), actions.recipe_names(), expanded=True)
        st.error(t("upload_refused", n=len(exc.problems)))
        problems = pd.DataFrame({
            t("file"): [p.file for p in exc.problems], t("sheet"): [recorded_text(p.sheet, lang) for p in exc.problems],
            t("cell"): [p.cell or "" for p in exc.problems],
            t("problem"): [p.message_zh if lang == "zh" else p.message_en for p in exc.problems],
            t("how_to_fix"): [p.hint_zh if lang == "zh" else p.hint_english for p in exc.problems],
        })
        if len(problems) <= WRAPPED_PROBLEMS:  # a table wraps long messages instead of cutting them off
            st.table(problems, hide_index=True)
        else:  # thousands of bad rows: a scrolling grid stays quick
            st.dataframe(problems, hide_index=True, width="stretch")
        st.info(t("nothing_changed"))
    else:
        with options_box:
            import_options.draw(keys, queries.catalogue(), actions.file_choices(), actions.recipe_names(),
                                expanded=choice.overrides.as_dict() != {} or choice.recipe is not None)
            if preview.recipe and choice.recipe is None:
                st.info(md_escape(import_options.text("recipe_auto_applied", name=preview.recipe,
                                                      switch=import_options.control("use_recipes"))))
        counts = preview.counts()
        layout_text = (preview.description_zh if lang == "zh" else preview.description_en) or preview.layout
        st.success(t("recognised", layout=md_escape(layout_text), sheet=md_escape(preview.sheet), rows=len(preview.rows)))
        for skip in preview.skipped:  # rows of regions or indicators outside the catalogue, left out on purpose
            st.info(md_escape(t("skipped", n=skip.count, reason=skip.reason_zh if lang == "zh" else skip.reason_en,
                                examples="、".join(list(dict.fromkeys(skip.labels))[:5]))))
        if preview.missing:
            st.info(t("missing_values", n=preview.missing))
        if preview.unused:  # still imported: an analyst may be building a series' history before a target reads it
            names = {k: v.name(lang) for k, v in queries.catalogue().regions.items()}
            indicators = {k: v.name(lang) for k, v in queries.catalogue().indicators.items()}
            listed = ("、" if lang == "zh" else "; ").join(
                t("unused_series_item", region=names.get(u.region_id, u.region_id),
                  indicator=indicators.get(u.indicator_id, u.indicator_id), n=u.rows) for u in preview.unused[:UNUSED_SHOWN])
            if len(preview.unused) > UNUSED_SHOWN:
                listed += t("unused_series_more", n=len(preview.unused))
            st.info(md_escape(t("unused_series", series=listed)))
        columns = st.columns(3)
        for column, key in zip(columns, ("new", "changed", "unchanged"), strict=True):
            column.metric(CHANGE_WORDS[key], counts[key])
        for warning in preview.warnings:
            st.warning(md_escape(warning.message_zh if lang == "zh" else warning.message_en))
        catalogue = queries.catalogue()
        diff = preview.diff
        st.dataframe(pd.DataFrame({
            t("change"): diff["change"].map(CHANGE_WORDS),
            t("region"): diff["region_id"].map({k: v.name_zh for k, v in catalogue.regions.items()}),
            t("indicator"): diff["indicator_id"].map({k: v.name_zh for k, v in catalogue.indicators.items()}),
            t("year"): diff["year"], t("month"): diff["month"].astype("Int64").astype("string").fillna(""),
            t("old_value"): diff["old_value"].map(_old_value_text), t("value"): diff["value"], t("unit"): diff["unit"],
            t("data_status"): diff["status"], t("source"): diff["source"],
        }).sort_values(t("change")), hide_index=True, width="stretch")
        publish_effect.show(actions.publish_effect(preview), queries.catalogue())
        _save_recipe_form(keys, preview)
        if st.button(t("publish"), type="primary", disabled=counts["new"] + counts["changed"] == 0, key="publish"):
            with st.status(t("publishing"), expanded=False):
                result = actions.publish_preview(preview, note)
            st.session_state[FLASH] = t("published", batch=result.batch_id, new=result.new, changed=result.changed)
            st.session_state[UPLOADER_GENERATION] = generation + 1
            _after_batch_write()
            st.rerun()

st.subheader(t("history_title"))
batches = queries.batches()
if batches.empty:
    st.info(t("no_batches"))
else:
    st.dataframe(pd.DataFrame({
        t("batch"): batches["batch_id"], t("file"): batches["file_name"], t("sheet"): [recorded_text(s, lang) for s in batches["sheet"]],
        t("imported_by"): batches["imported_by"], t("imported_at"): batches["imported_at"],
        t("rows"): batches["row_count"], t("change_new"): batches["new_count"], t("change_changed"): batches["changed_count"],
        "sha256": batches["sha256"].str.slice(0, 12), t("state"): batches["rolled_back_at"].map(
            lambda v: t("rolled_back") if pd.notna(v) else t("active")),
    }).sort_values(t("batch"), ascending=False), hide_index=True, width="stretch")

    by_id = batches.set_index("batch_id")
    with st.expander(t("batch_detail_title")):
        shown = st.selectbox(t("batch_detail_which"), sorted(by_id.index, reverse=True), index=None,
                             placeholder=t("batch_detail_pick"), key="batch_detail")
        if shown is not None:
            info = by_id.loc[shown]
            state = (t("rolled_back_by", who=info["rolled_back_by"], when=_when(info["rolled_back_at"]))
                     if pd.notna(info["rolled_back_at"]) else t("active"))
            st.markdown(md_escape(t("batch_detail_summary", batch=shown, who=info["imported_by"], when=_when(info["imported_at"]),
                                    file=info["file_name"], sheet=info["sheet"] if pd.notna(info["sheet"]) else "",
                                    sha256=info["sha256"], state=state)))
            if pd.notna(info["note"]) and info["note"]:
                st.caption(md_escape(str(info["note"])))
            st.caption(t("batch_detail_unchanged", n=int(info["unchanged_count"])))
            detail = queries.batch_rows(int(shown))
            catalogue = queries.catalogue()
            st.dataframe(pd.DataFrame({
                t("change"): detail["change"].map(CHANGE_WORDS),
                t("region"): detail["region_id"].map({k: v.name(lang) for k, v in catalogue.regions.items()}),
                t("indicator"): detail["indicator_id"].map({k: v.name(lang) for k, v in catalogue.indicators.items()}),
                t("year"): detail["year"], t("month"): detail["month"].astype("Int64").astype("string").fillna(""),
                t("old_value"): detail["old_value"].map(_old_value_text), t("value"): detail["value"], t("unit"): detail["unit"],
                t("data_status"): detail["status"], t("source"): detail["source"],
            }), hide_index=True, width="stretch")

    # The selectors are forgotten after every write, so they start again at the newest batch; each confirmation is
    # keyed by its batch (a tick never carries over to another batch) and cleared once used.
    active = sorted(batches[batches["rolled_back_at"].isna()]["batch_id"].tolist(), reverse=True)
    if active:
        _confirmed_batch_action(active, "rollback", ROLLBACK_CHOICE, actions.rollback,
                                lambda batch, rows: t("rolled_back_done", batch=batch, rows=rows))
    withdrawn = sorted(batches[batches["rolled_back_at"].notna()]["batch_id"].tolist(), reverse=True)
    if withdrawn:
        _confirmed_batch_action(withdrawn, "reapply", REAPPLY_CHOICE, actions.reapply,
                                lambda batch, result: t("reapplied_done", batch=batch, new_batch=result.batch_id,
                                                        new=result.new, changed=result.changed))

st.subheader(t("downloads"))
columns = st.columns(2)
columns[0].download_button(t("download_template"), queries.template_bytes(), "绿色低碳指标导入模板.xlsx", key="download_template")
columns[1].download_button(t("download_export"), queries.export_bytes(), "绿色低碳指标数据导出.xlsx", key="download_export")
