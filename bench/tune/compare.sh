#!/usr/bin/env bash
# Runs `bograph tune PLUGIN` for several algorithms and seeds at one budget
# and prints, per algorithm, the improvement over the default configuration
# (median, min, max over the seeds) and the trial at which each seed's final
# best was first reached. Each run uses a fresh database in a temp dir.
#
# The algorithm "tpe" is Optuna's multivariate TPE, run by
# bench/plugins/tpe_plugin.py on the plugin's own runs
# (bograph-bench-plugins --eval), default configuration first, infeasible
# and over-constraint trials told to TPE as constraint violations;
# "tpe-fail" the same with those trials told as failed. Their rows sit in
# the same table; the per-seed best at checkpoints follows it ("# " lines).
# --option K=V among the extra arguments goes to the TPE runs too.
#
#   bench/tune/compare.sh PLUGIN BUDGET "SEEDS" "ALGORITHMS" [extra tune args]
#   bench/tune/compare.sh accelerator 30 "1 2 3 4 5" "bograph gp random tpe"
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BOGRAPH_BIN:-$root/build/bograph}
bench=${BOGRAPH_BENCH_PLUGINS:-$root/build/bench/bograph-bench-plugins}
python=${PYTHON:-/usr/bin/python3}
plugin=${1:?plugin}; budget=${2:?budget}; seeds=${3:?seeds}; algos=${4:?algorithms}
shift 4
tpe_opts=()
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ ${args[i]} == --option && $((i + 1)) -lt ${#args[@]} ]]; then
    tpe_opts+=(--option "${args[i + 1]}")
  elif [[ ${args[i]} == --option=* ]]; then
    tpe_opts+=(--option "${args[i]#--option=}")
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
notes="$tmp/notes"
: >"$notes"
printf '%-9s %-6s %-10s %-10s %-10s %s\n' algorithm seeds median min max "per-seed improvement (best found at trial)"
for algo in $algos; do
  if [[ $algo == tpe || $algo == tpe-fail ]]; then
    mode=constraints; [[ $algo == tpe-fail ]] && mode=fail
    "$python" "$root/bench/plugins/tpe_plugin.py" --bin "$bench" --plugin "$plugin" \
      --budget "$budget" --seeds "$seeds" --infeasible "$mode" --algorithm "$algo" \
      ${tpe_opts[@]+"${tpe_opts[@]}"} >"$tmp/$algo.out" 2>"$tmp/$algo.err" || {
        echo "tpe_plugin.py ($algo) failed; see below" >&2; cat "$tmp/$algo.err" >&2; exit 1; }
    grep -v '^#' "$tmp/$algo.out"
    grep '^#' "$tmp/$algo.out" >>"$notes" || true
    continue
  fi
  vals=()
  line=""
  for seed in $seeds; do
    out="$tmp/$algo-$seed.out"
    "$bin" tune "$plugin" --budget "$budget" --algorithm "$algo" --seed "$seed" \
      --db "$tmp/$algo-$seed.db" --port 0 --quiet "$@" >"$out" 2>"$tmp/$algo-$seed.err" || {
        echo "run $algo seed $seed failed; see below" >&2; cat "$tmp/$algo-$seed.err" >&2; exit 1; }
    imp=$(sed -n 's/^improvement over the default: \([0-9.]*\)x.*/\1/p' "$out")
    at=$(sed -n 's/.*best (trial \([0-9]*\)).*/\1/p' "$out" | head -1)
    vals+=("${imp:-nan}")
    line+="${imp:-nan}(@${at:-?}) "
  done
  stats=$(printf '%s\n' "${vals[@]}" | sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%-10.3f %-10.3f %-10.3f", m, a[1], a[NR]}')
  printf '%-9s %-6s %s %s\n' "$algo" "${#vals[@]}" "$stats" "$line"
done
cat "$notes"
