"""Status rows prepared for display. The functions live in indicators/display/labels.py, shared with the exports;
this module keeps the pages' imports stable."""

from __future__ import annotations

from indicators.display.labels import (
    BOUND_SYMBOLS,
    METHOD_PREFIXES,
    SENTENCE_SEPARATORS,
    departments_text,
    display_rows,
    method_reason,
    target_text,
)

__all__ = ["BOUND_SYMBOLS", "METHOD_PREFIXES", "SENTENCE_SEPARATORS", "departments_text", "display_rows", "method_reason",
           "target_text"]
