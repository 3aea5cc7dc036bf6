"""A plan for a city the shipped catalogue does not know (珠海市), as the plans page would publish it: shared by the
published-plan tests (store, CLI, pages, browser)."""

from __future__ import annotations

import datetime as dt

from indicators.catalogue import Catalogue
from indicators.plans.extract import extract_candidates
from indicators.plans.matching import match_candidates
from indicators.plans.published import PlanDocument, region_from_division
from indicators.plans.review import PlanFields, ReviewedTarget, build_document
from indicators.regions import registry

PLAN_ID = "zhuhai_2022"
REGION_CODE = "440400"
REGION_ID = f"cn_{REGION_CODE}"
TITLE = "珠海市关于加快建立健全绿色低碳循环发展经济体系的实施方案"
TEXT = f"""{TITLE}

一、总体要求
（二）主要目标
到2025年，单位地区生产总值能耗下降14%，非化石能源装机比重达到50%以上，中心城区污水处理率达到98%以上，空气质量优良天数比例达到95%左右，生活垃圾无害化处理率保持100%。
到2035年，绿色发展内生动力显著增强。
"""
TARGETS = 5  # the targets the text sets for 2025, each matching a catalogue indicator


def reviewed(catalogue: Catalogue, text: str = TEXT) -> list[ReviewedTarget]:
    """The text's candidates as extracted and matched, each accepted as found."""
    return [ReviewedTarget.from_candidate(c) for c in match_candidates(catalogue, extract_candidates(text))]


def fields(plan_id: str = PLAN_ID, region: str | None = REGION_ID) -> PlanFields:
    return PlanFields(id=plan_id, title_zh=TITLE, title_en="Zhuhai green low-carbon circular economy plan",
                      issuer="珠海市人民政府", date_issued=dt.date(2022, 3, 1), status="正式", region=region,
                      base_year=2020, target_year=2025)


def document(catalogue: Catalogue, plan_id: str = PLAN_ID, text: str = TEXT) -> PlanDocument:
    """The plan with all its candidates accepted, for Zhuhai picked from the region registry."""
    division = registry().by_code(REGION_CODE)
    assert division is not None
    region = region_from_division(division, registry(), catalogue, "Zhuhai")
    return build_document(fields(plan_id), reviewed(catalogue, text), text, regions=[region])
