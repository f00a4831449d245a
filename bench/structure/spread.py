#!/usr/bin/python3
"""spread.py - how far each system's true objective spreads over random
configurations (uniform, log-uniform where the space says log): min,
median, max and max/min over N configurations. A check of the generator's
heavy tails, not a benchmark.

usage: spread.py --bin build/bench/bograph-bench-structure [--family-seed 1]
                 [--family-count 24] [--n 300]
"""
import argparse
import math
import random
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--family-seed", type=int, default=1)
    ap.add_argument("--family-count", type=int, default=24)
    ap.add_argument("--n", type=int, default=300)
    a = ap.parse_args()
    out = subprocess.run([a.bin, "--list", "--family-seed", str(a.family_seed),
                          "--family-count", str(a.family_count)],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        name = line.split("\t")[0]
        sp = subprocess.run([a.bin, "--space", name], check=True, capture_output=True,
                            text=True).stdout.splitlines()
        ps = [l.split() for l in sp if l.startswith("param")]
        rnd = random.Random(1)
        lines = []
        for _ in range(a.n):
            v = []
            for t in ps:
                if t[2] == "float":
                    lo, hi = float(t[3]), float(t[4])
                    v.append(repr(math.exp(rnd.uniform(math.log(lo), math.log(hi)))
                                  if t[5] == "1" else rnd.uniform(lo, hi)))
                elif t[2] == "int":
                    lo, hi = int(float(t[3])), int(float(t[4]))
                    if t[5] == "1":
                        v.append(str(min(hi, max(lo, round(math.exp(
                            rnd.uniform(math.log(lo), math.log(hi))))))))
                    else:
                        v.append(str(rnd.randint(lo, hi)))
                elif t[2] == "ordinal":
                    v.append(rnd.choice(t[3:]))
                else:
                    v.append(str(rnd.randrange(int(t[3]))))
            lines.append(" ".join(v))
        res = subprocess.run([a.bin, "--eval", name, "--seed", "1"], input="\n".join(lines) + "\n",
                             check=True, capture_output=True, text=True).stdout.split("\n")
        f = sorted(float(l.split()[1]) for l in res if l)
        print("%-38s min %10.4g  median %10.4g  max %10.4g  max/min %8.1f" %
              (name, f[0], f[len(f) // 2], f[-1], f[-1] / f[0]))


if __name__ == "__main__":
    main()
