"""The engine's input and output types (TargetSpec, Point, Assessment) and the error it raises."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from indicators.errors import UserError
from indicators.vocabulary import BOUNDS, DIRECTIONS, KINDS, Bound, Direction, Kind

RELATIVE_KINDS = ("level", "count")  # kinds whose target may be a change from the base (§8.6)


class ProgressInputError(UserError, ValueError):
    """Specs or observations the engine cannot read; the message names the series."""


# ---------------------------------------------------------------------------
# Input and output types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """One quantified target. For a cumulative reduction `target` is K in percent; for a target relative to the
    base (`relative`, "比2020年提高N个百分点") it is the change N in the good direction, so `v* = v_B ± N`."""

    kind: Kind
    target: float | None
    direction: Direction = "higher"
    bound: Bound = "at_least"
    base_year: int = 2020
    target_year: int = 2025
    unit: str | None = None  # decides the 1-point tolerance at 0/100, the default of `bounded`, §8.4's unit
    issued_year: int | None = None  # the plan's year of issue: a maintain target is judged from max(B+1, it)
    bounded: bool | None = None  # a share in [0, 100] (§8.2); None: by unit (percent and not a reduction)
    relative: bool = False  # target = change from the base-year value (§8.6)
    about: bool = False  # "N%左右": judged as at least N in the direction of travel, texts keep "左右"

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, KINDS)
        check_choice("direction", self.direction, DIRECTIONS)
        check_choice("bound", self.bound, BOUNDS)
        if self.relative and self.kind not in RELATIVE_KINDS:
            raise ProgressInputError(
                f"只有水平类和数量类目标可相对基期 / only level and count targets can be relative: {self.kind}"
            )
        if self.target_year <= self.base_year:
            raise ProgressInputError(
                f"目标年份必须晚于基期 / target year must follow the base year: "
                f"{self.base_year} → {self.target_year}"
            )


@dataclass(frozen=True)
class Point:
    """One observation: annual when `month` is None, else a figure for months 1..month."""

    year: int
    value: float
    month: int | None = None


@dataclass(frozen=True)
class Assessment:
    """The result for one series: contract figures, statuses, reasons and method inputs."""

    kind: str
    target: float | None
    bound: str
    base_year: int
    target_year: int
    latest_year: int | None
    latest_month: int | None
    latest_value: float | None
    time_progress: float | None
    completion_progress: float | None
    completion_progress_geometric: float | None
    gap_pp: float | None
    required_annual_rate: float | None
    projected_value: float | None
    projected_value_linear: float | None
    ratio: float | None
    score: float | None
    status: dict[str, str]
    explanation_zh: str
    explanation_en: str
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    required_annual_change: float | None = None  # §8.4, in `required_annual_change_unit`
    required_annual_change_unit: str | None = None  # "%/年", "个百分点/年", "家/年", ...
    provisional: bool = False  # §8.5: the latest figure is within-year
    judged_from: int | None = None  # §8.1: first judged year of a maintain target
    bounded: bool = False  # §8.2: a share in [0, 100]
    target_delta: float | None = None  # §8.6: the change N of a relative target (`target` is then v_B ± N)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) with the contract keys first, then `details`."""
        return asdict(self)


def check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ProgressInputError(
            f"{name} 取值无效 / invalid {name}: {value!r}; 可选 / allowed: {', '.join(allowed)}"
        )
