#!/usr/bin/env bash
# Installs everything the tests need on a fresh machine, then runs them all: type-check, lint,
# build, vitest (unit, integration, conformance, and the smoke test of the built package).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: scikit-learn for the reference comparisons (tests call /usr/bin/python3).
need_apt=()
/usr/bin/python3 -c 'import sklearn' 2>/dev/null || need_apt+=(python3-sklearn)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "scripts/test.sh: missing Debian packages (${need_apt[*]}); run as root or install them" >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run build
npx vitest run
