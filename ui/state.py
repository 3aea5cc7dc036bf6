"""View state kept in the URL, so a copied link reproduces what the reader sees."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

ALL = "__all__"  # the "no filter" choice: left out of the URL where it is the default, else written as URL_ALL
URL_ALL = "all"  # how the URL says ALL where it is not the default (e.g. 全部（含区县） beside the plans' cities)


def url_select(label: str, key: str, options: Sequence[str], fmt: Callable[[str], str], *, default: str | None = None,
               container=st, **kwargs) -> str:
    """A selectbox whose value is read from and written to the query parameter `key`."""
    choices = list(options)
    first = default if default is not None else choices[0]
    wanted = st.query_params.get(key, first)
    wanted = ALL if wanted == URL_ALL and ALL in choices else wanted
    index = choices.index(wanted) if wanted in choices else choices.index(first) if first in choices else 0
    value = container.selectbox(label, choices, index=index, format_func=fmt, key=f"url_{key}", **kwargs)
    if value == first and (value == ALL or default is not None):  # a default needs no parameter
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = URL_ALL if value == ALL else value
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
