"""Targets whose value the plan leaves to someone else (湛江's CO2 target: "完成省下达目标任务").

The catalogue keeps such a target with `value: null`; an administrator enters the value the province
set, and the store keeps every entry with who and when (`target_overrides`, audited). Only targets whose
catalogue value is null can be set this way: a value written in the plan is changed in its YAML file,
where the quote and review live.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from indicators.catalogue import Catalogue, Plan, Target
from indicators.errors import UserError
from indicators.store import Store

MAX_TARGET_VALUE = 1e12  # larger than any figure a plan sets; refuses typos like 1e300
MAX_NOTE_CHARS = 500  # e.g. "粤府〔2024〕12号 下达湛江 -18%"


def settable_targets(catalogue: Catalogue) -> list[tuple[Plan, Target]]:
    """The targets an administrator may set: those the plan leaves without a value."""
    return [(p, t) for p, t in catalogue.plan_targets() if t.value is None]


def apply_target_overrides(catalogue: Catalogue, overrides: Mapping[tuple[str, str], float] | None) -> Catalogue:
    """The catalogue with entered values filled in where the plan has none (the same object when nothing applies)."""
    if not overrides:
        return catalogue
    plans = {}
    changed = False
    for plan_id, plan in catalogue.plans.items():
        targets = []
        for target in plan.targets:
            value = overrides.get((plan_id, target.indicator))
            if target.value is None and value is not None:
                target = target.model_copy(update={"value": float(value)})
                changed = True
            targets.append(target)
        plans[plan_id] = plan.model_copy(update={"targets": targets})
    return dataclasses.replace(catalogue, plans=plans) if changed else catalogue


def set_target(catalogue: Catalogue, store: Store, plan_id: str, indicator_id: str, value: float | None, actor: str,
               note: str | None = None) -> None:
    """Record the value an administrator entered (None clears it); refuses targets the plan itself sets."""
    plan = catalogue.plans.get(plan_id)
    target = next((t for t in plan.targets if t.indicator == indicator_id), None) if plan else None
    if target is None:
        raise UserError(f"方案“{plan_id}”中没有指标“{indicator_id}”的目标。/ Plan '{plan_id}' has no target for '{indicator_id}'.")
    if target.value is not None:
        raise UserError(f"该目标的数值由方案原文规定（{target.value:g}），只能在 data/plans/{plan_id}.yaml 中修改。"
                        f"/ This target's value is written in the plan; change it in data/plans/{plan_id}.yaml.")
    if value is not None and (not math.isfinite(value) or abs(value) > MAX_TARGET_VALUE):
        raise UserError(f"目标值 {value} 无效。/ Invalid target value {value}.")
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise UserError(f"备注不能超过{MAX_NOTE_CHARS}字。/ The note is limited to {MAX_NOTE_CHARS} characters.")
    store.set_target_override(plan_id, indicator_id, None if value is None else float(value), actor, note or None)
