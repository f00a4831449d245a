#!/bin/sh
# test_bench_diagnostics.sh BENCH SCREEN_REPLAY - bograph-bench-structure's
# diagnostics end to end: with --oracle-parents every true metric in the
# learnt graph has exactly its true parameter parents, as expert edges;
# --dump-trials writes the run's trials with the true parents, which
# screen_replay.py reads.
set -u
bench=$1
replay=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/bograph-bench-diag-XXXXXX")
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$bench" --family --systems f1-10 --seeds 1 --budget 14 --methods bograph --jobs 1 \
    --oracle-parents --verbose --dump-trials "$dir" --tsv "$dir/runs.tsv" 2>"$dir/err" ||
    fail "the run exited $?: $(tail -3 "$dir/err")"
# f1-10's metrics and their true parents (the generator's, printed first).
for pair in "flush.micros p03 p08 p14 p17" "iter.next.micros p00 p05 p11 p16" \
            "wal.sync.micros p10 p11 p12 p15"; do
    set -- $pair
    metric=$1; shift
    line=$(sed -n '/graph learnt at/,$p' "$dir/err" | grep -F ".$metric." | head -1)
    [ -n "$line" ] || { fail "no $metric node in the learnt graph"; continue; }
    params=$(echo "$line" | grep -o 'p[0-9][0-9]_[a-z]*([^)]*)' | sort)
    [ "$(echo "$params" | grep -c ',x)')" = 4 ] || fail "$metric: parents not all expert: $line"
    for p in "$@"; do
        echo "$params" | grep -q "^${p}_" || fail "$metric: lacks $p: $line"
    done
    [ "$(echo "$params" | wc -l)" = 4 ] || fail "$metric: other parameter parents: $line"
done
file=$(ls "$dir"/f1-10-*-1000.txt 2>/dev/null)
[ -n "$file" ] || fail "no trial dump in $dir"
[ -n "$file" ] && { grep -q "^flush.micros	-1	" "$file" || fail "the dump lacks the true parents"; }
out=$(/usr/bin/python3 "$replay" "$dir" --trials 12 2>&1) || fail "screen_replay.py: $out"
echo "$out" | grep -q "12 trials  omp" || fail "screen_replay.py printed: $out"
[ "$fails" = 0 ] && echo "ok: oracle parents and trial dump"
exit "$fails"
