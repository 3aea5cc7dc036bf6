"""Texts of the interface in Chinese (default) and English."""

from __future__ import annotations

import streamlit as st

from indicators.display.labels import BAROMETER_PATHS, METHOD_RULES

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
LANG_PARAM = "lang"  # query parameter, so a copied link keeps the language

TEXTS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "绿色低碳目标监测看板", "en": "Green Target Monitor"},
    "overview": {"zh": "总览", "en": "Overview"},
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "demo_banner": {
        "zh": "当前显示的是**示例数据**（虚构数字，仅供演示，不代表官方统计）。导入真实数据后，可在命令行运行 "
              "`python -m loaders remove-demo` 删除示例数据。",
        "en": "You are looking at **demo data** (invented figures, not official statistics). After importing real "
              "data, remove it with `python -m loaders remove-demo`.",
    },
    "plan": {"zh": "方案", "en": "Plan"},
    "region": {"zh": "地区", "en": "Region"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "area": {"zh": "领域", "en": "Area"},
    "target": {"zh": "目标", "en": "Target"},
    "latest": {"zh": "最新值", "en": "Latest"},
    "latest_year": {"zh": "最新年份", "en": "Latest year"},
    "status": {"zh": "状态", "en": "Status"},
    "reason": {"zh": "判定依据", "en": "Reason"},
    "clause": {"zh": "条款", "en": "Clause"},
    "departments": {"zh": "责任部门", "en": "Responsible"},
    "no_data": {"zh": "暂无数据", "en": "no data"},
    "target_pending": {"zh": "待录入", "en": "not set"},
    "draft": {"zh": "征求意见稿", "en": "draft for comments"},
    "error_generic": {
        "zh": "页面出错了，已记录详情。请刷新重试；如仍出错，请联系管理员。",
        "en": "Something went wrong; the details were logged. Refresh to retry, or contact the administrator.",
    },
    "error_database": {"zh": "无法读取数据库：", "en": "Cannot read the database: "},
    "targets_count": {"zh": "个量化目标", "en": "quantified targets"},
    "issued": {"zh": "印发", "en": "issued"},
    "base_target_years": {"zh": "基年 {base} → 目标年 {target}", "en": "base {base} → target {target}"},
    "indicator_page": {"zh": "指标详情", "en": "Indicator"},
    "comparison": {"zh": "地区对比", "en": "Comparison"},
    "data_page": {"zh": "数据管理", "en": "Data"},
    "all": {"zh": "全部", "en": "All"},
    "plan_region": {"zh": "方案所属城市", "en": "The plans' cities"},
    "all_regions": {"zh": "全部（含区县）", "en": "All, with districts"},
    "method": {"zh": "判定方法", "en": "Method"},
    "method_barometer": {"zh": "发改委晴雨表", "en": "NDRC barometer"},
    "method_ratio": {"zh": "增长率比值法", "en": "Growth-rate ratio"},
    "method_anticipated": {"zh": "预期进度法", "en": "Anticipated progress"},
    "method_note_barometer": {
        "zh": f"状态依据：国家发展改革委能耗双控晴雨表（发改办环资〔2020〕901号）——{METHOD_RULES['barometer']['zh']}"
              f"{BAROMETER_PATHS['zh']}",
        "en": f"Colours by the NDRC barometer (发改办环资〔2020〕901号): {METHOD_RULES['barometer']['en']} {BAROMETER_PATHS['en']}",
    },
    "method_note_ratio": {
        "zh": f"状态依据：增长率比值法（Statistics Canada / Eurostat）——{METHOD_RULES['ratio']['zh']}",
        "en": f"Colours by the growth-rate ratio (Statistics Canada / Eurostat): {METHOD_RULES['ratio']['en']}",
    },
    "method_note_anticipated": {
        "zh": f"状态依据：联合国SDG进展图表法——{METHOD_RULES['anticipated']['zh']}",
        "en": f"Colours by the UN SDG Progress Chart method: {METHOD_RULES['anticipated']['en']}",
    },
    "data_as_of": {"zh": "数据截至{year}年", "en": "Data as of {year}"},
    "year_suffix": {"zh": "年", "en": ""},
    "months_to": {"zh": "1—{month}月", "en": " Jan–M{month}"},
    "time_progress": {"zh": "时序进度", "en": "time elapsed"},
    "completion": {"zh": "完成进度", "en": "completion"},
    "behind": {"zh": "落后{pp:.1f}个百分点", "en": "{pp:.1f} pts behind"},
    "ahead": {"zh": "超前{pp:.1f}个百分点", "en": "{pp:.1f} pts ahead"},
    "methods_table": {"zh": "三种方法的判定", "en": "Status by each method"},
    "inputs": {"zh": "输入数据", "en": "Inputs"},
    "still_needed": {"zh": "余下年份年均需", "en": "Still needed per year"},
    "values_table": {"zh": "数据与修订历史", "en": "Values and revisions"},
    "plan_text": {"zh": "方案原文", "en": "The plan's words"},
    "source": {"zh": "来源", "en": "Source"},
    "note": {"zh": "备注", "en": "Note"},
    "batch": {"zh": "批次", "en": "Batch"},
    "file": {"zh": "文件", "en": "File"},
    "imported_at": {"zh": "导入时间", "en": "Imported"},
    "imported_by": {"zh": "导入人", "en": "By"},
    "current": {"zh": "当前值", "en": "Current"},
    "superseded": {"zh": "已被修订", "en": "Superseded"},
    "rolled_back": {"zh": "已撤销", "en": "Rolled back"},
    "value": {"zh": "数值", "en": "Value"},
    "year": {"zh": "年份", "en": "Year"},
    "month": {"zh": "月份", "en": "Month"},
    "data_status": {"zh": "数据状态", "en": "Data status"},
    "state": {"zh": "状态", "en": "State"},
    "series_input": {"zh": "计算所用序列：{name}（{form}）", "en": "Computed from: {name} ({form})"},
    "form_annual_rate": {"zh": "逐年下降率连乘", "en": "annual decline rates, chained"},
    "form_level": {"zh": "水平值", "en": "levels"},
    "form_cumulative": {"zh": "累计降低率", "en": "cumulative reduction"},
    "chart_observed": {"zh": "实际值", "en": "Observed"},
    "chart_target": {"zh": "目标", "en": "Target"},
    "chart_path": {"zh": "目标路径", "en": "Required path"},
    "chart_cagr": {"zh": "按年均增速推算", "en": "Projection (average growth)"},
    "chart_linear": {"zh": "线性趋势推算", "en": "Projection (linear trend)"},
    "not_applicable": {"zh": "不适用", "en": "n/a"},
    "no_rows": {"zh": "尚无数据。", "en": "No data yet."},
    "ranked_by": {"zh": "按“完成进度 − 时序进度”排序，落后最多的在前；各区县与全市目标对照。",
                  "en": "Ranked by completion minus time elapsed, furthest behind first; districts measured against the city target."},
    "completion_pct": {"zh": "完成进度", "en": "Completion"},
    "time_pct": {"zh": "时序进度", "en": "Time elapsed"},
    "gap": {"zh": "差距（百分点）", "en": "Gap (points)"},
    "only_city": {"zh": "该指标目前只有全市数据；导入区县数据后可在此对比。",
                  "en": "Only city-wide data so far; import district figures to compare them here."},
    "no_write_access": {"zh": "您没有导入或修改数据的权限。", "en": "You may not import or change data."},
    "upload_title": {"zh": "上传统计表", "en": "Upload statistics"},
    "upload_help": {"zh": "支持本项目模板及统计部门发布的表格（xlsx、xlsm、xls、ods、csv）。"
                          "上传后先校验并预览与数据库的差异，确认后再发布；未发布前不会写入任何数据。",
                    "en": "Our template or tables as statistical offices publish them (xlsx, xlsm, xls, ods, csv). "
                          "A file is validated and compared with the database first; nothing is written until you publish."},
    "upload_label": {"zh": "选择文件", "en": "Choose a file"},
    "upload_refused": {"zh": "文件未通过校验，共 {n} 个问题（见下表）。", "en": "The file was refused: {n} problem(s), listed below."},
    "nothing_changed": {"zh": "数据库未做任何更改。请按提示修改文件后重新上传。", "en": "Nothing was changed. Fix the file and upload it again."},
    "recognised": {"zh": "已识别：版式 {layout}，工作表 {sheet}，共 {rows} 行。", "en": "Recognised: layout {layout}, sheet {sheet}, {rows} rows."},
    "change": {"zh": "变化", "en": "Change"},
    "change_new": {"zh": "新增", "en": "New"},
    "change_changed": {"zh": "修改", "en": "Changed"},
    "change_unchanged": {"zh": "不变", "en": "Unchanged"},
    "old_value": {"zh": "原值", "en": "Old value"},
    "unit": {"zh": "单位", "en": "Unit"},
    "sheet": {"zh": "工作表", "en": "Sheet"},
    "cell": {"zh": "单元格", "en": "Cell"},
    "problem": {"zh": "问题", "en": "Problem"},
    "how_to_fix": {"zh": "修改方法", "en": "How to fix"},
    "batch_note": {"zh": "批次备注（可选）", "en": "Batch note (optional)"},
    "publish": {"zh": "发布", "en": "Publish"},
    "publishing": {"zh": "正在发布……", "en": "Publishing…"},
    "published": {"zh": "已发布为批次 {batch}：新增 {new}，修改 {changed}。", "en": "Published as batch {batch}: {new} new, {changed} changed."},
    "history_title": {"zh": "导入历史", "en": "Import history"},
    "no_batches": {"zh": "还没有导入任何批次。", "en": "No batches yet."},
    "rows": {"zh": "行数", "en": "Rows"},
    "active": {"zh": "有效", "en": "Active"},
    "rollback_which": {"zh": "撤销批次", "en": "Batch to roll back"},
    "rollback_confirm": {"zh": "确认撤销批次 {batch}（数据恢复到该批次之前，记录保留在历史中）",
                         "en": "Roll back batch {batch} (values return to the state before it; history keeps it)"},
    "rollback": {"zh": "撤销", "en": "Roll back"},
    "rolled_back_done": {"zh": "已撤销批次 {batch}（{rows} 行）。", "en": "Batch {batch} rolled back ({rows} rows)."},
    "downloads": {"zh": "下载", "en": "Downloads"},
    "download_template": {"zh": "下载导入模板", "en": "Download the template"},
    "download_export": {"zh": "导出全部当前数据", "en": "Export all current data"},
    "in_year": {"zh": "（{year}年）", "en": " ({year})"},
    "skipped": {"zh": "跳过 {n} 项：{reason}（如 {examples}）", "en": "Skipped {n}: {reason} (e.g. {examples})"},
    "missing_values": {"zh": "{n} 个空白或缺失的数值未导入。", "en": "{n} blank or missing values were left out."},
    "trend": {"zh": "历年走势", "en": "trend"},
    "status_filter": {"zh": "状态", "en": "Status"},
    "no_targets_match": {"zh": "没有符合筛选条件的目标。", "en": "No target matches the filters."},
    "sort_note": {"zh": "按严重程度排序（最需关注的在前）。点击指标名称查看详情。",
                  "en": "Worst first. Click a target's name for its details."},
}


def language() -> str:
    lang = st.query_params.get(LANG_PARAM, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def text_from(table: dict[str, dict[str, str]], key: str, **values: object) -> str:
    """`key`'s text in `table` in the current language, with `values` filled in (pages with their own texts use this)."""
    text = table[key][language()]
    return text.format(**values) if values else text


def t(key: str, **values: object) -> str:
    """The text for `key` in the current language."""
    return text_from(TEXTS, key, **values)
