"""Everything a page may change, in one place: the role check sits here, and caches are
cleared after every write so no page shows stale figures.

Roles come from the session's login (ui/auth.py), re-read from the users file on every call, so each
write checks the role on the server at the moment it happens: hiding a button is never the protection.
Viewers (no login) change nothing; analysts upload, publish and roll back; admins also manage users,
enter targets the plans leave to a higher authority and read the audit log.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from indicators.accounts import ADMIN_ROLES, WRITE_ROLES, User
from indicators.store import BatchResult, StoreError, sha256_of
from indicators.targets import set_target as _set_target
from loaders.errors import LoaderError
from loaders.importer import ImportPreview, prepare_import, publish
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


def _require_write() -> None:
    if not can_write():
        raise NotAllowed("只有已登录的分析员和管理员可以导入、发布或撤销数据。/ Only analysts and admins who are logged in may change data.")


def _require_admin() -> None:
    if not can_admin():
        raise NotAllowed("只有管理员可以这样做。/ Only admins may do this.")


def current_user() -> str:
    user = auth.identity()
    return user.name if user is not None else "viewer"


def preview_upload(name: str, data: bytes, sheet: str | None = None) -> ImportPreview:
    """Validate an uploaded file and diff it against the database; writes nothing but an audit row when refused."""
    _require_write()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"  # never the uploaded name: it may hold path characters
        path.write_bytes(data)
        try:
            return prepare_import(path, queries.catalogue(), queries.store(), display_name=name, sheet=sheet)
        except LoaderError as exc:
            try:
                queries.store().record_audit(current_user(), "upload_refused", file_name=name, sha256=sha256_of(data),
                                             detail=json.dumps({"problems": len(exc.problems)}))
            except StoreError:  # a busy database must not hide the refusal itself
                log.warning("audit row for a refused upload not written", exc_info=True)
            raise


def publish_preview(preview: ImportPreview, note: str | None) -> BatchResult:
    _require_write()
    result = publish(preview, queries.store(), current_user(), note=note or None)
    queries.clear_caches()
    return result


def rollback(batch_id: int) -> int:
    _require_write()
    rows = queries.store().rollback_batch(batch_id, current_user())
    queries.clear_caches()
    return rows


# --- admins -----------------------------------------------------------------------------------------------------

def set_target(plan_id: str, indicator_id: str, value: float | None, note: str | None = None) -> None:
    """Enter (or clear, with None) the value of a target the plan leaves to a higher authority."""
    _require_admin()
    _set_target(queries.catalogue(), queries.store(), plan_id, indicator_id, value, current_user(), note)
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


def reset_password(name: str, password: str) -> None:
    _require_admin()
    auth.users_file().reset_password(name, password)
    queries.store().record_audit(current_user(), "user_reset", subject=name)


def set_role(name: str, role: str) -> None:
    _require_admin()
    if name == current_user():
        raise NotAllowed("不能修改自己的角色（可用命令行）。/ You cannot change your own role here (use the CLI).")
    auth.users_file().set_role(name, role)
    queries.store().record_audit(current_user(), "user_role", subject=name, detail=json.dumps({"role": role}))
