#!/usr/bin/env bash
# `npm run report`: refreshes the committed reports from the generated ones, for a person who wants to
# commit new figures. The test command never writes them (it leaves the work tree clean).
#   target/reports/SIZE.md              -> SIZE.md            (scripts/size.sh is run again first: seconds)
#   target/reports/e2e/COMPAT.md, compat.json -> tests/e2e/   (from the last `bash scripts/test.sh e2e`)
#   target/reports/e2e/third-party.json, THIRD-PARTY.md -> tests/e2e/   (the same run: the https matrix)
#   target/reports/bench/RESULTS.md     -> bench/RESULTS.md   (from the last `bash scripts/test.sh bench`)
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
copy "$R/e2e/COMPAT.md" tests/e2e/COMPAT.md e2e
copy "$R/e2e/compat.json" tests/e2e/compat.json e2e
copy "$R/e2e/third-party.json" tests/e2e/third-party.json e2e
copy "$R/e2e/THIRD-PARTY.md" tests/e2e/THIRD-PARTY.md e2e
copy "$R/bench/RESULTS.md" bench/RESULTS.md bench
node scripts/sync-readme.mjs
git status --short -- SIZE.md tests/e2e/COMPAT.md tests/e2e/compat.json tests/e2e/third-party.json tests/e2e/THIRD-PARTY.md bench/RESULTS.md README.md
