#!/usr/bin/env bash
# `npm run bench`: training speed and peak memory of the onnx engine, and of the tfjs engine on
# WebAssembly, against PyTorch 2.13 CPU on the same shipped architectures, alternating runs so all
# see the same machine; medians and ratios.
# Then a whole `exp run` epoch from outside (bench/epoch.sh) beside the engine's step throughput.
# Usage: bench/compare.sh [REPEATS]   (from the repo root; CONFIGS="model size batch steps;..." overrides the set,
# a zoo model's params after colons: resnet18:width=32; WASM=0 skips tfjs-wasm; the onnx engine also runs
# with train.replicas = REPLICAS, by default the cores this process may use; REPLICAS=1 skips that row)
# Pure-JS tfjs is not timed (~0.1 img/s for cnn2 at 128x128); tfjs-node and tfjs-node-gpu need
# libtensorflow, which cannot be installed everywhere.
set -euo pipefail
repeats=${1:-3}
replicas=${REPLICAS:-$(nproc)}
unset REPLICAS # each row sets its own
npx tsc bench/engine.ts bench/models.ts src/engine/onnx/replica-worker.ts --outDir bench/out --rootDir . --module nodenext --moduleResolution nodenext \
  --target es2022 --strict --skipLibCheck --types node
results=bench/out/results.jsonl
: > "$results"
IFS=';' read -ra configs <<< "${CONFIGS:-cnn2 128 32 15;cnn4 128 32 8;resnet18:width=32 128 32 4;mobilenetv2 128 32 4}"
for r in $(seq "$repeats"); do
  for cfg in "${configs[@]}"; do
    # shellcheck disable=SC2086
    node bench/out/bench/engine.js $cfg | tee -a "$results"
    if [ "$replicas" -gt 1 ]; then
      # shellcheck disable=SC2086
      REPLICAS=$replicas node bench/out/bench/engine.js $cfg | tee -a "$results"
    fi
    # WebAssembly runs one thread and is slower: a third of the steps.
    read -r model size batch steps <<< "$cfg"
    if [ "${WASM:-1}" != 0 ]; then
      node bench/out/bench/engine.js "$model" "$size" "$batch" $(( (steps + 2) / 3 )) tfjs-wasm | tee -a "$results"
    fi
    # shellcheck disable=SC2086
    # Some machines set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for old OpenBLAS builds; they slow a
    # current PyTorch, so the baseline runs without them.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/pytorch_cnn.py $cfg | tee -a "$results"
  done
done
bash bench/epoch.sh | tee -a "$results"
if [ "$replicas" -gt 1 ]; then REPLICAS=$replicas bash bench/epoch.sh | tee -a "$results"; fi
python3 - "$results" <<'PY'
import json, os, re, statistics, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
epochs = [r for r in rows if r.get("engine") == "exp run"]
rows = [r for r in rows if r.get("engine") != "exp run"]

# The float32 ceiling: cores this process may use x FLOP/cycle/core x clock (/proc/cpuinfo, lscpu).
info = open("/proc/cpuinfo").read()
flags = set(re.search(r"^flags\s*:(.*)$", info, re.M).group(1).split())
lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
max_mhz = re.search(r"CPU max MHz:\s*([\d.]+)", lscpu)
mhz = float(max_mhz.group(1)) if max_mhz else max(float(m) for m in re.findall(r"^cpu MHz\s*:\s*([\d.]+)", info, re.M))
family = int(re.search(r"^cpu family\s*:\s*(\d+)", info, re.M).group(1))
amd = "AuthenticAMD" in info
# FMA units x SIMD float32 lanes x 2: AVX-512 counts 64 where the core has 512-bit FMA paths (Intel, AMD
# Zen 5 = family 26); Zen 4 (family 25) runs AVX-512 as two 256-bit halves, so 32, as AVX2 + FMA.
if "avx512f" in flags and not (amd and family < 26):
    per_cycle, isa = 64, "AVX-512 + FMA (512-bit FMA paths)"
elif {"avx2", "fma"} <= flags:
    per_cycle, isa = 32, "AVX2 + FMA" + (" (AVX-512 on 256-bit paths)" if "avx512f" in flags else "")
else:
    per_cycle, isa = (16, "AVX") if "avx" in flags else (8, "SSE")
cores = len(os.sched_getaffinity(0))
ceiling = cores * per_cycle * mhz / 1000
model_name = re.search(r"^model name\s*:\s*(.*)$", info, re.M).group(1)
print(f"machine: {model_name}, {cores} cores, {isa}: ceiling {cores} x {per_cycle} FLOP/cycle x {mhz / 1000:.2f} GHz = {ceiling:.0f} GFLOP/s float32; load average {os.getloadavg()[0]:.1f}")
skipped = {(r["engine"], r.get("model"), r["skipped"]) for r in rows if "skipped" in r}
for engine, model, why in sorted(skipped, key=str):
    print(f"{engine} skipped{f' ({model})' if model else ''}: {why}")
rows = [r for r in rows if "skipped" not in r]
for k in sorted({(r["model"], r["size"], r["batch"]) for r in rows}):
    engines = sorted({r["engine"] for r in rows}, key=lambda e: (e != "onnx", not e.startswith("onnx"), e == "pytorch", e))
    runs = {e: [r for r in rows if (r["model"], r["size"], r["batch"]) == k and r["engine"] == e] for e in engines}
    med = {e: {m: statistics.median(r[m] for r in rs) for m in ("imgPerSec", "peakRssMB", "cpuMsPerImage", "medianStepMs", "optimizerMsPerStep") if all(m in r for r in rs)} for e, rs in runs.items() if rs}
    best = {e: max(r["imgPerSec"] for r in rs) for e, rs in runs.items() if rs}
    flops = runs["onnx"][0]["trainFlopsPerImage"]
    line = f"{k[0]} {k[1]}x{k[1]} b{k[2]} ({len(runs['onnx'])} runs each, {flops / 1e9:.2f} GFLOP per training image = 3x forward): "
    line += " | ".join(f"{e} median {m['imgPerSec']:.1f} best {best[e]:.1f} img/s = {m['imgPerSec'] * flops / 1e9:.1f} GFLOP/s"
                       f" ({100 * m['imgPerSec'] * flops / 1e9 / ceiling:.0f}% of the ceiling;"
                       # Per CPU-second: what the engine does with the CPU it gets, steadier than wall time on a shared machine.
                       f" {flops / m['cpuMsPerImage'] / 1e6:.1f} GFLOP per CPU-second, {100 * flops / m['cpuMsPerImage'] / 1e6 / (ceiling / cores):.0f}% of one core's),"
                       f" peak RSS {m['peakRssMB']:.0f} MB"
                       # The JS optimizer runs on the main thread between ORT's runs: serial, however many threads ORT has.
                       + (f", JS optimizer {m['optimizerMsPerStep']:.0f} ms of a {m['medianStepMs']:.0f} ms step" if "optimizerMsPerStep" in m else "")
                       for e, m in med.items())
    ours, theirs = runs["onnx"][0]["trainableParams"], runs["pytorch"][0].get("trainableParams") if runs.get("pytorch") else None
    if theirs is not None and ours != theirs:
        line += f" || PARAMETERS DIFFER: exp {ours} trainable, PyTorch {theirs}: not the same model"
    if not runs.get("pytorch"):
        print(line + " (no PyTorch to compare)")
        continue
    p = med["pytorch"]
    for e in engines:
        if e in med and e != "pytorch":
            line += (f" || {e} vs pytorch: speed x{med[e]['imgPerSec'] / p['imgPerSec']:.2f} (best x{best[e] / best['pytorch']:.2f}), "
                     f"memory x{med[e]['peakRssMB'] / p['peakRssMB']:.2f}, CPU ms/image {med[e]['cpuMsPerImage']:.1f} vs {p['cpuMsPerImage']:.1f}")
    print(line)
for r in epochs:
    n = r.get("replicas", 1)
    engine = "onnx" if n == 1 else f"onnx x{n} replicas"
    step = [x["imgPerSec"] for x in rows if x["engine"] == engine and x["model"] == "cnn2" and x["size"] == 128]
    ratio = f", {100 * r['imgPerSec'] / statistics.median(step):.0f}% of the {engine} cnn2 128x128 step throughput above" if step else ""
    print(f"whole epoch from outside (exp run {r['file']}{f' with train.replicas: {n}' if n > 1 else ''} on {r['data']}: {r['trainImages']} training images, with augmentation, validation and logging): "
          f"{r['epochSeconds']:.1f} s = {r['imgPerSec']:.1f} img/s{ratio}")
PY
