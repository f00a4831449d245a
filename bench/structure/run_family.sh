#!/bin/sh
# run_family.sh - the structure benchmark's family run with its peers, in one
# go: bograph, gp and random (bograph-bench-structure) and Optuna's TPE and
# CMA-ES (peers.py) on the same generated and built-in systems and seeds,
# then the summary (combine.py). See docs/bograph.md, "The family benchmark".
#
# usage: bench/structure/run_family.sh [options]
#   --bin PATH           default build/bench/bograph-bench-structure
#   --out DIR            where the TSV files and summary go; default $TMPDIR or /tmp, bograph-family-<time>
#   --family-seed S      default 1 (the development set)
#   --family-count N     default 24
#   --systems LIST       generated indexes, names, built-in names; default all
#   --seeds N            default 10 (seeds S..S+N-1)
#   --first-seed S       default 1000
#   --budget N           default 50
#   --methods LIST       from bograph,gp,random,tpe,cmaes; default all five
#   --jobs N             parallel C runs; default 2
# The peers (tpe, cmaes) run beside the C methods in one more process.
set -eu
bin=build/bench/bograph-bench-structure
out=""
fseed=1
fcount=24
systems=""
seeds=10
first=1000
budget=50
methods=bograph,gp,random,tpe,cmaes
jobs=2
here=$(dirname "$0")
while [ $# -gt 0 ]; do
    case "$1" in
    --bin) bin=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --family-seed) fseed=$2; shift 2 ;;
    --family-count) fcount=$2; shift 2 ;;
    --systems) systems=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --first-seed) first=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "run_family.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$out" ] || out=${TMPDIR:-/tmp}/bograph-family-$(date -u +%Y%m%dT%H%M%SZ)
if [ ! -x "$bin" ]; then
    echo "run_family.sh: $bin not found; build it with" >&2
    echo "  cmake -S . -B build -DBOGRAPH_WEB=OFF && cmake --build build -j2 --target bograph-bench-structure" >&2
    exit 2
fi
cmethods=""
pmethods=""
for m in $(echo "$methods" | tr ',' ' '); do
    case "$m" in
    bograph|gp|random) cmethods="$cmethods${cmethods:+,}$m" ;;
    tpe|cmaes) pmethods="$pmethods${pmethods:+,}$m" ;;
    *) echo "run_family.sh: unknown method $m" >&2; exit 2 ;;
    esac
done
if [ -n "$pmethods" ] && ! /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
    echo "run_family.sh: the peers ($pmethods) need Debian's python3-optuna, which is missing:" >&2
    echo "  apt-get install python3-optuna" >&2
    echo "(or leave them out: --methods bograph,gp,random)" >&2
    exit 3
fi
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
sel=""
[ -z "$systems" ] || sel="--systems $systems"
start=$(date +%s)
echo "family run: family seed $fseed, $fcount generated systems${systems:+ (selected: $systems)}, seeds $first..$((first + seeds - 1)), budget $budget, methods $methods, jobs $jobs -> $out" >&2
files=""
ppid=""
if [ -n "$pmethods" ]; then
    # The peers are light (Optuna's samplers and a pipe to --eval): they run
    # beside the C methods, in one worker process.
    # shellcheck disable=SC2086
    /usr/bin/python3 "$here/peers.py" --bin "$bin" --family-seed "$fseed" --family-count "$fcount" \
        $sel --seeds "$seeds" --first-seed "$first" --budget "$budget" --methods "$pmethods" --jobs 1 \
        --tsv "$out/peers.tsv" &
    ppid=$!
fi
if [ -n "$cmethods" ]; then
    # shellcheck disable=SC2086
    "$bin" --family --family-seed "$fseed" --family-count "$fcount" $sel --seeds "$seeds" --first-seed "$first" \
        --budget "$budget" --methods "$cmethods" --jobs "$jobs" --no-timing --tsv "$out/c.tsv" >/dev/null
    files="$out/c.tsv"
fi
if [ -n "$ppid" ]; then
    wait "$ppid"
    files="$files $out/peers.tsv"
fi
end=$(date +%s)
# shellcheck disable=SC2086
/usr/bin/python3 "$here/combine.py" $files | tee "$out/summary.txt"
echo "wall-clock $((end - start)) s; rows in $files; summary in $out/summary.txt" | tee -a "$out/summary.txt"
