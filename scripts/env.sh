# Shared settings for the scripts (sourced, not run).
# TOOLS_DIR holds wasm-bindgen-cli and other project-local tools; CARGO_TARGET_DIR may point at a
# persistent cache (CI sets both outside the clone so Burn compiles once).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"
export PATH="$TOOLS_DIR/bin:$HOME/.cargo/bin:$PATH"
WASM_BINDGEN_VERSION=0.2.130
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
