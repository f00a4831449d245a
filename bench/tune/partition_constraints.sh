#!/usr/bin/env bash
# What the partition plugin's parameter constraints gain: runs
# `bograph tune partition` with a binary built before them (BEFORE) and
# with one built after (AFTER) for each algorithm and seed at budget 50, and
# prints per run the trials spent on infeasible plans (all/invalid layout,
# the rest being out of HBM) and the best step time after 15 and after 50
# trials, then the medians per algorithm.
#
#   BEFORE=/path/to/old/bograph bench/tune/partition_constraints.sh "1 2 3" "bograph gp random"
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
before=${BEFORE:?BEFORE: a bograph binary without parameter constraints}
after=${AFTER:-$root/build/bograph}
seeds=${1:-"1 2 3"}; algos=${2:-"bograph gp random"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# infeasible trials among the first N (all, and those for a reason other
# than memory: an invalid layout), and the best column at trial N
figures() { # file N
  awk -v n="$2" '
    /^trial +[0-9]+\/[0-9]+/ { split($2, a, "/"); t = a[1] + 0
      if (t <= n && $0 ~ /infeasible:/) { inf++; if ($0 !~ /infeasible: peak memory/) lay++ }
      if (t == n) { sub(/.*\| best /, ""); best = $1 } }
    END { printf "%d/%d %s", inf + 0, lay + 0, best == "" ? "nan" : best }' "$1"
}
printf '%-8s %-7s %-5s %-12s %-12s %-12s %-12s\n' algo binary seed "infeas@15" "best@15" "infeas@50" "best@50"
for algo in $algos; do
  for which in before after; do
    bin=$before; [[ $which == after ]] && bin=$after
    for seed in $seeds; do
      out="$tmp/$algo-$which-$seed.out"
      "$bin" tune partition --budget 50 --algorithm "$algo" --seed "$seed" \
        --db "$tmp/$algo-$which-$seed.db" --port 0 >"$out" 2>&1
      read -r i15 b15 <<<"$(figures "$out" 15)"
      read -r i50 b50 <<<"$(figures "$out" 50)"
      printf '%-8s %-7s %-5s %-12s %-12s %-12s %-12s\n' "$algo" "$which" "$seed" "$i15" "$b15" "$i50" "$b50"
    done
  done
done | tee "$tmp/rows"
echo
echo "medians over the seeds:"
awk '$1 != "algo" { k = $1 " " $2; n[k]++; split($4, x, "/"); i15[k, n[k]] = x[1]; l15[k, n[k]] = x[2]
      b15[k, n[k]] = $5; split($6, y, "/"); i50[k, n[k]] = y[1]; l50[k, n[k]] = y[2]; b50[k, n[k]] = $7 }
  function med(arr, k, c,   v, i, j, t) { for (i = 1; i <= c; i++) v[i] = arr[k, i] + 0
      for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2 }
  END { printf "%-16s %-12s %-10s %-12s %-10s\n", "algo binary", "infeas@15", "best@15", "infeas@50", "best@50"
        for (k in n) printf "%-16s %-12s %-10.4g %-12s %-10.4g\n", k, med(i15, k, n[k]) "/" med(l15, k, n[k]), med(b15, k, n[k]),
                            med(i50, k, n[k]) "/" med(l50, k, n[k]), med(b50, k, n[k]) }' "$tmp/rows" | sort
