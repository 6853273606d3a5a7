#!/usr/bin/env bash
# Runs every test layer and prints a summary. This is the README's test command; .ci/run calls it.
#   1. cargo test            the pure core, natively
#   2. wasm-pack test        the browser glue in headless Chromium and Firefox, against a fake OP
#   3. package checks        release build, npm pack contents, TypeScript types (tsc), bundler build
#   4. end to end            the built package in Chromium and Firefox against two real OPs
# Every layer runs even if an earlier one failed; the exit status is non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
LOGS=$ROOT/target/test-logs
mkdir -p "$LOGS"
START=$(date +%s)

bash scripts/bootstrap.sh || { echo "test: bootstrap failed" >&2; exit 1; }

PASSED=0; FAILED=0; SUMMARY=()
# record NAME PASSED FAILED
record() {
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '  %-34s %4s passed, %s failed' "$1" "$2" "$3")")
}
# Sums "N passed; M failed" over cargo/wasm-bindgen-test result lines of a log.
cargo_counts() {
  awk '/^test result:/ { for (i=1;i<=NF;i++) { if ($(i+1) ~ /^passed/) p+=$i; if ($(i+1) ~ /^failed/) f+=$i } }
       END { print p+0, f+0 }' "$1"
}
# run_layer NAME LOGFILE COMMAND... : runs, tees output to the log, records counts.
run_cargo_layer() {
  local name=$1 log=$2; shift 2
  echo "== $name"
  "$@" 2>&1 | tee "$log" | grep -E '^(test |test result|error|warning: unused)|panicked|FAIL' || true
  local rc=${PIPESTATUS[0]}
  read -r p f < <(cargo_counts "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a build error counts as a failure
  record "$name" "$p" "$f"
}
# run_check NAME COMMAND... : a single pass/fail check.
run_check() {
  local name=$1; shift
  echo "== $name"
  if "$@" > "$LOGS/$(echo "$name" | tr ' /' '__').log" 2>&1; then record "$name" 1 0
  else echo "   FAILED: $name (log: target/test-logs/$(echo "$name" | tr ' /' '__').log)"; tail -30 "$LOGS/$(echo "$name" | tr ' /' '__').log"; record "$name" 0 1; fi
}

# 1. native core
run_cargo_layer "cargo test (core, native)" "$LOGS/cargo.log" cargo test --quiet --lib
# 1b. native server-side helpers (features `server`, `op`): logout_token validation, session_state
run_cargo_layer "cargo test --all-features (server)" "$LOGS/cargo-server.log" cargo test --quiet --lib --all-features

# Lints and docs, native and wasm32 (warnings are errors).
run_check "clippy -D warnings (native, wasm32)" bash -c \
  'cargo clippy --quiet --all-targets -- -D warnings && cargo clippy --quiet --all-targets --all-features -- -D warnings && cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings'
run_check "rustdoc -D warnings (native, wasm32)" env RUSTDOCFLAGS="-D warnings" bash -c \
  'cargo doc --quiet --no-deps && cargo doc --quiet --no-deps --all-features && cargo doc --quiet --no-deps --target wasm32-unknown-unknown'

# 2. browser glue, with the fake OP on other loopback origins
FAKE_OP_PORT=${FAKE_OP_PORT:-9040}
node tests/fake-op/server.mjs "$FAKE_OP_PORT" > "$LOGS/fake-op.log" 2>&1 &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null' EXIT INT TERM
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$FAKE_OP_PORT/check.html" >/dev/null && break; sleep 0.1; done
run_cargo_layer "wasm-pack test --chrome" "$LOGS/web-chrome.log" \
  wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver --mode no-install .
run_cargo_layer "wasm-pack test --firefox" "$LOGS/web-firefox.log" \
  wasm-pack test --headless --firefox --geckodriver "$HOME/.cargo/bin/geckodriver" --mode no-install .
kill $FAKE_PID 2>/dev/null; trap - EXIT INT TERM

# 3. the package
run_check "release build (pkg/)" bash scripts/build.sh
run_check "npm pack contents" node tests/package/check.mjs
run_check "TypeScript types (tsc)" bash tests/types/check.sh
run_check "bundler build (esbuild)" node tests/bundler/build.mjs
run_check "bundle + drop-ins in Chromium" node tests/bundler/smoke.mjs

# run_counted NAME PREFIX LOG COMMAND... : a suite that ends with "PREFIX: N passed, M failed".
run_counted() {
  local name=$1 prefix=$2 log=$3; shift 3
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]} p f
  read -r p f < <(sed -n "s/^$prefix: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p" "$log" | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  record "$name" "$p" "$f"
}

# 4. the showcase (the demo site) and end to end against real OPs
run_counted "showcase site (www/check.mjs)" showcase "$LOGS/showcase.log" node www/check.mjs
run_counted "end to end (tests/e2e/COMPAT.md)" e2e "$LOGS/e2e.log" node tests/e2e/run.mjs

# Figures: package size side by side with the peers (a report, not a test), then the README tables.
echo "== size report (scripts/size.sh)"
bash scripts/size.sh --no-build > "$LOGS/size.log" 2>&1 && sed -n '/^| file/,/^$/p;/^| total/,/^$/p' SIZE.md || echo "   size report failed (log: target/test-logs/size.log)"
echo "== speed benchmark, side by side with the peers (bench/run.mjs)"
node bench/run.mjs > "$LOGS/bench.log" 2>&1 && sed -n '/^| browser/,/^$/p' bench/RESULTS.md || echo "   benchmark failed (log: target/test-logs/bench.log)"
node scripts/sync-readme.mjs || true

echo
echo "Summary ($(( $(date +%s) - START )) s):"
printf '%s\n' "${SUMMARY[@]}"
echo "all: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
