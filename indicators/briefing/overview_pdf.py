"""A print-ready PDF of the overview: one A4 landscape page per plan (its own city), with the plan's barometer
table, status counts, data as of, method and sources, from the same rows and texts as the barometer figure
(indicators/display/figures.barometer_rows) and the pages.

Printed by Chromium (Debian's, the one the PNG exports use) through Playwright: the text stays text (searchable,
copyable, Chinese set by fontconfig's Noto Sans CJK), a table breaks into pages as a browser does, and no second
layout engine or CJK font file has to be shipped. Playwright's sync API refuses to run inside an asyncio loop
(Streamlit's download callables can), so the browser runs on a thread of its own.
"""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.briefing.collect import DEMO_BATCH_KIND
from indicators.briefing.images import ExportUnavailable, export_problem, find_browser
from indicators.briefing.names import WHAT, file_name
from indicators.catalogue import Catalogue, Plan
from indicators.display.charts import DARK_TEXT_ON, STATUS_COLOURS
from indicators.display.figures import BAROMETER_HEADERS, barometer_rows, sources_by_series, sources_text
from indicators.display.labels import as_of_summary, count_text, display_rows, method_basis, method_name, plan_line
from indicators.progress import assess_frame
from indicators.progress.ranking import provisional_counts, status_counts
from indicators.status import load_inputs
from indicators.store import Store
from indicators.targets import apply_target_overrides
from indicators.texts import in_language, load_texts
from indicators.vocabulary import DEMO_SOURCE_MARK

PDF_TIMEOUT_S = 90.0  # start Chromium and print, on a cold, busy machine
# A4 landscape less the margins, in CSS px (96 per inch): 297 − 24 mm wide, 210 − 25 mm high.
PRINT_WIDTH_PX, PRINT_HEIGHT_PX = round((297 - 24) / 25.4 * 96), round((210 - 25) / 25.4 * 96) - 4
# One page per plan: a plan whose section runs taller than a page is shrunk to fit (a plan with many targets, or
# English names that wrap), rather than spilling a few rows onto a page of their own.
FIT_SCRIPT = """(height) => { for (const s of document.querySelectorAll('section')) {
  const h = s.getBoundingClientRect().height; if (h > height) s.style.zoom = (height / h).toFixed(3); } }"""
PAGE_CSS = """
@page { size: A4 landscape; margin: 11mm 12mm 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; color: #1f2933; font-size: 10.5pt; margin: 0; }
section { page-break-after: always; break-after: page; }
section:last-child { page-break-after: auto; break-after: auto; }
.kicker { color: #1b7f5a; font-weight: 700; font-size: 10pt; display: flex; justify-content: space-between; }
.demo { background: #1f2933; color: #fff; padding: 1px 8px; border-radius: 4px; }
h1 { font-size: 17pt; margin: 4px 0 2px; line-height: 1.25; }
.meta { color: #52606d; font-size: 9.5pt; margin: 2px 0; }
.counts span { display: inline-block; margin: 6px 6px 6px 0; padding: 2px 9px; border-radius: 6px; font-weight: 700; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th { background: #1f2933; color: #fff; text-align: left; padding: 4px 6px; }
td { padding: 3px 6px; border-bottom: 1px solid #d9e2ec; vertical-align: top; }
td.status { font-weight: 700; text-align: center; white-space: pre-line; }
td.nowrap { white-space: nowrap; }
tr.zebra td { background: #f1f5f3; }
.notes { color: #52606d; font-size: 8.5pt; margin-top: 6px; }
"""
PROGRESS_COLUMN = 4  # '70.3% / 80%' stays on one line
TEXTS = load_texts(Path(__file__).with_name("texts.yaml"))


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    region_name: str
    rows: pd.DataFrame  # display rows of the plan in its own region
    sources: list[str]
    demo: bool


@dataclass(frozen=True)
class Overview:
    pages: list[PlanPage]
    method: str
    lang: str
    generated: dt.date = field(default_factory=dt.date.today)

    @property
    def file_name(self) -> str:
        """'绿色低碳目标进展总览_2025年.pdf' / 'green_low-carbon_progress_overview_2025.pdf'."""
        years = sorted({p.plan.target_year for p in self.pages})
        return file_name([WHAT["overview"][self.lang]], years[-1] if years else None, self.lang, ".pdf")


def collect_overview(catalogue: Catalogue, store: Store, *, method: str = "barometer", lang: str = "zh",
                     as_of: int | None = None) -> Overview:
    """Every plan in its own city, assessed once, as the overview shows them."""
    catalogue = apply_target_overrides(catalogue, store.target_overrides())
    specs, observations = load_inputs(catalogue, store, as_of=as_of)
    rows = display_rows(assess_frame(specs, observations, as_of=as_of, reasons=True), catalogue, lang) if not specs.empty \
        else pd.DataFrame()
    current = store.current_observations(as_of=as_of)
    by_series = sources_by_series(current)
    batches = store.batches()
    demo_batches = set(batches.loc[batches["kind"] == DEMO_BATCH_KIND, "batch_id"].astype(int))
    pages = []
    for plan in catalogue.plans.values():
        plan_rows = rows[(rows["plan"] == plan.id) & (rows["region"] == plan.region)] if not rows.empty else rows
        if plan_rows.empty:
            continue
        sources = list(dict.fromkeys(s for key in zip(plan_rows["region"], plan_rows["input_indicator"], strict=True)
                                     for s in by_series.get(key, [])))
        shown = current[(current["region_id"] == plan.region) & current["indicator_id"].isin(set(plan_rows["input_indicator"]))]
        demo = bool(shown["batch_id"].astype(int).isin(demo_batches).any())
        pages.append(PlanPage(plan, catalogue.regions[plan.region].name(lang), plan_rows, sources, demo))
    return Overview(pages, method, lang)


def overview_html(overview: Overview) -> str:
    """The printable page: one <section> per plan."""
    t = in_language(TEXTS, overview.lang)
    lang, method = overview.lang, overview.method
    sections = []
    for page in overview.pages:
        counts = status_counts(page.rows, method)
        provisional = provisional_counts(page.rows, method)
        chips = "".join(_chip(count_text(s, n, provisional.get(s, 0), lang), s) for s, n in counts.items() if n)
        headers = "".join(f"<th>{html.escape(h)}</th>" for h in BAROMETER_HEADERS[lang])
        body, previous, group = [], None, 0
        for row in barometer_rows(page.rows, method, lang):
            group += row.area != previous and previous is not None
            cells = [row.area if row.area != previous else "", row.name, row.latest, row.target, row.progress, row.needed]
            previous = row.area
            colour = STATUS_COLOURS.get(row.status, "#8C8C8C")
            text = "#1f2933" if colour in DARK_TEXT_ON else "#ffffff"
            body.append(f'<tr class="{"zebra" if group % 2 else ""}">'
                        + "".join(f'<td{" class=nowrap" if i == PROGRESS_COLUMN else ""}>{html.escape(c)}</td>' for i, c in enumerate(cells))
                        + f'<td class="status" style="background:{colour};color:{text}">{html.escape(row.status_text)}</td></tr>')
        demo = f'<span class="demo">{html.escape(t["demo_tag"])}</span>' if page.demo else ""
        notes = [f"{t['method']}{t['colon']}{method_name(method, lang)}{t['dash']}{method_basis(method, lang)}",
                 sources_text(page.sources, lang)]
        if page.demo and not any(s.startswith(DEMO_SOURCE_MARK) for s in page.sources):
            notes.insert(0, t["demo_cover"])
        sections.append(
            f'<section><div class="kicker"><span>{html.escape(t["app"])} · {html.escape(t["overview_title"])}</span>{demo}</div>'
            f"<h1>{html.escape(page.plan.name(lang))}</h1>"
            f'<p class="meta">{html.escape(plan_line(page.plan, lang))} · {html.escape(t["region"])}{t["colon"]}'
            f'{html.escape(page.region_name)} · {html.escape(as_of_summary(page.rows, lang))} · {len(page.rows)} {t["targets"]}</p>'
            f'<div class="counts">{chips}</div>'
            f"<table><thead><tr>{headers}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f'<div class="notes">{"<br>".join(html.escape(n) for n in notes)}</div></section>')
    title = html.escape(t["overview_title"])
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{PAGE_CSS}</style></head><body>{''.join(sections)}</body></html>")


def _chip(text: str, status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#8C8C8C")
    return f'<span style="background:{colour};color:{"#1f2933" if colour in DARK_TEXT_ON else "#ffffff"}">{html.escape(text)}</span>'


def overview_pdf(overview: Overview) -> bytes:
    """The PDF (one page per plan, more only if a plan's table runs over), printed by Chromium."""
    problem = export_problem()
    if problem:
        raise ExportUnavailable(problem)
    footer = (f'<div style="font-size:8pt;color:#52606d;width:100%;padding:0 12mm;display:flex;justify-content:space-between">'
              f"<span>{html.escape(in_language(TEXTS, overview.lang)['app'])} · {overview.generated:%Y-%m-%d}</span>"
              '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>')
    return _print_pdf(overview_html(overview), footer)


def _print_pdf(page_html: str, footer: str) -> bytes:
    result: dict[str, bytes | BaseException] = {}

    def run() -> None:
        try:
            from playwright.sync_api import sync_playwright  # loads only when a PDF is made

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=find_browser(), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page()
                    page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": PRINT_HEIGHT_PX})
                    page.emulate_media(media="print")
                    page.set_content(page_html, wait_until="load")
                    page.evaluate(FIT_SCRIPT, PRINT_HEIGHT_PX)
                    result["pdf"] = page.pdf(format="A4", landscape=True, print_background=True, display_header_footer=True,
                                             header_template="<span></span>", footer_template=footer,
                                             margin={"top": "11mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
                finally:
                    browser.close()
        except BaseException as exc:  # handed to the caller's thread
            result["error"] = exc

    worker = threading.Thread(target=run, name="gtm-pdf", daemon=True)
    worker.start()
    worker.join(PDF_TIMEOUT_S)
    if worker.is_alive():
        raise ExportUnavailable(f"PDF 生成超时（{PDF_TIMEOUT_S:.0f} 秒）。/ Printing the PDF timed out.")
    error = result.get("error")
    if isinstance(error, BaseException):
        raise ExportUnavailable(f"PDF 生成失败：{error}。/ Printing the PDF failed.") from error
    pdf = result["pdf"]
    assert isinstance(pdf, bytes)
    return pdf


CHROMIUM_ARGS: Sequence[str] = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", "--no-first-run")
