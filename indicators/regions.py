"""The region registry: every province, prefecture-level city and county-level unit of China with its code.

Read from data/divisions/divisions.csv (国家统计局 统计用区划代码, levels 1-3; its first line records the
source and date, data/divisions/README.md says how to rebuild it). This is the list a new plan's city and
districts are picked from and import matching consults for names the catalogue does not track yet; the
catalogue's own regions (data/regions.yaml) stay what the dashboard follows.

Look-ups take a 6-digit code, a full name ("湛江市"), a short name ("湛江") or a name led by its province or
city ("广东湛江", "天津市和平区"). A name several units share ("和平区": 天津 and 沈阳) is reported as ambiguous
with every candidate, never guessed.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

from indicators.settings import DATA_DIR

DIVISIONS_FILE = DATA_DIR / "divisions" / "divisions.csv"
CODE_RE = re.compile(r"\d{6}")
MAX_NAME_CHARS = 40  # longer than any division's full name ("新疆维吾尔自治区伊犁哈萨克自治州…"): a longer text is no name
MIN_SHORT_CHARS = 2  # "城区" → "城" would match half the country: short names keep at least two characters

DivisionLevel = Literal["province", "municipality", "prefecture", "district", "county", "county_city", "functional_zone"]
DIVISION_LEVELS: tuple[str, ...] = get_args(DivisionLevel)
LookupStatus = Literal["found", "ambiguous", "unknown"]

# The 56 nationalities, longest first: "延边朝鲜族自治州" is called 延边, "湘西土家族苗族自治州" 湘西.
_NATIONALITIES = sorted((
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎",
    "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉",
    "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"), key=len, reverse=True)
_AUTONOMOUS = re.compile(r"^(.+?)(?:(?:" + "|".join(_NATIONALITIES) + r")族)+自治(?:区|州|县|旗)$")
# Suffixes dropped for the short name, longest first ("滨海新区" → 滨海, "大兴安岭地区" → 大兴安岭).
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "新区", "地区", "林区", "矿区", "特区", "省", "市", "盟", "县", "旗", "区")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: DivisionLevel
    parent_code: str | None

    @property
    def short_name(self) -> str | None:
        """"湛江市" → "湛江", "广西壮族自治区" → "广西"; None when nothing shorter is unambiguous enough."""
        return short_name(self.name)


@dataclass(frozen=True)
class Lookup:
    """What a name or code found: one division, several (ambiguous) or none."""

    status: LookupStatus
    division: Division | None = None
    candidates: tuple[Division, ...] = ()


def short_name(name: str) -> str | None:
    autonomous = _AUTONOMOUS.match(name)
    if autonomous:
        return autonomous.group(1) if len(autonomous.group(1)) >= MIN_SHORT_CHARS else None
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= MIN_SHORT_CHARS:
            return name[: -len(suffix)]
    return None


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class Registry:
    """Look-ups over the divisions: by code, by name, parent and children."""

    def __init__(self, divisions: Iterable[Division], source: str = "") -> None:
        self.source = source
        self._by_code: dict[str, Division] = {}
        self._children: dict[str, list[Division]] = defaultdict(list)
        self._by_name: dict[str, list[Division]] = defaultdict(list)
        for division in divisions:
            self._by_code[division.code] = division
            if division.parent_code:
                self._children[division.parent_code].append(division)
            for form in {division.name, division.short_name}:
                if form:
                    self._by_name[_key(form)].append(division)

    def __len__(self) -> int:
        return len(self._by_code)

    def by_code(self, code: object) -> Division | None:
        text = _key(str(code)).removesuffix(".0")
        return self._by_code.get(text) if CODE_RE.fullmatch(text) else None

    def parent(self, division: Division) -> Division | None:
        return self._by_code.get(division.parent_code) if division.parent_code else None

    def children(self, division: Division) -> list[Division]:
        return list(self._children.get(division.code, ()))

    def ancestors(self, division: Division) -> list[Division]:
        """Parent first, up to the province."""
        chain = []
        while (parent := self.parent(division)) is not None:
            chain.append(parent)
            division = parent
        return chain

    def full_name(self, division: Division) -> str:
        """"广东省湛江市赤坎区": the name led by its ancestors."""
        return "".join(d.name for d in reversed(self.ancestors(division))) + division.name

    def find(self, text: str) -> list[Division]:
        """Every division a code, name, short name or ancestor-led name denotes (empty when none)."""
        key = _key(text)
        if not key or len(key) > MAX_NAME_CHARS:
            return []
        coded = self.by_code(key)
        if coded is not None:
            return [coded]
        return self._find(key, within=None)

    def lookup(self, text: object) -> Lookup:
        """One division, or why not: 'ambiguous' with the candidates, or 'unknown'."""
        found = self.find(str(text)) if text is not None else []
        if len(found) == 1:
            return Lookup("found", found[0], (found[0],))
        return Lookup("ambiguous", None, tuple(found)) if found else Lookup("unknown")

    def _find(self, key: str, within: Division | None) -> list[Division]:
        direct = [d for d in self._by_name.get(key, ()) if within is None or within in self.ancestors(d)]
        if direct:
            return direct
        # "广东湛江", "天津市和平区": an ancestor's name, then the unit's own; the prefix narrows the search.
        results: list[Division] = []
        for end in range(len(key) - 1, MIN_SHORT_CHARS - 1, -1):
            for head in self._by_name.get(key[:end], ()):
                if head.level in ("province", "municipality", "prefecture") and (within is None or within in self.ancestors(head)):
                    results.extend(self._find(key[end:], within=head))
            if results:
                break
        return list(dict.fromkeys(results))


def read_divisions(path: Path = DIVISIONS_FILE) -> Registry:
    """The registry in a divisions CSV (lines starting with '#' are its provenance)."""
    with path.open(encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()
    source = " ".join(line.lstrip("# ") for line in lines if line.startswith("#"))
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    divisions = []
    for row in rows:
        level = row["level"]
        if level not in DIVISION_LEVELS or not CODE_RE.fullmatch(row["code"]):
            raise ValueError(f"{path.name}: bad row {row}")  # a shipped data file, checked by tests/test_regions.py
        divisions.append(Division(row["code"], row["name"], cast(DivisionLevel, level), row["parent_code"] or None))
    return Registry(divisions, source)


@functools.cache
def registry() -> Registry:
    """The shipped registry, read once per process."""
    return read_divisions()
