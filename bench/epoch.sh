#!/usr/bin/env bash
# A whole `exp run` epoch measured from outside (data, augmentation, training, validation,
# logging): the wall time of a 3-epoch run minus a 1-epoch run, halved (after a first run that fills
# the decoded-image cache); prints one JSON line.
# Usage: bench/epoch.sh [EXPERIMENT] [DATA_DIR] [EPOCHS]   (from the repo root; defaults: cnn2 on the
# whole chest X-ray split beside the repo, else data/sample, 3: the timed runs are 1 and EPOCHS epochs).
# data/sample's 144 training images make an epoch of under a second, within the noise of start-up:
# only the whole split (5,216 images) says what an epoch costs. REPLICAS=N runs with train.replicas: N.
set -euo pipefail
file=${1:-experiments/cnn2.yaml}
whole=../shared/data/chest_xray_224
data=${2:-$( [ -d "$whole" ] && echo "$whole" || echo data/sample )}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { # epochs -> seconds; the output goes to $tmp/out-<epochs>
  local t0 t1
  t0=$(date +%s.%N)
  node bin/exp.js run "$file" --set "data.dir=$(realpath "$data")" --set "train.epochs=$1" --set "train.replicas=${REPLICAS:-1}" --tracking-uri "$tmp/runs" --rerun > "$tmp/out-$1" 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
run 1 > /dev/null # decodes the images into exp's cache, which the timed runs then read
long=${3:-3}
one=$(run 1)
three=$(run "$long")
train=$(grep -oE 'data: [0-9]+ train' "$tmp/out-1" | grep -oE '[0-9]+') || { echo "bench/epoch.sh: exp run printed no 'data: N train' line:" >&2; cat "$tmp/out-1" >&2; exit 1; }
python3 -c "
import json, sys
one, three, train = float('$one'), float('$three'), int('$train')
epoch = (three - one) / ($long - 1)
print(json.dumps({'engine': 'exp run', 'replicas': ${REPLICAS:-1}, 'file': '$file', 'data': '$data', 'trainImages': train, 'epochSeconds': epoch, 'imgPerSec': train / epoch}))
"
