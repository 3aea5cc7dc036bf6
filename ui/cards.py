"""Target cards for the overview: plain HTML (rendered by st.html, no JavaScript).

Every text that could come from data is escaped here; numbers are formatted by unit and
the catalogue's decimals. A card shows status as colour, icon and word together.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from indicators.display.charts import DARK_TEXT_ON, STATUS_COLOURS, sparkline_img
from indicators.display.labels import count_text, period_text
from ui.formatting import STATUS_ICONS, format_value, status_word

CARD_CSS = """
<style>
.gtm-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px;margin:4px 0 18px}
.gtm-card{border:1px solid #d9e1dd;border-left:8px solid var(--c);border-radius:8px;padding:12px 14px;background:#fff;
  display:flex;flex-direction:column;gap:8px}
.gtm-head{display:flex;justify-content:space-between;gap:8px;align-items:flex-start}
.gtm-name{font-weight:600;font-size:1.02rem;line-height:1.35;color:#1f2933;text-decoration:none}
.gtm-name:hover{text-decoration:underline}
.gtm-region{font-size:.84rem;color:#52606d;font-weight:600;margin-top:2px}
.gtm-chip{white-space:nowrap;padding:2px 9px;border-radius:12px;font-size:.86rem;font-weight:600;background:var(--c);color:#fff}
.gtm-chip.dark{color:#1f2933}
.gtm-tags{display:flex;flex-direction:column;align-items:flex-end;gap:4px}
.gtm-prov{white-space:nowrap;padding:1px 8px;border:1.5px dashed var(--c);border-radius:12px;font-size:.8rem;font-weight:600;
  color:#1f2933;background:#fff}
.gtm-needed{font-size:.86rem;color:#1f2933;font-weight:600}
.gtm-figs{display:flex;justify-content:space-between;align-items:flex-end;gap:8px}
.gtm-latest{font-size:1.55rem;font-weight:700;color:#1f2933;line-height:1.1}
.gtm-sub{font-size:.84rem;color:#52606d}
.gtm-bar{position:relative;height:12px;background:#e9eef0;border-radius:6px;margin-top:4px}
.gtm-fill{height:100%;border-radius:6px;background:var(--c)}
.gtm-marker{position:absolute;top:-5px;height:22px;width:3px;background:#1f2933;border-radius:1px}
.gtm-reason{font-size:.84rem;color:#3e4c59;line-height:1.4}
.gtm-dept{font-size:.8rem;color:#7b8794}
.gtm-counts{display:flex;flex-wrap:wrap;gap:8px;margin:2px 0 6px}
.gtm-count{padding:3px 10px;border-radius:14px;font-size:.9rem;font-weight:600;background:var(--c);color:#fff}
.gtm-count.dark{color:#1f2933}
</style>
"""
def _colour(status: str) -> tuple[str, str]:
    colour = STATUS_COLOURS.get(status, "#8C8C8C")
    return colour, ("dark" if colour in DARK_TEXT_ON else "")


def status_counts_html(counts: Mapping[str, int], lang: str, provisional: Mapping[str, int] | None = None) -> str:
    """Chips '■ 红灯 3' for each status present, in the given (worst-first) order; '● 绿灯 5（其中阶段性1）' when
    `provisional` says some of them rest on within-year figures (§8.5)."""
    chips = []
    for status, n in counts.items():
        if not n:
            continue
        colour, dark = _colour(status)
        text = count_text(status, n, (provisional or {}).get(status, 0), lang)
        chips.append(f'<span class="gtm-count {dark}" style="--c:{colour}">{html.escape(text)}</span>')
    return f'<div class="gtm-counts">{"".join(chips)}</div>'


def _pct(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def card_html(row: Mapping[str, Any], *, method: str, lang: str, texts: Mapping[str, str],
              history: Sequence[float], link_params: Mapping[str, str]) -> str:
    """One target card. `texts` holds the labels in the page language; `row` is a status row (its region named under
    the target: with districts shown, five cards may share a target)."""
    status = str(row[f"status_{method}"])
    colour, dark = _colour(status)
    name = row["name_zh"] if lang == "zh" else row["name_en"]
    unit, decimals = str(row["unit_text"]), int(row["decimals"])
    latest = format_value(_pct(row["latest_value"]), unit, decimals, texts["no_data"])
    when = "" if _pct(row["latest_year"]) is None else period_text(row["latest_year"], _pct(row.get("latest_month")), lang)
    target = row["target_text"]
    completion, time_progress = _pct(row["completion_progress"]), _pct(row["time_progress"])
    bar = ""
    if completion is not None:
        fill = max(0.0, min(completion, 1.0)) * 100
        marker = "" if time_progress is None else (
            f'<div class="gtm-marker" style="left:calc({min(time_progress, 1.0) * 100:.1f}% - 1px)" '
            f'title="{html.escape(texts["time_progress"])}"></div>')
        gap = _pct(row["gap_pp"])
        gap_text = "" if gap is None else " · " + (texts["behind"] if gap < 0 else texts["ahead"]).format(pp=abs(gap))
        time_text = "" if time_progress is None else f' · {texts["time_progress"]} {time_progress * 100:.0f}%'
        bar = (f'<div><div class="gtm-bar"><div class="gtm-fill" style="width:{fill:.1f}%"></div>{marker}</div>'
               f'<div class="gtm-sub">{html.escape(texts["completion"])} {completion * 100:.1f}%{time_text}{gap_text}</div></div>')
    needed = row.get("still_needed_text")  # §8.4, in natural units; nothing where it does not apply
    if isinstance(needed, str) and needed:
        bar += f'<div class="gtm-needed">{html.escape(needed)}</div>'
    spark = sparkline_img(history, _pct(row["target"]), colour, alt=texts["trend"])
    reason = html.escape(str(row["reason"]))
    tag = row.get("provisional_text")  # '阶段性（1—9月）' beside a status judged on a within-year figure
    provisional = f'<span class="gtm-prov">{html.escape(tag)}</span>' if isinstance(tag, str) and tag else ""
    departments = html.escape(str(row["departments_text"]))
    href = "indicator?" + urlencode(link_params)
    return (
        f'<div class="gtm-card" style="--c:{colour}">'
        f'<div class="gtm-head"><div><a class="gtm-name" href="{html.escape(href)}" target="_self">{html.escape(str(name))}</a>'
        f'<div class="gtm-region">{html.escape(str(row.get("region_name") or ""))}</div></div>'
        f'<div class="gtm-tags"><span class="gtm-chip {dark}">{STATUS_ICONS.get(status, "○")} '
        f'{html.escape(status_word(status, lang))}</span>{provisional}</div></div>'
        f'<div class="gtm-figs"><div><div class="gtm-latest">{html.escape(latest)}</div>'
        f'<div class="gtm-sub">{html.escape(when)} · {html.escape(texts["target"])} {html.escape(target)}</div></div>{spark}</div>'
        f'{bar}<div class="gtm-reason">{reason}</div>'
        f'<div class="gtm-dept">{html.escape(texts["departments"])}{"：" if lang == "zh" else ": "}{departments}</div></div>'
    )


def grid_html(cards: Sequence[str]) -> str:
    return f'<div class="gtm-grid">{"".join(cards)}</div>'
