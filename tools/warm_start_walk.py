#!/usr/bin/env python3
"""Two simulated days of a daily refit, cold and warm-started (docs/persistence.md, "Refitting on new data").

  days     writes OUT/day0.tsv (the training edges minus a random FRACTION of them), OUT/day1.tsv (all training edges),
           OUT/day0_shuffled.tsv (day 0's lines in another order: the same edges, other keys), OUT/users.tsv (every
           training user) and OUT/unchanged.tsv (users whose training edges are the same on both days).
  jaccard  mean Jaccard of two list files' top K (`recommend --out`: user, rank, item, score, source) over the users of
           USERS, and the share of users whose lists are identical.
  recall   Recall@K of a list file on the test edges (docs/evaluation-protocol.md), over the test users; with --against,
           the paired difference from another list file and its standard error.

Pure Python (no numpy). Usage, as measured on cit-HepPh (2026-12-05; M = multiinterest):
  tools/warm_start_walk.py days --train data/cit-HepPh/train.tsv.gz --out out/warm
  M fit --train out/warm/day0.tsv --model out/warm/day0.zip --seed 1
  M fit --train out/warm/day1.tsv --model out/warm/day1.zip --seed 1
  M fit --train out/warm/day1.tsv --model out/warm/day1_warm.zip --seed 1 --warm-start out/warm/day0.zip
  M fit --train out/warm/day0_shuffled.tsv --model out/warm/day0s.zip --seed 1
  M fit --train out/warm/day0_shuffled.tsv --model out/warm/day0s_warm.zip --seed 1 --warm-start out/warm/day0.zip
  (the same with --retriever unimodal; and fixed ALS settings, cold and warm, with
   --retriever unimodal --algorithm implicit-als --dim 128 --als-reg 0.0005 --als-unobserved 0.003 --als-solver cg
   --als-cg-steps 4 --als-iterations 9, or 1, 2 or 3 for a warm fit), then for each zip
  M recommend --model out/warm/day1.zip --users out/warm/users.tsv --out out/warm/day1.lists.tsv
  tools/warm_start_walk.py jaccard --a out/warm/day0.lists.tsv --b out/warm/day1_warm.lists.tsv --users out/warm/unchanged.tsv
  tools/warm_start_walk.py recall --lists out/warm/day1_warm.lists.tsv --test data/cit-HepPh/test.tsv.gz --against out/warm/day1.lists.tsv
(day 0 against shuffled day 0: jaccard --users out/warm/users.tsv, every user.)
"""
import argparse
import collections
import random

from between_fits_walk import read_edges, read_ids, write  # the same file formats as the between-fits walk


def read_lists(path):
    ranked = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            user, rank, item = line.rstrip("\n").split("\t")[:3]
            ranked[user].append((int(rank), item))
    return {u: [i for _, i in sorted(r)] for u, r in ranked.items()}


def days(a):
    rng = random.Random(a.seed)
    day1 = read_edges(a.train)
    removed = set(rng.sample(range(len(day1)), round(a.fraction * len(day1))))
    day0 = [e for k, e in enumerate(day1) if k not in removed]
    shuffled = day0[:]
    rng.shuffle(shuffled)
    changed = {day1[k][0] for k in removed}
    users = sorted({u for u, _ in day1})
    write(f"{a.out}/day0.tsv", day0, "user\titem")
    write(f"{a.out}/day1.tsv", day1, "user\titem")
    write(f"{a.out}/day0_shuffled.tsv", shuffled, "user\titem")
    write(f"{a.out}/users.tsv", [(u,) for u in users], "user")
    write(f"{a.out}/unchanged.tsv", [(u,) for u in users if u not in changed], "user")
    new_items = {i for _, i in day1} - {i for _, i in day0}
    print(f"day 0: {len(day0):,} edges; day 1: {len(day1):,}; {len(users) - len(changed):,} of {len(users):,} users unchanged; "
          f"{len(new_items):,} items new on day 1")


def jaccard(a):
    first, second = read_lists(a.a), read_lists(a.b)
    users = [u for u in read_ids(a.users) if u in first and u in second]
    total, same = 0.0, 0
    for u in users:
        x, y = set(first[u][:a.k]), set(second[u][:a.k])
        total += len(x & y) / max(1, len(x | y))
        same += x == y
    print(f"mean Jaccard@{a.k} {total / max(1, len(users)):.4f} over {len(users):,} users; identical lists {same / max(1, len(users)):.3f}")


def recall(a):
    held = collections.defaultdict(set)
    for u, i in read_edges(a.test):
        held[u].add(i)

    def per_user(path):
        lists = read_lists(path)
        return [len(held[u] & set(lists.get(u, [])[:a.k])) / len(held[u]) for u in held]

    mine = per_user(a.lists)
    n = max(1, len(mine))
    print(f"Recall@{a.k} {sum(mine) / n:.4f} over {len(mine):,} test users")
    if a.against:
        diffs = [x - y for x, y in zip(mine, per_user(a.against))]
        mean = sum(diffs) / n
        se = (sum((d - mean) ** 2 for d in diffs) / max(1, n - 1) / n) ** 0.5
        print(f"  minus {a.against}'s: {mean:+.4f} (paired standard error {se:.4f})")


ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
sub = ap.add_subparsers(dest="command", required=True)
p = sub.add_parser("days")
p.add_argument("--train", required=True); p.add_argument("--out", required=True)
p.add_argument("--fraction", type=float, default=0.02); p.add_argument("--seed", type=int, default=20261205)
p = sub.add_parser("jaccard")
p.add_argument("--a", required=True); p.add_argument("--b", required=True); p.add_argument("--users", required=True)
p.add_argument("--k", type=int, default=50)
p = sub.add_parser("recall")
p.add_argument("--lists", required=True); p.add_argument("--test", required=True); p.add_argument("--k", type=int, default=50)
p.add_argument("--against", help="another list file: the paired difference of the two Recall@K and its standard error")
a = ap.parse_args()
{"days": days, "jaccard": jaccard, "recall": recall}[a.command](a)
