#!/usr/bin/env bash
# Installs the Debian packages opsdesk needs, skipping those already present.
# Usage: scripts/deps.sh build|test|bench
set -euo pipefail

build_pkgs=(
  build-essential cmake pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libsqlite3-dev libpq-dev libsodium-dev libspdlog-dev libfmt-dev
  libcli11-dev libtomlplusplus-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
  libre2-dev libcurl4-openssl-dev libgmime-3.0-dev libhowardhinnant-date-dev
  libgtest-dev libgmock-dev libbenchmark-dev libgoogle-perftools-dev zlib1g-dev
  nodejs
)
# chromium drives the browser end-to-end tests (web/e2e) through playwright-core;
# fonts-dejavu-core gives its screenshots real glyphs.
# exim4-daemon-light is the SMTP server the e-mail tests deliver through
# (scripts/with-mail.sh runs a private instance; the system service is not used).
test_pkgs=(postgresql postgresql-contrib sqlite3 curl chromium fonts-dejavu-core exim4-daemon-light)

# Load generators for the hand-run benchmarks (bench/run_opsdesk.sh).
bench_pkgs=(wrk sqlite3)

want=("${build_pkgs[@]}")
if [[ "${1:-build}" == test ]]; then want+=("${test_pkgs[@]}"); fi
if [[ "${1:-build}" == bench ]]; then want+=("${bench_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# Debian's nodejs comes without npm (NodeSource's includes it).
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if ((${#missing[@]})); then
  echo "opsdesk: installing ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
