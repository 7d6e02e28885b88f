#!/usr/bin/env bash
# Builds the browser module: the library for wasm32 in the size-optimised `wasm-release`
# profile, then wasm-bindgen (--target web) into pkg/, copied to www/pkg/ so www/ is a complete
# static site. Installs the rustup target and the pinned wasm-bindgen-cli the first time.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  echo "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION into $TOOLS_DIR (once, a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS_DIR"
fi

cargo build --lib --target wasm32-unknown-unknown --profile wasm-release
rm -rf pkg
# The name section is ~5 MB of function names (stack traces only); WASM_NAMES=1 keeps it.
strip_names=(--remove-name-section --remove-producers-section)
[ "${WASM_NAMES:-0}" = 1 ] && strip_names=()
wasm-bindgen --target web --no-typescript "${strip_names[@]}" --out-dir pkg \
  "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/flow_playground.wasm"
rm -rf www/pkg
cp -r pkg www/pkg
raw=$(stat -c %s pkg/flow_playground_bg.wasm)
gz=$(gzip -9 -c pkg/flow_playground_bg.wasm | wc -c)
echo "built pkg/: wasm $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzip"
