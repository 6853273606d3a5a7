#!/usr/bin/env bash
# `npm run report`: refreshes the committed reports from the generated ones, for a person who wants to
# commit new figures. The test command never writes them (it leaves the work tree clean).
#   target/reports/SIZE.md              -> SIZE.md            (scripts/size.sh is run again first: seconds)
#   target/reports/e2e/COMPAT.md, compat.json -> tests/e2e/   (from the last `bash scripts/test.sh e2e`, and only if
#                                        it tested the runtime now in pkg/, like every report below)
#   target/reports/e2e/third-party.json, THIRD-PARTY.md -> tests/e2e/   (the same run: the https matrix)
#   target/reports/bench/RESULTS.md     -> bench/RESULTS.md   (from the last `bash scripts/test.sh bench`, and only if
#                                        it measured the runtime now in pkg/: RESULTS.json records its sha256)
#   then the README's tables between their markers (scripts/sync-readme.mjs).
#
#   bash scripts/report.sh           copy what the last runs generated
#   bash scripts/report.sh --run     run the package, e2e and bench layers first (they start browsers: on a
#                                    shared machine, under flock /tmp/browsers.lock)
set -euo pipefail
cd "$(dirname "$0")/.."
R=target/reports
if [ "${1:-}" = --run ]; then bash scripts/test.sh package e2e bench || echo "report: some checks failed; copying the figures anyway" >&2; fi
bash scripts/size.sh --no-build > /dev/null 2>&1 || bash scripts/size.sh > /dev/null
copy() { # from to
  if [ -f "$1" ]; then cp "$1" "$2"; echo "report: $2 <- $1"
  else echo "report: $1 missing, $2 left as it is (run: bash scripts/test.sh $3)"; fi
}
copy "$R/SIZE.md" SIZE.md package
# A report is copied only when it measured the runtime now in pkg/: each records the sha256 of the
# .wasm and its glue (`runtimeSha256`, tests/support/report.mjs), at its top level or in its `meta`.
fresh() { # report.json
  [ -f "$1" ] && node -e '
    const fs = require("fs"), crypto = require("crypto");
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const was = r.runtimeSha256 || (r.meta && r.meta.runtimeSha256);
    const h = crypto.createHash("sha256");
    for (const f of ["oidc_session_monitor_bg.wasm", "oidc_session_monitor.js"]) h.update(fs.readFileSync("pkg/" + f));
    const now = h.digest("hex");
    if (was !== now) { console.error(`report: ${process.argv[1]} measured another build (runtime ${String(was).slice(0, 12)}; pkg/ now ${now.slice(0, 12)})`); process.exit(1); }
  ' "$1"
}
copy_fresh() { # report.json layer from to [from to ...]
  local json=$1 layer=$2; shift 2
  if fresh "$json"; then while [ $# -gt 0 ]; do copy "$1" "$2" "$layer"; shift 2; done
  else echo "report: left as they are: ${*:2:1}… (no $layer figures of the build in pkg/; run: bash scripts/test.sh $layer, or bash scripts/report.sh --run)"; fi
}
copy_fresh "$R/e2e/compat.json" e2e "$R/e2e/COMPAT.md" tests/e2e/COMPAT.md "$R/e2e/compat.json" tests/e2e/compat.json
copy_fresh "$R/e2e/third-party.json" e2e "$R/e2e/third-party.json" tests/e2e/third-party.json "$R/e2e/THIRD-PARTY.md" tests/e2e/THIRD-PARTY.md
copy_fresh "$R/bench/RESULTS.json" bench "$R/bench/RESULTS.md" bench/RESULTS.md
node scripts/sync-readme.mjs
git status --short -- SIZE.md tests/e2e/COMPAT.md tests/e2e/compat.json tests/e2e/third-party.json tests/e2e/THIRD-PARTY.md bench/RESULTS.md README.md
