#!/usr/bin/env python3
"""The function of tune_function.py tuned with Study.optimize: the whole loop
(ask, run, report, wait while others hold the budget) in one call, two
trials at a time.

    bograph serve &                       # http://127.0.0.1:8080/
    python3 examples/optimize_function.py --url http://127.0.0.1:8080 --trials 30
"""

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from bograph_client import Client, Infeasible  # noqa: E402


def objective(trial):
    x, batch, mode = trial["x"], trial["batch"], trial["mode"]
    if batch > 4096 and mode == "fast":
        raise Infeasible("batch %d does not fit in fast mode" % batch)
    trial.report("batch_log2", math.log2(batch))   # an intermediate metric
    penalty = {"safe": 1.0, "fast": 0.0, "balanced": 0.4}[mode]
    return (x - 1.7) ** 2 + (math.log2(batch) - 8.0) ** 2 * 0.3 + penalty


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("BOGRAPH_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--token", default=os.environ.get("BOGRAPH_TOKEN"))
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--algorithm", default="bograph", choices=["bograph", "gp", "random", "sobol"])
    ap.add_argument("--name", default="optimize-function-%d" % int(time.time()))
    args = ap.parse_args()
    study = Client(args.url, token=args.token).create_study(
        args.name,
        parameters=[{"name": "x", "type": "float", "low": -5.0, "high": 5.0},
                    {"name": "batch", "type": "int", "low": 1, "high": 65536, "log": True},
                    {"name": "mode", "type": "categorical", "choices": ["safe", "fast", "balanced"]}],
        objective={"name": "loss", "goal": "minimize"},
        default={"x": -3.0, "batch": 16, "mode": "safe"},
        algorithm=args.algorithm, budget=args.trials, if_exists="return")
    study.optimize(objective, n_trials=args.trials, n_jobs=args.jobs)
    best = study.best_trial
    print("best %s -> %.4f (trial %d)" % (best["params"], best["objective"], best["number"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
