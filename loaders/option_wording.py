"""Messages for the data page: the import options named as the page's controls, never as command-line flags.

The loaders word their advice for the command line ("请用 --region 指定"), where most of them are read. On the
page the same advice names the control to change ("请在“导入选项”中选择“全表地区”"). The controls' names live
here, and the page labels its controls with them, so a message and the control it points at always agree.
"""

from __future__ import annotations

import dataclasses
import re

from loaders.errors import Problem

# option → (zh, en) name of its control on the data page
CONTROL_NAMES: dict[str, tuple[str, str]] = {
    "sheet": ("工作表", "Sheet"),
    "layout": ("版式", "Layout"),
    "indicator": ("全表指标", "Indicator of the whole table"),
    "label_map": ("标签对应指标", "Label → indicator"),
    "region": ("全表地区", "Region of the whole table"),
    "year": ("全表年份", "Year of the whole table"),
    "unit": ("数值单位", "Unit of the values"),
    "recipe": ("使用配方", "Apply a recipe"),
    "save_recipe": ("保存为配方", "Save as recipe"),
    "use_recipes": ("自动套用配方", "Apply a matching recipe automatically"),
}
OPTIONS_BOX = ("导入选项", "Import options")


_VALUE = r"(?:\s+(?!指定|中|“)(?P<value>[^\s，。；,;）)'\"”]+))?"  # an example value after the flag, kept
# Most specific first: a label mapping before the bare --indicator, --save-recipe and --no-recipe before --recipe.
_RULES: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"--indicator\s+['\"“]?[^\s'\"”=]*=[^\s'\"”，。；,;)]*['\"”]?"), ("label_map",)),
    (re.compile(r"--indicator/--region"), ("indicator", "region")),
    (re.compile(r"--region/--year"), ("region", "year")),
    (re.compile(r"--sheet、--layout"), ("sheet", "layout")),
    (re.compile(r"--indicator" + _VALUE), ("indicator",)),
    (re.compile(r"--region" + _VALUE), ("region",)),
    (re.compile(r"--year(?:\s+(?P<value>[0-9]{4}))?"), ("year",)),
    (re.compile(r"--unit"), ("unit",)),
    (re.compile(r"--sheet" + _VALUE), ("sheet",)),
    (re.compile(r"--layout"), ("layout",)),
    (re.compile(r"--save-recipe(?:\s+(?P<value>[\w-]+))?"), ("save_recipe",)),
    (re.compile(r"--no-recipe"), ("use_recipes",)),
    (re.compile(r"--recipe(?:\s+(?P<value>[\w-]+))?"), ("recipe",)),
]
_COMMANDS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"[（(]?python -m loaders template[）)]?"), "（见页面下方的“下载导入模板”）", " (see 'Download the template' below)"),
    (re.compile(r"[（(]?python -m indicators catalogue[）)]?"), "（指标名称见“全表指标”的选择框）",
     " (indicator names: see the 'Indicator of the whole table' choices)"),
]
PLACEHOLDERS = frozenset({"指标名", "NAME", "LABEL", "FILE"})  # written in place of a value, not an example of one
# "例如 --region 天津" right after naming the control: only the example value is left to say
_EXAMPLE = re.compile(r"(?P<lead>例如|如)\s*--(?:region|year|sheet)\s+(?P<value>[^\s，。；,;）)'\"”]+)")
_LEFTOVER_FLAG = re.compile(r"--[a-z][a-z-]*")
_MARK = "\x00"  # brackets each inserted name while spaces around it are tidied; never in a message (control characters are replaced)
_SPACE_BY_NAME = re.compile(r"[ ]*\x00[ ]*")


def _named(options: tuple[str, ...], value: str | None, english: bool) -> str:
    value = None if value in PLACEHOLDERS else value
    if english:
        names = " or ".join(f"'{CONTROL_NAMES[o][1]}'" for o in options)
        return f"{names} under '{OPTIONS_BOX[1]}'" + (f" (e.g. {value})" if value else "")
    names = "或".join(f"“{CONTROL_NAMES[o][0]}”" for o in options)
    return _MARK + f"“{OPTIONS_BOX[0]}”中的{names}" + (f"（如“{value}”）" if value else "") + _MARK


def page_text(text: str, english: bool = False) -> str:
    """`text` with every import flag replaced by the name of its control, and CLI commands by what the page offers."""
    if not text:
        return text
    text = _EXAMPLE.sub(lambda m: (f"e.g. {m['value']}" if english else f"{m['lead']}选“{m['value']}”{_MARK}"), text)
    for pattern, options in _RULES:
        def name_it(match: re.Match[str], options: tuple[str, ...] = options) -> str:
            return _named(options, match.groupdict().get("value"), english)
        text = pattern.sub(name_it, text)
    for pattern, zh, en in _COMMANDS:
        text = pattern.sub(en if english else _MARK + zh + _MARK, text)
    return text if english else _SPACE_BY_NAME.sub("", text)  # the spaces that set a flag apart, not the text's own


def for_page(problem: Problem) -> Problem:
    """The same problem, worded for the data page."""
    return dataclasses.replace(
        problem, message_zh=page_text(problem.message_zh), hint_zh=page_text(problem.hint_zh),
        message_en=page_text(problem.message_en, english=True), hint_en=page_text(problem.hint_en, english=True))


def names_a_flag(text: str) -> bool:
    """True when a command-line flag is left in a text (tests use it on everything the page shows)."""
    return bool(_LEFTOVER_FLAG.search(text)) or "python -m" in text
