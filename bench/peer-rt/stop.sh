#!/usr/bin/env bash
# Stops the benchmark RT instance started by start.sh (its master and workers, by
# the process group start.sh created). The instance folder stays; setup.sh wipes it.
set -euo pipefail
RT_DIR=${RT_DIR:-/tmp/opsdesk-rt}
pidfile=$RT_DIR/server.pid
[[ -f $pidfile ]] || { echo "peer-rt: not running" >&2; exit 0; }
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
fi
rm -f "$pidfile"
echo "peer-rt: stopped" >&2
