#!/usr/bin/python3
"""optuna_space.py - what the benchmarks' Optuna peers share: importing
Debian's python3-optuna with a clear message when it is missing, reading a
benchmark binary's search space (`BIN --space NAME`: "system", "maximize",
"param NAME TYPE ..." lines, see bench/space_text.h), turning it into
Optuna distributions, and a trial's parameters back into the raw values the
binary's --eval reads. Used by bench/structure/peers.py and bench/mo/run.py.
"""
import subprocess
import sys


def import_optuna(prog):
    """The optuna module, or exit 3 with how to install it."""
    try:
        import optuna
    except ImportError:
        sys.stderr.write(
            "%s: python3-optuna is missing; install it with\n"
            "  apt-get install python3-optuna\n"
            "and run this script with /usr/bin/python3.\n" % prog)
        sys.exit(3)
    return optuna


def read_space(binary, system, extra=()):
    out = subprocess.run([binary, "--space", system] + list(extra), check=True,
                         capture_output=True, text=True).stdout
    info = {"params": []}
    for line in out.splitlines():
        t = line.split()
        if t[0] == "system":
            info["name"] = t[1]
        elif t[0] == "maximize":
            info["maximize"] = t[1] == "1"
        elif t[0] == "param":
            info["params"].append((t[1], t[2], t[3:]))
        else:
            info[t[0]] = t[1:]
    return info


def distributions(info):
    """The space's types as optuna distributions: floats and ints (log
    where the space says so), ordinals as an int index into their values
    (so their order is kept), categoricals by index."""
    import optuna
    d = {}
    for name, typ, rest in info["params"]:
        if typ == "float":
            d[name] = optuna.distributions.FloatDistribution(float(rest[0]), float(rest[1]),
                                                             log=rest[2] == "1")
        elif typ == "int":
            d[name] = optuna.distributions.IntDistribution(int(float(rest[0])),
                                                           int(float(rest[1])),
                                                           log=rest[2] == "1")
        elif typ == "ordinal":
            d[name] = optuna.distributions.IntDistribution(0, len(rest) - 1)
        else:
            d[name] = optuna.distributions.CategoricalDistribution(list(range(int(rest[0]))))
    return d


def raw_config(info, params):
    vals = []
    for name, typ, rest in info["params"]:
        v = params[name]
        if typ == "ordinal":
            vals.append(rest[int(v)])
        elif typ == "float":
            vals.append(repr(float(v)))
        else:
            vals.append(str(int(v)))
    return " ".join(vals)

