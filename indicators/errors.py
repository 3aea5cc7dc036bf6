"""The errors a user may see: their text is written for them, Chinese first.

Anything else that escapes (a ValueError from a bug included) is an internal error: logged for developers,
shown to users only as "内部错误 / internal error", never as its message.
"""


class UserError(Exception):
    """An error whose str() is a complete, user-facing message (no traceback needed)."""


class InvalidArgument(UserError, ValueError):
    """A value the user chose is not valid here (a plan id, a method, a file suffix, a setting).

    Also a ValueError, so code calling the domain as a library can treat it as one.
    """
