"""From reviewed candidates to a plan document: what the plans page (or a script) turns into a PlanDocument.

Why a module: the page only collects choices; which fields a target takes from its candidate, the text a target
without a value carries, and how a malformed choice is refused (zh + en, naming the field) are decided here,
without Streamlit, so they are tested without a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ValidationError

from indicators.catalogue import Indicator, Plan, Region, Target
from indicators.plans.extract import Candidate
from indicators.plans.published import PlanDocument, PlanRefused, source_path_for

PENDING_ZH = "方案未写明目标值（由上级下达），待管理员录入。"
PENDING_EN = "The plan leaves the value to a higher authority; an administrator enters it."


@dataclass
class ReviewedTarget:
    """One candidate as the reviewer left it: accepted or not, and every field they may edit."""

    accepted: bool
    indicator: str | None
    value: float | None
    bound: str
    wording: list[str]
    quote: str
    clause: str
    relative: bool = False
    departments: list[str] = field(default_factory=list)
    name_zh: str = ""  # the plan's own name for it (shown; not stored)
    suggestions: list[str] = field(default_factory=list)
    start: int = 0  # where the candidate's quote starts in the text

    @classmethod
    def from_candidate(cls, candidate: Candidate) -> ReviewedTarget:
        """The candidate as extracted, accepted when it matched a catalogue indicator."""
        return cls(accepted=candidate.indicator is not None, indicator=candidate.indicator, value=candidate.value,
                   bound=candidate.bound, wording=list(candidate.wording), quote=candidate.quote,
                   clause=candidate.clause or "", relative=candidate.relative,
                   departments=list(candidate.departments or ()), name_zh=candidate.name_zh,
                   suggestions=list(candidate.suggestions), start=candidate.start)


@dataclass
class PlanFields:
    """What the reviewer sets for the plan as a whole."""

    id: str
    title_zh: str
    title_en: str
    issuer: str
    date_issued: dt.date | None
    status: str
    region: str | None
    base_year: int
    target_year: int


def _problems(exc: ValidationError, where: str) -> list[str]:
    return [f"{where}: {'.'.join(str(p) for p in err['loc']) or '—'}: {err['msg']} / 请修改此项 (fix this field)"
            for err in exc.errors()]


def _model(model: type[BaseModel], data: dict[str, object], where: str, problems: list[str]) -> BaseModel | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems(exc, where))
        return None


def build_document(fields: PlanFields, reviewed: Sequence[ReviewedTarget], source_text: str,
                   indicators: Sequence[dict[str, object]] = (), regions: Sequence[Region] = ()) -> PlanDocument:
    """The plan document of the accepted targets; PlanRefused naming every field to fix (the catalogue checks
    follow at publishing: `published.publish_document`)."""
    problems: list[str] = []
    accepted = [r for r in reviewed if r.accepted]
    if not accepted:
        problems.append("没有接受任何候选目标：请至少接受一个 / no candidate is accepted: accept at least one")
    targets: list[Target] = []
    for n, r in enumerate(accepted, 1):
        where = f"目标 {n} / target {n} ({r.name_zh or r.quote[:20]})"
        if not r.indicator:
            problems.append(f"{where}: 未选择指标：请选择目录指标或新建指标 / no indicator: pick one or create one")
            continue
        data: dict[str, object] = {"indicator": r.indicator, "value": r.value, "relative": r.relative, "bound": r.bound,
                                   "wording": list(r.wording), "clause": r.clause.strip() or "（未注明条款）",
                                   "quote": r.quote.strip(), "departments": list(r.departments)}
        if r.value is None:
            data |= {"value_pending_zh": PENDING_ZH, "value_pending_en": PENDING_EN}
        target = _model(Target, data, where, problems)
        if isinstance(target, Target):
            targets.append(target)
    new_indicators: list[Indicator] = []
    for raw in indicators:
        indicator = _model(Indicator, dict(raw), f"新指标 / new indicator {raw.get('id')}", problems)
        if isinstance(indicator, Indicator):
            new_indicators.append(indicator)
    if fields.region is None:
        problems.append("未选择地区 / no region picked")
    if fields.date_issued is None:
        problems.append("未填写印发日期 / no date of issue")
    plan_data: dict[str, object] = {
        "id": fields.id.strip(), "title_zh": fields.title_zh.strip(), "title_en": fields.title_en.strip() or fields.title_zh.strip(),
        "issuer": fields.issuer.strip(), "date_issued": fields.date_issued, "status": fields.status,
        "region": fields.region or "", "base_year": fields.base_year, "target_year": fields.target_year,
        "source_text": source_path_for(fields.id.strip()), "targets": [t.model_dump() for t in targets]}
    for key in ("title_zh", "issuer"):
        if not plan_data[key]:
            problems.append(f"方案 / plan: {key}: 不能为空 / must not be empty")
    plan = _model(Plan, plan_data, "方案 / plan", problems) if targets else None
    if problems or not isinstance(plan, Plan):
        raise PlanRefused(problems or ["方案无效 / the plan is not valid"])
    return PlanDocument(plan=plan, source_text=source_text, indicators=tuple(new_indicators), regions=tuple(regions))
