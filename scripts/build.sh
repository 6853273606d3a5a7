#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (release, ES module for the web) with the pinned
# wasm-bindgen-cli from PATH (--mode no-install: nothing is downloaded), then wasm-opt -Oz from the
# npm package binaryen (Debian's wasm-opt 108 cannot parse wasm-bindgen 0.2.130 output), then the
# package's extra files (auto script, silent callback, README, license).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PROFILE=${1:---release}

# A stale pkg/ must never survive a failed build.
rm -rf pkg
wasm-pack build --quiet "$PROFILE" --target web --mode no-install --out-dir pkg --out-name oidc_session_monitor \
  --no-pack > target/wasm-pack.log 2>&1 || { cat target/wasm-pack.log >&2; echo "build: wasm-pack failed" >&2; exit 1; }
test -f pkg/oidc_session_monitor_bg.wasm || { echo "build: wasm-pack produced no pkg/" >&2; exit 1; }

WASM_OPT=node_modules/.bin/wasm-opt
if [ "$PROFILE" = --release ]; then
  test -x "$WASM_OPT" || { echo "build: $WASM_OPT missing: run scripts/bootstrap.sh" >&2; exit 1; }
  . scripts/wasm-opt-flags.sh
  # shellcheck disable=SC2086 # word splitting of the flag lists is intended
  "$WASM_OPT" $WASM_OPT_PASSES $WASM_FEATURES --strip-debug --strip-producers --strip-target-features \
    pkg/oidc_session_monitor_bg.wasm -o pkg/oidc_session_monitor_bg.wasm.opt
  mv pkg/oidc_session_monitor_bg.wasm.opt pkg/oidc_session_monitor_bg.wasm
  # Short import/export names in the .wasm and the glue alike (wasm-bindgen's are hashed: ~2.5 kB gzip).
  # shellcheck disable=SC2086
  node scripts/minify-names.mjs "$WASM_OPT" pkg oidc_session_monitor $WASM_FEATURES
fi

# Minify the generated JS glue (esbuild from npm; ES module in, ES module out, exports kept).
if [ "$PROFILE" = --release ]; then
  node_modules/.bin/esbuild pkg/oidc_session_monitor.js --minify --format=esm --log-level=warning \
    --outfile=pkg/oidc_session_monitor.min.js
  mv pkg/oidc_session_monitor.min.js pkg/oidc_session_monitor.js
fi

# Package extras (npm/ holds the hand-written parts of the published package); the README is the
# project's user guide.
cp -r npm/. pkg/
rm -f pkg/README.md
cp README.md pkg/README.md
# SECURITY.md: the README links it, and npm users need the way to report a vulnerability.
cp SECURITY.md pkg/SECURITY.md
node scripts/package-json.mjs
