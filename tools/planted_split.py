#!/usr/bin/env python3
"""Writes a large synthetic user-item split with planted interests, for checking `evaluate`'s time and memory at a scale
no embedded dataset has (the defaults: 52,000 users and 91,000 items, about amazon-book's shape; 1.45 million training
and 0.36 million test edges).

Items belong to one of C communities; each user draws 1-4 communities with Dirichlet weights, a heavy-tailed number of
items (Pareto), those items from its communities by a power-law popularity (without repeats) plus 5% uniform noise, and
20% of its items, drawn at random, become its test edges. Seeded: the same arguments give the same files.
Usage (numpy required: Debian's python3-numpy, run as /usr/bin/python3 where another python3 comes first on PATH):
  planted_split.py OUT_DIR [--users N] [--items N] [--edges N] [--communities N] [--seed N]
"""
import argparse
import gzip
import os

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--users", type=int, default=52000)
    p.add_argument("--items", type=int, default=91000)
    p.add_argument("--edges", type=int, default=2400000, help="target of the degree draw before repeats are dropped")
    p.add_argument("--communities", type=int, default=1500)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    for name in ("users", "items", "edges", "communities"):
        if getattr(a, name) < 1:
            p.error(f"--{name} must be at least 1")
    rng = np.random.default_rng(a.seed)
    item_community = rng.integers(0, a.communities, a.items)
    members = [np.flatnonzero(item_community == c) for c in range(a.communities)]
    popularity = [rng.permutation(len(m)) for m in members]
    degree = np.minimum(np.maximum(10, (rng.pareto(1.3, a.users) + 1) * 12).astype(int), 2000)
    degree = (degree * a.edges / degree.sum()).astype(int) + 1
    os.makedirs(a.out, exist_ok=True)
    with gzip.open(os.path.join(a.out, "train.tsv.gz"), "wt") as train, gzip.open(os.path.join(a.out, "test.tsv.gz"), "wt") as test:
        train.write("user\titem\n")
        test.write("user\titem\n")
        for u in range(a.users):
            k = rng.integers(1, 5)
            communities = rng.choice(a.communities, k, replace=False)
            counts = rng.multinomial(min(degree[u], 800), rng.dirichlet(np.ones(k)))
            items = set()
            for c, m in zip(communities, counts):
                pool = members[c]
                if len(pool) == 0:
                    continue
                weights = 1.0 / (np.arange(len(pool)) + 1.0) ** 0.7
                ranks = rng.choice(len(pool), min(m, len(pool)), replace=False, p=weights / weights.sum())
                items.update(pool[popularity[c][ranks]].tolist())
            items.update(rng.integers(0, a.items, max(1, min(degree[u], 800) // 20)).tolist())
            items = np.array(sorted(items))
            rng.shuffle(items)
            cut = max(1, int(round(len(items) * 0.8)))
            train.writelines(f"{u}\t{i}\n" for i in items[:cut])
            test.writelines(f"{u}\t{i}\n" for i in items[cut:])


if __name__ == "__main__":
    main()
