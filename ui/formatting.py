"""Numbers and statuses as people read them. The functions live in indicators/display/labels.py, shared with the
exports (slides and images say exactly what the pages say); this module keeps the pages' imports short."""

from __future__ import annotations

from indicators.display.labels import STATUS_ICONS, format_value, method_name, status_label, status_word

__all__ = ["STATUS_ICONS", "format_value", "method_name", "status_label", "status_word"]
