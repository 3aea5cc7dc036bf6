"""Texts of the interface in Chinese (default) and English."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from indicators.display.labels import BAROMETER_PATHS, METHOD_RULES, NDRC_DOCUMENT_EN
from indicators.texts import TextTable, load_texts

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
LANG_PARAM = "lang"  # query parameter, so a copied link keeps the language
TEXTS_DIR = Path(__file__).with_name("texts")  # the interface's text tables (YAML)

TEXTS: TextTable = {
    **load_texts(TEXTS_DIR / "interface.yaml"),
    **load_texts(TEXTS_DIR / "first_screen.yaml"),  # the first screen, what changed, data gaps
    # Built from the engine's constants, so the thresholds they quote are the ones it uses.
    "method_note_barometer": {
        "zh": f"状态依据：国家发展改革委能耗双控晴雨表（发改办环资〔2020〕901号）——{METHOD_RULES['barometer']['zh']}"
              f"{BAROMETER_PATHS['zh']}",
        "en": f"Colours by the NDRC barometer ({NDRC_DOCUMENT_EN}): {METHOD_RULES['barometer']['en']} {BAROMETER_PATHS['en']}",
    },
    "method_note_ratio": {
        "zh": f"状态依据：增长率比值法（Statistics Canada / Eurostat）——{METHOD_RULES['ratio']['zh']}",
        "en": f"Colours by the growth-rate ratio (Statistics Canada / Eurostat): {METHOD_RULES['ratio']['en']}",
    },
    "method_note_anticipated": {
        "zh": f"状态依据：联合国SDG进展图表法——{METHOD_RULES['anticipated']['zh']}",
        "en": f"Colours by the UN SDG Progress Chart method: {METHOD_RULES['anticipated']['en']}",
    },
}


def language() -> str:
    lang = st.query_params.get(LANG_PARAM, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def text_from(table: TextTable, key: str, **values: object) -> str:
    """`key`'s text in `table` in the current language, with `values` filled in (pages with their own texts use this)."""
    text = table[key][language()]
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    """The text for `key` in the current language."""
    return text_from(TEXTS, key, **values)
