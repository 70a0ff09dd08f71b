"""Shared by the peers: arguments, thread limits, reading vectors and edges, measuring the fit, timing, JSON.

Import this module before numpy/faiss/sklearn: it sets the BLAS/OpenMP thread counts from --threads, and those
libraries read them when they load.
"""
import argparse
import json
import os
import sys


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--vectors", required=True, help="TSV: header id<TAB>v0..., one row per point")
    p.add_argument("--clusters", type=int, required=True)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init", help="TSV of starting centroids (same format as --vectors), in place of the peer's own init")
    args = p.parse_args()
    limit_threads(args.threads)
    return args


def limit_threads(threads):
    """Sets the OpenMP/BLAS thread counts; call before numpy, faiss or sklearn is imported."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)


def read_vectors_with_ids(path):
    """The ids and raw float32 vectors of an `id<TAB>v0...` file (as EmbeddingFile writes it), in file order."""
    import numpy as np
    with open(path) as f:
        d = len(f.readline().rstrip("\n").split("\t")) - 1
        ids = [line.split("\t", 1)[0] for line in f if line.strip()]
    x = np.loadtxt(path, delimiter="\t", skiprows=1, usecols=range(1, d + 1), dtype=np.float32, ndmin=2)
    return ids, np.ascontiguousarray(x)


def read_edge_users(path):
    """The set of user ids with at least one edge in a `user<TAB>item` TSV (gzip when the name ends in .gz)."""
    import gzip
    opener = gzip.open if path.endswith(".gz") else open
    users = set()
    with opener(path, "rt") as f:
        f.readline()  # header
        for line in f:
            if line.strip():
                users.add(line.split("\t", 1)[0])
    return users


def timing(runs, users):
    """A stage's timing as the harness reports it: median and best of the runs, users per second."""
    import statistics
    median = statistics.median(runs)
    best = min(runs)
    return {"seconds": round(median, 4), "best_seconds": round(best, 4), "runs": [round(r, 4) for r in runs],
            "users": users, "users_per_second": round(users / median) if median > 0 else 0,
            "best_users_per_second": round(users / best) if best > 0 else 0}


def read_unit_vectors(path):
    """The vectors of an `id<TAB>v0...` file as float32 rows scaled to unit length (zero rows stay zero)."""
    import numpy as np
    with open(path) as f:
        d = len(f.readline().rstrip("\n").split("\t")) - 1
    x = np.loadtxt(path, delimiter="\t", skiprows=1, usecols=range(1, d + 1), dtype=np.float32, ndmin=2)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x / np.where(norms > 0, norms, 1), dtype=np.float32)


def unit_rows(c):
    import numpy as np
    norms = np.linalg.norm(c, axis=1, keepdims=True)
    return np.ascontiguousarray(c / np.where(norms > 0, norms, 1), dtype=np.float32)


def mean_cosine_assigned(x, unit_centroids, labels):
    """Mean cosine of every (unit) point to the unit centroid of its assigned cluster."""
    import numpy as np
    return float(np.mean(np.einsum("ij,ij->i", x, unit_centroids[labels], dtype=np.float64)))


def mean_cosine_nearest(x, unit_centroids, chunk=4096):
    """Mean cosine of every (unit) point to its nearest unit centroid (computed the same way for every peer)."""
    import numpy as np
    total = 0.0
    for s in range(0, x.shape[0], chunk):
        total += float(np.sum(np.max(x[s:s + chunk] @ unit_centroids.T, axis=1), dtype=np.float64))
    return total / x.shape[0]


def emit(report):
    """Prints the report as JSON on the last line of stdout (peers may print warnings before it)."""
    sys.stdout.flush()
    print(json.dumps(report))
