"""The two command-line tools, run as a user runs them: exit codes, messages, JSON.

Each command runs in this process through its main(argv) and indicators.cli.run (the `command` fixture);
one test per tool runs it as a real process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BROKEN_ROWS, GOOD_ROWS, PROJECT_ROOT, write_xlsx

CATALOGUE_FIELDS = {"value", "unit", "bound", "wording", "clause", "quote", "departments"}
ENV = {"GTM_USER": "测试员", "GTM_LOCK_TIMEOUT": "1"}


@pytest.fixture
def cli(command):
    """cli("indicators" | "loaders", *args, db=…): the command with the environment a user's shell would give it."""
    inherited_db = os.environ.get("GTM_DB")

    def call(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
        return command(*args, env={**ENV, "GTM_DB": str(db) if db is not None else inherited_db})

    return call


def real_process(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=PROJECT_ROOT, env={**os.environ, **ENV, "GTM_DB": str(db)},
                          capture_output=True, text=True, timeout=120)


def test_catalogue_json_lists_every_target_with_its_traceable_fields(cli):
    run = cli("indicators", "catalogue", "--json")
    assert run.returncode == 0, run.stderr
    plans = json.loads(run.stdout)
    targets = [t for p in plans for t in p["targets"]]
    assert len(targets) == 17
    assert all(set(t) >= CATALOGUE_FIELDS for t in targets)
    energy = next(t for t in targets if t["indicator"] == "energy_intensity_reduction" and t["value"] == 14.5)
    assert (energy["unit"], energy["bound"], energy["wording"], energy["clause"]) == ("%", "at_least", ["降低"], "（二）主要目标")
    assert energy["quote"] == "单位地区生产总值能源消耗降低 14.5%"
    assert energy["departments"] == ["市发展改革委", "各区人民政府"]


def test_validate_command_passes_on_the_shipped_catalogue(cli):
    run = cli("indicators", "validate")
    assert run.returncode == 0 and "全部有效" in run.stdout


def test_import_dry_run_then_publish_then_history_then_rollback(cli, tmp_path):
    db = tmp_path / "cli.duckdb"
    good = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
    dry = cli("loaders", "import", str(good), "--dry-run", "--json", db=db)
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    assert preview["dry_run"] and preview["counts"] == {"new": 6, "changed": 0, "unchanged": 0}

    published = cli("loaders", "import", str(good), db=db)
    assert published.returncode == 0 and "已发布为批次 1" in published.stdout

    history = json.loads(cli("loaders", "history", "--json", db=db).stdout)
    assert [(b["batch_id"], b["imported_by"], b["file_name"]) for b in history] == [(1, "测试员", "good.xlsx")]
    assert len(history[0]["sha256"]) == 64

    status = json.loads(cli("indicators", "status", "--json", "--region", "广东湛江", db=db).stdout)
    capacity = next(r for r in status if r["indicator"] == "non_fossil_capacity_share")
    assert (capacity["latest_year"], capacity["latest_value"]) == (2023, 45.6)

    rolled = cli("loaders", "rollback", "1", db=db)
    assert rolled.returncode == 0 and "已撤销批次 1" in rolled.stdout
    status = json.loads(cli("indicators", "status", "--json", "--region", "广东湛江", db=db).stdout)
    assert next(r for r in status if r["indicator"] == "non_fossil_capacity_share")["latest_value"] is None


def test_import_of_a_broken_file_exits_non_zero_with_every_problem_and_no_traceback(cli, tmp_path):
    db = tmp_path / "cli.duckdb"
    run = cli("loaders", "import", str(write_xlsx(tmp_path / "broken.xlsx", BROKEN_ROWS)), db=db)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.count("文件 broken.xlsx，工作表 数据，单元格") == len(BROKEN_ROWS)
    assert json.loads(cli("loaders", "history", "--json", db=db).stdout) == []


def test_missing_file_unknown_plan_and_unknown_batch_exit_non_zero_with_a_message(cli, tmp_path):
    db = tmp_path / "cli.duckdb"
    missing = cli("loaders", "import", str(tmp_path / "nope.xlsx"), db=db)
    assert missing.returncode == 1 and "nope.xlsx" in missing.stderr and "Traceback" not in missing.stderr
    plan = cli("indicators", "status", "--plan", "beijing", db=db)
    assert plan.returncode == 1 and "没有id为“beijing”的方案" in plan.stderr
    batch = cli("loaders", "rollback", "42", db=db)
    assert batch.returncode == 1 and "没有编号为 42 的导入批次" in batch.stderr


def test_template_and_export_commands_write_files(cli, tmp_path):
    db = tmp_path / "cli.duckdb"
    assert cli("loaders", "template", str(tmp_path / "t.xlsx")).returncode == 0
    assert (tmp_path / "t.xlsx").stat().st_size > 0
    cli("loaders", "import", str(write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)), db=db)
    run = cli("loaders", "export", str(tmp_path / "out.csv"), db=db)
    assert run.returncode == 0 and "已导出 6 行" in run.stdout
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()[0] == "地区,指标,年份,月份,数值,单位,状态,来源,备注"


def test_status_json_gives_the_worked_example_of_the_methodology(cli, tmp_path):
    db = tmp_path / "cli.duckdb"
    rates = [["天津市", "单位地区生产总值能耗下降率", year, None, rate, "%", "正式", "公报", None]
             for year, rate in ((2021, 3.0), (2022, 1.0), (2023, 3.5))]
    assert cli("loaders", "import", str(write_xlsx(tmp_path / "rates.xlsx", rates)), db=db).returncode == 0
    run = cli("indicators", "status", "--json", "--plan", "tianjin_2022", "--region", "天津", db=db)
    assert run.returncode == 0, run.stderr
    record = next(r for r in json.loads(run.stdout) if r["indicator"] == "energy_intensity_reduction")
    expected_keys = ["plan", "region", "indicator", "name_zh", "unit", "kind", "target", "bound", "base_year", "target_year",
                     "latest_year", "latest_value", "time_progress", "completion_progress", "gap_pp", "required_annual_rate",
                     "projected_value", "ratio", "status", "explanation_zh", "explanation_en"]
    assert list(record)[: len(expected_keys)] == expected_keys
    assert (record["latest_year"], round(record["latest_value"], 2), record["time_progress"]) == (2023, 7.33, 0.6)
    assert (round(record["completion_progress"], 3), round(record["gap_pp"], 2)) == (0.506, -9.44)
    assert (round(record["required_annual_rate"], 2), round(record["ratio"], 2)) == (3.95, 0.81)
    assert record["status"] == {"barometer": "red", "ratio": "acceleration_needed", "anticipated": "fair"}
    assert "红灯" in record["explanation_zh"] and "red" in record["explanation_en"]
    as_of = json.loads(cli("indicators", "status", "--json", "--plan", "tianjin_2022", "--as-of", "2022", db=db).stdout)
    assert next(r for r in as_of if r["indicator"] == "energy_intensity_reduction")["latest_year"] == 2022


def test_backup_and_restore_run_from_the_loaders_command(cli, tmp_path):
    db, restored = tmp_path / "cli.duckdb", tmp_path / "restored.duckdb"
    cli("loaders", "import", str(write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)), db=db)
    backup = cli("loaders", "backup", str(tmp_path / "snapshot.duckdb"), db=db)
    assert backup.returncode == 0, backup.stderr
    restore = cli("loaders", "restore", str(tmp_path / "snapshot.duckdb"), "--db", str(restored))
    assert restore.returncode == 0, restore.stderr
    exported = [cli("loaders", "export", str(tmp_path / f"{name}.csv"), db=path) for name, path in (("a", db), ("b", restored))]
    assert all(run.returncode == 0 for run in exported)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


@pytest.mark.slow  # a real process (the one smoke test of `python -m loaders`)
def test_the_loaders_command_runs_as_a_real_process(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)
    dry = real_process("loaders", "import", str(good), "--dry-run", "--json", db=tmp_path / "cli.duckdb")
    assert dry.returncode == 0, dry.stderr
    preview = json.loads(dry.stdout)
    assert preview["dry_run"] and preview["counts"] == {"new": 6, "changed": 0, "unchanged": 0}


@pytest.mark.slow  # a real process (the one smoke test of `python -m indicators`)
def test_the_indicators_command_runs_as_a_real_process(tmp_path):
    run = real_process("indicators", "status", "--json", "--region", "广东湛江", db=tmp_path / "cli.duckdb")
    assert run.returncode == 0, run.stderr
    assert next(r for r in json.loads(run.stdout) if r["indicator"] == "non_fossil_capacity_share")["latest_value"] is None


def test_a_rolled_back_batch_is_reapplied_from_the_command_line_as_a_new_batch(cli, tmp_path):
    db = tmp_path / "cli.duckdb"
    cli("loaders", "import", str(write_xlsx(tmp_path / "good.xlsx", GOOD_ROWS)), db=db)
    active = cli("loaders", "reapply", "1", db=db)
    assert active.returncode == 1 and "没有撤销" in active.stderr
    cli("loaders", "rollback", "1", db=db)
    again = cli("loaders", "reapply", "1", db=db)
    assert again.returncode == 0 and "已重新应用批次 1，作为新批次 2：新增 6" in again.stdout
    history = json.loads(cli("loaders", "history", "--json", db=db).stdout)
    assert [(b["batch_id"], b["rolled_back_at"] is None) for b in history] == [(1, False), (2, True)]


def test_the_import_command_names_series_no_target_uses_and_imports_them(cli, tmp_path):
    db = tmp_path / "cli.duckdb"
    rows = [["天津市", "二氧化碳排放量", 2021, None, 150.0, "百万吨", "正式", "CEADs", None]]
    run = cli("loaders", "import", str(write_xlsx(tmp_path / "co2.xlsx", rows)), "--json", db=db)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["unused_series"] == [{"region_id": "tianjin", "indicator_id": "co2_emissions", "rows": 1}]
    assert result["batch_id"] == 1
    text = cli("loaders", "import", str(tmp_path / "co2.xlsx"), "--dry-run", db=db)
    assert "以下序列目前没有方案目标使用：tianjin co2_emissions（1行）" in text.stdout
