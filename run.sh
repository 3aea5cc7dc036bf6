#!/usr/bin/env bash
# One command: set up and start the dashboard on the embedded DuckDB (demo data on first run).
# Options are passed to streamlit, e.g. ./run.sh --server.port 8600
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/streamlit run server.py "$@"  # app.py plus the login routes (server.py)
