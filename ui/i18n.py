"""Texts of the interface in Chinese (default) and English."""

from __future__ import annotations

import streamlit as st

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
}


def language() -> str:
    lang = st.query_params.get(LANG_PARAM, DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The text for `key` in the current language."""
    text = TEXTS[key][language()]
    return text.format(**values) if values else text
