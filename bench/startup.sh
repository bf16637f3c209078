#!/usr/bin/env bash
# Start-up of `exp validate` and `exp --help` (docs/performance.md, "Start-up"), side by side with
# other built checkouts when given: bash bench/startup.sh [CHECKOUT...], e.g. bash bench/startup.sh ../main
# Wall time needs a quiet machine; under load compare the ratios and the user CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo 'bench/startup.sh needs hyperfine (apt-get install hyperfine)' >&2; exit 1; }
file=experiments/cnn2.yaml
# Without the chest X-ray data beside the repo the data checks would fail: leave them out then.
data=''
node bin/exp.js validate "$file" >/dev/null 2>&1 || data='--no-data '
commands=()
for dir in "$@" .; do commands+=("node $dir/bin/exp.js validate $data$file" "node $dir/bin/exp.js --help"); done
commands+=("node -e ''") # node's own start: the floor
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), node $(node --version), $(nproc) cores, $(uptime | sed 's/.*\(load average\)/\1/')"
hyperfine -N -w 2 -r "${RUNS:-10}" "${commands[@]}"
echo "after: $(uptime | sed 's/.*\(load average\)/\1/')"
