#!/usr/bin/env python3
"""A day between two fits, simulated on a train/test split (docs/persistence.md, "Between two fits").

  split  removes from the training edges the edges of N new users (test users with 1-20 training edges), every edge of
         N_ITEMS new items, and a quarter of the edges of N_ADDERS other test users (their engagements of the day), and
         writes OUT/fit.tsv (the edges the model is fitted on) and today's edges: OUT/new_users.tsv with
         OUT/new_user_history.tsv, OUT/adders.tsv with OUT/adder_history.tsv, OUT/new_items.tsv and OUT/today.tsv (all of them); also the new users'
         histories cut to 1, 3 and 5 items (OUT/new_user_history_N.tsv), and the adders under an id the model does not know
         with their whole history (OUT/adders_again.tsv, OUT/adder_whole_history.tsv: score them with --strip again-).
  cooc   writes the item-kNN baseline's lists (item-item cosine of user sets, summed over the user's history, the history
         excluded, ties to the lower id, topped up with the popular items) for the users of USERS from the history of
         HISTORY, counted over the edges of the --edges files (fit.tsv alone: what yesterday knew; fit.tsv and today.tsv:
         counts kept up to date during the day).
  slot   gives the last SLOTS places of each list of LISTS to the best items of COOC's list (cooc computed with today's edges)
         that are not in FIT (the items added since the fit), the model's list before them.
  score  Recall@K of a list file (`recommend --out`'s user, rank, item, score, source, or cooc's) on the test edges of the
         users of USERS, as docs/evaluation-protocol.md defines it, and how many test edges to new items the lists hit; with
         --vs OTHER, the paired difference (mean of the per-user differences, standard error) against OTHER's lists.

Pure Python (no numpy). Usage, as measured on cit-HepPh (2026-12-05):
  tools/between_fits_walk.py split --train data/cit-HepPh/train.tsv.gz --test data/cit-HepPh/test.tsv.gz --out out/walk
  multiinterest fit --train out/walk/fit.tsv --model out/walk/unimodal.zip --retriever unimodal
  multiinterest recommend --model out/walk/unimodal.zip --users out/walk/new_users.tsv --history out/walk/new_user_history.tsv --out out/walk/new.tsv
  tools/between_fits_walk.py score --lists out/walk/new.tsv --test data/cit-HepPh/test.tsv.gz --users out/walk/new_users.tsv --new-items out/walk/new_items.tsv
  tools/between_fits_walk.py cooc --edges out/walk/fit.tsv out/walk/today.tsv --users out/walk/new_users.tsv --history out/walk/new_user_history.tsv --out out/walk/cooc.tsv
  tools/between_fits_walk.py slot --lists out/walk/new.tsv --cooc out/walk/cooc.tsv --fit out/walk/fit.tsv --slots 3 --out out/walk/slotted.tsv
The new items folded in from the day's edges instead (docs/persistence.md, "New items between fits"): the day's edges of the
new items (new_items.tsv's rows of today.tsv, as out/walk/new_item_edges.tsv), or all of today.tsv, given to
  multiinterest recommend --model out/walk/unimodal.zip --users out/walk/new_users.tsv --history out/walk/new_user_history.tsv --new-item-edges out/walk/new_item_edges.tsv --out out/walk/folded.tsv
  tools/between_fits_walk.py score --lists out/walk/folded.tsv --test data/cit-HepPh/test.tsv.gz --users out/walk/new_users.tsv --new-items out/walk/new_items.tsv --vs out/walk/new.tsv
"""
import argparse
import collections
import gzip
import math
import os
import random


def read_edges(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        next(f)
        return [tuple(line.rstrip("\n").split("\t")[:2]) for line in f if line.strip()]


def read_ids(path):
    with open(path, encoding="utf-8") as f:
        next(f)
        return [line.rstrip("\n").split("\t")[0] for line in f if line.strip()]


def write(path, rows, header):
    with open(path, "w", encoding="utf-8") as f:
        f.write(header + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


def split(a):
    rng = random.Random(a.seed)
    train, test = read_edges(a.train), read_edges(a.test)
    items_of = collections.defaultdict(list)
    for u, i in train:
        items_of[u].append(i)
    test_users = sorted({u for u, _ in test})
    new_users = set(rng.sample([u for u in test_users if 1 <= len(items_of.get(u, [])) <= 20], a.users))
    new_items = set(rng.sample(sorted({i for _, i in train}), a.items))
    adders = set(rng.sample([u for u in test_users if u not in new_users and len(items_of.get(u, [])) >= 4], a.adders))
    added = set()
    for u in sorted(adders):
        its = sorted(items_of[u])
        added.update((u, i) for i in rng.sample(its, max(1, len(its) // 4)))
    fit, today = [], []
    for e in train:
        (today if e[0] in new_users or e[1] in new_items or e in added else fit).append(e)
    h = "user\titem"
    os.makedirs(a.out, exist_ok=True)
    write(f"{a.out}/fit.tsv", fit, h)
    write(f"{a.out}/today.tsv", today, h)
    write(f"{a.out}/new_users.tsv", [(u,) for u in sorted(new_users)], "user")
    write(f"{a.out}/new_user_history.tsv", [e for e in today if e[0] in new_users], h)
    write(f"{a.out}/adders.tsv", [(u,) for u in sorted(adders)], "user")
    write(f"{a.out}/adder_history.tsv", [e for e in today if e in added], h)
    write(f"{a.out}/new_items.tsv", [(i,) for i in sorted(new_items)], "item")
    # The users the model knows again under an id it does not know ("again-" + id), with their whole history (the fit's edges and
    # today's): served from that history instead of their trained vector (score --strip again-).
    write(f"{a.out}/adders_again.tsv", [("again-" + u,) for u in sorted(adders)], "user")
    write(f"{a.out}/adder_whole_history.tsv", [("again-" + u, i) for u, i in fit + sorted(added) if u in adders], h)
    # New users' histories cut to n items (drawn at random): a user with n engagements so far.
    for n in a.truncate:
        cut = []
        for u in sorted(new_users):
            its = sorted(items_of[u])
            cut += [(u, i) for i in sorted(rng.sample(its, min(n, len(its))))]
        write(f"{a.out}/new_user_history_{n}.tsv", cut, h)
    print(f"fit {len(fit):,} edges; today {len(today):,}: {len(new_users):,} new users, {len(new_items):,} new items, "
          f"{len(added):,} edges of {len(adders):,} users the model knows; "
          f"{sum(1 for _, i in test if i in new_items):,} of the {len(test):,} test edges name a new item")


def cooc(a):
    edges = sorted({e for path in a.edges for e in read_edges(path)})
    users_of, items_of = collections.defaultdict(list), collections.defaultdict(list)
    for u, i in edges:
        users_of[i].append(u)
        items_of[u].append(i)
    popular = sorted(users_of, key=lambda i: (-len(users_of[i]), i))
    history = collections.defaultdict(set)
    for u, i in read_edges(a.history):
        history[u].add(i)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("user\trank\titem\tscore\tsource\n")
        for u in read_ids(a.users):
            seen, score = history[u], collections.defaultdict(float)
            for i in seen:
                for v in users_of.get(i, []):
                    for j in items_of[v]:
                        if j not in seen:
                            score[j] += 1 / math.sqrt(len(users_of[i]) * len(users_of[j]))
            top = sorted(score, key=lambda j: (-score[j], j))[:a.k]
            top += [j for j in popular if j not in seen and j not in score][:a.k - len(top)]
            for r, j in enumerate(top, 1):
                f.write(f"{u}\t{r}\t{j}\t{score.get(j, 0):.6g}\tcooc\n")


def read_lists(path):
    lists = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            u, _, i = line.split("\t")[:3]
            lists[u].append(i)
    return lists


def slot(a):
    known = {i for _, i in read_edges(a.fit)}
    model, other = read_lists(a.lists), read_lists(a.cooc)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("user\trank\titem\tscore\tsource\n")
        for u, items in model.items():
            fresh = [i for i in other.get(u, []) if i not in known][:a.slots]
            for r, i in enumerate(items[:len(items) - len(fresh)] + fresh, 1):
                f.write(f"{u}\t{r}\t{i}\t0\tslotted\n")


def score(a):
    held = collections.defaultdict(set)
    for u, i in read_edges(a.test):
        held[u].add(i)
    lists = {u[len(a.strip):] if a.strip and u.startswith(a.strip) else u: items for u, items in read_lists(a.lists).items()}
    new_items = set(read_ids(a.new_items)) if a.new_items else set()
    users = [u[len(a.strip):] if a.strip and u.startswith(a.strip) else u for u in read_ids(a.users)]
    users = [u for u in users if held[u]]
    recall, hits, new_edges = 0.0, 0, 0
    per_user = []
    for u in users:
        top = set(lists.get(u, [])[:a.k])
        per_user.append(len(held[u] & top) / len(held[u]))
        recall += per_user[-1]
        new_edges += len(held[u] & new_items)
        hits += len(held[u] & new_items & top)
    print(f"Recall@{a.k} {recall / max(1, len(users)):.4f} over {len(users):,} users; "
          f"test edges to new items hit: {hits:,} of {new_edges:,}")
    if a.vs:
        # The same users' recall from the other lists: the mean of the per-user differences and its standard error.
        other = {u[len(a.strip):] if a.strip and u.startswith(a.strip) else u: items for u, items in read_lists(a.vs).items()}
        diffs = [r - len(held[u] & set(other.get(u, [])[:a.k])) / len(held[u]) for u, r in zip(users, per_user)]
        mean = sum(diffs) / max(1, len(diffs))
        se = math.sqrt(sum((d - mean) ** 2 for d in diffs) / max(1, len(diffs) - 1) / max(1, len(diffs)))
        print(f"paired vs {a.vs}: {100 * mean:+.2f} ± {100 * se:.2f} points of Recall@{a.k}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("split")
    p.add_argument("--train", required=True); p.add_argument("--test", required=True); p.add_argument("--out", required=True)
    p.add_argument("--users", type=int, default=2000); p.add_argument("--items", type=int, default=1000)
    p.add_argument("--adders", type=int, default=2000); p.add_argument("--seed", type=int, default=20261205)
    p.add_argument("--truncate", type=lambda v: [int(n) for n in v.split(",")], default=[1, 3, 5])
    p = sub.add_parser("cooc")
    p.add_argument("--edges", nargs="+", required=True); p.add_argument("--users", required=True)
    p.add_argument("--history", required=True); p.add_argument("--out", required=True); p.add_argument("--k", type=int, default=50)
    p = sub.add_parser("slot")
    p.add_argument("--lists", required=True); p.add_argument("--cooc", required=True); p.add_argument("--fit", required=True)
    p.add_argument("--slots", type=int, default=3); p.add_argument("--out", required=True)
    p = sub.add_parser("score")
    p.add_argument("--lists", required=True); p.add_argument("--test", required=True); p.add_argument("--users", required=True)
    p.add_argument("--new-items"); p.add_argument("--k", type=int, default=50)
    p.add_argument("--strip", default="", help="a prefix of user ids to drop (adders_again.tsv's 'again-')")
    p.add_argument("--vs", help="another list file of the same users: also print the paired difference of Recall@K (this minus that)")
    a = ap.parse_args()
    {"split": split, "cooc": cooc, "slot": slot, "score": score}[a.command](a)


if __name__ == "__main__":  # warm_start_walk.py imports the readers
    main()
