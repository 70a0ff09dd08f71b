#!/usr/bin/env python3
"""Paired per-user Diversity@K of two rows exported by `evaluate`/`reproduce --export`: each row's mean, and the mean
and standard error of the per-user difference (B - A) over the users both rows list, so that a small gap between two
rows on the same users can be told from noise. Diversity@K is the protocol's (mean distance of the list's unit item
vectors to their mean; docs/evaluation-protocol.md), from each directory's candidates.tsv and item_embeddings.tsv.
Usage (numpy required: Debian's python3-numpy, run as /usr/bin/python3 where another python3 comes first on PATH):
  paired_diversity.py DIR_A METHOD_A DIR_B METHOD_B [--k K]     e.g. out mmr out history_mmr --k 10
"""
import argparse
from cli_files import existing_dir
import collections

import numpy as np

from protocol_check import read_embeddings


def unit_item_vectors(path):
    """The exported item vectors, read as the protocol check reads them, unit-normalised in float64."""
    ids, rows = read_embeddings(path)
    matrix = rows.astype(np.float64)
    return {item: row for row, item in enumerate(ids)}, matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-30)


def ranked_lists(path, method):
    lists = collections.defaultdict(list)
    with open(path) as f:
        next(f)
        for line in f:
            user, name, rank, item, _ = line.rstrip("\n").split("\t")
            if name == method:
                lists[user].append((int(rank), item))
    if not lists:
        raise SystemExit(f"{path} has no lists of the method '{method}'")
    return {user: [item for _, item in sorted(entries)] for user, entries in lists.items()}


def diversity(items, ids, vectors):
    x = vectors[[ids[i] for i in items]]
    return float(np.linalg.norm(x - x.mean(axis=0), axis=1).mean())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir_a", type=existing_dir)
    p.add_argument("method_a")
    p.add_argument("dir_b", type=existing_dir)
    p.add_argument("method_b")
    p.add_argument("--k", type=int, default=10)
    a = p.parse_args()
    rows = []
    for directory, method in ((a.dir_a, a.method_a), (a.dir_b, a.method_b)):
        ids, vectors = unit_item_vectors(f"{directory}/item_embeddings.tsv")
        rows.append((ranked_lists(f"{directory}/candidates.tsv", f"{method}@{a.k}"), ids, vectors))
    users = sorted(set(rows[0][0]) & set(rows[1][0]))
    da = np.array([diversity(rows[0][0][u], rows[0][1], rows[0][2]) for u in users])
    db = np.array([diversity(rows[1][0][u], rows[1][1], rows[1][2]) for u in users])
    diff = db - da
    print(f"{len(users)} users: {a.method_a} Diversity@{a.k} {da.mean():.4f}, {a.method_b} {db.mean():.4f}; "
          f"paired difference {diff.mean():+.5f} (standard error {diff.std(ddof=1) / np.sqrt(len(users)):.5f})")


if __name__ == "__main__":
    main()
