"""A refused file's problems, readable in full: each with where it is, what is wrong and how to fix it.

A table cuts long messages at its column's width, so the first problems are written out as a list; the table beside
(folded away unless there are many) holds them all, to search, sort and download."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from loaders.errors import Problem
from ui.i18n import language, t
from ui.safe import md_escape

WRITTEN_OUT = 12  # problems written out in full; more go into the table as well


def show_problems(problems: Sequence[Problem]) -> None:
    lang = language()
    colon = "：" if lang == "zh" else ": "
    lines = []
    for p in problems[:WRITTEN_OUT]:
        where = p.location_zh() if lang == "zh" else p.location_en()
        message = p.message_zh if lang == "zh" else p.message_en
        hint = p.hint_zh if lang == "zh" else (p.hint_en or p.hint_zh)
        line = f"- **{md_escape(where)}**{colon}{md_escape(message)}"
        if hint:
            line += f"  \n  {t('how_to_fix')}{colon}{md_escape(hint)}"
        lines.append(line)
    st.markdown("\n".join(lines))
    if len(problems) > WRITTEN_OUT:
        st.caption(t("problems_more", n=len(problems) - WRITTEN_OUT))
    with st.expander(t("problems_table"), expanded=len(problems) > WRITTEN_OUT):
        st.dataframe(pd.DataFrame({
            t("file"): [p.file for p in problems], t("sheet"): [p.sheet or "" for p in problems],
            t("cell"): [p.cell or "" for p in problems],
            t("problem"): [p.message_zh if lang == "zh" else p.message_en for p in problems],
            t("how_to_fix"): [p.hint_zh if lang == "zh" else (p.hint_en or p.hint_zh) for p in problems],
        }), hide_index=True, width="stretch")
