#!/usr/bin/env python3
"""iALS peer: implicit ALS (Hu, Koren, Volinsky 2008) in the form and with the tuning of Rendle et al. 2022
("Revisiting the performance of iALS on item recommendation benchmarks"):

  L = sum_{(u,i) observed} (<w_u, h_i> - 1)^2 + alpha0 * sum_{all (u,i)} <w_u, h_i>^2
      + lambda * ( sum_u (|I_u| + alpha0 |I|)^nu ||w_u||^2 + sum_i (|U_i| + alpha0 |U|)^nu ||h_i||^2 )

with embeddings drawn from N(0, (sigma / sqrt(d))^2). Each half-step solves every row exactly:
(sum_{i in I_u} h_i h_i^T + alpha0 * H^T H + lambda_u I) w_u = sum_{i in I_u} h_i, the Gramian H^T H computed once per
half-step (numpy.linalg.solve on batches of rows). Scores = dot, training items excluded; Recall@K / NDCG@K as
docs/evaluation-protocol.md defines them.

--tune: carves a validation hold-out from the TRAINING edges with the protocol's split (numpy default_rng(--seed)),
grid-searches (reg, alpha0) at dim 64 and then the best pair at dim 128 on validation Recall@20, refits the best setting
on all training edges and evaluates it once on the test split. The test split is never used to choose anything."""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common  # noqa: E402


def solve_side(R, H, alpha0, reg, nu, batch=2048):
    """New rows W for the rows of R (CSR, binary) given the other side H."""
    import numpy as np
    n, d = R.shape[0], H.shape[1]
    G = alpha0 * (H.T @ H)
    counts = np.diff(R.indptr)
    lam = reg * (counts + alpha0 * H.shape[0]) ** nu
    W = np.empty((n, d), dtype=np.float64)
    eye = np.eye(d)
    for s in range(0, n, batch):
        e = min(n, s + batch)
        A = np.empty((e - s, d, d))
        b = np.empty((e - s, d))
        for r in range(s, e):
            idx = R.indices[R.indptr[r]:R.indptr[r + 1]]
            Hu = H[idx]
            A[r - s] = G + Hu.T @ Hu + lam[r] * eye
            b[r - s] = Hu.sum(axis=0)
        W[s:e] = np.linalg.solve(A, b[..., None])[..., 0]
    return W


def fit(train, dim, iters, reg, alpha0, nu, sigma, seed):
    import numpy as np
    rng = np.random.default_rng(seed)
    n_users, n_items = train.shape
    W = rng.normal(0.0, sigma / np.sqrt(dim), (n_users, dim))
    H = rng.normal(0.0, sigma / np.sqrt(dim), (n_items, dim))
    Rt = train.T.tocsr()
    for _ in range(iters):
        W = solve_side(train, H, alpha0, reg, nu)
        H = solve_side(Rt, W, alpha0, reg, nu)
    return W.astype(np.float32), H.astype(np.float32)


def run(train_pairs, test_pairs, dim, a):
    import rec_common as rc
    data = rc.Interactions(train_pairs, test_pairs)
    t0 = time.perf_counter()
    W, H = fit(data.train, dim, a.iters, a.reg if a._reg is None else a._reg, a._alpha0, a.nu, a.sigma, a.seed)
    f = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = rc.evaluate(W, H, data)
    return data, m, f, time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--iters", type=int, default=8)
    p.add_argument("--reg", type=float, default=0.002, help="lambda (scaled by frequency, see above)")
    p.add_argument("--alpha0", "--alpha", dest="alpha0", type=float, default=0.01, help="weight of every unobserved pair")
    p.add_argument("--nu", type=float, default=1.0, help="exponent of the frequency scaling of lambda")
    p.add_argument("--sigma", type=float, default=0.1, help="init stddev * sqrt(dim)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--tune", action="store_true")
    p.add_argument("--regs", default="0.0005,0.005", help="grid of --tune")
    p.add_argument("--alpha0s", default="0.003,0.03", help="grid of --tune")
    a = p.parse_args()
    if a.dim < 1 or a.iters < 1:
        p.error("--dim and --iters must be at least 1 (0 iterations would score the random start)")
    peer_common.limit_threads(a.threads)
    import rec_common as rc

    t_all = time.perf_counter()
    train_pairs, test_pairs = rc.read_edges(a.train), rc.read_edges(a.test)
    report = {"algorithm": "iALS", "train": a.train, "test": a.test, "iters": a.iters, "nu": a.nu, "sigma": a.sigma,
              "seed": a.seed, "threads": a.threads}
    dim, reg, alpha0 = a.dim, a.reg, a.alpha0
    if a.tune:
        t0 = time.perf_counter()
        vtrain, vtest, returned = rc.protocol_split(train_pairs, a.seed)
        grid = []

        def trial(d, r, al):
            a._reg, a._alpha0 = r, al
            _, m, f, e = run(vtrain, vtest, d, a)
            row = {"dim": d, "reg": r, "alpha0": al, "val_recall@20": m["recall@20"], "val_ndcg@20": m["ndcg@20"],
                   "fit_seconds": round(f, 1)}
            print(row, file=sys.stderr, flush=True)
            grid.append(row)

        for r in (float(x) for x in a.regs.split(",")):
            for al in (float(x) for x in a.alpha0s.split(",")):
                trial(64, r, al)
        best64 = max(grid, key=lambda g: g["val_recall@20"])
        trial(128, best64["reg"], best64["alpha0"])
        best = max(grid, key=lambda g: g["val_recall@20"])
        dim, reg, alpha0 = best["dim"], best["reg"], best["alpha0"]
        report["tuning"] = {"validation": f"protocol split of the training edges, numpy default_rng({a.seed})",
                            "val_train_edges": len(vtrain), "val_edges": len(vtest), "returned": returned,
                            "grid": grid, "seconds": round(time.perf_counter() - t0, 1)}
    a._reg, a._alpha0 = reg, alpha0
    data, m, f, e = run(train_pairs, test_pairs, dim, a)
    c = data.counts()
    print(f"test edges ignored (user or item unseen in training): {c['test_edges_ignored_unseen_user'] + c['test_edges_ignored_unseen_item']}"
          f" of {c['test_edges']}", file=sys.stderr)
    report.update({"dim": dim, "reg": reg, "alpha0": alpha0, **c, **m, "fit_seconds": round(f, 2),
                   "eval_seconds": round(e, 2), "total_seconds": round(time.perf_counter() - t_all, 1)})
    peer_common.emit(report)


if __name__ == "__main__":
    main()
