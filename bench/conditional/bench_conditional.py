#!/usr/bin/python3
"""bench_conditional.py - a conditional tuning problem for bograph's random,
sobol, gp and bograph algorithms (through a real `bograph serve`, so every
suggestion is also checked to hold exactly its active parameters) beside
Optuna's TPE, which models conditional spaces natively (define-by-run,
multivariate with group=True).

The problem ("learner"): pick one of three learners, each with its own
knobs of different shapes, plus two shared knobs; the objective is
validation loss + 0.02 x training seconds, observed with 3% noise, and each
trial reports the intermediate metrics bias, variance and train_s:
  tree    depth (int 2..16), min_leaf (float, log 1e-4..0.1), subsample (0.3..1)
  linear  l2 (float, log 1e-6..10), l1_ratio (0..1)
  net     lr (float, log 1e-5..0.1), width (ordinal 32..1024), dropout (0..0.6),
          momentum (0..0.99; only when optimiser is sgd: a nested condition),
          optimiser (sgd, adam)
  shared  batch (int, log 8..512), threads (int 1..16)
The net has the best optimum but the narrowest basin; linear the easiest
and the worst.

The value recorded at each checkpoint is the best TRUE (noiseless)
objective among the first t trials; the noise of trial t of seed S is the
same for every method. Rows are written in the TSV layout of
bench/structure/peers.py, so bench/structure/combine.py summarises them
(median over seeds per checkpoint, pairwise wins).

usage: /usr/bin/python3 bench_conditional.py --bin build/bograph [--seeds 10]
         [--first-seed 1000] [--budget 50] [--methods random,sobol,gp,bograph,tpe]
         (also gp-flat, bograph-flat: the same space without its conditions)
         [--jobs 2] [--tsv FILE]
"""
import argparse
import math
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "clients", "python"))
from bograph_client import Client  # noqa: E402

CHECKPOINTS = [15, 30, 50]
NOISE = 0.03

LEARNERS = ["tree", "linear", "net"]
PARAMETERS = [
    {"name": "learner", "type": "categorical", "choices": LEARNERS},
    {"name": "depth", "type": "int", "low": 2, "high": 16,
     "condition": {"parameter": "learner", "values": ["tree"]}},
    {"name": "min_leaf", "type": "float", "low": 1e-4, "high": 0.1, "log": True,
     "condition": {"parameter": "learner", "values": ["tree"]}},
    {"name": "subsample", "type": "float", "low": 0.3, "high": 1.0,
     "condition": {"parameter": "learner", "values": ["tree"]}},
    {"name": "l2", "type": "float", "low": 1e-6, "high": 10.0, "log": True,
     "condition": {"parameter": "learner", "values": ["linear"]}},
    {"name": "l1_ratio", "type": "float", "low": 0.0, "high": 1.0,
     "condition": {"parameter": "learner", "values": ["linear"]}},
    {"name": "lr", "type": "float", "low": 1e-5, "high": 0.1, "log": True,
     "condition": {"parameter": "learner", "values": ["net"]}},
    {"name": "width", "type": "ordinal", "values": [32, 64, 128, 256, 512, 1024],
     "condition": {"parameter": "learner", "values": ["net"]}},
    {"name": "dropout", "type": "float", "low": 0.0, "high": 0.6,
     "condition": {"parameter": "learner", "values": ["net"]}},
    {"name": "optimiser", "type": "categorical", "choices": ["sgd", "adam"],
     "condition": {"parameter": "learner", "values": ["net"]}},
    {"name": "momentum", "type": "float", "low": 0.0, "high": 0.99,
     "condition": {"parameter": "optimiser", "values": ["sgd"]}},
    {"name": "batch", "type": "int", "low": 8, "high": 512, "log": True},
    {"name": "threads", "type": "int", "low": 1, "high": 16},
]


def metrics_of(p):
    """bias, variance and train_s of a configuration (noiseless)."""
    lb = math.log2(p["batch"])                       # 3 .. 9
    speed = min(p["threads"], 8) ** 0.8               # no gain past 8 threads
    if p["learner"] == "tree":
        d = p["depth"]
        bias = 0.30 * math.exp(-0.35 * (d - 2)) + 0.05
        leaf = math.log10(p["min_leaf"])               # -4 .. -1
        variance = 0.012 * d * (1.2 - p["subsample"]) + 0.04 * (leaf + 2.5) ** 2
        train = 2.0 * d * p["subsample"] * (1 + 0.05 * (9 - lb)) / speed
    elif p["learner"] == "linear":
        l2 = math.log10(p["l2"])                       # -6 .. 1
        bias = 0.20 + 0.02 * (l2 + 2) ** 2 * (l2 > -2) + 0.01 * abs(p["l1_ratio"] - 0.3)
        variance = 0.03 * max(0.0, -2 - l2) ** 1.5 / 4 + 0.02
        train = 1.0 * (1 + 0.02 * (9 - lb)) / speed
    else:
        lr = math.log10(p["lr"])                       # -5 .. -1
        best_lr = -3.0 if p["optimiser"] == "adam" else -1.8 - 0.8 * p.get("momentum", 0.0)
        gap = (lr - best_lr - 0.15 * (lb - 6)) ** 2
        w = math.log2(p["width"])                      # 5 .. 10
        bias = 0.02 + 0.25 * gap + 0.18 * math.exp(-0.9 * (w - 5))
        if p["optimiser"] == "sgd":
            bias += 0.05 * (0.9 - p["momentum"]) ** 2
        over = max(0.0, w - 7.5)
        variance = 0.015 + 0.02 * over * (0.6 - p["dropout"]) + 0.1 * max(0.0, p["dropout"] - 0.35) ** 2
        train = 0.4 * 2 ** (w - 5) * (1 + 0.1 * (9 - lb)) / speed
    return {"bias": bias, "variance": variance, "train_s": train}


def true_objective(p):
    m = metrics_of(p)
    return m["bias"] + m["variance"] + 0.02 * m["train_s"]


def observe(p, seed, t):
    """Metrics and objective of trial t of seed `seed`, with the noise every
    method sees at that trial."""
    rng = random.Random(seed * 100003 + t)
    m = {k: v * (1 + NOISE * rng.gauss(0, 1)) for k, v in metrics_of(p).items()}
    m["objective"] = m["bias"] + m["variance"] + 0.02 * m["train_s"]
    return m


def active_names(p):
    """The parameters that must be present given the configuration's own values."""
    names = {"learner", "batch", "threads"}
    names |= {"tree": {"depth", "min_leaf", "subsample"}, "linear": {"l2", "l1_ratio"},
              "net": {"lr", "width", "dropout", "optimiser"}}[p["learner"]]
    if p.get("optimiser") == "sgd":
        names.add("momentum")
    return names


def run_bograph(url, method, seed, budget):
    """One study of bograph's algorithm `method`; "gp-flat" and
    "bograph-flat" get the same parameters without their conditions (every
    knob always present, the irrelevant ones ignored by the problem): what
    the conditions are worth."""
    c = Client(url)
    flat = method.endswith("-flat")
    params = [{k: v for k, v in q.items() if k != "condition"} for q in PARAMETERS] if flat \
        else PARAMETERS
    study = c.create_study("cond-%s-%d-%d" % (method, seed, os.getpid()), parameters=params,
                           objective={"name": "objective", "goal": "minimize"},
                           algorithm=method.replace("-flat", ""), seed=seed, budget=budget)
    best, trace, t0 = None, [], time.time()
    for t in range(budget):
        trials, done = c.suggest(study["id"], count=1, worker="bench")
        if done or not trials:
            break
        p = trials[0]["params"]
        if not flat and set(p) != active_names(p):
            raise RuntimeError("%s seed %d: trial %d holds %s" % (method, seed, t, sorted(p)))
        c.complete(study["id"], trials[0]["id"], metrics=observe(p, seed, t))
        f = true_objective(p)
        best = f if best is None or f < best else best
        trace.append(best)
    return trace, (time.time() - t0) / max(1, len(trace))


def tpe_params(trial):
    """Define-by-run: the conditional space as TPE sees it."""
    p = {"learner": trial.suggest_categorical("learner", LEARNERS)}
    if p["learner"] == "tree":
        p["depth"] = trial.suggest_int("depth", 2, 16)
        p["min_leaf"] = trial.suggest_float("min_leaf", 1e-4, 0.1, log=True)
        p["subsample"] = trial.suggest_float("subsample", 0.3, 1.0)
    elif p["learner"] == "linear":
        p["l2"] = trial.suggest_float("l2", 1e-6, 10.0, log=True)
        p["l1_ratio"] = trial.suggest_float("l1_ratio", 0.0, 1.0)
    else:
        p["lr"] = trial.suggest_float("lr", 1e-5, 0.1, log=True)
        p["width"] = [32, 64, 128, 256, 512, 1024][trial.suggest_int("width_rank", 0, 5)]
        p["dropout"] = trial.suggest_float("dropout", 0.0, 0.6)
        p["optimiser"] = trial.suggest_categorical("optimiser", ["sgd", "adam"])
        if p["optimiser"] == "sgd":
            p["momentum"] = trial.suggest_float("momentum", 0.0, 0.99)
    p["batch"] = trial.suggest_int("batch", 8, 512, log=True)
    p["threads"] = trial.suggest_int("threads", 1, 16)
    return p


def run_tpe(seed, budget):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(
        multivariate=True, group=True, seed=seed))
    best, trace, t0 = None, [], time.time()
    for t in range(budget):
        trial = study.ask()
        p = tpe_params(trial)
        study.tell(trial, observe(p, seed, t)["objective"])
        f = true_objective(p)
        best = f if best is None or f < best else best
        trace.append(best)
    return trace, (time.time() - t0) / budget


def run_one(task):
    url, method, seed, budget = task
    if method == "tpe":
        trace, secs = run_tpe(seed, budget)
    else:
        trace, secs = run_bograph(url, method, seed, budget)
    return method, seed, trace, secs


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(binary, tmp):
    port = free_port()
    log = open(os.path.join(tmp, "server.log"), "w")
    proc = subprocess.Popen([binary, "serve", "--db", os.path.join(tmp, "bench.db"), "--port",
                             str(port), "--quiet"], stdout=log, stderr=log)
    url = "http://127.0.0.1:%d" % port
    for _ in range(100):
        try:
            Client(url, retries=0).healthz()
            return proc, url
        except Exception:
            time.sleep(0.1)
    proc.kill()
    sys.exit("bench_conditional.py: bograph serve did not start (see %s/server.log)" % tmp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the bograph binary")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--budget", type=int, default=50)
    ap.add_argument("--methods", default="random,sobol,gp,bograph,tpe")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tsv")
    args = ap.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in ("random", "sobol", "gp", "bograph", "tpe", "gp-flat", "bograph-flat"):
            ap.error("unknown method %s" % m)
    if "tpe" in methods:
        try:
            import optuna
            version = optuna.__version__
        except ImportError:
            sys.exit("bench_conditional.py: python3-optuna is missing (apt-get install "
                     "python3-optuna; run with /usr/bin/python3)")
    else:
        version = "-"
    tmp = tempfile.mkdtemp(prefix="bograph-bench-cond-")
    proc, url = start_server(args.bin, tmp)
    tasks = [(url, m, args.first_seed + s, args.budget)
             for s in range(args.seeds) for m in methods]
    out = open(args.tsv, "w") if args.tsv else sys.stdout
    out.write("# bench_conditional.py optuna=%s system=learner seeds=%d..%d budget=%d "
              "methods=%s (tpe: multivariate, group)\n" % (
                  version, args.first_seed, args.first_seed + args.seeds - 1, args.budget,
                  ",".join(methods)))
    out.write("system\tstructure\tmaximize\tmethod\tseed\tbudget\t" +
              "\t".join("best@%d" % c for c in CHECKPOINTS) + "\tgraph_share\ts_per_sugg\n")
    t0 = time.time()
    try:
        with multiprocessing.Pool(args.jobs) as pool:
            for done, (method, seed, trace, secs) in enumerate(
                    pool.imap_unordered(run_one, tasks), 1):
                cells = [("%.10g" % trace[c - 1]) if c <= len(trace) else "NA"
                         for c in CHECKPOINTS]
                out.write("\t".join(["learner", "conditional", "0", method, str(seed),
                                     str(args.budget)] + cells + ["NA", "%.4f" % secs]) + "\n")
                out.flush()
                sys.stderr.write("\r  %d/%d runs, %.0f s   " % (done, len(tasks),
                                                              time.time() - t0))
    finally:
        proc.terminate()
        proc.wait()
        sys.stderr.write("\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
