"""Import recipes: the overrides one publisher's format needs, saved once, applied to next year's file.

A recipe is a small YAML file in `data/recipes/` (in the project, so colleagues share it through git; set
$GTM_RECIPES_DIR to keep them elsewhere) holding the overrides as typed (sheet, layout, indicator,
region, unit, year) and the *fingerprint* of the file it was made for. It is applied

- by name: `python -m loaders import FILE --recipe NAME`, or
- automatically when a file's fingerprint equals the recipe's (the preview says which recipe was used;
  `--no-recipe` turns that off). Options given on the command line win over the recipe's.

The fingerprint hashes the sheet names and each sheet's header text — the title block and header rows
down to the first row holding numbers — with every digit replaced by '#'. Next year's edition of the same
table (another year in the title, one more year column, new data rows) keeps its fingerprint; a table
from another publisher or with other columns does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from indicators import settings
from loaders.errors import LoaderError, Problem
from loaders.layouts.structure import blank, is_number
from loaders.normalise import normalise_text
from loaders.overrides import OverrideText
from loaders.read import Workbook

NAME_PATTERN = r"^[\w\u4e00-\u9fff-]{1,64}$"  # a file name: letters, digits, Chinese, '_' and '-'; no paths
FINGERPRINT_ROWS = 30  # header text is taken from at most this many rows of each sheet
FINGERPRINT_CHARS = 16  # hex digits kept from the sha256
_DIGITS = re.compile(r"\d+")


class RecipeOverrides(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sheet: str | None = None
    layout: str | None = None
    indicators: list[str] = []
    region: str | None = None
    unit: str | None = None
    year: int | None = None


class Recipe(BaseModel):
    """One saved recipe (the YAML file mirrors this model; unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME_PATTERN)
    fingerprint: str
    example_file: str = ""
    created_by: str = ""
    created_at: str = ""
    note: str = ""
    overrides: RecipeOverrides

    def override_text(self) -> OverrideText:
        o = self.overrides
        return OverrideText(sheet=o.sheet, layout=o.layout, indicators=list(o.indicators), region=o.region, unit=o.unit, year=o.year)


def recipes_dir() -> Path:
    return settings.recipes_dir()


def fingerprint(workbook: Workbook) -> str:
    """A short hash of the workbook's sheet names and header texts, digits masked."""
    tokens: set[str] = set()
    for sheet in workbook.sheets:
        name = _mask(sheet.name)
        tokens.add(f"sheet:{name}")
        for row in sheet.rows[:FINGERPRINT_ROWS]:
            if any(is_number(v) and not _is_year_number(v) for v in row):
                break
            tokens.update(f"{name}:{_mask(v)}" for v in row if not blank(v))
    payload = json.dumps(sorted(tokens), ensure_ascii=False).encode()
    return hashlib.sha256(payload).hexdigest()[:FINGERPRINT_CHARS]


def _is_year_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() and 1900 <= value <= 2100


def _mask(value: object) -> str:
    return _DIGITS.sub("#", normalise_text(value).lower())


def _bad_name(name: str) -> LoaderError:
    return LoaderError.about_file(name[:64], "配方名称只能包含字母、数字、汉字、下划线和连字符（最多64个字符）。",
                                  "A recipe name may hold letters, digits, Chinese characters, '_' and '-' (64 at most).",
                                  "例如 --save-recipe ceads_city_matrix。")


def _path(name: str, directory: Path) -> Path:
    if not re.fullmatch(NAME_PATTERN, name):
        raise _bad_name(name)
    return directory / f"{name}.yaml"


def save_recipe(name: str, text: OverrideText, file_fingerprint: str, example_file: str, *, by: str, directory: Path | None = None) -> Path:
    """Write (or replace) the recipe NAME for files with this fingerprint; returns its path."""
    directory = directory or recipes_dir()
    path = _path(name, directory)
    recipe = Recipe(name=name, fingerprint=file_fingerprint, example_file=example_file, created_by=by,
                    created_at=dt.datetime.now().replace(microsecond=0).isoformat(), overrides=RecipeOverrides.model_validate(text.as_dict()))
    directory.mkdir(parents=True, exist_ok=True)
    header = (f"# 导入配方 / import recipe — python -m loaders import FILE --recipe {name}\n"
              "# 表头指纹相同的文件会自动使用本配方 / applied automatically to files with the same fingerprint\n")
    data = recipe.model_dump()
    data["overrides"] = text.as_dict()  # only what was given, so the file reads as the command line did
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    return path


def load_recipe(name: str, directory: Path | None = None) -> Recipe:
    """The recipe called NAME; a LoaderError naming the recipes there are if it is missing or invalid."""
    directory = directory or recipes_dir()
    path = _path(name, directory)
    if not path.is_file():
        known = "、".join(sorted(p.stem for p in directory.glob("*.yaml"))) or "无"
        raise LoaderError.about_file(path.name, f"没有名为“{name}”的导入配方（现有：{known}）。", f"No recipe named '{name}'.",
                                     "请用 --save-recipe 先保存配方。")
    return _read(path)


def _read(path: Path) -> Recipe:
    try:
        return Recipe.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise LoaderError(Problem(path.name, None, None, "导入配方文件有误，无法使用。", f"The recipe file is invalid: {str(exc)[:200]}",
                                  "请删除后用 --save-recipe 重新保存。")) from None


def list_recipes(directory: Path | None = None) -> list[str]:
    """The names of the valid recipes saved there, sorted."""
    directory = directory or recipes_dir()
    if not directory.is_dir():
        return []
    names = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            names.append(_read(path).name)
        except LoaderError:  # a broken file is not offered; applying it by name says why
            continue
    return names


def find_recipe(workbook: Workbook, directory: Path | None = None) -> Recipe | None:
    """The saved recipe whose fingerprint equals this workbook's (invalid recipe files are ignored here)."""
    directory = directory or recipes_dir()
    if not directory.is_dir():
        return None
    wanted = fingerprint(workbook)
    for path in sorted(directory.glob("*.yaml")):
        try:
            recipe = _read(path)
        except LoaderError:
            continue
        if recipe.fingerprint == wanted:
            return recipe
    return None
