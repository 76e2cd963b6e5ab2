#!/usr/bin/env bash
# The suite on a busy machine: two busy loops (one per core of a 2-core CI machine) run
# beside `npm test`, three times in a row; every run must pass. A test that waits for a
# fixed time, or asserts a wall-clock figure, fails here first.
#
#   test/stress/run-under-load.sh            # 3 runs
#   RUNS=5 BUSY=4 test/stress/run-under-load.sh
#
# Prints one line per run (result, time, test counts); the output of a failed run is kept
# in a file named on that line. Exit 0 when every run passed.
set -u
cd "$(dirname "$0")/../.."

runs=${RUNS:-3}
busy=${BUSY:-2}
logs=$(mktemp -d "${TMPDIR:-/tmp}/rr-stress-XXXXXX")
pids=()
stop_load() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait "${pids[@]}" 2>/dev/null
  pids=()
}
trap 'stop_load; exit 130' INT TERM
trap 'stop_load' EXIT

for _ in $(seq "$busy"); do
  node -e 'for (;;) {}' &
  pids+=($!)
done
echo "load: $busy busy loops (pids ${pids[*]}) on $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"

failed=0
for run in $(seq "$runs"); do
  log="$logs/run-$run.log"
  started=$(date +%s)
  npm test >"$log" 2>&1
  code=$?
  took=$(( $(date +%s) - started ))
  counts=$(grep -E '^# (tests|pass|fail|cancelled) ' "$log" | tr -d '#' | tr '\n' ' ')
  if [ "$code" -eq 0 ]; then
    echo "run $run: pass in ${took} s —${counts}"
    rm -f "$log"
  else
    failed=$((failed + 1))
    echo "run $run: FAIL (exit $code) in ${took} s —${counts}; output: $log"
    grep -E '^ *not ok|^npm test:' "$log" | sed 's/^/  /'
  fi
done

stop_load
[ "$failed" -eq 0 ] && rmdir "$logs"
echo "$((runs - failed)) of $runs runs passed"
[ "$failed" -eq 0 ]
