"""Numbers and statuses as people read them: the catalogue's decimals, the indicator's unit."""

from __future__ import annotations

import math

from indicators.status import STATUS_LABELS_EN, STATUS_LABELS_ZH

# Shapes as well as colours (never colour alone), from fonts every machine here has: emoji fonts are
# often missing on servers and in screenshots, where they render as empty boxes.
STATUS_ICONS = {
    "green": "●", "yellow": "▲", "red": "■", "achieved": "✔", "not_assessable": "○", "not_set": "○",
    "on_track": "●", "acceleration_needed": "▲", "limited": "▲", "deterioration": "■",
    "fair": "▲", "stagnation": "■",
}


def format_value(value: float | None, unit: str, decimals: int, empty: str = "—") -> str:
    """'11.5%', '11,600家', '0.4700 吨标准煤/万元'; `empty` for a missing figure."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    number = f"{value:,.{decimals}f}"
    return f"{number}{unit}" if unit in ("%", "家", "个", "条") else f"{number} {unit}"


def status_word(status: str, lang: str) -> str:
    labels = STATUS_LABELS_ZH if lang == "zh" else STATUS_LABELS_EN
    return labels.get(status, status)


def status_label(status: str, lang: str) -> str:
    """Icon and word, never colour alone."""
    return f"{STATUS_ICONS.get(status, '○')} {status_word(status, lang)}"
