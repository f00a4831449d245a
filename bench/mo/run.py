#!/usr/bin/python3
"""run.py - the multi-objective benchmark in one run: hypervolume after
20/40/80 trials on ZDT1, ZDT2, ZDT3 and two-objective DTLZ2 (d parameters,
default 6) for bograph's engine (bo_suggest_multi: EHVI on one GP per
objective), random, and Optuna's multi-objective TPE ("motpe": TPESampler,
multivariate) and NSGA-II (NSGAIISampler, Optuna's default population of
50), medians over seeds, printed as a table.

The problems, their reference points and every hypervolume come from the C
binary (build/bench/bograph-bench-mo): bograph and random run inside it
(--run), Optuna's samplers evaluate through its --eval, so every method is
measured on the same functions with the same reference point.

usage: /usr/bin/python3 bench/mo/run.py [--bin build/bench/bograph-bench-mo]
           [--problems zdt1,zdt2,zdt3,dtlz2] [--dim 6] [--seeds 10] [--first-seed 1000]
           [--checkpoints 20,40,80] [--methods bograph,random,motpe,nsga2] [--jobs 2]
           [--tsv FILE]
"""
import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from optuna_space import distributions, import_optuna, raw_config, read_space  # noqa: E402

C_METHODS = ("bograph", "random")
PEERS = ("motpe", "nsga2")
ORDER = ["bograph", "motpe", "nsga2", "random"]


def run_c(binary, problem, dim, method, seed, cps):
    out = subprocess.run([binary, "--run", problem, "--method", method, "--seed", str(seed),
                          "--dim", str(dim), "--budget", str(max(cps)), "--checkpoints",
                          ",".join(map(str, cps))], check=True, capture_output=True,
                         text=True).stdout.split()
    return [float(v) for v in out[:-1]], float(out[-1])


def run_peer(binary, problem, dim, method, seed, cps):
    optuna = import_optuna("run.py")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    info = read_space(binary, problem, ["--dim", str(dim)])
    dists = distributions(info)
    if method == "motpe":
        sampler = optuna.samplers.TPESampler(multivariate=True, seed=seed)
    else:
        sampler = optuna.samplers.NSGAIISampler(seed=seed)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    proc = subprocess.Popen([binary, "--eval", problem, "--dim", str(dim)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    trace = []
    t0 = time.time()
    for _ in range(max(cps)):
        trial = study.ask(dists)
        proc.stdin.write(raw_config(info, trial.params) + "\n")
        proc.stdin.flush()
        ans = proc.stdout.readline().split()
        if len(ans) != 3:
            raise RuntimeError("%s --eval %s: %s" % (binary, problem, " ".join(ans)))
        study.tell(trial, [float(ans[0]), float(ans[1])])
        trace.append(float(ans[2]))
    proc.stdin.close()
    proc.wait()
    secs = (time.time() - t0) / max(cps)
    return [trace[c - 1] for c in cps], secs


def run_task(task):
    binary, problem, dim, method, seed, cps = task
    run = run_c if method in C_METHODS else run_peer
    hv, secs = run(binary, problem, dim, method, seed, cps)
    return problem, method, seed, hv, secs


def problems_of(binary, dim):
    out = subprocess.run([binary, "--list", "--dim", str(dim)], check=True, capture_output=True,
                         text=True).stdout
    rows = {}
    for line in out.splitlines():
        name, _, ref, hv_max = line.split("\t")
        rows[name] = (ref, float(hv_max))
    return rows


def table(results, problems, methods, cps, info):
    lines = []
    head = "%-7s %-8s" % ("problem", "method") + "".join(" %10s" % ("hv@%d" % c) for c in cps)
    lines.append(head + "  %9s" % "s/trial")
    for p in problems:
        ref, hv_max = info[p]
        for m in [m for m in ORDER if m in methods]:
            rows = [r for r in results if r[0] == p and r[1] == m]
            if not rows:
                continue
            med = [statistics.median(r[3][k] for r in rows) for k in range(len(cps))]
            secs = statistics.median(r[4] for r in rows)
            lines.append("%-7s %-8s" % (p, m) + "".join(" %10.4f" % v for v in med) +
                         "  %9.4f" % secs)
        lines.append("%-7s %-8s" % (p, "front") + "".join(" %10.4f" % hv_max for _ in cps) +
                     "  (reference point %s)" % ref)
    return "\n".join(lines)


def wins(results, problems, methods, cps):
    """On how many problems bograph's median is ahead of each other method."""
    out = []
    for k, c in enumerate(cps):
        parts = []
        for m in [m for m in ORDER if m in methods and m != "bograph"]:
            ahead = 0
            for p in problems:
                b = [r[3][k] for r in results if r[0] == p and r[1] == "bograph"]
                o = [r[3][k] for r in results if r[0] == p and r[1] == m]
                if b and o and statistics.median(b) > statistics.median(o):
                    ahead += 1
            parts.append("%s %d/%d" % (m, ahead, len(problems)))
        out.append("at %d trials bograph's median is ahead of: %s" % (c, ", ".join(parts)))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="build/bench/bograph-bench-mo")
    ap.add_argument("--problems", default="zdt1,zdt2,zdt3,dtlz2")
    ap.add_argument("--dim", type=int, default=6)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--checkpoints", default="20,40,80")
    ap.add_argument("--methods", default="bograph,random,motpe,nsga2")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tsv")
    args = ap.parse_args()
    if not os.access(args.bin, os.X_OK):
        sys.exit("run.py: %s not found; build it with\n"
                 "  cmake -S . -B build && cmake --build build -j2 --target bograph-bench-mo"
                 % args.bin)
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in C_METHODS + PEERS:
            ap.error("unknown method %s (bograph, random, motpe, nsga2)" % m)
    if any(m in PEERS for m in methods):
        import_optuna("run.py")
    cps = [int(c) for c in args.checkpoints.split(",")]
    info = problems_of(args.bin, args.dim)
    problems = [p for p in args.problems.split(",") if p]
    for p in problems:
        if p not in info:
            ap.error("unknown problem %s (%s)" % (p, ", ".join(info)))
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    tasks = [(args.bin, p, args.dim, m, args.first_seed + s, cps)
             for p in problems for s in range(args.seeds) for m in methods]
    out = open(args.tsv, "w") if args.tsv else None
    if out:
        out.write("problem\tmethod\tseed\tdim\t" + "\t".join("hv@%d" % c for c in cps) +
                  "\ts_per_trial\n")
    results = []
    t0 = time.time()
    with multiprocessing.Pool(args.jobs) as pool:
        for r in pool.imap_unordered(run_task, tasks):
            results.append(r)
            if out:
                out.write("%s\t%s\t%d\t%d\t%s\t%.4f\n" % (r[0], r[1], r[2], args.dim,
                                                         "\t".join("%.10g" % v for v in r[3]), r[4]))
                out.flush()
            sys.stderr.write("\r  %d/%d runs, %.0f s   " % (len(results), len(tasks),
                                                           time.time() - t0))
    sys.stderr.write("\n")
    if out:
        out.close()
    print("multi-objective benchmark: %s, d = %d, seeds %d..%d, median hypervolume "
          "(higher is better; 'front' = the true Pareto front's)" %
          (",".join(problems), args.dim, args.first_seed, args.first_seed + args.seeds - 1))
    print(table(results, problems, methods, cps, info))
    if "bograph" in methods:
        print(wins(results, problems, methods, cps))
    print("wall-clock %.0f s, jobs %d" % (time.time() - t0, args.jobs))


if __name__ == "__main__":
    main()
