#!/usr/bin/python3
"""Spherical k-means with FAISS (faiss.Kmeans, spherical=True) on unit vectors; JSON report.

Init: FAISS's random sample of points, or the unit rows of --init FILE (passed as init_centroids).
"""
import os
import time

import peer_common

args = peer_common.parse_args(__doc__)

import faiss  # noqa: E402  (after the thread variables are set)
import numpy as np  # noqa: E402

faiss.omp_set_num_threads(args.threads)
x = peer_common.read_unit_vectors(args.vectors)
n, d = x.shape
init = peer_common.read_unit_vectors(args.init) if args.init else None
km = faiss.Kmeans(d, args.clusters, niter=args.iterations, spherical=True, seed=args.seed, verbose=False)
start = time.perf_counter()
km.train(x, init_centroids=init)
seconds = time.perf_counter() - start

# iteration_stats[i]["time"] is cumulative from the start of training (sampling and init included).
cumulative = [s["time"] for s in km.iteration_stats]
iteration_seconds = [cumulative[0]] + [b - a for a, b in zip(cumulative, cumulative[1:])]
centroids = peer_common.unit_rows(km.centroids)
_, labels = km.index.search(x, 1)  # the index holds the final centroids: nearest = assigned to the final ones
nearest = peer_common.mean_cosine_nearest(x, centroids)
peer_common.emit({
    "peer": "faiss " + faiss.__version__,
    "seconds": round(seconds, 3),
    "init": "given (%s)" % os.path.basename(args.init) if args.init else "random sample",
    "init_seconds": None,  # not reported by FAISS; random sampling is negligible and folded into iteration 1
    "lloyd_seconds": round(cumulative[-1], 3),
    "iteration_seconds": [round(t, 4) for t in iteration_seconds],
    "mean_cosine": round(peer_common.mean_cosine_assigned(x, centroids, labels[:, 0]), 5),
    "mean_cosine_nearest": round(nearest, 5),
    "last_assignment_objective": round(km.iteration_stats[-1]["obj"] / n, 5),
    "points": n, "dimension": d, "clusters": args.clusters,
    "iterations": len(km.iteration_stats), "threads": args.threads, "seed": args.seed,
})
