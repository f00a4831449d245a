#!/usr/bin/python3
"""tpe_plugin.py - Optuna's TPE (multivariate) on a real bograph plugin,
printed as a row of bench/tune/compare.sh's table.

The plugin is run by `bograph-bench-plugins --eval PLUGIN` (plugin_run, the
same run and the same constraints a `bograph tune` worker uses; one JSON
configuration a line in, one JSON answer a line out) and its space comes
from `--space PLUGIN` (the plugin's own JSON: parameters, default,
objective, constraints).

The space in Optuna: float and int as FloatDistribution / IntDistribution
(log where the plugin declares log_scale, "log" in its JSON); ordinal as
an int index into its values (0..n-1, so the order is kept: TPE's Parzen
estimator sees neighbouring values as neighbours; the plugins' ordinals are
powers of two, so the index is their log); categorical as a
CategoricalDistribution of its choices. The first trial is the plugin's default configuration
(study.enqueue_trial), as in `bograph tune`, whose trial 1 is the default.
A plugin with conditional parameters (partition's virtual_stages, the
universal options of rocksdb-extended) is asked define-by-run (a parameter
only when its condition holds, multivariate TPE with group=True, Optuna's
setting for conditional spaces), so every configuration holds exactly its
active parameters.

Trials that could not run or break a constraint, --infeasible:
  constraints (default): told to Optuna as completed trials with a
      constraint violation (TPESampler's constraints_func), so TPE ranks
      every feasible trial above every infeasible one and the infeasible
      ones by violation: the relative excess over the constraint's limit
      for a design that ran (e.g. (area - 4) / 4), 1000 for one the plugin
      called infeasible. Their objective value is not used by TPE. This is
      what Optuna offers for constraints, and it lets TPE learn where the
      infeasible region is, as bograph's feasibility model does; a failed
      trial would teach it nothing, and a penalty value needs a scale.
  fail: told as failed trials (TPE ignores them), the plain Optuna recipe.
A run that failed (not infeasible: a crash, a bad configuration) is always
told as failed.

Only trials that ran and meet the constraints count as a best; the
improvement over the default is default / best (minimise) or best /
default (maximise), as `bograph tune` prints it. As `bograph tune` does
for a plugin that is not deterministic (--remeasure, default 3 for those,
0 for deterministic ones), the default and the best configuration are then
run K more times each, in pairs (default-best, best-default, ...), and the
improvement is the median of the pairs' ratios, so the row does not carry
the luck of one run and a drift of the machine falls on both runs of a
pair alike.

usage: tpe_plugin.py --bin build/bench/bograph-bench-plugins --plugin NAME
                     [--budget 30] [--seeds "1 2 3 4 5"] [--option K=V]...
                     [--infeasible constraints|fail] [--remeasure K] [--header]

stdout: one row, algorithm seeds median min max then per seed the
improvement and "(@N)", the trial that first reached the final best; one
line per seed starting with "#" with the best objective at checkpoints.
"""
import argparse
import json
import statistics
import subprocess
import sys
import warnings

try:
    import optuna
except ImportError:
    sys.stderr.write("tpe_plugin.py: python3-optuna is missing; install it with\n"
                     "  apt-get install python3-optuna\n"
                     "and run this script with /usr/bin/python3.\n")
    sys.exit(3)

CHECKPOINTS = [5, 10, 15, 20, 30, 50, 100, 200]
INFEASIBLE_VIOLATION = 1000.0


def read_space(binary, plugin):
    out = subprocess.run([binary, "--space", plugin], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def distributions(space):
    d = {}
    for p in space["parameters"]:
        # plugin_to_json writes "log": true for a log-scale float or int.
        typ, log = p["type"], bool(p.get("log", False))
        if typ == "float":
            d[p["name"]] = optuna.distributions.FloatDistribution(p["low"], p["high"], log=log)
        elif typ == "int":
            d[p["name"]] = optuna.distributions.IntDistribution(int(p["low"]), int(p["high"]),
                                                                log=log)
        elif typ == "ordinal":
            d[p["name"]] = optuna.distributions.IntDistribution(0, len(p["values"]) - 1)
        elif typ == "categorical":
            d[p["name"]] = optuna.distributions.CategoricalDistribution(p["choices"])
        else:
            raise ValueError("parameter %s: unknown type %s" % (p["name"], typ))
    return d


def to_optuna(space, config):
    """A plugin configuration {name: value} as Optuna params (ordinal -> index)."""
    out = {}
    for p in space["parameters"]:
        if p["name"] not in config:  # a conditional parameter the default leaves inactive
            continue
        v = config[p["name"]]
        out[p["name"]] = p["values"].index(v) if p["type"] == "ordinal" else v
    return out


def to_plugin(space, params):
    out = {}
    for p in space["parameters"]:
        if p["name"] not in params:
            continue
        v = params[p["name"]]
        if p["type"] == "ordinal":
            v = p["values"][int(v)]
        elif p["type"] == "int":
            v = int(v)
        out[p["name"]] = v
    return out


def ask(study, space, dists):
    """A trial of a space with conditions, define-by-run: a parameter is
    suggested only when its parent (declared before it) took one of its
    condition's values, so the configuration holds exactly its active
    parameters, as the plugin requires."""
    trial = study.ask()
    for p in space["parameters"]:
        c = p.get("condition")
        if c:
            got = to_plugin(space, trial.params)
            if c["parameter"] not in got or got[c["parameter"]] not in c["values"]:
                continue
        d = dists[p["name"]]
        if isinstance(d, optuna.distributions.FloatDistribution):
            trial.suggest_float(p["name"], d.low, d.high, log=d.log)
        elif isinstance(d, optuna.distributions.IntDistribution):
            trial.suggest_int(p["name"], d.low, d.high, log=d.log)
        else:
            trial.suggest_categorical(p["name"], d.choices)
    return trial


def run_seed(args, space, seed):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    maximize = space["objective"]["goal"] == "maximize"
    constraints = args.infeasible == "constraints"
    conditional = any(p.get("condition") for p in space["parameters"])
    sampler = optuna.samplers.TPESampler(
        multivariate=True, seed=seed, group=conditional,
        constraints_func=(lambda t: [t.user_attrs["violation"]]) if constraints else None)
    study = optuna.create_study(direction="maximize" if maximize else "minimize",
                                sampler=sampler)
    study.enqueue_trial(to_optuna(space, space["default"]))
    dists = distributions(space)
    cmd = [args.bin, "--eval", args.plugin]
    for kv in args.option:
        cmd += ["--option", kv]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    default, best, best_at, best_cfg, trace, n_bad = None, None, None, None, [], 0
    for t in range(1, args.budget + 1):
        trial = ask(study, space, dists) if conditional else study.ask(dists)
        proc.stdin.write(json.dumps(to_plugin(space, trial.params)) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("%s stopped answering" % " ".join(cmd))
        ans = json.loads(line)
        y = ans["objective"]
        if t == 1:
            default = y if ans["meets"] else None
        if ans["state"] == "failed" or (not constraints and not ans["meets"]):
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            ran = ans["state"] == "ok"
            trial.set_user_attr("violation", ans["violation"] if ran else INFEASIBLE_VIOLATION)
            # An infeasible trial's value is not used by TPE; any number will do.
            study.tell(trial, y if ran else (default if default is not None else 0.0))
        if ans["meets"]:
            if best is None or (y > best if maximize else y < best):
                best, best_at, best_cfg = y, t, to_plugin(space, trial.params)
        else:
            n_bad += 1
        trace.append(best)
    again = None
    if args.remeasure > 0 and default is not None and best is not None:
        default_cfg = to_plugin(space, to_optuna(space, space["default"]))
        again = remeasure(proc, default_cfg, best_cfg, args.remeasure,
                          space["objective"]["goal"] == "maximize")
    proc.stdin.close()
    proc.wait()
    return default, best, best_at, trace, n_bad, again


def remeasure(proc, default_cfg, best_cfg, k, maximize):
    """The medians of k more runs each of the default and the best
    configuration, and the median of the k pairs' ratios (pair i runs
    default then best for even i, best then default for odd i; runs that
    fail or break a constraint are left out, and so is a pair with such a
    run; None where nothing is left)."""
    runs = {"default": [None] * k, "best": [None] * k}
    for i in range(k):
        order = (("default", default_cfg), ("best", best_cfg))
        for side, cfg in (order if i % 2 == 0 else order[::-1]):
            proc.stdin.write(json.dumps(cfg) + "\n")
            proc.stdin.flush()
            ans = json.loads(proc.stdout.readline())
            if ans["state"] == "ok" and ans["meets"]:
                runs[side][i] = ans["objective"]
    med = {s: statistics.median([v for v in r if v is not None])
           if any(v is not None for v in r) else None for s, r in runs.items()}
    pairs = [ratio(maximize, d, b) for d, b in zip(runs["default"], runs["best"])
             if d is not None and b is not None]
    pairs = [x for x in pairs if x == x]
    return med["default"], med["best"], statistics.median(pairs) if pairs else None


def ratio(maximize, default, best):
    if default is None or best is None or best == 0 or default == 0:
        return float("nan")
    return best / default if maximize else default / best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--budget", type=int, default=30)
    ap.add_argument("--seeds", default="1 2 3 4 5")
    ap.add_argument("--option", action="append", default=[])
    ap.add_argument("--infeasible", choices=["constraints", "fail"], default="constraints")
    ap.add_argument("--algorithm", default="tpe", help="the row's label")
    ap.add_argument("--header", action="store_true")
    ap.add_argument("--remeasure", type=int, default=None,
                    help="runs each of the default and the best at the end (default: 3, "
                         "or 0 for a deterministic plugin, as bograph tune)")
    args = ap.parse_args()
    space = read_space(args.bin, args.plugin)
    if args.remeasure is None:
        args.remeasure = 0 if space.get("deterministic") else 3
    maximize = space["objective"]["goal"] == "maximize"
    seeds = [int(s) for s in args.seeds.split()]
    cps = [c for c in CHECKPOINTS if c < args.budget] + [args.budget]
    imps, cells, notes = [], [], []
    for seed in seeds:
        default, best, best_at, trace, n_bad, again = run_seed(args, space, seed)
        if again:
            imp = again[2] if again[2] is not None else ratio(maximize, again[0], again[1])
            notes.append("# %s seed %d: re-measured %d runs each in pairs: default median %s, "
                         "best median %s, median of the pairs' ratios %s" % (
                             args.algorithm, seed, args.remeasure,
                             "%.6g" % again[0] if again[0] is not None else "nan",
                             "%.6g" % again[1] if again[1] is not None else "nan",
                             "%.3f" % again[2] if again[2] is not None else "nan"))
        else:
            imp = ratio(maximize, default, best)
        imps.append(imp)
        cells.append("%.3f(@%s)" % (imp, best_at if best_at else "?"))
        notes.append("# %s seed %d: default %s %.6g; best at trial %s: %s; %d/%d infeasible or "
                     "over a constraint (optuna %s, TPE multivariate, --infeasible %s, "
                     "--remeasure %d)" % (
                         args.algorithm, seed, space["objective"]["name"],
                         default if default is not None else float("nan"),
                         ", ".join(str(c) for c in cps),
                         ", ".join("%.6g" % trace[c - 1] if trace[c - 1] is not None else "nan"
                                   for c in cps),
                         n_bad, args.budget, optuna.__version__, args.infeasible,
                         args.remeasure))
    s = sorted(imps)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    if args.header:
        print("%-9s %-6s %-10s %-10s %-10s %s" % ("algorithm", "seeds", "median", "min", "max",
                                                 "per-seed improvement (best found at trial)"))
    print("%-9s %-6s %-10.3f %-10.3f %-10.3f %s " % (args.algorithm, n, med, s[0], s[-1],
                                                      " ".join(cells)))
    for line in notes:
        print(line)


if __name__ == "__main__":
    main()
