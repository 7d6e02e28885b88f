#!/usr/bin/env bash
# Builds the two browser modules from this one crate, for wasm32 in the size-optimised
# `wasm-release` profile, then wasm-bindgen (--target web):
#   pkg/      the CPU-only module (Burn's flex backend alone): what every page loads first;
#   pkg-gpu/  the WebGPU module (`--features webgpu`: flex + WebGPU through CubeCL, with fusion),
#             which the worker fetches in the background only where the browser has an adapter.
# Both are copied under www/ so www/ is a complete static site. Installs the rustup target and
# the pinned wasm-bindgen-cli the first time. WASM_MODULES=cpu (or webgpu) builds one of them.
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

# The name section is ~5 MB of function names (stack traces only); WASM_NAMES=1 keeps it.
strip_names=(--remove-name-section --remove-producers-section)
[ "${WASM_NAMES:-0}" = 1 ] && strip_names=()

# build OUT_DIR [cargo feature flags...]: one module into OUT_DIR/ and www/OUT_DIR/.
build() {
  local out=$1
  shift
  local t0=$SECONDS
  cargo build --lib --target wasm32-unknown-unknown --profile wasm-release "$@"
  rm -rf "$out"
  wasm-bindgen --target web --no-typescript "${strip_names[@]}" --out-dir "$out" \
    "$TARGET_DIR/wasm32-unknown-unknown/wasm-release/flow_playground.wasm"
  rm -rf "www/$out"
  cp -r "$out" "www/$out"
  local raw gz
  raw=$(stat -c %s "$out/flow_playground_bg.wasm")
  gz=$(gzip -9 -c "$out/flow_playground_bg.wasm" | wc -c)
  echo "built $out/: wasm $((raw / 1024)) KiB raw, $((gz / 1024)) KiB gzip ($((SECONDS - t0)) s)"
}

modules=${WASM_MODULES:-cpu,webgpu}
[[ ,$modules, == *,cpu,* ]] && build pkg
[[ ,$modules, == *,webgpu,* ]] && build pkg-gpu --features webgpu
exit 0
