#!/bin/sh
# test_cli_exit_codes.sh BOGRAPH SCRIPTS_DIR - the built `bograph` end to end:
# usage errors exit 2 naming the option, every subcommand answers --help,
# `tune command --space` succeeds (0) with quiet trial lines naming the
# model, failing trials make tune and worker stop with 1, a worker runs the
# program given after -- (exactly --max-trials trials with --parallel) and
# refuses the study's own argv unless trusted, an unreachable service is
# said while retrying, `serve --demo` prints the dashboard URL.
set -u
bin=$1
scripts=$2
dir=$(mktemp -d "${TMPDIR:-/tmp}/bograph-cli-test-XXXXXX")
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect CODE PATTERN ARGS...: runs bograph ARGS, checks the exit code and
# that the output (stdout and stderr) matches the grep pattern (or "").
expect() {
  want=$1; pattern=$2; shift 2
  "$bin" "$@" >"$dir/out" 2>&1
  got=$?
  [ "$got" = "$want" ] || fail "bograph $*: exit $got, expected $want: $(tail -3 "$dir/out")"
  if [ -n "$pattern" ] && ! grep -q -- "$pattern" "$dir/out"; then
    fail "bograph $*: output lacks '$pattern': $(tail -3 "$dir/out")"
  fi
}

# Usage errors: 2, naming the option.
expect 2 "bad value '0' for --budget" tune accelerator --budget 0
expect 2 "for --budget" tune accelerator --budget=0
expect 2 "for --seed" tune accelerator --seed -1
expect 2 "for --algorithm" tune accelerator --algorithm magic
expect 2 "for --parallel" worker --url http://127.0.0.1:1 --study 1 --parallel 0
expect 2 "for --max-trials" worker --url http://127.0.0.1:1 --study 1 --max-trials x
expect 2 "for --port" serve --port 70000
expect 2 "needs --space FILE" tune command --budget 3
expect 2 "a program after --" tune command --space "$scripts/../../cli/space_x.json"
expect 2 "are for the command plugin" tune accelerator -- /bin/true
expect 2 "no program after --" worker --url http://127.0.0.1:1 --study 1 --
expect 2 "unknown command" nosuch
for sub in serve tune worker; do expect 0 "usage: bograph $sub" "$sub" --help; done
expect 0 "usage: bograph" --help

space="$(cd "$(dirname "$0")" && pwd)/space_x.json"
# tune command --space: 0, quiet (no request log), lines naming the model.
expect 0 "trial   3/3" tune command --space "$space" --budget 3 --db "$dir/t.db" --port 0 \
  --algorithm random -- "$scripts/echo_x.sh"
grep -q '"method"' "$dir/out" && fail "tune logged requests without --verbose"
grep -q "^trial   1/3  default " "$dir/out" || fail "trial 1 does not name the default: $(cat "$dir/out")"
grep -q "^trial   2/3  random " "$dir/out" || fail "trial 2 does not name its model"
grep -q "improvement over the default:" "$dir/out" || fail "no improvement line"

# Failing trials: tune stops with 1 and says why.
expect 1 "first 2 trials all failed" tune command --space "$space" --budget 20 \
  --db "$dir/f.db" --port 0 --max-initial-failures 2 -- "$scripts/exit3.sh"
grep -q "default configuration (trial 1) failed" "$dir/out" || fail "the failed default is not named"

# A service for the worker.
"$bin" serve --db "$dir/s.db" --port 0 --quiet >"$dir/serve.out" 2>&1 &
pids="$pids $!"
url=""
for i in $(seq 1 100); do
  url=$(sed -n 's|^bograph: serving .* on \(http://[^/]*\)/$|\1|p' "$dir/serve.out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { fail "serve did not start: $(cat "$dir/serve.out")"; exit 1; }
create() {
  python3 - "$url" "$1" <<'PY'
import json, sys, urllib.request
body = json.dumps(json.loads(sys.argv[2])).encode()
req = urllib.request.Request(sys.argv[1] + "/v1/studies", data=body,
                             headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["id"])
PY
}
count() {
  python3 - "$url" "$1" "$2" <<'PY'
import json, sys, urllib.request
st = json.load(urllib.request.urlopen(sys.argv[1] + "/v1/studies/" + sys.argv[2]))
print(st["counts"][sys.argv[3]])
PY
}
space_body='"parameters": [{"name": "x", "type": "float", "low": 0, "high": 1}], "objective": {"name": "y"}'
id=$(create "{\"name\": \"w\", \"plugin\": \"command\", \"budget\": 30, \"algorithm\": \"random\", $space_body, \"plugin_options\": {\"argv\": [\"/bin/false\"]}}")
expect 0 "ok: y " worker --url "$url" --study "$id" --max-trials 10 --parallel 2 -- "$scripts/echo_x.sh"
[ "$(count "$id" completed)" = 10 ] || fail "worker --max-trials 10 --parallel 2 ran $(count "$id" completed)"
expect 1 "trust-study-command" worker --url "$url" --study "$id"
expect 1 "first 5 trials all failed" worker --url "$url" --study "$id" --trust-study-command

# An unreachable service: each retry is said.
"$bin" worker --url http://127.0.0.1:1 --study 1 >"$dir/unreach.out" 2>&1 &
p=$!
for i in $(seq 1 50); do grep -q "retrying in" "$dir/unreach.out" && break; sleep 0.1; done
grep -q "retrying in .* (attempt 2 of" "$dir/unreach.out" || fail "no retry message: $(cat "$dir/unreach.out")"
kill "$p"; wait "$p" 2>/dev/null

# serve --demo prints where to watch.
"$bin" serve --demo --db "$dir/d.db" --port 0 --quiet >"$dir/demo.out" 2>&1 &
p=$!
for i in $(seq 1 100); do grep -q "watch it at" "$dir/demo.out" && break; sleep 0.1; done
grep -q "watch it at http://127.0.0.1:[0-9]*/#/studies/1" "$dir/demo.out" || fail "serve --demo: $(cat "$dir/demo.out")"
kill "$p"; wait "$p" 2>/dev/null

[ "$fails" = 0 ] && echo "all passed"
exit "$fails"
