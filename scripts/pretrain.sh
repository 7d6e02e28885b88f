#!/usr/bin/env bash
# Trains the shipped models in www/models/ with the native CLI and writes their manifest
# (www/models/index.json). Reproducible: fixed seeds, fixed settings; rerun after changing the
# model or the weights format.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
cargo build --release --bin flow-playground
CLI="$TARGET_DIR/release/flow-playground"
OUT="${PRETRAIN_DIR:-$(mktemp -d)}"
mkdir -p www/models
# Each dataset at its default spread (the legible one): the page and embeds start there.
STEPS=10000

# name  source  dataset  coupling
RUNS=(
  "8gaussians gaussian 8gaussians independent"
  "25gaussians gaussian 25gaussians independent"
  "moons gaussian moons independent"
  "circles gaussian circles independent"
  "checkerboard gaussian checkerboard independent"
  "spirals gaussian spirals independent"
  "swissroll gaussian swissroll independent"
  "pinwheel gaussian pinwheel independent"
  "rings gaussian rings independent"
  "8gaussians-to-moons 8gaussians moons independent"
  "8gaussians-to-moons-ot 8gaussians moons ot"
)
for run in "${RUNS[@]}"; do
  read -r name source dataset coupling <<<"$run"
  "$CLI" train --source "$source" --dataset "$dataset" --coupling "$coupling" \
    --width 64 --depth 3 --activation silu --time-embedding 16 --path linear --param velocity \
    --steps "$STEPS" --batch 256 --lr 2e-3 --cosine --seed 0 --log-every "$STEPS" \
    --eval-samples 2000 --out "$OUT/$name"
  cp "$OUT/$name/model.fpw" "www/models/$name.fpw"
done

python3 - "$OUT" "${RUNS[@]}" <<'PY'
import json, sys
out, runs = sys.argv[1], sys.argv[2:]
models = []
for run in runs:
    name, source, dataset, coupling = run.split()
    m = json.load(open(f"{out}/{name}/metrics.json"))
    models.append({
        "file": f"{name}.fpw", "dataset": dataset, "source": source, "coupling": coupling,
        "path": "linear", "param": "velocity", "width": 64, "depth": 3, "activation": "silu",
        "embed": 16, "spread": None, "steps": m["steps"], "final_loss": round(m["final_loss"], 4),
        "w2": round(m["w2"], 4), "w2_floor": round(m["w2_floor"], 4), "w2_source": round(m["w2_source"], 4),
    })
doc = {
    "about": "Shipped models for the default settings; made by scripts/pretrain.sh (native CLI, seed 0, 10000 steps, batch 256, lr 2e-3 with cosine decay), each dataset at its default spread (spread null). W2 on 2000 samples vs fresh data, beside the two-sample floor.",
    "models": models,
}
with open("www/models/index.json", "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
PY
ls -la www/models
