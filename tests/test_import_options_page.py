"""The data page's import options under AppTest: what the file does not say is picked on the page, the preview
follows, refusals name the page's controls (never a CLI flag), recipes go both ways between page and CLI, and the
preview says which targets publishing would change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from indicators.store import Store
from loaders.option_wording import names_a_flag, page_text
from loaders.recipes import load_recipe
from tests.accounts import ANALYST, ANALYST_PASSWORD
from tests.conftest import GOOD_ROWS, PROJECT_ROOT, write_xlsx
from tests.test_pages import run_app

pytestmark = pytest.mark.usefixtures("app_state")

COMMUNIQUE_ROWS = [
    ["2023年国民经济和社会发展主要指标"],
    ["指标", "2021年", "2022年", "2023年"],
    ["空气质量优良天数比例（%）", 70.1, 71.2, 72.0],
    ["非化石能源消费比重（%）", 9.0, 10.1, 11.0],
    ["清洁能源装机占比（%）", 40.0, 44.0, 47.5],  # not a catalogue name: mapped on the page
]


def communique(path: Path) -> bytes:
    """A statistics communiqué's table: indicators × years, and nowhere a word of which city."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "主要指标"
    for row in COMMUNIQUE_ROWS:
        sheet.append(row)
    workbook.save(path)
    return path.read_bytes()


@pytest.fixture(autouse=True)
def recipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped recipes, copied: a recipe saved in a test never lands in the repository."""
    folder = tmp_path / "recipes"
    shutil.copytree(PROJECT_ROOT / "data" / "recipes", folder)
    monkeypatch.setenv("GTM_RECIPES_DIR", str(folder))
    return folder


def data_page():
    return run_app("views/data.py", login=(ANALYST, ANALYST_PASSWORD))


def option_key(at, option: str) -> str:
    """The widget key of an import option of the current upload (keys carry the upload's id)."""
    keys = [w.key for w in (*at.selectbox, *at.toggle, *at.text_input) if w.key and w.key.startswith("import_opt_")]
    found = [k for k in keys if k.endswith(f"_{option}")]
    assert found, (option, keys)
    return found[0]


def shown(markdown: str) -> str:
    """Markdown as read on screen: the escapes that keep uploaded text inert removed."""
    return markdown.replace("\\", "")


def page_texts(at) -> list[str]:
    """Everything the page wrote in messages and tables (the demo banner aside: it is not about the upload)."""
    texts = [m.value for group in (at.error, at.warning, at.info, at.success, at.caption, at.markdown) for m in group
             if "示例数据" not in m.value]
    for frame in (*at.dataframe, *at.table):
        texts.extend(str(v) for v in frame.value.to_numpy().ravel())
    return texts


def test_a_communique_table_without_a_region_is_refused_naming_the_region_control_not_a_flag(tmp_path):
    at = data_page()
    at.file_uploader[0].upload("公报.xlsx", communique(tmp_path / "c.xlsx")).run()
    assert "个问题" in at.error[0].value
    hints = " ".join(at.table[0].value.iloc[:, -1])
    assert "“导入选项”中的“全表地区”" in hints
    assert not any(names_a_flag(text) for text in page_texts(at)), [t for t in page_texts(at) if names_a_flag(t)]


def test_choosing_the_region_on_the_page_imports_the_communique_table_for_that_region(tmp_path):
    at = data_page()
    at.file_uploader[0].upload("公报.xlsx", communique(tmp_path / "c.xlsx")).run()
    at.selectbox(key=option_key(at, "region")).select("zhanjiang").run()
    assert not at.error, [e.value for e in at.error]
    assert [m.value for m in at.metric] == ["6", "0", "0"]  # two indicators × three years; the third label is unknown
    at.button(key="publish").click().run()
    rows = Store(os.environ["GTM_DB"]).current_observations(regions=["zhanjiang"],
                                                            indicators=["non_fossil_energy_consumption_share"])
    assert sorted(rows["year"].tolist()) == [2021, 2022, 2023]


def test_a_label_mapped_to_a_catalogue_indicator_on_the_page_is_imported_as_that_indicator(tmp_path):
    at = data_page()
    at.file_uploader[0].upload("公报.xlsx", communique(tmp_path / "c.xlsx")).run()
    at.selectbox(key=option_key(at, "region")).select("zhanjiang").run()
    label_box = at.selectbox(key=option_key(at, "label_new"))
    assert "清洁能源装机占比(%)" in label_box.options  # offered from the file itself, as read (normalised)
    label_box.select("清洁能源装机占比(%)")
    at.selectbox(key=option_key(at, "label_indicator")).select("non_fossil_capacity_share").run()
    add = next(b for b in at.button if b.key and b.key.endswith("_labels_add"))
    add.click().run()
    assert any("“清洁能源装机占比(%)” → 非化石能源装机比重" in shown(m.value) for m in at.markdown)
    new, changed, _ = (int(m.value) for m in at.metric)
    assert new + changed == 9  # the mapped label's three years too (the demo data had some of them)


def test_the_whole_table_indicator_and_year_are_picked_from_the_catalogue(tmp_path):
    rows = [["地区", "数值"], ["天津市", 12.5], ["湛江市", 30.0]]
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(tmp_path / "t.xlsx")
    at = data_page()
    at.file_uploader[0].upload("t.xlsx", (tmp_path / "t.xlsx").read_bytes()).run()
    assert at.error  # neither the indicator nor the year is written anywhere
    at.selectbox(key=option_key(at, "indicator")).select("non_fossil_energy_consumption_share")
    at.selectbox(key=option_key(at, "year")).select(2024).run()
    assert not at.error, [e.value for e in at.error]
    assert (at.metric[0].value, at.metric[1].value) == ("1", "1")  # 湛江 new; 天津 2024 revised


def test_a_recipe_saved_on_the_page_is_applied_by_the_cli(tmp_path, recipes, command):
    at = data_page()
    at.file_uploader[0].upload("公报.xlsx", communique(tmp_path / "c.xlsx")).run()
    at.selectbox(key=option_key(at, "region")).select("zhanjiang").run()
    at.text_input(key=option_key(at, "recipe_name")).input("湛江公报").run()
    save = next(b for b in at.button if b.key and b.key.endswith("recipe_name_save"))
    save.click().run()
    assert any("已保存导入配方“湛江公报”" in s.value for s in at.success)
    assert load_recipe("湛江公报", recipes).overrides.region == "湛江市"
    audit = Store(os.environ["GTM_DB"]).audit_log()
    assert "湛江公报" in audit[audit["action"] == "recipe_saved"]["subject"].tolist()
    result = command("loaders", "import", str(tmp_path / "c.xlsx"), "--dry-run", "--json",
                     env={"GTM_RECIPES_DIR": str(recipes)})
    assert '"recipe": "湛江公报"' in result.stdout and '"region_id": "zhanjiang"' in result.stdout


def test_a_recipe_saved_by_the_cli_is_offered_and_applied_automatically_and_can_be_switched_off(tmp_path, recipes, command):
    path = tmp_path / "c.xlsx"
    communique(path)
    command("loaders", "import", str(path), "--region", "天津", "--dry-run", "--save-recipe", "tianjin_communique",
            env={"GTM_RECIPES_DIR": str(recipes)})
    at = data_page()
    at.file_uploader[0].upload("公报.xlsx", path.read_bytes()).run()
    assert "tianjin_communique" in at.selectbox(key=option_key(at, "recipe")).options
    assert any("已自动套用与本文件格式相同的配方“tianjin_communique”" in shown(i.value) for i in at.info), [i.value for i in at.info]
    assert not at.error
    at.toggle(key=option_key(at, "use_recipes")).set_value(False).run()
    assert at.error and "“导入选项”中的“全表地区”" in " ".join(at.table[0].value.iloc[:, -1])


def test_a_bad_recipe_name_is_refused_on_the_page_in_its_own_words(tmp_path, recipes):
    at = data_page()
    at.file_uploader[0].upload("good.xlsx", write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS).read_bytes()).run()
    at.text_input(key=option_key(at, "recipe_name")).input("../../etc/passwd").run()
    next(b for b in at.button if b.key and b.key.endswith("recipe_name_save")).click().run()
    assert "配方名称只能包含" in at.error[0].value and not names_a_flag(at.error[0].value)
    assert sorted(p.name for p in recipes.iterdir()) == sorted(p.name for p in (PROJECT_ROOT / "data" / "recipes").iterdir())


def test_the_preview_lists_the_targets_whose_status_publishing_would_change(tmp_path):
    rows = [["天津市", "非化石能源消费比重", 2025, None, 13.0, "%", "正式", "2025年公报", None]]
    at = data_page()
    at.file_uploader[0].upload("nf.xlsx", write_xlsx(tmp_path / "nf.xlsx", rows).read_bytes()).run()
    lines = [shown(m.value) for m in at.markdown if "→" in m.value]
    assert any("天津市 非化石能源消费比重：" in line and "→" in line and "13.0%（2025年）" in line for line in lines), lines


def test_page_wording_replaces_every_import_flag_of_the_cli(command):
    from loaders.__main__ import build_parser

    parser = build_parser()
    import_parser = parser._subparsers._group_actions[0].choices["import"]  # type: ignore[union-attr]
    flags = [f for action in import_parser._actions for f in action.option_strings
             if f.startswith("--") and f not in ("--help", "--db", "--dry-run", "--json", "--user", "--note")]
    for flag in flags:
        worded = page_text(f"请用 {flag} 指定，例如 {flag} 天津。")
        assert not names_a_flag(worded), (flag, worded)
