#!/usr/bin/python3
"""combine.py - summarises the TSV rows of bograph-bench-structure's family
run and of peers.py (any number of files; rows of the same (system, method,
seed) in several files: the last one counts).

Prints, per system, the median over seeds of the best true objective at
each checkpoint per method; then, per checkpoint, on how many systems
bograph's median beats gp's / tpe's / cmaes's / random's (and gp vs tpe),
ties apart; bograph's distance to gp on the systems without useful
structure (nologs, unrelated); and the share of bograph suggestions the
graph answered.

usage: combine.py FILE.tsv [FILE.tsv ...]
"""
import statistics
import sys

ORDER = ["bograph", "gp", "tpe", "cmaes", "random"]


def load(paths):
    rows, headers, checkpoints = {}, [], None
    for path in paths:
        cols = None
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                if line.startswith("#"):
                    headers.append(line[1:].strip())
                    continue
                t = line.split("\t")
                if t[0] == "system":
                    cols = t
                    cps = [int(c[5:]) for c in t if c.startswith("best@")]
                    if checkpoints is None:
                        checkpoints = cps
                    elif cps != checkpoints:
                        sys.exit("combine.py: %s has checkpoints %s, not %s" % (path, cps,
                                                                                checkpoints))
                    continue
                r = dict(zip(cols, t))
                rows[(r["system"], r["method"], r["seed"])] = r
    return list(rows.values()), headers, checkpoints or []


def num(s):
    return None if s in ("NA", "", None) else float(s)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rows, headers, cps = load(sys.argv[1:])
    systems, info = [], {}
    for r in rows:
        if r["system"] not in info:
            systems.append(r["system"])
            info[r["system"]] = (r["structure"], r["maximize"] == "1")
    # Generated systems first (in index order), then the built-in ones.
    systems.sort(key=lambda s: (0, s) if s.startswith("f") and s[1:2].isdigit() else (1, ""))
    methods = sorted({r["method"] for r in rows},
                     key=lambda m: ORDER.index(m) if m in ORDER else 99)
    seeds = sorted({int(r["seed"]) for r in rows})
    budgets = sorted({int(r["budget"]) for r in rows})
    print("== structure benchmark: median best TRUE objective over seeds ==")
    for h in headers:
        print("# " + h)
    print("seeds %s (%d), budgets %s, methods %s" % (
        ",".join(str(s) for s in seeds) if len(seeds) <= 12 else "%d..%d" % (seeds[0], seeds[-1]),
        len(seeds), ",".join(map(str, budgets)), ",".join(methods)))
    med = {}
    share = {}
    seedset = {}
    for s in systems:
        struct, maxi = info[s]
        print("\n%s [%s, %s]" % (s, struct, "maximise" if maxi else "minimise"))
        print("  %-8s%s  %s" % ("method", "".join("%13s" % ("@%d" % c) for c in cps), "graph"))
        for m in methods:
            rs = [r for r in rows if r["system"] == s and r["method"] == m]
            if not rs:
                continue
            seedset[(s, m)] = frozenset(r["seed"] for r in rs)
            cells = []
            for k, c in enumerate(cps):
                v = [num(r["best@%d" % c]) for r in rs]
                v = [x for x in v if x is not None]
                med[(s, m, c)] = statistics.median(v) if v else None
                cells.append("%13.5g" % med[(s, m, c)] if v else "%13s" % "NA")
            g = [num(r["graph_share"]) for r in rs]
            g = [x for x in g if x is not None]
            if m == "bograph" and g:
                share[s] = statistics.mean(g)
            print("  %-8s%s  %s(n=%d)" % (m, "".join(cells),
                                            "%.0f%% " % (100 * share[s]) if m == "bograph" and g
                                            else "", len(rs)))

    def better(s, a, b, c):
        # Only medians over the same seeds are compared (a partial run
        # leaves some out).
        if seedset.get((s, a)) != seedset.get((s, b)):
            return None
        x, y = med.get((s, a, c)), med.get((s, b, c))
        if x is None or y is None:
            return None
        if x == y:
            return 0
        return 1 if (x > y) == info[s][1] else -1

    print("\n== summary: systems where the first method's median beats the second's "
          "(wins / ties / losses; systems where both ran the same seeds) ==")
    pairs = [("bograph", o) for o in ["gp", "tpe", "cmaes", "random"]] + [("gp", "tpe")]
    pairs = [p for p in pairs if p[0] in methods and p[1] in methods]
    groups = [("all", lambda s: True),
              ("structured", lambda s: info[s][0] == "structured"),
              ("no structure", lambda s: info[s][0] != "structured")]
    print("  %-18s %-14s" % ("pair", "systems") + "".join("%13s" % ("@%d" % c) for c in cps))
    for a, b in pairs:
        for gname, gf in groups:
            line = "  %-18s %-14s" % ("%s vs %s" % (a, b), gname)
            any_ = False
            for c in cps:
                res = [better(s, a, b, c) for s in systems if gf(s)]
                res = [x for x in res if x is not None]
                if res:
                    any_ = True
                    line += "%13s" % ("%d/%d/%d" % (res.count(1), res.count(0), res.count(-1)))
                else:
                    line += "%13s" % "-"
            if any_:
                print(line)
    if "bograph" in methods and "gp" in methods:
        print("\n== no useful structure: bograph's median behind gp's, relative "
              "(target: within 2%) ==")
        for s in systems:
            if info[s][0] == "structured":
                continue
            line = "  %-36s" % s
            for c in cps:
                x, y = med.get((s, "bograph", c)), med.get((s, "gp", c))
                if x is None or y is None or y == 0:
                    line += "%13s" % "-"
                    continue
                behind = ((y - x) if info[s][1] else (x - y)) / abs(y)
                line += "%11.1f%%%s" % (100 * behind, " " if behind <= 0.02 else "!")
            print(line)
    if share:
        vals = [share[s] for s in systems if s in share and info[s][0] == "structured"]
        if vals:
            print("\nbograph suggestions answered by the graph (mean over runs): structured "
                  "systems %.0f%% (per system %.0f%%..%.0f%%)" %
                  (100 * statistics.mean(vals), 100 * min(vals), 100 * max(vals)))
        vals = [share[s] for s in systems if s in share and info[s][0] != "structured"]
        if vals:
            print("  systems without useful structure %.0f%%" % (100 * statistics.mean(vals)))


if __name__ == "__main__":
    main()
