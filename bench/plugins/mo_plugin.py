#!/usr/bin/python3
"""mo_plugin.py - a real bograph plugin tuned for two objectives (the
accelerator's energy and delay by default): the hypervolume of the front
after each checkpoint for bograph's algorithms through `bograph tune
PLUGIN --option objectives=...` and for Optuna's multi-objective TPE
("motpe": TPESampler, multivariate) and NSGA-II (NSGAIISampler), medians
over seeds, as a table.

Every method is measured the same way: the front of the trials that ran and
meet the plugin's constraints, the hypervolume from the default
configuration's objectives (the reference point `bograph tune` states),
both objectives minimised. Optuna's samplers run the plugin through
`bograph-bench-plugins --eval PLUGIN` (the same plugin_run and constraints
as a `bograph tune` worker), start from the plugin's default configuration
(enqueued, as bograph's trial 1 is the default), and are told a trial that
misses a constraint or is infeasible through their constraints_func (the
relative excess over the constraint, 1000 for one the plugin called
infeasible), as bench/plugins/tpe_plugin.py does for one objective. Each of
bograph's checkpoints is a study of its own with that --budget, what a user
asking for that many trials gets (a study resumed with a larger budget in a
new process starts its model's state afresh, so its later trials differ
from those of one uninterrupted run).

usage: /usr/bin/python3 bench/plugins/mo_plugin.py [--bograph build/bograph]
           [--bin build/bench/bograph-bench-plugins] [--plugin accelerator]
           [--objectives energy_mj,delay_ms] [--seeds "1 2 3 4 5"]
           [--checkpoints 20,40] [--methods bograph,gp,random,motpe,nsga2]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tpe_plugin import INFEASIBLE_VIOLATION, distributions, optuna, read_space, to_optuna, \
    to_plugin  # noqa: E402

BOGRAPH_METHODS = ("bograph", "gp", "random", "sobol")
HV_LINE = re.compile(r"^hypervolume: (\S+) \(reference point: the default's (.*)\)$", re.M)


def hypervolume2(points, ref):
    """The area that points (pairs, both minimised) dominate up to ref: a
    sweep by the first objective keeping the running best second."""
    pts = sorted(p for p in points if p[0] < ref[0] and p[1] < ref[1])
    area, last = 0.0, ref[1]
    for a, b in pts:
        if b < last:
            area += (ref[0] - a) * (last - b)
            last = b
    return area


def run_bograph(args, method, seed, cps, tmp):
    out = []
    for cp in cps:
        db = os.path.join(tmp, "%s-%d-%d.db" % (method, seed, cp))
        cmd = [args.bograph, "tune", args.plugin, "--option",
               "objectives=" + ",".join(args.objectives), "--budget", str(cp), "--algorithm",
               method, "--seed", str(seed), "--db", db, "--port", "0"]
        text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        m = HV_LINE.search(text)
        if not m:
            raise RuntimeError("%s: no hypervolume from the default in:\n%s" % (" ".join(cmd),
                                                                                text))
        out.append(float(m.group(1)))
    return out


def run_optuna(args, space, method, seed, cps):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    cons = (lambda t: [t.user_attrs["violation"]])
    if method == "motpe":
        sampler = optuna.samplers.TPESampler(multivariate=True, seed=seed, constraints_func=cons)
    else:
        sampler = optuna.samplers.NSGAIISampler(seed=seed, constraints_func=cons)
    study = optuna.create_study(directions=["minimize"] * len(args.objectives), sampler=sampler)
    study.enqueue_trial(to_optuna(space, space["default"]))
    dists = distributions(space)
    proc = subprocess.Popen([args.bin, "--eval", args.plugin], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    ref, feasible, out = None, [], []
    for t in range(1, max(cps) + 1):
        trial = study.ask(dists)
        proc.stdin.write(json.dumps(to_plugin(space, trial.params)) + "\n")
        proc.stdin.flush()
        ans = json.loads(proc.stdout.readline())
        ran = ans["state"] == "ok"
        values = [ans["metrics"].get(o) for o in args.objectives] if ran else None
        if t == 1:
            if not (ran and ans["meets"]):
                raise RuntimeError("the default configuration does not run within the "
                                   "constraints: no reference point")
            ref = values
        if ans["state"] == "failed" or (ran and None in values):
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            trial.set_user_attr("violation", ans["violation"] if ran else INFEASIBLE_VIOLATION)
            study.tell(trial, values if ran else ref)
            if ran and ans["meets"]:
                feasible.append(tuple(values))
        if t in cps:
            out.append(hypervolume2(feasible, ref))
    proc.stdin.close()
    proc.wait()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    ap.add_argument("--bograph", default=os.path.join(root, "build", "bograph"))
    ap.add_argument("--bin", default=os.path.join(root, "build", "bench",
                                                  "bograph-bench-plugins"))
    ap.add_argument("--plugin", default="accelerator")
    ap.add_argument("--objectives", default="energy_mj,delay_ms")
    ap.add_argument("--seeds", default="1 2 3 4 5")
    ap.add_argument("--checkpoints", default="20,40")
    ap.add_argument("--methods", default="bograph,gp,random,motpe,nsga2")
    args = ap.parse_args()
    args.objectives = args.objectives.split(",")
    if len(args.objectives) != 2:
        sys.exit("mo_plugin.py: two objectives (the hypervolume here is two-dimensional)")
    space = read_space(args.bin, args.plugin)
    if space["objective"]["goal"] != "minimize":
        sys.exit("mo_plugin.py: the plugin's objectives are taken as minimised")
    cps = sorted(int(c) for c in args.checkpoints.split(","))
    seeds = [int(s) for s in args.seeds.split()]
    print("%s: hypervolume of the front from the default's %s, medians over seeds %s "
          "(min - max)" % (args.plugin, " and ".join(args.objectives), args.seeds))
    print("%-9s %s" % ("method", " ".join("%-28s" % ("%d trials" % c) for c in cps)))
    with tempfile.TemporaryDirectory() as tmp:
        for method in args.methods.split(","):
            runs = [run_bograph(args, method, s, cps, tmp) if method in BOGRAPH_METHODS
                    else run_optuna(args, space, method, s, cps) for s in seeds]
            cells = []
            for k in range(len(cps)):
                v = [r[k] for r in runs]
                cells.append("%-28s" % ("%.1f (%.1f - %.1f)" % (statistics.median(v), min(v),
                                                                 max(v))))
            print("%-9s %s" % (method, " ".join(cells)))
            sys.stdout.flush()
    print("# optuna %s" % optuna.__version__)


if __name__ == "__main__":
    main()
