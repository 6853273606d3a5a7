#!/usr/bin/env bash
# TypeScript proof (issue 5 item 2): tsc --strict --noEmit on tests/types/usage.ts must succeed,
# and on tests/types/misuse.ts must fail with an error on every line marked `// MISUSE TSxxxx`
# (and on no other line). Types are resolved through pkg/package.json as a user's project would:
# a temporary project whose node_modules/oidc-session-monitor is pkg/.
# Usage: bash tests/types/check.sh        (needs pkg/ built: bash scripts/build.sh; PKG=dir to check another copy)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/types
TSC=$ROOT/node_modules/.bin/tsc
PKG=$(cd "${PKG:-$ROOT/pkg}" && pwd)
[ -f "$PKG/package.json" ] || { echo "types: $PKG is not built (bash scripts/build.sh)" >&2; exit 1; }
[ -x "$TSC" ] || { echo "types: typescript is not installed (npm ci)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/oidc-types.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/node_modules"
ln -s "$PKG" "$WORK/node_modules/oidc-session-monitor"
cp "$HERE/tsconfig.json" "$HERE/usage.ts" "$HERE/misuse.ts" "$WORK/"
cd "$WORK"
echo "types: tsc $("$TSC" --version | cut -d' ' -f2), strict"

fail=0
passed=0
failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
nok() { echo "not ok - $*"; failed=$((failed + 1)); fail=1; }
for f in usage misuse; do
  printf '{"extends":"./tsconfig.json","files":["%s.ts"]}\n' "$f" > "tsconfig.$f.json"
done

if out=$("$TSC" -p tsconfig.usage.json --pretty false 2>&1); then
  ok "usage.ts compiles"
else
  nok "usage.ts does not compile:"; echo "$out" | sed 's/^/    /'
fi

if out=$("$TSC" -p tsconfig.misuse.json --pretty false 2>&1); then
  nok "misuse.ts compiles, but must not"
else
  # Expected: line -> code, from the markers. Got: line -> codes, from tsc's "misuse.ts(L,C): error TSxxxx".
  while IFS=: read -r line code; do
    if grep -qE "^misuse\.ts\($line,[0-9]*\): error ($code):" <<<"$out"; then
      ok "misuse.ts:$line rejected with $code"
    else
      nok "misuse.ts:$line not rejected with $code"
      echo "$out" | grep "^misuse\.ts($line," | sed 's/^/    got: /' || true
    fi
  done < <(grep -nE '// MISUSE TS[0-9]+' misuse.ts | sed -E 's/^([0-9]+):.*MISUSE (TS[0-9|TS]+).*/\1:\2/')
  marked=$(grep -nE '// MISUSE TS[0-9]+' misuse.ts | cut -d: -f1 | sort -u)
  for line in $(echo "$out" | grep -o '^[^(]*([0-9]*' | grep '^misuse\.ts' | sed 's/.*(//' | sort -u); do
    if ! grep -qx "$line" <<<"$marked"; then
      nok "misuse.ts:$line has an unexpected error:"; echo "$out" | grep "^misuse\.ts($line," | sed 's/^/    /'
    fi
  done
  outside=$(grep 'error TS' <<<"$out" | grep -v '^misuse\.ts(' || true)
  if [ -n "$outside" ]; then
    nok "errors outside misuse.ts (in the package's .d.ts?):"; sed 's/^/    /' <<<"$outside"
  fi
fi
echo "types: $passed passed, $failed failed"
exit $fail
