#!/usr/bin/python3
"""Euclidean k-means (Lloyd) with scikit-learn on unit vectors, k-means++ init, tol=0; JSON report.

With --init FILE the unit rows of FILE are the starting centres (init_seconds 0). Otherwise the k-means++
seeding is timed on its own (sklearn.cluster.kmeans_plusplus, as KMeans(init='k-means++') calls it)
and its centres are passed to KMeans(n_init=1, max_iter, tol=0, algorithm='lloyd'), so init and Lloyd times are
separate. Centroids are normalised only for the mean cosine (sklearn's centroids are Euclidean means).
"""
import os
import time

import peer_common

args = peer_common.parse_args(__doc__)

import numpy as np  # noqa: E402  (after the thread variables are set)
import sklearn  # noqa: E402
from sklearn.cluster import KMeans, kmeans_plusplus  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

x = peer_common.read_unit_vectors(args.vectors)
n, d = x.shape
with threadpool_limits(limits=args.threads):
    if args.init:
        init, init_seconds = peer_common.read_unit_vectors(args.init), 0.0
    else:
        start = time.perf_counter()
        init, _ = kmeans_plusplus(x, args.clusters, random_state=args.seed)
        init_seconds = time.perf_counter() - start
    km = KMeans(n_clusters=args.clusters, init=init, n_init=1, max_iter=args.iterations, tol=0,
                algorithm="lloyd", random_state=args.seed)
    start = time.perf_counter()
    km.fit(x)
    lloyd_seconds = time.perf_counter() - start

centroids = peer_common.unit_rows(km.cluster_centers_)
peer_common.emit({
    "peer": "scikit-learn " + sklearn.__version__,
    "seconds": round(init_seconds + lloyd_seconds, 3),
    "init": "given (%s)" % os.path.basename(args.init) if args.init else "k-means++ (greedy)",
    "init_seconds": round(init_seconds, 3),
    "lloyd_seconds": round(lloyd_seconds, 3),
    "iteration_seconds": None,  # not exposed; lloyd_seconds / iterations is the mean
    # labels_ come from a final assignment against the final centres (sklearn re-runs the E-step after the loop).
    "mean_cosine": round(peer_common.mean_cosine_assigned(x, centroids, km.labels_), 5),
    "mean_cosine_nearest": round(peer_common.mean_cosine_nearest(x, centroids), 5),
    "last_assignment_objective": None,
    "points": n, "dimension": d, "clusters": args.clusters,
    "iterations": int(km.n_iter_), "threads": args.threads, "seed": args.seed,
})
