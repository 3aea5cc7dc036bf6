"""The store's errors, apart from the modules that raise them so that every layer of the store (and a
backend) can raise them without importing the others.

StoreError and StoreBusyError carry a message fit for users (Chinese first); DatabaseBusy never reaches a
user: a backend raises it for one failed attempt and the store's lock-retry loop turns it into waiting.
"""

from __future__ import annotations

from indicators.errors import UserError


class StoreError(UserError):
    """A store failure with a message fit for users, Chinese first."""

    def __init__(self, message_zh: str, message_en: str):
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(f"{message_zh}\n{message_en}")


class StoreBusyError(StoreError):
    """Another process holds the database file."""


class DatabaseBusy(Exception):
    """One attempt to reach the database found another writer holding it (the store waits and tries again)."""


class DiskFullError(StoreError):
    """The disk the database (or a backup) is written to has no space left."""


class ReadOnlyError(StoreError):
    """The database's file system or file does not allow writing (the database itself may be intact)."""
