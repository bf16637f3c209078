#!/usr/bin/env bash
# A/B of the onnx engine's ORT session options (intra-op threads, spinning) on one build, alternating
# runs of bench/engine.ts so every variant sees the same machine; medians of img/s and CPU ms per image.
# Usage: bench/session-options.sh [REPEATS] [CONFIGS]   (CONFIGS "model steps;...", default
# "cnn2 10;resnet18:width=32 4", 128x128, batch 32). Variants: the engine's defaults (2 threads, no
# spinning), spinning on, one thread, ORT's parallel executor (two inter-op threads of one each), and
# train.replicas: 2 (two single-threaded sessions on worker threads). VARIANTS="default replicas" runs those alone.
set -euo pipefail
repeats=${1:-3}
configs=${2:-cnn2 10;resnet18:width=32 4}
npx tsc bench/engine.ts bench/models.ts src/engine/onnx/replica-worker.ts --outDir bench/out --rootDir . --module nodenext --moduleResolution nodenext \
  --target es2022 --strict --skipLibCheck --types node
source bench/alternate.sh
results=bench/out/session-options.jsonl
engine=bench/out/bench/engine.js
variants=()
for v in "default=node $engine" "spin=ORT_SPIN=1 node $engine" "one-thread=ORT_THREADS=1 node $engine" \
  "parallel=ORT_INTER=2 ORT_THREADS=1 node $engine" "replicas=REPLICAS=2 node $engine"; do
  if [ -z "${VARIANTS:-}" ] || [[ " $VARIANTS " == *" ${v%%=*} "* ]]; then variants+=("$v"); fi
done
alternate "$results" "$repeats" "$configs" "${variants[@]}"
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"load average {min(r['load'] for r in rows)}-{max(r['load'] for r in rows)}; medians (runs):")
for model in dict.fromkeys(r["model"] for r in rows):
    parts = []
    for v in dict.fromkeys(r["variant"] for r in rows):
        rs = [r for r in rows if r["model"] == model and r["variant"] == v]
        each = " ".join(f"{r['imgPerSec']:.1f}" for r in rs)
        parts.append(f"{v} {statistics.median(r['imgPerSec'] for r in rs):.1f} img/s ({each}), "
                     f"{statistics.median(r['cpuMsPerImage'] for r in rs):.2f} CPU ms/image")
    print(f"{model}: " + " | ".join(parts))
PY
