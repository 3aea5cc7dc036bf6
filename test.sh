#!/usr/bin/env bash
# One command: set up and run every check (lint, unit, page, browser tests). Extra args go to pytest.
#   ./test.sh          everything (CI runs this)
#   ./test.sh --fast   all but the tests marked slow or browser, on every core (-m "not slow and not browser" -n auto)
set -euo pipefail
cd "$(dirname "$0")"
args=()
for arg in "$@"; do
  if [[ $arg == --fast ]]; then
    args+=(-m "not slow and not browser" -n auto)
  else
    args+=("$arg")
  fi
done
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/mypy  # indicators/, loaders/, ui/ (settings in pyproject.toml)
.venv/bin/python -m pytest "${args[@]}"
