#!/usr/bin/env bash
# The package layer of issue 5, in one command: what ships (npm pack), the TypeScript proof (tsc),
# the esbuild bundle, and the bundle + script-tag drop-ins in headless Chromium against a fake OP.
# Runs every check even if one fails; prints "N passed, N failed".
# Usage: bash scripts/check-package.sh [--no-build]     (PKG=dir to check another copy; implies --no-build)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
if [ "${1:-}" != --no-build ] && [ -z "${PKG:-}" ]; then
  bash scripts/build.sh || { echo "check-package: build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
passed=0; failed=0
run() { # name command...
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "   FAILED: $name"; fi
}
run "npm pack contents and package.json" node tests/package/check.mjs
run "TypeScript types (tsc --strict)" bash tests/types/check.sh
run "esbuild bundle" node tests/bundler/build.mjs
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  run "bundle and drop-ins in Chromium" node tests/bundler/smoke.mjs
else
  echo "== bundle and drop-ins in Chromium: skipped (no ${CHROMIUM:-/usr/bin/chromium})"
fi
echo "check-package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
