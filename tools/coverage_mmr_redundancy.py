#!/usr/bin/env python3
"""Why MMR rows lean popular: inside Unimodal's top-100 pool, how redundant (cosine-similar to the rest of the pool) the
long-tail items are against the head items. MMR's redundancy term, max cosine to the items already picked, removes the
redundant items first, so if the tail items sit closer together the re-ranked list keeps the popular ones.

Needs numpy: run it with /usr/bin/python3 on Debian. Reads an `evaluate --export` directory's user_embeddings.tsv and
item_embeddings.tsv and the run's training and test files; samples --users test users (seed 1), scores every item by
the raw dot product (the Unimodal ranking), excludes the user's training items, takes the top 100 and prints:

  - the correlation of the item vectors' norms with log(1 + training degree), over the catalogue;
  - the mean, over the sampled users, of the per-user correlation between an item's mean cosine to the other 99 pool
    items and its log(1 + degree);
  - the mean cosine to the other pool items of the pool's long-tail items (degree below --head-degree, the boundary
    tools/coverage_walk.py prints) and of its head items, over the users whose pool holds both.

  /usr/bin/python3 tools/coverage_mmr_redundancy.py --dir /tmp/h2out/hep --train data/cit-HepPh/train.tsv.gz \\
      --test data/cit-HepPh/test.tsv.gz --head-degree 16
  /usr/bin/python3 tools/coverage_mmr_redundancy.py --dir /tmp/h2out/gow --train /work/shared/datasets/gowalla/train.tsv.gz \\
      --test /work/shared/datasets/gowalla/test.tsv.gz --head-degree 22
"""
import argparse
import collections
import gzip
import random

import numpy as np


def embeddings(path):
    ids, rows = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "id":
                continue
            ids.append(parts[0])
            rows.append(np.array(parts[1:], dtype=np.float32))
    return ids, np.vstack(rows)


def pairs(path):
    with gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            yield parts[0], parts[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--head-degree", type=int, required=True, help="items of at least this training degree are head")
    p.add_argument("--users", type=int, default=2000)
    p.add_argument("--pool", type=int, default=100)
    a = p.parse_args()
    user_ids, users = embeddings(f"{a.dir}/user_embeddings.tsv")
    item_ids, items = embeddings(f"{a.dir}/item_embeddings.tsv")
    user_row = {u: k for k, u in enumerate(user_ids)}
    item_row = {i: k for k, i in enumerate(item_ids)}
    degree = np.zeros(len(item_ids))
    seen = collections.defaultdict(set)
    for u, i in pairs(a.train):
        j = item_row.get(i)
        if j is not None and j not in seen[u]:
            seen[u].add(j)
            degree[j] += 1
    norms = np.linalg.norm(items, axis=1)
    unit = items / np.maximum(norms, 1e-30)[:, None]
    log_degree = np.log1p(degree)
    print(f"correlation of item norm with log(1 + degree): {np.corrcoef(norms, log_degree)[0, 1]:.3f}")
    test_users = sorted({u for u, _ in pairs(a.test)} & set(user_row))
    random.seed(1)
    sample = random.sample(test_users, min(a.users, len(test_users)))
    correlations, both = [], []
    for u in sample:
        scores = items @ users[user_row[u]]
        scores[list(seen[u])] = -np.inf
        pool = np.argpartition(-scores, a.pool)[: a.pool]
        cos = unit[pool] @ unit[pool].T
        np.fill_diagonal(cos, np.nan)
        redundancy = np.nanmean(cos, axis=1)
        correlations.append(np.corrcoef(redundancy, log_degree[pool])[0, 1])
        tail = degree[pool] < a.head_degree
        if tail.any() and (~tail).any():
            both.append((redundancy[tail].mean(), redundancy[~tail].mean()))
    both = np.array(both)
    print(f"per-user correlation of an item's mean cosine to the rest of the pool with log(1 + degree): "
          f"{np.nanmean(correlations):.3f} (mean over {len(sample)} users)")
    print(f"mean cosine to the other pool items: long-tail items {both[:, 0].mean():.3f}, head items "
          f"{both[:, 1].mean():.3f} ({len(both)} users whose pool holds both)")


if __name__ == "__main__":
    main()
