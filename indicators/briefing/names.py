"""File names of the exports, in words a reader recognises, and safe on every operating system.

'天津市绿色低碳目标进展_2025年.pptx', 'Tianjin_green_low-carbon_progress_2025.pptx': the region and what the
file holds, never an id. Windows refuses <>:"/\\|?* , control characters, a trailing dot or space and the
device names (CON, NUL, COM1 …); macOS and Linux refuse '/'. Every one of those is replaced here.
"""

from __future__ import annotations

import re

_REFUSED = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\s]+')  # refused somewhere, or awkward in a shell: one '_'
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})
MAX_STEM_CHARS = 80  # well under every file system's 255 bytes, even at 3 bytes a Chinese character

WHAT = {  # what a file holds, in each language
    "deck": {"zh": "绿色低碳目标进展", "en": "green_low-carbon_progress"},
    "barometer": {"zh": "目标晴雨表", "en": "barometer"},
    "overview": {"zh": "绿色低碳目标进展总览", "en": "green_low-carbon_progress_overview"},
    "comparison": {"zh": "地区对比", "en": "regional_comparison"},
    "chart_data": {"zh": "图表数据", "en": "chart_data"},
    "deck_data": {"zh": "汇报数据", "en": "briefing_data"},
}


def safe_stem(text: str) -> str:
    """`text` as a file name's stem every OS accepts (Chinese kept)."""
    stem = _REFUSED.sub("_", text).strip("._ ")[:MAX_STEM_CHARS].rstrip("._ ")
    if not stem:
        return "export"
    return f"_{stem}" if stem.split(".")[0].upper() in _WINDOWS_DEVICES else stem


def year_text(year: int, lang: str) -> str:
    return f"{year}年" if lang == "zh" else str(year)


def file_name(parts: list[str], year: int | None, lang: str, suffix: str) -> str:
    """'天津市_空气质量优良天数比例_地区对比_2025年.csv': the parts joined, each made safe, then the year."""
    words = [p for p in parts if p] + ([year_text(year, lang)] if year is not None else [])
    return safe_stem("_".join(safe_stem(w) for w in words)) + suffix


def deck_file_name(region_name: str, target_year: int, lang: str) -> str:
    """'天津市绿色低碳目标进展_2025年.pptx' / 'Tianjin_green_low-carbon_progress_2025.pptx'."""
    what = WHAT["deck"][lang]
    first = f"{region_name}{what}" if lang == "zh" else f"{region_name}_{what}"
    return file_name([first], target_year, lang, ".pptx")
