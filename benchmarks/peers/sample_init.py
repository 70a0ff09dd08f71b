#!/usr/bin/python3
"""Writes a shared k-means initialisation: CLUSTERS distinct rows of VECTORS drawn uniformly with SEED (FAISS's own
kind of init), in the same `id<TAB>v0...` format, so every runner of run_kmeans_side_by_side.sh starts from it.

    sample_init.py --vectors VECTORS.tsv --clusters N --seed N --out INIT.tsv
"""
import argparse

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("--vectors", required=True)
p.add_argument("--clusters", type=int, required=True)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--out", required=True)
args = p.parse_args()

import numpy as np  # noqa: E402

with open(args.vectors) as f:
    header = f.readline()
    rows = [line for line in f if line.strip()]
if args.clusters > len(rows):
    raise SystemExit(f"--clusters {args.clusters} exceeds the {len(rows)} rows of {args.vectors}")
chosen = np.sort(np.random.default_rng(args.seed).choice(len(rows), size=args.clusters, replace=False))
with open(args.out, "w") as f:
    f.write(header)
    f.writelines(rows[i] for i in chosen)
