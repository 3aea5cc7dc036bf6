"""Plan files → text: .txt (UTF-8 or GBK), .docx, .pdf, .html read by their libraries; hostile files refused by name.

Every file here is a real one: written by python-docx, printed to PDF by Debian's Chromium, zipped by zipfile.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from indicators.__main__ import main
from indicators.cli import run
from indicators.plans import reading
from indicators.plans.extract import extract_candidates
from indicators.plans.reading import PlanFileError, read_plan_bytes, read_plan_file

CHROMIUM = Path("/usr/bin/chromium")
GOALS_TEXT = "（二）主要目标。到2025年，空气质量优良天数比例达到 68%，非化石能源消费比重力争达到 11.5% 以上。"


def _targets(text: str) -> list[tuple[str, float | None]]:
    return [(c.name_zh, c.value) for c in extract_candidates(text)]


EXPECTED = [("空气质量优良天数比例", 68), ("非化石能源消费比重", 11.5)]


def test_a_utf8_and_a_gbk_text_file_read_the_same(tmp_path):
    (tmp_path / "utf8.txt").write_text(GOALS_TEXT, encoding="utf-8-sig")
    (tmp_path / "gbk.txt").write_bytes(GOALS_TEXT.encode("gb18030"))
    assert read_plan_file(tmp_path / "utf8.txt") == read_plan_file(tmp_path / "gbk.txt") == GOALS_TEXT
    assert _targets(GOALS_TEXT) == EXPECTED


def test_a_word_document_is_read_with_its_paragraphs_and_tables(tmp_path):
    document = docx.Document()
    document.add_paragraph("天津市加快建立健全绿色低碳循环发展经济体系的实施方案")
    document.add_paragraph(GOALS_TEXT)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "指标", "目标"
    document.save(tmp_path / "plan.docx")
    text = read_plan_file(tmp_path / "plan.docx")
    assert GOALS_TEXT in text and "指标\t目标" in text
    assert _targets(text) == EXPECTED


def test_html_is_read_without_its_scripts_styles_or_frames(tmp_path):
    page = ("<html><head><title>方案</title><script>alert('空气质量优良天数比例达到 99%')</script></head><body>"
            "<style>p{color:red}</style><p>（二）主要目标。到2025年，空气质量优良天数比例达到 <b>68%</b>，</p>"
            "<iframe src='javascript:alert(1)'>森林覆盖率达到 90%</iframe><p>非化石能源消费比重力争达到 11.5% 以上。</p>"
            "<img src=x onerror=alert(1)></body></html>")
    (tmp_path / "plan.html").write_text(page, encoding="utf-8")
    text = read_plan_file(tmp_path / "plan.html")
    assert "alert" not in text and "99%" not in text and "color" not in text and "90%" not in text
    assert _targets(text) == EXPECTED


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium prints the test PDF")
def test_a_pdf_printed_by_a_browser_reads_as_the_plan(tmp_path):
    html = tmp_path / "plan.html"
    html.write_text(f"<html><meta charset='utf-8'><body><p>{GOALS_TEXT}</p></body></html>", encoding="utf-8")
    pdf = tmp_path / "plan.pdf"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()], check=True, capture_output=True, timeout=120)
    text = read_plan_file(pdf)
    assert "⼆" not in text and "（二）主要目标" in text  # the look-alike radicals of PDF fonts are mapped back
    assert _targets(text) == EXPECTED


def _refusal(path: Path) -> str:
    with pytest.raises(PlanFileError) as caught:
        read_plan_file(path)
    message = str(caught.value)
    assert path.name in message and "方案文件" in message and "Plan file" in message  # names the file, zh and en
    return message


def test_a_docx_zip_bomb_is_refused_before_anything_is_decompressed(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (8 * reading.MIB))  # 8 MB of zeros: ~1000:1
    assert path.stat().st_size < 100_000
    assert "压缩炸弹" in _refusal(path)


def test_a_docx_declaring_more_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", 1000)
    path = tmp_path / "large.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", "x" * 2000)
    assert "zip bomb" in _refusal(path)


def test_a_zip_of_thousands_of_members_is_refused(tmp_path):
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(reading.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"m{n}", "")
    assert "too many members" in _refusal(path)


def test_a_zip_that_is_not_a_word_document_and_a_damaged_one_are_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "plain.docx", "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "不是 Word 文档" in _refusal(tmp_path / "plain.docx")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    assert "损坏" in _refusal(tmp_path / "broken.docx")


def test_a_pdf_with_too_many_pages_is_refused(tmp_path):
    writer = PdfWriter()
    for _ in range(reading.MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=200, height=200)
    with (tmp_path / "huge.pdf").open("wb") as f:
        writer.write(f)
    assert "页数过多" in _refusal(tmp_path / "huge.pdf")


def test_an_encrypted_and_a_damaged_pdf_are_refused(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    with (tmp_path / "locked.pdf").open("wb") as f:
        writer.write(f)
    assert "加密" in _refusal(tmp_path / "locked.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    assert "PDF" in _refusal(tmp_path / "broken.pdf")


def test_a_blank_pdf_says_it_has_no_text(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with (tmp_path / "scan.pdf").open("wb") as f:
        writer.write(f)
    assert "文字识别" in _refusal(tmp_path / "scan.pdf")


def test_deeply_nested_html_is_read_and_a_page_of_too_many_tags_refused(tmp_path):
    depth = 5000
    (tmp_path / "deep.html").write_text("<div>" * depth + "空气质量优良天数比例达到 68%" + "</div>" * depth, encoding="utf-8")
    assert _targets(read_plan_file(tmp_path / "deep.html")) == [("空气质量优良天数比例", 68)]
    (tmp_path / "tags.html").write_text("<b>" * (reading.MAX_HTML_TAGS + 1), encoding="utf-8")
    assert "标签过多" in _refusal(tmp_path / "tags.html")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(reading.MAX_FILE_BYTES + 1)  # sparse: no disk used
    assert "过大" in _refusal(path)
    with pytest.raises(PlanFileError, match=r"huge\.txt"):
        read_plan_bytes(b"x" * (reading.MAX_FILE_BYTES + 1), "huge.txt")


def test_binary_content_unsupported_formats_and_control_characters(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02ELF")
    assert "二进制" in _refusal(tmp_path / "binary.txt")
    (tmp_path / "plan.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    assert ".docx" in _refusal(tmp_path / "plan.doc")
    assert read_plan_bytes("空气质量\u202e优良天数比例达到\x1b[2J 68%".encode(), "x.txt") == "空气质量优良天数比例达到[2J 68%"


def test_the_command_prints_json_with_exactly_the_reviewed_fields(tmp_path, capsys):
    (tmp_path / "plan.txt").write_text(GOALS_TEXT, encoding="utf-8")
    assert main(["plan", "extract", str(tmp_path / "plan.txt"), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["name_zh"], r["value"], r["indicator"]) for r in records] == [
        ("空气质量优良天数比例", 68, "good_air_quality_days_ratio"), ("非化石能源消费比重", 11.5, "non_fossil_energy_consumption_share")]
    assert records[1]["wording"] == ["力争", "达到", "以上"] and records[1]["clause"] == "（二）主要目标"


def test_the_command_prints_a_chinese_table(tmp_path, capsys):
    (tmp_path / "plan.txt").write_text(GOALS_TEXT, encoding="utf-8")
    assert main(["plan", "extract", str(tmp_path / "plan.txt")]) == 0
    out = capsys.readouterr().out
    assert "2 个候选目标" in out and "空气质量优良天数比例：68%（不低于" in out and "原文：非化石能源消费比重力争达到 11.5% 以上" in out


def test_the_command_refuses_a_hostile_file_with_exit_1_and_a_message_naming_it(tmp_path, capsys):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (8 * reading.MIB))
    assert run(main, ["plan", "extract", str(path)]) == 1
    err = capsys.readouterr().err
    assert "bomb.docx" in err and "压缩炸弹" in err and "Traceback" not in err


def test_an_upload_gives_its_text_and_candidates_located_in_it(tmp_path, catalogue):
    from indicators.plans.candidates import read_upload

    document = docx.Document()
    document.add_paragraph(GOALS_TEXT)
    document.save(tmp_path / "upload.docx")
    text, candidates = read_upload((tmp_path / "upload.docx").read_bytes(), "上传的方案.docx", catalogue)
    assert [c.indicator for c in candidates] == ["good_air_quality_days_ratio", "non_fossil_energy_consumption_share"]
    assert all(text[c.start:c.start + len(c.quote)] == c.quote for c in candidates)  # where the page highlights each
    with pytest.raises(PlanFileError, match=r"上传的方案\.pdf"):
        read_upload(b"%PDF-1.7 broken", "上传的方案.pdf", catalogue)


def test_a_docx_with_entity_expansion_or_deep_nesting_is_refused_without_expanding(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
              '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&e;&e;&e;'
              '</w:t></w:r></w:p></w:body></w:document>')
    source = tmp_path / "real.docx"
    docx.Document().save(source)
    # entities are never expanded (the document has no text left); lxml refuses nesting deeper than it allows
    for label, body, says in (("laughs", laughs, "没有可读的文字"), ("deep", "<a>" * 100_000 + "</a>" * 100_000, "无法读取 Word 文档")):
        path = tmp_path / f"{label}.docx"
        with zipfile.ZipFile(source) as real, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in real.infolist():
                archive.writestr(item, body if item.filename == "word/document.xml" else real.read(item))
        assert says in _refusal(path)
