#!/usr/bin/env bash
# ASHA against the full grid: 16 cnn2 trials of 8 epochs on data/sample (64x64), one at a time
# (--jobs 1, so ASHA's decisions follow the grid's order). Prints each side's wall time, total
# epochs trained, and which trial is best. Usage: bash bench/asha-grid.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
grid() {
  cat <<YAML
experiment: $1
name: g
data:
  dir: $PWD/data/sample
  image: {size: 64, channels: 1}
  validation: {from: val}
model:
  architecture: cnn2
  params: {filters: [8, 16]}
train:
  epochs: 8
  seed: 7
sweep:
  grid:
    train.optimizer.lr: [0.03, 0.01, 0.003, 0.001]
    model.params.dropout: [0.0, 0.5]
    train.batch_size: [16, 32]
$2
YAML
}
grid asha-full '' > "$out/full.yaml"
grid asha-asha '  scheduler: {asha: {metric: val_loss, grace_epochs: 1, reduction_factor: 2}}' > "$out/asha.yaml"
for side in full asha; do
  start=$(date +%s)
  node bin/exp.js run "$out/$side.yaml" --tracking-uri "$out/runs" --quiet --json > "$out/$side.json"
  echo "$side: $(( $(date +%s) - start )) s wall"
done
node bench/asha-grid-summary.mjs "$out/runs"
