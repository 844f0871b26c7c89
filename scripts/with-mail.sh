#!/usr/bin/env bash
# Runs a command with a throw-away SMTP server (Debian's exim4-daemon-light) that
# accepts mail for any address on a free loopback port and delivers it into one
# Maildir.
#
# Usage: scripts/with-mail.sh CMD [ARGS...]
#
# Exports OPSDESK_TEST_SMTP_URL (smtp://127.0.0.1:PORT) and OPSDESK_TEST_MAILDIR,
# runs CMD, then stops exim and deletes its folder, also when CMD fails or the
# script is interrupted. Exits with CMD's exit code. Needs no system service: the
# configuration, spool, logs and Maildir live in a fresh temporary folder.
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

EXIM=${EXIM:-$(command -v exim4 || command -v exim || true)}
if [[ -z $EXIM ]]; then
  echo "with-mail: exim4 not found; run scripts/deps.sh test" >&2
  exit 1
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/opsdesk-mail.XXXXXX")
daemon=""
child=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [[ -n $child ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [[ -n $daemon ]] && kill -0 "$daemon" 2>/dev/null; then
    kill -TERM "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$workdir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Exim never delivers as root: under root its own system user owns the spool and
# the Maildir (root still reads them); otherwise the caller does.
if [[ $(id -u) -eq 0 ]]; then
  mail_user=$(getent passwd Debian-exim >/dev/null && echo Debian-exim || echo mail)
else
  mail_user=$(id -un)
fi
mail_group=$(id -gn "$mail_user")
mkdir -p "$workdir/spool" "$workdir/log" "$workdir/Maildir/new" "$workdir/Maildir/cur" "$workdir/Maildir/tmp"
chmod 755 "$workdir"
if [[ $(id -u) -eq 0 ]]; then
  chown -R "$mail_user:$mail_group" "$workdir/spool" "$workdir/log" "$workdir/Maildir"
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_config() {
  cat >"$workdir/exim.conf" <<CONF
primary_hostname = opsdesk.test
exim_user = $mail_user
exim_group = $mail_group
never_users =
spool_directory = $workdir/spool
log_file_path = $workdir/log/%slog
pid_file_path = $workdir/exim.pid
local_interfaces = <; 127.0.0.1
daemon_smtp_ports = $1
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
tls_advertise_hosts =
keep_environment =
message_size_limit = 10M
timeout_frozen_after = 1m
ignore_bounce_errors_after = 0s
acl_smtp_rcpt = accept_all

begin acl
accept_all:
  accept

begin routers
every_address:
  driver = accept
  transport = to_maildir

begin transports
to_maildir:
  driver = appendfile
  directory = $workdir/Maildir
  maildir_format
  create_directory
  envelope_to_add
  return_path_add
  user = $mail_user
  group = $mail_group
  mode = 0644

begin retry
* * F,1m,5s
CONF
  chmod 644 "$workdir/exim.conf"
}

port_open() {
  python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $1)))"
}

# The port is free when chosen but may be taken before exim binds it: retry.
port=""
for attempt in 1 2 3 4 5; do
  candidate=$(free_port)
  write_config "$candidate"
  "$EXIM" -C "$workdir/exim.conf" -bdf -q30s >"$workdir/log/daemon.out" 2>&1 </dev/null &
  daemon=$!
  for _ in $(seq 1 100); do
    if port_open "$candidate"; then
      port=$candidate
      break
    fi
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n $port ]] && break
  kill -TERM "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  daemon=""
done
if [[ -z $port ]]; then
  echo "with-mail: exim did not start:" >&2
  cat "$workdir/log/daemon.out" "$workdir"/log/*log >&2 2>/dev/null || true
  exit 1
fi

export OPSDESK_TEST_SMTP_URL="smtp://127.0.0.1:$port"
export OPSDESK_TEST_MAILDIR="$workdir/Maildir"
echo "with-mail: exim $("$EXIM" -C "$workdir/exim.conf" -bV 2>/dev/null | awk 'NR==1{print $3}') at $OPSDESK_TEST_SMTP_URL, Maildir $OPSDESK_TEST_MAILDIR" >&2

# shellcheck source=run-child.sh
source "$(dirname "${BASH_SOURCE[0]}")/run-child.sh"
run_child "$@"
