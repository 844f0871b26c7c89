#!/usr/bin/env bash
# Runs the opsdesk benchmarks of docs/PERFORMANCE.md on SQLite and PostgreSQL.
#
# Usage: bench/run_opsdesk.sh [sqlite] [postgresql]     (default: both)
# Environment:
#   TICKETS=1000000   tickets data_generator writes before the server starts
#   SEED=42           corpus seed (RT gets the same tickets: bench/peer-rt/setup.sh)
#   WORKDIR=/tmp/opsdesk-bench   databases, logs and results (results-opsdesk.txt)
#   SKIP_BUILD=1      do not run ./opsdesk.sh build
#   REUSE_DATA=1      SQLite: reuse $WORKDIR/sqlite-$TICKETS.pristine.db if present
#   OPSDESK_LOG_LEVEL the server's log level (default info: the access log is on,
#                     written to a file, as in production)
#
# For each engine: generate TICKETS tickets, add the benchmark agent and a token,
# start the server three times measuring exec -> "opsdesk listening" line, then
# on the running server: get at 256 connections, list at 1 and 16 connections,
# RSS (VmRSS of the server after the list runs), create at 1 and 64 connections
# (each create is acknowledged only after its commit is fsynced; creates run last
# so get and list see exactly TICKETS tickets). Load generator and server share
# this machine's cores; the load average is printed with every run.
#
# Each measurement appends its RESULT line to $WORKDIR/results-opsdesk.txt with
# the engine prepended; the summary at the end is built from that file.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

TICKETS=${TICKETS:-1000000}
SEED=${SEED:-42}
WORKDIR=${WORKDIR:-/tmp/opsdesk-bench}
export OPSDESK_LOG_LEVEL=${OPSDESK_LOG_LEVEL:-info}
mkdir -p "$WORKDIR"
results=$WORKDIR/results-opsdesk.txt

bin=$repo/build/opsdesk
datagen=$repo/build/bench/data_generator
loadgen=$repo/build/bench/load_generator

# Request counts; every run is also bounded by --duration-s.
GET_REQUESTS=${GET_REQUESTS:-300000}
LIST_REQUESTS_1=${LIST_REQUESTS_1:-3000}
LIST_REQUESTS_16=${LIST_REQUESTS_16:-10000}
CREATE_REQUESTS_1=${CREATE_REQUESTS_1:-3000}
CREATE_REQUESTS_64=${CREATE_REQUESTS_64:-40000}
DURATION_S=${DURATION_S:-40}
WRK_SECONDS=${WRK_SECONDS:-20}
LIST_PATH='/api/v1/tickets?status=open&queue=ingestion&limit=50'

log() { echo "run_opsdesk: $*" >&2; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_pid=""
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT

# Starts the server on $db_url; sets server_pid, port, start_s.
start_server() {
  local db_url=$1 logfile=$2
  port=$(free_port)
  : >"$logfile"
  local t0 t1
  t0=$(date +%s%N)
  "$bin" serve --listen "127.0.0.1:$port" --db "$db_url" >>"$logfile" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 30000); do
    if grep -q "^opsdesk listening on" "$logfile"; then
      t1=$(date +%s%N)
      start_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      log "server exited; log:"
      tail -20 "$logfile" >&2
      return 1
    fi
    sleep 0.002
  done
  log "server did not start"
  return 1
}

# run_load ENGINE LABEL ARGS...: one load_generator run; its RESULT line is saved.
run_load() {
  local engine=$1 label=$2
  shift 2
  log "$engine $label: load_generator $*"
  local out
  out=$("$loadgen" --target opsdesk --port "$port" --token "$token" --label "$label" "$@" || true)
  echo "$out" >&2
  grep '^RESULT ' <<<"$out" | sed "s/^RESULT /RESULT engine=$engine /" >>"$results" || {
    log "no RESULT from load_generator"
    return 1
  }
}

bench_engine() {
  local engine=$1 db_url=$2
  local logfile=$WORKDIR/server-$engine.log

  log "$engine: adding the benchmark agent and a token"
  echo 'bench-password-not-secret' |
    "$bin" user add --db "$db_url" --email bench@opsdesk.example.com --name "Bench Agent" --role agent \
      --password-stdin >/dev/null
  token=$("$bin" token create --db "$db_url" --email bench@opsdesk.example.com --name bench)

  # Start time: three cold starts of the process on the loaded database.
  local starts=()
  for i in 1 2 3; do
    start_server "$db_url" "$logfile"
    starts+=("$start_s")
    log "$engine: start $i: ${start_s}s (exec -> listening line) pid=$server_pid"
    if ((i < 3)); then stop_server; fi
  done
  local median
  median=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 2p)
  echo "RESULT engine=$engine target=opsdesk mode=start label=start-1m start_s=$median starts=$(IFS=,; echo "${starts[*]}") loadavg_after=$(cut -d' ' -f1 /proc/loadavg)" >>"$results"

  # Warm-up (not recorded): caches and connection pools, as on a running desk.
  "$loadgen" --target opsdesk --port "$port" --token "$token" --mode get --connections 64 --requests 20000 \
    --duration-s 10 --id-min 1 --id-max "$TICKETS" --seed 7 --label warmup >/dev/null || true

  run_load "$engine" get-256 --mode get --connections 256 --requests "$GET_REQUESTS" --duration-s "$DURATION_S" \
    --id-min 1 --id-max "$TICKETS" --seed "$SEED"
  # The same GETs from wrk (lighter than load_generator), when it is installed
  # (scripts/deps.sh bench).
  if command -v wrk >/dev/null; then
    log "$engine get-256-wrk: wrk -t1 -c256 -d${WRK_SECONDS}s"
    local wrk_out
    wrk_out=$(TOKEN=$token ID_MAX=$TICKETS SEED=$SEED wrk -t1 -c256 -d"${WRK_SECONDS}s" --timeout 10s \
      -s "$repo/bench/wrk_get.lua" "http://127.0.0.1:$port/" || true)
    echo "$wrk_out" >&2
    grep '^WRK ' <<<"$wrk_out" |
      sed "s/^WRK /RESULT engine=$engine target=opsdesk mode=get label=get-256-wrk connections=256 /; s/\$/ loadavg_after=$(cut -d' ' -f1 /proc/loadavg)/" \
        >>"$results" || log "no WRK line from wrk"
  fi
  run_load "$engine" list-1 --mode list --connections 1 --requests "$LIST_REQUESTS_1" --duration-s "$DURATION_S" \
    --path "$LIST_PATH"
  run_load "$engine" list-16 --mode list --connections 16 --requests "$LIST_REQUESTS_16" --duration-s "$DURATION_S" \
    --path "$LIST_PATH"

  # VmRSS is the figure the target names. It counts the pages of SQLite's
  # memory-mapped database file once per mapping (each pooled connection maps it),
  # so RssAnon (heap: page caches, buffers) and Pss are recorded beside it.
  local status=/proc/$server_pid/status rss hwm anon file pss
  rss=$(awk '/^VmRSS/ { print $2 }' "$status")
  hwm=$(awk '/^VmHWM/ { print $2 }' "$status")
  anon=$(awk '/^RssAnon/ { print $2 }' "$status")
  file=$(awk '/^RssFile/ { print $2 }' "$status")
  pss=$(awk '/^Pss:/ { print $2 }' "/proc/$server_pid/smaps_rollup" 2>/dev/null || echo 0)
  log "$engine: server VmRSS ${rss} kB (RssAnon ${anon} kB, RssFile ${file} kB, Pss ${pss} kB, peak VmHWM ${hwm} kB) after get and list"
  echo "RESULT engine=$engine target=opsdesk mode=rss label=rss-1m rss_mb=$((rss / 1024)) anon_mb=$((anon / 1024)) file_mb=$((file / 1024)) pss_mb=$((pss / 1024)) hwm_mb=$((hwm / 1024)) loadavg_after=$(cut -d' ' -f1 /proc/loadavg)" >>"$results"

  # Creates: corpus tickets after those data_generator wrote, the same numbers
  # run_rt.sh posts to RT.
  run_load "$engine" create-1 --mode create --connections 1 --requests "$CREATE_REQUESTS_1" \
    --duration-s "$DURATION_S" --seed "$SEED" --first-index 1000001
  run_load "$engine" create-64 --mode create --connections 64 --requests "$CREATE_REQUESTS_64" \
    --duration-s "$DURATION_S" --seed "$SEED" --first-index 1100001
  local stats
  stats=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics" | grep -E '^opsdesk_db_(commits|transactions)' || true)
  [[ -n $stats ]] && log "$engine: $(tr '\n' ' ' <<<"$stats")"
  stop_server
}

run_sqlite() {
  local pristine=$WORKDIR/sqlite-$TICKETS.pristine.db
  local db=$WORKDIR/sqlite-bench.db
  if [[ ${REUSE_DATA:-} == 1 && -f $pristine ]]; then
    log "sqlite: reusing $pristine"
  else
    rm -f "$pristine" "$pristine-wal" "$pristine-shm"
    log "sqlite: generating $TICKETS tickets"
    "$datagen" --db "sqlite:$pristine" --tickets "$TICKETS" --seed "$SEED" | tee "$WORKDIR/datagen-sqlite.log" >&2
    grep 'done' "$WORKDIR/datagen-sqlite.log" | sed 's/^data_generator: done /RESULT engine=sqlite target=opsdesk mode=datagen label=datagen /' >>"$results"
  fi
  rm -f "$db" "$db-wal" "$db-shm"
  cp "$pristine" "$db"
  log "sqlite: database $(du -h "$db" | cut -f1)"
  bench_engine sqlite "sqlite:$db"
}

run_postgresql() {
  # Runs inside scripts/with-postgres.sh: a fresh cluster, removed afterwards.
  local url=$OPSDESK_TEST_PG_URL
  log "postgresql: generating $TICKETS tickets into $url"
  "$datagen" --db "$url" --tickets "$TICKETS" --seed "$SEED" | tee "$WORKDIR/datagen-postgresql.log" >&2
  grep 'done' "$WORKDIR/datagen-postgresql.log" | sed 's/^data_generator: done /RESULT engine=postgresql target=opsdesk mode=datagen label=datagen /' >>"$results"
  bench_engine postgresql "$url"
}

summary() {
  python3 "$repo/bench/summarize.py" "$results"
}

case "${1:-}" in
  --inner-postgresql)
    run_postgresql
    exit 0
    ;;
esac

engines=("$@")
((${#engines[@]})) || engines=(sqlite postgresql)

if [[ ${SKIP_BUILD:-} != 1 ]]; then
  log "building"
  ./opsdesk.sh build >&2
  scripts/deps.sh test >&2   # PostgreSQL server and curl
  scripts/deps.sh bench >&2  # wrk
fi
for tool in "$bin" "$datagen" "$loadgen"; do
  [[ -x $tool ]] || { log "$tool missing; run ./opsdesk.sh build"; exit 1; }
done

{
  echo "# run $(date -u +%Y-%m-%dT%H:%M:%SZ) tickets=$TICKETS seed=$SEED log_level=$OPSDESK_LOG_LEVEL commit=$(git rev-parse --short HEAD 2>/dev/null || echo -)"
  echo "# machine: nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
} >>"$results"

for engine in "${engines[@]}"; do
  case $engine in
    sqlite) run_sqlite ;;
    postgresql | postgres) scripts/with-postgres.sh "$0" --inner-postgresql ;;
    *) log "unknown engine $engine"; exit 2 ;;
  esac
done
summary
