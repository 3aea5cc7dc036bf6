"""Architecture kept by tests: the domain never imports Streamlit; pages never touch the database."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def test_domain_and_loaders_import_without_streamlit():
    code = (
        "import sys, indicators.catalogue, indicators.store, indicators.progress, indicators.status, "
        "indicators.__main__, loaders.read, loaders.normalise, loaders.template, loaders.importer, "
        "loaders.export, loaders.demo, loaders.__main__, indicators.users, indicators.targets, loaders.backup; "
        "print('streamlit' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_views_and_ui_never_open_duckdb_or_write_sql():
    forbidden = re.compile(r"import duckdb|duckdb\.connect|\bSELECT\b|\bINSERT\b|\bDELETE\b")
    offenders = [str(p.relative_to(PROJECT_ROOT)) for folder in ("views", "ui") for p in (PROJECT_ROOT / folder).glob("*.py")
                 if forbidden.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_only_the_store_opens_duckdb():
    opener = re.compile(r"duckdb\.connect")
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.glob("*/**/*.py")
                 if ".venv" not in p.parts and "tests" not in p.parts and "bench" not in p.parts
                 and opener.search(p.read_text(encoding="utf-8"))]
    assert offenders == ["indicators/store/duckdb_backend.py"]


def test_only_the_duckdb_backend_imports_duckdb():
    importer = re.compile(r"^\s*(import duckdb|from duckdb)", re.MULTILINE)
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.glob("*/**/*.py")
                 if ".venv" not in p.parts and "tests" not in p.parts and "bench" not in p.parts
                 and importer.search(p.read_text(encoding="utf-8"))]
    assert offenders == ["indicators/store/duckdb_backend.py"]
