#!/usr/bin/env bash
# One command: set up and run every check (lint, unit, page, browser tests). Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/mypy  # indicators/, loaders/, ui/ (settings in pyproject.toml)
.venv/bin/python -m pytest "$@"
