#!/usr/bin/env bash
# A/B of the onnx engine's training step: another build of exp (BASE: a dist/ folder, e.g. the main
# worktree's) against this tree, alternating runs of bench/engine.ts so both see the same machine, then
# medians and ratios of img/s, CPU ms per image (steadier than wall time on a shared machine) and peak RSS.
# Usage: bench/ab.sh BASE_DIST [REPEATS] [CONFIGS]   (from the repo root; CONFIGS "model steps;...", default
# "cnn2 8;cnn4 8;resnet18:width=32 4;mobilenetv2 3", all at 128x128, batch 32; SIZE and BATCH override)
set -euo pipefail
base=${1:?usage: bench/ab.sh BASE_DIST [REPEATS] [CONFIGS]}
repeats=${2:-3}
configs=${3:-cnn2 8;cnn4 8;resnet18:width=32 4;mobilenetv2 3}
npx tsc bench/engine.ts bench/models.ts src/engine/onnx/replica-worker.ts --outDir bench/out --rootDir . --module nodenext --moduleResolution nodenext \
  --target es2022 --strict --skipLibCheck --types node
# The same bench scripts over the base build: bench/out/base/{bench,src} (src = BASE's compiled modules).
rm -rf bench/out/base && mkdir -p bench/out/base/bench && cp -r "$base" bench/out/base/src
cp bench/out/bench/engine.js bench/out/bench/models.js bench/out/base/bench/
source bench/alternate.sh
results=bench/out/ab.jsonl
alternate "$results" "$repeats" "$configs" "base=node bench/out/base/bench/engine.js" "this=node bench/out/bench/engine.js"
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{rows[0]['size']}x{rows[0]['size']} batch {rows[0]['batch']}, load average {min(r['load'] for r in rows)}-{max(r['load'] for r in rows)}; medians, this / base:")
for model in dict.fromkeys(r["model"] for r in rows):
    med = {s: {k: statistics.median(r[k] for r in rows if r["model"] == model and r["variant"] == s) for k in ("imgPerSec", "cpuMsPerImage", "peakRssMB")} for s in ("base", "this")}
    b, t = med["base"], med["this"]
    n = sum(1 for r in rows if r["model"] == model and r["variant"] == "this")
    print(f"{model} ({n} runs each): img/s {b['imgPerSec']:.1f} -> {t['imgPerSec']:.1f} (x{t['imgPerSec'] / b['imgPerSec']:.2f}), "
          f"CPU ms/image {b['cpuMsPerImage']:.2f} -> {t['cpuMsPerImage']:.2f} (x{t['cpuMsPerImage'] / b['cpuMsPerImage']:.2f}), "
          f"peak RSS {b['peakRssMB']:.0f} -> {t['peakRssMB']:.0f} MB")
PY
