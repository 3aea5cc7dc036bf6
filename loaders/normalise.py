"""Cell-level normalisation: numbers, years, missing markers, labels with units, unit lines, unit conversion.

Pure functions over single cell values as the reader returns them (str, float, int, bool, date or None).
They know nothing about layouts; the layout stage decides which cell is a label, a year or a value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------------

# Dashes and minus signs that NFKC leaves alone but people type for "-" or "—".
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})
_CJK = r"\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# Circled and parenthesised numbers (①, ⑴, ❶): note marks or list markers that NFKC would turn into plain digits.
_ENCLOSED_NUMBERS = re.compile("[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
# Superscript/subscript digits (10⁴): NFKC turns them into plain digits, so '10⁴' would read as 104.
_SCRIPT_DIGITS = re.compile("[\u00b2\u00b3\u00b9\u2070-\u209f]")


def nfkc(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation → half-width; ideographic space → space)."""
    return unicodedata.normalize("NFKC", text)


def collapse_cjk_spaces(text: str) -> str:
    """Remove spaces that only align Chinese characters: '进 口 量' → '进口量'; 'Coal  Total' → 'Coal Total'."""
    return _SPACES.sub(" ", _SPACE_BETWEEN_CJK.sub("", text)).strip()


def normalise_text(value: object) -> str:
    """A cell as display text: NFKC, unified minus signs, spacing between Chinese characters removed, trimmed.

    '５-４  分 行 业 能 源' → '5-4 分行业能源'.  None → ''. Note marks (①, ❶) are dropped: NFKC would make them digits.
    """
    if value is None:
        return ""
    return collapse_cjk_spaces(nfkc(_ENCLOSED_NUMBERS.sub("", str(value))).translate(_MINUS_SIGNS))


def match_form(value: object) -> str:
    """The key to compare names by: normalise_text without any spaces, case-folded."""
    return _SPACES.sub("", normalise_text(value)).casefold()


# ---------------------------------------------------------------------------------------------------------------
# Missing markers and numbers
# ---------------------------------------------------------------------------------------------------------------

# Written in statistical tables for "no data" / "not applicable"; compared after NFKC and case folding.
MISSING_MARKERS = frozenset({
    "", "-", "--", "---", "—", "——", "―", "…", "……", "...", "......", "/", "//",
    "na", "n.a.", "n/a", "n.a", "无", "暂无",
})


def is_missing(value: object) -> bool:
    """True for an empty cell or a missing-data marker (—, …, -, ／, NA, 无 …)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return nfkc(value).strip().casefold() in MISSING_MARKERS
    return False


class NotANumber(ValueError):
    """A cell that is neither a number nor a missing marker; `reason_zh`/`reason_en` say why."""

    def __init__(self, value: object, reason_zh: str, reason_en: str) -> None:
        self.value = value
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(f"“{value}”无法识别为数字：{reason_zh} / '{value}' is not a number: {reason_en}")


@dataclass(frozen=True)
class NumberWithUnit:
    """A number read from a cell, with the unit written next to it ('%' for '12.3%'), or None."""

    value: float | None
    unit: str | None = None

    @property
    def percent(self) -> bool:
        return self.unit == "%"


_SIMPLE_NUMBER = re.compile(r"([+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)(%?)", re.ASCII)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:([, ])\d{3})(?:\1\d{3})*(?:\.\d+)?")  # 1,234,567.8 / 20 908
_RANGE = re.compile(r"\d\s*(?:~|〜|-{1,2}|—|至|到)\s*[+-]?\d")
_NUMBER_THEN_UNIT = re.compile(r"([+-]?[\d., ]*\d(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*(.*)")
_UNIT_TEXT = re.compile(rf"[%‰A-Za-zμ°{_CJK}/·•().²³23 ]+")  # what may follow a number as its unit


def _clean_number_text(value: str) -> str:
    """NFKC, unified minus signs, no surrounding or NBSP/thin spaces."""
    return nfkc(value).translate(_MINUS_SIGNS).strip()


def _text_to_float(text: str) -> float | None:
    """A bare number (no unit) as float, thousands separators allowed; None if it is not one."""
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text)
    grouped = _GROUPED_NUMBER.fullmatch(text)
    if grouped:
        return float(text.replace(grouped.group(1), ""))
    return None


def _non_text_number(value: object) -> float | None:
    """int/float cells as float; raises NotANumber for booleans, dates and infinities."""
    if isinstance(value, bool):
        raise NotANumber(value, "这是逻辑值（是/否），不是数字", "it is a TRUE/FALSE value")
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise NotANumber(value, "数值为无穷大", "it is infinite")
        return value
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        raise NotANumber(value, "这是日期或时间，不是数字", "it is a date or time")
    raise NotANumber(value, "单元格类型无法识别", "the cell type is not a number")


def parse_number_with_unit(value: object) -> NumberWithUnit:
    """A cell as a number plus the unit written after it.

    Accepts what `parse_number` accepts and also a trailing unit: '12.3%' → (12.3, '%'),
    '0.7143 千克标准煤 / 千克' → (0.7143, '千克标准煤/千克'), '20 908 千焦' → (20908, '千焦').
    Missing markers give NumberWithUnit(None). Ranges ('0.2857～0.4286') and anything else raise NotANumber.
    """
    if not isinstance(value, str):
        return NumberWithUnit(_non_text_number(value) if value is not None else None)
    simple = _SIMPLE_NUMBER.fullmatch(value)
    if simple:  # '1234', '-5.6', '45.6%', '1,234.5': the forms analysts paste, which need none of the checks below
        number, percent = simple.groups()
        return NumberWithUnit(float(number.replace(",", "")), "%" if percent else None)
    if _ENCLOSED_NUMBERS.search(value) or _SCRIPT_DIGITS.search(value):
        raise NotANumber(value, "含有上标、下标或带圈的数字（可能是注释标记）", "it contains superscript or circled digits")
    text = _clean_number_text(value)
    if text.casefold() in MISSING_MARKERS:
        return NumberWithUnit(None)
    if _RANGE.search(text):
        raise NotANumber(value, "这是一个范围而不是单个数值", "it is a range, not a single number")
    number = _text_to_float(text)
    if number is not None:
        return NumberWithUnit(number)
    match = _NUMBER_THEN_UNIT.fullmatch(text)
    if match and match.group(2) and _UNIT_TEXT.fullmatch(match.group(2)) and re.search(r"[^\d\s().]", match.group(2)):
        number = _text_to_float(match.group(1).strip())
        if number is not None:
            unit = re.sub(r"\s+", "", match.group(2))
            return NumberWithUnit(number, "%" if unit == "%" else unit)
    raise NotANumber(value, "含有无法识别的文字或符号", "it contains text or symbols that are not part of a number")


def parse_number(value: object) -> float | None:
    """A cell as a number; None when it is empty or a missing marker.

    Accepts int/float; numbers stored as text ('-677.22'); full-width digits and signs ('１２３．５', '－5');
    thousands separators ('1,234', '1，234', '20 908'); a trailing '%' ('12.3%' → 12.3, the number as
    written — use `parse_number_with_unit` to learn that it was a percentage); scientific notation.
    Missing markers ('—', '-', '--', '…', '...', '／', '/', '', spaces, 'NA', 'n.a.', '无') → None.
    Raises NotANumber (a ValueError) for anything else, including ranges like '0.2857～0.4286'.
    """
    parsed = parse_number_with_unit(value)
    if parsed.unit not in (None, "%"):
        raise NotANumber(value, f"数字后带有单位“{parsed.unit}”", f"it carries the unit '{parsed.unit}'")
    return parsed.value


# ---------------------------------------------------------------------------------------------------------------
# Years
# ---------------------------------------------------------------------------------------------------------------

YEAR_MIN = 1949  # first year of the PRC's statistical series
_YEAR_TEXT = re.compile(r"(?:[A-Za-z]\s?)?(\d{4})(?:\.0+)?\s*(?:年度?|年末|年底)?")  # 2021, C2021, 2021.0, 2021年


def year_max() -> int:
    """The latest plausible year: next year (plans and preliminary figures run one year ahead)."""
    return dt.date.today().year + 1


def parse_year(value: object) -> int | None:
    """A cell as a year, or None if it is not a plausible one (YEAR_MIN..year_max()).

    Accepts 2021, 2021.0, '2021', '2021年', '2021年度', 'C2021' (a one-letter prefix as in CEADs/R exports),
    ' 2021 ', full-width '２０２１'. Dates, booleans and ranges are not years.
    """
    year: int | None = None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, float):
        year = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        match = _YEAR_TEXT.fullmatch(nfkc(value).strip())
        year = int(match.group(1)) if match else None
    if year is None or not YEAR_MIN <= year <= year_max():
        return None
    return year


# ---------------------------------------------------------------------------------------------------------------
# Labels: units in brackets, numbering and indentation
# ---------------------------------------------------------------------------------------------------------------

_BRACKETS = {"(": ")", "[": "]", "【": "】", "〔": "〕"}  # pairs as they are after NFKC
_BRACKET_GROUP = re.compile(r"[(（\[【〔]([^()（）\[\]【】〔〕]*)[)）\]】〕]")
# Characters a Chinese unit is made of (万吨标准煤, 亿千瓦时, 元/人, 微克/立方米 …); anything else means "not a unit".
_UNIT_HAN = set("万亿千百十吨克斤公立方米平瓦时度人个元户家辆台座条件次天年月日小标准煤油气电热焦卡升亩顷里微毫纳秒分"
                "二氧化碳当量美港币张套所项部宗只头张床位名辆艘架列对双箱桶")
_UNIT_OTHER = re.compile(r"[A-Za-z0-9%‰μ°/·•.\-^²³ ]")


def looks_like_unit(text: str) -> bool:
    """Whether bracket content is a unit ('万吨标煤', '%', '104 tn') rather than a qualifier ('电热当量计算法', '-')."""
    text = nfkc(text).strip()
    if not text or len(text) > 20 or not re.search(r"[%‰A-Za-z\u4e00-\u9fff]", text):
        return False
    if not all(ch in _UNIT_HAN or _UNIT_OTHER.match(ch) for ch in text):
        return False
    if text.isascii() and re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", text):
        # English words ('coal equivalent') are a qualifier unless they spell a known unit ('Million tons').
        return canonical_unit(text) in _UNIT_SCALE or _unit_key(text) in UNIT_ALIASES
    return True


def split_label_unit(label: object) -> tuple[str, str | None]:
    """'能源消费总量 (万吨标煤)' → ('能源消费总量', '万吨标煤'); '构成(%)' / '比重（%）' → ('构成', '%').

    The first bracket group that looks like a unit is the unit; every unit-looking group is removed from
    the name (bilingual labels carry it twice: '煤炭 (万吨) Coal (104 tn)' → ('煤炭 Coal', '万吨')).
    Qualifiers such as '(电热当量计算法)' and sign marks '(-)' stay in the name. (name, None) if no unit.
    """
    text = "" if label is None else str(label)
    unit: str | None = None
    kept: list[str] = []
    last = 0
    for match in _BRACKET_GROUP.finditer(text):
        inner = match.group(1).strip()
        if looks_like_unit(inner):
            unit = unit or nfkc(inner).strip()
            kept.append(text[last:match.start()])
            last = match.end()
    kept.append(text[last:])
    return collapse_cjk_spaces(" ".join(part.strip() for part in kept if part.strip())), unit


@dataclass(frozen=True)
class LabelParts:
    """What the start and end of a row label say about its place in the table."""

    text: str  # the label without indentation, numbering, '#', '其中：' or footnote marks
    indent: int  # visual indentation: 1 per two half-width spaces (a full-width space counts two)
    marker: str | None  # the numbering as written: '一.', '(一)', '1.', '(1)', '①'
    rank: int  # outline rank of the numbering: 一、=1, (一)=2, 1.=3, (1)=4, ①=5; 0 without numbering
    of_which: bool  # '#' or '其中：' — a sub-item already included in the item above
    footnote: str | None  # a trailing note mark ('①', '*'), meaning "see the note under the table"


_CN_NUMERAL = "一二三四五六七八九十"
_NUMBERING = (  # (rank, pattern) tried in order on the label after indentation
    (2, re.compile(rf"[(（]\s*[{_CN_NUMERAL}]+\s*[)）]\s*[、.．]?")),
    (1, re.compile(rf"[{_CN_NUMERAL}]+\s*[、.．]")),
    (4, re.compile(r"[(（]\s*[0-9０-９]{1,2}\s*[)）]\s*[、.．]?")),
    (3, re.compile(r"[0-9０-９]{1,2}\s*(?:[、．]|\.(?![0-9]))")),
    (5, re.compile(r"[\u2460-\u2473\u2776-\u277f]")),  # ①..⑳ and ❶..❿
)
_OF_WHICH = re.compile(r"(?:#|＃|其\s*中\s*[:：]?)\s*")
_FOOTNOTE = re.compile(r"\s*(?:[\u2460-\u2473]|\*+|＊+)$")
_INDENT_WIDTH = {" ": 1, "\u3000": 2, "\t": 4, "\xa0": 1}


def label_parts(label: object) -> LabelParts:
    """Split a row label into indentation, numbering, of-which mark, text and footnote mark.

    '  (一)采掘业' → indent 1, marker '(一)', rank 2, text '采掘业'; '#焦炭再投入量(-)' → of_which, text '焦炭再投入量(-)';
    '3.进 口 量' → marker '3.', text '进口量'.
    """
    raw = "" if label is None else str(label).rstrip()
    stripped = raw.lstrip(" \u3000\t\xa0")
    width = sum(_INDENT_WIDTH.get(ch, 0) for ch in raw[: len(raw) - len(stripped)])
    rest, of_which = stripped, False
    match = _OF_WHICH.match(rest)
    if match:
        rest, of_which = rest[match.end():], True
    marker, rank = None, 0
    for candidate_rank, pattern in _NUMBERING:
        match = pattern.match(rest)
        if match and match.end() < len(rest):
            marker, rank, rest = match.group(0).strip(), candidate_rank, rest[match.end():]
            break
    footnote = None
    match = _FOOTNOTE.search(rest)
    if match and match.start() > 0:
        footnote, rest = match.group(0).strip(), rest[: match.start()]
    return LabelParts(collapse_cjk_spaces(rest), width // 2, marker, rank, of_which, footnote)


def strip_numbering(label: object) -> tuple[str, int]:
    """(clean label, level): numbering ('一.', '1.', '(一)', '（一）', '①'), '#' of-which marks, footnote marks and
    indentation removed; level is the visual indentation (0 = flush left, 1 per two spaces or one full-width space).

    Use `label_parts` for the numbering rank and the of-which flag, which the outline also depends on.
    """
    parts = label_parts(label)
    return parts.text, parts.indent


_BILINGUAL_SPLIT = re.compile(rf"(?<=[{_CJK})\]】])\s*(?=[A-Za-z][A-Za-z0-9 .,&()'/•·%-]*$)")


def split_bilingual(label: object) -> tuple[str, str | None]:
    """'能源合计 Energy Total' → ('能源合计', 'Energy Total'); a label without a trailing English part → (label, None)."""
    text = "" if label is None else nfkc(str(label)).strip()
    match = _BILINGUAL_SPLIT.search(text)
    if not match or match.start() == 0:
        return collapse_cjk_spaces(text), None
    return collapse_cjk_spaces(text[: match.start()]), collapse_cjk_spaces(text[match.end():]) or None


# ---------------------------------------------------------------------------------------------------------------
# Unit lines and units
# ---------------------------------------------------------------------------------------------------------------

_UNIT_LINE = re.compile(r"(?:计量)?单\s*位\s*[:：]\s*(.+)|units?\s*[:：]\s*(.+)|units?\s*[(（]([^)）]+)[)）]", re.IGNORECASE)
_UNIT_LINE_TAIL = re.compile(r"\s{2,}.*$|\s*[(（][^)）]*[A-Za-z][^)）]*[)）]\s*$")  # '  (10 000 tce)' after the unit


def parse_unit_line(cell: object) -> str | None:
    """'单位:万吨标准煤' / '单位：万吨标准煤' / '计量单位：%' / 'Unit: %' / 'Unit (Million tons)' → the unit; else None.

    An English gloss after the Chinese unit ('单位：万吨标准煤  (10 000 tce)') is dropped.
    """
    if not isinstance(cell, str):
        return None
    match = _UNIT_LINE.fullmatch(cell.strip())
    if not match:
        return None
    unit = next(g for g in match.groups() if g is not None).strip()
    shortened = _UNIT_LINE_TAIL.sub("", unit).strip()
    return shortened or unit or None


PERCENT = "%"
RATIO = "比例"  # a plain fraction: 0.68 means 68%

# Spelling → canonical unit. Keys are in the form `_unit_key` produces (NFKC, no spaces, ASCII lower case).
UNIT_ALIASES: dict[str, str] = {
    "%": PERCENT, "百分比": PERCENT, "百分数": PERCENT, "pct": PERCENT, "percent": PERCENT,
    "比例": RATIO, "比值": RATIO, "ratio": RATIO, "share": RATIO, "小数": RATIO,
    "‰": "‰", "千分比": "‰",
    "吨标煤": "吨标准煤", "tce": "吨标准煤", "吨ce": "吨标准煤",
    "万吨标煤": "万吨标准煤", "万tce": "万吨标准煤", "10^4tce": "万吨标准煤", "104tce": "万吨标准煤", "10000tce": "万吨标准煤",
    "亿吨标煤": "亿吨标准煤",
    "千克标煤": "千克标准煤", "公斤标准煤": "千克标准煤", "公斤标煤": "千克标准煤", "kgce": "千克标准煤",
    "t": "吨", "tn": "吨", "公吨": "吨", "tonnes": "吨", "tons": "吨",
    "万t": "万吨", "104tn": "万吨", "104t": "万吨", "10^4t": "万吨", "10^4tn": "万吨", "10000t": "万吨", "10000tn": "万吨",
    "kg": "千克", "公斤": "千克", "g": "克",
    "mt": "百万吨", "milliontons": "百万吨", "milliontones": "百万吨", "milliontonnes": "百万吨",
    "mtco2": "百万吨二氧化碳", "百万吨co2": "百万吨二氧化碳", "tco2": "吨二氧化碳", "吨co2": "吨二氧化碳",
    "万吨co2": "万吨二氧化碳", "亿吨co2": "亿吨二氧化碳",
    "m3": "立方米", "cu.m": "立方米", "万m3": "万立方米", "亿m3": "亿立方米", "108cu.m": "亿立方米", "10^8m3": "亿立方米",
    "kwh": "千瓦时", "kw·h": "千瓦时", "kw•h": "千瓦时", "度": "千瓦时", "万kwh": "万千瓦时", "亿kwh": "亿千瓦时",
    "亿度": "亿千瓦时", "108kwh": "亿千瓦时", "108kw·h": "亿千瓦时", "108kw•h": "亿千瓦时",
    "kw": "千瓦", "万kw": "万千瓦",
    "m2": "平方米", "km2": "平方公里", "平方千米": "平方公里", "ha": "公顷", "hm2": "公顷",
    "μg/m3": "微克/立方米", "ug/m3": "微克/立方米", "mg/m3": "毫克/立方米",
    "yuan": "元", "人民币元": "元", "persons": "人", "person": "人", "万人次": "万人次",
    "days": "天", "d": "天", "日": "天",
}

# Canonical unit → (dimension, size in the dimension's base unit). Units in one dimension convert by ratio.
_UNIT_SCALE: dict[str, tuple[str, float]] = {
    RATIO: ("ratio", 1.0), PERCENT: ("ratio", 0.01), "‰": ("ratio", 0.001),
    "吨": ("mass", 1.0), "万吨": ("mass", 1e4), "亿吨": ("mass", 1e8), "百万吨": ("mass", 1e6),
    "千克": ("mass", 1e-3), "克": ("mass", 1e-6), "毫克": ("mass", 1e-9), "微克": ("mass", 1e-12),
    "吨标准煤": ("coal", 1.0), "万吨标准煤": ("coal", 1e4), "亿吨标准煤": ("coal", 1e8), "千克标准煤": ("coal", 1e-3),
    "吨二氧化碳": ("co2", 1.0), "万吨二氧化碳": ("co2", 1e4), "百万吨二氧化碳": ("co2", 1e6), "亿吨二氧化碳": ("co2", 1e8),
    "元": ("money", 1.0), "万元": ("money", 1e4), "亿元": ("money", 1e8),
    "人": ("people", 1.0), "万人": ("people", 1e4),
    "立方米": ("volume", 1.0), "万立方米": ("volume", 1e4), "亿立方米": ("volume", 1e8),
    "千瓦时": ("electricity", 1.0), "万千瓦时": ("electricity", 1e4), "亿千瓦时": ("electricity", 1e8),
    "千瓦": ("power", 1.0), "万千瓦": ("power", 1e4),
    "平方米": ("area", 1.0), "公顷": ("area", 1e4), "平方公里": ("area", 1e6), "亩": ("area", 10000 / 15),
    "天": ("days", 1.0),
}


def _unit_key(unit: str) -> str:
    """NFKC, no spaces or outer brackets, ASCII lower case: '（万吨标煤）' → '万吨标煤', 'Mt CO2' → 'mtco2'."""
    text = re.sub(r"\s+", "", nfkc(unit))
    while len(text) >= 2 and _BRACKETS.get(text[0]) == text[-1]:
        text = text[1:-1]
    text = text.replace("・", "·").replace("µ", "μ")
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def canonical_unit(unit: str) -> str:
    """One spelling per unit: '％'/'百分比' → '%', '万吨标煤'/'10 000 tce' → '万吨标准煤', 'tce' → '吨标准煤',
    '吨标煤/万元' → '吨标准煤/万元', 'Mt CO2' → '百万吨二氧化碳'. Unknown units come back normalised (NFKC, no spaces)."""
    key = _unit_key(unit)
    if key in UNIT_ALIASES:
        return UNIT_ALIASES[key]
    if "/" in key:
        return "/".join(UNIT_ALIASES.get(part, part) for part in key.split("/"))
    return key


def _scale(unit: str) -> tuple[str, float] | None:
    """(dimension, size) of a canonical unit, including simple quotients like '吨标准煤/万元'."""
    if unit in _UNIT_SCALE:
        return _UNIT_SCALE[unit]
    parts = unit.split("/")
    if len(parts) != 2:
        return None
    top, bottom = _UNIT_SCALE.get(parts[0]), _UNIT_SCALE.get(parts[1])
    if top is None or bottom is None:
        return None
    return f"{top[0]}/{bottom[0]}", top[1] / bottom[1]


def conversion_factor(from_unit: str, to_unit: str) -> float | None:
    """The factor f with value_in_to_unit = value_in_from_unit × f, or None if the units are not convertible.

    人 → 万人 = 1e-4, 万吨 → 吨 = 1e4, 比例 → % = 100 (0.68 ↔ 68%), 千克标准煤/元 → 吨标准煤/万元 = 10.
    Units of different kinds (家 and 个, 吨 and 吨标准煤) give None; equal units give 1.0.
    """
    source, target = canonical_unit(from_unit), canonical_unit(to_unit)
    if source == target:
        return 1.0
    a, b = _scale(source), _scale(target)
    if a is None or b is None or a[0] != b[0]:
        return None
    return a[1] / b[1]


def is_known_unit(unit: str) -> bool:
    """Whether the conversion table knows this unit ('Mt CO2', '(104 tn)', '%'), so it can be compared with another."""
    return _scale(canonical_unit(unit)) is not None
