"""Everything a page may change, in one place: the role check sits here, and caches are
cleared after every write so no page shows stale figures.

Until access control arrives (its own issue), every visitor counts as an analyst on a
loopback-only server; `current_role` is the single function that will change then.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from indicators.store import BatchResult
from loaders.importer import ImportPreview, prepare_import, publish
from ui import queries

WRITE_ROLES = ("analyst", "admin")  # roles that may upload, publish and roll back
UPLOAD_TYPES: Sequence[str] = ("xlsx", "xlsm", "xls", "ods", "csv")


class NotAllowed(Exception):
    """The current user may not do this; the page shows the message, nothing changes."""


def current_role() -> str:
    return "analyst"


def can_write() -> bool:
    return current_role() in WRITE_ROLES


def _require_write() -> None:
    if not can_write():
        raise NotAllowed("只有分析员和管理员可以导入、发布或撤销数据。/ Only analysts and admins may change data.")


def current_user() -> str:
    return "dashboard-analyst"


def preview_upload(name: str, data: bytes, sheet: str | None = None) -> ImportPreview:
    """Validate an uploaded file and diff it against the database; writes nothing."""
    _require_write()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"  # never the uploaded name: it may hold path characters
        path.write_bytes(data)
        return prepare_import(path, queries.catalogue(), queries.store(), display_name=name, sheet=sheet)


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
