"""Where details of unexpected errors go: a log file, never the user's screen."""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_ENV = "GTM_LOG"  # path of the log file; default data/gtm.log (git-ignored)
DEFAULT_LOG = Path(__file__).resolve().parent.parent / "data" / "gtm.log"
LOG_MAX_BYTES = 5 * 1024 * 1024  # rotate at 5 MB, keep a few old files
LOG_BACKUPS = 3


def configure_logging() -> Path:
    """Send the 'gtm' logger to the log file (once per process); returns the file's path."""
    path = Path(os.environ.get(LOG_ENV) or DEFAULT_LOG)
    logger = logging.getLogger("gtm")
    if not any(isinstance(h, RotatingFileHandler) for h in logger.handlers):
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # keep tracebacks off stderr and the page
    return path
