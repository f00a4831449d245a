#!/usr/bin/env bash
# check-doc-curl.sh - runs the curl examples of the docs as written, in order,
# against a fresh `bograph serve` (a new temporary database per file), and
# fails on the first example that fails: a curl error, an answer with a 4xx
# or 5xx status (unless the example prints the status itself with -w, as the
# docs do for an error they show), or a shell error (set -euo pipefail, so an
# id taken with jq from a failed answer stops the run too).
#
# usage: scripts/check-doc-curl.sh BOGRAPH_BIN FILE.md:"SECTION" [FILE.md:"SECTION" ...]
# Every ```sh block between the "## SECTION" heading and the next "## "
# heading is run; lines starting with build/bograph (starting a service) are
# left out, the service is the fresh one and B its URL.
set -euo pipefail
bin=$1
shift
command -v jq >/dev/null || { echo "check-doc-curl: jq is needed (scripts/deps.sh installs it)" >&2; exit 1; }

run_one() {
    local file=${1%%:*} section=${1#*:}
    local tmp
    tmp=$(mktemp -d)
    python3 - "$file" "$section" > "$tmp/examples.sh" <<'PY'
import sys
path, section = sys.argv[1], sys.argv[2]
inside = block = False
for line in open(path, encoding="utf-8"):
    if line.startswith("## "):
        inside = line[3:].strip() == section
        continue
    if not inside:
        continue
    if line.startswith("```"):
        block = (not block) and line.strip() == "```sh"
        continue
    if block and not line.startswith("build/bograph"):
        sys.stdout.write(line)
PY
    if ! grep -q curl "$tmp/examples.sh"; then
        echo "check-doc-curl: no curl example in $file, section '$section'" >&2
        return 1
    fi
    "$bin" serve --db "$tmp/doc.db" --port 0 --quiet > "$tmp/serve.out" 2> "$tmp/serve.err" &
    local pid=$! url=""
    for _ in $(seq 100); do
        url=$(sed -n 's/.* on \(http:[^ ]*\)/\1/p' "$tmp/serve.out" | head -n 1)
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "check-doc-curl: bograph serve did not start" >&2; cat "$tmp/serve.err" >&2; kill $pid; return 1; }
    local rc=0
    B=${url%/} bash -c '
        set -euo pipefail
        curl() {
            case " $* " in *" -w "*) command curl "$@"; return;; esac
            local body code
            body=$(mktemp)
            code=$(command curl -sS -o "$body" -w "%{http_code}" "$@")
            cat "$body"
            rm -f "$body"
            if [ "$code" -ge 400 ]; then
                echo "check-doc-curl: HTTP $code from: curl $*" >&2
                exit 1
            fi
        }
        source "$0"' "$tmp/examples.sh" > "$tmp/run.out" 2> "$tmp/run.err" || rc=$?
    kill $pid
    wait $pid 2>/dev/null || true
    if [ $rc -ne 0 ]; then
        echo "check-doc-curl: $file ($section) failed:" >&2
        tail -n 20 "$tmp/run.out" >&2
        cat "$tmp/run.err" >&2
    else
        echo "$file ($section): $(grep -c 'curl ' "$tmp/examples.sh") curl lines ran"
    fi
    rm -rf "$tmp"
    return $rc
}

for spec in "$@"; do
    run_one "$spec"
done
