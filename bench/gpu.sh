#!/usr/bin/env bash
# The benchmarks on a machine with a real GPU (Linux, NVIDIA with its Vulkan driver, or any GPU
# with a Vulkan driver), in one go:
#   1. installs what is missing: the wasm32 target and wasm-bindgen (scripts/build-wasm.sh),
#      Debian's chromium, the Vulkan loader and tools, the bench's npm packages;
#   2. builds both browser modules;
#   3. native: Burn's wgpu backend on the GPU (`--features webgpu`, `bench --device webgpu`)
#      beside the flex CPU backend, and PyTorch on CUDA where it installs (same-run peer);
#   4. browser: bench/browser/run.mjs with hardware WebGPU: ours, TF.js and jax-js, training,
#      sampling, start-up, page weight. It stops if the adapter turns out to be a software one.
# Results: bench/results/gpu-<date>/ (one file per part, plus the console log).
#
# Headless Chromium on a real GPU needs (Chrome's recipe for headless WebGPU on Linux/NVIDIA):
#   --enable-unsafe-webgpu --use-angle=vulkan --enable-features=Vulkan --disable-vulkan-surface
#   --ignore-gpu-blocklist
# without SwiftShader's flags (--use-vulkan=swiftshader, --use-angle=swiftshader), and a Vulkan
# ICD for the GPU (NVIDIA's driver ships one: /usr/share/vulkan/icd.d/nvidia_icd.json).
# Check with `vulkaninfo --summary`: the GPU must be listed, not only llvmpipe.
#
# Usage: bench/gpu.sh [rounds]    (GPU_SH_PARTS=... overrides the browser parts)
# Where no GPU is found it runs the parts that need none (install, build, page weight and
# start-up on the CPU path) and says which parts it skipped.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
ROUNDS="${1:-3}"
OUT="$ROOT/bench/results/gpu-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
exec > >(tee "$OUT/console.log") 2>&1

say() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  if have apt-get; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } ||
      echo "apt-get could not install $* (continuing)"
  else
    echo "no apt-get: install $* by hand"
  fi
}

say "machine"
uname -a
nproc
have nvidia-smi && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || echo "no nvidia-smi"

say "prerequisites"
have cargo || { echo "cargo is required (https://rustup.rs)"; exit 1; }
have node || apt_install nodejs npm
have "${CHROMIUM:-/usr/bin/chromium}" || apt_install chromium
(cd bench/browser && npm install --no-audit --no-fund --silent)

# A GPU is one Vulkan lists that is not a CPU implementation (llvmpipe, SwiftShader). Without a
# GPU driver (no nvidia-smi, no /dev/dri) nothing is installed for it.
GPU=""
if have nvidia-smi || ls /dev/dri/renderD* >/dev/null 2>&1; then
  have vulkaninfo || apt_install vulkan-tools libvulkan1
fi
if have vulkaninfo; then
  GPU=$(vulkaninfo --summary 2>/dev/null | sed -n 's/^[[:space:]]*deviceName[[:space:]]*=[[:space:]]*//p' |
    grep -viE 'llvmpipe|swiftshader|lavapipe' | head -1 || true)
fi
if [ -n "$GPU" ]; then echo "GPU: $GPU"; else echo "no hardware GPU found through Vulkan: the GPU parts are skipped"; fi

say "the browser modules"
scripts/build-wasm.sh

if [ -n "$GPU" ]; then
  say "native: Burn (wgpu backend on the GPU, flex on the CPU) and PyTorch"
  cargo build --release --features webgpu --bin flow-playground
  CLI="$TARGET_DIR/release/flow-playground"
  for round in $(seq "$ROUNDS"); do
    "$CLI" bench --device webgpu --train 64x256,256x1024,1024x4096 --particles 10000,100000,1000000 \
      --nfe 20 --json "$OUT/native-wgpu-$round.json"
    "$CLI" bench --device cpu --train 64x256,256x1024 --particles 10000,100000 --nfe 20 \
      --json "$OUT/native-flex-$round.json"
  done
  VENV="${BENCH_VENV:-$ROOT/bench/.venv}"
  if [ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q torch; }; then
    if "$VENV/bin/python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
      for round in $(seq "$ROUNDS"); do
        for size in 64x256 256x1024 1024x4096; do
          "$VENV/bin/python" bench/native/torch_bench.py --device cuda --width "${size%x*}" \
            --batch "${size#*x}" --steps 300 --read-every 100 >> "$OUT/native-torch-cuda.jsonl"
        done
      done
    else
      echo "PyTorch sees no CUDA device: no native GPU peer"
    fi
  else
    echo "PyTorch could not be installed: no native GPU peer"
  fi
else
  echo "skipped: native GPU bench (no GPU)"
fi

say "browser"
if [ -n "$GPU" ]; then
  export BENCH_CHROMIUM_ARGS="--enable-unsafe-webgpu --use-angle=vulkan --enable-features=Vulkan --disable-vulkan-surface --ignore-gpu-blocklist --disable-background-networking --disable-component-update --no-first-run"
  # The adapter first: the numbers are only worth keeping from a hardware one.
  BENCH_OUT="$OUT/browser-adapter.json" node bench/browser/run.mjs "kernels"
  if grep -qiE 'swiftshader|llvmpipe' "$OUT/browser-adapter.json" || ! grep -q '"webgpu": true' "$OUT/browser-adapter.json"; then
    echo "Chromium's WebGPU adapter is not the GPU (see $OUT/browser-adapter.json): stopping"
    exit 1
  fi
  PARTS="${GPU_SH_PARTS:-train&sample&peersample&render&startup&startpeers}"
  BENCH_OUT="$OUT/browser.json" node bench/browser/run.mjs "$PARTS&rounds=$ROUNDS&gpuSteps=100&sizes=64x256,256x1024"
else
  # No GPU: the parts that need none (page weight, start-up on the CPU path, SwiftShader's WebGPU
  # only as the fallback a reader without a GPU gets).
  BENCH_OUT="$OUT/browser.json" node bench/browser/run.mjs "${GPU_SH_PARTS:-startup&startupRounds=1}"
  echo "skipped: browser bench on hardware WebGPU (no GPU)"
fi

say "done: $OUT"
ls -la "$OUT"
