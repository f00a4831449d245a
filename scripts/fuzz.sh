#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang, -fsanitize=fuzzer,
# address,undefined, and runs each for a bounded time on its seed corpus
# (fuzz/corpus/<target>/). New inputs go to build-fuzz/corpus/<target>/ (the
# seeds in the repository stay as they are); a crash leaves its input in
# build-fuzz/artifacts/ and makes the script exit 1.
#
#   scripts/fuzz.sh                  every harness, 15 s each
#   scripts/fuzz.sh 600 formula      one harness for 10 minutes
#   FUZZ_JOBS=2 scripts/fuzz.sh 3600 every harness for an hour, 2 processes each
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-15}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(logs_rocksdb logs_keyvalue logs_jsonl formula study knowledge request)
fi
jobs=${FUZZ_JOBS:-1}

CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DBOGRAPH_FUZZ=ON -DBOGRAPH_WEB=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" --target fuzz_all >/dev/null

# libFuzzer writes fuzz-<job>.log files into the current directory with -jobs
cd build-fuzz
mkdir -p artifacts
parallel=()
if [ "$jobs" -gt 1 ]; then
  parallel=(-jobs="$jobs" -workers="$jobs")
fi
failed=0
for t in "${targets[@]}"; do
  bin=fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "fuzz.sh: no harness '$t'" >&2; exit 2; }
  mkdir -p "corpus/$t"
  rm -f fuzz-*.log
  echo "== fuzz_$t: ${secs}s =="
  # detect_leaks stays on: a leak found by the fuzzer is a finding too.
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        "${parallel[@]}" -print_final_stats=1 -artifact_prefix="artifacts/$t-" \
        "corpus/$t" "$root/fuzz/corpus/$t" >"fuzz_$t.log" 2>&1; then
    cat fuzz-*.log >>"fuzz_$t.log" 2>/dev/null || true
    echo "fuzz_$t: FAILED (see build-fuzz/fuzz_$t.log and build-fuzz/artifacts/)" >&2
    tail -40 "fuzz_$t.log" >&2
    failed=1
  else
    cat fuzz-*.log >>"fuzz_$t.log" 2>/dev/null || true
    stats=$(grep -hE "stat::number_of_executed_units|stat::peak_rss_mb" "fuzz_$t.log" || true)
    echo "$stats" | tr -s ' ' | tr '\n' ' '
    echo
  fi
done
exit $failed
