"""python -m indicators plan extract FILE [--json]: a plan file's candidate targets, as JSON or a Chinese table."""

from __future__ import annotations

from pathlib import Path

from indicators.catalogue import load_catalogue
from indicators.cli import EXIT_OK, print_json
from indicators.inert_text import for_terminal
from indicators.plans.candidates import read_path
from indicators.plans.extract import Candidate

BOUND_ZH = {"at_least": "不低于", "at_most": "不高于", "exactly": "等于", "maintain": "保持"}
KIND_ZH = {"level": "水平", "cumulative_reduction": "累计降低", "count": "数量", "maintain": "保持", "qualitative": "定性",
           "relative": "较基期变化"}


def plan_candidates(path: Path) -> list[Candidate]:
    """The candidates of a plan file, matched to the catalogue (what the plans page shows for an upload)."""
    return read_path(path, load_catalogue())[1]


def _row(n: int, c: Candidate) -> str:
    value = "由上级下达（待录入）" if c.value is None else f"{c.value:g}{c.unit or ''}"
    change = f"，较{c.base_year}年" if c.base_year else ""
    indicator = c.indicator or ("未匹配，是否为：" + "、".join(c.suggestions) if c.suggestions else "未匹配目录指标")
    return (f"{n:>3}. {c.clause or '（无条款）'}  {c.name_zh}：{value}（{BOUND_ZH[c.bound]}，{KIND_ZH[c.kind]}{change}，"
            f"措辞 {'/'.join(c.wording) or '—'}，{c.target_year or '年份未写明'}）→ {indicator}\n"
            f"     原文：{c.quote}\n     责任部门：{'、'.join(c.departments) if c.departments else '本条款未写明'}")


def extract_command(path: Path, *, as_json: bool) -> int:
    candidates = plan_candidates(path)
    if as_json:
        print_json([c.to_json() for c in candidates])
        return EXIT_OK
    print(for_terminal(f"{path.name}：{len(candidates)} 个候选目标 / candidate targets"))
    for n, candidate in enumerate(candidates, 1):
        for line in _row(n, candidate).splitlines():
            print(for_terminal(line))
    return EXIT_OK
