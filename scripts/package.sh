#!/usr/bin/env bash
# Builds the npm package of the <flow-playground> element from www/ (which scripts/build-wasm.sh
# fills with both modules) into dist/npm/, then packs it: dist/flow-playground-<version>.tgz.
# The package holds the element, its worker and ES modules, both wasm modules, the shipped
# models, the iframe page and the full playground page; not the example article.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
for f in www/pkg/flow_playground_bg.wasm www/pkg-gpu/flow_playground_bg.wasm; do
  [ -f "$f" ] || { echo "$f is missing: run scripts/build-wasm.sh first" >&2; exit 1; }
done
OUT="$ROOT/dist/npm"
rm -rf "$OUT"
mkdir -p "$OUT"
cp -r www/. "$OUT/"
rm -rf "$OUT/examples"
find "$OUT" -name '.gitignore' -delete
node scripts/package-json.mjs "$OUT"
(cd "$ROOT/dist" && npm pack ./npm --pack-destination . --silent)
