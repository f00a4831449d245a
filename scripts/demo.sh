#!/usr/bin/env bash
# Quick start, first command: installs what is missing, builds, and runs the
# main job: `bograph tune rocksdb` (real db_bench trials, the service and its
# dashboard in the same process, the study kept in ./bograph.db). Extra
# arguments go to `bograph tune` (e.g. --budget 30, --algorithm gp); run it
# again to resume. On a terminal the dashboard stays up after the job until
# Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
keep=()
[ -t 0 ] && [ -t 1 ] && keep=(--keep-serving)
exec build/bograph tune rocksdb --budget 15 --quiet "${keep[@]}" "$@"
