"""What the analyst tells the importer that the file does not say: sheet, layout, indicator, region, unit, year.

Given as command-line options or stored in a recipe, as the names people type ("二氧化碳排放量",
"广东湛江"); `resolve` turns them into catalogue ids and reports every name it cannot place, with
suggestions. `--indicator` takes either one name (the indicator the whole table holds) or
"LABEL=NAME" pairs that map a row or column label of the table to a catalogue indicator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indicators.catalogue import Catalogue, match_key
from loaders.errors import Problem
from loaders.matching import Matcher, suggestion_text
from loaders.normalise import is_known_unit, parse_year, year_max

LABEL_SEPARATOR = "="  # --indicator "能源消费总量=energy_consumption"


@dataclass(frozen=True)
class Overrides:
    """Resolved overrides: catalogue ids, a year, a unit; None where the file decides."""

    sheet: str | None = None
    layout: str | None = None
    indicator: str | None = None  # the one indicator a table of regions × years (or similar) holds
    label_map: dict[str, str] = field(default_factory=dict)  # match_key(label) → indicator id
    region: str | None = None
    unit: str | None = None
    year: int | None = None

    def is_empty(self) -> bool:
        return self == Overrides()


@dataclass
class OverrideText:
    """Overrides as typed (command line or recipe), before resolution."""

    sheet: str | None = None
    layout: str | None = None
    indicators: list[str] = field(default_factory=list)
    region: str | None = None
    unit: str | None = None
    year: int | str | None = None

    def merged_over(self, base: OverrideText) -> OverrideText:
        """These values where given, else the base's (the command line over a recipe)."""
        return OverrideText(
            sheet=self.sheet or base.sheet, layout=self.layout or base.layout,
            indicators=self.indicators or list(base.indicators), region=self.region or base.region,
            unit=self.unit or base.unit, year=self.year if self.year not in (None, "") else base.year,
        )

    def as_dict(self) -> dict[str, object]:
        """For a recipe file: only what was given."""
        values = {"sheet": self.sheet, "layout": self.layout, "indicators": self.indicators or None,
                  "region": self.region, "unit": self.unit, "year": self.year}
        return {k: v for k, v in values.items() if v not in (None, "", [])}


def resolve(text: OverrideText, catalogue: Catalogue, file_label: str, layouts: dict[str, tuple[str, str]]) -> tuple[Overrides, list[Problem]]:
    """Catalogue ids for the names given; a problem (with suggestions) for each name that is not known."""
    matcher = Matcher(catalogue)
    problems: list[Problem] = []

    def problem(zh: str, en: str, hint: str) -> None:
        problems.append(Problem(file_label, None, None, zh, en, hint))

    indicator: str | None = None
    label_map: dict[str, str] = {}
    for entry in text.indicators:
        label, sep, name = entry.rpartition(LABEL_SEPARATOR)  # a label may hold "=", a catalogue name does not
        target = name  # rpartition: without a separator the whole entry is the name
        found = matcher.indicator(target)
        if found is None:
            problem(f"--indicator 中的指标“{target}”不在指标目录中。{suggestion_text(matcher.suggest_indicators(target))}",
                    f"--indicator: unknown indicator '{target}'.", "请用指标目录中的名称、别名或代码（python -m indicators catalogue）。")
        elif sep:
            label_map[match_key(label)] = found
        else:
            indicator = found
    region: str | None = None
    if text.region:
        region = matcher.region(text.region, strict=True).region_id
        if region is None:
            zh, en = matcher.unknown_region_text(text.region)
            problem(f"--region：{zh}", f"--region: {en}", "请用地区目录中的名称、别名或6位行政区划代码。")
    year: int | None = None
    if text.year not in (None, ""):
        year = parse_year(text.year)
        if year is None:
            problem(f"--year “{text.year}”不是1949年至{year_max()}年之间的年份。", f"--year '{text.year}' is not a year in 1949..{year_max()}.",
                    "请写四位年份，如 --year 2023。")
    if text.unit and not is_known_unit(text.unit) and not _is_indicator_unit(text.unit, catalogue):
        problem(f"--unit “{text.unit}”不是可识别的单位。", f"--unit '{text.unit}' is not a known unit.",
                "请写如 %、万吨、百万吨、万吨标准煤、吨标准煤/万元、家 的单位。")
    if text.layout and text.layout not in layouts:
        problem(f"--layout “{text.layout}”不是可选的版式。", f"--layout '{text.layout}' is not a layout.",
                "可选：" + "、".join(f"{k}（{v[0]}）" for k, v in layouts.items()))
    overrides = Overrides(sheet=text.sheet, layout=text.layout, indicator=indicator, label_map=label_map, region=region,
                          unit=text.unit or None, year=year)
    return overrides, problems


def _is_indicator_unit(unit: str, catalogue: Catalogue) -> bool:
    """Units the catalogue itself uses (家, 个, 条) are accepted even if the conversion table does not list them."""
    return match_key(unit) in {match_key(i.unit) for i in catalogue.indicators.values()}
