"""python -m indicators: catalogue, validate, init, status, brief, overview-pdf, plan extract / list / export / withdraw."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indicators.catalogue import Catalogue, load_catalogue, validate_catalogue
from indicators.cli import EXIT_FAILED, EXIT_OK, add_db_argument, open_store, print_json, run
from indicators.status import status_records
from indicators.vocabulary import METHODS, STATUS_LABELS_ZH


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indicators", description="目标目录与进度 / targets and progress")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("catalogue", help="列出方案及其全部量化目标 / plans and their targets")
    p.add_argument("--json", action="store_true")
    sub.add_parser("validate", help="校验 data/ 下的目录文件并列出全部问题 / validate the catalogue files")
    p = sub.add_parser("init", help="创建数据库并写入目录 / create the database")
    add_db_argument(p)
    p = sub.add_parser("status", help="每个方案×地区×目标的最新进度 / progress per plan × region × target")
    add_db_argument(p)
    p.add_argument("--plan", help="方案id / plan id")
    p.add_argument("--region", help="地区名称、别名或代码 / region name, alias or code")
    p.add_argument("--as-of", type=int, help="只使用该年及以前的数据 / ignore data after this year")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("brief", help="汇报材料：PPT（及PNG图片）/ briefing deck (and PNG images)")
    add_db_argument(p)
    p.add_argument("--plan", required=True, help="方案id / plan id")
    p.add_argument("--region", help="地区名称、别名或代码（默认方案所属城市）/ region (default: the plan's city)")
    p.add_argument("--as-of", type=int, help="只使用该年及以前的数据 / ignore data after this year")
    p.add_argument("--method", choices=METHODS, default="barometer", help="判定方法 / method (default barometer)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言 / language of the deck (default zh)")
    p.add_argument("--out", required=True, type=Path,
                   help="输出的 .pptx 文件，或目录（文件按地区命名）/ the deck to write, or a folder (named in words)")
    p.add_argument("--png-dir", type=Path, help="另存每张图为PNG的目录 / also write every chart as PNG here")
    p.add_argument("--data", type=Path, help="另存图表数据的 .xlsx 文件 / also write the data behind every chart (.xlsx)")
    p = sub.add_parser("overview-pdf", help="总览PDF：每个方案一页 / print-ready overview, one page per plan")
    add_db_argument(p)
    p.add_argument("--as-of", type=int, help="只使用该年及以前的数据 / ignore data after this year")
    p.add_argument("--method", choices=METHODS, default="barometer", help="判定方法 / method (default barometer)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言 / language (default zh)")
    p.add_argument("--out", required=True, type=Path, help="输出的 .pdf 文件，或目录 / the PDF to write, or a folder")
    p = sub.add_parser("plan", help="方案原文 / plan texts")
    plan_sub = p.add_subparsers(dest="plan_command", required=True)
    p = plan_sub.add_parser("extract", help="从方案原文中找出候选的2025年目标 / candidate 2025 targets in a plan's text")
    p.add_argument("file", type=Path, help="方案文件（.txt .docx .pdf .html）/ the plan file")
    p.add_argument("--json", action="store_true")
    p = plan_sub.add_parser("list", help="在看板上发布的方案及其历史 / plans published from the dashboard, with history")
    add_db_argument(p)
    p.add_argument("--json", action="store_true")
    p = plan_sub.add_parser("export", help="把已发布的方案导出为随程序提供的YAML格式 / a published plan as a shipped YAML plan")
    add_db_argument(p)
    p.add_argument("plan_id", help="方案id / plan id")
    p.add_argument("out", type=Path, help="输出文件 PLAN_ID.yaml（原文写入其旁的 sources/）/ the YAML to write")
    p = plan_sub.add_parser("withdraw", help="撤回已发布的方案（历史保留）/ withdraw a published plan (history kept)")
    add_db_argument(p)
    p.add_argument("plan_id", help="方案id / plan id")
    p.add_argument("--note", help="撤回原因 / why")
    p.add_argument("--user", help="操作人（默认 $GTM_USER 或系统用户）/ acting user")
    return parser


def _overview_pdf(args: argparse.Namespace, catalogue: Catalogue, store) -> int:
    from indicators.briefing.files import write_file
    from indicators.briefing.overview_pdf import collect_overview, overview_pdf

    started = time.perf_counter()
    overview = collect_overview(catalogue, store, method=args.method, lang=args.lang, as_of=args.as_of)
    out = args.out / overview.file_name if args.out.is_dir() else args.out
    write_file(out, overview_pdf(overview), ".pdf")
    print(f"已生成 {out}：{len(overview.pages)} 个方案，{time.perf_counter() - started:.1f} 秒 / wrote {len(overview.pages)} plan pages")
    return EXIT_OK


def catalogue_records(catalogue: Catalogue) -> list[dict[str, object]]:
    """Every plan with every target and all the fields a reader needs to trace it to the plan."""
    plans = []
    for plan in catalogue.plans.values():
        targets = []
        for target in plan.targets:
            ind = catalogue.indicators[target.indicator]
            targets.append({
                "indicator": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit,
                "kind": ind.kind, "direction": ind.direction, "area": ind.area,
                "area_zh": catalogue.areas[ind.area].name_zh, "value": target.value, "bound": target.bound,
                "wording": list(target.wording), "clause": target.clause, "quote": target.quote,
                "departments": target.all_departments,
                "departments_clause": target.clause if target.departments else (
                    target.responsibility.clause if target.responsibility else None),
                "value_pending_zh": target.value_pending_zh, "note_zh": target.note_zh,
                "inputs": ind.inputs.model_dump() if ind.inputs else None,
                "bounded": ind.bounded, "relative": target.relative,
            })
        plans.append({
            "id": plan.id, "title_zh": plan.title_zh, "title_en": plan.title_en, "issuer": plan.issuer,
            "date_issued": plan.date_issued.isoformat(), "status": plan.status,
            "region": plan.region, "region_zh": catalogue.regions[plan.region].name_zh,
            "base_year": plan.base_year, "target_year": plan.target_year,
            "coordinator": plan.coordinator.model_dump() if plan.coordinator else None,
            "targets": targets,
        })
    return plans


def _print_catalogue(plans: list[dict[str, Any]]) -> None:
    for plan in plans:
        print(f"{plan['title_zh']}（{plan['issuer']}，{plan['date_issued']}，{plan['status']}）")
        for t in plan["targets"]:
            value = "待录入" if t["value"] is None else f"{t['value']:g}{t['unit']}"
            print(f"  {t['clause']:<16} {t['name_zh']}：{value}（{'/'.join(t['wording'])}）  {'、'.join(t['departments']) or '—'}")


def _print_status(records: list[dict[str, Any]]) -> None:
    for r in records:
        months = f"1—{r['latest_month']}月，阶段性" if r["latest_month"] else ""  # §8.5: a within-year figure says so
        latest = "无数据" if r["latest_value"] is None else f"{r['latest_value']:g}（{r['latest_year']}年{months}）"
        target = "待录入" if r["target"] is None else f"{r['target']:g}"
        barometer = STATUS_LABELS_ZH.get(r["status"]["barometer"], r["status"]["barometer"])
        print(f"{r['plan']:<22} {r['region']:<10} {r['name_zh']}：最新 {latest}，目标 {target}{r['unit']}，{barometer}")


def _brief(args: argparse.Namespace, catalogue: Catalogue, store) -> int:
    # Imported here: plotly, python-pptx and kaleido load only for this command.
    from indicators.briefing.collect import collect_briefing
    from indicators.briefing.files import write_brief, write_data
    from indicators.briefing.names import deck_file_name

    started = time.perf_counter()
    briefing = collect_briefing(catalogue, store, plan_id=args.plan, region=args.region, as_of=args.as_of, method=args.method,
                                lang=args.lang)
    out = args.out / deck_file_name(briefing.region_name, briefing.plan.target_year, args.lang) if args.out.is_dir() else args.out
    files = write_brief(briefing, out, args.png_dir)
    if args.data is not None:
        write_data(briefing, args.data)
        print(f"图表数据 → {args.data} / chart data")
    print(f"已生成 {files.deck}：{files.slides} 页（封面、总览、{len(briefing.targets)} 个目标、来源），"
          f"{time.perf_counter() - started:.1f} 秒 / wrote {files.slides} slides")
    if files.images:
        print(f"图片 {len(files.images)} 张 → {args.png_dir} / {len(files.images)} PNG images")
    if briefing.demo:
        print("注意：含示例数据（虚构数字），每页已标注。/ Note: includes demo data, marked on every slide.")
    return EXIT_OK


def _plan_extract(args: argparse.Namespace) -> int:
    from indicators.plans.cli import extract_command  # the plan readers load only for this command

    return extract_command(args.file, as_json=args.json)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "plan" and args.plan_command == "extract":
        return _plan_extract(args)
    if args.command == "plan":
        from indicators.plans.published_cli import published_command

        return published_command(args)
    if args.command == "validate":
        _, problems = validate_catalogue()
        for problem in problems:
            print(problem, file=sys.stderr)
        print("目录文件全部有效 / catalogue valid" if not problems else f"{len(problems)} 个问题 / problems")
        return EXIT_FAILED if problems else EXIT_OK
    if args.command == "catalogue":
        records = catalogue_records(load_catalogue())
        print_json(records) if args.json else _print_catalogue(records)
        return EXIT_OK
    catalogue, store = open_store(args.db)
    if args.command == "init":
        print(f"数据库已就绪 / database ready: {store.where}")
        return EXIT_OK
    if args.command == "brief":
        return _brief(args, catalogue, store)
    if args.command == "overview-pdf":
        return _overview_pdf(args, catalogue, store)
    records = status_records(catalogue, store, plan=args.plan, region=args.region, as_of=args.as_of)
    print_json(records) if args.json else _print_status(records)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(run(main))
