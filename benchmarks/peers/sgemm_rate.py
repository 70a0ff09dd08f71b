#!/usr/bin/python3
"""Single-precision GEMM rate under numpy's BLAS (OpenBLAS): a 4096x4096x4096 product and the k-means shape
(n x d times d x k). Prints JSON with GFLOP/s (best and median of --repeats)."""
import argparse
import os

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--repeats", type=int, default=5)
p.add_argument("--n", type=int, default=28226)
p.add_argument("--d", type=int, default=100)
p.add_argument("--k", type=int, default=2000)
args = p.parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.threads)

import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def rate(m, kdim, n):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, kdim), dtype=np.float32)
    b = rng.standard_normal((kdim, n), dtype=np.float32)
    c = a @ b  # warm-up
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        times.append(time.perf_counter() - t)
    flops = 2.0 * m * kdim * n
    return {"shape": f"{m}x{kdim} @ {kdim}x{n}", "gflops_best": round(flops / min(times) / 1e9, 1),
            "gflops_median": round(flops / statistics.median(times) / 1e9, 1),
            "seconds_best": round(min(times), 4)}


blas = [f'{i.get("internal_api")} {i.get("version")} ({i.get("architecture")} kernels)' for i in
        __import__("threadpoolctl").threadpool_info() if i.get("user_api") == "blas"]
print(json.dumps({"threads": args.threads, "blas": blas, "square": rate(4096, 4096, 4096),
                  "kmeans_shape": rate(args.n, args.d, args.k)}))
