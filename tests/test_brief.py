"""Briefing exports opened and checked: the deck read back with python-pptx, every PNG decoded with Pillow,
the barometer's rows counted; and the `brief` command's results and refusals.

One export browser renders everything once per module (starting Chromium costs seconds); the tests then
read the files it wrote.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image, ImageStat
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from indicators.briefing.collect import Briefing, collect_briefing
from indicators.briefing.files import BAROMETER_FILE, slide_count, write_brief
from indicators.briefing.images import ImageSession, ImageSpec, export_problem, has_chinese_font
from indicators.catalogue import load_catalogue
from indicators.display.charts import BAROMETER_ROW_PX, NOTES_NAME, TITLE_NAME, wrap_text
from indicators.display.labels import status_text
from indicators.errors import UserError
from indicators.store import Store
from tests.conftest import PROJECT_ROOT

PLANS = {"tianjin_2022": 12, "zhanjiang_2023_draft": 5}  # targets per plan
MIN_PIXEL_STDDEV = 20.0  # a blank or single-colour image has (almost) none


@pytest.fixture(scope="module")
def demo_store(read_only_demo_store) -> Store:
    return read_only_demo_store  # none of this module's tests writes to it


@pytest.fixture(scope="module")
def exported(demo_store, tmp_path_factory) -> dict[str, tuple[Briefing, Path, Path]]:
    """Both plans' decks and PNGs, written through one export browser (a real Chromium: the tests reading them are
    marked slow, as is the `brief` command that writes PNGs)."""
    catalogue = load_catalogue()
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    with ImageSession() as session:
        for plan_id in PLANS:
            briefing = collect_briefing(catalogue, demo_store, plan_id=plan_id)
            write_brief(briefing, folder / f"{plan_id}.pptx", folder / plan_id, session=session)
            out[plan_id] = (briefing, folder / f"{plan_id}.pptx", folder / plan_id)
    return out


def slide_texts(path: Path | bytes) -> list[str]:
    """All text on each slide, tables included (a deck file, or its bytes)."""
    texts = []
    for slide in Presentation(io.BytesIO(path) if isinstance(path, bytes) else str(path)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        texts.append("\n".join(parts))
    return texts


# --- the deck ---------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("plan_id", list(PLANS))
def test_deck_has_cover_summary_one_slide_per_target_and_sources(exported, plan_id):
    briefing, deck, _ = exported[plan_id]
    texts = slide_texts(deck)
    assert len(texts) == slide_count(briefing) == PLANS[plan_id] + 3  # one summary slide in Chinese
    cover, summary, *targets, sources = texts
    assert briefing.plan.title_zh in cover and "数据截至" in cover and "判定方法：发改委晴雨表" in cover
    assert "目标总览" in summary and "发改委晴雨表" in summary
    for slide, target in zip(targets, briefing.targets, strict=True):
        assert target.row["indicator_name"] in slide and target.row["reason_barometer"] in slide
        # §8.4: what is still needed, in natural units ("年均需提高9.80个百分点"), or 不适用 where nothing is
        needed = target.row["still_needed_text"]
        assert "完成进度 / 时序进度" in slide and "尚需" in slide
        assert (needed if isinstance(needed, str) else "不适用") in slide
    for target in briefing.plan.targets:
        assert target.quote in sources
    assert "示例数据（虚构数字" in sources and "demo_observations.xlsx" in sources


@pytest.mark.slow
def test_every_slide_says_demo_data_while_demo_figures_are_shown(exported):
    for briefing, deck, _ in exported.values():
        assert briefing.demo
        assert all("示例数据" in text for text in slide_texts(deck))


@pytest.mark.slow
def test_each_target_slide_shows_its_chart_with_a_description(exported):
    briefing, deck, _ = exported["zhanjiang_2023_draft"]
    slides = list(Presentation(str(deck)).slides)[2:-1]
    for slide, target in zip(slides, briefing.targets, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        description = pictures[0]._element.nvPicPr.cNvPr.get("descr")
        assert target.row["indicator_name"] in description and "数据截至" in description


@pytest.mark.slow
def test_summary_table_lists_targets_by_area_worst_first_with_icon_and_word(exported):
    briefing, deck, _ = exported["tianjin_2022"]
    summary = list(Presentation(str(deck)).slides)[1]
    table = next(shape.table for shape in summary.shapes if shape.has_table)
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["领域", "指标", "最新值", "目标", "完成/时序", "状态"]
    assert len(rows) == 1 + PLANS["tianjin_2022"]
    statuses = [row[-1] for row in rows[1:]]
    assert statuses[0] == "■ 红灯"  # the area in the worst state comes first, its worst target first
    assert all(status.split(" ")[0] in "■▲●✔○" for status in statuses)
    names = [row[1] for row in rows[1:]]
    assert names == [t.row["indicator_name"] for t in briefing.targets]


# --- the images -------------------------------------------------------------------------------------

def assert_not_blank(image: Image.Image) -> None:
    stddev = ImageStat.Stat(image.convert("L")).stddev[0]
    assert stddev > MIN_PIXEL_STDDEV, f"image looks blank (stddev {stddev:.1f})"


@pytest.mark.slow
@pytest.mark.parametrize("plan_id", list(PLANS))
def test_every_png_decodes_at_its_expected_size_and_is_not_blank(exported, plan_id):
    briefing, _, folder = exported[plan_id]
    files = sorted(folder.glob("*.png"))
    assert [f.name for f in files] == [BAROMETER_FILE, *sorted(f"{t.file_stem}.png" for t in briefing.targets)]
    expected = {f"{t.file_stem}.png": t.image.pixel_size for t in briefing.targets}
    expected[BAROMETER_FILE] = briefing.barometer_image.pixel_size
    for file in files:
        with Image.open(file) as image:
            image.load()
            assert image.format == "PNG" and image.size == expected[file.name]
            assert_not_blank(image)


@pytest.mark.slow
def test_barometer_has_one_row_per_target_and_its_image_grows_with_the_rows(exported):
    heights = {}
    for plan_id, (briefing, _, folder) in exported.items():
        table = briefing.barometer.data[0]
        assert all(len(column) == PLANS[plan_id] for column in table.cells.values)
        # §8.5: a status judged on a within-year figure has its provisional tag on a second line
        assert list(table.cells.values[-1]) == [status_text(t.row, "barometer", "zh", separator="<br>") for t in briefing.targets]
        with Image.open(folder / BAROMETER_FILE) as image:
            heights[plan_id] = image.size[1]
    extra_rows = PLANS["tianjin_2022"] - PLANS["zhanjiang_2023_draft"]
    scale = exported["tianjin_2022"][0].barometer_image.scale
    assert heights["tianjin_2022"] - heights["zhanjiang_2023_draft"] >= extra_rows * BAROMETER_ROW_PX * scale * 0.9


@pytest.mark.slow
def test_barometer_rows_carry_status_as_icon_and_word_worst_area_first(exported):
    briefing, _, _ = exported["tianjin_2022"]
    table = briefing.barometer.data[0]
    areas, statuses = table.cells.values[0], table.cells.values[-1]
    assert statuses[0] == "■ 红灯"
    assert sum(1 for area in areas if area) == len({t.row["area"] for t in briefing.targets})  # each area named once


@pytest.mark.slow
def test_one_session_renders_different_figures_in_order(exported):
    briefing, _, _ = exported["zhanjiang_2023_draft"]
    small = [ImageSpec(t.figure, 400, 300, 1.0) for t in briefing.targets[:3]]
    with ImageSession() as session:
        pngs = session.render(small)
    assert len(set(pngs)) == 3  # no image served twice although tabs are reused
    for png in pngs:
        with Image.open(io.BytesIO(png)) as image:
            assert image.size == (400, 300)


# --- figures and texts ------------------------------------------------------------------------------

@pytest.mark.slow
def test_chart_carries_title_status_data_as_of_source_and_clause(exported):
    briefing, _, _ = exported["tianjin_2022"]
    target = next(t for t in briefing.targets if t.row["indicator"] == "energy_intensity_reduction")
    annotations = {a.name: a.text for a in target.figure.layout.annotations}
    assert annotations[TITLE_NAME].startswith("<b>单位地区生产总值能耗累计降低率 · 天津市 · ")
    notes = annotations[NOTES_NAME].replace("<br>", "")
    assert "数据截至2024年" in notes and "来源：示例数据" in notes and "（二）主要目标" in notes


def test_wrapping_never_splits_a_number_or_a_status_nor_starts_a_line_with_a_closing_mark():
    lines = wrap_text("累计降低 14.50%（降低）以上目标12345678", 7)
    assert "".join(lines).replace(" ", "") == "累计降低14.50%（降低）以上目标12345678"
    assert all(not line.startswith(("）", "，", "%")) for line in lines)
    assert any("12345678" in line for line in lines) and any("14.50%" in line for line in lines)
    assert wrap_text("工业战略性新兴产业增加值占规模以上工业增加值比重 · 天津市 · ■ 红灯", 33)[-1] == "■ 红灯"


def test_collect_refuses_a_region_outside_the_plan(demo_store):
    with pytest.raises(UserError, match="没有可汇报的目标"):
        collect_briefing(load_catalogue(), demo_store, plan_id="tianjin_2022", region="湛江")


def test_export_is_possible_here_and_says_why_not_without_a_browser(monkeypatch):
    assert has_chinese_font() and export_problem() is None
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    problem = export_problem()
    assert problem and "Chromium" in problem and "scripts/setup.sh" in problem


# --- the command ------------------------------------------------------------------------------------

@pytest.fixture
def run_cli(command):
    """`python -m indicators brief ARGS…` in this process."""

    def call(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return command("indicators", "brief", *args, env=env)

    return call


@pytest.mark.slow
def test_brief_command_writes_the_deck_and_pngs(run_cli, demo_store, tmp_path):
    done = run_cli("--plan", "zhanjiang_2023_draft", "--as-of", "2023", "--db", str(demo_store.path),
                   "--out", str(tmp_path / "deck.pptx"), "--png-dir", str(tmp_path / "png"))
    assert done.returncode == 0, done.stderr
    assert "8 页" in done.stdout and "示例数据" in done.stdout
    texts = slide_texts(tmp_path / "deck.pptx")
    assert len(texts) == 8 and "数据截至2023年" in texts[0]
    assert len(list((tmp_path / "png").glob("*.png"))) == 6


@pytest.mark.parametrize(("args", "message"), [
    (["--plan", "no_such_plan"], "没有id为“no_such_plan”的方案"),
    (["--plan", "tianjin_2022", "--region", "湛江"], "没有可汇报的目标"),
    (["--plan", "tianjin_2022", "--region", "火星"], "不在地区目录中"),
])
def test_brief_command_refuses_bad_input_with_a_clear_message(run_cli, demo_store, tmp_path, args, message):
    done = run_cli(*args, "--db", str(demo_store.path), "--out", str(tmp_path / "deck.pptx"))
    assert done.returncode == 1 and message in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "deck.pptx").exists()


def test_brief_command_refuses_an_output_that_is_not_pptx(run_cli, demo_store, tmp_path):
    done = run_cli("--plan", "tianjin_2022", "--db", str(demo_store.path), "--out", str(tmp_path / "deck.pdf"))
    assert done.returncode == 1 and ".pptx" in done.stderr and "Traceback" not in done.stderr


def test_brief_command_without_a_browser_says_what_to_install(run_cli, demo_store, tmp_path):
    done = run_cli("--plan", "tianjin_2022", "--db", str(demo_store.path), "--out", str(tmp_path / "deck.pptx"),
                   env={"BROWSER_PATH": "/nonexistent/chromium"})
    assert done.returncode == 1 and "Chromium" in done.stderr and "scripts/setup.sh" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "deck.pptx").exists()


def test_status_rows_for_the_deck_match_the_status_command(demo_store):
    """The deck shows the engine's statuses: the same as `status` for every target."""
    from indicators.status import status_records

    catalogue = load_catalogue()
    briefing = collect_briefing(catalogue, demo_store, plan_id="tianjin_2022")
    expected = {r["indicator"]: r["status"]["barometer"] for r in status_records(catalogue, demo_store, plan="tianjin_2022",
                                                                                 region="tianjin")}
    assert {t.row["indicator"]: str(t.row["status_barometer"]) for t in briefing.targets} == expected
    assert isinstance(briefing.batches, pd.DataFrame) and list(briefing.batches["kind"]) == ["demo"]


def test_export_modules_import_without_streamlit():
    code = ("import sys, indicators.briefing.files, indicators.briefing.collect, indicators.briefing.deck, "
            "indicators.briefing.images, indicators.display.figures, indicators.display.labels; "
            "print('streamlit' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_deck_uses_a_target_value_an_administrator_entered(demo_database, tmp_path):
    catalogue = load_catalogue()
    store = Store(shutil.copyfile(demo_database, tmp_path / "override.duckdb"))
    store.initialise(catalogue)
    store.set_target_override("zhanjiang_2023_draft", "co2_intensity_reduction", 18.0, actor="管理员")
    briefing = collect_briefing(catalogue, store, plan_id="zhanjiang_2023_draft")
    co2 = next(t for t in briefing.targets if t.row["indicator"] == "co2_intensity_reduction")
    assert co2.target_short == "累计降低 18.00%" and co2.row["status_barometer"] != "not_set"
