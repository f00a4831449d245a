#!/usr/bin/env bash
# Quick start, second command: installs what is missing, builds, and runs every
# test: the unit, API and browser tests in the normal build, then the unit tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer, then every
# libFuzzer harness for 15 s (scripts/fuzz.sh; FUZZ_SECONDS changes it, 0
# skips it). The PostgreSQL runs (ctest label pg: the store and every API
# test as *_pg, the replica and migrate tests) start a throwaway cluster
# themselves (scripts/pg_cluster.sh, a ctest fixture) from Debian's
# `postgresql`, which deps.sh installs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

bash scripts/deps.sh

echo "== build (release) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
echo "== tests (release) =="
(cd build && ctest --output-on-failure -j "$jobs")

echo "== build (asan+ubsan) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBOGRAPH_SANITIZE=ON -DBOGRAPH_WEB=OFF >/dev/null
cmake --build build-asan -j "$jobs"
echo "== unit tests (asan+ubsan) =="
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  LSAN_OPTIONS=suppressions="$root/tests/lsan.supp" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs" -L unit)

echo "== fuzzing (scripts/fuzz.sh, ${FUZZ_SECONDS:-15} s per harness) =="
if [ "${FUZZ_SECONDS:-15}" != 0 ]; then
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
fi
