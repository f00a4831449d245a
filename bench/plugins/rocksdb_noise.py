#!/usr/bin/python3
"""rocksdb_noise.py - run-to-run spread of the rocksdb plugin: the same
configuration(s) run again and again through `bograph-bench-plugins --eval`
(plugin_run, as a `bograph tune` trial), one process per run so every run
gets the same seed, and each run printed in order with its ops/sec, wall
and CPU time and the CPUs other processes used meanwhile
(rocksdb.trial.other_cpus), then per configuration the median, min, max
and coefficient of variation.

usage: rocksdb_noise.py --bin build/bench/bograph-bench-plugins [--runs 10]
           [--order D|DB|DBBD] [--best JSON] [--plugin rocksdb] [--seed S]
           [--tmpdir DIR] [--pause SECONDS] [--option K=V]...

--order is the sequence of configurations, repeated up to --runs: D the
plugin's default, B the configuration --best (a JSON object of parameters;
the default's values fill what it leaves out). --tmpdir puts the runs'
databases under DIR (TMPDIR of the plugin; /tmp otherwise). Pin it to a
core with taskset (`taskset -c 1 rocksdb_noise.py ...`); db_bench inherits
the affinity.
"""
import argparse
import json
import os
import statistics
import subprocess
import time


def run_once(args, cfg, env):
    cmd = [args.bin, "--eval", args.plugin, "--seed", str(args.seed)]
    for o in args.option:
        cmd += ["--option", o]
    p = subprocess.run(cmd, input=json.dumps(cfg) + "\n", capture_output=True, text=True,
                       env=env, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--plugin", default="rocksdb")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--order", default="D")
    ap.add_argument("--best", default="{}")
    ap.add_argument("--seed", type=int, default=0, help="0: the plugin's fixed default seed")
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--pause", type=float, default=0.0)
    ap.add_argument("--option", action="append", default=[])
    args = ap.parse_args()
    if not args.order or set(args.order) - {"D", "B"}:
        ap.error("--order: a sequence of D and B")
    space = json.loads(subprocess.run([args.bin, "--space", args.plugin], capture_output=True,
                                      text=True, check=True).stdout)
    cfgs = {"D": space["default"], "B": dict(space["default"], **json.loads(args.best))}
    env = dict(os.environ)
    if args.tmpdir:
        env["TMPDIR"] = args.tmpdir
    print("run\tconfig\tops_per_sec\twall_s\tcpu_user_s\tcpu_sys_s\tother_cpus")
    values = {}
    for i in range(args.runs):
        if i and args.pause > 0:
            time.sleep(args.pause)
        c = args.order[i % len(args.order)]
        ans = run_once(args, cfgs[c], env)
        m = ans.get("metrics", {})
        cells = [m.get(k) for k in ("rocksdb.trial.wall_seconds",
                                    "rocksdb.trial.cpu_user_seconds",
                                    "rocksdb.trial.cpu_sys_seconds", "rocksdb.trial.other_cpus")]
        print("%d\t%s\t%s\t%s" % (i + 1, c, "%.0f" % ans["objective"] if ans["state"] == "ok"
                                  else ans["state"] + ": " + ans.get("reason", ""),
                                  "\t".join("%.2f" % x if x is not None else "-" for x in cells)),
              flush=True)
        if ans["state"] == "ok":
            values.setdefault(c, []).append(ans["objective"])
    for c, v in sorted(values.items()):
        cv = statistics.stdev(v) / statistics.mean(v) if len(v) > 1 else 0.0
        print("# %s: %d runs, median %.0f, min %.0f, max %.0f, cv %.1f%%" % (
            c, len(v), statistics.median(v), min(v), max(v), 100 * cv))


if __name__ == "__main__":
    main()
