#!/usr/bin/env bash
# Runs `bograph tune PLUGIN` for several algorithms and seeds at one budget
# and prints, per algorithm, the improvement over the default configuration
# (median, min, max over the seeds) and the median trial at which the final
# best was first reached. Each run uses a fresh database in a temp dir.
#
#   bench/tune/compare.sh PLUGIN BUDGET "SEEDS" "ALGORITHMS" [extra tune args]
#   bench/tune/compare.sh accelerator 50 "1 2 3 4 5" "bograph gp random"
set -euo pipefail
bin=${BOGRAPH_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/bograph}
plugin=${1:?plugin}; budget=${2:?budget}; seeds=${3:?seeds}; algos=${4:?algorithms}
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-9s %-6s %-10s %-10s %-10s %s\n' algorithm seeds median min max "per-seed improvement (best found at trial)"
for algo in $algos; do
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
