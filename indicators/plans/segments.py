"""A plan's text cut into what extraction reads: clauses, their short sub-clauses, the departments each names.

A clause is a numbered item, "（二）主要目标。" up to the next one. A sub-clause is the text between two of
，,；;。 or a line break (a quote is "the shortest clause carrying the target", as the catalogue's quotes are).
A department note "（市农业农村委、有农业的区人民政府按职责分工负责）" ends a sub-clause and names the
departments of the text before it. Offsets are into the original text, so every quote is a verbatim slice.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass

# "（二）主要目标。", "(七) 提升产业园区（集群）循环化水平。": a numbered title (which may hold one short bracket) at a line start.
HEADING = re.compile(r"(?m)^[ \t#]*[（(]\s*([一二三四五六七八九十]{1,4})\s*[)）]\s*"
                     r"([^。\n（(]{1,40}(?:[（(][^）)\n]{1,10}[)）][^。\n]{0,20})?)\s*(?:[。.]|$)")
# "二、主要目标" on a line of its own: plans whose goals are a chapter rather than a numbered item.
CHAPTER = re.compile(r"(?m)^[ \t#]*([一二三四五六七八九十]{1,3})、\s*([^\n。，,；;]{1,30}?)[ \t]*$")
BRACKETED = re.compile(r"[（(]([^（）()]{1,400})[)）]")  # greedy to its own closing bracket: linear, however crafted the text
NOTE_END = re.compile(r"(?:按职责分工|分工)?负责\s*$")
SEPARATOR = re.compile(r"[，；;。\n]|,(?![0-9])|(?<![0-9]),")  # "1,234" keeps its comma
YEAR_CONTEXT = re.compile(r"(?:到|至|截至|截止)\s*(\d{4})\s*年|^\s*(\d{4})\s*年|“?十四五”?(?:期间|时期|末)")
FIVE_YEAR_PLAN_END = 2025  # "十四五" is 2021-2025: the text names its end year by naming the plan period
DEPARTMENT_JOINERS = re.compile(r"等部门和|等部门及|等单位和|以及|、")


@dataclass(frozen=True)
class SubClause:
    start: int
    end: int
    text: str
    clause: str | None
    year: int | None  # the target year the text has set by here ("到2025年"), None where it has set none
    departments: tuple[str, ...] | None  # from the first department note after it in its clause


@dataclass(frozen=True)
class _Clause:
    label: str | None
    start: int
    end: int


def clause_label(number: str, title: str) -> str:
    """"(七) 提升产业园区（集群）循环化水平" → "（七）提升产业园区（集群）循环化水平" (the catalogue's form)."""
    return "（" + number + "）" + re.sub(r"\s+", "", title)


def departments_in(note: str) -> tuple[str, ...]:
    """The departments a note lists, as the plan spells them ("市发展改革委等部门和各区人民政府" → two)."""
    parts = (re.sub(r"\s+", "", p) for p in DEPARTMENT_JOINERS.split(note))
    names = (re.sub(r"(?:等部门|等单位|等)$", "", p) for p in parts)
    return tuple(n for n in names if n)


def _clauses(text: str) -> list[_Clause]:
    heads = sorted([*HEADING.finditer(text), *CHAPTER.finditer(text)], key=lambda m: m.start())
    clauses = [_Clause(None, 0, heads[0].start() if heads else len(text))]
    for n, head in enumerate(heads):
        end = heads[n + 1].start() if n + 1 < len(heads) else len(text)
        label = clause_label(head.group(1), head.group(2).strip()) if head.re is HEADING else head.group(1) + "、" + head.group(2).strip()
        clauses.append(_Clause(label, head.start(), end))
    return clauses


def _year(text: str, current: int | None) -> int | None:
    for match in YEAR_CONTEXT.finditer(text):
        year = match.group(1) or match.group(2)
        current = int(year) if year else FIVE_YEAR_PLAN_END
    return current


def sub_clauses(text: str) -> list[SubClause]:
    """Every sub-clause of the text, in order, with its clause, target year and departments."""
    found: list[SubClause] = []
    for clause in _clauses(text):
        body = text[clause.start:clause.end]
        notes = [(m.start() + clause.start, m.end() + clause.start, departments_in(NOTE_END.sub("", m.group(1))))
                 for m in BRACKETED.finditer(body) if NOTE_END.search(m.group(1))]
        starts, ends = [n[0] for n in notes], [n[1] for n in notes]
        cuts = [clause.start, *starts, *ends, *(m.start() + clause.start for m in SEPARATOR.finditer(body)), clause.end]
        cuts = sorted(set(cuts))
        year: int | None = None
        for a, b in itertools.pairwise(cuts):
            inside = bisect.bisect_right(starts, a) - 1
            if inside >= 0 and a < ends[inside]:
                continue  # inside a department note
            piece = text[a:b]
            lead = len(piece) - len(piece.lstrip(" \t\u3000,，;；。\n"))
            trail = len(piece.rstrip(" \t\u3000\n"))
            if trail <= lead:
                continue
            year = _year(piece[lead:trail], year)  # trimmed: "。2021年，…" is a sentence about 2021
            following = bisect.bisect_left(starts, b)
            departments = notes[following][2] if following < len(notes) else None
            found.append(SubClause(a + lead, a + trail, piece[lead:trail], clause.label, year, departments))
    return found


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
