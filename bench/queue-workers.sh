#!/usr/bin/env bash
# Speed-up of 1, 2 and 4 local `exp worker`s (one thread each) on 8 tiny trials, against
# `exp run --jobs N` on the same trials (the queue's overhead per trial). Needs redis-server.
# Usage: bash bench/queue-workers.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
port=$(node -e "const s=require('net').createServer().listen(0,()=>{console.log(s.address().port);s.close()})")
redis-server --port "$port" --save '' --appendonly no --daemonize yes --dir "$out" --logfile "$out/redis.log"
trap 'redis-cli -p "$port" shutdown nosave > /dev/null 2>&1 || true' EXIT
url=redis://127.0.0.1:$port
trials() {
  cat <<YAML
experiment: $1
name: t
data: {dir: $PWD/data/sample, image: {size: 32, channels: 1}, validation: {from: val}, cache: true}
model: {architecture: cnn2, params: {filters: [8, 16]}}
train: {epochs: 2, seed: 7}
sweep: {grid: {train.optimizer.lr: [0.03, 0.01, 0.003, 0.001, 0.0003, 0.0001, 0.00003, 0.00001]}}
YAML
}
for n in 1 2 4; do
  trials "jobs-$n" > "$out/jobs-$n.yaml"
  start=$(date +%s.%N)
  EXP_THREADS=1 node bin/exp.js run "$out/jobs-$n.yaml" --jobs "$n" --tracking-uri "$out/runs" --quiet
  jobs=$(echo "$(date +%s.%N) - $start" | bc)
  trials "queue-$n" > "$out/queue-$n.yaml"
  pids=()
  for i in $(seq "$n"); do node bin/exp.js worker --queue "$url" --threads 1 --name "w$i" > "$out/worker-$n-$i.log" 2>&1 & pids+=($!); done
  start=$(date +%s.%N)
  node bin/exp.js run "$out/queue-$n.yaml" --queue "$url" --tracking-uri "$out/runs" --shared-store --quiet
  queue=$(echo "$(date +%s.%N) - $start" | bc)
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2> /dev/null || true
  printf '%s worker(s): queue %.1f s, --jobs %s %.1f s, queue overhead per trial %.2f s\n' "$n" "$queue" "$n" "$jobs" "$(echo "($queue - $jobs) / 8" | bc -l)"
done
