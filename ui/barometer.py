"""The overview's first screen: a compact barometer (晴雨表) table of every target shown, worst first — name,
region, latest value and its period, target, status (colour, shape and word) and the gap to time elapsed — each
name linking to its indicator page with the page's language, plan, region and method.

Plain HTML for st.html (no JavaScript); every text from data is escaped here. On a narrow screen (a phone) each
row folds into two lines, status and name over region, figures and gap, so nothing is wider than the screen.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from indicators.catalogue import Catalogue
from indicators.display.charts import DARK_TEXT_ON, STATUS_COLOURS
from indicators.display.figures import latest_text
from indicators.display.labels import target_text
from indicators.progress.ranking import worst_first
from ui.formatting import STATUS_ICONS, status_word

PHONE_WIDTH_PX = 640  # below this the table's rows fold into two lines

BAROMETER_CSS = f"""
<style>
.gtm-baro{{width:100%;border-collapse:collapse;font-size:.84rem;line-height:1.25;color:#1f2933;table-layout:auto}}
.gtm-baro th{{text-align:left;font-weight:600;font-size:.74rem;color:#52606d;border-bottom:1px solid #cfd8d3;padding:1px 6px;
  white-space:nowrap}}
.gtm-baro td{{padding:2px 6px;border-bottom:1px solid #edf1ef;vertical-align:middle}}
.gtm-baro tr:hover td{{background:#f6f9f7}}
.gtm-baro .gtm-b-st{{white-space:nowrap;width:1%}}
.gtm-baro .gtm-b-chip{{display:inline-block;min-width:4.6em;padding:0 7px;border-radius:10px;font-weight:600;font-size:.8rem;
  background:var(--c);color:#fff;line-height:1.5}}
.gtm-baro .gtm-b-chip.dark{{color:#1f2933}}
.gtm-baro .gtm-b-prov{{display:inline-block;margin-left:4px;padding:0 5px;border:1.5px dashed #52606d;border-radius:9px;
  font-size:.72rem;font-weight:600;line-height:1.35}}
.gtm-baro .gtm-b-name a{{color:#1f2933;font-weight:600;text-decoration:none}}
.gtm-baro .gtm-b-name a:hover{{text-decoration:underline}}
.gtm-baro .gtm-b-region,.gtm-baro .gtm-b-latest,.gtm-baro .gtm-b-target,.gtm-baro .gtm-b-gap{{white-space:nowrap}}
.gtm-baro .gtm-b-gap.behind{{color:#b3261e;font-weight:600}}
.gtm-baro .gtm-b-muted{{color:#7b8794}}
@media (max-width:{PHONE_WIDTH_PX}px){{
  .gtm-baro thead{{display:none}}
  .gtm-baro,.gtm-baro tbody{{display:block;width:100%}}
  .gtm-baro tr{{display:flex;flex-wrap:wrap;align-items:center;gap:0 8px;padding:3px 0;border-bottom:1px solid #edf1ef}}
  .gtm-baro td{{display:block;border:0;padding:0}}
  /* status and name fill the first line exactly, so region, figures and gap always start the second */
  .gtm-baro .gtm-b-st{{width:auto;flex:0 0 6.4em;white-space:normal}}
  .gtm-baro .gtm-b-prov{{display:block;margin:2px 0 0;font-size:.68rem;white-space:normal}}
  .gtm-baro .gtm-b-name{{flex:1 1 calc(100% - 6.4em - 8px);min-width:0;overflow-wrap:anywhere}}
  .gtm-baro .gtm-b-region,.gtm-baro .gtm-b-latest,.gtm-baro .gtm-b-target,.gtm-baro .gtm-b-gap{{font-size:.76rem;color:#52606d;
    white-space:normal}}
  .gtm-baro .gtm-b-region{{font-weight:600}}
  .gtm-baro .gtm-b-target::before{{content:attr(data-label) " "}}
}}
</style>
"""


def _colour(status: str) -> tuple[str, str]:
    colour = STATUS_COLOURS.get(status, "#8C8C8C")
    return colour, ("dark" if colour in DARK_TEXT_ON else "")


def compact_target(row: Mapping[str, Any], catalogue: Catalogue, lang: str, pending: str) -> str:
    """'≥ 40.0%', '累计降低 14.50%', '保持 100.0%' without the plan's words; `pending` for a target not set yet.
    `catalogue`: with the targets an administrator entered (queries.effective_catalogue)."""
    plan = catalogue.plans[str(row["plan"])]
    target = next((t for t in plan.targets if t.indicator == row["indicator"]), None)
    if target is None or target.value is None:
        return pending
    return target_text(target, str(row["unit_text"]), int(row["decimals"]), lang, bool(row["is_reduction"]), wording=False)


def gap_cell(row: Mapping[str, Any], texts: Mapping[str, str]) -> tuple[str, str]:
    """The gap to time elapsed in points ('落后9.7个百分点'), or why there is none; and a CSS class."""
    gap = row.get("gap_pp")
    if gap is not None and not pd.isna(gap):
        if round(float(gap), 1) == 0:  # "超前0.0个百分点" reads as a contradiction: it is on pace
            return texts["gap_on_pace"], ""
        behind = float(gap) < 0
        return (texts["behind"] if behind else texts["ahead"]).format(pp=abs(float(gap))), ("behind" if behind else "")
    if bool(row.get("base_met")):
        return texts["gap_base_met"], "gtm-b-muted"
    if bool(row.get("is_maintain")):
        return texts["gap_maintain"], "gtm-b-muted"
    return texts["gap_none"], "gtm-b-muted"


def barometer_html(rows: pd.DataFrame, *, method: str, lang: str, catalogue: Catalogue, texts: Mapping[str, str],
                   link_params: Mapping[str, str]) -> str:
    """The table, worst status first then furthest behind. `texts`: the column heads and gap words in `lang`;
    `link_params`: the page's own query parameters (language, method) every link keeps."""
    heads = [texts[k] for k in ("baro_status", "baro_target_name", "baro_region", "baro_latest", "baro_target", "baro_gap")]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    body = []
    for row in worst_first(rows, method, by_area=False).to_dict("records"):
        status = str(row[f"status_{method}"])
        colour, dark = _colour(status)
        tag = row.get("provisional_text")
        provisional = f'<span class="gtm-b-prov">{html.escape(tag)}</span>' if isinstance(tag, str) and tag else ""
        href = "indicator?" + urlencode({**link_params, "plan": row["plan"], "region": row["region"], "indicator": row["indicator"]})
        region = html.escape(str(row["region_name"]))
        gap, gap_class = gap_cell(row, texts)
        latest = latest_text(row, lang)
        body.append(
            f'<tr class="gtm-b-row" data-status="{html.escape(status)}">'
            f'<td class="gtm-b-st"><span class="gtm-b-chip {dark}" style="--c:{colour}">{STATUS_ICONS.get(status, "○")} '
            f'{html.escape(status_word(status, lang))}</span>{provisional}</td>'
            f'<td class="gtm-b-name"><a href="{html.escape(href)}" target="_self">{html.escape(str(row["indicator_name"]))}</a></td>'
            f'<td class="gtm-b-region">{region}</td>'
            f'<td class="gtm-b-latest">{html.escape(latest)}</td>'
            f'<td class="gtm-b-target" data-label="{html.escape(texts["target"])}">'
            f'{html.escape(compact_target(row, catalogue, lang, texts["target_pending"]))}</td>'
            f'<td class="gtm-b-gap {gap_class}">{html.escape(gap)}</td></tr>')
    return f'<table class="gtm-baro"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
