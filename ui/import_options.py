"""The data page's import options: what the file does not say, picked rather than typed.

The same options as `python -m loaders import` (sheet, layout, whole-table indicator, label → indicator
mappings, region, year, unit, recipe, automatic recipe), validated by the same code: they become an
OverrideText with catalogue names, exactly as a recipe stores them. The controls are named as
loaders/option_wording.py names them, so a refusal's advice points at a control that exists.

The choice is read from the session before the file is parsed (the parse depends on it), and the controls
are drawn afterwards, when the file's sheets and labels are known; both use the same widget keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from indicators.catalogue import Catalogue
from indicators.texts import load_texts
from loaders.file_context import FileContext
from loaders.layouts.rawtable import LAYOUTS
from loaders.normalise import year_max
from loaders.option_wording import CONTROL_NAMES, OPTIONS_BOX
from loaders.overrides import LABEL_SEPARATOR, OverrideText
from ui.i18n import TEXTS_DIR, language, text_from
from ui.safe import md_escape

TEXTS = load_texts(TEXTS_DIR / "import_options.yaml")
FIRST_YEAR = 1949
COMMON_UNITS = ("%", "万吨", "吨", "百万吨", "万吨标准煤", "吨标准煤/万元", "亿元", "万元", "家", "个", "万人", "天")


def text(key: str, **values: object) -> str:
    return text_from(TEXTS, key, **values)


def control(option: str) -> str:
    """A control's label: the name the page's messages use for it."""
    zh, en = CONTROL_NAMES[option]
    return zh if language() == "zh" else en


@dataclass(frozen=True)
class ImportChoice:
    """The options as the page gives them to the importer."""

    sheet: str | None
    overrides: OverrideText
    recipe: str | None
    use_recipes: bool


class OptionKeys:
    """Widget keys of one upload's options: a new file (or a publish) starts with empty options."""

    def __init__(self, file_key: str):
        self.prefix = f"import_opt_{file_key}"

    def __getattr__(self, option: str) -> str:
        return f"{self.prefix}_{option}"


def current_choice(keys: OptionKeys, catalogue: Catalogue) -> ImportChoice:
    """The options as the controls held them after the last run (nothing chosen on a new upload)."""
    state = st.session_state
    indicator_id = state.get(keys.indicator)
    region_id = state.get(keys.region)
    labels = [f"{label}{LABEL_SEPARATOR}{catalogue.indicators[ind].name_zh}" for label, ind in state.get(keys.labels, [])
              if ind in catalogue.indicators]
    whole = [catalogue.indicators[indicator_id].name_zh] if indicator_id in catalogue.indicators else []
    year = state.get(keys.year)
    overrides = OverrideText(
        sheet=state.get(keys.sheet) or None, layout=state.get(keys.layout) or None, indicators=whole + labels,
        region=catalogue.regions[region_id].name_zh if region_id in catalogue.regions else None,
        unit=(state.get(keys.unit) or "").strip() or None, year=int(year) if year else None)
    return ImportChoice(sheet=overrides.sheet, overrides=overrides, recipe=state.get(keys.recipe) or None,
                        use_recipes=bool(state.get(keys.use_recipes, True)))


def draw(keys: OptionKeys, catalogue: Catalogue, context: FileContext, recipes: list[str], *, expanded: bool) -> None:
    """The controls (their values are read by `current_choice` on the next run)."""
    lang = language()
    names = {i.id: i.name(lang) for i in catalogue.indicators.values()}
    regions = {r.id: r.name(lang) for r in catalogue.regions.values()}
    box_name = OPTIONS_BOX[0] if lang == "zh" else OPTIONS_BOX[1]
    with st.expander(box_name, expanded=expanded, icon=":material/tune:"):
        st.caption(text("options_help"))
        row = st.columns(2)
        row[0].selectbox(control("sheet"), [None, *context.sheets], key=keys.sheet,
                         format_func=lambda v: text("auto") if v is None else v)
        row[1].selectbox(control("layout"), [None, *LAYOUTS], key=keys.layout,
                         format_func=lambda v: text("auto") if v is None else LAYOUTS[v][0 if lang == "zh" else 1])
        row = st.columns(2)
        row[0].selectbox(control("indicator"), list(names), index=None, key=keys.indicator, format_func=lambda v: names[v],
                         placeholder=text("pick_indicator"))
        row[1].selectbox(control("region"), list(regions), index=None, key=keys.region, format_func=lambda v: regions[v],
                         placeholder=text("pick_region"))
        row = st.columns(2)
        row[0].selectbox(control("year"), list(range(year_max(), FIRST_YEAR - 1, -1)), index=None, key=keys.year,
                         placeholder=text("pick_year"))
        units = list(dict.fromkeys([*COMMON_UNITS, *(i.unit for i in catalogue.indicators.values())]))
        row[1].selectbox(control("unit"), units, index=None, key=keys.unit, accept_new_options=True,
                         placeholder=text("pick_unit"))
        _label_mappings(keys, context, names)
        row = st.columns(2)
        row[0].selectbox(control("recipe"), [None, *recipes], key=keys.recipe,
                         format_func=lambda v: text("recipe_none") if v is None else v)
        row[1].toggle(control("use_recipes"), value=True, key=keys.use_recipes)


def _label_mappings(keys: OptionKeys, context: FileContext, names: dict[str, str]) -> None:
    """Label → indicator pairs: the label picked from the file's own labels (or typed), the indicator from the catalogue."""
    st.markdown(f"**{control('label_map')}**")
    pairs: list[tuple[str, str]] = st.session_state.setdefault(keys.labels, [])
    if not pairs:
        st.caption(text("label_none"))
    for index, (label, indicator) in enumerate(list(pairs)):
        line = st.columns([5, 1])
        line[0].markdown(md_escape(text("label_mapping", label=label, indicator=names.get(indicator, indicator))))
        if line[1].button(text("label_remove"), key=f"{keys.labels}_remove_{index}"):
            pairs.pop(index)
            st.rerun()
    adder = st.columns([3, 3, 2], vertical_alignment="bottom")
    new_label = adder[0].selectbox(text("label_pick"), list(context.labels), index=None, key=keys.label_new,
                                   accept_new_options=True, placeholder=text("label_pick"))
    new_indicator = adder[1].selectbox(text("label_indicator"), list(names), index=None, key=keys.label_indicator,
                                       format_func=lambda v: names[v], placeholder=text("pick_indicator"))
    if adder[2].button(text("label_add"), key=f"{keys.labels}_add", disabled=not (new_label and new_indicator)):
        label_text = str(new_label).strip()
        if label_text and new_indicator and (label_text, new_indicator) not in pairs:
            pairs.append((label_text, new_indicator))
        for key in (keys.label_new, keys.label_indicator):
            st.session_state.pop(key, None)
        st.rerun()
