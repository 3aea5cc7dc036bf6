"""The data-gap matrix on the overview: one row per assessed series (target · region), one column per year, each
cell saying whether the figure is final, revised, preliminary (初步), estimated, within-year only, missing or not due
yet — in words and shapes as well as colours. Figures from indicators/data_gaps.py; HTML for st.html."""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd

from indicators.data_gaps import gap_counts
from indicators.display.labels import months_text

Text = Callable[..., str]

CELL_COLOURS = {  # background, text: light fills so the words stay legible
    "final": ("#e3f2ea", "#14532d"), "revised": ("#e3f2ea", "#14532d"), "preliminary": ("#fff3c4", "#6b4e00"),
    "estimated": ("#fde7d3", "#7c3d06"), "within_year": ("#e6eefb", "#1e3a8a"), "missing": ("#fbe0df", "#8a1c17"),
    "not_due": ("#f2f4f5", "#7b8794"),
}
GAP_CSS = """
<style>
.gtm-gaps{border-collapse:collapse;font-size:.8rem;line-height:1.3;margin:4px 0 8px}
.gtm-gaps th{font-weight:600;font-size:.74rem;color:#52606d;border-bottom:1px solid #cfd8d3;padding:2px 6px;text-align:left;white-space:nowrap}
.gtm-gaps td{padding:1px 4px;border-bottom:1px solid #fff}
.gtm-gaps td:first-child{min-width:10em}
.gtm-gaps td.gtm-g{white-space:nowrap;text-align:center;border-left:2px solid #fff}
</style>
"""


def cell_text(cell: str, month: float | int | None, lang: str, t: Text) -> str:
    """A cell's shape and word; a within-year figure says which months it covers ('◔ 1—9月')."""
    if cell == "within_year":
        return t("cell_within_year", months=months_text(int(month), lang) if month is not None and not pd.isna(month) else "")
    return t(f"cell_{cell}")


def gaps_html(cells: pd.DataFrame, rows: pd.DataFrame, *, lang: str, t: Text) -> str:
    """The summary line, the note and the matrix for the series in `rows` (the display rows shown)."""
    shown = cells[cells["series_id"].isin(set(rows["series_id"]))]
    counts = gap_counts(shown)
    parts = [GAP_CSS, f'<p style="margin:2px 0">{html.escape(t("gaps_summary", series=shown["series_id"].nunique(), **counts))}</p>',
             f'<p style="margin:2px 0;color:#52606d;font-size:.8rem">{html.escape(t("gaps_note"))}</p>']
    if shown.empty:
        return "".join(parts)
    years = sorted(shown["year"].unique())
    head = (f"<th>{html.escape(t('col_target'))}</th><th>{html.escape(t('col_region'))}</th>"
            + "".join(f"<th>{int(y)}</th>" for y in years))
    names = {sid: (str(n), str(r)) for sid, n, r in zip(rows["series_id"], rows["indicator_name"], rows["region_name"], strict=True)}
    body = []
    for series_id, series in shown.groupby("series_id", sort=False):
        by_year = {int(r["year"]): r for r in series.to_dict("records")}
        cells_html = []
        for year in years:
            record = by_year.get(int(year))
            if record is None:  # before the year the series needs (annual rates start after the base)
                cells_html.append('<td class="gtm-g"></td>')
                continue
            back, fore = CELL_COLOURS[record["cell"]]
            text = cell_text(record["cell"], record["month"], lang, t)
            cells_html.append(f'<td class="gtm-g" data-cell="{record["cell"]}" style="background:{back};color:{fore}">'
                              f'{html.escape(text)}</td>')
        name, region = names[series_id]
        body.append(f"<tr><td>{html.escape(name)}</td><td style='white-space:nowrap'>{html.escape(region)}</td>{''.join(cells_html)}</tr>")
    return "".join(parts) + f'<div style="max-width:100%;overflow-x:auto"><table class="gtm-gaps"><thead><tr>{head}</tr></thead>' \
                            f'<tbody>{"".join(body)}</tbody></table></div>'
