"""The catalogue: indicator definitions, regions and plan targets from data/*.yaml.

Every YAML file is mirrored by a typed model that refuses unknown keys, and
`validate_catalogue` reports every problem in every file at once (a plan author
fixes them in one pass instead of one per run).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from indicators.errors import UserError
from indicators.settings import DATA_DIR
from indicators.vocabulary import Bound, Direction, Kind, PlanStatus, RegionLevel, Wording

__all__ = ["DATA_DIR", "Bound", "Direction", "Kind", "PlanStatus", "RegionLevel", "Wording"]

ID_PATTERN = r"^[a-z][a-z0-9_]*$"  # ASCII snake_case: stable in URLs, files and SQL
CODE_PATTERN = r"^\d{6}$"  # GB/T 2260 administrative division code


class Strict(BaseModel):
    """Base for every catalogue model: unknown keys are an error, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def in_language(lang: str, zh: str, en: str) -> str:
    """The Chinese text for 'zh', the English one for any other language."""
    return zh if lang == "zh" else en


class Area(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name_zh: str
    name_en: str

    def name(self, lang: str) -> str:
        return in_language(lang, self.name_zh, self.name_en)


class Inputs(Strict):
    """The series a cumulative reduction is computed from (methodology.md §2)."""

    annual_rate: str | None = Field(default=None, pattern=ID_PATTERN)
    level: str | None = Field(default=None, pattern=ID_PATTERN)


class Indicator(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name_zh: str
    name_en: str
    unit: str
    # The unit in English where the Chinese one is a word (家 → "enterprises", 个 → "consortia"), for English texts such as
    # "needs 8 more enterprises a year"; left out, English texts word the figure without the unit.
    unit_en: str | None = None
    direction: Direction
    kind: Kind
    area: str
    decimals: int = Field(ge=0, le=6)
    aliases: list[str] = []
    inputs: Inputs | None = None
    definition_zh: str | None = None
    # A share or rate in [0, 100] (methodology §8.2): projections are clipped to it and charts stop at 100.
    # Left out, it follows the unit (see `default_bounded`); the loaded catalogue always holds a bool.
    bounded: bool | None = None

    def name(self, lang: str) -> str:
        return in_language(lang, self.name_zh, self.name_en)

    def unit_text(self, lang: str) -> str:
        """The unit as a text in `lang` shows it: '家' in Chinese, 'enterprises' in English (the unit itself without `unit_en`)."""
        return self.unit_en if lang == "en" and self.unit_en else self.unit


class Region(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name_zh: str
    name_en: str
    code: str = Field(pattern=CODE_PATTERN)
    level: RegionLevel
    parent: str | None = None
    parent_name_zh: str | None = None
    former_codes: list[str] = []
    aliases: list[str] = []

    @field_validator("former_codes")
    @classmethod
    def _codes_are_six_digits(cls, codes: list[str]) -> list[str]:
        bad = [c for c in codes if not re.fullmatch(CODE_PATTERN, c)]
        if bad:
            raise ValueError(f"former_codes must be 6 digits: {bad}")
        return codes

    def name(self, lang: str) -> str:
        return in_language(lang, self.name_zh, self.name_en)


class Responsibility(Strict):
    """Departments a plan names in a clause other than the target's own."""

    clause: str
    quote: str
    departments: list[str]


class Target(Strict):
    indicator: str = Field(pattern=ID_PATTERN)
    value: float | None
    # §8.6 "比2020年提高N个百分点": `value` is the change N from the base-year value, in the good direction.
    relative: bool = False
    bound: Bound
    wording: list[Wording] = Field(min_length=1)
    clause: str
    quote: str
    departments: list[str] = []
    responsibility: Responsibility | None = None
    value_pending_zh: str | None = None
    value_pending_en: str | None = None
    note_zh: str | None = None

    @property
    def about(self) -> bool:
        """"N%左右" (§8.6): judged as at least N in the direction of travel; texts keep "左右"."""
        return "左右" in self.wording

    @property
    def all_departments(self) -> list[str]:
        """Departments named in the target's own clause, else in the related clause."""
        if self.departments:
            return list(self.departments)
        return list(self.responsibility.departments) if self.responsibility else []


class Plan(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title_zh: str
    title_en: str
    issuer: str
    date_issued: dt.date
    status: PlanStatus
    region: str
    base_year: int = Field(ge=1949, le=2100)
    target_year: int = Field(ge=1949, le=2100)
    source_text: str
    coordinator: Responsibility | None = None
    targets: list[Target] = Field(min_length=1)

    def name(self, lang: str) -> str:
        """The plan's title in `lang`."""
        return in_language(lang, self.title_zh, self.title_en)


class IndicatorFile(Strict):
    areas: list[Area]
    indicators: list[Indicator]


class RegionFile(Strict):
    regions: list[Region]


class CatalogueError(UserError):
    """Raised with every problem found in the catalogue files, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("目录文件有误 / catalogue files are invalid:\n" + "\n".join(problems))


@dataclass(frozen=True)
class Catalogue:
    areas: dict[str, Area]
    indicators: dict[str, Indicator]
    regions: dict[str, Region]
    plans: dict[str, Plan]
    data_dir: Path

    @cached_property
    def _region_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for region in self.regions.values():
            for form in (region.id, region.name_zh, region.name_en, region.code, *region.former_codes, *region.aliases):
                lookup[match_key(form)] = region.id
        return lookup

    @cached_property
    def _indicator_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for ind in self.indicators.values():
            for form in (ind.id, ind.name_zh, ind.name_en, *ind.aliases):
                lookup[match_key(form)] = ind.id
        return lookup

    def find_region(self, text: object) -> str | None:
        """Region id for a name, alias, province-prefixed form or 6-digit code."""
        if text is None:
            return None
        if isinstance(text, float) and text.is_integer():
            text = int(text)  # codes read from spreadsheets arrive as 120000.0
        return self._region_lookup.get(match_key(str(text)))

    def find_indicator(self, text: object) -> str | None:
        """Indicator id for an id, Chinese or English name, or alias."""
        if text is None:
            return None
        return self._indicator_lookup.get(match_key(str(text)))

    def indicator_forms(self) -> dict[str, str]:
        """Every accepted spelling (normalised) → indicator id; for suggestions."""
        return dict(self._indicator_lookup)

    def region_forms(self) -> dict[str, str]:
        return dict(self._region_lookup)

    def plan_targets(self) -> Iterable[tuple[Plan, Target]]:
        for plan in self.plans.values():
            for target in plan.targets:
                yield plan, target


PERCENT_UNIT = "%"  # the unit of shares and rates in the catalogue
RELATIVE_KINDS = ("level", "count")  # kinds whose target may be a change from the base (§8.6)


def default_bounded(indicator: Indicator, annual_rates: set[str]) -> bool:
    """§8.2 by default: a unit of "%" is a bounded share, except a cumulative reduction and an annual decline
    rate (an indicator some reduction reads as `inputs.annual_rate`), which are not shares."""
    if indicator.kind == "cumulative_reduction" or indicator.id in annual_rates:
        return False
    return indicator.unit.strip() in (PERCENT_UNIT, "％")


def _resolve_bounded(indicators: list[Indicator]) -> list[Indicator]:
    """Every indicator with `bounded` decided: as written, else by `default_bounded`."""
    annual_rates = {i.inputs.annual_rate for i in indicators if i.inputs and i.inputs.annual_rate}
    return [i if i.bounded is not None else i.model_copy(update={"bounded": default_bounded(i, annual_rates)})
            for i in indicators]


def match_key(text: str) -> str:
    """Normalise a name for matching: full-width → half-width, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _read_yaml(path: Path, problems: list[str]) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{path.name}: 无法读取YAML / cannot read YAML: {exc}")
        return None


def _parse(model: type[Strict], raw: object, path: Path, problems: list[str]) -> Strict | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            problems.append(f"{path.name}: {where}: {err['msg']}")
        return None


def _duplicates(values: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for v in values:
        (dup if v in seen else seen).add(v)
    return dup


def _check_indicators(ind_file: IndicatorFile, problems: list[str], label: str = "indicators.yaml") -> None:
    area_ids = {a.id for a in ind_file.areas}
    ids = [i.id for i in ind_file.indicators]
    for dup in sorted(_duplicates(ids)):
        problems.append(f"{label}: 指标id重复 / duplicate indicator id: {dup}")
    forms: dict[str, str] = {}
    for ind in ind_file.indicators:
        if ind.area not in area_ids:
            problems.append(f"{label}: {ind.id}: 未知领域 / unknown area '{ind.area}'")
        if ind.kind == "cumulative_reduction":
            if ind.inputs is None or (ind.inputs.annual_rate is None and ind.inputs.level is None):
                problems.append(f"{label}: {ind.id}: 累计降低指标须给出输入序列 / a cumulative reduction needs inputs")
        elif ind.inputs is not None:
            problems.append(f"{label}: {ind.id}: 只有累计降低指标可有inputs / only cumulative reductions have inputs")
        if ind.inputs is not None:
            for ref in (ind.inputs.annual_rate, ind.inputs.level):
                if ref is not None and ref not in ids:
                    problems.append(f"{label}: {ind.id}: 输入序列不存在 / input '{ref}' is not an indicator")
        if ind.bounded and ind.kind == "cumulative_reduction":
            problems.append(f"{label}: {ind.id}: 累计降低率不是比重，不能设bounded / a cumulative reduction is not a share")
        # One spelling must lead to one indicator, or an importer would guess.
        for form in {match_key(f) for f in (ind.id, ind.name_zh, ind.name_en, *ind.aliases)}:
            other = forms.setdefault(form, ind.id)
            if other != ind.id:
                problems.append(f"{label}: 名称'{form}'同时属于{other}和{ind.id} / name used by two indicators")


def _check_regions(region_file: RegionFile, problems: list[str], label: str = "regions.yaml") -> None:
    ids = {r.id for r in region_file.regions}
    for dup in sorted(_duplicates(r.id for r in region_file.regions)):
        problems.append(f"{label}: 地区id重复 / duplicate region id: {dup}")
    forms: dict[str, str] = {}
    for region in region_file.regions:
        if region.parent is not None and region.parent not in ids:
            problems.append(f"{label}: {region.id}: 上级地区不存在 / unknown parent '{region.parent}'")
        for form in {match_key(f) for f in (region.id, region.name_zh, region.name_en, region.code, *region.former_codes, *region.aliases)}:
            other = forms.setdefault(form, region.id)
            if other != region.id:
                problems.append(f"{label}: 名称'{form}'同时属于{other}和{region.id} / name used by two regions")


def plain_text(text: str) -> str:
    """A quote and the plan text compared without whitespace or width differences."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def is_verbatim(quote: str, plain_source: str) -> bool:
    """Whether a quote is in the plan's text (given as `plain_text(source)`), up to whitespace and width."""
    return plain_text(quote) in plain_source


def wording_problems(quote: str, wording: Iterable[str]) -> list[str]:
    """Every wording term missing from its quote: the catalogue's check, and the check of every extracted candidate."""
    return [f"措辞'{term}'不在引文中 / wording '{term}' not in the quote" for term in wording if term not in quote]


def _check_plan(plan: Plan, path: Path, indicators: dict[str, Indicator], region_ids: set[str], problems: list[str]) -> None:
    name = f"plans/{path.name}"
    if plan.id != path.stem:
        problems.append(f"{name}: id '{plan.id}' 应与文件名一致 / must equal the file name '{path.stem}'")
    source = path.parent / plan.source_text
    source_text = source.read_text(encoding="utf-8") if source.is_file() else None
    problems.extend(plan_problems(plan, name, source_text, indicators, region_ids))


def plan_problems(plan: Plan, name: str, source_text: str | None, indicators: dict[str, Indicator],
                  region_ids: set[str]) -> list[str]:
    """Every problem of one plan against its source text (None: not found), the indicators and regions it may use,
    each prefixed with `name`: the one check of a shipped YAML plan and of a plan published from the dashboard."""
    problems: list[str] = []
    if plan.region not in region_ids:
        problems.append(f"{name}: 未知地区 / unknown region '{plan.region}'")
    if plan.target_year <= plan.base_year:
        problems.append(f"{name}: 目标年须晚于基年 / target_year must be after base_year")
    text = plain_text(source_text) if source_text is not None else None
    if text is None:
        problems.append(f"{name}: 找不到方案原文 / source text not found: {plan.source_text}")
    seen: set[str] = set()
    for n, target in enumerate(plan.targets):
        where = f"{name}: targets[{n}] ({target.indicator})"
        if target.indicator in seen:
            problems.append(f"{where}: 同一指标出现两次 / indicator listed twice")
        seen.add(target.indicator)
        indicator = indicators.get(target.indicator)
        if indicator is None:
            problems.append(f"{where}: 未知指标 / unknown indicator")
        elif (indicator.kind == "maintain") != (target.bound == "maintain"):
            problems.append(f"{where}: 保持类指标须用bound: maintain / maintain kind and bound must go together")
        if target.relative and indicator is not None and indicator.kind not in RELATIVE_KINDS:
            problems.append(f"{where}: 只有水平类和数量类目标可相对基期(relative) / only level and count targets can be relative")
        if target.relative and target.value is None:
            problems.append(f"{where}: 相对目标须给出变化量(value) / a relative target needs its change as value")
        if target.value is None and not target.value_pending_zh:
            problems.append(f"{where}: 目标值为空时须说明原因(value_pending_zh) / a missing value needs value_pending_zh")
        if text is not None:
            quotes = [("quote", target.quote)] + ([("responsibility.quote", target.responsibility.quote)] if target.responsibility else [])
            for field, quote in quotes:
                if not is_verbatim(quote, text):
                    problems.append(f"{where}: {field} 与原文不符 / is not verbatim in {plan.source_text}: {quote}")
        problems.extend(f"{where}: {problem}" for problem in wording_problems(target.quote, target.wording))
    if text is not None and plan.coordinator and not is_verbatim(plan.coordinator.quote, text):
        problems.append(f"{name}: coordinator.quote 与原文不符 / is not verbatim in {plan.source_text}")
    return problems


def validate_catalogue(data_dir: Path = DATA_DIR) -> tuple[Catalogue | None, list[str]]:
    """Read and check every catalogue file; return the catalogue (if readable) and all problems."""
    problems: list[str] = []
    ind_path, reg_path = data_dir / "indicators.yaml", data_dir / "regions.yaml"
    ind_file = _parse(IndicatorFile, _read_yaml(ind_path, problems), ind_path, problems)
    reg_file = _parse(RegionFile, _read_yaml(reg_path, problems), reg_path, problems)
    if isinstance(ind_file, IndicatorFile):
        _check_indicators(ind_file, problems)
    if isinstance(reg_file, RegionFile):
        _check_regions(reg_file, problems)
    indicators = {i.id: i for i in _resolve_bounded(ind_file.indicators)} if isinstance(ind_file, IndicatorFile) else {}
    region_ids = {r.id for r in reg_file.regions} if isinstance(reg_file, RegionFile) else set()
    plans: dict[str, Plan] = {}
    plan_paths = sorted((data_dir / "plans").glob("*.yaml"))
    if not plan_paths:
        problems.append("plans/: 没有方案文件 / no plan files")
    for path in plan_paths:
        plan = _parse(Plan, _read_yaml(path, problems), path, problems)
        if isinstance(plan, Plan):
            _check_plan(plan, path, indicators, region_ids, problems)
            plans[plan.id] = plan
    if not isinstance(ind_file, IndicatorFile) or not isinstance(reg_file, RegionFile):
        return None, problems
    catalogue = Catalogue(
        areas={a.id: a for a in ind_file.areas},
        indicators=indicators,
        regions={r.id: r for r in reg_file.regions},
        plans=plans,
        data_dir=data_dir,
    )
    return catalogue, problems


def load_catalogue(data_dir: Path = DATA_DIR) -> Catalogue:
    """The validated catalogue; raises CatalogueError listing every problem."""
    catalogue, problems = validate_catalogue(data_dir)
    if problems or catalogue is None:
        raise CatalogueError(problems)
    return catalogue
