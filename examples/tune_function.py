#!/usr/bin/env python3
"""Tunes a Python function end to end against a running bograph service.

    bograph serve &                       # http://127.0.0.1:8080/
    python3 examples/tune_function.py --url http://127.0.0.1:8080 --trials 30

The "system" is a function of a float, a log-scaled int and a categorical
parameter that is slow to call in real life (here it is instant). Some
configurations cannot run at all (the function raises MemoryError): they are
reported as infeasible, so the optimiser learns to avoid them. The script
asks for a configuration, runs it, reports the result, until the budget is
spent (while other workers hold the last trials it waits as the service says,
retry_after_seconds, and asks again), then prints the best configuration
against the default one. Study.optimize in the client does the same loop in
one call (examples/optimize_function.py).
Exit code 0 when the best found beats the default configuration.
"""

import argparse
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from bograph_client import BographError, Client  # noqa: E402


def system(x, batch, mode):
    """The function to minimise: a shifted bowl in x, a sweet spot in batch
    (log scale), a penalty per mode. Too large batches run out of memory."""
    if batch > 4096 and mode == "fast":
        raise MemoryError("batch %d does not fit in fast mode" % batch)
    penalty = {"safe": 1.0, "fast": 0.0, "balanced": 0.4}[mode]
    return (x - 1.7) ** 2 + (math.log2(batch) - 8.0) ** 2 * 0.3 + penalty


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default=os.environ.get("BOGRAPH_URL", "http://127.0.0.1:8080"))
    ap.add_argument("--token", default=os.environ.get("BOGRAPH_TOKEN"))
    ap.add_argument("--trials", type=int, default=30, help="budget (trials to run)")
    ap.add_argument("--algorithm", default="bograph", choices=["bograph", "gp", "random", "sobol"])
    ap.add_argument("--name", default="tune-function-%d" % int(time.time()))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    client = Client(args.url, token=args.token)
    default = {"x": -3.0, "batch": 16, "mode": "safe"}
    try:
        study = client.create_study(
            args.name,
            parameters=[
                {"name": "x", "type": "float", "low": -5.0, "high": 5.0},
                {"name": "batch", "type": "int", "low": 1, "high": 65536, "log": True},
                {"name": "mode", "type": "categorical", "choices": ["safe", "fast", "balanced"]},
            ],
            objective={"name": "loss", "goal": "minimize"},
            default=default,
            algorithm=args.algorithm,
            budget=args.trials,
            seed=args.seed,
            if_exists="return",
        )
    except BographError as e:
        print("cannot create the study: %s" % e, file=sys.stderr)
        return 1
    sid = study["id"]
    print("study %s (%s): %s/v1/studies/%s" % (study["name"], study["algorithm"], args.url, sid))

    worker = "example-%d" % os.getpid()
    while True:
        ans = client.ask(sid, count=1, worker=worker)
        trials = ans["trials"]
        if ans["done"]:
            break
        if not trials:
            # other workers hold the rest of the budget: their trials may fail
            # or expire, so wait as the service says and ask again
            wait = ans.get("retry_after_seconds", 1)
            print("no trial free: others hold the rest of the budget; asking again in %ss" % wait)
            time.sleep(wait)
            continue
        for t in trials:
            p = t["params"]
            try:
                loss = system(p["x"], p["batch"], p["mode"])
            except MemoryError as e:
                client.fail(sid, t["id"], reason=str(e), infeasible=True)
                print("trial %3d  %-45s infeasible" % (t["number"], p))
                continue
            client.complete(sid, t["id"], metrics={"loss": loss, "batch_log2": math.log2(p["batch"])})
            print("trial %3d  %-45s loss %.4f" % (t["number"], p, loss))

    best = client.best(sid)
    b, d = best["best"], best["default"]
    if not b or not d:
        print("no best or default trial", file=sys.stderr)
        return 1
    print("default %s -> %.4f" % (d["params"], d["objective"]))
    print("best    %s -> %.4f (trial %d)" % (b["params"], b["objective"], b["number"]))
    return 0 if b["objective"] < d["objective"] else 1


if __name__ == "__main__":
    sys.exit(main())
