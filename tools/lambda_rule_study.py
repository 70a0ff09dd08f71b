#!/usr/bin/env python3
"""The history_mmr row's lambda rule, re-derived and studied on halves of its own hold-out.

Usage (numpy required, e.g. apt-get install python3-numpy):

  /usr/bin/python3 tools/lambda_rule_study.py DIR [DIR ...] [--halvings 100] [--z 0,0.5,1,2] [--seed 1]

Each DIR is the --out directory of `evaluate --export` or `reproduce --export` (metrics.json and
history_mmr_selection_users.tsv, the lambda choice's per-user validation figures).

1. Re-derivation.  From the per-user table alone (no C# code) it recomputes every candidate's
   validation means and applies the rule of docs/concepts.md ("Lambda chosen per graph"), written
   here from that text, and compares both with metrics.json's lambda_selection: the means to
   1e-12, the chosen candidate exactly (with the lead test in standard errors the run used,
   lambda_selection.recall_lead_errors).

2. Split-half study.  The rule reads means over about 10^4 validation users; a lead of a few
   hundredths of a point may be noise of which users were held out.  Variant z of the rule counts a
   candidate that changes the list's items (a lambda, or the row's own top 50 re-ordered) as keeping
   Unimodal's recall only when its paired Recall@50 lead is at least z standard errors (z = 0 is the
   library's rule; Unimodal's list re-ordered with the interests leads by exactly 0 with no error, so
   it always keeps the recall).  For each of --halvings seeded random halvings of the validation
   users, the variant chooses on half A (means, ties and errors from A alone) and its choice is
   scored on half B, users the choice never saw: B's paired Recall@50 lead over Unimodal, B's
   Diversity@10 over Unimodal's, whether B meets the issue's bar (Recall@50 >= Unimodal's,
   Diversity@10 >= 1.10x) and whether B loses recall (lead < 0).

   The adoption criterion was fixed before any figure was read (docs/results.md, "A lead the
   hold-out cannot tell from noise"): the smallest z > 0 is adopted when, averaged over the graphs
   and against z = 0, (a) the share of halvings losing recall on B falls by at least a third,
   (b) the share meeting the bar on B does not fall, and (c) the mean B lead falls by at most 0.05
   points.  The script prints the verdict; it does not decide anything else.
"""
import argparse
import csv
import json
import math
import os
import sys

import numpy as np

# The CLI's fixed rule settings (HistoryInterestDefaults: SelectionDiversityRatio, SelectionRecallTie, SelectionDiversityTie).
RATIO = 1.10
RECALL_TIE = 0.0005
DIVERSITY_TIE = 0.0005
# The re-ordering baseline's column ("reorder" in exports written before 2026-12-03 late night).
BASELINE_NAMES = ("reorder_baseline", "reorder")


def load(directory):
    if not os.path.isfile(os.path.join(directory, "metrics.json")):
        sys.exit(f"{directory}: no metrics.json (give the --out DIR of evaluate --export or reproduce --export)")
    with open(os.path.join(directory, "metrics.json")) as f:
        metrics = json.load(f)
    block = find_history(metrics)
    if block is None or "lambda_selection" not in block:
        sys.exit(f"{directory}: metrics.json has no history_mmr lambda_selection (was the lambda given?)")
    path = os.path.join(directory, "history_mmr_selection_users.tsv")
    with open(path) as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        rows = [r for r in reader]
    if not rows:
        sys.exit(f"{path}: no users")
    values = np.array([[float(x) for x in r[1:]] for r in rows])
    # Since 1.18.0 each candidate has three columns (Recall@50, Diversity@10, Diversity@50); before, the first two.
    width = 3 if len(header) > 3 and header[3].endswith("_diversity_at_50") else 2
    names = []
    for c in range(1, len(header), width):
        recall, diversity = header[c], header[c + 1]
        if not recall.endswith("_recall_at_50") or not diversity.endswith("_diversity_at_10") or recall[:-13] != diversity[:-16]:
            sys.exit(f"{path}: columns {c} and {c + 1} ({recall}, {diversity}) are not one candidate's recall and diversity")
        names.append(recall[:-13])
    table = {n: (values[:, width * j], values[:, width * j + 1]) for j, n in enumerate(names)}
    return block, table


def find_history(node):
    if isinstance(node, dict):
        if "lambda_selection" in node:
            return node
        for value in node.values():
            found = find_history(value)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = find_history(value)
            if found is not None:
                return found
    return None


def candidates(table, users):
    """Means, leads and errors of every candidate over `users` (row indices)."""
    ur, ud = table["unimodal"][0][users], table["unimodal"][1][users]
    out = {"unimodal": (ur.mean(), ud.mean())}
    baseline = next((name for name in BASELINE_NAMES if name in table), None)
    if baseline is not None:
        out["reorder_diversity"] = table[baseline][1][users].mean()
    lambdas, reorderings = [], []
    for name, (r, d) in table.items():
        if name == "unimodal" or name in BASELINE_NAMES:
            continue
        r, d = r[users], d[users]
        diff = r - ur
        n = len(diff)
        se = diff.std(ddof=1) / math.sqrt(n) if n > 1 else 0.0
        point = dict(name=name, recall=r.mean(), diversity=d.mean(), lead=diff.mean(), se=se)
        if name.startswith("lambda_"):
            point["lambda"] = float(name[len("lambda_"):])
            lambdas.append(point)
        else:
            reorderings.append(point)
    # The rule's order among the re-orderings: the row's own list, then Unimodal's.
    order = {"reordered": 0, "unimodal_reordered": 1}
    reorderings.sort(key=lambda p: order[p["name"]])
    lambdas.sort(key=lambda p: p["lambda"])
    out["lambdas"], out["reorderings"] = lambdas, reorderings
    return out


def pick(c, z):
    """docs/concepts.md's rule; with z > 0 a candidate keeps the recall only when its lead is >= z errors."""
    u_recall, u_div = c["unimodal"]
    reorder_div = c.get("reorder_diversity")

    def keeps(p):
        return p["recall"] >= u_recall if z == 0 else p["lead"] >= z * p["se"]

    def meets(p):
        return keeps(p) and p["diversity"] >= RATIO * u_div

    def beats(p):
        return meets(p) and p["diversity"] >= reorder_div

    def most_diverse(ps):
        most = max(p["diversity"] for p in ps)
        tied = [p for p in ps if p["diversity"] >= most - DIVERSITY_TIE]
        best = tied[0]
        for p in tied[1:]:
            if p["recall"] > best["recall"] or (p["recall"] == best["recall"] and p["diversity"] > best["diversity"]):
                best = p
        return best

    def best_recall(ps):
        best = max(p["recall"] for p in ps)
        return most_diverse([p for p in ps if p["recall"] >= best - RECALL_TIE])

    def clause(qualifies):
        ls = [p for p in c["lambdas"] if qualifies(p)]
        if ls:
            return best_recall(ls)
        for p in c["reorderings"]:
            if qualifies(p):
                return p
        return None

    if reorder_div is not None:
        chosen = clause(beats)
        if chosen is not None:
            return chosen, "beats_reordering"
    chosen = clause(meets)
    if chosen is not None:
        return chosen, "meets_bar"
    everything = c["lambdas"] + c["reorderings"]
    kept = [p for p in everything if keeps(p)]
    if kept:
        return most_diverse(kept), "keeps_recall"
    return best_recall(everything), "best_recall"


def rederive(name, block, table):
    sel = block["lambda_selection"]
    users = np.arange(len(table["unimodal"][0]))
    c = candidates(table, users)
    worst = 0.0
    worst = max(worst, abs(c["unimodal"][0] - sel["unimodal_recall_at_50"]), abs(c["unimodal"][1] - sel["unimodal_diversity_at_10"]))
    if "reorder_diversity" in c:
        worst = max(worst, abs(c["reorder_diversity"] - sel["reorder_diversity_at_10"]))
    if len(c["lambdas"]) != len(sel["points"]):
        sys.exit(f"{name}: {len(c['lambdas'])} lambda columns in the table against {len(sel['points'])} points in metrics.json")
    for p, q in zip(c["lambdas"], sel["points"]):
        if abs(p["lambda"] - q["lambda"]) > 1e-12:
            sys.exit(f"{name}: lambda {p['lambda']} against metrics.json's {q['lambda']}")
        worst = max(worst, abs(p["recall"] - q["recall_at_50"]), abs(p["diversity"] - q["diversity_at_10"]))
    for p in c["reorderings"]:
        q = sel[p["name"]]
        worst = max(worst, abs(p["recall"] - q["recall_at_50"]), abs(p["diversity"] - q["diversity_at_10"]))
    # Each candidate's paired lead and its standard error, where metrics.json has them (builds after 2026-12-03).
    for p, q in list(zip(c["lambdas"], sel["points"])) + [(p, sel[p["name"]]) for p in c["reorderings"]]:
        if q.get("recall_lead"):
            worst = max(worst, abs(p["lead"] - q["recall_lead"]["difference"]))
            # A single user's standard error is written as null.
            if q["recall_lead"]["standard_error"] is not None:
                worst = max(worst, abs(p["se"] - q["recall_lead"]["standard_error"]))
    # The rule's lead test as the run applied it (metrics.json before 2026-12-03 lacks it: the mean alone).
    chosen, rule = pick(c, float(sel.get("recall_lead_errors", 0)))
    expected_name = ("unimodal_reordered" if block["pool_search"] == "unimodal" else "reordered") if block["reorder"] \
        else lambda_name(block["lambda"])
    same = chosen["name"] == expected_name and rule == sel["rule"]
    return worst, chosen["name"], rule, expected_name, sel["rule"], same


def lambda_name(value):
    """The C# column name: the shortest round-trip form, 1 as "1" (not "1.0")."""
    text = repr(float(value))
    return "lambda_" + (text[:-2] if text.endswith(".0") else text)


def study(table, z_values, halvings, seed):
    n = len(table["unimodal"][0])
    rng = np.random.default_rng(seed)
    results = {z: [] for z in z_values}
    for _ in range(halvings):
        perm = rng.permutation(n)
        a, b = np.sort(perm[: n // 2]), np.sort(perm[n // 2:])
        ca = candidates(table, a)
        cb = candidates(table, b)
        by_name_b = {p["name"]: p for p in cb["lambdas"] + cb["reorderings"]}
        u_div_b = cb["unimodal"][1]
        for z in z_values:
            chosen, _ = pick(ca, z)
            pb = by_name_b[chosen["name"]]
            lead = pb["recall"] - cb["unimodal"][0]
            ratio = pb["diversity"] / u_div_b
            results[z].append((chosen["name"], lead * 100, ratio, lead >= 0 and ratio >= RATIO, lead < 0))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--halvings", type=int, default=100)
    ap.add_argument("--z", default="0,0.5,1,2")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    z_values = sorted({float(x) for x in args.z.split(",")} | {0.0})
    if z_values[0] < 0:
        sys.exit("--z: standard errors must be non-negative")

    print("Re-derivation of each graph's choice from its per-user table:")
    graphs = []
    ok = True
    for d in args.dirs:
        name = os.path.basename(os.path.normpath(d))
        block, table = load(d)
        worst, chosen, rule, expected, expected_rule, same = rederive(name, block, table)
        ok &= same and worst <= 1e-12
        print(f"  {name:20s} users {len(table['unimodal'][0]):6d}  means within {worst:.1e}  rule picks {chosen} ({rule}); "
              f"metrics.json {expected} ({expected_rule})  {'same' if same else 'DIFFERENT'}")
        graphs.append((name, table))
    if not ok:
        print("Re-derivation FAILED")

    print(f"\nSplit-half study: {args.halvings} halvings per graph (seed {args.seed}); chosen on A, scored on B.")
    summary = {z: [] for z in z_values}
    header = "  graph                " + "".join(f"| z={z:<4g} lead (pts)  loss  bar  D10x  " for z in z_values)
    print(header)
    for name, table in graphs:
        results = study(table, z_values, args.halvings, args.seed)
        line = f"  {name:20s} "
        for z in z_values:
            r = results[z]
            lead = np.mean([x[1] for x in r])
            loss = np.mean([x[4] for x in r])
            bar = np.mean([x[3] for x in r])
            ratio = np.mean([x[2] for x in r])
            summary[z].append((lead, loss, bar, ratio))
            line += f"| {lead:+7.3f}        {loss:4.2f}  {bar:4.2f} {ratio:5.3f}  "
        print(line)
    print("\nAveraged over the graphs (each graph weighs the same):")
    base = None
    verdict = None
    for z in z_values:
        s = np.array(summary[z])
        lead, loss, bar, ratio = s.mean(axis=0)
        print(f"  z = {z:<4g}: mean B lead {lead:+.3f} points, share losing recall on B {loss:.3f}, share meeting the bar on B {bar:.3f}, "
              f"Diversity@10 {ratio:.3f}x")
        if z == 0:
            base = (lead, loss, bar)
        elif verdict is None and base[1] > 0 and loss <= base[1] * 2 / 3 and bar >= base[2] and lead >= base[0] - 0.05:
            verdict = z
    print("\nVerdict by the criterion fixed in advance: " + (f"adopt z = {verdict:g}" if verdict is not None else "no z > 0 qualifies; the rule stays"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
