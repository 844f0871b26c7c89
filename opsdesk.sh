#!/usr/bin/env bash
# opsdesk's two commands (see README.md):
#   ./opsdesk.sh run    install what is missing, build, start the server with demo data
#   ./opsdesk.sh test   install what is missing, build, run the whole test suite
# and a few helpers: build, bench-deps.
set -euo pipefail
cd "$(dirname "$0")"

jobs=$(nproc 2>/dev/null || echo 2)

build() {
  scripts/deps.sh "${1:-build}"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$jobs"
  scripts/web.sh
}

case "${1:-}" in
  run)
    build
    mkdir -p var
    listen=${OPSDESK_LISTEN:-127.0.0.1:8080}
    echo "opsdesk: http://$listen/  (API under /api/v1, OpenAPI at /api/v1/openapi.json)"
    echo "demo logins (password opsdesk-demo):"
    echo "  admin@example.com (admin)  lead@example.com (lead)  alice@example.com (agent)"
    echo "  priya.patel@data-platform.example.com (requester)"
    exec build/opsdesk serve --listen "$listen" --db "${OPSDESK_DB:-sqlite:var/opsdesk.db}" --demo-data
    ;;
  test)
    build test
    # A throw-away PostgreSQL cluster on loopback for the PostgreSQL half of the
    # suite, and a throw-away SMTP server (exim) delivering into a Maildir for
    # the e-mail tests; removed afterwards, also on failure.
    scripts/with-postgres.sh scripts/with-mail.sh ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600
    ;;
  build)
    build
    ;;
  bench-deps)
    scripts/deps.sh bench  # wrk and the sqlite3 shell, for bench/
    ;;
  *)
    echo "usage: $0 run|test|build|bench-deps" >&2
    exit 2
    ;;
esac
