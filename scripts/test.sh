#!/usr/bin/env bash
# The test command. Runs every layer (or the ones named) and prints a summary; the last line is
# `all: N passed, M failed`. Every layer runs even if an earlier one failed; the exit status is non-zero
# if any check failed.
#
#   bash scripts/test.sh                 every layer, in this order:
#   bash scripts/test.sh core            cargo test (the pure core, natively; and --all-features: the server-side
#                                        helpers) + clippy and rustdoc with -D warnings, native and wasm32
#   bash scripts/test.sh server          the server side (issue 12): examples/rp-server over HTTP with its memory
#                                        and Redis stores (a real redis-server on a free loopback port), then
#                                        tests/e2e/backchannel.mjs (node OP → rp-server, real logout tokens)
#   bash scripts/test.sh web             wasm-pack test: the browser glue in headless Chromium and Firefox,
#                                        against the fake OP (tests/support/fake-op)
#   bash scripts/test.sh package         release build, npm pack contents, TypeScript types, bundler build and
#                                        smoke test, size report + size budget (size-budget.json)
#   bash scripts/test.sh showcase        the demo site against a real OP (www/check.mjs)
#   bash scripts/test.sh e2e             the built package against two real OPs (tests/e2e/run.mjs), and logout
#                                        across 3 tabs against node oidc-provider + examples/rp-server (tests/e2e/logout.mjs), and the https
#                                        third-party-cookie matrix (tests/e2e/third-party.mjs)
#   bash scripts/test.sh bench           speed benchmark side by side with the peers (figures are not asserted; the
#                                        harness steps are counted: a harness error fails the layer)
#   bash scripts/test.sh web e2e         several layers
#
# No layer writes a tracked file: logs go to target/test-logs/, generated reports (SIZE.md, COMPAT.md,
# compat.json, bench RESULTS.md) to target/reports/. `npm run report` copies them to the committed files
# and the README's tables when a person wants to commit them.
#
# A layer is one function `layer_<name>` below (add yours to LAYERS). Inside it, count results with:
#   run_check NAME CMD...           one pass/fail check
#   run_cargo NAME LOG CMD...       sums cargo / wasm-bindgen-test "test result:" lines
#   run_counted NAME PREFIX CMD...  a suite that ends with "PREFIX: N passed, M failed" (tests/support/report.mjs)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
LOGS=$ROOT/target/test-logs
REPORTS=$ROOT/target/reports
mkdir -p "$LOGS" "$REPORTS"
START=$(date +%s)

LAYERS=(core server web package showcase e2e bench)
WANT=("$@")
[ ${#WANT[@]} -eq 0 ] && WANT=("${LAYERS[@]}")
for w in "${WANT[@]}"; do
  case " ${LAYERS[*]} " in *" $w "*) ;; *) echo "test: unknown layer '$w' (layers: ${LAYERS[*]})" >&2; exit 2 ;; esac
done

bash scripts/bootstrap.sh || { echo "test: bootstrap failed" >&2; exit 1; }

PASSED=0; FAILED=0; SUMMARY=()
# record NAME PASSED FAILED
record() {
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '  %-46s %4s passed, %s failed' "$1" "$2" "$3")")
}
logname() { echo "$LOGS/$(echo "$1" | tr -c 'A-Za-z0-9.\n-' '_').log"; }
# Sums "N passed; M failed" over cargo/wasm-bindgen-test result lines of a log.
cargo_counts() {
  awk '/^test result:/ { for (i=1;i<=NF;i++) { if ($(i+1) ~ /^passed/) p+=$i; if ($(i+1) ~ /^failed/) f+=$i } }
       END { print p+0, f+0 }' "$1"
}
# run_cargo NAME LOGFILE COMMAND... : runs, tees output to the log, records counts.
run_cargo() {
  local name=$1 log=$2; shift 2
  echo "== $name"
  # No `|| true` here: under pipefail it would run and reset PIPESTATUS, so a crashed or hung run
  # (no "test result" line) counted as 0 failed.
  "$@" 2>&1 | tee "$log" | grep -E '^(test |test result|error|warning: unused)|panicked|FAIL'
  local rc=${PIPESTATUS[0]}
  read -r p f < <(cargo_counts "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a build error counts as a failure
  record "$name" "$p" "$f"
}
# run_check NAME COMMAND... : a single pass/fail check.
run_check() {
  local name=$1 log; shift
  log=$(logname "$name")
  echo "== $name"
  if "$@" > "$log" 2>&1; then record "$name" 1 0
  else echo "   FAILED: $name (log: ${log#"$ROOT"/})"; tail -30 "$log"; record "$name" 0 1; fi
}
# run_counted NAME PREFIX COMMAND... : a suite that ends with "PREFIX: N passed, M failed".
run_counted() {
  local name=$1 prefix=$2 log p f; shift 2
  log=$(logname "$name")
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  read -r p f < <(sed -n "s/^$prefix: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p" "$log" | tail -1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  record "$name" "$p" "$f"
}
# need_pkg: the layers that load the package build pkg/ when it is missing or older than its sources.
PKG_READY=""
need_pkg() {
  [ -n "$PKG_READY" ] && return 0
  local wasm=pkg/oidc_session_monitor_bg.wasm
  if [ ! -f "$wasm" ] || [ -n "$(find src npm Cargo.toml Cargo.lock README.md scripts/build.sh -newer "$wasm" -print -quit)" ]; then
    run_check "release build (pkg/)" bash scripts/build.sh
  fi
  PKG_READY=1
}

layer_core() {
  run_cargo "cargo test (core, native)" "$LOGS/cargo.log" cargo test --quiet --lib
  # native server-side helpers (features `server`, `op`): logout_token validation, session_state
  run_cargo "cargo test --all-features (server helpers)" "$LOGS/cargo-server.log" cargo test --quiet --lib --all-features -- server:: core::session_state:: core::no_panic_on_any_input::
  run_check "clippy -D warnings (native, wasm32)" bash -c \
    'cargo clippy --quiet --all-targets -- -D warnings && cargo clippy --quiet --all-targets --all-features -- -D warnings && cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings'
  run_check "rustdoc -D warnings (native, wasm32)" env RUSTDOCFLAGS="-D warnings" bash -c \
    'cargo doc --quiet --no-deps && cargo doc --quiet --no-deps --all-features && cargo doc --quiet --no-deps --target wasm32-unknown-unknown'
}

layer_server() {
  command -v redis-server >/dev/null || echo "   SKIPPED: rp-server Redis store tests (redis-server not installed; scripts/bootstrap.sh installs it)"
  run_cargo "rp-server (HTTP, memory + Redis)" "$LOGS/rp-server.log" cargo test --quiet -p rp-server
  run_check "clippy -D warnings (rp-server)" cargo clippy --quiet -p rp-server --all-targets -- -D warnings
  # End to end: node oidc-provider's real logout tokens → rp-server; session_state of both real OPs.
  run_check "build rp-server, session_state example" bash -c \
    'cargo build --quiet -p rp-server && cargo build --quiet --features op --example session_state'
  run_counted "back-channel logout e2e (node OP, Chromium)" backchannel node tests/e2e/backchannel.mjs
}

layer_web() {
  # wasm-pack's runner reads webdriver.json; the flags themselves live in tests/support/browsers.mjs.
  run_check "webdriver.json = tests/support/browsers.mjs" node tests/support/browsers.mjs --check-webdriver-json
  local port=${FAKE_OP_PORT:-9040} pid
  # The runner gives the whole suite 20 s by default; the suite (real timers, real iframes) takes longer.
  export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-180}
  node tests/support/fake-op/server.mjs "$port" > "$LOGS/fake-op.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/check.html" >/dev/null && break; sleep 0.1; done
  run_cargo "wasm-pack test --chrome" "$LOGS/web-chrome.log" \
    wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver --mode no-install .
  run_cargo "wasm-pack test --firefox" "$LOGS/web-firefox.log" \
    wasm-pack test --headless --firefox --geckodriver "$HOME/.cargo/bin/geckodriver" --mode no-install .
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}

layer_package() {
  PKG_READY=""
  run_check "release build (pkg/)" bash scripts/build.sh
  PKG_READY=1
  run_check "npm pack contents" node tests/package/check.mjs
  run_check "TypeScript types (tsc)" bash tests/types/check.sh
  run_check "bundler build (esbuild)" node tests/bundler/build.mjs
  run_counted "bundle + drop-ins in Chromium" bundler node tests/bundler/smoke.mjs
  # The size report (figures, not counted) feeds the size budget (counted).
  echo "== size report (scripts/size.sh -> target/reports/SIZE.md)"
  if bash scripts/size.sh --no-build > "$LOGS/size.log" 2>&1; then
    sed -n '/^| file/,/^$/p;/^| total/,/^$/p' "$REPORTS/SIZE.md"
  else echo "   size report failed (log: target/test-logs/size.log)"; fi
  run_counted "size budget (size-budget.json)" size-budget node scripts/size-budget.mjs
}

layer_showcase() {
  need_pkg
  run_counted "showcase site (www/check.mjs)" showcase node www/check.mjs
}

layer_e2e() {
  need_pkg
  run_counted "end to end (target/reports/e2e/COMPAT.md)" e2e node tests/e2e/run.mjs
  # Logout that reaches every tab (issue 11): the back-channel scenario runs examples/rp-server.
  run_check "rp-server build (for the logout suite)" cargo build --quiet -p rp-server
  run_counted "logout end to end (tests/e2e/logout.mjs)" logout-e2e node tests/e2e/logout.mjs
  # issue 13: https on loopback, OP × cookie policy × same/cross-site × (signed in, OP logout); fails on a false logout
  run_counted "third-party cookies, https (target/reports/e2e/third-party.json)" third-party node tests/e2e/third-party.mjs
}

layer_bench() {
  # Figures, not assertions: written to target/reports/bench/ (RESULTS.md, TABS.md). What is counted is the harness:
  # a page that fails to load, a library that never answers, a figure that cannot be read (a slow figure passes).
  need_pkg
  run_counted "speed benchmark, side by side with the peers (bench/run.mjs)" bench node bench/run.mjs
  # Counted like bench/run.mjs: cases that ran (each focus run must see its round trip and its `changed`).
  run_counted "several tabs: polls at the OP and focus -> changed (bench/tabs.mjs)" bench-tabs node bench/tabs.mjs
}

for layer in "${LAYERS[@]}"; do
  case " ${WANT[*]} " in *" $layer "*) "layer_$layer" ;; esac
done

echo
echo "Summary ($(( $(date +%s) - START )) s; layers: ${WANT[*]}; reports in target/reports/, \`npm run report\` commits them):"
printf '%s\n' "${SUMMARY[@]}"
echo "all: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
