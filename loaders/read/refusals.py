"""The refusals of loaders.read: each a LoaderError naming the file, in Chinese and English, with what to do.

Shared by the entry points and every guard; calamine's own failures are turned into the same refusals here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from python_calamine import CalamineError, PasswordError

from loaders.errors import LoaderError
from loaders.read.limits import ACCEPTED_HINT_EN, ACCEPTED_HINT_ZH, MIB

# ---------------------------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------------------------


def refuse(label: str, zh: str, en: str, hint_zh: str = "", hint_en: str = "", *, sheet: str | None = None) -> LoaderError:
    return LoaderError.about_file(label, zh, en, hint_zh, hint_en, sheet=sheet)


def human_size(n: int) -> str:
    """Human-readable byte count: '50 MB', '812 KB'."""
    if n >= MIB:
        return f"{n / MIB:.0f} MB" if n % MIB == 0 or n >= 10 * MIB else f"{n / MIB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def corrupt(label: str, detail: str = "") -> LoaderError:
    extra = f" ({detail[:160]})" if detail else ""
    return refuse(label, "文件已损坏或不完整，无法读取。", f"The file is damaged or incomplete and cannot be read{extra}.",
                  "请重新下载，或在原软件中重新保存后再上传。",
                  "Download it again or re-save it in the program that made it.")


def not_spreadsheet(label: str, kind_zh: str, kind_en: str, hint_zh: str = ACCEPTED_HINT_ZH,
                    hint_en: str = ACCEPTED_HINT_EN) -> LoaderError:
    space = " " if kind_zh[:1].isascii() else ""  # '这是 PNG 图片' but '这是网页'
    return refuse(label, f"这是{space}{kind_zh}，不是电子表格文件。", f"This is {kind_en}, not a spreadsheet.", hint_zh, hint_en)


def encrypted(label: str) -> LoaderError:
    return refuse(label, "这是加密或受密码保护的工作簿，无法读取。", "The workbook is encrypted or password-protected.",
                  "请先在Excel中取消密码后另存为 .xlsx，再上传。",
                  "Remove the password in Excel, save as .xlsx and upload that.")


def too_many_cells(label: str, sheet: str, rows: int, cols: int, cap: int) -> LoaderError:
    return refuse(
        label, f"工作表过大：已用区域 {rows:,} 行 × {cols:,} 列，超过每个工作表 {cap:,} 个单元格的上限。",
        f"The sheet is too large: its used area is {rows:,} rows × {cols:,} columns, over the cap of {cap:,} cells.",
        "请删除无关的行列（包括远处带格式的空单元格），或把数据拆成多个文件。",
        "Delete unrelated rows and columns (including formatted empty cells far away) or split the data.", sheet=sheet)


def missing_sheet(label: str, name: str, available: Iterable[str]) -> LoaderError:
    names = "、".join(available)
    return refuse(label, f"工作簿中没有名为“{name}”的工作表（现有：{names}）。", f"There is no sheet named '{name}'.",
                  "请选择现有的工作表。", "Choose one of the existing sheets.")


def refuse_if_missing(label: str, wanted: Sequence[str] | None, available: Sequence[str]) -> None:
    for name in wanted or ():
        if name not in available:
            raise missing_sheet(label, name, available)


def empty_workbook(label: str, wanted: Sequence[str] | None) -> LoaderError:
    if wanted:
        return refuse(label, "所选工作表是空的，没有任何数据。", "The chosen sheets are empty.",
                      "请确认选择了含有数据的工作表。", "Choose a sheet that holds data.")
    return refuse(label, "工作簿是空的：所有工作表都没有数据。", "The workbook is empty: no sheet holds any data.",
                  "请确认数据已保存在文件中后再上传。", "Check that the data was saved in the file.")


# ---------------------------------------------------------------------------------------------------------------
# Failures inside calamine
# ---------------------------------------------------------------------------------------------------------------


def _calamine_failure(label: str, exc: BaseException) -> LoaderError:
    if isinstance(exc, PasswordError):
        return encrypted(label)
    return corrupt(label, f"{type(exc).__name__}: {exc}")


def calamine_call(label: str, call: Callable[[], object]) -> object:
    """Run a calamine call, turning every failure (including Rust panics) into a LoaderError."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except CalamineError as exc:
        raise _calamine_failure(label, exc) from None
    except BaseException as exc:  # pyo3 raises Rust panics as PanicException, a BaseException
        raise _calamine_failure(label, exc) from None
