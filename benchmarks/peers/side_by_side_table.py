#!/usr/bin/python3
"""Reads the JSON lines of run_kmeans_side_by_side.sh on stdin; prints a Markdown table of medians per runner
(seconds, init, Lloyd, Lloyd per iteration, mean cosine) with the ratio of ours to each FAISS run."""
import json
import statistics
import sys

runs = {}
for line in sys.stdin:
    line = line.strip()
    if line:
        r = json.loads(line)
        runs.setdefault(r["runner"], []).append(r["result"])


def med(results, key):
    values = [r[key] for r in results if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"


ours = runs.get("ours", [])
print(f"| runner | runs | seconds (each) | median s | init s | Lloyd s | s / iteration | iterations | mean cosine | ours/this total | ours/this Lloyd per it. |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name, results in runs.items():
    seconds = med(results, "seconds")
    lloyd = med(results, "lloyd_seconds")
    its = med(results, "iterations")
    per_it = lloyd / its if lloyd is not None and its else None
    ratio_total = ratio_it = None
    if ours and name != "ours":
        ours_per_it = med(ours, "lloyd_seconds") / med(ours, "iterations")
        ratio_total = med(ours, "seconds") / seconds
        ratio_it = ours_per_it / per_it if per_it else None
    each = ", ".join(f"{r['seconds']:.2f}" for r in results)
    print(f"| {name} | {len(results)} | {each} | {fmt(seconds, 2)} | {fmt(med(results, 'init_seconds'), 2)} | {fmt(lloyd, 2)} "
          f"| {fmt(per_it, 4)} | {fmt(its, 0)} | {fmt(med(results, 'mean_cosine_nearest'), 4)} "
          f"| {fmt(ratio_total, 2)} | {fmt(ratio_it, 2)} |")
