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

# @tensorflow/tfjs-node, the optional peer dependency, so the TensorFlow.js interop tests run on
# native TensorFlow as well as on the CPU backend (test/models/tfjs-node.test.ts fails without it).
# Its own install script downloads libtensorflow from the internet, which these machines can't
# reach: install it without scripts, then build its addon against the TensorFlow library from
# pip's local index. After `npm ci`, which removes packages the lockfile doesn't list. --no-save
# leaves package.json and the lockfile untouched; --save-prod is needed as well, because npm
# otherwise sees the root's optional peer and installs nothing ("up to date").
tfjs_version=$(node -p "require('@tensorflow/tfjs/package.json').version")
npm install --no-save --save-prod --ignore-scripts --no-audit --no-fund \
  "@tensorflow/tfjs-node@${tfjs_version}"
../shared/tools/tfjs-node-local.sh .
export TF_CPP_MIN_LOG_LEVEL=2 # TensorFlow's start-up notices on stderr
npm run typecheck
npm run lint
# The native kernels (native/kernels.c) are optional for users (WebAssembly runs without them),
# but the tests check them against WebAssembly, so here a failed native build is an error.
MILLRACE_REQUIRE_NATIVE=1 npm run build
npx vitest run
