"""English for the fix hints the loaders write in Chinese only (most refusals pass one hint, `hint_zh`).

`english_hint(hint_zh)` finds the hint's English form here: whole hints first, then templates whose
placeholders (a unit, a flag, an example) are carried over. A hint with no English form here comes back
as '' and the English refusal shows the message alone (tests/test_hint_texts.py checks every hint the
hostile fixtures produce has one).
"""

from __future__ import annotations

import re

WHOLE: dict[str, str] = {
    "请上传 .xlsx、.xlsm、.xls、.ods 或 .csv 格式的表格文件。": "Upload an .xlsx, .xlsm, .xls, .ods or .csv spreadsheet.",
    "请使用 python -m loaders template 生成的模板，或去掉 --layout。":
        "Use the template from python -m loaders template, or leave out --layout.",
    "请使用模板（python -m loaders template），或用 --sheet、--layout 指定。":
        "Use the template (python -m loaders template), or name the sheet and layout with --sheet and --layout.",
    "请先在Excel中取消密码后另存为 .xlsx，再上传。": "Remove the password in Excel, save as .xlsx, then upload again.",
    "请写四位年份，如 --year 2023。": "Write a four-digit year, e.g. --year 2023.",
    "请写如 %、万吨、百万吨、万吨标准煤、吨标准煤/万元、家 的单位。":
        "Write a unit such as %, 万吨, 百万吨, 万吨标准煤, 吨标准煤/万元 or 家.",
    "请删除后用 --save-recipe 重新保存。": "Delete it and save it again with --save-recipe.",
    "请删除无关的工作表或拆分文件后再上传。": "Delete unrelated sheets or split the file, then upload again.",
    "请删除无关的行列（包括远处带格式的空单元格），或把数据拆成多个文件。":
        "Delete unrelated rows and columns (including formatted empty cells far away), or split the data into several files.",
    "请只保留正确的一行。": "Keep only the correct row.",
    "请只选择需要导入的工作表，或拆分文件。": "Choose only the sheets to import, or split the file.",
    "请在 Excel 中“另存为”CSV UTF-8 格式后再上传。": "In Excel, 'Save as' CSV UTF-8, then upload again.",
    "请在 Excel 中打开后“另存为” .xlsx 再上传。": "Open it in Excel, 'Save as' .xlsx, then upload again.",
    "请用 Excel 打开后“另存为” .xlsx 再上传。": "Open it in Excel, 'Save as' .xlsx, then upload again.",
    "请在表头下方逐行填写数据。": "Fill in the data row by row under the header.",
    "请填写四位年份，如 2023。": "Write a four-digit year, e.g. 2023.",
    "请填写指标目录中的名称或别名。": "Use a name or alias from the indicator catalogue.",
    "请填写指标目录中的名称或别名（见模板“指标列表”工作表）。":
        "Use a name or alias from the indicator catalogue (see the template's 指标列表 sheet).",
    "请填写数值；没有数据的行请删除。": "Fill in a value; delete rows that have no data.",
    "请填写数字（可带%或千分位逗号），或删除该行。": "Write a number (a % sign or thousands commas are fine), or delete the row.",
    "请填写目录中的地区名称、别名或6位行政区划代码。": "Use a region name, alias or 6-digit division code from the catalogue.",
    "请用地区目录中的名称、别名或6位行政区划代码。": "Use a region name, alias or 6-digit division code from the catalogue.",
    "请把数据放在普通工作表中。": "Put the data on an ordinary worksheet.",
    "请整理为长表模板（python -m loaders template）后导入。": "Rearrange it as the long template (python -m loaders template), then import.",
    "请核对换算后的数值。": "Check the converted values.",
    "请核对数值和单位（比例写成百分数时单位填 %，如 68 而不是 0.68）。":
        "Check the value and the unit (a share written as a percentage has unit %: 68, not 0.68).",
    "请检查 --layout，或去掉它让系统自动识别。": "Check --layout, or leave it out to detect the layout.",
    "请检查上传的文件是否完整。": "Check that the uploaded file is complete.",
    "请检查地区和指标是否在目录中（python -m indicators catalogue），或用 --indicator/--region 指定。":
        "Check that the regions and indicators are in the catalogue (python -m indicators catalogue), or name them with "
        "--indicator / --region.",
    "请检查引号是否成对，或在 Excel 中重新另存为 CSV。": "Check that quotes are paired, or save as CSV again from Excel.",
    "请检查是否选对了工作表。": "Check that the right sheet was chosen.",
    "请检查表头中的年份。": "Check the years in the header.",
    "请检查该数值和单位是否填写正确。": "Check that the value and unit are right.",
    "请检查该行的年份。": "Check the year in this row.",
    "请用 --indicator 指定该表的指标（如 --indicator 二氧化碳排放量），或改用模板（python -m loaders template）。":
        "Name the table's indicator with --indicator (e.g. --indicator 二氧化碳排放量), or use the template "
        "(python -m loaders template).",
    "请用 --save-recipe 先保存配方。": "Save a recipe first with --save-recipe.",
    "请用指标目录中的名称、别名或代码（python -m indicators catalogue）。":
        "Use a name, alias or id from the indicator catalogue (python -m indicators catalogue).",
    "请确认数据已保存在文件中后再上传。": "Make sure the data is saved in the file, then upload again.",
    "请确认文件存在并且可以读取。": "Make sure the file exists and can be read.",
    "请确认选择了含有数据的工作表。": "Make sure a sheet with data was chosen.",
    "请统一单位。": "Use one unit.",
    "请选择含有数据的工作表。": "Choose a sheet that holds data.",
    "请选择现有的工作表。": "Choose an existing sheet.",
    "请重新下载，或在原软件中重新保存后再上传。": "Download it again, or save it again in the program that made it, then upload.",
    "年度数据请留空；年内累计数据填截至的月份。": "Leave it empty for annual data; for a within-year figure give the last month.",
    "请用 --indicator 指定，例如 --indicator 二氧化碳排放量。": "Name it with --indicator, e.g. --indicator 二氧化碳排放量.",
}
TEMPLATES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^请填写单位（该指标的单位是“(?P<unit>[^”]*)”）。$"), "Fill in the unit (this indicator's unit is '{unit}')."),
    (re.compile(r"^请把数值换算为“(?P<unit>[^”]*)”后填写，或用 --unit 说明表中的单位。$"),
     "Convert the values to '{unit}', or give the table's unit with --unit."),
    (re.compile(r"^请填写 (?P<choices>.+) 之一，或留空（默认(?P<default>.+)）。$"),
     "Write one of {choices}, or leave it empty ({default} by default)."),
    (re.compile(r"^请用 (?P<flag>\S+) 指定，例如 (?P<example>.+)。$"), "Name it with {flag}, e.g. {example}."),
    (re.compile(r"^隐藏的工作表不会自动导入。如确需导入，请用 --sheet (?P<sheet>.+) 指定。$"),
     "A hidden sheet is not imported by itself; to import it, name it with --sheet {sheet}."),
    (re.compile(r"^如某行就是目录中的指标，可用 --indicator '行标签=指标' 指定；如各行是地区、全表是一个指标，可用 --indicator 指标名 指定。$"),
     "If a row is a catalogue indicator, name it with --indicator 'row label=indicator'; if the rows are regions and the "
     "whole table is one indicator, use --indicator NAME."),
    (re.compile(r"^如表中某行或某列就是目录中的指标，可用 --indicator '标签=指标' 指定；年份为列时也可用 --layout 指定版式。$"),
     "If a row or column is a catalogue indicator, name it with --indicator 'label=indicator'; with years as columns, "
     "--layout names the layout."),
    (re.compile(r"^请把工作表命名为(?P<zh>.+?)（如“(?P<names>[^”]*)”），或在表头加“(?P<column>[^”]*)”列，"
                r"或用 (?P<flag>\S+) 指定（如 (?P<example>.+)）。$"),
     "Name the sheet after the {zh} (e.g. '{names}'), add a '{column}' column to the header, or use {flag} (e.g. {example})."),
]


def english_hint(hint_zh: str) -> str:
    """The hint in English, or '' when this table has none."""
    text = hint_zh.strip()
    if not text:
        return ""
    if text in WHOLE:
        return WHOLE[text]
    for pattern, english in TEMPLATES:
        found = pattern.match(text)
        if found:
            return english.format(**found.groupdict())
    return ""
