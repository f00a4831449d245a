#!/usr/bin/env python3
"""bench_large_requests.py - how long the service takes over large requests.

Starts `bograph serve` (the binary given) on a temporary database and
measures, over HTTP on loopback:
  1. creating a study of 10 categoricals of 10,000 choices each;
  2. creating a study whose knowledge has 80,000 forbidden edges;
  3. suggest on a bograph study whose knowledge has 20,000 required edges
     (after a few completed trials);
  4. completing a trial with 10,000 metrics;
  5. suggest with count 100 on a gp study of 3 parameters and 20 trials.
Prints one line per measure (the median of --repeat runs). Standard
library only.

    python3 bench/server/bench_large_requests.py build/bograph [--repeat 3]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def timed(base, method, path, body):
    t0 = time.perf_counter()
    status, ans = call(base, method, path, body)
    return time.perf_counter() - t0, status, ans


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bograph")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measure (the median is shown)")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bograph-bench-")
    port = free_port()
    srv = subprocess.Popen([a.bograph, "serve", "--db", os.path.join(tmp, "b.db"), "--port",
                            str(port), "--quiet", "--max-body", str(64 << 20)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d" % port
    try:
        for _ in range(100):
            try:
                call(base, "GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        obj = {"name": "y"}
        x = {"name": "x", "type": "float", "low": 0, "high": 1}

        def median(xs):
            return sorted(xs)[len(xs) // 2]

        # 1. 10 categoricals of 10,000 choices
        times = []
        for r in range(a.repeat):
            params = [{"name": "c%d" % p, "type": "categorical",
                       "choices": ["v%d_%d" % (p, k) for k in range(10000)]} for p in range(10)]
            t, st, ans = timed(base, "POST", "/v1/studies",
                               {"name": "cats%d" % r, "parameters": params, "objective": obj,
                                "algorithm": "random"})
            assert st == 201, ans
            times.append(t)
        print("create, 10 categoricals x 10,000 choices: %.3f s" % median(times))

        # 2. 80,000 forbidden edges
        times = []
        for r in range(a.repeat):
            forb = [["m%d" % i, "m%d" % (i + 1 + j)] for i in range(400) for j in range(200)]
            t, st, ans = timed(base, "POST", "/v1/studies",
                               {"name": "forb%d" % r, "parameters": [x], "objective": obj,
                                "knowledge": {"forbidden": forb}})
            assert st == 201, ans
            times.append(t)
        print("create, 80,000 forbidden edges: %.3f s" % median(times))

        # 3. suggest on a bograph study with 20,000 required edges
        edges = [["n%d" % i, "n%d" % (i + 1)] for i in range(20000)]
        st, ans = call(base, "POST", "/v1/studies",
                       {"name": "edges", "parameters": [x], "objective": obj,
                        "algorithm": "bograph", "knowledge": {"edges": edges}, "seed": 1})
        assert st == 201, ans
        sid = ans["id"]
        for i in range(6):
            st, s = call(base, "POST", "/v1/studies/%s/suggest" % sid, {"count": 1})
            tid = s["trials"][0]["id"]
            xv = s["trials"][0]["params"]["x"]
            call(base, "POST", "/v1/studies/%s/trials/%s/complete" % (sid, tid),
                 {"metrics": {"y": (xv - 0.3) ** 2, "lat": xv}})
        times = []
        for r in range(max(a.repeat, 3)):
            t, st, s = timed(base, "POST", "/v1/studies/%s/suggest" % sid, {"count": 1})
            assert st == 200, s
            tid = s["trials"][0]["id"]
            xv = s["trials"][0]["params"]["x"]
            call(base, "POST", "/v1/studies/%s/trials/%s/complete" % (sid, tid),
                 {"metrics": {"y": (xv - 0.3) ** 2, "lat": xv}})
            times.append(t)
        print("suggest, bograph study with 20,000 required edges: %.3f s" % median(times))

        # 4. complete with 10,000 metrics
        st, ans = call(base, "POST", "/v1/studies",
                       {"name": "metrics", "parameters": [x], "objective": obj,
                        "algorithm": "random"})
        sid = ans["id"]
        times = []
        for r in range(a.repeat):
            st, s = call(base, "POST", "/v1/studies/%s/suggest" % sid, {"count": 1})
            tid = s["trials"][0]["id"]
            metrics = {"metric.%d" % k: float(k) for k in range(9999)}
            metrics["y"] = 1.0
            t, st, ans = timed(base, "POST", "/v1/studies/%s/trials/%s/complete" % (sid, tid),
                               {"metrics": metrics})
            assert st == 200, ans
            times.append(t)
        print("complete with 10,000 metrics: %.3f s" % median(times))

        # 5. count 100 on a gp study
        params = [{"name": "x%d" % k, "type": "float", "low": 0, "high": 1} for k in range(3)]
        times = []
        for r in range(a.repeat):
            st, ans = call(base, "POST", "/v1/studies",
                           {"name": "batch%d" % r, "parameters": params, "objective": obj,
                            "algorithm": "gp", "seed": r})
            sid = ans["id"]
            for i in range(20):
                st, s = call(base, "POST", "/v1/studies/%s/suggest" % sid, {"count": 1})
                tr = s["trials"][0]
                y = sum((v - 0.3) ** 2 for v in tr["params"].values())
                call(base, "POST", "/v1/studies/%s/trials/%s/complete" % (sid, tr["id"]),
                     {"metrics": {"y": y}})
            t, st, s = timed(base, "POST", "/v1/studies/%s/suggest" % sid, {"count": 100})
            assert st == 200 and len(s["trials"]) == 100, s
            times.append(t)
        print("suggest count 100, gp, 3 parameters, 20 trials: %.3f s" % median(times))
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
