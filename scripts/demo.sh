#!/usr/bin/env bash
# The main job: bootstrap (idempotent), build the package, then start a real OpenID Provider
# (node oidc-provider 6.31.1) and the showcase site from www/, both on loopback:
#
#   OP        http://127.0.0.1:${DEMO_OP_PORT:-8000}
#   showcase  http://127.0.0.1:${DEMO_RP_PORT:-8001}/     (log in as alice, any password)
#
# Ctrl-C (or SIGTERM) stops the OP and the site. DEMO_SKIP_SETUP=1 skips bootstrap and build.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${DEMO_SKIP_SETUP:-}" != 1 ]; then
  echo "[demo] bootstrap (first run on a bare machine takes a while; later runs take seconds)" >&2
  bash scripts/bootstrap.sh
  echo "[demo] build the package into pkg/" >&2
  bash scripts/build.sh
fi

# exec: node receives Ctrl-C/SIGTERM itself, stops the OP's process group and exits.
exec node www/server.mjs
