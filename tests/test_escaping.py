"""Hostile input through the pages (AppTest): HTML in names, sources and notes is shown as text; crafted files are
refused with a clear message and change nothing. The same files in real Chromium: tests/test_browser_security.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from indicators.catalogue import load_catalogue
from indicators.store import Store, resolve_db_path, sha256_of
from loaders.export import export_frame
from loaders.read import MAX_FILE_BYTES
from tests import hostile_files
from tests.accounts import ANALYST, ANALYST_PASSWORD, log_in
from tests.conftest import APP, PAGE_TIMEOUT, PROJECT_ROOT, write_xlsx
from ui.safe import md_escape

SCRIPT = '<script>alert("gtm")</script>'
IMG = "<img src=x onerror=alert(1)>"
# Rows whose indicator names are HTML (refused: unknown indicators) ...
HTML_NAME_ROWS = [
    ["天津市", SCRIPT, 2021, None, 72.3, "%", "正式", "公报", None],
    ["天津市", IMG, 2022, None, 65.8, "%", "正式", "公报", None],
]
# ... and valid rows whose source and note are HTML (accepted, stored and shown as text).
HTML_TEXT_ROWS = [
    ["天津市", "空气质量优良天数比例", 2025, None, 70.4, "%", "初步", IMG, SCRIPT],
    ["天津市", "空气质量优良天数比例", 2026, None, 71.0, "%", "初步", SCRIPT, IMG],
]


pytestmark = pytest.mark.usefixtures("app_state")


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT).run()
    log_in(at, ANALYST, ANALYST_PASSWORD)
    at.switch_page("views/data.py")
    return at.run()


def html_bodies(at: AppTest) -> str:
    return "\n".join(str(h.proto.body) for h in at.html)


def database_state() -> tuple:
    store = Store(resolve_db_path())
    return export_frame(store, load_catalogue()), store.batches()


def assert_unchanged(before: tuple) -> None:
    import pandas as pd

    after = database_state()
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_html_in_indicator_names_is_refused_as_unknown_and_the_message_shows_it_as_text(tmp_path):
    at = data_page()
    before = database_state()
    at.file_uploader[0].upload("names.xlsx", write_xlsx(tmp_path / "names.xlsx", HTML_NAME_ROWS).read_bytes()).run()
    assert not at.exception
    assert "2 个问题" in at.error[0].value
    problems = "\n".join(at.table[0].value["问题"])
    assert f"指标“{SCRIPT}”不在指标目录中" in problems and f"指标“{IMG}”不在指标目录中" in problems
    assert "<script" not in html_bodies(at) and "<img src=x" not in html_bodies(at)
    assert_unchanged(before)


def test_html_in_sources_notes_and_sheet_names_is_stored_and_shown_literally(tmp_path):
    at = data_page()
    workbook = write_xlsx(tmp_path / "texts.xlsx", HTML_TEXT_ROWS, sheet=IMG)
    at.file_uploader[0].upload("texts.xlsx", workbook.read_bytes()).run()
    assert not at.exception and not at.error
    assert md_escape(IMG) in at.success[0].value  # the sheet name, escaped for Markdown
    assert set(at.dataframe[0].value["来源"]) == {IMG, SCRIPT}
    at.button(key="publish").click().run()
    assert "已发布为批次 2" in at.success[0].value
    at.query_params.update({"plan": "tianjin_2022", "region": "tianjin", "indicator": "good_air_quality_days_ratio"})
    at.switch_page("views/indicator.py")
    at.run()
    assert not at.exception and not at.error
    values = at.dataframe[0].value
    shown = values[values["月份"] == ""]  # the annual rows just published (the demo's 2025 figure is monthly)
    shown = shown[shown["年份"].isin([2025, 2026])]
    assert list(shown["来源"]) == [IMG, SCRIPT] and list(shown["备注"]) == [SCRIPT, IMG]
    for page in ("views/overview.py", "views/indicator.py", "views/comparison.py"):
        at.switch_page(page)
        at.run()
        assert "<script" not in html_bodies(at) and "<img src=x" not in html_bodies(at), page


HOSTILE_UPLOADS = [hostile_files.zip_bomb_by_ratio, hostile_files.png_renamed_to_xlsx, hostile_files.html_renamed_to_csv,
                   hostile_files.text_named_as_xlsx, hostile_files.path_traversal_name]
# ./test.sh --fast takes the page path once (the file name that tries to leave the folder); the content checks behind
# the others run in process in tests/test_hostile_imports.py, and every file here in the full suite (marked slow).
FAST_UPLOAD = hostile_files.path_traversal_name


@pytest.mark.parametrize("make", [pytest.param(f, id=f.__name__, marks=() if f is FAST_UPLOAD else pytest.mark.slow)
                                  for f in HOSTILE_UPLOADS])
def test_a_crafted_file_uploaded_on_the_data_page_is_refused_by_content_and_changes_nothing(tmp_path, make):
    hostile = make(tmp_path)
    data = hostile.path.read_bytes()
    at = data_page()
    before = database_state()
    at.file_uploader[0].upload(hostile.display_name or hostile.path.name, data).run()
    assert not at.exception
    assert "文件未通过校验" in at.error[0].value
    assert hostile.expected_zh in "\n".join(at.table[0].value["问题"])
    assert "../" not in "\n".join(at.table[0].value["文件"])
    assert all(b.key != "publish" for b in at.button)  # nothing to publish
    assert_unchanged(before)
    log = Store(resolve_db_path()).audit_log()
    assert (log["action"].iloc[0], log["actor"].iloc[0], log["sha256"].iloc[0]) == ("upload_refused", ANALYST, sha256_of(data))


@pytest.mark.slow  # a 50 MB upload through the page
def test_an_upload_over_the_size_cap_is_refused_before_it_is_read(tmp_path):
    at = data_page()
    before = database_state()
    at.file_uploader[0].upload("huge.xlsx", b"PK\x03\x04" + bytes(MAX_FILE_BYTES)).run()
    assert "文件过大" in "\n".join(at.table[0].value["问题"])
    assert_unchanged(before)


def test_the_server_caps_uploads_at_the_loaders_size_limit():
    import tomllib

    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES
