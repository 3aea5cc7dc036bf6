"""Where details of unexpected errors go: a log file, never the user's screen."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from indicators import settings

LOG_MAX_BYTES = 5 * 1024 * 1024  # rotate at 5 MB, keep a few old files
LOG_BACKUPS = 3


def configure_logging() -> Path:
    """Send the 'gtm' logger to the log file (once per process); returns the file's path."""
    path = settings.log_path()
    logger = logging.getLogger("gtm")
    if not any(isinstance(h, RotatingFileHandler) for h in logger.handlers):
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # keep tracebacks off stderr and the page
    return path
