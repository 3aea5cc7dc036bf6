"""Text from data shown in Markdown elements (st.error, st.success, st.caption …) as plain text.

Streamlit never renders raw HTML in Markdown, but Markdown itself can still do things data should not:
`![x](https://elsewhere/pixel.png)` loads a remote image, `[click](…)` makes a link, `:red[…]` and
`$…$` change the look. Every ASCII punctuation character gets a backslash, which CommonMark shows literally.
Tables (st.dataframe, st.table) show cell text as text and need nothing.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def md_escape(text: object) -> str:
    """`text` as Markdown that displays exactly these characters (newlines become spaces)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split("\n")))
