"""Plans published from the dashboard: the document, its checks, the catalogue with them, and YAML export.

Why a module: a published plan must be exactly as trustworthy as a shipped YAML plan, so it passes the same check
(`catalogue.plan_problems`: quotes verbatim in its text, wording inside its quote, known indicator and region …)
against the shipped catalogue plus the indicators and regions created for it. The store keeps documents as JSON
(indicators/store/published_plans.py); this module reads them back and checks them again every time, so a stored
document that no longer fits the catalogue (or a crafted backup) is left out with its problems, never shown.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml
from pydantic import ValidationError

from indicators.catalogue import (
    Catalogue,
    Indicator,
    IndicatorFile,
    Plan,
    Region,
    RegionFile,
    _check_indicators,
    _check_regions,
    _resolve_bounded,
    plan_problems,
)
from indicators.errors import UserError
from indicators.regions import Division, Registry
from indicators.store import StoredPlan

SOURCES_FOLDER = "sources"  # where a plan's text lives beside its YAML, as in data/plans/sources/


def source_path_for(plan_id: str) -> str:
    """The `source_text` a published plan names: the path its exported text is written to, as shipped plans do."""
    return f"{SOURCES_FOLDER}/{plan_id}.txt"


@dataclass(frozen=True)
class PlanDocument:
    """A plan as published: the plan, its text, and the indicators and regions created for it."""

    plan: Plan
    source_text: str
    indicators: tuple[Indicator, ...] = ()
    regions: tuple[Region, ...] = ()

    def to_json(self) -> str:
        """What the store keeps (the text is kept in its own column)."""
        return json.dumps({"plan": self.plan.model_dump(mode="json"),
                           "indicators": [i.model_dump(mode="json") for i in self.indicators],
                           "regions": [r.model_dump(mode="json") for r in self.regions]},
                          ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, document: str, source_text: str) -> PlanDocument:
        """A stored document read back; ValueError (pydantic's or json's) when it is not one."""
        raw = json.loads(document)
        if not isinstance(raw, dict):
            raise ValueError("a plan document is a JSON object")
        return cls(plan=Plan.model_validate(raw.get("plan")), source_text=source_text,
                   indicators=tuple(Indicator.model_validate(i) for i in raw.get("indicators") or []),
                   regions=tuple(Region.model_validate(r) for r in raw.get("regions") or []))


@dataclass(frozen=True)
class PublishedPlan:
    """A document as the store holds it: its version and who published it when."""

    document: PlanDocument
    version: int
    published_by: str
    published_at: object
    note: str | None


def region_from_division(division: Division, registry: Registry, catalogue: Catalogue, name_en: str) -> Region:
    """A catalogue region for a division picked from the registry (a plan's city the catalogue does not know yet):
    its code, level and parent from the registry; its name as the registry gives it, its short and full names as
    aliases, so imports find it by any of them."""
    parent = registry.parent(division)
    parent_id = catalogue.find_region(parent.code) if parent is not None else None
    full = registry.full_name(division)
    aliases = [a for a in dict.fromkeys((division.short_name, full, name_en)) if a and a != division.name]
    level = "district" if division.level == "functional_zone" else division.level
    return Region(id=f"cn_{division.code}", name_zh=division.name, name_en=name_en.strip() or division.name,
                  code=division.code, level=level, parent=parent_id,
                  parent_name_zh=parent.name if parent is not None and parent_id is None else None, aliases=aliases)


class PlanRefused(UserError):
    """A plan that may not be published, with every problem (zh / en, each naming what to fix)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("方案未发布，请修改以下各项 / The plan was not published; fix these:\n" + "\n".join(problems))


def label(plan_id: str) -> str:
    """How messages name a published plan."""
    return f"方案 {plan_id} / plan {plan_id}"


def document_problems(document: PlanDocument, base: Catalogue, shipped: Iterable[str] = ()) -> list[str]:
    """Every problem of `document` against `base` (the shipped catalogue plus other published plans): the shipped
    plans' own check, plus the checks of the indicators and regions it creates. `shipped`: ids no published plan
    may take (the YAML plans')."""
    plan = document.plan
    name = label(plan.id)
    problems: list[str] = []
    if plan.id in set(shipped):
        problems.append(f"{name}: 与随程序提供的方案同名，请换一个方案id / a shipped plan has this id; choose another")
    elif plan.id in base.plans:
        problems.append(f"{name}: 方案id已被另一个已发布的方案使用 / another published plan has this id")
    if plan.source_text != source_path_for(plan.id):
        problems.append(f"{name}: source_text 应为 {source_path_for(plan.id)} / must be {source_path_for(plan.id)}")
    # An indicator or region another published plan created, carried unchanged, is not new: a plan keeps what it
    # uses, so withdrawing the plan that created it leaves this one whole.
    fresh_indicators = [i for i in document.indicators if base.indicators.get(i.id) != i]
    fresh_regions = [r for r in document.regions if base.regions.get(r.id) != r]
    new_label = f"{name}: 新指标 / new indicators"
    _check_indicators(IndicatorFile(areas=list(base.areas.values()),
                                    indicators=[*base.indicators.values(), *fresh_indicators]), problems, new_label)
    _check_regions(RegionFile(regions=[*base.regions.values(), *fresh_regions]), problems, f"{name}: 新地区 / new regions")
    indicators = {i.id: i for i in _resolve_bounded([*base.indicators.values(), *fresh_indicators])}
    region_ids = {*base.regions, *(r.id for r in document.regions)}
    problems.extend(plan_problems(plan, name, document.source_text, indicators, region_ids))
    return problems


def add_document(catalogue: Catalogue, document: PlanDocument) -> Catalogue:
    """`catalogue` with a checked document's plan, indicators and regions added."""
    carried = {i.id for i in document.indicators if catalogue.indicators.get(i.id) == i}
    resolved = _resolve_bounded([*catalogue.indicators.values(), *(i for i in document.indicators if i.id not in carried)])
    return dataclasses.replace(
        catalogue,
        indicators={i.id: i for i in resolved},
        regions={**catalogue.regions, **{r.id: r for r in document.regions}},
        plans={**catalogue.plans, document.plan.id: document.plan},
    )


def read_stored(stored: StoredPlan) -> PublishedPlan:
    """A stored version as a PublishedPlan; ValueError when its document cannot be read."""
    return PublishedPlan(PlanDocument.from_json(stored.document, stored.source_text), stored.version,
                         stored.published_by, stored.published_at, stored.note)


def with_published(shipped: Catalogue, stored: Sequence[StoredPlan], *, leave_out: str | None = None) -> tuple[Catalogue, list[str]]:
    """The shipped catalogue with every stored plan that passes its checks added (in plan-id order, each checked
    against the shipped catalogue and the plans added before it); the problems of those left out. `leave_out`: a plan
    id not to add (the plan about to be published again)."""
    catalogue, problems = shipped, []
    for row in stored:
        if row.plan_id == leave_out:
            continue
        try:
            published = read_stored(row)
        except (ValueError, ValidationError) as exc:
            problems.append(f"{label(row.plan_id)}: 存储的方案无法读取，未显示 / the stored plan cannot be read and is not "
                            f"shown: {type(exc).__name__}")
            continue
        found = document_problems(published.document, catalogue, shipped.plans)
        if published.document.plan.id != row.plan_id:
            found.append(f"{label(row.plan_id)}: 存储的方案id不一致 / the stored plan's id differs")
        if found:
            problems.extend(found)
            continue
        catalogue = add_document(catalogue, published.document)
    return catalogue, problems


class PlanStore(Protocol):
    """What publishing needs of the store (indicators.store.Store)."""

    def published_plans(self) -> list[StoredPlan]: ...

    def publish_plan(self, plan_id: str, document: str, source_text: str, actor: str, *, target_count: int,
                     note: str | None = None) -> int: ...


def publish_document(shipped: Catalogue, store: PlanStore, document: PlanDocument, actor: str,
                     note: str | None = None) -> int:
    """Check `document` against the shipped catalogue and the other published plans, then store it as the plan's
    next version; PlanRefused listing every problem, and nothing stored, when it does not pass."""
    base, _ = with_published(shipped, store.published_plans(), leave_out=document.plan.id)
    problems = document_problems(document, base, shipped.plans)
    if problems:
        raise PlanRefused(problems)
    return store.publish_plan(document.plan.id, document.to_json(), document.source_text, actor,
                              target_count=len(document.plan.targets), note=note)


# --- export in the shipped format ------------------------------------------------------------------------------

def plan_yaml(plan: Plan) -> str:
    """The plan as a shipped data/plans/*.yaml file (defaults left out, as the shipped files do)."""
    body = plan.model_dump(mode="json", exclude_defaults=True)
    header = f"# {plan.title_zh}\n# 由看板“方案”页发布后导出 / exported after publishing from the dashboard's plans page.\n"
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)


def additions_yaml(document: PlanDocument) -> str | None:
    """The indicators and regions created for the plan, to append to data/indicators.yaml and data/regions.yaml
    (None when it created none)."""
    if not document.indicators and not document.regions:
        return None
    body: dict[str, object] = {}
    if document.indicators:
        body["indicators"] = [i.model_dump(mode="json", exclude_defaults=True) for i in document.indicators]
    if document.regions:
        body["regions"] = [r.model_dump(mode="json", exclude_defaults=True) for r in document.regions]
    header = ("# 为该方案新建的指标和地区：分别追加到 data/indicators.yaml 的 indicators 和 data/regions.yaml 的 regions。\n"
              "# Indicators and regions created for the plan: append them to data/indicators.yaml and data/regions.yaml.\n")
    return header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)


def additions_path(out: Path) -> Path:
    """Where the additions go beside an exported plan (.yml: the catalogue reads only *.yaml as plans)."""
    return out.with_name(f"{out.stem}.additions.yml")


def export_plan(document: PlanDocument, out: Path) -> list[Path]:
    """Write the plan as OUT (named PLAN_ID.yaml, as the catalogue requires), its text at the `source_text` path beside
    it, and any indicators and regions it created (`additions_path`); returns the files written."""
    plan = document.plan
    if out.suffix != ".yaml" or out.stem != plan.id:
        raise UserError(f"导出文件须命名为 {plan.id}.yaml（目录要求文件名与方案id一致）。未写入任何文件。\n"
                        f"The export must be named {plan.id}.yaml (the catalogue requires the file name to equal the plan id). "
                        "Nothing was written.")
    source = out.parent / plan.source_text
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(document.source_text, encoding="utf-8")
    out.write_text(plan_yaml(plan), encoding="utf-8")
    written = [out, source]
    additions = additions_yaml(document)
    if additions is not None:
        additions_path(out).write_text(additions, encoding="utf-8")
        written.append(additions_path(out))
    return written


def find_published(store_plans: Sequence[StoredPlan], plan_id: str) -> PublishedPlan:
    """The current version of one published plan; UserError naming the published ones when there is none."""
    for row in store_plans:
        if row.plan_id == plan_id:
            return read_stored(row)
    known = "、".join(r.plan_id for r in store_plans) or "（无 / none）"
    raise UserError(f"没有已发布的方案“{plan_id}”。已发布：{known}\nNo published plan '{plan_id}'. Published: {known}")
