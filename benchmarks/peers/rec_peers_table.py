#!/usr/bin/env python3
"""Markdown table of the recommender peers' JSON lines (run_rec_peers.sh output) and their JSON array.
Usage: rec_peers_table.py PEERS.jsonl [--json OUT.json]"""
import json
import sys


def main():
    usage = "usage: rec_peers_table.py PEERS.jsonl [--json OUT.json]  (the file as an argument, not on standard input)"
    if len(sys.argv) >= 2 and sys.argv[1] in ("-h", "--help"):
        print(usage)
        sys.exit(0)
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(usage)
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    first = {}
    for r in rows:
        first.setdefault(r["dataset"], len(first))
    rows.sort(key=lambda r: (first[r["dataset"]], r["algorithm"] != "PureSVD"))  # grouped by dataset, PureSVD first
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as f:
            json.dump(rows, f, indent=1)
    print("| dataset | users | items | train edges | algorithm | settings | Recall@20 | NDCG@20 | Recall@50 | fit s | eval s | total s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["algorithm"] == "iALS":
            settings = f"d={r['dim']} reg={r['reg']} alpha0={r['alpha0']} iters={r['iters']}"
            total = r["total_seconds"]
        else:
            settings = f"d={r['dim']}"
            total = round(r["load_seconds"] + r["fit_seconds"] + r["eval_seconds"], 1)
        print(f"| {r['dataset']} | {r['users']:,} | {r['items']:,} | {r['train_edges']:,} | {r['algorithm']} | {settings} | "
              f"{r['recall@20']:.4f} | {r['ndcg@20']:.4f} | {r['recall@50']:.4f} | {r['fit_seconds']} | {r['eval_seconds']} | {total} |")


if __name__ == "__main__":
    main()
