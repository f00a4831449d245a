#!/usr/bin/env python3
"""API test of extending a study from the command line: `bograph tune
accelerator --budget 3` runs a study of 3 trials; the same command with
`--budget 5` continues that study (same id, its budget raised with PATCH) to
5 trials, and a smaller --budget afterwards changes nothing. The database is
read back with sqlite3.

usage: test_tune_extend.py BOGRAPH_BIN
"""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

BOGRAPH = sys.argv[1]


def tune(db, budget):
    run = subprocess.run([BOGRAPH, "tune", "accelerator", "--budget", str(budget), "--algorithm",
                          "random", "--db", db, "--port", "0", "--quiet", "--remeasure", "0"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.returncode, run.stdout, run.stderr)
    return run.stdout


def study(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, spec, state FROM studies").fetchall()
    assert len(rows) == 1, rows
    n = con.execute("SELECT count(*) FROM trials WHERE state != 'active'").fetchone()[0]
    con.close()
    return rows[0][0], json.loads(rows[0][1])["budget"], rows[0][2], n


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "t.db")
    tune(db, 3)
    sid, budget, state, n = study(db)
    assert (budget, state, n) == (3, "done", 3), (budget, state, n)
    out = tune(db, 5)
    assert "raised to 5" in out, out
    assert "trial   5/5" in out or "trial 5/5" in out.replace("  ", " "), out
    assert study(db) == (sid, 5, "done", 5), study(db)
    out = tune(db, 4)
    assert "raised" not in out, out
    assert study(db) == (sid, 5, "done", 5), study(db)
print("tune extend ok")
