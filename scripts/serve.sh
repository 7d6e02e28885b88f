#!/usr/bin/env bash
# Builds the browser modules (CPU-only and WebGPU) and serves the playground on http://127.0.0.1:${PORT:-8080}/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/build-wasm.sh"
PORT="${PORT:-8080}"
echo "Flow Playground: http://127.0.0.1:$PORT/"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$ROOT/www"
