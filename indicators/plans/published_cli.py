"""python -m indicators plan list / export / withdraw: the plans published from the dashboard's plans page."""

from __future__ import annotations

import argparse

from indicators.cli import EXIT_OK, current_user, open_store, print_json
from indicators.inert_text import for_terminal
from indicators.plans.published import export_plan, find_published


def published_command(args: argparse.Namespace) -> int:
    _, store = open_store(args.db)
    if args.plan_command == "list":
        history = store.published_plan_history()
        current = {(r.plan_id, r.version) for r in store.published_plans()}
        records = [{**row, "current": (row["plan_id"], row["version"]) in current}
                   for row in history.to_dict(orient="records")]
        if args.json:
            print_json(records)
        elif not records:
            print("尚无在看板上发布的方案 / no plan has been published from the dashboard")
        for r in records if not args.json else []:
            state = "当前 / current" if r["current"] else ("已撤回 / withdrawn" if r["withdrawn_by"] else "旧版本 / older")
            print(for_terminal(f"{r['plan_id']}  v{r['version']}  {state}  {r['published_by']}  {r['published_at']}"))
        return EXIT_OK
    if args.plan_command == "export":
        published = find_published(store.published_plans(), args.plan_id)
        for path in export_plan(published.document, args.out):
            print(for_terminal(f"已写入 / wrote {path}"))
        return EXIT_OK
    count = store.withdraw_plan(args.plan_id, current_user(args.user), args.note)
    print(for_terminal(f"已撤回方案 {args.plan_id} 的 {count} 个版本 / withdrew {count} version(s)"))
    return EXIT_OK
