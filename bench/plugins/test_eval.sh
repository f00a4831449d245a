#!/bin/sh
# test_eval.sh - smoke test of bograph-bench-plugins --space and --eval, the
# line protocol bench/plugins/tpe_plugin.py and mo_plugin.py drive: the
# default (its metrics too), a design
# over the area budget, an infeasible design and a malformed line.
#   bench/plugins/test_eval.sh build/bench/bograph-bench-plugins
set -eu
bin=${1:?path to bograph-bench-plugins}
fail() { echo "test_eval.sh: $*" >&2; exit 1; }
space=$("$bin" --space accelerator)
echo "$space" | grep -q '"default":{' || fail "--space has no default: $space"
echo "$space" | grep -q '"constraints":\[{"metric":"area_mm2"' || fail "--space has no constraint"
out=$(printf '%s\n' \
  '{"rows":16,"cols":16,"dataflow":"ws","spad_kb":256,"acc_kb":64,"banks":4,"dma_bytes":16,"clock_mhz":1000}' \
  '{"rows":128,"cols":128,"dataflow":"os","spad_kb":2048,"acc_kb":1024,"banks":4,"dma_bytes":16,"clock_mhz":1000}' \
  '{"rows":128,"cols":128,"dataflow":"os","spad_kb":2048,"acc_kb":16,"banks":4,"dma_bytes":16,"clock_mhz":1000}' \
  'not json' | "$bin" --eval accelerator)
[ "$(echo "$out" | wc -l)" -eq 4 ] || fail "want 4 answers, got: $out"
echo "$out" | sed -n 1p | grep -q '"state":"ok","objective":8851.48[0-9]*,"meets":true' ||
  fail "default: $(echo "$out" | sed -n 1p)"
echo "$out" | sed -n 1p | grep -q '"metrics":{.*"energy_mj":110.737[0-9]*,"delay_ms":79.93' ||
  fail "default's metrics: $(echo "$out" | sed -n 1p)"
echo "$out" | sed -n 2p | grep -q '"state":"ok".*"meets":false,"violation":[1-9]' ||
  fail "over the area budget: $(echo "$out" | sed -n 2p)"
echo "$out" | sed -n 3p | grep -q '"state":"infeasible","objective":null,"meets":false' ||
  fail "infeasible: $(echo "$out" | sed -n 3p)"
echo "$out" | sed -n 4p | grep -q '"state":"failed"' || fail "malformed: $(echo "$out" | sed -n 4p)"
"$bin" --space no-such-plugin 2>/dev/null && fail "--space of an unknown plugin succeeded"
echo "test_eval.sh: ok"
