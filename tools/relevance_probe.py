#!/usr/bin/env python3
"""Does a second relevance signal add Recall@50 to the single vector's? A probe on an `evaluate --export` directory.

Scores each test user's unseen items by the exported user vector (scaled by its largest absolute score), plus beta times
one of: (cooc) item-item cosine of the training graph's co-occurrence, summed over the user's training items, scaled by
its largest; (max) the largest cosine of the item's unit vector to one of the user's training items' (each history item
an interest); (pow4) the sum over the history of the positive cosines to the 4th power, scaled. Prints Recall@50 (misses
as in the protocol) for each beta, on a seeded sample of test users. numpy and scipy required. Usage:
  relevance_probe.py TRAIN.tsv.gz TEST.tsv.gz EXPORT_DIR [--users N] [--seed S]
"""
import argparse
import gzip

import numpy as np
import scipy.sparse as sp


def read_edges(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        next(f)
        return [tuple(line.rstrip("\n").split("\t")[:2]) for line in f]


def read_vectors(path):
    ids, rows = [], []
    with open(path) as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            ids.append(parts[0])
            rows.append(np.array(parts[1:], dtype=np.float32))
    return ids, np.vstack(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("export")
    ap.add_argument("--users", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    item_ids, items = read_vectors(f"{a.export}/item_embeddings.tsv")
    user_ids, users = read_vectors(f"{a.export}/user_embeddings.tsv")
    item_row = {k: i for i, k in enumerate(item_ids)}
    user_row = {k: i for i, k in enumerate(user_ids)}
    pairs = [(user_row[u], item_row[i]) for u, i in read_edges(a.train) if u in user_row and i in item_row]
    x = sp.csr_matrix((np.ones(len(pairs), np.float32), tuple(zip(*pairs))), shape=(len(user_ids), len(item_ids)))
    x.data[:] = 1
    held = {}
    for u, i in read_edges(a.test):
        if u in user_row:
            held.setdefault(user_row[u], []).append(item_row.get(i, -1))
    sample = np.random.default_rng(a.seed).choice(sorted(held), min(a.users, len(held)), replace=False)
    degree = np.asarray(x.sum(0)).ravel() + 1e-9
    scale = sp.diags(1 / np.sqrt(degree))
    cooc = (scale @ (x.T @ x) @ scale).tocsr()
    cooc.setdiag(0)
    unit = items / np.maximum(np.linalg.norm(items, axis=1, keepdims=True), 1e-12)

    def normalise(s):
        return s / np.maximum(np.abs(s).max(1, keepdims=True), 1e-9)

    def signals(batch):
        base = normalise(users[batch] @ items.T)
        co = normalise(np.asarray((x[batch] @ cooc).todense()))
        mx, p4 = np.zeros_like(base), np.zeros_like(base)
        for k, u in enumerate(batch):
            c = unit[x[u].indices] @ unit.T
            mx[k] = c.max(0)
            p4[k] = (np.maximum(c, 0) ** 4).sum(0)
        return base, {"cooc": co, "max": mx, "pow4": normalise(p4)}

    results = {}
    for start in range(0, len(sample), 500):
        batch = sample[start:start + 500]
        base, extra = signals(batch)
        seen = x[batch].nonzero()
        variants = {("none", 0.0): base}
        for name, s in extra.items():
            for beta in (0.1, 0.3, 1.0):
                variants[(name, beta)] = base + beta * s
        for key, scores in variants.items():
            scores = scores.copy()
            scores[seen] = -np.inf
            top = np.argpartition(-scores, 50, axis=1)[:, :50]
            for k, u in enumerate(batch):
                chosen = set(top[k].tolist())
                results.setdefault(key, []).append(sum(i in chosen for i in held[u]) / len(held[u]))
    for (name, beta), values in sorted(results.items()):
        print(f"{name:5s} beta {beta:<4g} Recall@50 {np.mean(values):.4f}  ({len(values)} users)")


if __name__ == "__main__":
    main()
