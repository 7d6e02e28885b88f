#!/usr/bin/env bash
# Runs every test: formatting and lints, the native suite (release profile: Burn compiles once
# for tests and CLI), and the wasm build of the library.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

echo "== format and lints"
cargo fmt --check
cargo clippy --release --all-targets -- -D warnings

echo "== native tests (release profile)"
cargo test --release

echo "== the library builds for wasm32"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo build --lib --target wasm32-unknown-unknown --profile wasm-release

echo "== all tests passed"
