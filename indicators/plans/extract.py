"""A plan's text → candidate targets: a pure function, for the command line and the plans page alike.

A candidate is a sub-clause (see segments.py) in which a target verb carries a number: "比重达到 40%",
"提高至98%以上", "分别提高至30%、28%" (one candidate per value), "比2020年提高8个百分点以上" (relative),
"培育150家…企业、20个…联合体" (counts), "保持100%" (maintain), "下降14.5%" (a cumulative reduction), or a
value the plan leaves to someone else: "完成省下达目标任务" (value null). Numbers that no target verb carries
("871"工程, （2019—2030年）, DB/T 29—204—2021, 〔2021〕4号, project counts) are never candidates, nor targets the
text sets for another year (the 2035 goals). A field the text does not give stays None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import get_args

from indicators.plans.segments import SubClause, nfkc, sub_clauses
from indicators.vocabulary import Wording

PLAN_TARGET_YEAR = 2025  # the year these plans set targets for (国发〔2021〕4号)

NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
UNITS = ("个百分点", "百分点", "%", "％", "万千瓦时", "亿千瓦时", "万千瓦", "千瓦", "吨标准煤/万元", "万吨标准煤", "亿吨", "万吨", "吨",
         "亿元", "万元", "万公顷", "公顷", "亿立方米", "万个", "万家", "万座", "万套", "万台", "万辆", "万人", "万亩", "万平方米", "平方米",
         "微克/立方米", "万立方米", "立方米", "公里", "家", "个", "条", "座", "项", "所", "艘", "处", "辆", "台", "套", "天")
COUNT_UNITS = ("家", "个", "条", "座", "项", "所", "艘", "处", "辆", "台", "套", "万个", "万家", "万座", "万套", "万台", "万辆")
# Atomic: a run of modifiers or spaces is taken whole, never re-split (which made long runs of spaces take minutes).
MODIFIERS = r"(?>\s*(?:(?:力争|争取|确保|稳定(?!在)|持续|基本|总体|均|分别|累计|年均)\s*)*)"
MAX_SUBCLAUSE_CHARS = 400  # the catalogue's longest quote has ~40 characters; longer runs without a comma are no target clause
LEVEL_VERBS = ("达到", "提高至", "提高到", "提升至", "提升到", "增长至", "增长到", "增加至", "增加到", "保持在", "稳定在", "保持",
               "控制在", "降至", "降低至", "降低到", "下降至", "下降到", "不低于", "不少于", "不超过", "不高于", "低于", "高于", "大于",
               "超过", "小于")
CHANGE_VERBS = ("降低", "下降", "削减", "减少", "提高", "提升", "增加", "增长")  # + N: a change from the base
REDUCTION_VERBS = ("降低", "下降", "削减", "减少")
AT_MOST_VERBS = ("控制在", "不超过", "不高于", "低于", "小于", "降至", "降低至", "降低到", "下降至", "下降到")
MAINTAIN_VERBS = ("保持在", "稳定在", "保持", "巩固")
COUNT_VERBS = ("培育", "建成", "创建", "新增", "打造", "巩固", "新建", "建设")
QUALIFIERS = ("以上", "左右", "以下", "以内")
PROJECT_NOUNS = ("项目", "工程", "行动", "计划", "规划", "试点", "活动", "会议", "专项")  # counts of works, not outcomes
NOT_A_VALUE_AFTER = "年月日号〕]）)—-–~～届期批次轮"  # "2025年", "29—204", "〔2021〕4号"
WORDING_PATTERN = re.compile("|".join(sorted(get_args(Wording), key=len, reverse=True)))  # longest first: 提高至 before 提高
NAME_LEAD = re.compile(r"^(?:(?:到|至)\s*\d{4}\s*年(?:底|末)?|“?十四五”?(?:期间|时期|末)|其中|同时|并且|并|且|使|确保|力争|全面|\s)+")
MIN_NAME_CHARS = 2
SUBJECT_SUFFIXES = ("数量", "比重", "比例", "占比", "率")  # measure words dropped to find the subject in another clause
MIN_SUBJECT_CHARS = 5  # a shorter subject ("森林覆盖") is named in too many clauses to point at one

_VERB = "|".join(sorted({*LEVEL_VERBS, *CHANGE_VERBS}, key=len, reverse=True))
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_QUAL = "|".join(QUALIFIERS)
_COUNT_UNIT = "|".join(sorted(COUNT_UNITS, key=len, reverse=True))
_BASE = r"(?P<base>(?:比|较|相比)\s*(?P<year>\d{4})\s*年(?:底|末)?)"  # "比2020年": the change is from the base year
LEVEL = re.compile(rf"(?P<pre>{MODIFIERS}){_BASE}?(?P<mods>{MODIFIERS})(?P<verb>{_VERB})\s*(?P<values>"
                   rf"{NUM}\s*(?:{_UNIT})?(?:\s*(?:、|和|及)\s*{NUM}\s*(?:{_UNIT})?)*)\s*(?P<qual>{_QUAL})?")
VALUE = re.compile(rf"(?P<num>{NUM})\s*(?P<unit>{_UNIT})?")
COUNT = re.compile(rf"(?P<mods>{MODIFIERS})(?P<verb>{'|'.join(COUNT_VERBS)})\s*(?P<num>{NUM})\s*(?P<unit>{_COUNT_UNIT})")
COUNT_ITEM = re.compile(rf"(?:、|和|及|以及)\s*(?P<num>{NUM})\s*(?P<unit>{_COUNT_UNIT})")
PENDING = re.compile(r"(?P<verb>完成|控制在|达到|实现)[^，,；;。]{0,12}?下达的?(?P<object>[^，,；;。]{0,20}?)"
                     r"(?:目标任务|目标|任务|指标)(?P<qual>以内|以下)?")
# "新增绿色建筑面积5000万平方米", "累计建成充电桩2万个": the verb, then what, then how much.
OBJECT_VERBS = ("累计建成", "新增", "建成", "完成", "推广", "培育", "创建")
OBJECT = re.compile(rf"(?P<mods>{MODIFIERS})(?P<verb>{'|'.join(OBJECT_VERBS)})(?P<name>[\u4e00-\u9fff“”()（）]{{2,15}}?)"
                    rf"\s*(?P<num>{NUM})\s*(?P<unit>{_UNIT})")
INTENSITY_WORDS = ("单位", "强度", "能耗", "排放", "总量", "减排")  # a target "set elsewhere" to complete for these is a reduction


@dataclass(frozen=True)
class Candidate:
    """One target the text sets, with every field the catalogue needs; None where the text gives nothing."""

    name_zh: str
    value: float | None
    unit: str | None
    bound: str
    wording: tuple[str, ...]
    kind: str
    relative: bool
    base_year: int | None
    target_year: int | None
    quote: str
    clause: str | None
    departments: tuple[str, ...] | None
    indicator: str | None = None
    suggestions: tuple[str, ...] = ()
    start: int = 0  # where the quote starts in the text (for highlighting; not part of the JSON)

    def to_json(self) -> dict[str, object]:
        value = int(self.value) if self.value is not None and self.value.is_integer() else self.value
        return {"name_zh": self.name_zh, "value": value, "unit": self.unit, "bound": self.bound, "wording": list(self.wording),
                "kind": self.kind, "relative": self.relative, "base_year": self.base_year, "target_year": self.target_year,
                "quote": self.quote, "clause": self.clause,
                "departments": list(self.departments) if self.departments is not None else None,
                "indicator": self.indicator, "suggestions": list(self.suggestions)}


def wording_in(text: str) -> tuple[str, ...]:
    """The catalogue's wording terms in a predicate, in text order, longest first at each place ("提高至", not "提高")."""
    return tuple(dict.fromkeys(WORDING_PATTERN.findall(text)))


def _number(text: str) -> float:
    return float(nfkc(text))


def _unit(text: str | None) -> str | None:
    return nfkc(text).replace("百分点", "个百分点").replace("个个", "个") if text else None


def _name(text: str) -> str:
    return NAME_LEAD.sub("", text).strip(" \t:：、")


def _is_name(name: str) -> bool:
    return len(re.findall(r"[\u4e00-\u9fff]", name)) >= MIN_NAME_CHARS


def _kind_and_bound(verb: str, unit: str | None, qual: str | None) -> tuple[str, str, bool]:
    """(kind, bound, relative) from the verb and unit, as the catalogue defines them."""
    change = verb in CHANGE_VERBS
    if change and verb in REDUCTION_VERBS and unit == "%":
        return "cumulative_reduction", "at_least", False  # "下降14.5%", "削减6%": the reduction is the value
    if change:
        return "relative", ("at_most" if verb in REDUCTION_VERBS else "at_least"), True  # "比2020年提高8个百分点"
    if verb in MAINTAIN_VERBS:
        return "maintain", "maintain", False
    bound = "at_most" if verb in AT_MOST_VERBS or qual in ("以下", "以内") else "at_least"
    return ("count" if unit in COUNT_UNITS else "level"), bound, False


def _level_candidates(sub: SubClause) -> list[Candidate]:
    found = []
    for match in LEVEL.finditer(sub.text):
        values = list(VALUE.finditer(match.group("values")))
        after = sub.text[match.end("values"):match.end("values") + 1]
        if not values or (after and after in NOT_A_VALUE_AFTER) or (match.group("verb") in CHANGE_VERBS and not match.group("base")
                                                                   and values[-1].group("unit") is None):
            continue
        name_text = sub.text[:match.start()]
        if re.search(rf"{NUM}\s*$", name_text):
            continue  # "29—204" and the like: the verb follows a number, not a name
        units = [_unit(v.group("unit")) for v in values]
        last_unit = next((u for u in reversed(units) if u), None)
        paired = "分别" in match.group("pre") + match.group("mods") and len(values) > 1
        names = [_name(n) for n in re.split(r"、|和", name_text)] if paired else [_name(name_text)]
        if len(names) != len(values):
            names = [_name(name_text)] * len(values)
        qual = match.group("qual")
        predicate = sub.text[match.start():match.end()]
        wording = wording_in(predicate)
        for name, value, unit in zip(names, values, units, strict=True):
            unit = unit or last_unit  # "30%、28%" or "30、28%": the unit written once serves the list
            kind, bound, relative = _kind_and_bound(match.group("verb"), unit, qual)
            if not _is_name(name):
                continue
            if kind == "count" and name.endswith(PROJECT_NOUNS):
                continue
            found.append(Candidate(name, _number(value.group("num")), unit, bound, wording, kind, relative,
                                   int(match.group("year")) if match.group("year") else None, sub.year,
                                   sub.text[:match.end()].rstrip(), sub.clause, sub.departments, start=sub.start))
    return found


def _count_candidates(sub: SubClause) -> list[Candidate]:
    found = []
    for match in COUNT.finditer(sub.text):
        verb = match.group("verb")
        items = [(match.group("num"), match.group("unit"), match.end())]
        pos = match.end()
        while True:
            stop = re.search(rf"(?:、|和|及|以及)\s*{NUM}\s*(?:{_COUNT_UNIT})", sub.text[pos:])
            end = pos + stop.start() if stop else len(sub.text)
            items[-1] = (*items[-1][:2], end)
            if not stop:
                break
            item = COUNT_ITEM.match(sub.text, pos + stop.start())
            assert item is not None
            items.append((item.group("num"), item.group("unit"), item.end()))
            pos = item.end()
        starts = [match.end()] + [0] * (len(items) - 1)
        for n in range(1, len(items)):
            starts[n] = COUNT_ITEM.match(sub.text, items[n - 1][2]).end()  # type: ignore[union-attr]
        wording = wording_in(sub.text[match.start("verb") if not match.group("mods").strip() else match.start():match.end()])
        for (num, unit, end), name_start in zip(items, starts, strict=True):
            name = sub.text[name_start:end].strip()
            if not _is_name(name) or name.endswith(PROJECT_NOUNS):
                continue
            kind, bound = ("maintain", "maintain") if verb in MAINTAIN_VERBS else ("count", "at_least")
            found.append(Candidate(name, _number(num), nfkc(unit), bound, wording, kind, False, None, sub.year,
                                   sub.text[:end].rstrip(), sub.clause, sub.departments, start=sub.start))
    return found


def _pending_candidates(sub: SubClause) -> list[Candidate]:
    match = PENDING.search(sub.text)
    if match is None:
        return []
    name = _name(sub.text[:match.start()])
    if not _is_name(name):  # "全面完成国家下达的“十四五”主要污染物减排任务": the target is named after the verb
        name = _name(match.group("object").strip("“”\"的"))
        name = re.sub(r"^“?十四五”?", "", name)
    if not _is_name(name):
        return []
    bound = "at_most" if match.group("verb") == "控制在" or match.group("qual") else "at_least"
    # "二氧化碳排放完成省下达目标任务" is a reduction to reach; "能源消费总量控制在省下达的目标以内" a ceiling on a level.
    kind = "cumulative_reduction" if bound == "at_least" and any(w in name for w in INTENSITY_WORDS) else "level"
    return [Candidate(name, None, None, bound, wording_in(match.group(0)), kind, False, None, sub.year,
                      sub.text[:match.end()], sub.clause, sub.departments, start=sub.start)]


def _object_candidates(sub: SubClause) -> list[Candidate]:
    found = []
    for match in OBJECT.finditer(sub.text):
        name, unit = match.group("name"), nfkc(match.group("unit"))
        after = sub.text[match.end():match.end() + 1]
        if not _is_name(name) or name.endswith(PROJECT_NOUNS) or (after and after in NOT_A_VALUE_AFTER):
            continue
        kind = "count" if unit in COUNT_UNITS else "level"
        found.append(Candidate(name, _number(match.group("num")), unit, "at_least", wording_in(sub.text[match.start():match.end("verb")]),
                               kind, False, None, sub.year, sub.text[:match.end()], sub.clause, sub.departments, start=sub.start))
    return found


def _subject(name: str) -> str | None:
    """What a target measures, without the measure word: "国家高新技术企业数量" → "国家高新技术企业"."""
    subject = next((name[: -len(s)] for s in SUBJECT_SUFFIXES if name.endswith(s)), name)
    return subject if len(subject) >= MIN_SUBJECT_CHARS else None


def _related_departments(candidate: Candidate, subs: list[SubClause]) -> tuple[str, ...] | None:
    """The departments of another clause that names the same subject word for word (the catalogue's `responsibility`):
    the goals clause names no department, "（十八）…实施国家高新技术企业倍增行动计划…（市科技局…负责）" does."""
    subject = _subject(candidate.name_zh)
    if subject is None:
        return None
    return next((s.departments for s in subs if s.clause != candidate.clause and subject in s.text), None)


def extract_candidates(text: str, target_year: int = PLAN_TARGET_YEAR) -> list[Candidate]:
    """Every candidate target in a plan's text, in text order; targets set for another year are left out."""
    subs = sub_clauses(text)
    noted = [s for s in subs if s.departments]  # the sub-clauses a department note follows
    found: list[Candidate] = []
    for sub in subs:
        if len(sub.text) > MAX_SUBCLAUSE_CHARS:
            continue  # also keeps a crafted text (a million spaces) from making the patterns slow
        if sub.year not in (None, target_year):
            continue  # "到2035年，…": the long-term goals, not this plan's targets
        candidates = _count_candidates(sub) or _level_candidates(sub) or _pending_candidates(sub) or _object_candidates(sub)
        found.extend(c if c.departments is not None else replace(c, departments=_related_departments(c, noted)) for c in candidates)
    return found
