#!/usr/bin/env bash
# `npm run bench`: training speed and peak memory of the onnx engine, and of the tfjs engine on
# WebAssembly, against PyTorch 2.13 CPU on the same shipped architectures, alternating runs so all
# see the same machine; medians and ratios.
# Usage: bench/compare.sh [REPEATS]   (from the repo root; CONFIGS="model size batch steps;..." overrides the set)
# Pure-JS tfjs is not timed (~0.1 img/s for cnn2 at 128x128); tfjs-node and tfjs-node-gpu need
# libtensorflow, which cannot be installed everywhere.
set -euo pipefail
repeats=${1:-3}
npx tsc bench/engine.ts bench/models.ts --outDir bench/out --rootDir . --module nodenext --moduleResolution nodenext \
  --target es2022 --strict --skipLibCheck --types node
results=bench/out/results.jsonl
: > "$results"
IFS=';' read -ra configs <<< "${CONFIGS:-cnn2 64 32 40;cnn2 128 32 15;cnn4 128 32 8}"
for r in $(seq "$repeats"); do
  for cfg in "${configs[@]}"; do
    # shellcheck disable=SC2086
    node bench/out/bench/engine.js $cfg | tee -a "$results"
    # WebAssembly runs one thread and is slower: a third of the steps.
    read -r model size batch steps <<< "$cfg"
    node bench/out/bench/engine.js "$model" "$size" "$batch" $(( (steps + 2) / 3 )) tfjs-wasm | tee -a "$results"
    # shellcheck disable=SC2086
    # Some machines set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow a
    # current PyTorch, so the baseline runs without them.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/pytorch_cnn.py $cfg | tee -a "$results"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
skipped = {r["skipped"] for r in rows if "skipped" in r}
for s in skipped:
    print(f"pytorch skipped: {s}")
rows = [r for r in rows if "skipped" not in r]
for k in sorted({(r["model"], r["size"], r["batch"]) for r in rows}):
    runs = {e: [r for r in rows if (r["model"], r["size"], r["batch"]) == k and r["engine"] == e] for e in ("onnx", "tfjs-wasm", "pytorch")}
    med = {e: {m: statistics.median(r[m] for r in rs) for m in ("imgPerSec", "peakRssMB", "cpuMsPerImage")} for e, rs in runs.items() if rs}
    best = {e: max(r["imgPerSec"] for r in rs) for e, rs in runs.items() if rs}
    line = f"{k[0]} {k[1]}x{k[1]} b{k[2]} ({len(runs['onnx'])} runs each): "
    line += " | ".join(f"{e} median {m['imgPerSec']:.1f} best {best[e]:.1f} img/s, {m['peakRssMB']:.0f} MB" for e, m in med.items())
    if "pytorch" not in med:
        print(line + " (no PyTorch to compare)")
        continue
    p = med["pytorch"]
    for e in ("onnx", "tfjs-wasm"):
        if e in med:
            line += (f" || {e} vs pytorch: speed x{med[e]['imgPerSec'] / p['imgPerSec']:.2f} (best x{best[e] / best['pytorch']:.2f}), "
                     f"memory x{med[e]['peakRssMB'] / p['peakRssMB']:.2f}, CPU ms/image {med[e]['cpuMsPerImage']:.1f} vs {p['cpuMsPerImage']:.1f}")
    print(line)
PY
