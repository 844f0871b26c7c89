#!/usr/bin/env bash
# Runs the same load_generator modes as run_opsdesk.sh against Request Tracker 5
# (the peer set up by bench/peer-rt/setup.sh), and prints the comparison table
# when opsdesk results exist.
#
# Usage: bench/run_rt.sh
# Environment:
#   RT_DIR=/tmp/opsdesk-rt        the instance (setup.sh is run when it is missing)
#   WORKDIR=/tmp/opsdesk-bench    results go to $WORKDIR/results-rt.txt
#   SEED=42                       corpus seed (the same as run_opsdesk.sh)
#
# RT creates about 15 tickets/s, so the request counts here are far smaller than
# opsdesk's: 100 creates on 1 connection, 200 on 64, 2,000 GETs, 200/400 list
# pages. Each run is also bounded by --duration-s. RT's database holds the first
# RT_TICKETS (default 2,000) corpus tickets, not a million: loading RT through its
# API runs at its create rate (a million would take some 18 hours).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

RT_DIR=${RT_DIR:-/tmp/opsdesk-rt}
WORKDIR=${WORKDIR:-/tmp/opsdesk-bench}
SEED=${SEED:-42}
mkdir -p "$WORKDIR"
results=$WORKDIR/results-rt.txt
loadgen=$repo/build/bench/load_generator

CREATE_REQUESTS_1=${CREATE_REQUESTS_1:-100}
CREATE_REQUESTS_64=${CREATE_REQUESTS_64:-200}
GET_REQUESTS=${GET_REQUESTS:-2000}
LIST_REQUESTS_1=${LIST_REQUESTS_1:-200}
LIST_REQUESTS_16=${LIST_REQUESTS_16:-400}
DURATION_S=${DURATION_S:-120}
# The opsdesk list page in RT's terms: TicketSQL for the same filter, 50 per page,
# newest update first, with the fields an agent's list shows.
LIST_PATH="/REST/2.0/tickets?query=Queue%3D%27ingestion%27%20AND%20Status%3D%27open%27&per_page=50&orderby=LastUpdated&order=DESC&fields=Subject,Status,Queue,Owner,Requestor,Priority,Created,LastUpdated"

log() { echo "run_rt: $*" >&2; }

[[ -x $loadgen ]] || { log "$loadgen missing; run ./opsdesk.sh build"; exit 1; }
if [[ ! -f $RT_DIR/password || ! -f $RT_DIR/tickets ]]; then
  log "no RT instance in $RT_DIR; running bench/peer-rt/setup.sh"
  RT_DIR=$RT_DIR bench/peer-rt/setup.sh
fi
export RT_DIR
port=$(cat "$RT_DIR/port")
rt_tickets=$(cat "$RT_DIR/tickets")

{
  echo "# run $(date -u +%Y-%m-%dT%H:%M:%SZ) target=rt rt_tickets=$rt_tickets seed=$SEED rt=$(dpkg-query -W -f='${Version}' request-tracker5) workers=${RT_WORKERS:-10}"
  echo "# machine: nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
} >>"$results"

run_load() {
  local label=$1
  shift
  log "$label: load_generator $*"
  local out
  # Origin: RT 5.0.3+dfsg-3~deb12u7 refuses cookie-authenticated REST2 writes without it (CSRF check).
  out=$("$loadgen" --target rt --port "$port" --cookie "$(cat "$RT_DIR/cookie")" --header "Origin: http://127.0.0.1:$port" \
    --label "$label" "$@" || true)
  echo "$out" >&2
  grep '^RESULT ' <<<"$out" | sed "s/^RESULT /RESULT engine=sqlite /" >>"$results" || {
    log "no RESULT from load_generator"
    return 1
  }
}

# Start time: three restarts, exec -> REST2 answering (start.sh measures it).
bench/peer-rt/stop.sh
starts=()
for i in 1 2 3; do
  out=$(bench/peer-rt/start.sh 2>&1)
  echo "$out" >&2
  starts+=("$(sed -n 's/.*start_s=\([0-9.]*\).*/\1/p' <<<"$out")")
  if ((i < 3)); then bench/peer-rt/stop.sh; fi
done
median=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 2p)
echo "RESULT engine=sqlite target=rt mode=start label=start-1m start_s=$median starts=$(IFS=,; echo "${starts[*]}") loadavg_after=$(cut -d' ' -f1 /proc/loadavg)" >>"$results"

# Warm-up (not recorded): every Starlet worker loads RT's code and caches lazily.
"$loadgen" --target rt --port "$port" --cookie "$(cat "$RT_DIR/cookie")" --mode get --connections 10 --requests 200 \
  --duration-s 60 --id-min 1 --id-max "$rt_tickets" --seed 7 --label warmup >/dev/null || true

run_load get-256 --mode get --connections 256 --requests "$GET_REQUESTS" --duration-s "$DURATION_S" \
  --id-min 1 --id-max "$rt_tickets" --seed "$SEED"
run_load list-1 --mode list --connections 1 --requests "$LIST_REQUESTS_1" --duration-s "$DURATION_S" --path "$LIST_PATH"
run_load list-16 --mode list --connections 16 --requests "$LIST_REQUESTS_16" --duration-s "$DURATION_S" \
  --path "$LIST_PATH"

# Memory: the master and its workers together (a prefork server's footprint).
# RSS counts pages shared between the forked workers once per process; Pss
# divides them among the sharers.
master=$(cat "$RT_DIR/server.pid")
rss=0
pss=0
anon=0
for pid in $(pgrep -g "$master"); do
  r=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
  a=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
  p=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
  rss=$((rss + ${r:-0}))
  anon=$((anon + ${a:-0}))
  pss=$((pss + ${p:-0}))
done
log "RT processes: $(pgrep -g "$master" | wc -l); VmRSS sum ${rss} kB, RssAnon sum ${anon} kB, Pss sum ${pss} kB"
echo "RESULT engine=sqlite target=rt mode=rss label=rss-1m rss_mb=$((rss / 1024)) anon_mb=$((anon / 1024)) pss_mb=$((pss / 1024)) processes=$(pgrep -g "$master" | wc -l) loadavg_after=$(cut -d' ' -f1 /proc/loadavg)" >>"$results"

run_load create-1 --mode create --connections 1 --requests "$CREATE_REQUESTS_1" --duration-s "$DURATION_S" \
  --seed "$SEED" --first-index 1000001
run_load create-64 --mode create --connections 64 --requests "$CREATE_REQUESTS_64" --duration-s "$DURATION_S" \
  --seed "$SEED" --first-index 1100001

if [[ -f $WORKDIR/results-opsdesk.txt ]]; then
  python3 bench/summarize.py "$WORKDIR/results-opsdesk.txt" "$results"
else
  python3 bench/summarize.py "$results"
fi
