"""The overview's first screen in real Chromium against the real server: at 1280×900 every target's name and status
word is visible without scrolling; on a 390×844 phone at least four are, and nothing is wider than the screen. Both
languages."""

from __future__ import annotations

import pytest

from indicators.vocabulary import STATUS_LABELS
from tests.test_browser import RENDER_TIMEOUT_MS, browser, server  # noqa: F401  (fixtures: the real server and Chromium)

pytestmark = pytest.mark.browser

TARGETS = 17  # every target of both plans, each plan's own city
# Each barometer row's name and status chip, with where they are drawn and the status they stand for.
ROWS_JS = """() => [...document.querySelectorAll('.gtm-b-row')].map(row => {
  const box = e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const name = row.querySelector('.gtm-b-name a'), chip = row.querySelector('.gtm-b-chip');
  return {status: row.dataset.status, name: name.innerText, chip: chip.innerText, nameBox: box(name), chipBox: box(chip)};
})"""


def open_first_screen(browser, url: str, width: int, height: int, lang: str):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=width < 600,
                                  has_touch=width < 600)
    page = context.new_page()
    page.goto(url + ("/?lang=en" if lang == "en" else "/"))
    page.wait_for_function(f"document.querySelectorAll('.gtm-card').length >= {TARGETS}", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # fonts and the last layout pass
    return context, page


def within(box: dict, width: int, height: int) -> bool:
    return box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= height and box["right"] <= width


def visible_rows(page, width: int, height: int, lang: str) -> list[dict]:
    rows = page.evaluate(ROWS_JS)
    assert len(rows) == TARGETS
    for row in rows:  # the chip says the status in words (with its shape), not colour alone
        assert STATUS_LABELS[row["status"]][lang] in row["chip"], row
    return [r for r in rows if r["name"].strip() and within(r["nameBox"], width, height) and within(r["chipBox"], width, height)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_targets_name_and_status_word_is_on_the_first_screen_of_a_desk(server, browser, lang, tmp_path):  # noqa: F811
    context, page = open_first_screen(browser, server, 1280, 900, lang)
    try:
        page.screenshot(path=str(tmp_path / f"desk_{lang}.png"))
        shown = visible_rows(page, 1280, 900, lang)
        assert len(shown) == TARGETS, [r["name"] for r in page.evaluate(ROWS_JS) if r not in shown]
        assert page.evaluate("window.scrollY") == 0
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_phone_shows_at_least_four_statuses_first_and_nothing_wider_than_the_screen(server, browser, lang, tmp_path):  # noqa: F811
    context, page = open_first_screen(browser, server, 390, 844, lang)
    try:
        page.screenshot(path=str(tmp_path / f"phone_{lang}.png"))
        assert len(visible_rows(page, 390, 844, lang)) >= 4
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
