#!/usr/bin/env bash
# Native training: Burn (flex CPU backend) vs PyTorch CPU, the same MLP and I-CFM step, the same
# thread count, interleaved rounds (ours, theirs, ours, …) so that machine noise hits both.
# Usage: bench/native/run.sh [rounds]   (creates a venv with PyTorch the first time: ~3 GB)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
ROUNDS="${1:-3}"
THREADS="${THREADS:-$(nproc)}"
SIZES="${SIZES:-64x256 256x1024}"
ACTIVATIONS="${ACTIVATIONS:-silu relu}"
STEPS="${STEPS:-300}"
VENV="${BENCH_VENV:-$ROOT/bench/.venv}"
OUT="$ROOT/bench/results"
mkdir -p "$OUT"

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "creating $VENV with PyTorch (PyPI's wheel brings its CUDA libraries: a few GB)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch numpy
fi
cargo build --release --bin flow-playground
CLI="$TARGET_DIR/release/flow-playground"

results="$OUT/native.jsonl"
: > "$results"
for round in $(seq "$ROUNDS"); do
  for act in $ACTIVATIONS; do
    for size in $SIZES; do
      width="${size%x*}"; batch="${size#*x}"
      RAYON_NUM_THREADS="$THREADS" "$CLI" bench --train "$size" --steps "$STEPS" --particles "" \
        --time-embedding 0 --activation "$act" --json "$OUT/ours.json" >/dev/null
      python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(json.dumps({'peer':'burn-flex','round':$round,'activation':r['activation'],'width':r['width'],'batch':r['batch'],'steps_per_second':r['steps_per_second']}))" "$OUT/ours.json" >> "$results"
      "$VENV/bin/python" "$ROOT/bench/native/torch_bench.py" --width "$width" --batch "$batch" \
        --steps "$STEPS" --threads "$THREADS" --activation "$act" | python3 -c "import json,sys; r=json.load(sys.stdin); r['round']=$round; print(json.dumps(r))" >> "$results"
    done
  done
done

python3 - "$results" "$THREADS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"native training, {sys.argv[2]} threads, median of {max(r['round'] for r in rows)} interleaved rounds")
print(f"{'activation':>10} {'size':>12} {'burn flex':>12} {'pytorch':>12} {'ratio':>8}")
for key in sorted({(r['activation'], r['width'], r['batch']) for r in rows}):
    pick = lambda peer: statistics.median(r['steps_per_second'] for r in rows if r['peer'] == peer and (r['activation'], r['width'], r['batch']) == key)
    ours, theirs = pick('burn-flex'), pick('pytorch')
    print(f"{key[0]:>10} {'3x%d b%d' % key[1:]:>12} {ours:>10.1f}/s {theirs:>10.1f}/s {ours / theirs:>7.2f}x")
PY
