"""View state kept in the URL, so a copied link reproduces what the reader sees."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

ALL = "__all__"  # the "no filter" choice; never written to the URL


def url_select(label: str, key: str, options: Sequence[str], fmt: Callable[[str], str], *, default: str | None = None,
               container=st, **kwargs) -> str:
    """A selectbox whose value is read from and written to the query parameter `key`."""
    choices = list(options)
    wanted = st.query_params.get(key, default if default is not None else choices[0])
    index = choices.index(wanted) if wanted in choices else 0
    value = container.selectbox(label, choices, index=index, format_func=fmt, key=f"url_{key}", **kwargs)
    if value in (ALL, default):
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    return value


def url_radio(label: str, key: str, options: Sequence[str], fmt: Callable[[str], str], *, container=st, **kwargs) -> str:
    """A horizontal radio kept in the query parameter `key` (the first option is the default)."""
    choices = list(options)
    wanted = st.query_params.get(key, choices[0])
    index = choices.index(wanted) if wanted in choices else 0
    value = container.radio(label, choices, index=index, format_func=fmt, key=f"url_{key}", horizontal=True, **kwargs)
    if value == choices[0]:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    return value
