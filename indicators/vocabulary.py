"""The project's vocabulary, defined once: kinds, bounds, directions, methods, statuses and their one label
and shape each, data statuses and the observation columns.

Loaders, the store, the engine, charts and pages import these names from here, so none of them imports
another layer just for a word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from indicators.texts import load_texts

# --- targets ---------------------------------------------------------------------------------------------
Kind = Literal["level", "cumulative_reduction", "count", "maintain", "qualitative"]
Direction = Literal["higher", "lower"]
Bound = Literal["at_least", "at_most", "exactly", "maintain"]
InputForm = Literal["level", "annual_rate", "cumulative"]  # what a series gives: a level, annual declines, a cumulative figure
Method = Literal["barometer", "ratio", "anticipated"]
PlanStatus = Literal["正式", "征求意见稿"]  # issued, draft for comment
RegionLevel = Literal["province", "municipality", "prefecture", "district", "county", "county_city"]
# The plan's own words around a target value (each must appear in the target's quote). "左右" (about) is judged as
# "at least N" in the direction of travel and kept in every text (methodology §8.6).
Wording = Literal[
    "力争", "达到", "保持", "以上", "以下", "提高至", "降低", "下降", "培育", "巩固", "完成", "控制在",
    "左右", "大于", "超过", "不低于", "不少于", "不超过", "不高于", "低于", "提高", "增加", "削减", "减少",
    # Further verbs plans use for a target (found by `python -m indicators plan extract`).
    "提高到", "提升至", "提升到", "提升", "增长至", "增长到", "增长", "增加至", "增加到", "稳定在", "降至", "降低至", "降低到", "下降至",
    "下降到", "高于", "小于", "以内", "建成", "创建", "新增", "打造", "新建", "建设",
]

KINDS: tuple[str, ...] = get_args(Kind)
DIRECTIONS: tuple[str, ...] = get_args(Direction)
BOUNDS: tuple[str, ...] = get_args(Bound)
INPUT_FORMS: tuple[str, ...] = get_args(InputForm)
METHODS: tuple[str, ...] = get_args(Method)

# --- progress statuses -----------------------------------------------------------------------------------
# Status values per method, worst first (the order roll-ups sort by).
BAROMETER_STATUSES = ("red", "yellow", "green", "achieved", "not_assessable", "not_set")
RATIO_STATUSES = ("deterioration", "limited", "acceleration_needed", "on_track", "achieved", "not_assessable")
ANTICIPATED_STATUSES = ("stagnation", "fair", "on_track", "achieved", "not_assessable", "not_set")
STATUSES: dict[str, tuple[str, ...]] = {
    "barometer": BAROMETER_STATUSES,
    "ratio": RATIO_STATUSES,
    "anticipated": ANTICIPATED_STATUSES,
}
UNRANKED_STATUSES = frozenset({"not_assessable", "not_set"})  # left out of severity

# One Chinese and one English label per status key (methodology §8.7), used by every page and export.
STATUS_LABELS: dict[str, dict[str, str]] = load_texts(Path(__file__).with_name("status_labels.yaml"))
STATUS_LABELS_ZH = {key: labels["zh"] for key, labels in STATUS_LABELS.items()}
STATUS_LABELS_EN = {key: labels["en"] for key, labels in STATUS_LABELS.items()}

# Shapes as well as colours (never colour alone), from fonts every machine here has: emoji fonts are
# often missing on servers and in screenshots, where they render as empty boxes.
STATUS_ICONS = {
    "green": "●", "yellow": "▲", "red": "■", "achieved": "✔", "not_assessable": "○", "not_set": "○",
    "on_track": "●", "acceleration_needed": "▲", "limited": "◆", "deterioration": "■",
    "fair": "▲", "stagnation": "■",
}
UNKNOWN_STATUS_ICON = "○"

# --- observations ----------------------------------------------------------------------------------------
DataStatus = Literal["初步", "正式", "修订", "估计"]  # preliminary, final, revised, estimated
DATA_STATUSES: tuple[str, ...] = get_args(DataStatus)
DEMO_SOURCE_MARK = "示例数据"  # every demo observation's source starts with this
OBSERVATION_COLUMNS = ["region_id", "indicator_id", "year", "month", "value", "unit", "status", "source", "note"]
BatchKind = Literal["import", "demo"]
BATCH_KINDS: tuple[str, ...] = get_args(BatchKind)
# What the audit log records (action column); see README "安全 / Security".
AUDIT_ACTIONS = (
    "import", "demo_load", "rollback", "reapply", "remove_demo", "upload_refused", "login", "login_failed", "login_throttled",
    "logout", "set_target", "user_add", "user_remove", "user_reset", "user_role", "backup", "restore", "restore_refused",
    "recipe_saved",
    "session_start", "session_revoked", "session_expired",
    "plan_publish", "plan_withdraw",
)


def status_word(status: str, lang: str) -> str:
    """The one word for a status key in `lang` ('zh' or 'en'); an unknown key is shown as itself."""
    labels = STATUS_LABELS.get(status)
    return labels["zh" if lang == "zh" else "en"] if labels else status
