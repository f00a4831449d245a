#!/usr/bin/python3
"""peers.py - Optuna's TPE (multivariate) and CMA-ES on the structure
benchmark's systems, in the same TSV rows as bograph-bench-structure.

The systems are evaluated by the C binary itself (`--eval SYSTEM --seed S`:
one configuration a line on stdin, "noisy true" objectives back), so the
peers see the same systems and, for seed S, the same noise at trial t as
bograph, gp and random. The value recorded at each checkpoint is the best
TRUE objective among the first t trials (goal-aware), as in the C runs.

usage: peers.py --bin build/bench/bograph-bench-structure [--family-seed 1]
                [--family-count 24] [--systems LIST] [--seeds 10] [--first-seed 1000]
                [--budget 50] [--methods tpe,cmaes] [--jobs 2] [--tsv FILE]
"""
import argparse
import math
import multiprocessing
import os
import subprocess
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from optuna_space import distributions, import_optuna, raw_config, read_space  # noqa: E402

optuna = import_optuna("peers.py")

CHECKPOINTS = [10, 15, 20, 30, 50]


def run_one(task):
    binary, system, method, seed, budget = task
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    info = read_space(binary, system)
    dists = distributions(info)
    if method == "tpe":
        sampler = optuna.samplers.TPESampler(multivariate=True, seed=seed)
    else:
        sampler = optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    study = optuna.create_study(direction="maximize" if info["maximize"] else "minimize",
                                sampler=sampler)
    proc = subprocess.Popen([binary, "--eval", system, "--seed", str(seed)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    best, trace = None, []
    t0 = time.time()
    for _ in range(budget):
        trial = study.ask(dists)
        proc.stdin.write(raw_config(info, trial.params) + "\n")
        proc.stdin.flush()
        ans = proc.stdout.readline().split()
        if len(ans) != 2:
            raise RuntimeError("%s --eval %s: %s" % (binary, system, " ".join(ans)))
        y, f = float(ans[0]), float(ans[1])
        study.tell(trial, y)
        if best is None or (f > best if info["maximize"] else f < best):
            best = f
        trace.append(best)
    proc.stdin.close()
    proc.wait()
    secs = (time.time() - t0) / budget
    return system, method, seed, info["maximize"], trace, secs


def list_systems(binary, args):
    cmd = [binary, "--list", "--family-seed", str(args.family_seed), "--family-count",
           str(args.family_count)]
    if args.systems:
        cmd += ["--systems", args.systems]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t")[:3] for line in out.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--family-seed", type=int, default=1)
    ap.add_argument("--family-count", type=int, default=24)
    ap.add_argument("--systems")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--budget", type=int, default=50)
    ap.add_argument("--methods", default="tpe,cmaes")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tsv")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in ("tpe", "cmaes"):
            ap.error("unknown method %s (peers: tpe, cmaes)" % m)
    systems = list_systems(args.bin, args)
    structure = {s[0]: s[1] for s in systems}
    tasks = [(args.bin, s[0], m, args.first_seed + sd, args.budget)
             for s in systems for sd in range(args.seeds) for m in methods]
    out = open(args.tsv, "w") if args.tsv else sys.stdout
    out.write("# peers.py optuna=%s family_seed=%d family_count=%d systems=%d seeds=%d..%d "
              "budget=%d methods=%s\n" % (optuna.__version__, args.family_seed,
                                          args.family_count, len(systems), args.first_seed,
                                          args.first_seed + args.seeds - 1, args.budget, ",".join(methods)))
    out.write("system\tstructure\tmaximize\tmethod\tseed\tbudget\t" +
              "\t".join("best@%d" % c for c in CHECKPOINTS) + "\tgraph_share\ts_per_sugg\n")
    out.flush()
    t0 = time.time()
    done = 0
    with multiprocessing.Pool(args.jobs) as pool:
        for system, method, seed, maxi, trace, secs in pool.imap_unordered(run_one, tasks):
            cells = [("%.10g" % trace[c - 1]) if c <= len(trace) else "NA" for c in CHECKPOINTS]
            out.write("\t".join([system, structure[system], "1" if maxi else "0", method,
                                 str(seed), str(args.budget)] + cells +
                                ["NA", "%.4f" % secs]) + "\n")
            out.flush()
            done += 1
            if not args.quiet:
                sys.stderr.write("\r  peers: %d/%d runs done, %.0f s elapsed   " %
                                 (done, len(tasks), time.time() - t0))
    if not args.quiet:
        sys.stderr.write("\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
