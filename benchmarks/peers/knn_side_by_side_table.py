#!/usr/bin/python3
"""Reads the JSON lines of run_knn_side_by_side.sh on stdin; prints Markdown tables: the exact searches both runners do
(user neighbours, unimodal top-M without exclusion) as medians over rounds of each round's median, with the ratio of
ours to each FAISS run (< 1: ours is faster); then all of our stages, with quota retrieval's dot products per user."""
import json
import statistics
import sys

runs = {}
for line in sys.stdin:
    line = line.strip()
    if line:
        r = json.loads(line)
        runs.setdefault(r["runner"], []).append(r["result"])


def stage(results, name, key="seconds"):
    values = [r["stages"][name][key] for r in results if name in r.get("stages", {})]
    return statistics.median(values) if values else None


def fmt(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"


def rate(results, name):
    s = stage(results, name)
    users = results[0]["stages"][name]["users"] if s else None
    return round(users / s) if s else None


ours = runs.get("ours", [])
shared = ["neighbors", "unimodal_plain"]
print("| runner | rounds | neighbours s | neighbours users/s | unimodal top-M (no exclusion) s | users/s | ours/this neighbours | ours/this unimodal |")
print("|---|---|---|---|---|---|---|---|")
for name, results in runs.items():
    ratios = []
    for st in shared:
        mine, theirs = stage(ours, st), stage(results, st)
        ratios.append(mine / theirs if ours and name != "ours" and mine and theirs else None)
    print(f"| {name} | {len(results)} | {fmt(stage(results, 'neighbors'))} | {fmt(rate(results, 'neighbors'), 0)} "
          f"| {fmt(stage(results, 'unimodal_plain'))} | {fmt(rate(results, 'unimodal_plain'), 0)} "
          f"| {fmt(ratios[0], 2)} | {fmt(ratios[1], 2)} |")

if ours:
    print()
    print("| our stage | median s | users | users/s |")
    print("|---|---|---|---|")
    for st in ours[0]["stages"]:
        print(f"| {st} | {fmt(stage(ours, st))} | {ours[0]['stages'][st]['users']} | {fmt(rate(ours, st), 0)} |")
    work = ours[0]["quota_work"]
    print()
    print(f"Quota retrieval: {work['mean_dot_products']:.1f} item dot products per user on average "
          f"(max {work['max_dot_products']}) against {work['items']} items for the unimodal search: "
          f"{100 * work['fraction_of_items']:.2f}% of the catalogue; {ours[0]['short_quota_lists']} of "
          f"{ours[0]['timed_users']} lists shorter than M without the unimodal fallback.")
