"""Presentation mode steps through a plan's targets from the keyboard (← / →: the buttons' shortcuts), keeping the URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP, PAGE_TIMEOUT

pytestmark = pytest.mark.usefixtures("app_state")


def presenting(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.switch_page("views/indicator.py")
    for key, value in {"present": "1", **query}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_right_and_left_arrows_step_to_the_next_and_previous_target_and_the_url_follows():
    at = presenting(plan="zhanjiang_2023_draft")
    first = at.query_params.get("indicator") or at.selectbox(key="url_indicator").value
    next_button = at.button(key="gtm_present_next")
    assert next_button.proto.shortcut.lower() in ("right", "arrowright")
    next_button.click().run()
    second = at.query_params["indicator"]
    assert second != first and at.selectbox(key="url_indicator").value == second
    at.button(key="gtm_present_previous").click().run()
    assert at.query_params["indicator"] == first
    assert "/ 5" in " ".join(m.value for m in at.markdown)  # five targets, each slide numbered
