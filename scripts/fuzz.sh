#!/usr/bin/env bash
# Build the libFuzzer harnesses of tests/fuzz (clang, ASan + UBSan) and run each for a fixed
# time; fails on any finding (crash, sanitizer report, leak, a slow input, memory over the limit).
#
#   bash scripts/fuzz.sh                    every target, 25 s each (what CI runs)
#   bash scripts/fuzz.sh 1200 npz csr       20 minutes each for npz and csr
#   FUZZ_JOBS=2 bash scripts/fuzz.sh 600    two targets at a time
#
# Targets: npy npz csr json safetensors model metrics_csv run tfevents. Each starts from its
# committed seeds in tests/fuzz/corpus/<target>/ plus what earlier runs found in
# $FUZZ_WORK/corpus/<target>/ (default build-fuzz/fuzz-work). A finding is saved as
# $FUZZ_WORK/artifacts/<target>-crash-<sha1> (or leak-, timeout-, oom-); replay it with
#   build-fuzz/tests/fuzz/fuzz_<target> <file>
# and, once fixed, add it to tests/fuzz/corpus/<target>/ with a regression test in the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD:-build-fuzz}
WORK=${FUZZ_WORK:-$BUILD/fuzz-work}
SECS=${1:-25}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(npy npz csr json safetensors model metrics_csv run tfevents)
JOBS=${FUZZ_JOBS:-1}
CC_FUZZ=${FUZZ_CC:-$(command -v clang-14 || command -v clang || true)}
[ -n "$CC_FUZZ" ] || { echo "fuzz: clang is not installed (scripts/install-deps.sh installs clang-14)" >&2; exit 1; }
cmake -S . -B "$BUILD" -DCMAKE_C_COMPILER="$CC_FUZZ" -DGAT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAT_OPENMP=OFF \
      -DGAT_NATIVE=OFF -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
mkdir -p "$WORK/artifacts" "$WORK/logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
  local t=$1 log=$WORK/logs/$1.log
  mkdir -p "$WORK/corpus/$t"
  # -timeout: one input may take 5 s at most; -rss_limit_mb / -malloc_limit_mb: 1 GiB at most
  if "$BUILD/tests/fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=5 -rss_limit_mb=1024 -malloc_limit_mb=1024 \
       -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t-" \
       "$WORK/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    local done execs
    done=$(grep -E "^#[0-9]+[[:space:]]+DONE" "$log" | tail -1 | tr -s " \t" " " || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    printf 'fuzz %-12s ok    %s s, %s executions, %s\n' "$t" "$SECS" "$execs" "${done#* DONE }"
  else
    printf 'fuzz %-12s FAILED (log %s)\n' "$t" "$log"
    grep -E 'ERROR|runtime error|invariant failed|SUMMARY|Test unit written' "$log" | head -8 | sed 's/^/    /'
    return 1
  fi
}

status=0
pids=()
for t in "${TARGETS[@]}"; do
  [ -x "$BUILD/tests/fuzz/fuzz_$t" ] || { echo "fuzz: unknown target '$t'" >&2; exit 2; }
  run_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$JOBS" ]; then wait "${pids[0]}" || status=1; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
