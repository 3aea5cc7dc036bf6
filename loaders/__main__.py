"""python -m loaders: import, template, export, history, rollback, reapply, remove-demo."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.catalogue import load_catalogue
from indicators.cli import EXIT_OK, add_db_argument, current_user, open_store, print_json, run
from indicators.status_effect import publish_effect
from indicators.vocabulary import status_word
from loaders.backup import BACKUP_COMMANDS, add_backup_commands, run_backup_command
from loaders.export import export_observations
from loaders.importer import ImportPreview, prepare_import, publish
from loaders.layouts.rawtable import LAYOUTS
from loaders.overrides import OverrideText
from loaders.recipes import save_recipe
from loaders.template import write_template

CHANGE_LABELS = {"new": "新增", "changed": "修改", "unchanged": "不变"}
PREVIEW_ROWS = 20  # rows of the diff printed in text mode; --json gives them all


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loaders", description="导入、导出与批次管理 / import, export and batches")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="导入Excel/CSV（先校验、预览，再作为一个批次发布）/ import a spreadsheet")
    p.add_argument("file", type=Path)
    add_db_argument(p)
    p.add_argument("--sheet", help="工作表名 / sheet name")
    p.add_argument("--layout", choices=list(LAYOUTS), help="版式（默认自动识别）/ layout, detected when omitted")
    p.add_argument("--indicator", action="append", default=[], metavar="NAME|LABEL=NAME",
                   help="全表的指标，或把行/列标签对应到目录指标（可重复）/ the table's indicator, or LABEL=NAME (repeatable)")
    p.add_argument("--region", help="全表的地区 / the table's region")
    p.add_argument("--unit", help="表中数值的单位 / the unit of the table's values")
    p.add_argument("--year", help="全表的年份 / the table's year")
    p.add_argument("--recipe", metavar="NAME", help="使用已保存的导入配方 / apply a saved recipe")
    p.add_argument("--save-recipe", metavar="NAME", help="把本次的选项保存为导入配方 / save these options as a recipe")
    p.add_argument("--no-recipe", action="store_true", help="不自动套用配方 / do not apply a recipe by fingerprint")
    p.add_argument("--dry-run", action="store_true", help="只预览差异，不写入 / preview only, write nothing")
    p.add_argument("--json", action="store_true", help="JSON输出 / JSON output")
    p.add_argument("--user", help="记录的导入人（默认 $GTM_USER 或系统用户）/ who imports")
    p.add_argument("--note", help="批次备注 / batch note")

    p = sub.add_parser("template", help="生成空白导入模板 / write the empty template")
    p.add_argument("out", type=Path)

    p = sub.add_parser("export", help="导出当前数据（.xlsx 或 .csv）/ export current data")
    p.add_argument("out", type=Path)
    add_db_argument(p)

    p = sub.add_parser("history", help="导入批次历史 / batch history")
    add_db_argument(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("rollback", help="撤销一个批次 / roll back a batch")
    p.add_argument("batch", type=int)
    add_db_argument(p)
    p.add_argument("--user")

    p = sub.add_parser("reapply", help="重新应用一个已撤销的批次（作为新批次）/ re-apply a rolled-back batch as a new batch")
    p.add_argument("batch", type=int)
    add_db_argument(p)
    p.add_argument("--user")

    p = sub.add_parser("remove-demo", help="删除示例数据 / delete the demo data")
    add_db_argument(p)
    add_backup_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in BACKUP_COMMANDS:  # before open_store: a restore must not create the database first
        return run_backup_command(args)
    if args.command == "template":
        write_template(args.out, load_catalogue())
        print(f"已生成模板 / template written: {args.out}")
        return EXIT_OK
    catalogue, store = open_store(args.db)
    if args.command == "import":
        return _import(args, catalogue, store)
    if args.command == "export":
        count = export_observations(store, catalogue, args.out)
        print(f"已导出 {count} 行 / exported {count} rows: {args.out}")
    elif args.command == "history":
        _history(store.batches(), args.json)
    elif args.command == "rollback":
        rows = store.rollback_batch(args.batch, current_user(args.user))
        print(f"已撤销批次 {args.batch}（{rows} 行），当前数据已恢复到该批次之前。/ batch {args.batch} rolled back.")
    elif args.command == "reapply":
        result = store.reapply_batch(args.batch, current_user(args.user))
        print(f"已重新应用批次 {args.batch}，作为新批次 {result.batch_id}：新增 {result.new}，修改 {result.changed}。"
              f"/ batch {args.batch} re-applied as batch {result.batch_id}.")
    elif args.command == "remove-demo":
        removed = store.remove_demo(actor=current_user())
        print(f"已删除示例数据 {removed} 行 / removed {removed} demo rows")
    return EXIT_OK


def override_text(args: argparse.Namespace) -> OverrideText:
    """The import options as typed."""
    return OverrideText(sheet=args.sheet, layout=args.layout, indicators=list(args.indicator), region=args.region,
                        unit=args.unit, year=args.year)


def _import(args: argparse.Namespace, catalogue, store) -> int:
    preview = prepare_import(args.file, catalogue, store, overrides=override_text(args), recipe=args.recipe,
                             use_recipes=not args.no_recipe)
    effect = publish_effect(catalogue, store, preview.rows)  # before publishing changes what "before" is
    saved = None
    if args.save_recipe:
        saved = save_recipe(args.save_recipe, preview.overrides, preview.fingerprint, preview.file_name, by=current_user(args.user))
        store.record_audit(current_user(args.user), "recipe_saved", subject=saved.stem, file_name=preview.file_name,
                           sha256=preview.sha256, detail=json.dumps(preview.overrides.as_dict(), ensure_ascii=False))
    result = None
    if not args.dry_run:
        result = publish(preview, store, current_user(args.user), note=args.note)
    if args.json:
        print_json({**_preview_json(preview, result, saved), "status_changes": _effect_json(effect)})
    else:
        _print_preview(preview)
        _print_effect(effect, catalogue)
        if saved is not None:
            print(f"已保存导入配方“{args.save_recipe}”：{saved}。同一格式的文件下次会自动使用。/ recipe saved.")
        if result is None:
            print("预览模式：未写入任何数据。/ dry run: nothing written.")
        else:
            print(f"已发布为批次 {result.batch_id}：新增 {result.new}，修改 {result.changed}，不变 {result.unchanged}。"
                  f" / published as batch {result.batch_id}.")
    return EXIT_OK


def _preview_json(preview: ImportPreview, result, saved: Path | None = None) -> dict[str, object]:
    diff = preview.diff.astype(object).where(preview.diff.notna(), None)
    return {
        "file": preview.file_name, "sha256": preview.sha256, "sheet": preview.sheet, "layout": preview.layout,
        "layout_zh": preview.description_zh, "layout_en": preview.description_en, "recipe": preview.recipe,
        "recipe_saved": None if saved is None else str(saved), "fingerprint": preview.fingerprint,
        "counts": preview.counts(), "dry_run": result is None,
        "batch_id": None if result is None else result.batch_id,
        "skipped": [{"reason": s.reason_zh, "reason_en": s.reason_en, "count": s.count, "examples": list(dict.fromkeys(s.labels))[:5]}
                    for s in preview.skipped],
        "missing_values": preview.missing,
        "unused_series": [{"region_id": u.region_id, "indicator_id": u.indicator_id, "rows": u.rows} for u in preview.unused],
        "warnings": [w.render() for w in preview.warnings],
        "rows": diff.to_dict(orient="records"),
    }


def _effect_json(effect: pd.DataFrame) -> list[dict[str, object]]:
    return effect.astype(object).where(effect.notna(), None).to_dict(orient="records")


def _print_effect(effect: pd.DataFrame, catalogue) -> None:
    """Targets whose status (barometer) or latest value publishing changes: 天津市 非化石能源消费比重：黄灯 → 绿灯."""
    if effect.empty:
        print("发布后没有目标的状态或最新值发生变化。/ no target's status or latest value changes.")
        return
    print("发布后将变化的目标 / targets that change:")
    for row in effect.itertuples(index=False):
        region = catalogue.regions[row.region].name_zh if row.region in catalogue.regions else row.region
        before, after = (status_word(s, "zh") if isinstance(s, str) and s else "（尚无）"
                         for s in (row.before_barometer, row.after_barometer))
        old, new = (_latest_text(value, year, int(row.decimals)) for value, year in
                    ((row.before_value, row.before_year), (row.after_value, row.after_year)))
        print(f"  {region} {row.name_zh}：{before} → {after}；最新值 {old} → {new}")


def _latest_text(value: Any, year: Any, decimals: int) -> str:
    """'13.0（2025年）', or '（尚无）' where a target has no annual figure (before its first, or within-year data only)."""
    if pd.isna(value) or pd.isna(year):
        return "（尚无）"
    return f"{float(value):.{decimals}f}（{int(year)}年）"


def _print_preview(preview: ImportPreview) -> None:
    counts = preview.counts()
    print(f"文件 {preview.file_name}（工作表 {preview.sheet}），sha256 {preview.sha256[:12]}…")
    print(f"识别的版式 / layout: {preview.description_zh}（{preview.layout}）")
    print(f"共 {len(preview.diff)} 行：新增 {counts['new']}，修改 {counts['changed']}，不变 {counts['unchanged']}")
    for skip in preview.skipped:
        print(f"  {skip.render()}")
    if preview.missing:
        print(f"  空白或缺失的数值 {preview.missing:,} 个，未导入。/ {preview.missing:,} blank or missing values left out.")
    if preview.unused:
        names = "、".join(f"{u.region_id} {u.indicator_id}（{u.rows}行）" for u in preview.unused)
        print(f"  以下序列目前没有方案目标使用：{names}——仍可导入，用于积累历史数据。/ no target uses these series yet; "
              "they are imported all the same.")
    for warning in preview.warnings:
        print(f"注意：{warning.render()}")
    shown = preview.diff[preview.diff["change"] != "unchanged"].head(PREVIEW_ROWS)
    for row in shown.itertuples(index=False):
        month = "" if pd.isna(row.month) else f"{int(row.month)}月"
        old = "" if pd.isna(row.old_value) else f"{row.old_value:g} → "
        print(f"  [{CHANGE_LABELS[row.change]}] {row.region_id} {row.indicator_id} {row.year}年{month}: {old}{row.value:g} {row.unit}")
    hidden = int((preview.diff["change"] != "unchanged").sum()) - len(shown)
    if hidden > 0:
        print(f"  …另有 {hidden:,} 行（--json 可看全部）/ {hidden:,} more rows (see --json)")


def _history(batches: pd.DataFrame, as_json: bool) -> None:
    if as_json:
        print_json(batches.astype(object).where(batches.notna(), None).to_dict(orient="records"))
        return
    if batches.empty:
        print("还没有导入任何批次。/ no batches yet.")
    for b in batches.itertuples(index=False):
        state = f"已撤销 {b.rolled_back_at:%Y-%m-%d %H:%M}" if pd.notna(b.rolled_back_at) else "有效"
        print(f"{b.batch_id:>4}  {b.imported_at:%Y-%m-%d %H:%M}  {b.imported_by:<10} {b.file_name}  "
              f"{b.row_count}行（新增{b.new_count} 修改{b.changed_count}）  {state}  {b.kind}")


if __name__ == "__main__":
    sys.exit(run(main))
