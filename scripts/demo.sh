#!/usr/bin/env bash
# Quick start, first command: installs what is missing, builds, and runs the
# main job. (Until the service lands: the engine's benchmark.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
exec build/bench/bograph-bench "$@"
