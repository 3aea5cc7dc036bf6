"""Architecture kept by tests: the domain never imports Streamlit; pages never touch the database.

The files checked are found by walking the folders, so a new module is checked without anyone listing it.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def modules_under(*packages: str) -> list[str]:
    """Every module in these packages and their subpackages, found on disk, except the `__main__` entry points."""
    names = []
    for package in packages:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            if parts[-1] != "__main__":
                names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_domain_and_loaders_import_without_streamlit():
    modules = modules_under("indicators", "loaders")
    assert {"indicators.catalogue", "indicators.users", "indicators.accounts.cli", "loaders.importer", "loaders.backup"} <= set(modules)
    code = f"import sys, {', '.join(modules)}; print('streamlit' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


def test_views_and_ui_never_open_duckdb_or_write_sql():
    forbidden = re.compile(r"import duckdb|duckdb\.connect|\bSELECT\b|\bINSERT\b|\bDELETE\b")
    offenders = [str(p.relative_to(PROJECT_ROOT)) for folder in ("views", "ui") for p in (PROJECT_ROOT / folder).rglob("*.py")
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


def test_only_the_postgres_backend_imports_psycopg():
    importer = re.compile(r"^\s*(import psycopg|from psycopg)", re.MULTILINE)
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.glob("*/**/*.py")
                 if ".venv" not in p.parts and "tests" not in p.parts and "bench" not in p.parts
                 and importer.search(p.read_text(encoding="utf-8"))]
    assert offenders == ["indicators/store/postgres_backend.py"]


def test_the_duckdb_store_runs_without_loading_psycopg():
    code = ("import sys, tempfile, pathlib; from indicators.store import Store; from indicators.catalogue import load_catalogue; "
            "Store(pathlib.Path(tempfile.mkdtemp()) / 'a.duckdb').initialise(load_catalogue()); print('psycopg' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
