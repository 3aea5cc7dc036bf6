"""Every fix hint the hostile fixtures provoke has an English form (loaders/hint_texts.py), so an English page never
falls back to a Chinese hint."""

from __future__ import annotations

import re

import pytest

from loaders.errors import LoaderError
from loaders.hint_texts import english_hint
from loaders.importer import prepare_import
from tests.hostile_files import HOSTILE_FILES
from tests.hostile_imports import HOSTILE_IMPORTS, thousands_of_bad_rows, very_wide_sheet

COMMAND_ARGUMENT = re.compile(r"--\w+ \S+")
CHINESE_WORDS = re.compile(r"[\u4e00-\u9fff]{5,}")  # a Chinese phrase (a short unit or sheet name like 万吨 is data)


@pytest.fixture(autouse=True)
def own_recipes(tmp_path, monkeypatch):
    monkeypatch.setenv("GTM_RECIPES_DIR", str(tmp_path / "recipes"))


@pytest.mark.parametrize("make", [m for m in [*HOSTILE_FILES, *HOSTILE_IMPORTS] if m not in (very_wide_sheet, thousands_of_bad_rows)],
                         ids=lambda m: m.__name__)
def test_every_refusal_has_an_english_hint_when_it_has_a_chinese_one(make, tmp_path, catalogue, store):
    case = make(tmp_path)
    try:
        prepare_import(case.path, catalogue, store, use_recipes=False)
    except LoaderError as exc:
        for problem in exc.problems:
            if problem.hint_zh:
                assert problem.hint_english, problem.hint_zh
                words = COMMAND_ARGUMENT.sub("", problem.hint_english)  # '--indicator 二氧化碳排放量' is what to type
                assert not CHINESE_WORDS.search(words), problem.hint_english


def test_templated_hints_carry_their_values_over():
    assert english_hint("请填写单位（该指标的单位是“家”）。") == "Fill in the unit (this indicator's unit is '家')."
    assert english_hint("no such hint") == ""
