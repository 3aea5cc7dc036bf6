"""The region registry: codes, names, short names, parents and children from the shipped divisions file."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.regions import DIVISIONS_FILE, read_divisions, registry, short_name


def test_the_registry_covers_every_province_and_thousands_of_counties():
    reg = registry()
    levels = [d.level for d in (reg.by_code(c) for c in ("110000", "120000", "440000", "650000"))]
    assert levels == ["municipality", "municipality", "province", "province"]
    assert len(reg) > 3000
    assert "国家统计局" in reg.source and "2023" in reg.source  # the provenance travels with the data


def test_codes_of_tianjin_and_zhanjiang():
    reg = registry()
    assert reg.lookup("天津市").division.code == "120000"
    assert reg.lookup("湛江市").division.code == "440800"
    assert reg.by_code("440800").name == "湛江市"
    assert reg.by_code(440800.0).name == "湛江市"  # a code read from a spreadsheet cell
    assert reg.parent(reg.by_code("440800")).name == "广东省"


def test_a_short_name_finds_its_city():
    assert registry().lookup("湛江").division.code == "440800"
    assert registry().lookup("广西").division.code == "450000"
    assert registry().lookup("延边").division.name == "延边朝鲜族自治州"
    assert registry().lookup("西双版纳").division.name == "西双版纳傣族自治州"


def test_zhanjiangs_districts_and_counties_are_its_children():
    reg = registry()
    children = {d.code: d.name for d in reg.children(reg.by_code("440800"))}
    assert children == {"440802": "赤坎区", "440803": "霞山区", "440804": "坡头区", "440811": "麻章区", "440823": "遂溪县",
                        "440825": "徐闻县", "440881": "廉江市", "440882": "雷州市", "440883": "吴川市"}
    assert reg.full_name(reg.by_code("440802")) == "广东省湛江市赤坎区"


def test_tianjins_districts_hang_from_the_municipality():
    reg = registry()
    districts = reg.children(reg.by_code("120000"))
    assert len(districts) == 16
    assert {d.level for d in districts} == {"district"}
    assert reg.lookup("滨海新区").division.code == "120116"


def test_a_name_several_units_share_is_reported_as_ambiguous_with_every_candidate():
    found = registry().lookup("和平区")
    assert found.status == "ambiguous" and found.division is None
    assert {d.code for d in found.candidates} == {"120101", "210102"}  # 天津 and 沈阳
    assert registry().lookup("朝阳").status == "ambiguous"
    assert registry().lookup("鼓楼区").status == "ambiguous"


def test_a_province_or_city_prefix_settles_an_ambiguous_name():
    reg = registry()
    assert reg.lookup("天津和平").division.code == "120101"
    assert reg.lookup("天津市和平区").division.code == "120101"
    assert reg.lookup("辽宁省沈阳市和平区").division.code == "210102"
    assert reg.lookup("广东湛江").division.code == "440800"


def test_unknown_names_and_codes_are_unknown():
    reg = registry()
    assert reg.lookup("火星市").status == "unknown"
    assert reg.lookup("999999").status == "unknown"
    assert reg.lookup("").status == "unknown"
    assert reg.lookup(None).status == "unknown"


@pytest.mark.parametrize(("name", "short"), [("湛江市", "湛江"), ("滨海新区", "滨海"), ("城区", None), ("大兴安岭地区", "大兴安岭"),
                                            ("内蒙古自治区", "内蒙古"), ("湘西土家族苗族自治州", "湘西")])
def test_short_names(name, short):
    assert short_name(name) == short


def test_every_parent_in_the_file_exists_and_codes_are_unique(tmp_path: Path):
    reg = read_divisions(DIVISIONS_FILE)
    rows = [line for line in DIVISIONS_FILE.read_text(encoding="utf-8").splitlines()[2:] if line]
    codes = [line.split(",")[0] for line in rows]
    assert len(codes) == len(set(codes)) == len(reg)
    for code in codes:
        division = reg.by_code(code)
        assert division.parent_code is None or reg.by_code(division.parent_code) is not None, code
