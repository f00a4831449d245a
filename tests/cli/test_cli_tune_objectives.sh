#!/bin/sh
# test_cli_tune_objectives.sh BOGRAPH - `bograph tune accelerator --option
# objectives=energy,delay --budget 12` end to end: it says both objectives,
# prints trial lines with both values and the front's size, ends with the
# Pareto front (sorted by energy_mj, the default's row among the trials),
# the hypervolume with its reference point, and the models; exit 0.
set -u
bin=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/bograph-tune-mo-XXXXXX")
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$bin" tune accelerator --option objectives=energy,delay --budget 12 --algorithm gp \
  --db "$dir/t.db" --port 0 >"$dir/out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "exit $rc: $(tail -5 "$dir/out")"
for pattern in "minimize energy_mj, minimize delay_ms" \
               "trial  12/12" "energy_mj [0-9.e+-]*, delay_ms [0-9.e+-]*" "| front [1-9]" \
               "^Pareto front: [1-9][0-9]* trials*, sorted by energy_mj" \
               "^trial    energy_mj *delay_ms" \
               "^hypervolume: [0-9.e+-]* (reference point: the default's energy_mj [0-9.]*, delay_ms [0-9.]*)" \
               "^models: .*default 1"; do
  grep -q -- "$pattern" "$dir/out" || fail "output lacks '$pattern':
$(cat "$dir/out")"
done
# the front's rows are sorted by energy_mj, increasing
awk '/^Pareto front/ {on = 1; getline; next} /^hypervolume/ {on = 0}
     on && NF >= 3 { if (seen && $2 + 0 < last) bad = 1; last = $2 + 0; seen = 1; n++ }
     END { exit (bad || n == 0) }' "$dir/out" || fail "front rows not sorted by energy_mj:
$(cat "$dir/out")"
# no single best is claimed for such a study
if grep -q "^improvement over the default" "$dir/out"; then
  fail "a study of two objectives printed a single improvement"
fi
[ "$fails" = 0 ] || exit 1
echo "ok"
