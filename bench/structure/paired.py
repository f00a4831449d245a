#!/usr/bin/python3
"""Two variants of one method compared run by run: rows of A.tsv and
B.tsv with the same system and seed share the space-filling design and
the noise, so their difference is the variant's, not the seed's.

    bench/structure/paired.py A.tsv B.tsv [--method bograph] [--method-b gp]

Per checkpoint, over the structured systems: on how many systems the
median over seeds of A's log-ratio to B (goal-aware: positive is better)
is positive or negative, its mean over systems, and how many single runs
are better, worse or equal."""
import argparse
import math
import statistics

from combine import load as load_rows, num


def load(path, method):
    """method's rows of path by (system, seed), and the checkpoints."""
    rows, _, checkpoints = load_rows([path])
    return {(r['system'], r['seed']): r for r in rows if r['method'] == method}, checkpoints


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('--method', default='bograph')
    ap.add_argument('--method-b', help='the method of B (default: --method)')
    args = ap.parse_args()
    A, checkpoints = load(args.a, args.method)
    B, _ = load(args.b, args.method_b or args.method)
    for cp in checkpoints:
        col = 'best@%d' % cp
        per_system, runs = {}, [0, 0, 0]
        for key, fa in A.items():
            fb = B.get(key)
            if not fb or fa['structure'] != 'structured':
                continue
            x, y = num(fa.get(col)), num(fb.get(col))
            if x is None or y is None:
                continue
            sign = 1 if fa['maximize'] == '1' else -1
            r = sign * (math.log(x / y) if x > 0 and y > 0 else (x - y) / abs(y or 1))
            per_system.setdefault(fa['system'], []).append(r)
            runs[0 if r > 0 else 1 if r < 0 else 2] += 1
        if not per_system:
            continue
        med = [statistics.median(v) for v in per_system.values()]
        print(f'@{cp}: {len(med)} systems, A better on {sum(m > 0 for m in med)}, '
              f'worse on {sum(m < 0 for m in med)}; mean of the per-system medians '
              f'{100 * statistics.mean(med):+.2f}%; runs better {runs[0]}, worse {runs[1]}, '
              f'equal {runs[2]}')


if __name__ == '__main__':
    main()
