#!/usr/bin/env bash
# Runs every test: formatting and lints, the native suite (release profile: Burn compiles once
# for tests and CLI), then the browser scenarios against the real built wasm in headless
# Chromium (WebGPU on SwiftShader, and the CPU backend). Installs what is missing on the way:
# the wasm32 target, the pinned wasm-bindgen-cli, Debian's chromium, npm's playwright-core.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

echo "== format and lints"
cargo fmt --check
cargo clippy --release --all-targets -- -D warnings
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo clippy --lib --target wasm32-unknown-unknown --profile wasm-release -- -D warnings

echo "== native tests (release profile)"
cargo test --release

echo "== front-end unit tests (node)"
node --test tests/js/

echo "== the browser module"
"$ROOT/scripts/build-wasm.sh"

echo "== browser scenarios (headless Chromium)"
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
  echo "installing Debian's chromium (Playwright's own browser download does not work offline)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
node tests/browser/run.mjs

echo "== all tests passed"
