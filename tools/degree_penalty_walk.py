#!/usr/bin/env python3
"""A popularity penalty on the single-vector (Unimodal) score: does it buy long-tail recall and coverage cheaply?

Needs numpy: run it with /usr/bin/python3 on Debian (apt-get install python3-numpy). Reads an `evaluate --export` (or
`reproduce --export`) directory's user_embeddings.tsv, item_embeddings.tsv and metrics.json, and the training and test
files the run used. For every test user it ranks the catalogue, the user's training items and the zero rows left out as
the library's Unimodal row does (equal scores to the lower item row), by one of these scores:

  beta=B    dot(u, i) - B * log(1 + deg_i)            (additive; B = 0 is the library's Unimodal row)
  gamma=G   dot(u, i) * (1 + deg_i)^(-G * sign(dot))   (multiplicative; a plain dot / (1 + deg)^G would raise a popular
                                                       item whose dot is negative, so a negative dot is multiplied instead:
                                                       for any sign the more popular of two equal dots ranks lower)

deg_i the item's training degree (distinct users). For each score it prints, over the test users' lists, the protocol's
figures (docs/evaluation-protocol.md): Recall@10 and Recall@50 (every test user, a user without a vector counting 0),
long-tail Recall@10 and @50 (the users holding out a long-tail item; the head is the items of degree at least the
degree of the item ranked ceil(0.2 n), the tail the rest), the long tail's share of the list entries, coverage and Gini
of the exposure at 50, and, against B = 0, the mean per-user differences of Recall@50, Recall@10 and long-tail Recall@50
with their standard errors (s / sqrt(n)). Before any of it, beta = 0 must give metrics.json's Unimodal Recall@10/@50,
long-tail recall, coverage, Gini and share to 1e-4, or the script stops.

With --tolerance T it also names the setting a validation run would choose: the largest long-tail Recall@50 among the
scores whose Recall@50 is at least (1 - T) times B = 0's (additive and multiplicative chosen separately). Run it on an
`evaluate` of a hold-out carved from the training edges (`split` of the training file), read the choice, and then on
the test run with those settings: the test file never chooses anything.

Commands used for docs/results.md, "A popularity penalty on the Unimodal score" (2026-12-06, 2 cores, shared; the
`evaluate` runs leave out two rows this script does not read, to save time; Unimodal's figures do not depend on them):

  CLI="dotnet samples/MultiInterest.Cli/bin/Release/net10.0/multiinterest.dll"
  R="--export --plot-users 0 --threads 2 --reorder-mmr-lambda -1 --history-interest-weight -1"
  G="--gammas 0.02,0.05,0.1,0.15,0.2,0.3"
  $CLI split --edges data/cit-HepPh/train.tsv.gz --train OUT/hep_inner.tsv.gz --test OUT/hep_val.tsv.gz --seed 1
  $CLI evaluate --train OUT/hep_inner.tsv.gz --test OUT/hep_val.tsv.gz --out OUT/hep_val $R
  $CLI evaluate --train data/cit-HepPh/train.tsv.gz --test data/cit-HepPh/test.tsv.gz --out OUT/hep_test $R
  /usr/bin/python3 tools/degree_penalty_walk.py --dir OUT/hep_val --train OUT/hep_inner.tsv.gz \
      --test OUT/hep_val.tsv.gz --tolerance 0.02 $G
  /usr/bin/python3 tools/degree_penalty_walk.py --dir OUT/hep_test --train data/cit-HepPh/train.tsv.gz \
      --test data/cit-HepPh/test.tsv.gz $G

  Gowalla the same with GOW=/work/shared/datasets/gowalla (or wherever its train/test pair is), `split --keep-self-loops`
  (user and item ids are separate numberings there) and, since its dot products are about 100 times smaller than
  cit-HepPh's, a finer additive grid, B="--betas 0,0.0001,0.0002,0.0003,0.0005,0.00075,0.001,0.0015,0.0025":
  $CLI split --edges $GOW/train.tsv.gz --train OUT/gow_inner.tsv.gz --test OUT/gow_val.tsv.gz --seed 1 --keep-self-loops
  $CLI evaluate --train OUT/gow_inner.tsv.gz --test OUT/gow_val.tsv.gz --out OUT/gow_val $R
  $CLI evaluate --train $GOW/train.tsv.gz --test $GOW/test.tsv.gz --out OUT/gow_test $R
  /usr/bin/python3 tools/degree_penalty_walk.py --dir OUT/gow_val --train OUT/gow_inner.tsv.gz \
      --test OUT/gow_val.tsv.gz --tolerance 0.02 $G $B
  /usr/bin/python3 tools/degree_penalty_walk.py --dir OUT/gow_test --train $GOW/train.tsv.gz --test $GOW/test.tsv.gz $G $B

Options: --betas and --gammas (comma lists), --tolerance T, --block N (users per matrix product), --pool N (each user's
N best items by dot product are re-scored; a user whose list could reach past them is ranked over the whole catalogue),
--json FILE. numpy's matrix products are much faster with an optimised BLAS (apt-get install libopenblas0-pthread).
"""
import argparse
from cli_files import existing_file, existing_dir
import gzip
import json
import math
import sys

import numpy as np

from protocol_check import read_embeddings

CUTOFFS = (10, 50)


def read_pairs(path):
    """(user, item) pairs of a user<TAB>item file with a header line (.gz allowed), repeats kept."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        f.readline()
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                yield parts[0], parts[1]


def gini(exposure):
    """The protocol's Gini of exposure counts over the whole catalogue (zeros included)."""
    x = np.sort(exposure.astype(np.float64))
    n, total = x.size, x.sum()
    if total == 0:
        return float("nan")
    k = np.arange(1, n + 1)
    return float(((2 * k - n - 1) * x).sum() / (n * total))


def paired(a, b):
    """Mean of b - a and its standard error (sample deviation, divisor n - 1)."""
    d = b - a
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))


class Variant:
    """One score: its name, how it changes a block of dot products, and the per-user figures it accumulates."""

    def __init__(self, name, kind, value, users):
        self.name, self.kind, self.value = name, kind, value
        self.recall = {k: np.zeros(users) for k in CUTOFFS}
        self.tail_recall = {k: np.full(users, np.nan) for k in CUTOFFS}
        self.exposure = {}
        self.tail_entries = {k: 0 for k in CUTOFFS}
        self.entries = {k: 0 for k in CUTOFFS}
        self.full_ranks = 0

    def score(self, dots, log1p_degree):
        if self.kind == "beta":
            return dots if self.value == 0 else dots - np.float32(self.value) * log1p_degree
        factor_down = np.exp(-self.value * log1p_degree).astype(np.float32)
        return np.where(dots >= 0, dots * factor_down, dots / factor_down)


def top_lists(scores, k, rows):
    """Each row's k best columns, best first, and their scores; equal scores go to the lower item row (the library's
    rule), the item row of column c being rows[r, c] (None: c itself)."""
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part if rows is None else np.take_along_axis(rows, part, axis=1), -vals), axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, type=existing_dir, help="an evaluate --export directory")
    p.add_argument("--train", required=True, type=existing_file)
    p.add_argument("--test", required=True, type=existing_file)
    p.add_argument("--betas", default="0,0.0025,0.005,0.01,0.015,0.02,0.03,0.04,0.05,0.075,0.1,0.15,0.2,0.3")
    p.add_argument("--gammas", default="0.02,0.05,0.1,0.2,0.3")
    p.add_argument("--tolerance", type=float, help="name the validation choice: Recall@50 at least (1 - T) x beta 0's")
    p.add_argument("--block", type=int, default=512)
    p.add_argument("--pool", type=int, default=2000, help="items per user re-scored (exactness is checked)")
    p.add_argument("--head-share", type=float, default=0.2)
    p.add_argument("--json")
    a = p.parse_args()

    user_ids, users = read_embeddings(f"{a.dir}/user_embeddings.tsv")
    item_ids, items = read_embeddings(f"{a.dir}/item_embeddings.tsv")
    user_row = {u: r for r, u in enumerate(user_ids)}
    item_row = {i: r for r, i in enumerate(item_ids)}
    n_items = len(item_ids)

    # Training degrees (distinct pairs) and each user's training items, by item row.
    seen = {}
    for user, item in read_pairs(a.train):
        r = item_row.get(item)
        if r is None:
            raise SystemExit(f"training item {item} has no vector in {a.dir}: not the run of these files")
        seen.setdefault(user, set()).add(r)
    degree = np.zeros(n_items, dtype=np.int64)
    for rows in seen.values():
        for r in rows:
            degree[r] += 1
    absent = ~np.any(items != 0, axis=1)
    catalogue = degree > 0
    n = int(catalogue.sum())
    ranked = np.sort(degree[catalogue])[::-1]
    boundary = ranked[max(0, math.ceil(a.head_share * n) - 1)]
    tail = catalogue & (degree < boundary)
    log1p_degree = np.log1p(degree).astype(np.float32)

    held = {}
    for user, item in read_pairs(a.test):
        held.setdefault(user, set()).add(item)
    test_users = list(held)
    held_counts = np.array([len(held[u]) for u in test_users], dtype=np.float64)
    tail_counts = np.array([sum(1 for i in held[u] if i in item_row and tail[item_row[i]]) for u in test_users],
                           dtype=np.float64)

    variants = [Variant(f"beta={float(b):g}", "beta", float(b), len(test_users)) for b in a.betas.split(",")]
    if variants[0].value != 0:
        variants.insert(0, Variant("beta=0", "beta", 0.0, len(test_users)))
    variants += [Variant(f"gamma={float(g):g}", "gamma", float(g), len(test_users)) for g in a.gammas.split(",") if g]
    for v in variants:
        v.exposure = {k: np.zeros(n_items, dtype=np.int64) for k in CUTOFFS}

    scored = [t for t, u in enumerate(test_users) if u in user_row]
    kmax = max(CUTOFFS)
    pool_size = min(a.pool, n_items)
    least_penalty = np.float32(log1p_degree[~absent].min())
    top_scores = []
    for start in range(0, len(scored), a.block):
        block = scored[start:start + a.block]
        dots = users[[user_row[test_users[t]] for t in block]] @ items.T
        excluded = np.zeros(dots.shape, dtype=bool)
        relevant = np.zeros(dots.shape, dtype=bool)
        for j, t in enumerate(block):
            s = seen.get(test_users[t])
            if s:
                excluded[j, list(s)] = True
            hits = [item_row[i] for i in held[test_users[t]] if i in item_row]
            relevant[j, hits] = True
        excluded |= absent[None, :]
        dots[excluded] = -np.inf
        rel_tail = relevant & tail[None, :]
        idx = np.array(block)
        # Each user's `pool` best items by dot, re-scored by every variant; a user whose 50th re-scored item does not
        # beat the best score an item outside the pool could reach (the pool's last dot at the least penalised degree)
        # is ranked over the whole catalogue instead, so every list is the exact one.
        pool = np.argpartition(-dots, pool_size - 1, axis=1)[:, :pool_size]
        pool_dots = np.take_along_axis(dots, pool, axis=1)
        pool_last = pool_dots.min(axis=1)
        for v in variants:
            s = v.score(pool_dots, log1p_degree[pool])
            at, vals = top_lists(s, kmax, pool)
            lists = np.take_along_axis(pool, at, axis=1)
            outside_best = v.score(pool_last, least_penalty)
            redo = np.nonzero(~(vals[:, kmax - 1] > outside_best))[0]
            if redo.size:
                v.full_ranks += redo.size
                full = v.score(dots[redo], log1p_degree)
                lists[redo], vals[redo] = top_lists(full, kmax, None)
            if v.kind == "beta" and v.value == 0:
                top_scores.append(vals[:, [0, kmax - 1]])
            for k in CUTOFFS:
                lk = lists[:, :k]
                valid = np.isfinite(vals[:, :k])
                got = (np.take_along_axis(relevant, lk, axis=1) & valid).sum(axis=1)
                got_tail = (np.take_along_axis(rel_tail, lk, axis=1) & valid).sum(axis=1)
                v.recall[k][idx] = got / held_counts[idx]
                with np.errstate(invalid="ignore", divide="ignore"):
                    v.tail_recall[k][idx] = np.where(tail_counts[idx] > 0, got_tail / tail_counts[idx], np.nan)
                listed = lk[valid]
                v.exposure[k] += np.bincount(listed, minlength=n_items)
                v.entries[k] += listed.size
                v.tail_entries[k] += int(tail[listed].sum())
        if sys.stderr.isatty():
            print(f"  {min(start + a.block, len(scored))} / {len(scored)} users", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    tail_users = tail_counts > 0
    for v in variants:  # a test user without a vector: recall 0, long-tail recall 0 when it holds out a tail item
        for k in CUTOFFS:
            v.tail_recall[k][tail_users & np.isnan(v.tail_recall[k])] = 0.0

    results = []
    base = variants[0]
    for v in variants:
        r = {"score": v.name, "kind": v.kind, "value": v.value, "users_ranked_in_full": v.full_ranks}
        for k in CUTOFFS:
            r[f"recall@{k}"] = float(v.recall[k].mean())
            r[f"tail_recall@{k}"] = float(v.tail_recall[k][tail_users].mean())
            r[f"tail_share@{k}"] = v.tail_entries[k] / max(1, v.entries[k])
            r[f"coverage@{k}"] = float((v.exposure[k][catalogue] > 0).sum() / n)
            r[f"gini@{k}"] = gini(v.exposure[k][catalogue])
        r["mean_log1p_degree@50"] = float((v.exposure[50] * log1p_degree).sum() / max(1, v.entries[50]))
        if v is not base:
            r["d_recall@50"], r["d_recall@50_se"] = paired(base.recall[50], v.recall[50])
            r["d_recall@10"], r["d_recall@10_se"] = paired(base.recall[10], v.recall[10])
            r["d_tail_recall@50"], r["d_tail_recall@50_se"] = paired(base.tail_recall[50][tail_users],
                                                                     v.tail_recall[50][tail_users])
        results.append(r)

    # beta = 0 must be the library's Unimodal row.
    with open(f"{a.dir}/metrics.json", encoding="utf-8") as f:
        uni = json.load(f)["methods"]["unimodal"]
    checks = []
    for k in CUTOFFS:
        exposure = uni["exposure"][str(k)]
        checks += [(f"Recall@{k}", uni["recall"][str(k)], results[0][f"recall@{k}"]),
                   (f"long-tail recall@{k}", exposure["long_tail_recall"], results[0][f"tail_recall@{k}"]),
                   (f"long-tail share@{k}", exposure["long_tail_share"], results[0][f"tail_share@{k}"]),
                   (f"coverage@{k}", exposure["coverage"], results[0][f"coverage@{k}"]),
                   (f"Gini@{k}", exposure["gini"], results[0][f"gini@{k}"])]
    bad = [c for c in checks if abs(c[1] - c[2]) > 1e-4]
    for name, lib, here in checks:
        print(f"check beta=0 {name}: metrics.json {lib:.6f}, here {here:.6f}")
    if bad:
        raise SystemExit(f"beta = 0 is not the library's Unimodal row: {bad}")
    scores = np.vstack(top_scores)
    print(f"catalogue {n} items, head = degree >= {boundary} ({int((catalogue & ~tail).sum())} items); test users "
          f"{len(test_users)} ({len(scored)} with vectors, {int(tail_users.sum())} holding out a long-tail item); "
          f"Unimodal's top score: median {np.median(scores[:, 0]):.4f}, its 50th: median {np.median(scores[:, 1]):.4f}; "
          f"log(1 + degree): head median {np.median(log1p_degree[catalogue & ~tail]):.2f}, "
          f"tail median {np.median(log1p_degree[tail]):.2f}")

    cols = ["score", "R@10", "R@50", "tail R@10", "tail R@50", "tail share@50", "coverage@50", "gini@50",
            "dR@50 (se)", "dR@10 (se)", "d tail R@50 (se)"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in results:
        cells = [r["score"], f"{r['recall@10']:.4f}", f"{r['recall@50']:.4f}", f"{r['tail_recall@10']:.4f}",
                 f"{r['tail_recall@50']:.4f}", f"{100 * r['tail_share@50']:.1f}%", f"{100 * r['coverage@50']:.1f}%",
                 f"{r['gini@50']:.3f}"]
        for key in ("d_recall@50", "d_recall@10", "d_tail_recall@50"):
            cells.append(f"{r[key]:+.4f} ({r[key + '_se']:.4f})" if key in r else "")
        print("| " + " | ".join(cells) + " |")

    chosen = {}
    if a.tolerance is not None:
        floor = (1 - a.tolerance) * results[0]["recall@50"]
        for kind in ("beta", "gamma"):
            ok = [r for r in results if (r["kind"] == kind or r is results[0]) and r["recall@50"] >= floor]
            best = max(ok, key=lambda r: (r["tail_recall@50"], -r["value"]))
            chosen[kind] = best["value"]
            print(f"chosen {kind} (Recall@50 at least {floor:.4f}, then the most long-tail Recall@50): {best['score']}")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"catalogue": n, "head_boundary_degree": int(boundary), "test_users": len(test_users),
                       "tail_users": int(tail_users.sum()), "tolerance": a.tolerance, "chosen": chosen,
                       "rows": results}, f, indent=1)


if __name__ == "__main__":
    main()
