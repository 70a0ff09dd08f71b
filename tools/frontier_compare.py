#!/usr/bin/env python3
"""Compares a method's (Recall@50, Diversity@10) frontier with MMR's, from a metrics.json written with --frontier.

A frontier is the Pareto envelope of a knob's points (for each recall, the best diversity at that recall or above,
linearly interpolated). MMR is swept at its row's pool and, when that pool is longer than 50, again at a pool of 50
(the unimodal top 50 re-ordered: Unimodal's Recall@50 at every lambda, a more diverse head); the reference here is the
best of every MMR frontier in the file (each frontier's own envelope; the strongest MMR). At each MMR point the script
prints the method's envelope diversity at MMR's recall ('does not reach' when the method never gets that recall; counted
as below MMR in the closing count of points below), then the other way round, for the method's frontier at each of its pools and for the best of them (again the largest of the
frontiers' own envelopes: an envelope of the pooled points would interpolate between points of different frontiers and
could fall below one of them). Where metrics.json pairs a point with MMR's at the same lambda and pool, user by user
('versus_mmr'), the method's points also show that difference and its standard error. With --set the diversity is the whole list's
(Diversity@50, the set a retrieval stage hands on, which no re-ordering changes) instead of the head's (Diversity@10).
Usage:
  frontier_compare.py METRICS_JSON [METHOD KNOB] [--set]   (default: interest_mmr lambda)
"""
import json
import sys


def envelope(points):
    """The Pareto envelope: points sorted by recall, each with the best diversity at that recall or above."""
    pts = sorted((p["recall"], p["d"]) for p in points)
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


def label(frontier):
    return f"pool {frontier['pool']}" if frontier.get("pool") is not None else "no pool"


def best_at(envs, recall):
    """The largest of several frontiers' envelope diversities at this recall (None when none reaches it)."""
    values = [d for d in (diversity_at(env, recall) for env in envs) if d is not None]
    return max(values) if values else None


def paired(point):
    """The point minus MMR's at the same lambda and pool, user by user ('versus_mmr', written since 2026-12-05), or ''."""
    versus = point.get("versus_mmr")
    if not versus:
        return ""
    gap = versus[point["key"]]
    if gap is None or gap.get("difference") is None or gap.get("standard_error") is None:
        return ""
    return f"; vs MMR at this lambda, paired: {gap['difference']:+.5f} ± {gap['standard_error']:.5f}"


def compare(name, frontiers, mmr):
    """Prints the method's envelope at every MMR point and MMR's at every method point; returns the smallest margin.
    frontiers and mmr are lists of (label, points), one per frontier."""
    envs, mmr_envs = [envelope(f) for _, f in frontiers], [envelope(f) for _, f in mmr]
    worst = float("inf")
    beyond = below = points = 0
    print(f"{name}: its envelope's diversity at each MMR point's recall")
    for pool, p in ((pool, p) for pool, f in mmr for p in f):
        d = best_at(envs, p["recall"])
        gap = None if d is None else d - p["d"]
        points += 1
        if gap is not None:
            worst = min(worst, gap)
            below += gap < 0
        else:
            beyond += 1
        print(f"  MMR {pool}, lambda {p['value']:<4g} R@50 {p['recall']:.4f} D {p['d']:.4f}  "
              + ("does not reach this recall" if d is None else f"{d:.4f} ({gap:+.4f})"))
    print(f"{name}: MMR's envelope diversity at each of its points' recall")
    for label, p in ((label, p) for label, f in frontiers for p in f):
        d = best_at(mmr_envs, p["recall"])
        print(f"  {label}{p['value']:<4g} R@50 {p['recall']:.4f} D {p['d']:.4f}  MMR: "
              + ("does not reach this recall" if d is None else f"{d:.4f} ({p['d'] - d:+.4f})") + paired(p))
    print(f"smallest margin of {name} over MMR at MMR's points: {worst:+.4f}"
          + (f"; {beyond} MMR point(s) at a recall it never reaches (below MMR there)" if beyond else ""))
    print(f"{name} below MMR at {below + beyond} of {points} MMR points\n")
    return worst


def main():
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__)
        return
    args = [a for a in sys.argv[1:] if a != "--set"]
    if len(args) not in (1, 3) or any(a.startswith("-") for a in args):
        # A usage error exits 2, as the argparse tools' do.
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    key = "set_diversity" if len(args) != len(sys.argv) - 1 else "diversity"
    try:
        with open(args[0]) as f:
            metrics = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"cannot read {args[0]}: {e}")
    if "frontiers" not in metrics:
        sys.exit(f"{args[0]} has no frontiers: write it with evaluate or reproduce --frontier")
    method, knob = (args[1], args[2]) if len(args) > 2 else ("interest_mmr", "lambda")
    frontiers = [f for f in metrics["frontiers"] if f["knob"] == knob and f["method"] == method or f["method"] == "mmr" and f["knob"] == "lambda"]
    if any(p.get(key) is None for f in frontiers for p in f["points"]):
        sys.exit(f"{args[0]} has frontier points without '{key}' (written before it was measured)")
    # The chosen diversity as "d", read by everything below.
    for f in frontiers:
        f["points"] = [dict(p, d=p[key], key=key) for p in f["points"]]
    mmr = [(label(f), f["points"]) for f in frontiers if f["method"] == "mmr" and f["knob"] == "lambda"]
    ours = [f for f in frontiers if f["method"] == method and f["knob"] == knob]
    if not mmr or not ours:
        sys.exit(f"{args[0]} has no frontier of mmr over lambda or of {method} over {knob}")
    print(f"diversity: {'Diversity@50 of the whole list' if key == 'set_diversity' else 'Diversity@10 of the head'}\n")
    for f in ours:
        compare(f"{method} ({label(f)})", [(f"{knob} ", f["points"])], mmr)
    if len(ours) > 1:
        compare(f"{method} (every pool)", [(f"{label(f)}, {knob} ", f["points"]) for f in ours], mmr)


if __name__ == "__main__":
    main()
