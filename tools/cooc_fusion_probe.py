#!/usr/bin/env python3
"""Does an item co-occurrence list add recall when fused with the exported lists? A probe on an `evaluate --export` directory.

Builds each test user's co-occurrence list (the training graph's item-item cosine of user sets, D^-1/2 X'X D^-1/2, summed
over the user's training items; seen items excluded; top 50), then fuses it by rank with the exported @50 lists
(max(w / rank in the first, (1 - w) / rank in the co-occurrence list), as the library's RankFusion does) for w = 0.5..0.9.
Prints Recall@50 (unknown held-out items count as misses) and Diversity@10 (mean distance of the unit item vectors to
their centroid, the protocol's) beside Unimodal's. numpy and scipy required. Usage:
  cooc_fusion_probe.py TRAIN.tsv.gz TEST.tsv.gz EXPORT_DIR [--users N]   (N seeded users; 0 = all)
"""
import argparse
from cli_files import existing_file, existing_dir

import numpy as np
import scipy.sparse as sp

from relevance_probe import read_edges, read_vectors  # the same file readers (this script's folder is on the path)

ap = argparse.ArgumentParser(); ap.add_argument("train", type=existing_file); ap.add_argument("test", type=existing_file); ap.add_argument("export", type=existing_dir)
ap.add_argument("--users", type=int, default=0); a = ap.parse_args()
item_ids, items = read_vectors(f"{a.export}/item_embeddings.tsv")
user_ids, _ = read_vectors(f"{a.export}/user_embeddings.tsv")
irow = {k: i for i, k in enumerate(item_ids)}; urow = {k: i for i, k in enumerate(user_ids)}
pairs = [(urow[u], irow[i]) for u, i in read_edges(a.train) if u in urow and i in irow]
x = sp.csr_matrix((np.ones(len(pairs), np.float32), tuple(zip(*pairs))), shape=(len(user_ids), len(item_ids))); x.data[:] = 1
held = {}
for u, i in read_edges(a.test):
    if u in urow: held.setdefault(urow[u], []).append(irow.get(i, -1))
users = sorted(held)
if a.users: users = sorted(np.random.default_rng(0).choice(users, a.users, replace=False).tolist())
want = set(users)
lists = {}
with open(f"{a.export}/candidates.tsv") as f:
    next(f)
    for l in f:
        u, m, r, i, _ = l.rstrip("\n").split("\t")
        if not m.endswith("@50"): continue
        ur = urow.get(u)
        if ur not in want: continue
        lists.setdefault(m[:-3], {}).setdefault(ur, []).append(irow[i])
unit = items / np.maximum(np.linalg.norm(items, axis=1, keepdims=True), 1e-12)
deg = np.asarray(x.sum(0)).ravel() + 1e-9
cooc = (sp.diags(1 / np.sqrt(deg)) @ (x.T @ x) @ sp.diags(1 / np.sqrt(deg))).tocsr(); cooc.setdiag(0); cooc.eliminate_zeros()
co = {}
U = np.array(users)
for s in range(0, len(U), 1000):
    b = U[s:s + 1000]
    sc = np.asarray((x[b] @ cooc).todense())
    sc[x[b].nonzero()] = -np.inf
    top = np.argpartition(-sc, 50, axis=1)[:, :50]
    for k, u in enumerate(b):
        t = top[k][np.argsort(-sc[k, top[k]])]
        co[u] = t[np.isfinite(sc[k, t]) & (sc[k, t] > 0)].tolist()
lists["cooc"] = co

def fuse(la, lb, w, K=50):
    best = {}
    for r, i in enumerate(la): best[i] = max(best.get(i, 0), w / (r + 1))
    for r, i in enumerate(lb): best[i] = max(best.get(i, 0), (1 - w) / (r + 1))
    return [i for i, _ in sorted(best.items(), key=lambda t: -t[1])[:K]]

def metrics(name, L):
    rs, ds = [], []
    for u in users:
        l = L.get(u, []); h = held[u]
        rs.append(len(set(l[:50]) & set(h)) / len(h))
        if l[:10]:
            X = unit[l[:10]]; ds.append(float(np.linalg.norm(X - X.mean(0), axis=1).mean()))
    return np.mean(rs), np.mean(ds)

ru, du = metrics("unimodal", lists["unimodal"])
print(f"users {len(users)}; unimodal R@50 {ru:.4f} D@10 {du:.4f}")
for m in ["mmr_reorder", "history_mmr", "cooc"] + [m for m in lists if m.startswith("dcm")]:
    if m in lists:
        r, d = metrics(m, lists[m]); print(f"{m:24s} R@50 {r:.4f} ({r/ru:.3f}x) D@10 {d:.4f} ({d/du:.3f}x)")
for base in ["history_mmr", "unimodal"] + [m for m in lists if m.startswith("dcm_history")]:
    for w in (0.5, 0.6, 0.7, 0.8, 0.9):
        F = {u: fuse(lists[base].get(u, []), co.get(u, []), w) for u in users}
        r, d = metrics("f", F); print(f"fuse {base} + cooc w={w}: R@50 {r:.4f} ({r/ru:.3f}x) D@10 {d:.4f} ({d/du:.3f}x)")
