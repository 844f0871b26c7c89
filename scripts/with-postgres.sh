#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL 15 cluster.
#
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Creates a cluster in a fresh temporary folder (trust auth, loopback only, a free
# port), a superuser role `opsdesk` and a database `opsdesk_test`, exports
# OPSDESK_TEST_PG_URL, runs CMD, then stops the cluster and deletes the folder,
# also when CMD fails or the script is interrupted. Exits with CMD's exit code.
#
# PostgreSQL refuses to run as root, so under root the server and its tools run as
# the `postgres` system user (created by the postgresql package).
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x $PG_BIN/initdb ]]; then
  echo "with-postgres: $PG_BIN/initdb not found; run scripts/deps.sh test" >&2
  exit 1
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/opsdesk-pg.XXXXXX")
datadir=$workdir/data
started=""
child=""

# Runs a PostgreSQL binary as the cluster's owner. The working directory must be
# readable by that user: pg_ctl and initdb fail when they cannot resolve it.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$workdir" && runuser -u postgres -- "$@")
  else
    (cd "$workdir" && "$@")
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [[ -n $started ]]; then
    # Immediate mode: the cluster is about to be deleted, a checkpoint is wasted work.
    as_pg "$PG_BIN/pg_ctl" -D "$datadir" -m immediate -w stop >/dev/null 2>&1 </dev/null || true
  fi
  rm -rf "$workdir"
  exit "$rc"
}
trap cleanup EXIT

# Until CMD runs, a signal just ends the script; cleanup runs from the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [[ $(id -u) -eq 0 ]]; then
  chown postgres: "$workdir"
fi

as_pg "$PG_BIN/initdb" -D "$datadir" -U opsdesk --auth=trust --encoding=UTF8 --locale=C \
  --no-sync --no-instructions >"$workdir/initdb.log" 2>&1 </dev/null || {
  echo "with-postgres: initdb failed:" >&2
  cat "$workdir/initdb.log" >&2
  exit 1
}

# Only the loopback address and the private socket folder accept connections, so
# trust auth exposes nothing beyond this machine.
cat >"$datadir/pg_hba.conf" <<'EOF'
local all all trust
host  all all 127.0.0.1/32 trust
EOF
cat >>"$datadir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$workdir'
# Parallel test runs each hold a pool of connections.
max_connections = 200
EOF
# Benchmarks size the server as a deployment would (for example
# OPSDESK_PG_SETTINGS=$'shared_buffers = 2GB\nmax_wal_size = 8GB'); tests leave it unset.
if [[ -n ${OPSDESK_PG_SETTINGS:-} ]]; then
  printf '%s\n' "$OPSDESK_PG_SETTINGS" >>"$datadir/postgresql.conf"
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The port is free when chosen but another process may take it before the server
# binds it, so a failed start is retried on a new port.
port=""
for attempt in 1 2 3 4 5; do
  candidate=$(free_port)
  if as_pg "$PG_BIN/pg_ctl" -D "$datadir" -l "$workdir/postgres.log" -o "-p $candidate" -w -t 60 start \
    >/dev/null 2>&1 </dev/null; then
    port=$candidate
    started=1
    break
  fi
done
if [[ -z $port ]]; then
  echo "with-postgres: PostgreSQL did not start; server log:" >&2
  cat "$workdir/postgres.log" >&2 || true
  exit 1
fi

as_pg "$PG_BIN/createdb" -h "$workdir" -p "$port" -U opsdesk -O opsdesk opsdesk_test </dev/null

export OPSDESK_TEST_PG_URL="postgresql://opsdesk@127.0.0.1:$port/opsdesk_test"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $OPSDESK_TEST_PG_URL" >&2

# shellcheck source=run-child.sh
source "$(dirname "${BASH_SOURCE[0]}")/run-child.sh"
run_child "$@"
