#!/usr/bin/python3
"""Parameter screening replayed on dumped trials: which share of each
metric's true parameter parents a screening rule puts among the 4 it
keeps, on the first n trials of bograph runs.

    build/bench/bograph-bench-structure --family --seeds 10 --budget 14 \\
        --methods bograph --dump-trials DIR
    bench/structure/screen_replay.py DIR [--trials 10,12,14]

Rules: "omp" (orthogonal matching pursuit on the residual, as
structure/bograph_learn.c screens) and "gcv" (greedy forward selection by
the GCV score of a ridge regression; it keeps more true parents, but in
the family runs the graph did no better with it, see docs/bograph.md).
Features per parameter:
u - 1/2 and (u - 1/2)^2 of its encoded position (a categorical: its index
scaled to [0, 1]); metrics log-scaled above a span of 10, standardised.
Needs numpy (Debian python3-numpy)."""
import argparse
import glob
import os

import numpy as np

KEEP = 4
RIDGE = 1e-2


def load(path):
    lines = open(path).read().split('\n')
    p, _, n, k, _ = map(int, lines[0].split())
    sp = list(map(int, lines[1].split()))
    spans = [(sp[2 * i], sp[2 * i + 1]) for i in range(p)]
    U = np.array([list(map(float, lines[2 + i].split())) for i in range(n)])
    if k == 0:
        return None
    names = lines[2 + n].split('\t')
    M = np.array([list(map(float, lines[3 + n + i].split())) for i in range(n)])
    true = []
    for line in lines[4 + 2 * n:]:
        if line.strip():
            name, _, _, pars = line.split('\t')
            true.append((name, {int(x) for x in pars.split(',')}))
    X = np.array([U[:, a] if c == 1 else np.argmax(U[:, a:a + c], axis=1) / (c - 1)
                  for a, c in spans]).T
    return X, names, M, true


def standardise(v):
    ok = np.isfinite(v)
    if ok.sum() < 6:
        return None
    z = v.copy()
    a = z[ok]
    if a.min() > 0 and a.max() > 10 * a.min():
        z[ok] = np.log(a)
    a = z[ok]
    if a.std() < 1e-12:
        return None
    z[ok] = (a - a.mean()) / a.std()
    return z


def basis(x):
    return np.column_stack([x - 0.5, (x - 0.5) ** 2])


def gcv(Phi, y):
    n = len(y)
    A = Phi.T @ Phi + RIDGE * n * np.eye(Phi.shape[1])
    H = Phi @ np.linalg.solve(A, Phi.T)
    r = y - H @ y
    dof = n - np.trace(H)
    return np.inf if dof <= 1e-9 else n * (r @ r) / dof ** 2


def screen_gcv(X, y):
    chosen, cur = [], np.ones((len(y), 1))
    for _ in range(KEEP):
        scores = [(gcv(np.column_stack([cur, basis(X[:, j])]), y), j)
                  for j in range(X.shape[1]) if j not in chosen]
        j = min(scores)[1]
        chosen.append(j)
        cur = np.column_stack([cur, basis(X[:, j])])
    return chosen


def screen_omp(X, y):
    n, p = X.shape
    F = np.column_stack([X - 0.5, (X - 0.5) ** 2])
    F = (F - F.mean(0)) / np.maximum(F.std(0), 1e-12)
    r, chosen = y - y.mean(), []
    for _ in range(KEEP):
        c = np.abs(F.T @ r)
        for j in chosen:
            c[j] = c[j + p] = 0
        chosen.append(int(np.argmax(c)) % p)
        cols = [q for j in chosen for q in (j, j + p)]
        A = F[:, cols]
        beta = np.linalg.solve(A.T @ A + RIDGE * n * np.eye(len(cols)), A.T @ (y - y.mean()))
        r = y - y.mean() - A @ beta
    return chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('dir')
    ap.add_argument('--trials', default='10,12,14')
    args = ap.parse_args()
    rules = {'omp': screen_omp, 'gcv': screen_gcv}
    found = {(r, n): [0, 0] for r in rules for n in map(int, args.trials.split(','))}
    files = sorted(glob.glob(os.path.join(args.dir, '*.txt')))
    for path in files:
        run = load(path)
        if run is None:
            continue
        X, names, M, true = run
        for name, parents in true:
            cols = [q for q, nm in enumerate(names) if name in nm and 'count' not in nm]
            if not cols:
                continue
            for (rule, n), tally in found.items():
                z = standardise(M[:n, cols[0]])
                if z is None:
                    continue
                ok = np.isfinite(z)
                kept = rules[rule](X[:n][ok], z[ok])
                tally[0] += len(parents & set(kept))
                tally[1] += len(parents)
    print(f'{len(files)} runs; true parents among the {KEEP} kept:')
    for (rule, n), (hit, total) in sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f'  {n:3d} trials  {rule:4s}  {hit / max(total, 1):.3f}  ({hit} of {total})')


if __name__ == '__main__':
    main()
