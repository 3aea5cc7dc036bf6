"""Plan text → candidate targets: the shipped plans' catalogue targets, and labelled texts in every form plans use.

Each labelled case is a short plan text and the targets a reviewer would accept from it (none for the
non-targets). A candidate counts as found when its value, unit, bound, kind, relative flag and base year equal
the label's and its name holds the label's name; recall and precision are printed and must stay at or above
RECALL_MIN and PRECISION_MIN. Every candidate's quote must be verbatim in its text and hold its wording terms,
checked with the catalogue's own validation.
"""

from __future__ import annotations

from typing import Any

import pytest

from indicators.catalogue import PERCENT_UNIT, Catalogue, is_verbatim, plain_text, wording_problems
from indicators.plans.extract import Candidate, extract_candidates
from indicators.plans.matching import match_candidates
from indicators.settings import PROJECT_ROOT

RECALL_MIN = 0.95
PRECISION_MIN = 0.90
SHARED_PLANS = PROJECT_ROOT.parent / "shared" / "plans"  # the plan texts the lead shares beside the repository

GOALS = "（二）主要目标。到2025年，"


def t(name: str, value: float | None, unit: str | None, bound: str = "at_least", kind: str = "level", relative: bool = False,
      base_year: int | None = None) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "bound": bound, "kind": kind, "relative": relative, "base_year": base_year}


# (label, text, the targets in it)
CASES: list[tuple[str, str, list[dict[str, Any]]]] = [
    # paired: one sentence, several values
    ("paired 提高至", GOALS + "城镇新建建筑中绿色建筑面积占比、装配式建筑面积占比分别提高至30%、28%。",
     [t("绿色建筑面积占比", 30, "%"), t("装配式建筑面积占比", 28, "%")]),
    ("paired 达到 with 和", GOALS + "城市生活污水集中收集率和县城污水处理率分别达到70%和95%。",
     [t("城市生活污水集中收集率", 70, "%"), t("县城污水处理率", 95, "%")]),
    ("paired cuts of totals", GOALS + "化学需氧量、氨氮排放总量分别削减8%、9%以上。",
     [t("化学需氧量", 8, "%", kind="cumulative_reduction"), t("氨氮排放总量", 9, "%", kind="cumulative_reduction")]),
    ("paired counts", "（六）培育壮大绿色环保产业。培育30家国家级绿色工厂、10个绿色工业园区。（市工业和信息化局负责）",
     [t("国家级绿色工厂", 30, "家", kind="count"), t("绿色工业园区", 10, "个", kind="count")]),
    # relative to the base
    ("relative 百分点 以上", GOALS + "森林覆盖率比2020年提高8个百分点以上。",
     [t("森林覆盖率", 8, "个百分点", kind="relative", relative=True, base_year=2020)]),
    ("relative 较", GOALS + "非化石能源消费比重较2020年提高5个百分点。",
     [t("非化石能源消费比重", 5, "个百分点", kind="relative", relative=True, base_year=2020)]),
    ("relative 增加 左右", GOALS + "全社会研发经费投入强度比2020年增加0.5个百分点左右。",
     [t("研发经费投入强度", 0.5, "个百分点", kind="relative", relative=True, base_year=2020)]),
    ("relative without year", GOALS + "城市建成区绿化覆盖率提高2个百分点。",
     [t("城市建成区绿化覆盖率", 2, "个百分点", kind="relative", relative=True)]),
    # 左右
    ("左右 level", GOALS + "非化石能源消费比重达到20%左右。", [t("非化石能源消费比重", 20, "%")]),
    ("左右 reduction", GOALS + "单位地区生产总值能耗降低13.5%左右。", [t("单位地区生产总值能耗", 13.5, "%", kind="cumulative_reduction")]),
    # 大于 and other comparisons
    ("大于", GOALS + "城市建成区绿地率大于70%。", [t("城市建成区绿地率", 70, "%")]),
    ("大于 share", GOALS + "新能源汽车新车销售量占比大于20%，", [t("新能源汽车新车销售量占比", 20, "%")]),
    ("超过", GOALS + "绿色建筑占城镇新建建筑比例超过70%。", [t("绿色建筑占城镇新建建筑比例", 70, "%")]),
    ("不低于", GOALS + "城市公共交通机动化出行分担率不低于60%。", [t("城市公共交通机动化出行分担率", 60, "%")]),
    ("不高于 concentration", GOALS + "细颗粒物(PM2.5)年均浓度不高于30微克/立方米。",
     [t("细颗粒物(PM2.5)年均浓度", 30, "微克/立方米", bound="at_most")]),
    ("下降到 以下", GOALS + "城市细颗粒物(PM2.5)平均浓度下降到33微克/立方米以下。",
     [t("平均浓度", 33, "微克/立方米", bound="at_most")]),
    ("控制在 以内", GOALS + "万元地区生产总值用水量控制在15立方米以内。", [t("万元地区生产总值用水量", 15, "立方米", bound="at_most")]),
    ("capacity", GOALS + "可再生能源电力装机容量达到500万千瓦。", [t("可再生能源电力装机容量", 500, "万千瓦")]),
    # maintain
    ("稳定保持在 以上", GOALS + "地表水国控断面水质优良比例稳定保持在90%以上。",
     [t("地表水国控断面水质优良比例", 90, "%", bound="maintain", kind="maintain")]),
    ("保持", GOALS + "城市生活垃圾无害化处理率保持100%。", [t("城市生活垃圾无害化处理率", 100, "%", bound="maintain", kind="maintain")]),
    ("巩固 count", "（十五）推进城镇环境基础设施建设升级。巩固 26 条建成区黑臭水体整治成效。",
     [t("黑臭水体整治成效", 26, "条", bound="maintain", kind="maintain")]),
    # set elsewhere
    ("set elsewhere 国家", GOALS + "单位地区生产总值二氧化碳排放完成国家下达的目标任务。",
     [t("单位地区生产总值二氧化碳排放", None, None, kind="cumulative_reduction")]),
    ("set elsewhere 省", GOALS + "主要污染物排放总量完成省下达的减排目标任务。", [t("主要污染物排放总量", None, None, kind="cumulative_reduction")]),
    # reductions: of a total and of an intensity
    ("cut of a total", GOALS + "化学需氧量排放总量削减6%以上。", [t("化学需氧量排放总量", 6, "%", kind="cumulative_reduction")]),
    ("减少 total", GOALS + "挥发性有机物排放总量减少10%。", [t("挥发性有机物排放总量", 10, "%", kind="cumulative_reduction")]),
    ("cumulative reduction", GOALS + "单位地区生产总值能源消耗降低 14.5%，", [t("单位地区生产总值能源消耗", 14.5, "%", kind="cumulative_reduction")]),
    ("reduction against the base", GOALS + "单位地区生产总值二氧化碳排放比2020年下降18%。",
     [t("单位地区生产总值二氧化碳排放", 18, "%", kind="cumulative_reduction", base_year=2020)]),
    # counts
    ("count 达到 家", GOALS + "国家高新技术企业数量达到 11600 家，", [t("国家高新技术企业数量", 11600, "家", kind="count")]),
    ("count 建成", "（十六）提升交通基础设施绿色发展水平。建成50座加氢站。", [t("加氢站", 50, "座", kind="count")]),
    ("count 培育 with 市级以上", "推动农村一二三产业深度融合发展,培育150家市级以上农业产业化龙头企业,创新发展都市型休闲农业。",
     [t("市级以上农业产业化龙头企业", 150, "家", kind="count")]),
    # a realistic goals clause: four targets among general aims, then the 2035 goals
    ("goals paragraph", "（二）主要目标。到 2025 年，产业结构明显优化，绿色产业比重显著提升，空气质量优良天数比例达到 68%，"
     "非化石能源消费比重力争达到 11.5% 以上，主要农作物秸秆综合利用率提高至98%以上，单位地区生产总值能耗强度下降14%。"
     "到 2035 年，绿色发展内生动力显著增强，非化石能源消费比重达到25%，重点行业能源资源利用效率达到国际先进水平。",
     [t("空气质量优良天数比例", 68, "%"), t("非化石能源消费比重", 11.5, "%"), t("主要农作物秸秆综合利用率", 98, "%"),
      t("单位地区生产总值能耗强度", 14, "%", kind="cumulative_reduction")]),
    # as other provinces' and cities' plans word them
    ("paired reductions against the base", GOALS + "全省单位地区生产总值能耗和二氧化碳排放分别比2020年下降14%和18%。",
     [t("单位地区生产总值能耗", 14, "%", kind="cumulative_reduction", base_year=2020),
      t("二氧化碳排放", 18, "%", kind="cumulative_reduction", base_year=2020)]),
    ("亿吨", GOALS + "主要再生资源回收利用量达到4.5亿吨，", [t("主要再生资源回收利用量", 4.5, "亿吨")]),
    ("稳定在", GOALS + "农作物秸秆综合利用率稳定在95%以上，", [t("农作物秸秆综合利用率", 95, "%", bound="maintain", kind="maintain")]),
    ("concentration cut", GOALS + "地级及以上城市细颗粒物（PM2.5）浓度下降10%，", [t("细颗粒物（PM2.5）浓度", 10, "%", kind="cumulative_reduction")]),
    ("verb inside the name", GOALS + "地表水达到或好于Ⅲ类水体比例达到85%，", [t("地表水达到或好于Ⅲ类水体比例", 85, "%")]),
    ("elided subject", GOALS + "城市污水处理率达到95%以上，县城达到90%以上。", [t("城市污水处理率", 95, "%"), t("县城", 90, "%")]),
    ("verb, object, amount", GOALS + "新增绿色建筑面积5000万平方米，累计建成充电桩2万个。",
     [t("绿色建筑面积", 5000, "万平方米"), t("充电桩", 2, "万个", kind="count")]),
    ("ceilings", GOALS + "煤炭消费量控制在4000万吨以内，能源消费总量控制在省下达的目标以内。",
     [t("煤炭消费量", 4000, "万吨", bound="at_most"), t("能源消费总量", None, None, bound="at_most")]),
    ("set elsewhere, named after the verb", GOALS + "全面完成国家下达的“十四五”主要污染物减排任务。",
     [t("主要污染物减排", None, None, kind="cumulative_reduction")]),
    ("investment and water use", GOALS + "绿色产业投资达到100亿元，万元GDP用水量下降16%。",
     [t("绿色产业投资", 100, "亿元"), t("万元GDP用水量", 16, "%", kind="cumulative_reduction")]),
    ("afforestation", GOALS + "完成造林绿化5万亩，", [t("造林绿化", 5, "万亩")]),
    # non-targets: numbers that no target verb carries, other years, works rather than outcomes
    ("non-target current state", "全市共有国家高新技术企业9000家。2021年全市单位GDP能耗下降3%。", []),
    ("non-target pilots and funds", "（五）加强组织。确定第一批10个试点城市，安排专项资金2亿元。", []),
    ("non-target 871", "（十七）改善城乡人居环境。加快推进“871”重大生态建设工程，构建“三区两带中屏障”的生态空间格局。", []),
    ("non-target period", "实施《天津市养殖水域滩涂规划（2019—2030年）》。（市农业农村委负责）", []),
    ("non-target standard", "推动实施《绿色建筑评价标准》(DB/T 29—204—2021)，形成统一的绿色标准体系。", []),
    ("non-target document number", "根据《国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见》(国发〔2021〕4号)，制定本方案。", []),
    ("non-target 2035", "到2035年，非化石能源消费比重达到25%，单位地区生产总值能耗降低30%。", []),
    ("non-target 2030", "到2030年，单位地区生产总值二氧化碳排放比2005年下降65%以上。", []),
    ("non-target past year", "2020年，全市空气质量优良天数比例达到65%，", []),
    ("non-target project counts", "（七）提升产业园区循环化水平。实施10项重大生态修复工程，谋划储备100个重大项目，建设20个重点项目。", []),
    ("non-target dates", "天津市人民政府\n2022年3月25日\n(此件主动公开)", []),
    ("non-target meetings", "每年召开2次推进会议，开展3轮专项督察，推动一二三产业融合。", []),
    ("non-target qualitative", "到2025年，能源资源利用效率大幅提高，碳排放强度明显降低，绿色技术创新体系更加完善。", []),
]


def _matches(candidate: Candidate, label: dict[str, Any]) -> bool:
    return (candidate.value == label["value"] and candidate.unit == label["unit"] and candidate.bound == label["bound"]
            and candidate.kind == label["kind"] and candidate.relative == label["relative"]
            and candidate.base_year == label["base_year"] and label["name"] in candidate.name_zh)


def _score(candidates: list[Candidate], labels: list[dict[str, Any]]) -> int:
    """How many labels a distinct candidate matches."""
    left = list(candidates)
    hits = 0
    for label in labels:
        hit = next((c for c in left if _matches(c, label)), None)
        if hit is not None:
            left.remove(hit)
            hits += 1
    return hits


def test_labelled_plan_texts_reach_the_recall_and_precision_bar():
    expected = predicted = correct = 0
    misses = []
    for label, text, targets in CASES:
        candidates = extract_candidates(text)
        hits = _score(candidates, targets)
        expected, predicted, correct = expected + len(targets), predicted + len(candidates), correct + hits
        if hits < len(targets) or len(candidates) > hits:
            misses.append((label, [(c.name_zh, c.value, c.unit, c.bound, c.kind, c.relative, c.base_year) for c in candidates]))
    recall, precision = correct / expected, correct / predicted
    print(f"\nplan extraction on {len(CASES)} labelled texts: {expected} targets, {predicted} candidates, {correct} correct; "
          f"recall {recall:.1%}, precision {precision:.1%}")
    for miss in misses:
        print("  not exact:", miss)
    assert len(CASES) >= 30 and expected >= 30
    assert recall >= RECALL_MIN and precision >= PRECISION_MIN, misses


@pytest.mark.parametrize(("label", "text", "targets"), CASES, ids=[c[0] for c in CASES])
def test_every_quote_is_verbatim_and_holds_its_wording(label, text, targets):
    plain = plain_text(text)
    for candidate in extract_candidates(text):
        assert is_verbatim(candidate.quote, plain), candidate.quote
        assert text[candidate.start:candidate.start + len(candidate.quote)] == candidate.quote  # an exact slice, for highlighting
        assert not wording_problems(candidate.quote, candidate.wording), candidate
        assert candidate.wording, candidate


def test_paired_values_each_get_the_whole_sentence_as_quote_and_their_own_name():
    first, second = extract_candidates(GOALS + "城镇新建建筑中绿色建筑面积占比、装配式建筑面积占比分别提高至30%、28%。")
    assert (first.name_zh, first.value, second.name_zh, second.value) == ("城镇新建建筑中绿色建筑面积占比", 30, "装配式建筑面积占比", 28)
    assert first.quote == second.quote == "城镇新建建筑中绿色建筑面积占比、装配式建筑面积占比分别提高至30%、28%"
    assert first.wording == ("提高至",) and first.target_year == 2025 and first.clause == "（二）主要目标"


def test_a_relative_target_keeps_its_base_year_and_wording():
    (candidate,) = extract_candidates(GOALS + "森林覆盖率比2020年提高8个百分点以上。")
    assert (candidate.relative, candidate.base_year, candidate.unit, candidate.wording) == (True, 2020, "个百分点", ("提高", "以上"))


def test_a_value_set_elsewhere_is_null_and_says_nothing_it_does_not_know():
    (candidate,) = extract_candidates(GOALS + "单位地区生产总值二氧化碳排放完成国家下达的目标任务。")
    assert candidate.value is None and candidate.unit is None and candidate.base_year is None and candidate.departments is None
    assert candidate.wording == ("完成",)


def test_a_chapter_heading_names_the_clause_when_the_goals_are_a_chapter():
    (candidate,) = extract_candidates("二、主要目标\n到2025年，空气质量优良天数比例达到85%。\n三、重点任务\n（一）推进工业绿色升级。")
    assert candidate.clause == "二、主要目标" and candidate.target_year == 2025


def test_departments_come_from_the_note_that_closes_the_sentence():
    text = ("（十五）推进城镇环境基础设施建设升级。巩固 26 条建成区黑臭水体整治工程治理成效。"
            "(市水务局、市生态环境局、市发展改革委等部门和各区人民政府按职责分工负责)")
    (candidate,) = extract_candidates(text)
    assert candidate.departments == ("市水务局", "市生态环境局", "市发展改革委", "各区人民政府")
    assert candidate.clause == "（十五）推进城镇环境基础设施建设升级"


def _catalogue_hits(catalogue: Catalogue, plan_id: str, text: str) -> list[str]:
    """The plan's catalogue targets that extraction from `text` finds exactly; prints what it misses."""
    plan = catalogue.plans[plan_id]
    candidates = match_candidates(catalogue, extract_candidates(text))
    found = []
    for target in plan.targets:
        unit = catalogue.indicators[target.indicator].unit
        hit = next((c for c in candidates if c.indicator == target.indicator and c.quote == target.quote), None)
        if hit and hit.value == target.value and hit.bound == target.bound and hit.wording == tuple(target.wording) \
                and (target.value is None or hit.unit == unit or (hit.unit == "%" and unit == PERCENT_UNIT)):
            found.append(target.indicator)
        else:
            print(f"  {plan_id}: missed {target.indicator}: {target.quote} → {hit}")
    print(f"{plan_id}: catalogue recall {len(found)}/{len(plan.targets)}; {len(candidates)} candidates")
    return found


@pytest.mark.parametrize("plan_id", ["tianjin_2022", "zhanjiang_2023_draft"])
def test_extraction_finds_every_catalogue_target_of_the_shipped_plans(catalogue, plan_id):
    plan = catalogue.plans[plan_id]
    text = (catalogue.data_dir / "plans" / plan.source_text).read_text(encoding="utf-8")
    assert _catalogue_hits(catalogue, plan_id, text) == [t.indicator for t in plan.targets]
    assert len(extract_candidates(text)) == len(plan.targets)  # and nothing else: no false candidates in either plan


@pytest.mark.skipif(not SHARED_PLANS.is_dir(), reason="shared/plans is not beside this checkout")
def test_extraction_finds_every_catalogue_target_in_the_shared_plan_files(catalogue):
    files = sorted(SHARED_PLANS.glob("*.txt"))
    covered = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        plain = plain_text(text)
        plan_id = next((p.id for p in catalogue.plans.values() if all(is_verbatim(t.quote, plain) for t in p.targets)), None)
        if plan_id is None:
            continue  # a plan the catalogue does not hold yet: nothing to compare with
        assert _catalogue_hits(catalogue, plan_id, text) == [t.indicator for t in catalogue.plans[plan_id].targets], path.name
        covered.add(plan_id)
    assert covered == {"tianjin_2022", "zhanjiang_2023_draft"}


def test_candidates_match_catalogue_indicators_or_offer_suggestions(catalogue):
    candidates = match_candidates(catalogue, extract_candidates(GOALS + "非化石能源消费比重达到20%左右，城市建成区绿地率大于70%。"))
    assert [c.indicator for c in candidates] == ["non_fossil_energy_consumption_share", None]
    assert candidates[0].suggestions == () and isinstance(candidates[1].suggestions, tuple)
    (total,) = match_candidates(catalogue, extract_candidates(GOALS + "化学需氧量排放总量削减6%以上。"))
    assert total.indicator is None  # a cut of a total is not the intensity reduction


def test_the_json_fields_are_exactly_the_reviewed_ones():
    (candidate,) = extract_candidates(GOALS + "空气质量优良天数比例达到 68%，")
    assert list(candidate.to_json()) == ["name_zh", "value", "unit", "bound", "wording", "kind", "relative", "base_year", "target_year",
                                         "quote", "clause", "departments", "indicator", "suggestions"]
    assert candidate.to_json()["value"] == 68 and isinstance(candidate.to_json()["value"], int)


@pytest.mark.parametrize("plan_id", ["tianjin_2022", "zhanjiang_2023_draft"])
def test_departments_given_are_the_catalogues_and_none_are_invented(catalogue, plan_id):
    plan = catalogue.plans[plan_id]
    text = (catalogue.data_dir / "plans" / plan.source_text).read_text(encoding="utf-8")
    candidates = {c.quote: c for c in match_candidates(catalogue, extract_candidates(text))}
    given = 0
    for target in plan.targets:
        departments = candidates[target.quote].departments
        if departments is not None:
            assert list(departments) == target.all_departments, target.indicator
            given += 1
    print(f"{plan_id}: departments given for {given} of {len(plan.targets)} targets, all as the catalogue has them")


def test_a_goal_whose_subject_another_clause_names_gets_that_clauses_departments(catalogue):
    plan = catalogue.plans["tianjin_2022"]
    text = (catalogue.data_dir / "plans" / plan.source_text).read_text(encoding="utf-8")
    (high_tech,) = [c for c in extract_candidates(text) if c.name_zh == "国家高新技术企业数量"]
    assert high_tech.clause == "（二）主要目标"
    assert list(high_tech.departments or ()) == ["市科技局", "各区人民政府"]  # from （十八）, as the catalogue's responsibility



def test_a_crafted_text_of_the_largest_accepted_size_is_read_in_seconds_not_hours():
    import time

    from indicators.plans.reading import MAX_TEXT_CHARS

    quarter = MAX_TEXT_CHARS // 4
    crafted = ("比重" + " " * quarter + "达到 " + "1" * quarter + "，" + "（" + "、" * quarter + "，" + "力争" * (quarter // 2))[:MAX_TEXT_CHARS]
    started = time.perf_counter()
    assert extract_candidates(crafted) == []
    assert time.perf_counter() - started < 60  # about 2 s here; patterns that backtracked took minutes on 500 spaces
