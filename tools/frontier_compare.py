#!/usr/bin/env python3
"""Compares a method's (Recall@50, Diversity@10) frontier with MMR's, from a metrics.json written with --frontier.

A frontier is the Pareto envelope of a knob's points (for each recall, the best diversity at that recall or above,
linearly interpolated). At every MMR point the script prints the method's envelope diversity at MMR's recall ('none'
when the method never reaches that recall), then the same the other way round. Usage:
  frontier_compare.py METRICS_JSON [METHOD KNOB]   (default: interest_mmr lambda)
"""
import json
import sys


def envelope(points):
    """MMR's Pareto envelope: points sorted by recall, each with the best diversity at that recall or above."""
    pts = sorted((p["recall"], p["diversity"]) for p in points)
    best = []
    top = float("-inf")
    for r, d in reversed(pts):
        if d > top:
            best.append((r, d))
            top = d
    return sorted(best)


def diversity_at(env, recall):
    if recall > env[-1][0]:
        return None
    if recall <= env[0][0]:
        return env[0][1]
    for (r0, d0), (r1, d1) in zip(env, env[1:]):
        if r0 <= recall <= r1:
            return d0 + (d1 - d0) * (recall - r0) / (r1 - r0) if r1 > r0 else max(d0, d1)
    return None


def main():
    metrics = json.load(open(sys.argv[1]))
    method, knob = (sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else ("interest_mmr", "lambda")
    frontiers = {(f["method"], f["knob"]): f["points"] for f in metrics["frontiers"]}
    mmr, other = frontiers[("mmr", "lambda")], frontiers[(method, knob)]
    mmr_env, other_env = envelope(mmr), envelope(other)
    worst = float("inf")
    print(f"at MMR's points: {method}'s envelope diversity at the same recall")
    for p in mmr:
        d = diversity_at(other_env, p["recall"])
        gap = None if d is None else d - p["diversity"]
        if gap is not None:
            worst = min(worst, gap)
        print(f"  MMR lambda {p['value']:<4g} R@50 {p['recall']:.4f} D@10 {p['diversity']:.4f}  {method}: "
              + ("does not reach this recall" if d is None else f"{d:.4f} ({gap:+.4f})"))
    print(f"at {method}'s points: MMR's envelope diversity at the same recall")
    for p in other:
        d = diversity_at(mmr_env, p["recall"])
        print(f"  {knob} {p['value']:<4g} R@50 {p['recall']:.4f} D@10 {p['diversity']:.4f}  MMR: "
              + ("does not reach this recall" if d is None else f"{d:.4f} ({p['diversity'] - d:+.4f})"))
    print(f"smallest margin of {method} over MMR at MMR's points: {worst:+.4f}")


if __name__ == "__main__":
    main()
