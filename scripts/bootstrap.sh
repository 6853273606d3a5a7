#!/usr/bin/env bash
# Installs everything the project needs on a bare machine, from the package registries only
# (crates.io, Debian, npm, PyPI). Idempotent: on a ready machine it checks versions and returns in seconds.
# Nothing here downloads a browser, a driver or a binary from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WASM_PACK_VERSION=0.13.1
GECKODRIVER_VERSION=0.37.1
TWIGGY_VERSION=0.8.0
# wasm-bindgen-cli must match the wasm-bindgen library version locked in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)

log() { printf '[bootstrap] %s\n' "$*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"

# --- Rust target ---------------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
  log "adding rust component clippy"
  rustup component add clippy
fi

# --- cargo-installed tools, pinned ---------------------------------------------------------------
cargo_tool() { # name binary version
  local crate=$1 bin=$2 version=$3
  # Capture first: `| grep -q` would SIGPIPE a chatty --version and fail the check under pipefail.
  local have=""
  command -v "$bin" >/dev/null 2>&1 && have=$("$bin" --version 2>/dev/null || true)
  case "$have" in *"$version"*) return 0 ;; esac
  log "cargo install $crate $version"
  # --locked first (reproducible); the registry mirror may lack a locked transitive version, then resolve fresh.
  cargo install --quiet --locked "$crate" --version "$version" --force 2>/dev/null \
    || cargo install --quiet "$crate" --version "$version" --force
}
cargo_tool wasm-bindgen-cli wasm-bindgen "$WASM_BINDGEN_VERSION"
cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION"
cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION"
if [ "${BOOTSTRAP_SKIP_TWIGGY:-}" != 1 ]; then cargo_tool twiggy twiggy "$TWIGGY_VERSION"; fi

# --- Debian packages: browsers, drivers, brotli (size report) ------------------------------------------
# webkit2gtk-driver: WebKitWebDriver + MiniBrowser (WebKitGTK), run under xvfb by tests/support/webkit.mjs.
DEBS="chromium chromium-driver firefox-esr brotli webkit2gtk-driver xvfb"
missing=""
for p in $DEBS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# --- redis-server for the reference RP backend's Redis store tests (examples/rp-server) ----------
# Not fatal: the tests then say they were skipped and why.
if ! command -v redis-server >/dev/null 2>&1; then
  log "apt-get install redis-server"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null; } \
    || log "redis-server could not be installed; the Redis store tests will be skipped"
  # Debian starts a system instance on port 6379; the tests start their own on a free loopback port.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
fi

# --- npm packages (test drivers, typescript, bundler, the node OP) --------------------------------
if [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
    log "npm install"
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
  fi
fi

# --- python venv for django-oidc-provider --------------------------------------------------------
if [ -f tests/e2e/ops/django/requirements.txt ]; then
  VENV=tests/e2e/ops/django/.venv
  if [ ! -x "$VENV/bin/python" ] || ! cmp -s tests/e2e/ops/django/requirements.txt "$VENV/.installed" ; then
    log "python venv for django-oidc-provider"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/e2e/ops/django/requirements.txt
    cp tests/e2e/ops/django/requirements.txt "$VENV/.installed"
  fi
fi
log "ready"
