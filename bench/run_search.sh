#!/usr/bin/env bash
# The search benchmark of issue 6 (docs/PERFORMANCE.md, "Search"), end to end:
# data, index size, search and suggestion latency over HTTP and in process, on
# SQLite and PostgreSQL, and the same searches in Request Tracker 5.
#
# Usage: bench/run_search.sh [sqlite] [postgresql] [rt]     (default: all three)
# Environment:
#   TICKETS=1000000   tickets (each with COMMENTS comments) data_generator writes
#   COMMENTS=3        comments on every ticket (data_generator --comments-per-ticket)
#   ARTICLES=10000    published knowledge base articles (data_generator --articles)
#   SEED=42           corpus and query seed
#   BULK_INDEX=0      1: data_generator --bulk-index (indexes filled after the load,
#                     with migration 0012's statements, instead of by its triggers)
#   WORKDIR=/tmp/opsdesk-search   databases, query lists, logs, results-search.txt
#   BUILD=build-bench the CMake build folder with opsdesk and bench/ (relative to the repo)
#   REUSE_DATA=1      SQLite: reuse $WORKDIR/sqlite-$TICKETS.pristine.db if present
#   PASSES=3          measured passes over each query list over HTTP (after one warm-up pass)
#   DIRECT_PASSES=2   the same for the in-process measurement
#   ROUNDS=2          every HTTP measurement is run ROUNDS times (the machine is shared)
#   CONNS=8           the second, concurrent client count ("" to skip)
#   CONNS_ROUNDS=1    rounds of the CONNS-connection runs
#   PG_PASSES=PASSES  PASSES on PostgreSQL (its searches are slower)
#   RT_DIR=/tmp/opsdesk-rt   the RT instance of bench/peer-rt/setup.sh
#   RT_PASSES=PASSES  passes over each query list against RT
#
# Every measurement appends a RESULT line (load average included) to
# $WORKDIR/results-search.txt; bench/search_summary.py prints the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

TICKETS=${TICKETS:-1000000}
COMMENTS=${COMMENTS:-3}
ARTICLES=${ARTICLES:-10000}
SEED=${SEED:-42}
BULK_INDEX=${BULK_INDEX:-0}
WORKDIR=${WORKDIR:-/tmp/opsdesk-search}
BUILD=${BUILD:-build-bench}
PASSES=${PASSES:-3}
DIRECT_PASSES=${DIRECT_PASSES:-2}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS-8}
CONNS_ROUNDS=${CONNS_ROUNDS:-1}
PG_PASSES=${PG_PASSES:-$PASSES}
RT_DIR=${RT_DIR:-/tmp/opsdesk-rt}
RT_PASSES=${RT_PASSES:-$PASSES}
export OPSDESK_LOG_LEVEL=${OPSDESK_LOG_LEVEL:-info}
mkdir -p "$WORKDIR"
results=$WORKDIR/results-search.txt
qdir=$WORKDIR/queries
mkdir -p "$qdir"

bin=$repo/$BUILD/opsdesk
datagen=$repo/$BUILD/bench/data_generator
loadgen=$repo/$BUILD/bench/load_generator
searchbench=$repo/$BUILD/bench/search_bench
KINDS=(one-word three-word phrase)

log() { echo "run_search: $(date +%H:%M:%S) $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,; }

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

start_server() {
  local db_url=$1 logfile=$2
  port=$(free_port)
  : >"$logfile"
  "$bin" serve --listen "127.0.0.1:$port" --db "$db_url" >>"$logfile" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 5000); do
    grep -q "^opsdesk listening on" "$logfile" && return 0
    kill -0 "$server_pid" 2>/dev/null || { log "server exited:"; tail -20 "$logfile" >&2; return 1; }
    sleep 0.01
  done
  log "server did not start"
  return 1
}

# run_load ENGINE TARGET LABEL ARGS...: one load_generator run; RESULT line saved.
run_load() {
  local engine=$1 target=$2 label=$3
  shift 3
  log "$engine $label: load_generator --target $target $*"
  local out
  out=$("$loadgen" --target "$target" --label "$label" "$@" || true)
  echo "$out" | grep -v '^  sample' >&2
  grep '^RESULT ' <<<"$out" | sed "s/^RESULT /RESULT engine=$engine /" >>"$results" || {
    log "no RESULT from load_generator"
    return 1
  }
}

datagen_args=(--tickets "$TICKETS" --seed "$SEED" --comments-per-ticket "$COMMENTS" --articles "$ARTICLES")
[[ $BULK_INDEX == 1 ]] && datagen_args+=(--bulk-index)

save_datagen() {
  local engine=$1 logf=$2
  grep 'done' "$logf" | sed "s/^data_generator: done /RESULT engine=$engine mode=datagen label=datagen bulk_index=$BULK_INDEX /" >>"$results"
}

# The HTTP measurements on a running server ($port) with the agent's $token.
bench_http() {
  local engine=$1 n
  n=$(wc -l <"$qdir/one-word.q")
  # Warm-up (not recorded): one pass over every list.
  for kind in "${KINDS[@]}"; do
    "$loadgen" --target opsdesk --port "$port" --token "$token" --mode list --paths-file "$qdir/opsdesk-$kind.paths" \
      --connections 1 --requests "$n" --duration-s 300 --label warmup >/dev/null || true
  done
  for round in $(seq 1 "$ROUNDS"); do
    for kind in "${KINDS[@]}"; do
      run_load "$engine" opsdesk "search-$kind-c1-r$round" --port "$port" --token "$token" --mode list \
        --paths-file "$qdir/opsdesk-$kind.paths" --connections 1 --requests $((n * PASSES)) --duration-s 300 \
        --per-path-out "$WORKDIR/per-query-$engine-$kind-c1-r$round.txt"
      run_load "$engine" opsdesk "search-$kind-ayt-c1-r$round" --port "$port" --token "$token" --mode list \
        --paths-file "$qdir/opsdesk-$kind-ayt.paths" --connections 1 --requests $((n * PASSES)) --duration-s 300 \
        --per-path-out "$WORKDIR/per-query-$engine-$kind-ayt-c1-r$round.txt"
      if [[ -n $CONNS ]] && ((round <= CONNS_ROUNDS)); then
        run_load "$engine" opsdesk "search-$kind-c$CONNS-r$round" --port "$port" --token "$token" --mode list \
          --paths-file "$qdir/opsdesk-$kind.paths" --connections "$CONNS" --requests $((n * PASSES)) --duration-s 300
      fi
    done
    local keys
    keys=$(wc -l <"$qdir/opsdesk-typing.paths")
    run_load "$engine" opsdesk "suggest-typing-c1-r$round" --port "$port" --token "$token" --mode list \
      --paths-file "$qdir/opsdesk-typing.paths" --connections 1 --requests "$keys" --duration-s 300 \
      --per-path-out "$WORKDIR/per-query-$engine-typing-c1-r$round.txt"
  done
}

add_agent() {
  local db_url=$1
  echo 'bench-password-not-secret' |
    "$bin" user add --db "$db_url" --email bench@opsdesk.example.com --name "Bench Agent" --role agent \
      --password-stdin >/dev/null
  token=$("$bin" token create --db "$db_url" --email bench@opsdesk.example.com --name bench)
}

bench_engine() {
  local engine=$1 db_url=$2
  add_agent "$db_url"
  log "$engine: matches per query"
  "$searchbench" count --db "$db_url" --dir "$qdir" | tee -a "$results" >&2
  start_server "$db_url" "$WORKDIR/server-$engine.log"
  bench_http "$engine"
  stop_server
  # In process, with the server stopped: SearchService alone, no HTTP.
  for round in $(seq 1 "$ROUNDS"); do
    log "$engine: in-process SearchService, round $round"
    "$searchbench" direct --db "$db_url" --dir "$qdir" --passes "$DIRECT_PASSES" | sed "s/^RESULT /RESULT round=$round /" |
      tee -a "$results" >&2
  done
}

run_sqlite() {
  local pristine=$WORKDIR/sqlite-$TICKETS.pristine.db db=$WORKDIR/sqlite-search.db
  if [[ ${REUSE_DATA:-} == 1 && -f $pristine ]]; then
    log "sqlite: reusing $pristine"
  else
    rm -f "$pristine" "$pristine-wal" "$pristine-shm"
    log "sqlite: generating $TICKETS tickets, $COMMENTS comments each, $ARTICLES articles (loadavg $(loadavg))"
    "$datagen" --db "sqlite:$pristine" "${datagen_args[@]}" | tee "$WORKDIR/datagen-sqlite.log" >&2
    save_datagen sqlite "$WORKDIR/datagen-sqlite.log"
    sqlite3 "$pristine" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  fi
  # Index size: the pages of the FTS5 tables (dbstat) against everything else.
  sqlite3 "$pristine" "
    SELECT 'RESULT engine=sqlite mode=index-size' ||
      ' ticket_fts_data_mb=' || printf('%.1f', sum(CASE WHEN name = 'ticket_fts_data' THEN pgsize END) / 1048576.0) ||
      ' ticket_fts_content_mb=' || printf('%.1f', sum(CASE WHEN name = 'ticket_fts_content' THEN pgsize END) / 1048576.0) ||
      ' ticket_fts_other_mb=' || printf('%.1f', sum(CASE WHEN name LIKE 'ticket_fts%' AND name NOT IN ('ticket_fts_data', 'ticket_fts_content') THEN pgsize END) / 1048576.0) ||
      ' article_fts_mb=' || printf('%.1f', sum(CASE WHEN name LIKE 'article_fts%' THEN pgsize END) / 1048576.0) ||
      ' search_mb=' || printf('%.1f', sum(CASE WHEN name LIKE 'ticket_fts%' OR name LIKE 'article_fts%' THEN pgsize END) / 1048576.0) ||
      ' data_mb=' || printf('%.1f', sum(CASE WHEN name NOT LIKE 'ticket_fts%' AND name NOT LIKE 'article_fts%' THEN pgsize END) / 1048576.0) ||
      ' file_mb=' || printf('%.1f', sum(pgsize) / 1048576.0)
    FROM dbstat;" | tee -a "$results" >&2
  rm -f "$db" "$db-wal" "$db-shm"
  cp "$pristine" "$db"
  bench_engine sqlite "sqlite:$db"
}

run_postgresql() {
  local url=$OPSDESK_TEST_PG_URL
  PASSES=$PG_PASSES
  log "postgresql: generating $TICKETS tickets, $COMMENTS comments each, $ARTICLES articles (loadavg $(loadavg))"
  "$datagen" --db "$url" "${datagen_args[@]}" | tee "$WORKDIR/datagen-postgresql.log" >&2
  save_datagen postgresql "$WORKDIR/datagen-postgresql.log"
  psql -X -q -t -A "$url" -c "VACUUM ANALYZE" >/dev/null
  # Index size: ticket_search (the tsvector table, its GIN index, its TOAST) and
  # the articles' GIN index, against every other table and index; the
  # articles' stored search_doc column is in kb_articles' heap, shown apart.
  psql -X -q -t -A "$url" -c "
    WITH rel AS (
      SELECT c.relname, pg_total_relation_size(c.oid) AS bytes
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'r' AND n.nspname = 'public')
    SELECT 'RESULT engine=postgresql mode=index-size'
      || ' ticket_search_mb=' || round((SELECT bytes FROM rel WHERE relname = 'ticket_search') / 1048576.0, 1)
      || ' ticket_search_gin_mb=' || round(pg_relation_size('ticket_search_doc') / 1048576.0, 1)
      || ' kb_articles_search_gin_mb=' || round(pg_relation_size('kb_articles_search') / 1048576.0, 1)
      || ' kb_search_doc_column_mb=' || round((SELECT sum(pg_column_size(search_doc)) FROM kb_articles) / 1048576.0, 1)
      || ' search_mb=' || round(((SELECT bytes FROM rel WHERE relname = 'ticket_search') + pg_relation_size('kb_articles_search')) / 1048576.0, 1)
      || ' data_mb=' || round(((SELECT sum(bytes) FROM rel WHERE relname <> 'ticket_search') - pg_relation_size('kb_articles_search')) / 1048576.0, 1)
      || ' database_mb=' || round(pg_database_size(current_database()) / 1048576.0, 1);" | tee -a "$results" >&2
  bench_engine postgresql "$url"
  explain_postgresql "$url"
}

# Where a search's time goes: the query SearchService sends for a common word
# (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE), and the same search without parts of
# it, timed on the loaded database with the server stopped.
EXPLAIN_WORD=${EXPLAIN_WORD:-confirmed}
explain_sqlite() {
  local db=$WORKDIR/sqlite-search.db w=$EXPLAIN_WORD out=$WORKDIR/explain-sqlite.txt
  local m="'\"$w\"'"
  log "sqlite: EXPLAIN QUERY PLAN and variants for '$w' -> $out"
  sqlite3 -readonly "$db" >"$out" 2>&1 <<EOF
.print -- the staff search as SearchService sends it (FindTickets, SQLite):
EXPLAIN QUERY PLAN SELECT t.id, t.subject, t.status, q.name, t.updated_at, -ticket_fts.rank, snippet(ticket_fts, -1, char(2), char(3), '…', 16) FROM ticket_fts JOIN tickets t ON t.id = ticket_fts.rowid LEFT JOIN queues q ON q.id = t.queue_id WHERE ticket_fts MATCH $m ORDER BY ticket_fts.rank, t.id DESC LIMIT 21;
.timer on
.print -- matches:
SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH $m;
.print -- (a) the service's query, twice:
SELECT count(*) FROM (SELECT t.id, t.subject, t.status, q.name, t.updated_at, -ticket_fts.rank, snippet(ticket_fts, -1, char(2), char(3), '…', 16) FROM ticket_fts JOIN tickets t ON t.id = ticket_fts.rowid LEFT JOIN queues q ON q.id = t.queue_id WHERE ticket_fts MATCH $m ORDER BY ticket_fts.rank, t.id DESC LIMIT 21);
SELECT count(*) FROM (SELECT t.id, t.subject, t.status, q.name, t.updated_at, -ticket_fts.rank, snippet(ticket_fts, -1, char(2), char(3), '…', 16) FROM ticket_fts JOIN tickets t ON t.id = ticket_fts.rowid LEFT JOIN queues q ON q.id = t.queue_id WHERE ticket_fts MATCH $m ORDER BY ticket_fts.rank, t.id DESC LIMIT 21);
.print -- (b) without the snippet:
SELECT count(*) FROM (SELECT t.id, t.subject, t.status, q.name, t.updated_at, -ticket_fts.rank FROM ticket_fts JOIN tickets t ON t.id = ticket_fts.rowid LEFT JOIN queues q ON q.id = t.queue_id WHERE ticket_fts MATCH $m ORDER BY ticket_fts.rank, t.id DESC LIMIT 21);
.print -- (c) FTS5 alone, ORDER BY rank (FTS5 sorts; bm25 for every match):
SELECT count(*) FROM (SELECT rowid, rank FROM ticket_fts WHERE ticket_fts MATCH $m ORDER BY rank LIMIT 21);
.print -- (d) no ranking, newest first:
SELECT count(*) FROM (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH $m ORDER BY rowid DESC LIMIT 21);
.print -- (e) bm25 over the newest 20,000 matches only (FTS5 alone), twice:
SELECT count(*) FROM (SELECT id, r FROM (SELECT rowid AS id, rank AS r FROM ticket_fts WHERE ticket_fts MATCH $m ORDER BY rowid DESC LIMIT 20000) ORDER BY r LIMIT 21);
SELECT count(*) FROM (SELECT id, r FROM (SELECT rowid AS id, rank AS r FROM ticket_fts WHERE ticket_fts MATCH $m ORDER BY rowid DESC LIMIT 20000) ORDER BY r LIMIT 21);
.print -- (f) then the join and snippets for the 21 rows of a page:
SELECT count(*) FROM (SELECT t.id, snippet(ticket_fts, -1, char(2), char(3), '…', 16) FROM ticket_fts JOIN tickets t ON t.id = ticket_fts.rowid WHERE ticket_fts MATCH $m AND ticket_fts.rowid IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH $m ORDER BY rowid DESC LIMIT 21));
.print -- (g) other bm25 column weights, all matches:
SELECT count(*) FROM (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH $m ORDER BY bm25(ticket_fts, 4, 1, 1, 0.5) LIMIT 21);
.print -- articles, as FindArticles sends it:
EXPLAIN QUERY PLAN SELECT a.id, a.title, a.state, a.audience, a.updated_at, -article_fts.rank, snippet(article_fts, 1, char(2), char(3), '…', 16) FROM article_fts JOIN kb_articles a ON a.id = article_fts.rowid WHERE article_fts MATCH $m ORDER BY article_fts.rank, a.id DESC LIMIT 21;
SELECT count(*) FROM (SELECT a.id, a.title, a.state, a.audience, a.updated_at, -article_fts.rank, snippet(article_fts, 1, char(2), char(3), '…', 16) FROM article_fts JOIN kb_articles a ON a.id = article_fts.rowid WHERE article_fts MATCH $m ORDER BY article_fts.rank, a.id DESC LIMIT 21);
EOF
  cat "$out" >&2
}

explain_postgresql() {
  local url=$1 w=$EXPLAIN_WORD out=$WORKDIR/explain-postgresql.txt
  local tsq="to_tsquery('english', '''$w''')"
  log "postgresql: EXPLAIN ANALYZE for '$w' -> $out"
  {
    echo "-- the staff search as SearchService sends it (FindTickets, PostgreSQL; headline options shortened):"
    psql -X -q "$url" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT s.id, s.subject, s.status, s.name, s.updated_at, s.score, ts_headline('english', left(s.subject || E'\\n' || s.body || E'\\n' || coalesce((SELECT string_agg(c.body, E'\\n' ORDER BY c.id) FROM comments c WHERE c.ticket_id = s.id), ''), 100000), $tsq, 'MaxWords=24, MinWords=10, ShortWord=2, MaxFragments=2') FROM (SELECT t.id, t.subject, t.status, q.name, t.updated_at, t.body, ts_rank(ts.doc, query.q, 1) AS score FROM ticket_search ts JOIN tickets t ON t.id = ts.ticket_id LEFT JOIN queues q ON q.id = t.queue_id CROSS JOIN $tsq AS query(q) WHERE ts.doc @@ query.q ORDER BY score DESC, t.id DESC LIMIT 21) s ORDER BY s.score DESC, s.id DESC"
    echo "-- the same without ts_rank (newest first):"
    psql -X -q "$url" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT ts.ticket_id FROM ticket_search ts WHERE ts.doc @@ $tsq ORDER BY ts.ticket_id DESC LIMIT 21"
    echo "-- articles, as FindArticles sends it:"
    psql -X -q "$url" -c "EXPLAIN (ANALYZE, BUFFERS) SELECT s.id, s.score, ts_headline('english', s.body, $tsq) FROM (SELECT a.id, a.body, ts_rank(a.search_doc, query.q, 1) AS score FROM kb_articles a CROSS JOIN $tsq AS query(q) WHERE a.search_doc @@ query.q ORDER BY score DESC, a.id DESC LIMIT 21) s ORDER BY s.score DESC, s.id DESC"
  } >"$out" 2>&1
  cat "$out" >&2
}

# RT 5: its full-text search on SQLite is unindexed (FullTextSearch Enable => 1,
# Indexed => 0: TicketSQL `Content LIKE 'x'` becomes Attachments.Content LIKE
# '%x%'). Turned on in the instance's config; every ticket gets COMMENTS comments
# (the same corpus comments data_generator writes) once.
run_rt() {
  if [[ ! -f $RT_DIR/tickets ]]; then
    log "rt: no instance in $RT_DIR; running bench/peer-rt/setup.sh"
    RT_DIR=$RT_DIR bench/peer-rt/setup.sh
  fi
  export RT_DIR
  local rt_tickets rt_port cookie
  rt_tickets=$(cat "$RT_DIR/tickets")
  if [[ ! -f $RT_DIR/RT_SiteConfig.d/fulltext.pm ]]; then
    printf '%s\n' "# bench/run_search.sh: RT's unindexed full-text search (the only one RT has on SQLite)." \
      "Set(%FullTextSearch, Enable => 1, Indexed => 0);" "1;" >"$RT_DIR/RT_SiteConfig.d/fulltext.pm"
    bench/peer-rt/stop.sh
  fi
  bench/peer-rt/start.sh
  rt_port=$(cat "$RT_DIR/port")
  cookie=$(cat "$RT_DIR/cookie")
  if [[ ! -f $RT_DIR/comments ]]; then
    log "rt: adding $COMMENTS corpus comments to each of its $rt_tickets tickets through REST2"
    run_load rt rt rt-comments --port "$rt_port" --cookie "$cookie" --header "Origin: http://127.0.0.1:$rt_port" --mode comment --comments-per-ticket "$COMMENTS" \
      --connections 4 --requests $((rt_tickets * COMMENTS)) --duration-s 3600 --seed "$SEED" --first-index 1
    echo "$COMMENTS" >"$RT_DIR/comments"
  fi
  # Matches per query: REST2's `total` for each query.
  for kind in "${KINDS[@]}"; do
    : >"$qdir/counts-rt-$kind.txt"
    paste -d' ' <(cat "$qdir/rt-$kind.paths") <(cat "$qdir/$kind.q") | while read -r path q; do
      total=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$rt_port$path" |
        python3 -c 'import json, sys; print(json.load(sys.stdin).get("total", -1))')
      echo "$total 0 $q" >>"$qdir/counts-rt-$kind.txt"
    done
    python3 - "$qdir/counts-rt-$kind.txt" "$kind" >>"$results" <<'PY'
import statistics, sys
rows = [int(l.split()[0]) for l in open(sys.argv[1]) if l.strip()]
s = sorted(rows)
print(f"RESULT engine=rt mode=search-count kind={sys.argv[2]} queries={len(s)} tickets_min={s[0]} "
      f"tickets_p50={statistics.median_low(s)} tickets_max={s[-1]} tickets_mean={sum(s) / len(s):.0f} "
      f"zero_ticket_queries={s.count(0)}")
PY
  done
  local n
  n=$(wc -l <"$qdir/one-word.q")
  # Warm-up: every worker loads RT's search code.
  "$loadgen" --target rt --port "$rt_port" --cookie "$cookie" --mode list --paths-file "$qdir/rt-one-word.paths" \
    --connections 1 --requests 20 --duration-s 300 --label warmup >/dev/null || true
  for round in $(seq 1 "$ROUNDS"); do
    for kind in "${KINDS[@]}"; do
      run_load rt rt "search-$kind-c1-r$round" --port "$rt_port" --cookie "$cookie" --mode list \
        --paths-file "$qdir/rt-$kind.paths" --connections 1 --requests $((n * RT_PASSES)) --duration-s 900 \
        --per-path-out "$WORKDIR/per-query-rt-$kind-c1-r$round.txt"
    done
  done
}

engines=("$@")
((${#engines[@]})) || engines=(sqlite postgresql rt)
case "${engines[0]}" in
  --inner-postgresql) run_postgresql; exit 0 ;;
esac

for tool in "$bin" "$datagen" "$loadgen" "$searchbench"; do
  [[ -x $tool ]] || { log "$tool missing; build with: cmake --build $BUILD --target opsdesk data_generator load_generator search_bench"; exit 1; }
done
{
  echo "# run $(date -u +%Y-%m-%dT%H:%M:%SZ) tickets=$TICKETS comments=$COMMENTS articles=$ARTICLES seed=$SEED bulk_index=$BULK_INDEX passes=$PASSES direct_passes=$DIRECT_PASSES rounds=$ROUNDS commit=$(git rev-parse --short HEAD 2>/dev/null || echo -) dirty_src=$(git status --porcelain src | wc -l) loadavg=$(loadavg)"
} >>"$results"
"$searchbench" queries --out "$qdir" --seed "$SEED" >&2

for engine in "${engines[@]}"; do
  case $engine in
    sqlite) run_sqlite; explain_sqlite ;;
    explain-sqlite) explain_sqlite ;;
    postgresql | postgres) scripts/with-postgres.sh "$0" --inner-postgresql ;;
    rt) run_rt ;;
    *) log "unknown engine $engine"; exit 2 ;;
  esac
done
python3 bench/search_summary.py "$WORKDIR"
