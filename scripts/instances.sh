#!/usr/bin/env bash
# Try several dashboard instances on one PostgreSQL database on this machine (what a load balancer would front).
#   GTM_DB=postgresql://user:pass@host:5432/gtm scripts/instances.sh start 2 [FIRST_PORT]   # ports 8601, 8602 …
#   scripts/instances.sh stop
# Every instance gets the same GTM_DB and GTM_USERS (and the rest of the environment); their logs and process ids go
# to .instances/. Put deploy/nginx.conf (sticky sessions, WebSocket upgrade) in front to serve them on one address.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=".instances"

case "${1:-}" in
  start)
    count="${2:?how many instances}"
    first_port="${3:-8601}"
    [[ "${GTM_DB:-}" == postgresql://* || "${GTM_DB:-}" == postgres://* ]] || {
      echo "GTM_DB must be a postgresql:// URL: DuckDB lets one process write its file, so instances need PostgreSQL." >&2
      echo "GTM_DB 须为 postgresql:// 地址：DuckDB 文件只允许一个进程写入，多个实例须使用 PostgreSQL。" >&2
      exit 1
    }
    scripts/setup.sh
    mkdir -p "$RUN_DIR"
    .venv/bin/python -m indicators init >/dev/null  # the schema once, before the instances race to create it
    for ((n = 0; n < count; n++)); do
      port=$((first_port + n))
      nohup .venv/bin/streamlit run server.py --server.port "$port" --server.headless true \
        >"$RUN_DIR/instance-$port.log" 2>&1 &
      echo $! >"$RUN_DIR/instance-$port.pid"
      echo "instance $((n + 1)): http://localhost:$port  (log $RUN_DIR/instance-$port.log)"
    done
    ;;
  stop)
    for pid_file in "$RUN_DIR"/instance-*.pid; do
      [[ -f "$pid_file" ]] || continue
      kill "$(cat "$pid_file")" 2>/dev/null || true
      rm -f "$pid_file"
    done
    echo "stopped"
    ;;
  *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
