"""Labels → catalogue indicators and regions; units → the indicator's unit; values the unit makes impossible.

What happens to a label that is not in the catalogue depends on the table (the policy, decided here):

- In the **long template** every row was typed for this dashboard, so an unknown region or indicator is
  an error naming its cell, with the closest catalogue names as suggestions.
- In a **published table** (yearbook, CEADs inventory, communiqué) most rows are other cities, counties or
  series: the co2.xlsx county file has 2,735 rows of which 25 are in our region catalogue. Those rows are
  *skipped* and reported as a count with a few examples ("跳过 2,710 行：地区不在地区目录中（如 瑶海区、…）"),
  and near misses are shown as warnings with suggestions. A table where *nothing* matches is refused,
  with the labels it holds and the closest catalogue names, because importing nothing is never what the
  analyst meant.

Regions are matched by name, alias, administrative code (including the former codes in regions.yaml) and
the province-prefixed form CEADs uses ("广东湛江"), checked against the region's province. A bare
district or county name ("和平区" exists in Tianjin and Shenyang) is accepted in a published table only
when the table names its city or province somewhere (title, sheet name, another label column); codes are
always exact, and text codes with a suffix ("320211（2）", a new unit sharing an old code) never match.

Units convert when the units say so (万人 → 人, 比例 0.68 → 68%, 万吨 → 吨, Mt CO2 → 百万吨), with a warning;
a unit that cannot be reconciled with the indicator's is an error. Value rules by indicator:
shares and rates in % lie in 0..100, except change rates (下降率, 降低率, cumulative reductions) which may be
negative; counts are whole and not negative; other levels are not negative.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from indicators.catalogue import Catalogue, Indicator, Region, match_key
from indicators.regions import registry
from loaders.columns import codes
from loaders.normalise import canonical_unit, conversion_factor, label_parts, looks_like_unit, nfkc, split_bilingual, split_label_unit

SUGGESTIONS = 3  # near-miss names offered for an unknown label
SUGGESTION_CUTOFF = 0.6  # difflib ratio below which a catalogue name is not offered
NEAR_MISS_CUTOFF = 0.8  # ratio from which an unknown row label is reported as a probable typo
MIN_CONTEXT_FORM_CHARS = 2  # shorter aliases ('津') are too ambiguous to find inside a title
PERCENT_MAX = 100.0  # a share or rate in % cannot exceed this
CHANGE_RATE_WORDS = ("下降", "降低", "增长", "增速", "变化")  # % indicators that may legitimately be negative
COUNT_UNITS = frozenset({"家", "个", "条", "座", "项", "人", "辆", "艘", "处"})
SUBSTANCE_SUFFIX = "二氧化碳"  # 'Mt CO2' is a mass of CO2: for CO2 indicators compare the mass part
VARIANT_CACHE = 65_536  # distinct labels whose spellings are remembered (a county table has a few thousand)
MIN_ENGLISH_LETTERS = 3  # a trailing Latin part shorter than this is not an English label

# Province-level divisions, full and short name: the prefixes CEADs and yearbooks put before a city.
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京"), ("天津市", "天津"), ("河北省", "河北"), ("山西省", "山西"), ("内蒙古自治区", "内蒙古"),
    ("辽宁省", "辽宁"), ("吉林省", "吉林"), ("黑龙江省", "黑龙江"), ("上海市", "上海"), ("江苏省", "江苏"),
    ("浙江省", "浙江"), ("安徽省", "安徽"), ("福建省", "福建"), ("江西省", "江西"), ("山东省", "山东"),
    ("河南省", "河南"), ("湖北省", "湖北"), ("湖南省", "湖南"), ("广东省", "广东"), ("广西壮族自治区", "广西"),
    ("海南省", "海南"), ("重庆市", "重庆"), ("四川省", "四川"), ("贵州省", "贵州"), ("云南省", "云南"),
    ("西藏自治区", "西藏"), ("陕西省", "陕西"), ("甘肃省", "甘肃"), ("青海省", "青海"), ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"), ("台湾省", "台湾"), ("香港特别行政区", "香港"), ("澳门特别行政区", "澳门"),
)
_PROVINCE_PREFIXES = sorted({form for pair in PROVINCES for form in pair}, key=len, reverse=True)
_SHORT_PROVINCE = {full: short for full, short in PROVINCES} | {short: short for _, short in PROVINCES}
PROVINCE_CODE_PREFIXES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
                                    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
                                    "65", "71", "81", "82"})
LOCAL_LEVELS = frozenset({"district", "county", "county_city"})  # names that repeat across cities
_CODE = re.compile(r"\s*(\d{6})(?:\.0+)?\s*")
_SUFFIXED_CODE = re.compile(r"\s*(\d{6})\s*[(（]\s*\d+\s*[)）]\s*")  # '320211（2）'
_BRACKETED = re.compile(r"\s*[(（\[【][^()（）\[\]【】]*[)）\]】]\s*")


@dataclass(frozen=True)
class RegionMatch:
    """A region found for a label, or why none was: 'unknown', 'ambiguous' or 'suffixed_code'.

    registered: for an unknown label that the region registry knows (a real region the catalogue does not
    track yet), its name and code, e.g. "河北省石家庄市（130100）"; or several such when the name is shared.
    """

    region_id: str | None
    reason: str = ""
    registered: tuple[str, ...] = ()


def code_text(value: object) -> str | None:
    """The 6-digit code in a cell (340102, 340102.0, '340102'), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    match = _CODE.fullmatch(nfkc(str(value)))
    return match.group(1) if match else None


def suffixed_code(value: object) -> str | None:
    """'320211（2）' → '320211': a code with a suffix, which names a different unit than the bare code."""
    if not isinstance(value, str):
        return None
    match = _SUFFIXED_CODE.fullmatch(value)
    return match.group(1) if match else None


def looks_like_code(value: object) -> bool:
    """A 6-digit administrative code (or a suffixed one) whose first two digits are a province."""
    code = code_text(value) or suffixed_code(value)
    return code is not None and code[:2] in PROVINCE_CODE_PREFIXES


def label_variants(label: object) -> list[str]:
    """The spellings of a row or column label worth looking up, most specific first.

    '  2.空气质量优良天数比例(%)  Share of good days' → the label without numbering, without the unit,
    its Chinese and English halves, and the same without remaining bracket qualifiers.
    """
    if label is None:
        return []
    return list(_variants(str(label)))


@functools.lru_cache(maxsize=VARIANT_CACHE)
def _variants(label: str) -> tuple[str, ...]:
    parts = label_parts(label)  # before NFKC, which would turn a footnote mark ① into a digit
    name, _unit = split_label_unit(nfkc(parts.text))
    zh, en = split_bilingual(name)
    if en is not None and len(re.sub(r"[^A-Za-z]", "", en)) < MIN_ENGLISH_LETTERS:
        zh, en = name, None  # '比率X': a stray letter, not an English translation
    found = [parts.text, name, zh, en, _BRACKETED.sub("", name), _BRACKETED.sub("", zh)]
    return tuple(v for v in dict.fromkeys(v.strip() for v in found if v) if v)


def label_unit(label: object) -> str | None:
    """The unit written inside a label ('能源消费总量 (万吨标煤)' → '万吨标煤'), or one that is the whole label ('(万吨)', 'Mt CO2')."""
    if label is None:
        return None
    text = nfkc(str(label)).strip()
    _name, unit = split_label_unit(text)
    if unit:
        return unit
    bare = text.strip("()（） ")
    return bare if bare and looks_like_unit(bare) else None


class Matcher:
    """Catalogue look-ups with the forms statistical tables use; one per import."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._indicator_forms = catalogue.indicator_forms()
        self._region_forms = catalogue.region_forms()

    # --- indicators -------------------------------------------------------------------------------------------
    def indicator(self, label: object) -> str | None:
        """Indicator id for a label in any of its variants (numbering, units, English half stripped)."""
        for variant in label_variants(label):
            found = self._indicator_forms.get(match_key(variant))
            if found:
                return found
        return None

    def indicator_in_text(self, text: str) -> str | None:
        """An indicator whose name or alias occurs inside a longer text (a title); the longest form wins."""
        key = match_key(text)
        for form in self._indicator_forms_by_length:
            if form in key:
                return self._indicator_forms[form]
        return None

    @cached_property
    def _indicator_forms_by_length(self) -> list[str]:
        return sorted((f for f in self._indicator_forms if len(f) >= 4), key=len, reverse=True)

    def suggest_indicators(self, label: object) -> list[str]:
        return self._suggest(label, self._indicator_forms, {k: v.name_zh for k, v in self.catalogue.indicators.items()})

    # --- regions ----------------------------------------------------------------------------------------------
    def region(self, label: object, context: Iterable[str] = (), *, strict: bool = False) -> RegionMatch:
        """Region for a name, alias, code or province-prefixed name.

        context: other texts of the row and table (title, sheet name, parent columns) that may name the
        region's city or province. strict (the template): bare district names need no context.
        """
        if label is None:
            return RegionMatch(None, "unknown")
        code = code_text(label)
        if code is not None:
            found = self._region_forms.get(code)
            return RegionMatch(found) if found else self._unknown(code)
        if suffixed_code(label) is not None:
            return RegionMatch(None, "suffixed_code")
        for variant in label_variants(label):
            key = match_key(variant)
            found = self._region_forms.get(key)
            if found is None:
                found = self._by_province_prefix(variant)
                if found is not None:
                    return RegionMatch(found)  # the prefix names the province: not ambiguous
            if found is not None:
                if strict or not self._needs_context(found, key) or self._named_in(found, context):
                    return RegionMatch(found)
                return RegionMatch(None, "ambiguous")
        return self._unknown(label)

    def _unknown(self, label: object) -> RegionMatch:
        """'unknown', with the registry's entries when the label names a real region the catalogue does not track."""
        reg = registry()
        found = reg.find(nfkc(str(label)))[:SUGGESTIONS]
        return RegionMatch(None, "unknown", tuple(f"{reg.full_name(d)}（{d.code}）" for d in found))

    def unknown_region_text(self, label: object) -> tuple[str, str]:
        """Why a region label matched nothing, zh and en: a real region not tracked yet, or unknown with suggestions."""
        match = self.region(label, strict=True)
        shown = str(label)
        if match.registered:
            names = "、".join(match.registered)
            return (f"地区“{shown}”是真实地区（{names}），但尚未纳入本看板的地区目录（data/regions.yaml）。",
                    f"'{shown}' is a real region ({names}) that the dashboard does not track yet (data/regions.yaml).")
        return f"地区“{shown}”不在地区目录中。{suggestion_text(self.suggest_regions(label))}", f"Unknown region '{shown}'."

    def region_in_text(self, text: str) -> str | None:
        """A region whose name or alias (2+ characters) occurs inside a longer text; the longest form wins."""
        key = match_key(text)
        for form in self._region_forms_by_length:
            if form in key:
                return self._region_forms[form]
        return None

    @cached_property
    def _region_forms_by_length(self) -> list[str]:
        forms = (f for f in self._region_forms if len(f) >= MIN_CONTEXT_FORM_CHARS and not f.isdigit())
        return sorted(forms, key=len, reverse=True)

    def suggest_regions(self, label: object) -> list[str]:
        return self._suggest(label, self._region_forms, {k: v.name_zh for k, v in self.catalogue.regions.items()})

    def _by_province_prefix(self, text: str) -> str | None:
        """'广东湛江' → zhanjiang, if 湛江 is in the catalogue and lies in 广东."""
        for prefix in _PROVINCE_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                found = self._region_forms.get(match_key(text[len(prefix):]))
                if found and self._province_of(found) == _SHORT_PROVINCE[prefix]:
                    return found
                return None
        return None

    def _province_of(self, region_id: str) -> str | None:
        region = self.catalogue.regions[region_id]
        while region.parent and region.parent in self.catalogue.regions:
            region = self.catalogue.regions[region.parent]
        if region.level in ("province", "municipality"):
            return _SHORT_PROVINCE.get(region.name_zh, region.name_zh)
        return _SHORT_PROVINCE.get(region.parent_name_zh or "", None)

    def _needs_context(self, region_id: str, key: str) -> bool:
        """A district or county matched by a form that does not itself carry its city ('和平区', not '天津和平')."""
        region = self.catalogue.regions[region_id]
        if region.level not in LOCAL_LEVELS:
            return False
        return not any(form in key for form in self._ancestor_forms(region))

    def _ancestor_forms(self, region: Region) -> set[str]:
        forms: set[str] = set()
        while region.parent and region.parent in self.catalogue.regions:
            region = self.catalogue.regions[region.parent]
            forms |= {match_key(f) for f in (region.name_zh, region.name_en, *region.aliases)}
        if region.parent_name_zh:
            forms |= {match_key(region.parent_name_zh), match_key(_SHORT_PROVINCE.get(region.parent_name_zh, region.parent_name_zh))}
        return {f for f in forms if len(f) >= MIN_CONTEXT_FORM_CHARS}

    def _named_in(self, region_id: str, context: Iterable[str]) -> bool:
        forms = self._ancestor_forms(self.catalogue.regions[region_id])
        return any(form in match_key(text) for text in context for form in forms)

    # --- suggestions ------------------------------------------------------------------------------------------
    @staticmethod
    def _suggest(label: object, forms: dict[str, str], names: dict[str, str]) -> list[str]:
        if label is None:
            return []
        variants = label_variants(label) or [str(label)]
        close = difflib.get_close_matches(match_key(variants[0]), list(forms), n=SUGGESTIONS * 3, cutoff=SUGGESTION_CUTOFF)
        ids = list(dict.fromkeys(forms[c] for c in close))[:SUGGESTIONS]
        return [names[i] for i in ids]

    @staticmethod
    def is_near_miss(label: object, suggestions: list[str]) -> bool:
        """Whether an unknown label is probably a typo of the first suggestion (reported even when skipping)."""
        if not suggestions or label is None:
            return False
        variants = label_variants(label) or [str(label)]
        return difflib.SequenceMatcher(None, match_key(variants[0]), match_key(suggestions[0])).ratio() >= NEAR_MISS_CUTOFF


def suggestion_text(names: list[str]) -> str:
    """'是否为：A、B？' or '' when there is nothing close."""
    return f"是否为：{'、'.join(names)}？" if names else ""


# ---------------------------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------------------------


def unit_factor(unit: str, indicator: Indicator) -> float | None:
    """value_in_indicator_unit = value × factor, or None if the unit cannot be the indicator's."""
    factor = conversion_factor(unit, indicator.unit)
    if factor is not None:
        return factor
    if _is_co2(indicator):
        source, target = canonical_unit(unit), canonical_unit(indicator.unit)
        if source.endswith(SUBSTANCE_SUFFIX) != target.endswith(SUBSTANCE_SUFFIX):
            return conversion_factor(source.removesuffix(SUBSTANCE_SUFFIX), target.removesuffix(SUBSTANCE_SUFFIX))
    return None


def _is_co2(indicator: Indicator) -> bool:
    return "co2" in indicator.id or SUBSTANCE_SUFFIX in indicator.name_zh


# ---------------------------------------------------------------------------------------------------------------
# Values impossible for the indicator
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRule:
    """A bound a value must respect, with the message naming it."""

    name: str
    message_zh: str
    message_en: str


def is_percent(indicator: Indicator) -> bool:
    return canonical_unit(indicator.unit) == "%"


def may_be_negative(indicator: Indicator) -> bool:
    """Change rates and cumulative reductions: a rise shows as a negative decline."""
    return indicator.kind == "cumulative_reduction" or any(word in indicator.name_zh for word in CHANGE_RATE_WORDS)


def is_count(indicator: Indicator) -> bool:
    return indicator.kind == "count" or canonical_unit(indicator.unit) in COUNT_UNITS


@dataclass(frozen=True)
class Bounds:
    """What a value of an indicator may be, in the indicator's unit."""

    maximum: float | None
    minimum: float | None
    whole: bool


def bounds(indicator: Indicator) -> Bounds:
    return Bounds(PERCENT_MAX if is_percent(indicator) else None, None if may_be_negative(indicator) else 0.0, is_count(indicator))


def rules(indicator: Indicator) -> dict[str, ValueRule]:
    """The messages for each bound of `bounds(indicator)`."""
    unit = indicator.unit
    return {
        "above_max": ValueRule("above_max", f"比重或比率不能超过100%（指标“{indicator.name_zh}”的单位是%）。",
                               f"A share or rate cannot exceed 100% ('{indicator.name_en}' is in %)."),
        "below_min": ValueRule("below_min", f"“{indicator.name_zh}”不能为负数。", f"'{indicator.name_en}' cannot be negative."),
        "fraction": ValueRule("fraction", f"“{indicator.name_zh}”是个数（单位：{unit}），应为整数。",
                              f"'{indicator.name_en}' is a count ({unit}) and must be a whole number."),
    }


def impossible_values(indicator_ids: np.ndarray, values: np.ndarray, catalogue: Catalogue) -> dict[str, np.ndarray]:
    """Masks of values breaking each bound ('above_max', 'below_min', 'fraction'), for rows of many indicators at once."""
    where, distinct = codes(indicator_ids)
    limits = [bounds(catalogue.indicators[str(i)]) for i in distinct]
    maximum = np.array([np.inf if b.maximum is None else b.maximum for b in limits], dtype="float64")[where]
    minimum = np.array([-np.inf if b.minimum is None else b.minimum for b in limits], dtype="float64")[where]
    whole = np.array([b.whole for b in limits], dtype=bool)[where]
    with np.errstate(invalid="ignore"):
        return {"above_max": values > maximum, "below_min": values < minimum, "fraction": whole & (values != np.floor(values))}
