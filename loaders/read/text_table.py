"""Text tables (csv, tsv, txt): decoding the bytes strictly and sniffing the delimiter."""

from __future__ import annotations

import codecs

from loaders.errors import LoaderError
from loaders.read.refusals import refuse

DELIMITERS = (",", "\t", ";", "|", "，")  # in order of preference when equally consistent
DELIMITER_SAMPLE_LINES = 50


def decode_text(data: bytes, label: str) -> str:
    """UTF-16 (with BOM), UTF-8 (with or without BOM) or GB18030 (a superset of GBK), strictly."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise nul_in_text(label)
        return text
    raise undecodable(label)


def nul_in_text(label: str) -> LoaderError:
    return refuse(label, "文本中含有空字符（NUL），这不是有效的 CSV 文本文件。",
                  "The text contains NUL characters; it is not a valid CSV file.",
                  "请在 Excel 中“另存为”CSV UTF-8 格式后再上传。", "Save it from Excel as 'CSV UTF-8'.")


def undecodable(label: str) -> LoaderError:
    return refuse(label, "无法识别文本编码（已尝试 UTF-8、UTF-8 BOM 和 GBK/GB18030）。",
                  "The text encoding is not recognised (tried UTF-8, UTF-8 with BOM and GBK/GB18030).",
                  "请在 Excel 中“另存为”CSV UTF-8 格式后再上传。", "Save it from Excel as 'CSV UTF-8'.")


def sniff_delimiter(text: str) -> str:
    """The delimiter used most consistently over the first lines: comma, tab, semicolon, '|' or '，'."""
    lines = [line for line in text.splitlines()[:DELIMITER_SAMPLE_LINES] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        if not counts or max(counts) == 0:
            continue
        typical = max(set(counts), key=counts.count)
        score = (counts.count(typical) / len(counts) if typical else 0.0, typical)
        if delimiter == "，" and best_score[1]:
            continue  # full-width commas also occur in Chinese prose; only used when nothing else fits
        if score > best_score:
            best, best_score = delimiter, score
    return best
