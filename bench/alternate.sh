# Sourced by the A/B scripts: alternate RESULTS REPEATS CONFIGS VARIANT... runs bench/engine.js's
# command of every variant on every config ("model steps;...", at SIZE x SIZE, batch BATCH: 128 and
# 32 by default), REPEATS rounds, the variants back to back so each sees the same machine. Each
# run's JSON line gets "variant" and the load average at its start, and goes to RESULTS. A variant
# is "name=command", the command before its model argument: "spin=ORT_SPIN=1 node bench/out/bench/engine.js".
alternate() {
  local results=$1 repeats=$2 configs cfg model steps variant load
  IFS=';' read -ra configs <<< "$3"
  shift 3
  : > "$results"
  for _ in $(seq "$repeats"); do
    for cfg in "${configs[@]}"; do
      read -r model steps <<< "$cfg"
      for variant in "$@"; do
        load=$(cut -d' ' -f1 /proc/loadavg)
        # shellcheck disable=SC2086 # the command is words: environment assignments, then the program
        env ${variant#*=} "$model" "${SIZE:-128}" "${BATCH:-32}" "$steps" | sed "s/^{/{\"variant\":\"${variant%%=*}\",\"load\":$load,/" | tee -a "$results"
      done
    done
  done
}
