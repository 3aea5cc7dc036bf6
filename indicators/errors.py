"""The base of every error a user may see: its text is written for them, Chinese first."""


class UserError(Exception):
    """An error whose str() is a complete, user-facing message (no traceback needed)."""
