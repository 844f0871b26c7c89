#!/usr/bin/env bash
# Starts the benchmark RT instance set up by setup.sh: RT's standalone server as
# a prefork Starlet with 10 workers on 127.0.0.1:$(cat $RT_DIR/port). Waits until
# REST2 answers and prints the start time (exec to first answer), then logs in as
# the benchmark user and writes the session cookie to $RT_DIR/cookie.
#
# Starlet's keep-alive is left at its default (one request per connection): with
# a prefork server a kept-alive connection pins one of the 10 workers, and the
# load generator's other connections would wait for it. The generator reconnects
# after each `Connection: close` and counts the connect in the request's latency.
set -euo pipefail
RT_DIR=${RT_DIR:-/tmp/opsdesk-rt}
RT_WORKERS=${RT_WORKERS:-10}
if [[ ! -f $RT_DIR/port ]]; then
  echo "peer-rt: $RT_DIR is not set up; run bench/peer-rt/setup.sh" >&2
  exit 1
fi
port=$(cat "$RT_DIR/port")
if [[ -f $RT_DIR/server.pid ]] && kill -0 "$(cat "$RT_DIR/server.pid")" 2>/dev/null; then
  echo "peer-rt: already running (pid $(cat "$RT_DIR/server.pid"))" >&2
  exit 0
fi
export RT_SITE_CONFIG=$RT_DIR/RT_SiteConfig.pm
export RT_SITE_CONFIG_DIR=$RT_DIR/RT_SiteConfig.d

started=$(date +%s.%N)
# Its own session (process group), so stop.sh can end the master and its workers
# together by that id.
setsid /usr/share/request-tracker5/libexec/rt-server --server Starlet --host 127.0.0.1 --port "$port" \
  --max-workers "$RT_WORKERS" >>"$RT_DIR/log/server.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$RT_DIR/server.pid"

for _ in $(seq 1 600); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "peer-rt: rt-server exited; log:" >&2
    tail -20 "$RT_DIR/log/server.log" >&2
    exit 1
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/REST/2.0/queues/all" || true)
  if [[ $code == 401 || $code == 200 ]]; then
    ready=$(date +%s.%N)
    # A web session for the benchmark user: REST2 accepts RT's session cookie,
    # which costs a session-file read per request instead of a bcrypt check.
    jar=$RT_DIR/cookies.txt
    rm -f "$jar"
    curl -s -o /dev/null -c "$jar" --data-urlencode user=bench --data-urlencode "pass=$(cat "$RT_DIR/password")" \
      "http://127.0.0.1:$port/NoAuth/Login.html"
    cookie=$(awk '$6 ~ /^RT_SID/ { print $6 "=" $7 }' "$jar" | tail -1)
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "http://127.0.0.1:$port/REST/2.0/queues/all")
    if [[ -z $cookie || $code != 200 ]]; then
      echo "peer-rt: logging in as bench failed (HTTP $code)" >&2
      exit 1
    fi
    echo "$cookie" >"$RT_DIR/cookie"
    chmod 600 "$RT_DIR/cookie"
    echo "peer-rt: RT listening on http://127.0.0.1:$port (pid $pid, $RT_WORKERS Starlet workers);" \
      "start_s=$(awk -v a="$started" -v b="$ready" 'BEGIN { printf "%.2f", b - a }')" >&2
    exit 0
  fi
  sleep 0.1
done
echo "peer-rt: RT did not answer within 60 s; log:" >&2
tail -20 "$RT_DIR/log/server.log" >&2
exit 1
