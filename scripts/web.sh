#!/usr/bin/env bash
# Builds the web front end into web/dist, which the opsdesk binary serves.
# npm ci runs only when package-lock.json changed since the last install, and the
# Vite build only when a source file is newer than the last build.
set -euo pipefail
cd "$(dirname "$0")/../web"

stamp=node_modules/.opsdesk-lock
if [[ ! -f $stamp ]] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

if [[ ! -f dist/index.html ]] || [[ -n $(find src index.html vite.config.ts package-lock.json -newer dist/index.html -print -quit) ]]; then
  npm run --silent build
fi
