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

# name  source  dataset  coupling  [extra train flags]
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
  "8gaussians-conditional gaussian 8gaussians independent --conditional"
  "moons-conditional gaussian moons independent --conditional"
  "moons-shortcut gaussian moons independent --shortcut"
)
for run in "${RUNS[@]}"; do
  read -r name source dataset coupling extra <<<"$run"
  # shellcheck disable=SC2086 # the extra flags are words
  "$CLI" train --source "$source" --dataset "$dataset" --coupling "$coupling" \
    --width 64 --depth 3 --activation silu --time-embedding 16 --path linear --param velocity \
    --steps "$STEPS" --batch 256 --lr 2e-3 --cosine --seed 0 --log-every "$STEPS" \
    --eval-samples 2000 --out "$OUT/$name" $extra
  cp "$OUT/$name/model.fpw" "www/models/$name.fpw"
done

# name  flow to rectify: one reflow of the moons flow (a 1-rectified flow).
REFLOWS=(
  "moons-reflow moons"
)
for run in "${REFLOWS[@]}"; do
  read -r name from <<<"$run"
  "$CLI" reflow --weights "$OUT/$from/model.fpw" --steps "$STEPS" --pairs 20000 --lr 1e-3 \
    --cosine --seed 0 --log-every "$STEPS" --eval-samples 2000 --out "$OUT/$name"
  cp "$OUT/$name/model.fpw" "www/models/$name.fpw"
done

python3 - "$OUT" "${RUNS[@]}" "${REFLOWS[@]/#/reflow }" <<'PY'
import json, sys
out, runs = sys.argv[1], sys.argv[2:]
models = []
base = {}
for run in runs:
    words = run.split()
    if words[0] == "reflow":
        name, source, dataset, coupling, extra = words[1], *base[words[2]], []
        reflows = 1
    else:
        name, source, dataset, coupling, *extra = words
        base[name] = (source, dataset, coupling)
        reflows = 0
    m = json.load(open(f"{out}/{name}/metrics.json"))
    models.append({
        "file": f"{name}.fpw", "dataset": dataset, "source": source, "coupling": coupling,
        "path": "linear", "param": "velocity", "width": 64, "depth": 3, "activation": "silu",
        "embed": 16, "spread": None, "conditional": "--conditional" in extra,
        "shortcut": "--shortcut" in extra, "reflows": reflows,
        "steps": m["steps"], "final_loss": round(m["final_loss"], 4),
        "w2": round(m["w2"], 4), "w2_floor": round(m["w2_floor"], 4), "w2_source": round(m["w2_source"], 4),
        "straightness": round(m["straightness"], 4),
        **({"nll": round(m["nll"], 4)} if m.get("nll") is not None else {}),
        **({"w2_euler1": round(m["w2_euler1"], 4), "w2_euler1_before": round(m["w2_euler1_before"], 4),
            "straightness_before": round(m["straightness_before"], 4)} if reflows else {}),
    })
doc = {
    "about": "Shipped models for the default settings; made by scripts/pretrain.sh (native CLI, seed 0, 10000 steps, batch 256, lr 2e-3 with cosine decay), each dataset at its default spread (spread null); conditional (classifier-free guidance), shortcut and reflowed (1-rectified, 20000 pairs) variants of some. W2 on 2000 samples vs fresh data, beside the two-sample floor; NLL in nats per point where the source has a density.",
    "models": models,
}
with open("www/models/index.json", "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
PY
ls -la www/models
