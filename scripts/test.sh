#!/usr/bin/env bash
# Runs every test: formatting and lints, the native suite (release profile: Burn compiles once
# for tests and CLI), node unit tests of the front end, the wasm API under wasm-bindgen-test,
# then the browser scenarios against the real built wasm in headless Chromium (WebGPU on
# SwiftShader, and the CPU backend) and those that need no WebGPU in Firefox ESR. Installs what
# is missing on the way: the wasm32 target, the pinned wasm-bindgen-cli, Debian's chromium,
# chromedriver and firefox-esr, npm's playwright-core, puppeteer-core and axe-core.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

echo "== format and lints"
cargo fmt --check
cargo clippy --release --all-targets -- -D warnings
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
# Both browser modules: the CPU-only one and the WebGPU one (`--features webgpu`).
cargo clippy --lib --target wasm32-unknown-unknown --profile wasm-release -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --profile wasm-release --features webgpu -- -D warnings
cargo clippy --test wasm_api --target wasm32-unknown-unknown --profile wasm-release -- -D warnings

echo "== native tests (release profile)"
cargo test --release

echo "== front-end unit tests (node)"
[ -d node_modules/fast-check ] && [ -d node_modules/playwright-core ] && [ -d node_modules/puppeteer-core ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund
node --test tests/js/

echo "== the browser modules (CPU-only, then WebGPU)"
"$ROOT/scripts/build-wasm.sh"

if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "installing Debian's chromium and chromedriver (Playwright's own browser download does not work offline)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

echo "== wasm API tests (wasm-bindgen-test in headless Chromium, the CPU-only module)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$TOOLS_DIR/bin/wasm-bindgen-test-runner" \
  cargo test --target wasm32-unknown-unknown --profile wasm-release --test wasm_api

echo "== browser scenarios (headless Chromium)"
node tests/browser/run.mjs

echo "== browser scenarios (headless Firefox ESR, WebDriver BiDi)"
if ! command -v "${FIREFOX:-/usr/bin/firefox-esr}" >/dev/null; then
  echo "installing Debian's firefox-esr"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr
fi
node tests/browser/firefox.mjs

echo "== all tests passed"
