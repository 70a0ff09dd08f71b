#!/usr/bin/python3
"""Exact brute-force search with FAISS (IndexFlatIP) on the same inputs as `MultiInterest.Benchmarks knn`:
the unimodal top-M of every test user over all item embeddings (inner product, no training-item exclusion: FAISS
has no per-query exclusion, so compare with our `unimodal_plain` stage), and the k nearest users by cosine among
users with a training edge (normalised vectors, k + 1 searched, the query's own row dropped), as our `neighbors`
stage does. Each search runs --repeats times after a warm-up on 64 users; prints one JSON line.
"""
import argparse
import os
import time

import peer_common

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("--train", required=True, help="user<TAB>item TSV (.gz allowed): users with an edge are neighbour candidates")
p.add_argument("--test", required=True, help="user<TAB>item TSV: users with an edge here are the queries (the test users)")
p.add_argument("--artifacts", help="directory with user_embeddings.tsv and item_embeddings.tsv (reproduce --export)")
p.add_argument("--user-embeddings")
p.add_argument("--item-embeddings")
p.add_argument("--candidates", type=int, default=50, help="M, the unimodal list length (50)")
p.add_argument("--neighbors", type=int, default=10, help="k, neighbours per user (10)")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--repeats", type=int, default=3)
p.add_argument("--max-users", type=int, default=0, help="time an evenly spread sample of the test users (0 = all)")
args = p.parse_args()
users_path = args.user_embeddings or (args.artifacts and os.path.join(args.artifacts, "user_embeddings.tsv"))
items_path = args.item_embeddings or (args.artifacts and os.path.join(args.artifacts, "item_embeddings.tsv"))
if not users_path or not items_path:
    p.error("give --artifacts DIR or --user-embeddings and --item-embeddings")
peer_common.limit_threads(args.threads)

import faiss  # noqa: E402  (after the thread variables are set)
import numpy as np  # noqa: E402

faiss.omp_set_num_threads(args.threads)
user_ids, users = peer_common.read_vectors_with_ids(users_path)
_, items = peer_common.read_vectors_with_ids(items_path)
row_of = {u: r for r, u in enumerate(user_ids)}
test_rows = np.array(sorted(row_of[u] for u in peer_common.read_edge_users(args.test)), dtype=np.int64)
eligible = np.array(sorted(row_of[u] for u in peer_common.read_edge_users(args.train)), dtype=np.int64)
if 0 < args.max_users < len(test_rows):
    test_rows = test_rows[np.arange(args.max_users, dtype=np.int64) * len(test_rows) // args.max_users]
n, d = len(test_rows), items.shape[1]


def unimodal(rows):
    return item_index.search(np.ascontiguousarray(users[rows]), args.candidates)


def neighbors(rows):
    q = peer_common.unit_rows(users[rows])
    _, idx = user_index.search(q, args.neighbors + 1)
    found = eligible[np.maximum(idx, 0)]
    keep = found != rows[:, None]  # drop the query's own row; otherwise the (k+1)-th
    keep[keep.sum(axis=1) > args.neighbors, -1] = False
    return found[keep].reshape(len(rows), args.neighbors)


def timed(search):
    search(test_rows[:64])  # warm-up
    runs = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        search(test_rows)
        runs.append(time.perf_counter() - start)
    return peer_common.timing(runs, n)


start = time.perf_counter()
item_index = faiss.IndexFlatIP(d)
item_index.add(items)
item_setup = time.perf_counter() - start
start = time.perf_counter()
user_index = faiss.IndexFlatIP(d)
user_index.add(peer_common.unit_rows(users[eligible]))
user_setup = time.perf_counter() - start

stages = {"neighbors": timed(neighbors), "unimodal_plain": timed(unimodal)}
blas = [f'{i.get("internal_api")} {i.get("version")} ({i.get("architecture")} kernels)'
        for i in __import__("threadpoolctl").threadpool_info() if i.get("user_api") == "blas"] \
    if __import__("importlib").util.find_spec("threadpoolctl") else []
peer_common.emit({
    "peer": "faiss " + faiss.__version__,
    "stages": stages,
    "setup_seconds": {"item_index": round(item_setup, 4), "user_index": round(user_setup, 4)},
    "users": len(user_ids), "items": items.shape[0], "timed_users": n, "neighbor_candidates": len(eligible),
    "dimension": d, "candidates": args.candidates, "neighbors": args.neighbors, "threads": args.threads,
    "repeats": args.repeats, "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "default"), "blas": blas,
})
