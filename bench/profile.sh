#!/usr/bin/env bash
# Where a training step's time goes (ONNX Runtime's profiler, per op type, layer and pass): see bench/profile.ts.
# Usage: bench/profile.sh [MODELS] [SIZE] [BATCH] [STEPS]   (from the repo root; MODELS comma-separated,
# a zoo model's params after colons: resnet18:width=32)
set -euo pipefail
npx tsc bench/profile.ts bench/engine.ts bench/models.ts src/engine/onnx/replica-worker.ts --outDir bench/out --rootDir . --module nodenext --moduleResolution nodenext \
  --target es2022 --strict --skipLibCheck --types node
node bench/out/bench/profile.js "${1:-cnn2,cnn4,resnet18:width=32,mobilenetv2}" "${2:-128}" "${3:-32}" "${4:-5}"
