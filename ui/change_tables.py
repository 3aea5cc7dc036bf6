"""What changed, on the overview and the indicator page: statuses changed since the previous annual figure and since
the previous data version, revised values, and each target's status by year ("2023年起红灯"). The figures come from
indicators/changes.py; this module only words and draws them (HTML for st.html, every data text escaped)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from indicators.changes import ChangeView, DataVersion
from indicators.display.charts import DARK_TEXT_ON, STATUS_COLOURS
from indicators.display.labels import format_value, period_text, status_label
from ui.formatting import STATUS_ICONS, status_word

Text = Callable[..., str]  # ui.i18n.t: key and values → the text in the page's language

TABLE_CSS = """
<style>
.gtm-scroll{max-width:100%;overflow-x:auto}
.gtm-ctab{border-collapse:collapse;font-size:.84rem;line-height:1.3;color:#1f2933;margin:2px 0 10px}
.gtm-ctab th{text-align:left;font-weight:600;font-size:.76rem;color:#52606d;border-bottom:1px solid #cfd8d3;padding:2px 8px;white-space:nowrap}
.gtm-ctab td{padding:2px 8px;border-bottom:1px solid #edf1ef;vertical-align:top}
.gtm-ctab .gtm-nowrap{white-space:nowrap}
/* On a phone the table scrolls sideways inside its box rather than squeezing names to a character a line. */
.gtm-ctab td:first-child{min-width:10em}
.gtm-ctab .gtm-chipbox{min-width:13em}
.gtm-dot{display:inline-block;padding:0 5px;margin:0 2px 2px 0;border-radius:8px;background:var(--c);color:#fff;font-size:.76rem;
  white-space:nowrap;line-height:1.45}
.gtm-dot.dark{color:#1f2933}
.gtm-chead{font-weight:600;margin:6px 0 2px}
.gtm-cnote{margin:6px 0 2px;color:#3e4c59;font-size:.86rem}
</style>
"""


def _chip(status: str, lang: str, prefix: str = "", *, word: bool = True) -> str:
    colour = STATUS_COLOURS.get(status, "#8C8C8C")
    dark = "dark" if colour in DARK_TEXT_ON else ""
    text = status_label(status, lang) if word else STATUS_ICONS.get(status, "○")
    return (f'<span class="gtm-dot {dark}" style="--c:{colour}" title="{html.escape(status_word(status, lang))}">'
            f'{html.escape(prefix)}{html.escape(text)}</span>')


def since_text(status: str, since: int | None, lang: str, t: Text) -> str:
    """'2023年起红灯' / 'Red since 2023', or the status alone when no judged year holds it."""
    word = status_word(status, lang)
    return t("since_status", year=since, status=word) if since is not None else word


def version_text(version: DataVersion, lang: str) -> tuple[str, str]:
    """A data version's file and time, as the texts quote them."""
    when = pd.Timestamp(version.imported_at).strftime("%Y-%m-%d %H:%M") if version.imported_at is not None else ""
    return version.file_name, when


def _table(heads: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<div class="gtm-scroll"><table class="gtm-ctab"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def history_chips(history: Sequence[tuple[int, int | None, str]], lang: str) -> str:
    """Each judged year as a coloured shape with its year ('2021 ■'), the word on hover; a within-year figure with its months."""
    if not history:
        return ""
    return "".join(_chip(s, lang, f"{period_text(y, m, lang)} ", word=False) for y, m, s in history)


def _names(rows: pd.DataFrame) -> dict[str, tuple[str, str]]:
    return {sid: (str(n), str(r)) for sid, n, r in zip(rows["series_id"], rows["indicator_name"], rows["region_name"], strict=True)}


def changes_html(view: ChangeView, summary: pd.DataFrame, rows: pd.DataFrame, *, lang: str, t: Text,
                 catalogue_units: Mapping[str, tuple[str, int]]) -> str:
    """The overview's section: changed statuses (since the previous annual figure, since the previous data version),
    revised values, and every shown target's status by year. `rows`: the display rows shown (their series only);
    `catalogue_units`: input indicator → (unit text, decimals) for the revised values."""
    names = _names(rows)
    shown = summary[summary["series_id"].isin(names)]
    parts = [TABLE_CSS]
    by_year = shown[shown["changed_since_previous_year"]]
    if by_year.empty:
        parts.append(f'<p class="gtm-cnote">{html.escape(t("changes_since_year_none"))}</p>')
    else:
        parts.append(f'<p class="gtm-chead">{html.escape(t("changes_since_year", n=len(by_year)))}</p>')
        parts.append(_table([t("col_target"), t("col_region"), t("col_change"), t("col_now")],
                            [_change_row(r, names, lang, t) for r in by_year.to_dict("records")]))
    parts.append(_version_part(view, shown, names, lang, t))
    parts.append(_revisions_part(view, rows, lang, t, catalogue_units))
    parts.append(f'<p class="gtm-chead">{html.escape(t("status_history_heading"))}</p>')
    parts.append(_table([t("col_target"), t("col_region"), t("col_now"), t("col_history")],
                        [[html.escape(names[r["series_id"]][0]), f'<span class="gtm-nowrap">{html.escape(names[r["series_id"]][1])}</span>',
                          f'<span class="gtm-nowrap">{html.escape(since_text(r["status"], r["since_year"], lang, t))}</span>',
                          f'<div class="gtm-chipbox">{history_chips(r["history"], lang) or html.escape(t("history_none"))}</div>']
                         for r in shown.to_dict("records")]))
    return "".join(parts)


def _change_row(record: Mapping[str, Any], names: Mapping[str, tuple[str, str]], lang: str, t: Text) -> list[str]:
    name, region = names[record["series_id"]]
    latest = period_text(record["latest_year"], record["latest_month"], lang)
    change = (_chip(str(record["previous_status"]), lang, f"{record['previous_year']} ") + " → "
              + _chip(str(record["status"]), lang, f"{latest} "))
    return [html.escape(name), f'<span class="gtm-nowrap">{html.escape(region)}</span>', f'<span class="gtm-nowrap">{change}</span>',
            f'<span class="gtm-nowrap">{html.escape(since_text(record["status"], record["since_year"], lang, t))}</span>']


def _version_part(view: ChangeView, shown: pd.DataFrame, names: Mapping[str, tuple[str, str]], lang: str, t: Text) -> str:
    if view.latest is None:
        return ""
    file_name, when = version_text(view.latest, lang)
    if view.previous is None:
        return f'<p class="gtm-cnote">{html.escape(t("changes_first_version", latest=view.latest.batch_id, file=file_name, when=when))}</p>'
    values = {"previous": view.previous.batch_id, "latest": view.latest.batch_id, "file": file_name, "when": when}
    changed = shown[shown["changed_since_version"]]
    if changed.empty:
        return f'<p class="gtm-cnote">{html.escape(t("changes_since_version_none", **values))}</p>'
    rows = []
    for r in changed.to_dict("records"):
        name, region = names[r["series_id"]]
        rows.append([html.escape(name), f'<span class="gtm-nowrap">{html.escape(region)}</span>',
                     f'<span class="gtm-nowrap">{_chip(str(r["version_status"]), lang)} → {_chip(str(r["status"]), lang)}</span>',
                     f'<span class="gtm-nowrap">{html.escape(since_text(r["status"], r["since_year"], lang, t))}</span>'])
    return (f'<p class="gtm-chead">{html.escape(t("changes_since_version", n=len(changed), **values))}</p>'
            + _table([t("col_target"), t("col_region"), t("col_change"), t("col_now")], rows))


def _revisions_part(view: ChangeView, rows: pd.DataFrame, lang: str, t: Text,
                    catalogue_units: Mapping[str, tuple[str, int]]) -> str:
    shown = set(zip(rows["region"], rows["input_indicator"], strict=True))
    names = {(r, i): (str(n), str(rn)) for r, i, n, rn in
             zip(rows["region"], rows["input_indicator"], rows["indicator_name"], rows["region_name"], strict=True)}
    revised = view.revisions[[key in shown for key in zip(view.revisions["region_id"], view.revisions["indicator_id"], strict=True)]]
    if revised.empty:
        return f'<p class="gtm-cnote">{html.escape(t("revisions_none"))}</p>'
    body = []
    for r in revised.to_dict("records"):
        unit, decimals = catalogue_units.get(str(r["indicator_id"]), ("", 2))
        name, region = names[(r["region_id"], r["indicator_id"])]
        when = pd.Timestamp(r["imported_at"]).strftime("%Y-%m-%d %H:%M")
        body.append([html.escape(f"{name} · {region}"), html.escape(period_text(r["year"], r["month"], lang)),
                     html.escape(f'{format_value(float(r["old_value"]), unit, decimals)}（{r["old_status"]}）'),
                     html.escape(f'{format_value(float(r["value"]), unit, decimals)}（{r["status"]}）'),
                     html.escape(f'{r["batch_id"]} · {r["file_name"]}'), html.escape(when)])
    return (f'<p class="gtm-chead">{html.escape(t("revisions_heading", n=len(revised)))}</p>'
            + _table([t("col_series"), t("col_year"), t("col_old_value"), t("col_new_value"), t("col_batch"), t("col_when")], body))


def series_changes_html(view: ChangeView, summary: pd.DataFrame, row: Mapping[str, Any], *, lang: str, t: Text,
                        unit: str, decimals: int) -> str:
    """The indicator page's part: this target's status by year under the method, what changed since the previous
    annual figure and data version, and its revised values."""
    found = summary[summary["series_id"] == row["series_id"]]
    if found.empty:
        return ""
    record = found.iloc[0].to_dict()
    lines = [TABLE_CSS, f'<p class="gtm-chead">{html.escape(since_text(record["status"], record["since_year"], lang, t))}</p>',
             f'<div>{history_chips(record["history"], lang) or html.escape(t("history_none"))}</div>']
    if record["changed_since_previous_year"]:
        change = _change_row(record, {row["series_id"]: ("", "")}, lang, t)[2]
        lines.append(f'<p class="gtm-cnote">{html.escape(t("since_previous_year_short"))}{change}</p>')
    if record["changed_since_version"]:
        lines.append(f'<p class="gtm-cnote">{html.escape(t("since_previous_version_short"))}'
                     f'{_chip(str(record["version_status"]), lang)} → {_chip(str(record["status"]), lang)}</p>')
    revised = view.revisions[(view.revisions["region_id"] == row["region"]) & (view.revisions["indicator_id"] == row["input_indicator"])]
    if not revised.empty:
        frame = pd.DataFrame({"region": [row["region"]], "input_indicator": [row["input_indicator"]],
                              "indicator_name": [row["indicator_name"]], "region_name": [row["region_name"]]})
        lines.append(_revisions_part(view, frame, lang, t, {str(row["input_indicator"]): (unit, decimals)}))
    return "".join(lines)
