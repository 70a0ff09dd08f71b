#!/usr/bin/env python3
"""Popularity bias and catalogue coverage of every row of an `evaluate --export` (or `reproduce --export`) run.

Pure Python (no numpy). Reads the run's candidates.tsv (`user method rank item score`, one line per candidate) and the
training and test files it was run on, and prints, for each method's lists at one cutoff K (default 50; each cutoff is
its own retrieval, so `METHOD@50` lines only):

  coverage      distinct items recommended to the test users / catalogue (items with >= 1 training edge: the item table)
  gini          Gini coefficient of item exposure over the whole catalogue (exposure = number of lists an item is in;
                items never recommended count with 0; 0 = every item equally exposed, 1 = one item takes every slot)
  pop_pct       mean popularity percentile of the recommended items, over every recommended slot (an item's percentile =
                100 * (items of lower training degree + half the items of equal degree, itself excluded) / (catalogue - 1);
                the catalogue's own mean is 50)
  tail_share    share of recommended slots holding a long-tail item: outside the top --head-share (20%) of the catalogue
                by training degree (items tied at the boundary degree are all head, so the head can be a little larger
                than 20%: its real share is printed)
  recall        Recall@K as docs/evaluation-protocol.md defines it (mean over every test user, a user without a list
                counting 0): a check that the file is read as the evaluator read it (compared with metrics.json when
                --metrics is given)
  tail_recall   Recall@K on the test edges whose item is long-tail: per user |list & tail held-out| / |tail held-out|,
                averaged over the test users with >= 1 long-tail held-out item (head_recall likewise for head items)
  tail_hits     share of the row's hits (micro: over all test edges) that are long-tail items

A reference row `most_popular` (the K highest-degree items the user has not trained on, ties to the item first met in
the training file) is added, computed here, so the popularity end of the scale is on the same table.

Commands used for docs/results.md, "Popularity bias and catalogue coverage" (2026-12-05, 2 cores, shared; each
script line run again with --k 10 for the heads' table):

  CLI="dotnet samples/MultiInterest.Cli/bin/Release/net10.0/multiinterest.dll"
  $CLI evaluate --train data/cit-HepPh/train.tsv.gz --test data/cit-HepPh/test.tsv.gz --out /tmp/h2out/hep \\
      --export --knn-round-robin --dcm --dcm-warm-start --plot-users 0 --threads 2
  python3 tools/coverage_walk.py --train data/cit-HepPh/train.tsv.gz --test data/cit-HepPh/test.tsv.gz \\
      --candidates /tmp/h2out/hep/candidates.tsv --metrics /tmp/h2out/hep/metrics.json --json /tmp/h2out/hep/coverage.json
  $CLI evaluate --train /work/shared/datasets/gowalla/train.tsv.gz --test /work/shared/datasets/gowalla/test.tsv.gz \\
      --out /tmp/h2out/gow --export --knn-round-robin --plot-users 0 --threads 2
  python3 tools/coverage_walk.py --train /work/shared/datasets/gowalla/train.tsv.gz \\
      --test /work/shared/datasets/gowalla/test.tsv.gz --candidates /tmp/h2out/gow/candidates.tsv \\
      --metrics /tmp/h2out/gow/metrics.json --json /tmp/h2out/gow/coverage.json

Options: --k K (default 50), --head-share X (default 0.2), --markdown (print a markdown table), --json FILE,
--baseline ROW (default unimodal: the row the tail recall is compared with, user by user).

--candidates may also be a `recommend --out` file (user rank item score source): its lists are the row `served`, read
to rank K (a model's lists of M >= K candidates; unlike evaluate's rows, not a retrieval of K of its own).
"""
import argparse
from cli_files import existing_file
import collections
import gzip
import json
import math
import sys


def read_pairs(path):
    """(user, item) pairs of a user<TAB>item file with a header line (.gz allowed), in file order, repeats kept."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        header = f.readline()
        if not header:
            raise SystemExit(f"{path} is empty")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            yield parts[0], parts[1]


def gini(values):
    """Gini coefficient of non-negative values (0 equal, (n-1)/n one value holds all)."""
    xs = sorted(values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return 2.0 * weighted / (n * total) - (n + 1.0) / n


class Row:
    """Accumulates one method's lists at the cutoff: exposure, popularity and the per-user recall terms."""

    def __init__(self, name, k):
        self.name = name
        self.k = k
        self.short_lists = self.repeated_lists = self.lists_with_seen = 0
        self.exposure = collections.Counter()
        self.slots = 0
        self.pct_sum = 0.0
        self.tail_slots = 0
        self.users = set()
        self.recall_sum = self.tail_recall_sum = self.head_recall_sum = 0.0
        self.hits = self.tail_hits = 0
        self.tail_by_user = {}

    def add(self, user, items, percentile, tail, held, seen):
        if user in self.users:
            raise SystemExit(f"{self.name}: two lists for the user {user} (the file is not grouped by user and method)")
        self.users.add(user)
        if len(items) < self.k:
            self.short_lists += 1
        if len(set(items)) < len(items):
            self.repeated_lists += 1
        if any(i in seen[user] for i in items):
            self.lists_with_seen += 1
        for item in items:
            self.exposure[item] += 1
            self.slots += 1
            self.pct_sum += percentile.get(item, 0.0)
            if item in tail:
                self.tail_slots += 1
        items_held = held.get(user)
        if not items_held:
            return
        listed = set(items)
        got = listed & items_held
        self.hits += len(got)
        self.recall_sum += len(got) / len(items_held)
        t = [i for i in items_held if i in tail]
        h = [i for i in items_held if i not in tail and i in percentile]
        t_got = sum(1 for i in t if i in listed)
        self.tail_hits += t_got
        if t:
            self.tail_recall_sum += t_got / len(t)
            self.tail_by_user[user] = t_got / len(t)
        if h:
            self.head_recall_sum += sum(1 for i in h if i in listed) / len(h)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True, type=existing_file)
    p.add_argument("--test", required=True, type=existing_file)
    p.add_argument("--candidates", required=True, type=existing_file, help="candidates.tsv of evaluate --export")
    p.add_argument("--metrics", type=existing_file, help="metrics.json of the same run: Recall@K is checked against it")
    p.add_argument("--k", type=int, default=50)
    p.add_argument("--head-share", type=float, default=0.2)
    p.add_argument("--json", help="write the figures here")
    p.add_argument("--baseline", default="unimodal", help="row the tail recall is compared with, user by user")
    p.add_argument("--markdown", action="store_true")
    a = p.parse_args()

    # Training degrees (distinct pairs) and each user's training items.
    seen = collections.defaultdict(set)
    degree = collections.Counter()
    order = {}
    for user, item in read_pairs(a.train):
        if item not in seen[user]:
            seen[user].add(item)
            degree[item] += 1
            order.setdefault(item, len(order))
    catalogue = list(degree)
    n = len(catalogue)

    # Popularity percentile (mid-rank, among the other items) and the head / tail split.
    by_degree = collections.Counter(degree.values())
    below = 0
    pct_of_degree = {}
    for d in sorted(by_degree):
        pct_of_degree[d] = 100.0 * (below + 0.5 * (by_degree[d] - 1)) / max(1, n - 1)
        below += by_degree[d]
    percentile = {item: pct_of_degree[degree[item]] for item in catalogue}
    ranked = sorted(catalogue, key=lambda i: (-degree[i], order[i]))
    boundary = degree[ranked[max(0, math.ceil(a.head_share * n) - 1)]]
    head = {i for i in catalogue if degree[i] >= boundary}
    tail = set(catalogue) - head

    # Held-out items per test user (distinct pairs; items unseen in training stay in the denominators, as misses).
    held = collections.defaultdict(set)
    for user, item in read_pairs(a.test):
        held[user].add(item)
    test_edges = sum(len(s) for s in held.values())
    tail_edges = sum(1 for s in held.values() for i in s if i in tail)
    unseen_edges = sum(1 for s in held.values() for i in s if i not in degree)

    # The lists at the cutoff, method by method.
    suffix = f"@{a.k}"
    rows = {}
    current = None  # (user, method) whose entries are being gathered
    entries = []

    def flush():
        if current is None or not entries:
            return
        user, method = current
        row = rows.setdefault(method, Row(method, a.k))
        entries.sort()
        row.add(user, [item for _, item in entries], percentile, tail, held, seen)

    with open(a.candidates, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        served = header[:3] == ["user", "rank", "item"]  # `recommend --out`: one list per user, its first K read
        if header[:4] != ["user", "method", "rank", "item"] and not served:
            raise SystemExit(f"{a.candidates}: neither evaluate's candidates.tsv (user method rank item score) nor a "
                             f"recommend --out list (user rank item score source); header {header}")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if served:
                user, rank, item = parts[0], parts[1], parts[2]
                if int(rank) > a.k:
                    continue
                method = "served"
            else:
                user, name, rank, item = parts[0], parts[1], parts[2], parts[3]
                if not name.endswith(suffix):
                    continue
                method = name[: -len(suffix)]
            if (user, method) != current:
                flush()
                current, entries = (user, method), []
            entries.append((int(rank), item))
        flush()
    if not rows:
        raise SystemExit(f"{a.candidates} holds no list at the cutoff {a.k}")

    # Reference: the most popular unseen items.
    pop = Row("most_popular", a.k)
    test_users_with_lists = set().union(*(r.users for r in rows.values()))
    for user in held:
        if user not in test_users_with_lists:
            continue
        items = []
        for item in ranked:
            if item not in seen[user]:
                items.append(item)
                if len(items) == a.k:
                    break
        pop.add(user, items, percentile, tail, held, seen)
    rows["most_popular"] = pop

    metrics = None
    if a.metrics:
        with open(a.metrics, encoding="utf-8") as f:
            metrics = json.load(f).get("methods", {})

    users_with_tail = sum(1 for s in held.values() if any(i in tail for i in s))
    users_with_head = sum(1 for s in held.values() if any(i in head for i in s))
    tail_users = [u for u, s in held.items() if any(i in tail for i in s)]
    base = rows.get(a.baseline)
    results = []
    for name, row in rows.items():
        exposure = [row.exposure.get(i, 0) for i in catalogue]
        r = {
            "method": name,
            "users": len(row.users),
            "short_lists": row.short_lists,
            "lists_with_repeats": row.repeated_lists,
            "lists_with_training_items": row.lists_with_seen,
            "coverage": len(row.exposure) / n,
            "distinct_items": len(row.exposure),
            "gini": gini(exposure),
            "pop_pct": row.pct_sum / max(1, row.slots),
            "tail_share": row.tail_slots / max(1, row.slots),
            "recall": row.recall_sum / len(held),
            "tail_recall": row.tail_recall_sum / max(1, users_with_tail),
            "head_recall": row.head_recall_sum / max(1, users_with_head),
            "tail_hit_share": row.tail_hits / max(1, row.hits),
        }
        if base is not None and row is not base and len(tail_users) > 1:
            diffs = [row.tail_by_user.get(u, 0.0) - base.tail_by_user.get(u, 0.0) for u in tail_users]
            mean = sum(diffs) / len(diffs)
            var = sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1)
            r["tail_recall_vs_baseline"] = mean
            r["tail_recall_vs_baseline_se"] = math.sqrt(var / len(diffs))
        if metrics is not None and name in metrics:
            reported = metrics[name].get("recall", {}).get(str(a.k))
            if reported is not None:
                r["recall_metrics_json"] = reported
                if abs(reported - r["recall"]) > 1e-6:
                    print(f"warning: {name} Recall@{a.k} {r['recall']:.6f} here, {reported:.6f} in metrics.json",
                          file=sys.stderr)
        if row.short_lists or row.repeated_lists or row.lists_with_seen:
            print(f"note: {name}: {row.short_lists} lists shorter than {a.k}, {row.repeated_lists} with a repeated item, "
                  f"{row.lists_with_seen} holding a training item of the user", file=sys.stderr)
        results.append(r)

    summary = {
        "k": a.k,
        "catalogue": n,
        "head_share_asked": a.head_share,
        "head_items": len(head),
        "head_share_real": len(head) / n,
        "head_boundary_degree": boundary,
        "test_users": len(held),
        "test_edges": test_edges,
        "test_edges_tail": tail_edges,
        "test_edges_unseen_item": unseen_edges,
        "rows": results,
    }
    print(f"catalogue {n} items; head = degree >= {boundary}: {len(head)} items ({100 * len(head) / n:.1f}%); "
          f"test users {len(held)}, test edges {test_edges}, of them to long-tail items {tail_edges} "
          f"({100 * tail_edges / max(1, test_edges):.1f}%), to items unseen in training {unseen_edges}")
    cols = ["method", "coverage", "gini", "pop_pct", "tail_share", "recall", "tail_recall", "vs_" + a.baseline,
            "head_recall", "tail_hit_share"]
    if a.markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
    for r in results:
        cells = [r["method"], f"{100 * r['coverage']:.1f}%", f"{r['gini']:.3f}", f"{r['pop_pct']:.1f}",
                 f"{100 * r['tail_share']:.1f}%", f"{100 * r['recall']:.1f}%", f"{100 * r['tail_recall']:.1f}%",
                 (f"{100 * r['tail_recall_vs_baseline']:+.2f} ± {100 * r['tail_recall_vs_baseline_se']:.2f}"
                  if "tail_recall_vs_baseline" in r else ""),
                 f"{100 * r['head_recall']:.1f}%", f"{100 * r['tail_hit_share']:.1f}%"]
        if a.markdown:
            print("| " + " | ".join(cells) + " |")
        else:
            print("  ".join(f"{c:>{max(len(h), 8)}}" if i else f"{c:<24}" for i, (c, h) in enumerate(zip(cells, cols))))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
