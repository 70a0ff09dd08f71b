"""Shared by the k-means peers: arguments, thread limits, reading vectors and measuring the fit.

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
    args = p.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    return args


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
