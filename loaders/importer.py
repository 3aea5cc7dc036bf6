"""Import a spreadsheet: read → recipe and overrides → layout → validate → preview (diff) → publish one batch.

Nothing is written until `publish`, and `publish` writes through the store's single write path, so a
refused import changes nothing. Every problem of the chosen sheet(s) is collected before refusing.

Which sheet: the one named by --sheet, else every visible sheet is tried (NOTE/说明 sheets only lend
their unit and type). When several sheets hold the same layout and each sheet's name supplies the missing
dimension ("2021", "2022" … or "天津", "湛江"), they are imported together; otherwise the first usable
sheet is imported and the others are named in a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from indicators.catalogue import Catalogue
from indicators.status import target_series
from indicators.store import BatchInfo, BatchResult, Comparison, Store
from indicators.vocabulary import OBSERVATION_COLUMNS
from loaders.errors import LoaderError, Problem
from loaders.file_context import FileContext, file_context
from loaders.layouts import is_metadata_sheet, read_table, workbook_hints
from loaders.layouts.rawtable import DIMENSION_FLAG, DIMENSION_ZH, LAYOUTS, SOURCE_ZH, RawTable, Skip, display, third_dimension
from loaders.layouts.records import sheet_dimensions
from loaders.matching import Matcher
from loaders.option_wording import for_page
from loaders.overrides import Overrides, OverrideText, resolve
from loaders.read import DEFAULT_LIMITS, ReadLimits, Workbook, gc_paused, read_workbook
from loaders.recipes import Recipe, find_recipe, fingerprint, load_recipe
from loaders.validate import Validated, validate

MAX_SHEET_LABEL_CHARS = 200  # the batch's sheet field lists combined sheets up to this length
INFERRED_SOURCES = ("sheet", "title", "metadata")  # context taken from these is reported as a guess
OPTION_ORIGINS = {"command_line": "命令行选项", "page": "页面选项"}  # where a caller's import options were given


@dataclass(frozen=True)
class UnusedSeries:
    """A series in the file that no target of any plan reads: imported all the same (history being built)."""

    region_id: str
    indicator_id: str
    rows: int


@dataclass
class ImportPreview:
    """What an import would do, shown to the analyst before anything is written."""

    file_name: str
    sha256: str
    sheet: str
    layout: str
    rows: pd.DataFrame
    diff: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    description_zh: str = ""
    description_en: str = ""
    skipped: list[Skip] = field(default_factory=list)
    missing: int = 0  # value cells blank or marked missing, left out
    recipe: str | None = None  # the recipe applied, if any
    overrides: OverrideText = field(default_factory=OverrideText)  # as typed (command line over recipe), for --save-recipe
    fingerprint: str = ""
    data_version: str | None = None  # the database state the diff was made against (see Store.compare)
    unused: list[UnusedSeries] = field(default_factory=list)  # series no plan's target reads (still imported)
    context: FileContext = field(default_factory=FileContext)  # the file's sheets and labels (page only)

    def counts(self) -> dict[str, int]:
        counts = self.diff["change"].value_counts()
        return {k: int(counts.get(k, 0)) for k in ("new", "changed", "unchanged")}


def prepare_import(
    path: Path, catalogue: Catalogue, store: Store, *, display_name: str | None = None, sheet: str | None = None,
    overrides: OverrideText | None = None, recipe: str | None = None, use_recipes: bool = True, recipes_dir: Path | None = None,
    limits: ReadLimits | None = None, options_from: str = "command_line",
) -> ImportPreview:
    """Read and validate a file and compare it with the database; raises LoaderError with every problem.

    overrides: what the analyst typed (--sheet, --layout, --indicator, --region, --unit, --year); recipe: a saved
    recipe by name, else one matching the file's fingerprint is applied unless use_recipes is False. options_from:
    where `overrides` and `sheet` were given, "command_line" or "page" (the preview names it, or the recipe).
    """
    if options_from not in OPTION_ORIGINS:
        raise ValueError(f"unknown origin of options {options_from}")
    try:
        with gc_paused():  # a big sheet is millions of objects; collections would re-walk them at every step
            preview = _prepare(path, catalogue, store, display_name=display_name, sheet=sheet, overrides=overrides,
                               recipe=recipe, use_recipes=use_recipes, recipes_dir=recipes_dir, limits=limits,
                               options_from=options_from)
    except LoaderError as exc:
        if options_from != "page":
            raise
        context = exc.context if isinstance(exc, ImportRefused) else FileContext()
        raise ImportRefused([for_page(p) for p in exc.problems], context) from None
    if options_from == "page":
        preview.warnings = [for_page(w) for w in preview.warnings]
    return preview


class ImportRefused(LoaderError):
    """A refusal worded for the data page, with the file's sheets and labels for the page's choices."""

    def __init__(self, problems: list[Problem], context: FileContext) -> None:
        super().__init__(problems)
        self.context = context


def _prepare(
    path: Path, catalogue: Catalogue, store: Store, *, display_name: str | None, sheet: str | None, overrides: OverrideText | None,
    recipe: str | None, use_recipes: bool, recipes_dir: Path | None, limits: ReadLimits | None, options_from: str,
) -> ImportPreview:
    workbook = read_workbook(path, display_name=display_name, limits=limits or DEFAULT_LIMITS)
    context = file_context(workbook) if options_from == "page" else FileContext()
    try:
        return _prepare_read(workbook, catalogue, store, sheet=sheet, overrides=overrides, recipe=recipe,
                             use_recipes=use_recipes, recipes_dir=recipes_dir, options_from=options_from, context=context)
    except ImportRefused:
        raise
    except LoaderError as exc:  # the file was read: the page can offer its sheets and labels
        raise ImportRefused(list(exc.problems), context) from None


def _prepare_read(
    workbook: Workbook, catalogue: Catalogue, store: Store, *, sheet: str | None, overrides: OverrideText | None,
    recipe: str | None, use_recipes: bool, recipes_dir: Path | None, options_from: str, context: FileContext,
) -> ImportPreview:
    typed = overrides or OverrideText()
    if sheet:
        typed = OverrideText(sheet=sheet).merged_over(typed)
    given = typed  # the caller's own options, before a recipe fills in the rest
    applied: Recipe | None = None
    if recipe:
        applied = load_recipe(recipe, recipes_dir)
    elif use_recipes:
        applied = find_recipe(workbook, recipes_dir)
    if applied is not None:
        typed = typed.merged_over(applied.override_text())
    resolved, problems = resolve(typed, catalogue, workbook.file_name, LAYOUTS)
    if problems:
        raise LoaderError(problems)
    matcher = Matcher(catalogue)
    tables = _chosen_tables(workbook, matcher, resolved)
    _name_origins(tables, given, options_from)
    checked = [(table, validate(table, matcher, resolved, workbook.file_name)) for table in tables]
    rows, problems, warnings, skipped, missing = _combine(workbook, checked)
    if applied is not None:
        warnings.insert(0, Problem(workbook.file_name, None, None, f"已使用导入配方“{applied.name}”。", f"Recipe '{applied.name}' applied.",
                                   f"{OPTION_ORIGINS[options_from]}优先于配方。"))
    if problems:
        raise LoaderError(sorted(problems, key=_position))
    if rows.empty:
        raise LoaderError(_nothing_to_import(workbook, tables, skipped, missing))
    zh, en = _describe(tables)
    comparison = store.compare(rows[OBSERVATION_COLUMNS])
    return ImportPreview(
        file_name=workbook.file_name, sha256=workbook.sha256, sheet=_sheet_label(tables), layout=tables[0].layout or "",
        rows=comparison.marked[OBSERVATION_COLUMNS], diff=comparison.marked, data_version=comparison.version,
        warnings=warnings, description_zh=zh, description_en=en,
        skipped=skipped, missing=missing, recipe=applied.name if applied else None, overrides=typed, fingerprint=fingerprint(workbook),
        unused=unused_series(rows, catalogue), context=context,
    )


def unused_series(rows: pd.DataFrame, catalogue: Catalogue) -> list[UnusedSeries]:
    """The rows' series that no target uses, each with its number of rows, in the order of the file."""
    counts = rows.groupby(["region_id", "indicator_id"], sort=False).size()
    used = target_series(catalogue)
    return [UnusedSeries(str(region), str(indicator), int(n)) for (region, indicator), n in counts.items()
            if (region, indicator) not in used]


def _name_origins(tables: list[RawTable], given: OverrideText, options_from: str) -> None:
    """Say where each table-wide value given as an option came from: the caller's options or the recipe."""
    fields = {"region": given.region, "indicator": given.indicators, "year": given.year, "unit": given.unit}
    for table in tables:
        for dim, hint in table.context.items():
            if hint.source == "override" and dim in fields:
                table.context[dim] = replace(hint, source=options_from if fields[dim] not in (None, "", []) else "recipe")


def publish(preview: ImportPreview, store: Store, user: str, *, note: str | None = None, kind: str = "import") -> BatchResult:
    """Write the previewed rows as one batch with their provenance (file, sha256, sheet, who, when)."""
    info = BatchInfo(file_name=preview.file_name, sha256=preview.sha256, imported_by=user, sheet=preview.sheet,
                     note=note, kind=kind)
    return store.write_batch(info, preview.rows, compared=Comparison(preview.diff, preview.data_version))


# ---------------------------------------------------------------------------------------------------------------
# Choosing sheets
# ---------------------------------------------------------------------------------------------------------------


def _chosen_tables(workbook: Workbook, matcher: Matcher, overrides: Overrides) -> list[RawTable]:
    hints = workbook_hints(workbook, matcher)
    if overrides.sheet is not None:
        sheet = workbook.sheet(overrides.sheet)
        if sheet.is_empty():
            raise LoaderError.about_file(workbook.file_name, "所选工作表是空的，没有任何数据。", "The chosen sheet is empty.",
                                         "请选择含有数据的工作表。", sheet=sheet.name)
        table = read_table(workbook, sheet, matcher, overrides, hints)
        if table.layout is None or not table.usable:
            raise LoaderError(table.problems or [_no_layout(workbook, sheet.name)])
        return [table]
    candidates = [s for s in workbook.sheets if not is_metadata_sheet(s) and not s.is_empty()]
    visible = [read_table(workbook, s, matcher, overrides, hints) for s in candidates if s.visible]
    usable = [t for t in visible if t.usable]
    if not usable:
        hidden = [read_table(workbook, s, matcher, overrides, hints) for s in candidates if not s.visible]
        hidden_usable = [t.sheet for t in hidden if t.usable]
        if hidden_usable:
            names = "、".join(hidden_usable)
            raise LoaderError.about_file(
                workbook.file_name, f"可见的工作表中没有可导入的数据；数据在隐藏的工作表“{names}”中。",
                f"No visible sheet holds importable data; the data is on hidden sheet(s) {names}.",
                f"隐藏的工作表不会自动导入。如确需导入，请用 --sheet {hidden_usable[0]} 指定。")
        raise LoaderError(_sheet_problems(workbook, visible) or [_no_layout(workbook, None)])
    per_sheet = _per_sheet_group(usable)
    if per_sheet:
        _name_left_out(workbook, per_sheet, visible)
        return per_sheet
    chosen = usable[0]
    _name_left_out(workbook, [chosen], visible)
    others = [t.sheet for t in usable[1:]]
    if others:
        chosen.warnings.append(Problem(workbook.file_name, chosen.sheet, None,
                                       f"已导入工作表“{chosen.sheet}”；工作簿中另有可导入的工作表：{'、'.join(others)}。",
                                       f"Imported sheet '{chosen.sheet}'; other importable sheets: {', '.join(others)}.",
                                       "如需导入其他工作表，请用 --sheet 指定。"))
    return [chosen]


def _sheet_dimensions(table: RawTable) -> tuple[str, ...]:
    """What a table leaves to its sheet: a grid's dimension on neither axis, a record table's missing region or year."""
    if table.layout == "records":
        return sheet_dimensions(table.field_cols)
    third = third_dimension(table.layout)
    return (third,) if third else ()


def _per_sheet_group(usable: list[RawTable]) -> list[RawTable] | None:
    """Sheets of one layout that each take the missing dimension(s) from their own name, or None."""
    if len(usable) < 2 or len({t.layout for t in usable}) != 1:
        return None
    dims = _sheet_dimensions(usable[0])
    if not dims or any(_sheet_dimensions(t) != dims for t in usable):
        return None
    hints = [[t.context.get(dim) for dim in dims] for t in usable]
    if any(h is None or h.source != "sheet" for table_hints in hints for h in table_hints):
        return None
    if len({tuple(h.value for h in table_hints if h is not None) for table_hints in hints}) != len(usable):
        return None
    return usable


def _name_left_out(workbook: Workbook, chosen: list[RawTable], tables: list[RawTable]) -> None:
    """A warning naming each sheet of the chosen layout that was refused (a "数据" sheet beside "2021", "2022"), with why."""
    layout = chosen[0].layout
    for table in tables:
        if table.usable or table.layout != layout or not table.problems:
            continue
        reason = table.problems[0]
        chosen[0].warnings.append(Problem(
            workbook.file_name, table.sheet, reason.cell, f"工作表“{display(table.sheet)}”未导入：{reason.message_zh}",
            f"Sheet '{display(table.sheet)}' was not imported: {reason.message_en}", reason.hint_zh, reason.hint_en))


def _no_layout(workbook: Workbook, sheet: str | None) -> Problem:
    return Problem(workbook.file_name, sheet, None, "工作簿中没有可识别的数据表。", "No sheet holds a table this importer recognises.",
                   "请使用模板（python -m loaders template），或用 --sheet、--layout 指定。")


def _sheet_problems(workbook: Workbook, tables: list[RawTable]) -> list[Problem]:
    """Every sheet's reasons; sheets refused for the same reason are named together."""
    grouped: dict[tuple[str, str, str, str, str | None], list[str]] = {}
    for table in sorted(tables, key=lambda t: t.layout is None):  # recognised tables first: their reasons are closer
        for p in table.problems:
            grouped.setdefault((p.message_zh, p.message_en, p.hint_zh, p.hint_en, p.cell), []).append(p.sheet or table.sheet)
    problems = []
    for (zh, en, hint, hint_en, cell), sheets in grouped.items():
        label = "、".join(sheets[:6]) + (f" 等 {len(sheets)} 个工作表" if len(sheets) > 6 else "")
        problems.append(Problem(workbook.file_name, label, cell if len(sheets) == 1 else None, zh, en, hint, hint_en))
    return problems


# ---------------------------------------------------------------------------------------------------------------
# Combining the checked tables
# ---------------------------------------------------------------------------------------------------------------


def _combine(workbook: Workbook, checked: list[tuple[RawTable, Validated]]) -> tuple[pd.DataFrame, list[Problem], list[Problem], list[Skip], int]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    skipped: list[Skip] = []
    frames = []
    missing = 0
    for table, result in checked:
        problems += table.problems + result.problems
        warnings += _inferred(workbook, table) + table.warnings + result.warnings
        skipped += result.skipped
        missing += result.missing
        frames.append(result.rows.assign(sheet=table.sheet))
    # Sheets are combined only when each names a different year or region, so their keys cannot collide.
    rows = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return rows, problems, warnings, _merge_skips(skipped), missing


def _inferred(workbook: Workbook, table: RawTable) -> list[Problem]:
    """A warning for each dimension taken from the sheet name, title or NOTE sheet rather than given."""
    found = []
    for dim in ("region", "indicator", "year"):
        hint = table.context.get(dim)
        if hint is not None and hint.source in INFERRED_SOURCES:
            found.append(Problem(workbook.file_name, table.sheet, None,
                                 f"{DIMENSION_ZH[dim]}“{hint.where or hint.value}”是从{SOURCE_ZH[hint.source]}推断的。",
                                 f"The {dim} was inferred from the {hint.source}.", f"如不对，请用 {DIMENSION_FLAG[dim]} 指定。"))
    return found


def _merge_skips(skips: list[Skip]) -> list[Skip]:
    merged: dict[tuple[str, str], Skip] = {}
    for skip in skips:
        key = (skip.reason_zh, skip.reason_en)
        if key in merged:
            merged[key].labels.extend(skip.labels)
        else:
            merged[key] = Skip(skip.reason_zh, skip.reason_en, list(skip.labels))
    return list(merged.values())


def _nothing_to_import(workbook: Workbook, tables: list[RawTable], skipped: list[Skip], missing: int) -> list[Problem]:
    reasons = "；".join(s.render().split(" / ")[0] for s in skipped) or "表中没有数值"
    extra = f"；另有 {missing:,} 个空白或缺失的数值" if missing else ""
    return [Problem(workbook.file_name, _sheet_label(tables), None, f"没有可导入的数值：{reasons}{extra}。",
                    "Nothing to import: no row matches the catalogue.",
                    "请检查地区和指标是否在目录中（python -m indicators catalogue），或用 --indicator/--region 指定。")]


def _position(problem: Problem) -> tuple[str, int, int, int]:
    """Problems in reading order: by sheet, then row and column; those without a cell last."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", problem.cell or "")
    if not match:
        return (problem.sheet or "", 1, 0, 0)
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return (problem.sheet or "", 0, int(match.group(2)), column)


def _sheet_label(tables: list[RawTable]) -> str:
    label = "、".join(t.sheet for t in tables)
    return label if len(label) <= MAX_SHEET_LABEL_CHARS else label[: MAX_SHEET_LABEL_CHARS - 1] + "…"


def _describe(tables: list[RawTable]) -> tuple[str, str]:
    if len(tables) == 1:
        return tables[0].description()
    zh, en = tables[0].description(without=_sheet_dimensions(tables[0]))
    if len(tables) > 1:
        zh = f"每个工作表一份（{len(tables)} 个工作表：{_sheet_label(tables)}），{zh}"
        en = f"one sheet each ({len(tables)} sheets), {en}"
    return zh, en
