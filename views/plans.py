"""Plans (方案): publish a plan from its text — upload, review every candidate target, set the plan, publish. Admins only.

The text is hostile input: it is shown only as HTML built from escaped text (`highlighted`), and every other
value from it goes through Markdown escaping. Everything the page does goes through ui/actions.py.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import get_args

import streamlit as st

from indicators.errors import UserError
from indicators.plans.published import PlanRefused, additions_yaml, plan_yaml
from indicators.plans.review import PlanFields, ReviewedTarget
from indicators.regions import registry
from indicators.store import sha256_of
from indicators.texts import load_texts
from indicators.vocabulary import BOUNDS, DIRECTIONS, KINDS, PlanStatus, Wording
from ui import actions, queries
from ui.i18n import TEXTS_DIR, language, text_from
from ui.safe import md_escape

lang = language()
TEXTS = load_texts(TEXTS_DIR / "plans.yaml")
WORDINGS: tuple[str, ...] = get_args(Wording)
STATUSES: tuple[str, ...] = get_args(PlanStatus)
NONE, NEW = "", "__new__"  # indicator choices besides the catalogue's
FROM_REGISTRY = "__registry__"
UPLOAD = "plans_upload"  # session key: (sha256, file name, text, reviewed candidates) of the current upload
FLASH = "plans_flash"
UPLOADER = "plans_uploader"  # session key: a counter in the uploader's key, so a published file leaves the uploader


def tx(key: str, **values: object) -> str:
    return text_from(TEXTS, key, **values)


st.title(tx("title"))
actions.admins_only_page(tx("admins_only"))
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))
catalogue = queries.catalogue()


def highlighted(text: str, reviewed: list[ReviewedTarget]) -> str:
    """The text as HTML, every candidate's quote marked and numbered; built only from escaped text."""
    spans = []
    for n, candidate in enumerate(reviewed, 1):
        start = candidate.start if text[candidate.start:candidate.start + len(candidate.quote)] == candidate.quote \
            else text.find(candidate.quote)
        if start >= 0 and candidate.quote:
            spans.append((start, start + len(candidate.quote), n))
    parts, pos = [], 0
    for start, end, n in sorted(spans):
        if start < pos:  # overlapping quotes: the first one is marked
            continue
        parts += [html.escape(text[pos:start]), f'<mark data-candidate="{n}">{html.escape(text[start:end])}<sup>{n}</sup></mark>']
        pos = end
    parts.append(html.escape(text[pos:]))
    return ('<div class="gtm-plan-text" style="max-height:26rem;overflow-y:auto;white-space:pre-wrap;'
            'border:1px solid #ddd;padding:0.75rem;line-height:1.7">' + "".join(parts) + "</div>")


# --- published plans ------------------------------------------------------------------------------------------
st.subheader(tx("published"))
for problem in queries.catalogue_problems():
    st.warning(tx("left_out") + " " + md_escape(problem))
published = actions.published_plans()
if not published:
    st.info(tx("none_published"))
for item in published:
    plan = item.document.plan
    with st.container(border=True):
        st.markdown(md_escape(tx("plan_line", title=plan.title_zh, plan_id=plan.id, version=item.version,
                                 by=item.published_by, at=item.published_at, targets=len(plan.targets))))
        cols = st.columns(4)
        cols[0].download_button(tx("download_yaml"), plan_yaml(plan).encode("utf-8"), f"{plan.id}.yaml",
                                mime="application/x-yaml", key=f"yaml_{plan.id}")
        cols[1].download_button(tx("download_text"), item.document.source_text.encode("utf-8"), f"{plan.id}.txt",
                                mime="text/plain", key=f"text_{plan.id}")
        additions = additions_yaml(item.document)
        if additions is not None:
            cols[2].download_button(tx("download_additions"), additions.encode("utf-8"), f"{plan.id}.additions.yml",
                                    mime="application/x-yaml", key=f"add_{plan.id}")
        confirm = cols[3].checkbox(tx("withdraw_confirm"), key=f"confirm_{plan.id}")
        if cols[3].button(tx("withdraw"), key=f"withdraw_{plan.id}", disabled=not confirm):
            try:
                actions.withdraw_plan(plan.id)
            except (UserError, actions.NotAllowed) as exc:
                st.error(md_escape(str(exc)))
            else:
                st.session_state[FLASH] = tx("withdrawn", plan_id=plan.id)
                st.rerun()
if published:
    st.caption(tx("export_help"))
    with st.expander(tx("history")):
        st.dataframe(actions.published_plan_history(), hide_index=True)

# --- a new plan -----------------------------------------------------------------------------------------------
st.divider()
st.subheader(tx("upload"))
st.caption(tx("upload_help"))
upload = st.file_uploader(tx("upload"), type=["txt", "docx", "pdf", "html", "htm"],
                          key=f"plan_file_{st.session_state.get(UPLOADER, 0)}",
                          label_visibility="collapsed")
if upload is None:
    st.session_state.pop(UPLOAD, None)
    st.stop()
data = upload.getvalue()
kept = st.session_state.get(UPLOAD)
if not (isinstance(kept, tuple) and kept[0] == sha256_of(data)):
    try:
        text, candidates = actions.read_plan(upload.name, data)
    except (UserError, actions.NotAllowed) as exc:
        st.error(tx("read_refused") + " " + md_escape(str(exc)))
        st.stop()
    kept = (sha256_of(data), upload.name, text, candidates)
    st.session_state[UPLOAD] = kept
_, file_name, text, candidates = kept
key = f"pl{kept[0][:10]}"  # widget keys per upload: a new file starts a new review
st.write(md_escape(tx("found", name=file_name, count=len(candidates))) if candidates else tx("no_candidates"))
st.markdown(f"**{tx('text')}**")
st.html(highlighted(text, candidates))

# --- the candidates -------------------------------------------------------------------------------------------
indicator_ids = sorted(catalogue.indicators, key=lambda i: catalogue.indicators[i].name_zh)


def indicator_label(choice: str) -> str:
    if choice == NONE:
        return tx("no_indicator")
    if choice == NEW:
        return tx("create_indicator")
    return f"{catalogue.indicators[choice].name(lang)}（{choice}）"


def bound_label(bound: str) -> str:
    return tx(f"bound_{bound}")


def new_indicator_form(n: int, candidate: ReviewedTarget) -> dict[str, object]:
    """The fields of an indicator created for candidate n."""
    k = f"{key}_{n}_new"
    st.markdown(f"**{tx('new_indicator')}**")
    a, b, c = st.columns(3)
    kind = "level" if candidate.bound != "maintain" else "maintain"
    unit = candidate.quote and next((u for u in ("%", "万千瓦", "万吨", "个", "家") if u in candidate.quote), "")
    fields: dict[str, object] = {
        "id": a.text_input(tx("indicator_id"), key=f"{k}_id"),
        "name_zh": b.text_input(tx("name_zh"), value=candidate.name_zh, key=f"{k}_zh"),
        "name_en": c.text_input(tx("name_en"), key=f"{k}_en"),
        "unit": a.text_input(tx("unit"), value=unit or "", key=f"{k}_unit"),
        "direction": b.selectbox(tx("direction"), DIRECTIONS, key=f"{k}_dir", format_func=lambda d: tx(f"direction_{d}")),
        "kind": c.selectbox(tx("kind"), KINDS, index=KINDS.index(kind), key=f"{k}_kind", format_func=lambda v: tx(f"kind_{v}")),
        "area": a.selectbox(tx("area"), list(catalogue.areas), key=f"{k}_area",
                            format_func=lambda i: catalogue.areas[i].name(lang)),
        "decimals": int(b.number_input(tx("decimals"), min_value=0, max_value=6, value=1, key=f"{k}_dec")),
        "bounded": c.checkbox(tx("bounded"), value=unit == "%", key=f"{k}_bounded"),
    }
    return fields


reviewed: list[ReviewedTarget] = []
new_indicators: list[dict[str, object]] = []
if candidates:
    st.markdown(f"**{tx('candidates')}**")
for n, candidate in enumerate(candidates, 1):
    k = f"{key}_{n}"
    with st.container(border=True):
        st.markdown(md_escape(tx("candidate", n=n, name=candidate.name_zh)))
        top = st.columns([1, 3])
        decision = top[0].radio(tx("decision"), ("accept", "reject"), index=0 if candidate.accepted else 1, key=f"{k}_ok",
                                format_func=tx, horizontal=True)
        options = [NONE, NEW, *indicator_ids]
        chosen = top[1].selectbox(tx("indicator"), options, key=f"{k}_ind", format_func=indicator_label,
                                  index=options.index(candidate.indicator) if candidate.indicator in options else 0)
        if candidate.suggestions and not candidate.indicator:
            top[1].caption(md_escape(tx("suggestions", names="、".join(candidate.suggestions))))
        row = st.columns([1, 1, 2])
        value = row[0].number_input(tx("value"), value=candidate.value, key=f"{k}_value")
        bound = row[1].selectbox(tx("bound"), BOUNDS, index=BOUNDS.index(candidate.bound) if candidate.bound in BOUNDS else 0,
                                 key=f"{k}_bound", format_func=bound_label)
        wording = row[2].multiselect(tx("wording"), WORDINGS, default=[w for w in candidate.wording if w in WORDINGS],
                                     key=f"{k}_wording")
        quote = st.text_input(tx("quote"), value=candidate.quote, key=f"{k}_quote")
        row = st.columns([2, 2])
        clause = row[0].text_input(tx("clause"), value=candidate.clause, key=f"{k}_clause")
        relative = row[1].checkbox(tx("relative"), value=candidate.relative, key=f"{k}_relative")
        if candidate.departments:
            st.caption(md_escape(tx("departments", names="、".join(candidate.departments))))
        indicator: str | None = chosen or None
        if chosen == NEW:
            created = new_indicator_form(n, candidate)
            indicator = str(created["id"]).strip() or None
            if decision == "accept":
                new_indicators.append(created)
        elif chosen and chosen not in queries.shipped_catalogue().indicators and decision == "accept":
            # created for another published plan: carried by this one too, so either can be withdrawn alone
            new_indicators.append(catalogue.indicators[chosen].model_dump(mode="json"))
        reviewed.append(ReviewedTarget(
            accepted=decision == "accept", indicator=indicator, value=value, bound=bound, wording=list(wording),
            quote=quote, clause=clause, relative=relative, departments=list(candidate.departments),
            name_zh=candidate.name_zh))

# --- the plan -------------------------------------------------------------------------------------------------
st.subheader(tx("plan_details"))
first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]
a, b = st.columns(2)
plan_id = a.text_input(tx("plan_id"), key=f"{key}_plan_id")
issuer = b.text_input(tx("issuer"), key=f"{key}_issuer")
title_zh = a.text_input(tx("title_zh"), value=first_line, key=f"{key}_title_zh")
title_en = b.text_input(tx("title_en"), key=f"{key}_title_en")
date_issued = a.date_input(tx("date_issued"), value=None, min_value=dt.date(1949, 10, 1), key=f"{key}_date")
status = b.selectbox(tx("status"), STATUSES, key=f"{key}_status")
region_options = [FROM_REGISTRY, *sorted(catalogue.regions, key=lambda r: catalogue.regions[r].code)]
region_choice = a.selectbox(tx("region"), region_options, key=f"{key}_region",
                            format_func=lambda r: tx("from_registry") if r == FROM_REGISTRY
                            else tx("region_catalogue", name=catalogue.regions[r].name(lang)))
region: str | None = None if region_choice == FROM_REGISTRY else region_choice
new_regions = []
if region_choice == FROM_REGISTRY:
    search = b.text_input(tx("registry_search"), key=f"{key}_reg_search")
    found = registry().find(search.strip()) if search.strip() else []
    if search.strip() and not found:
        b.caption(tx("registry_none"))
    divisions = {d.code: d for d in found[:50]}
    code: str | None = b.selectbox(tx("registry_pick"), list(divisions), key=f"{key}_reg_pick",
                                   format_func=lambda c: f"{registry().full_name(divisions[c])}（{c}）") if divisions else None
    if code is not None:
        known = catalogue.find_region(code)
        if known is not None:  # the catalogue has it already: use it, do not create it twice
            region = known
        else:
            name_en = b.text_input(tx("region_en"), key=f"{key}_reg_en")
            new_region = actions.new_region(code, name_en)
            region, new_regions = new_region.id, [new_region]
if region is not None and not new_regions and region not in queries.shipped_catalogue().regions:
    new_regions = [catalogue.regions[region]]  # another published plan's: carried, so either can be withdrawn alone
c, d = st.columns(2)
base_year = int(c.number_input(tx("base_year"), min_value=1949, max_value=2100, value=2020, key=f"{key}_base"))
target_year = int(d.number_input(tx("target_year"), min_value=1949, max_value=2100, value=2025, key=f"{key}_target"))
note = st.text_input(tx("note"), key=f"{key}_note")

if st.button(tx("publish"), type="primary", key=f"{key}_publish"):
    fields = PlanFields(id=plan_id, title_zh=title_zh, title_en=title_en, issuer=issuer, date_issued=date_issued,
                        status=status, region=region, base_year=base_year, target_year=target_year)
    try:
        version = actions.publish_plan(fields, reviewed, text, new_indicators, new_regions, note.strip() or None)
    except PlanRefused as exc:
        st.error(tx("refused") + "\n\n" + "\n\n".join(f"- {md_escape(p)}" for p in exc.problems))
    except (UserError, actions.NotAllowed) as exc:
        st.error(md_escape(str(exc)))
    else:
        st.session_state.pop(UPLOAD, None)
        st.session_state[UPLOADER] = st.session_state.get(UPLOADER, 0) + 1
        st.session_state[FLASH] = tx("published_ok", plan_id=plan_id.strip(), version=version)
        st.rerun()
