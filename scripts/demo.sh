#!/usr/bin/env bash
# Quick start, first command: installs what is missing, builds, and runs the
# main job: `bograph tune rocksdb` (real db_bench trials, the service and its
# dashboard in the same process). The study is kept in bograph.db in the
# directory you run this from (as the README says; --db FILE puts it
# elsewhere), so running it again there resumes it. Extra arguments go to
# `bograph tune` (e.g. --budget 30, --algorithm gp). On a terminal the
# dashboard stays up after the job until Ctrl-C; otherwise it stops when the
# job ends (pass --keep-serving to keep it).
set -euo pipefail
here=$PWD
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
keep=()
if [ -t 0 ] && [ -t 1 ]; then
  keep=(--keep-serving)
else
  case " $* " in
    *" --keep-serving "*) ;;
    *) echo "demo.sh: not on a terminal: the dashboard stops when the job ends (--keep-serving keeps it up)" ;;
  esac
fi
cd "$here"
exec "$root/build/bograph" tune rocksdb --budget 15 --db "$here/bograph.db" "${keep[@]}" "$@"
