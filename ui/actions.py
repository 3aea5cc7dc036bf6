"""Everything a page may change, in one place: the role check sits here, and caches are
cleared after every write so no page shows stale figures.

Roles come from the session's login (ui/auth.py), re-read from the users file on every call, so each
write checks the role on the server at the moment it happens: hiding a button is never the protection.
Viewers (no login) change nothing; analysts upload, publish and roll back; admins also manage users,
enter targets the plans leave to a higher authority, publish and withdraw plans, and read the audit log.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from indicators.accounts import ADMIN_ROLES, WRITE_ROLES, User
from indicators.catalogue import Region
from indicators.plans.extract import extract_candidates
from indicators.plans.matching import match_candidates
from indicators.plans.published import PublishedPlan, publish_document, read_stored, region_from_division
from indicators.plans.reading import read_plan_bytes
from indicators.plans.review import PlanFields, ReviewedTarget, build_document
from indicators.regions import registry
from indicators.status_effect import publish_effect as _publish_effect
from indicators.store import BatchResult, StoreError, sha256_of
from indicators.targets import set_target as _set_target
from loaders.errors import LoaderError, Problem
from loaders.file_context import FileContext
from loaders.importer import ImportPreview, ImportRefused, prepare_import, publish
from loaders.option_wording import for_page
from loaders.overrides import OverrideText
from loaders.recipes import list_recipes
from loaders.recipes import save_recipe as _save_recipe
from ui import auth, queries

log = logging.getLogger("gtm.actions")
UPLOAD_TYPES: Sequence[str] = ("xlsx", "xlsm", "xls", "ods", "csv")


class NotAllowed(Exception):
    """The current user may not do this; the page shows the message, nothing changes."""


def current_role() -> str:
    """viewer, analyst or admin, from the users file as it is now."""
    user = auth.identity()
    return user.role if user is not None else "viewer"


def can_write() -> bool:
    return current_role() in WRITE_ROLES


def can_admin() -> bool:
    return current_role() in ADMIN_ROLES


def admins_only_page(refusal: str) -> None:
    """Stop an administrators' page for anyone else: the login prompt for a visitor, `refusal` for a logged-in user."""
    if auth.identity() is None:
        auth.refuse_page()
    if not can_admin():
        st.error(refusal)
        st.stop()


def _require_write() -> None:
    if not can_write():
        raise NotAllowed("只有已登录的分析员和管理员可以导入、发布或撤销数据。/ Only analysts and admins who are logged in may change data.")


def _require_admin() -> None:
    if not can_admin():
        raise NotAllowed("只有管理员可以这样做。/ Only admins may do this.")


def current_user() -> str:
    user = auth.identity()
    return user.name if user is not None else "viewer"


KEPT_PREVIEW = "data_kept_preview"  # session key: the preview (or refusal) of the current upload, the only one kept


@dataclass(frozen=True)
class _Kept:
    """One upload's parse: keyed by the file (sha256, name) and the import options; a preview also by the data
    version its diff was made against. A refusal does not depend on the database, so it is kept whatever the version."""

    key: tuple[str, str, str]
    preview: ImportPreview | None
    refusal: tuple[Problem, ...] | None  # the problems only: an exception would keep the parse's frames alive
    context: FileContext = field(default_factory=FileContext)  # the file's sheets and labels, for the page's choices
    effect: pd.DataFrame | None = None  # what publishing would change, made once per data version


def _options_key(sheet: str | None, overrides: OverrideText | None, recipe: str | None, use_recipes: bool) -> str:
    typed = overrides or OverrideText()
    return json.dumps({"sheet": sheet, "overrides": typed.as_dict(), "recipe": recipe, "use_recipes": use_recipes},
                      ensure_ascii=False, sort_keys=True, default=str)


def preview_upload(name: str, data: bytes, sheet: str | None = None, *, overrides: OverrideText | None = None,
                   recipe: str | None = None, use_recipes: bool = True) -> ImportPreview:
    """Validate an uploaded file and diff it against the database; writes nothing but an audit row when refused.

    Parsed once per file and options in this session (reruns for a typed note or a ticked box reuse it); a refusal
    is audited once and raised again from the session (an ImportRefused, with the file's sheets and labels); when
    the data changed since (another batch, a rollback), only the comparison is made again."""
    _require_write()
    key = (sha256_of(data), name, _options_key(sheet, overrides, recipe, use_recipes))
    kept = st.session_state.get(KEPT_PREVIEW)
    if isinstance(kept, _Kept) and kept.key == key:
        if kept.refusal is not None:
            raise ImportRefused(list(kept.refusal), kept.context)
        if kept.preview is not None:
            renewed = _current(kept).preview
            assert renewed is not None
            return renewed
    try:
        preview = _parse(name, data, sheet, overrides, recipe, use_recipes)
    except LoaderError as exc:
        context = exc.context if isinstance(exc, ImportRefused) else FileContext()
        st.session_state[KEPT_PREVIEW] = _Kept(key, None, exc.problems, context)
        try:
            queries.store().record_audit(current_user(), "upload_refused", file_name=name, sha256=key[0],
                                         detail=json.dumps({"problems": len(exc.problems)}))
        except StoreError:  # a busy database must not hide the refusal itself
            log.warning("audit row for a refused upload not written", exc_info=True)
        raise ImportRefused(list(exc.problems), context) from None
    st.session_state[KEPT_PREVIEW] = _Kept(key, preview, None, preview.context)
    return preview


def _current(kept: _Kept) -> _Kept:
    """The kept preview, its diff made again (nothing parsed) if the data changed since it was made."""
    preview = kept.preview
    assert preview is not None
    if queries.store().meta("data_version") == preview.data_version:
        return kept
    comparison = queries.store().compare(preview.rows)
    fresh = dataclasses.replace(preview, diff=comparison.marked, data_version=comparison.version)
    renewed = _Kept(kept.key, fresh, None, kept.context)  # the effect is made again against the new data
    st.session_state[KEPT_PREVIEW] = renewed
    return renewed


def publish_effect(preview: ImportPreview) -> pd.DataFrame:
    """The targets whose status or latest value publishing the kept preview would change (made once per version)."""
    _require_write()
    kept = st.session_state.get(KEPT_PREVIEW)
    if isinstance(kept, _Kept) and kept.preview is preview and kept.effect is not None:
        return kept.effect
    effect = _publish_effect(queries.catalogue(), queries.store(), preview.rows)
    if isinstance(kept, _Kept) and kept.preview is preview:
        st.session_state[KEPT_PREVIEW] = dataclasses.replace(kept, effect=effect)
    return effect


def file_choices() -> FileContext:
    """The current upload's sheets and labels (empty before an upload, or when the file could not be read)."""
    kept = st.session_state.get(KEPT_PREVIEW)
    return kept.context if isinstance(kept, _Kept) else FileContext()


def _parse(name: str, data: bytes, sheet: str | None, overrides: OverrideText | None, recipe: str | None,
           use_recipes: bool) -> ImportPreview:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"  # never the uploaded name: it may hold path characters
        path.write_bytes(data)
        return prepare_import(path, queries.catalogue(), queries.store(), display_name=name, sheet=sheet,
                              overrides=overrides, recipe=recipe, use_recipes=use_recipes, options_from="page")


def recipe_names() -> list[str]:
    """The saved recipes, by name (saved from this page or by the CLI)."""
    _require_write()
    return list_recipes()


def save_recipe(name: str, preview: ImportPreview) -> str:
    """Save the preview's options (the page's over the recipe's) as recipe NAME for files like this one."""
    _require_write()
    try:
        path = _save_recipe(name.strip(), preview.overrides, preview.fingerprint, preview.file_name, by=current_user())
    except LoaderError as exc:
        raise ImportRefused([for_page(p) for p in exc.problems], FileContext()) from None
    queries.store().record_audit(current_user(), "recipe_saved", subject=path.stem, file_name=preview.file_name,
                                 sha256=preview.sha256, detail=json.dumps(preview.overrides.as_dict(), ensure_ascii=False))
    return path.stem


def forget_upload() -> None:
    """The uploader is empty: drop the kept preview (only the current upload is kept)."""
    st.session_state.pop(KEPT_PREVIEW, None)


def publish_preview(preview: ImportPreview, note: str | None) -> BatchResult:
    _require_write()
    result = publish(preview, queries.store(), current_user(), note=note or None)
    forget_upload()
    queries.clear_caches()
    return result


def rollback(batch_id: int) -> int:
    _require_write()
    try:
        return queries.store().rollback_batch(batch_id, current_user())
    finally:  # refused too: the page may have shown a batch list older than the database
        queries.clear_caches()


def reapply(batch_id: int) -> BatchResult:
    """Write a rolled-back batch's rows again as a new batch (the old one stays rolled back in history)."""
    _require_write()
    try:
        return queries.store().reapply_batch(batch_id, current_user())
    finally:
        queries.clear_caches()


# --- admins -----------------------------------------------------------------------------------------------------

def set_target(plan_id: str, indicator_id: str, value: float | None, note: str | None = None) -> None:
    """Enter (or clear, with None) the value of a target the plan leaves to a higher authority."""
    _require_admin()
    _set_target(queries.catalogue(), queries.store(), plan_id, indicator_id, value, current_user(), note)
    queries.clear_caches()


def remove_demo() -> int:
    """Delete the demo batches and their rows (audited; demo data are never loaded again)."""
    _require_admin()
    try:
        return queries.store().remove_demo(actor=current_user())
    finally:
        queries.clear_caches()


def audit_log() -> pd.DataFrame:
    _require_admin()
    return queries.store().audit_log()


def target_history() -> pd.DataFrame:
    _require_admin()
    return queries.store().target_override_history()


def users() -> list[User]:
    """Every account (the page shows names, roles and e-mails, never hashes)."""
    _require_admin()
    return sorted(auth.users_file().load().values(), key=lambda u: u.name)


def add_user(name: str, role: str, password: str | None, email: str | None) -> User:
    _require_admin()
    user = auth.users_file().add(name.strip(), role, password or None, (email or "").strip() or None)
    queries.store().record_audit(current_user(), "user_add", subject=user.name, detail=json.dumps({"role": role, "email": user.email}))
    return user


def remove_user(name: str) -> None:
    _require_admin()
    if name == current_user():
        raise NotAllowed("不能删除自己的账号（可用命令行）。/ You cannot remove your own account here (use the CLI).")
    auth.users_file().remove(name)
    queries.store().record_audit(current_user(), "user_remove", subject=name)
    _end_sessions(name, "user_removed")


def reset_password(name: str, password: str) -> None:
    _require_admin()
    auth.users_file().reset_password(name, password)
    queries.store().record_audit(current_user(), "user_reset", subject=name)
    _end_sessions(name, "password_reset")


def _end_sessions(name: str, reason: str) -> None:
    """A reset or a removal logs the user out everywhere (a role change does not: the role is re-read on every run).
    Should the database be busy, the session's own check still refuses it: the user or the password is not the same."""
    try:
        auth.revoke_sessions_of(name, reason, by=current_user())
    except StoreError:
        log.warning("sessions of %s not revoked now; their next check refuses them", name, exc_info=True)


def set_role(name: str, role: str) -> None:
    _require_admin()
    if name == current_user():
        raise NotAllowed("不能修改自己的角色（可用命令行）。/ You cannot change your own role here (use the CLI).")
    auth.users_file().set_role(name, role)
    queries.store().record_audit(current_user(), "user_role", subject=name, detail=json.dumps({"role": role}))


# --- plans published from the dashboard (admins) ---------------------------------------------------------------

def read_plan(name: str, data: bytes) -> tuple[str, list[ReviewedTarget]]:
    """An uploaded plan file's text and its candidate targets, matched to the catalogue, ready to review
    (PlanFileError naming the file when it cannot be read). Writes nothing."""
    _require_admin()
    text = read_plan_bytes(data, name)
    candidates = match_candidates(queries.catalogue(), extract_candidates(text))
    return text, [ReviewedTarget.from_candidate(c) for c in candidates]


def new_region(code: str, name_en: str) -> Region:
    """A catalogue region for a division picked from the registry."""
    _require_admin()
    division = registry().by_code(code)
    if division is None:
        raise NotAllowed(f"区划代码 {code} 不在区划库中。/ Code {code} is not in the division registry.")
    return region_from_division(division, registry(), queries.catalogue(), name_en)


def publish_plan(fields: PlanFields, reviewed: Sequence[ReviewedTarget], text: str,
                 indicators: Sequence[dict[str, object]], regions: Sequence[Region], note: str | None = None) -> int:
    """Check the reviewed plan exactly as a shipped YAML plan and store it as its next version (audited; every
    instance re-reads the catalogue); PlanRefused naming every problem, and nothing stored, when it does not pass."""
    _require_admin()
    document = build_document(fields, reviewed, text, indicators, regions)
    try:
        return publish_document(queries.shipped_catalogue(), queries.store(), document, current_user(), note)
    finally:
        queries.clear_caches()


def withdraw_plan(plan_id: str, note: str | None = None) -> int:
    """Withdraw a published plan (every version; history kept, audited)."""
    _require_admin()
    try:
        return queries.store().withdraw_plan(plan_id, current_user(), note)
    finally:
        queries.clear_caches()


def published_plans() -> list[PublishedPlan]:
    """The current version of every published plan that can be read (the page lists and exports them)."""
    _require_admin()
    readable = []
    for row in queries.published_plans():
        try:
            readable.append(read_stored(row))
        except (ValueError, ValidationError):  # said by queries.catalogue_problems
            continue
    return readable


def published_plan_history() -> pd.DataFrame:
    _require_admin()
    return queries.store().published_plan_history()
