#!/bin/sh
# test_rocksdb_noise.sh - smoke test of bench/plugins/rocksdb_noise.py on
# tiny real db_bench runs: every run in order with its figures (other_cpus
# among them), an alternation of two configurations, the summary lines.
#   bench/plugins/test_rocksdb_noise.sh build/bench/bograph-bench-plugins
set -eu
bin=${1:?path to bograph-bench-plugins}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "test_rocksdb_noise.sh: $*" >&2; exit 1; }
out=$(/usr/bin/python3 "$here/rocksdb_noise.py" --bin "$bin" --runs 3 --order DB \
  --best '{"write_buffer_size": 4194304}' --option num=2000 --option reads=2000)
[ "$(echo "$out" | grep -c '^[0-9]')" -eq 3 ] || fail "want 3 runs: $out"
echo "$out" | sed -n 2p | grep -Eq '^1	D	[0-9]+	[0-9.]+	[0-9.]+	[0-9.]+	[0-9.]+$' ||
  fail "run 1: $(echo "$out" | sed -n 2p)"
echo "$out" | sed -n 3p | grep -q '^2	B	[0-9]' || fail "run 2 is not B: $out"
echo "$out" | grep -q '^# D: 2 runs, median [0-9]*, min [0-9]*, max [0-9]*, cv [0-9.]*%$' ||
  fail "no summary of D: $out"
echo "$out" | grep -q '^# B: 1 runs' || fail "no summary of B: $out"
/usr/bin/python3 "$here/rocksdb_noise.py" --bin "$bin" --order DX 2>/dev/null &&
  fail "--order DX accepted"
echo "test_rocksdb_noise.sh: ok"
