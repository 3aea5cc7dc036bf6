"""Every page in English (?lang=en, AppTest) scanned for Chinese characters: every text the page sends to the
browser (titles, captions, HTML, tables, metrics, widget labels, options and help, chart specs) must be English,
except what is marked as the original text (plan quotes, clauses, department names, sources: “…” (original text))
and the language switch's own name for Chinese. A missing English string makes this test fail and name it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from indicators.display.labels import ORIGINAL_MARK
from tests.accounts import ADMIN, ADMIN_PASSWORD, log_in
from tests.conftest import APP, PAGE_TIMEOUT

pytestmark = pytest.mark.usefixtures("app_state")

CHINESE = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]")  # ideographs, CJK punctuation, full-width forms
# “…” (original text), one nesting level; a chart may have wrapped it over lines (<br>)
MARKED = re.compile(r"“(?:[^“”]|“[^“”]*”)*”\s*" + r"\s+".join(map(re.escape, ORIGINAL_MARK.split())))
ALLOWED = ("中文", "语言")  # the language switch names Chinese in Chinese ("Language / 语言")
SKIPPED_FIELDS = frozenset({"id", "form_id", "key", "css", "unsafe_allow_html"})


def strings(message: Message) -> Iterator[str]:
    """Every string field of a protobuf message, nested messages and lists included; a chart's JSON spec parsed."""
    for field, value in message.ListFields():
        if field.name in SKIPPED_FIELDS:
            continue
        values = [value] if isinstance(value, (str, bytes, Message)) or not hasattr(value, "__iter__") else list(value)
        for item in values:
            if isinstance(item, Message):
                yield from strings(item)
            elif isinstance(item, str):
                if field.name == "spec" and item.startswith("{"):
                    yield from json_strings(json.loads(item))
                else:
                    yield item


def json_strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def page_texts(at: AppTest) -> list[str]:
    """What the page shows: every element's strings, and every table's and dataframe's cells, index and headers."""
    texts: list[str] = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            texts.extend(strings(proto))
        stack.extend(getattr(node, "children", {}).values())
    for frame in [*(t.value for t in at.table), *(d.value for d in at.dataframe)]:
        texts.extend(str(c) for c in frame.columns)
        texts.extend(str(i) for i in frame.index)
        texts.extend(str(v) for v in frame.astype(str).to_numpy().ravel())
    return texts


def untranslated(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        plain = text.replace("<br>", "\n").replace("\\(", "(").replace("\\)", ")")  # a chart's line breaks, markdown escapes
        rest = MARKED.sub("", plain)
        for allowed in ALLOWED:
            rest = rest.replace(allowed, "")
        if CHINESE.search(rest):
            found.append(text[:160])
    return sorted(set(found))


def english(page: str | None = None, *, admin: bool = False, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.query_params["lang"] = "en"
    for key, value in query.items():
        at.query_params[key] = value
    if page is not None:  # straight to the page: AppTest re-formats a rerun's options in Chinese (its own thread)
        at.switch_page(page)
    at.run()
    if admin:
        log_in(at, ADMIN, ADMIN_PASSWORD)
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("page, query", [
    (None, {}),
    (None, {"method": "ratio", "region": "__all__"}),
    ("views/indicator.py", {"plan": "tianjin_2022", "indicator": "high_tech_enterprises"}),
    ("views/indicator.py", {"plan": "tianjin_2022", "indicator": "black_odorous_water_bodies_sustained"}),
    ("views/indicator.py", {"plan": "zhanjiang_2023_draft", "indicator": "energy_intensity_reduction"}),
    ("views/comparison.py", {"plan": "tianjin_2022", "indicator": "good_air_quality_days_ratio", "method": "anticipated"}),
    (None, {"present": "1"}),
    ("views/indicator.py", {"present": "1", "plan": "tianjin_2022"}),
])
def test_english_pages_show_no_chinese_outside_the_marked_original_text(page, query):
    at = english(page, **query)
    found = untranslated(page_texts(at))
    assert not found, "untranslated:\n" + "\n".join(found)


@pytest.mark.parametrize("page", ["views/data.py", "views/admin.py"])
def test_english_data_and_admin_pages_show_no_chinese_outside_the_marked_original_text(page):
    at = english(page, admin=True)
    found = untranslated(page_texts(at))
    assert not found, "untranslated:\n" + "\n".join(found)


def test_the_scan_finds_an_untranslated_string():
    assert untranslated(["Target 目标", "Responsible: “市发展改革委” (original text)", "Language / 语言"]) == ["Target 目标"]
