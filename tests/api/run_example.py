#!/usr/bin/env python3
"""API test: runs examples/tune_function.py against a real `bograph serve`
(started here on a free port with a temporary database), then checks through
the Python client that the study ran its whole budget, reported the
infeasible configurations as such, and found better than the default.

usage: run_example.py BOGRAPH_BIN REPO_ROOT
"""
import os
import subprocess
import sys
import tempfile

bograph, root = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, "clients", "python"))
from bograph_client import BographError, Client  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from apitest_db import database  # noqa: E402

with tempfile.TemporaryDirectory() as tmp:
    log = open(os.path.join(tmp, "server.log"), "w")
    srv = subprocess.Popen([bograph, "serve", "--db", database(tmp, "t"), "--port", "0"],
                           stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = srv.stdout.readline()
        url = line.strip().split(" on ")[-1].rstrip("/")
        assert url.startswith("http://127.0.0.1:"), line
        run = subprocess.run([sys.executable, os.path.join(root, "examples", "tune_function.py"),
                              "--url", url, "--trials", "20", "--algorithm", "gp", "--name", "ex"],
                             capture_output=True, text=True, timeout=300)
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        assert run.returncode == 0, "example exited %d" % run.returncode
        c = Client(url)
        study = [s for s in c.studies() if s["name"] == "ex"][0]
        counts = study["counts"]
        assert study["state"] == "done", study
        assert counts["completed"] + counts["infeasible"] + counts["failed"] == 20, counts
        assert counts["active"] == 0, counts
        trials = list(c.trials(study["id"]))
        assert len(trials) == 20
        assert trials[0]["is_default"], trials[0]
        for t in trials:
            if t["state"] == "infeasible":
                assert t["params"]["batch"] > 4096 and t["params"]["mode"] == "fast", t
        best = c.best(study["id"])
        assert best["best"]["objective"] < best["default"]["objective"]
        # the client reports service errors with code and field
        try:
            c.add_trial(study["id"], {"x": 99, "batch": 1, "mode": "safe"}, {"loss": 1})
            raise AssertionError("out-of-space params accepted")
        except BographError as e:
            assert e.status == 400 and e.field == "params.x", e
        try:
            c.complete(study["id"], trials[1]["id"], metrics={"loss": float("nan")})
            raise AssertionError("NaN sent")
        except ValueError:
            pass
    finally:
        srv.terminate()
        srv.wait(timeout=30)
        log.close()
    assert srv.returncode == 0, "server exited %d" % srv.returncode
print("example ok")
