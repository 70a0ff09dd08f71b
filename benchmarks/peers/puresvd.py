#!/usr/bin/env python3
"""PureSVD peer (Cremonesi et al. 2010): truncated SVD of the binary user-item training matrix (scipy svds), user vectors
U*S, item vectors V, scores = dot with the user's training items excluded; Recall@K and NDCG@K over the test users as
docs/evaluation-protocol.md defines them. Prints one JSON line (fit and eval seconds apart)."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0, help="seed of the ARPACK start vector")
    a = p.parse_args()
    if a.dim < 1:
        p.error("--dim must be at least 1")
    peer_common.limit_threads(a.threads)
    import numpy as np
    from scipy.sparse.linalg import svds
    import rec_common as rc

    t0 = time.perf_counter()
    data = rc.Interactions(rc.read_edges(a.train), rc.read_edges(a.test))
    load = time.perf_counter() - t0
    dim = min(a.dim, min(data.n_users, data.n_items) - 1)
    t0 = time.perf_counter()
    m = data.train.astype(np.float64)
    v0 = np.random.default_rng(a.seed).standard_normal(min(m.shape))
    u, s, vt = svds(m, k=dim, v0=v0)
    users = (u * s).astype(np.float32)
    items = vt.T.astype(np.float32)
    fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    metrics = rc.evaluate(users, items, data)
    ev = time.perf_counter() - t0
    c = data.counts()
    print(f"test edges ignored (user or item unseen in training): {c['test_edges_ignored_unseen_user'] + c['test_edges_ignored_unseen_item']}"
          f" of {c['test_edges']} ({c['test_edges_ignored_unseen_user']} unseen user, {c['test_edges_ignored_unseen_item']} unseen item)",
          file=sys.stderr)
    peer_common.emit({"algorithm": "PureSVD", "train": a.train, "test": a.test, "dim": dim, "threads": a.threads,
                      **c, **metrics, "load_seconds": round(load, 2), "fit_seconds": round(fit, 2),
                      "eval_seconds": round(ev, 2)})


if __name__ == "__main__":
    main()
