#!/usr/bin/env bash
# Scaling runs on synthetic graphs: one `MultiInterest.Benchmarks scale` process per size (so each peak working set
# belongs to one size), printing one JSON object per line, then a table of seconds per stage.
#
#   benchmarks/run_scale.sh [SIZES...]        (default: 1M 5M 20M)
#
# Environment: EPOCHS (2), CLUSTERS (2000), MAX_USERS (10000), THREADS (2), SEED (1); EXTRA: more scale options
# (e.g. EXTRA="--neighbor-index clustered --neighbor-probes 16").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1M 5M 20M)
dotnet build -c Release "$root/benchmarks/MultiInterest.Benchmarks" -v quiet -nologo >&2
harness="$root/benchmarks/MultiInterest.Benchmarks/bin/Release/net10.0/MultiInterest.Benchmarks.dll"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for size in "${sizes[@]}"; do
    # shellcheck disable=SC2086
    dotnet "$harness" scale --edges "$size" --epochs "${EPOCHS:-2}" --clusters "${CLUSTERS:-2000}" \
        --max-users "${MAX_USERS:-10000}" --threads "${THREADS:-2}" --seed "${SEED:-1}" ${EXTRA:-} | tr -d '\n' | tee -a "$out"
    echo | tee -a "$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
stages = ["generate", "split", "embedding", "clustering", "mixtures", "neighbors", "smoothing", "quota_retrieval", "unimodal"]
print("| edges | users | items | timed users | " + " | ".join(stages) + " | total s | peak MiB | live MiB (max) |")
print("|---" * (len(stages) + 7) + "|")
for r in rows:
    g, s = r["graph"], r["seconds"]
    print(f"| {g['edges']:,} | {g['users']:,} | {g['items']:,} | {r['timed_users']:,} | "
          + " | ".join(f"{s[k]:.2f}" if k in s else "-" for k in stages)
          + f" | {s['total']:.1f} | {r['peak_working_set_mb']:,.0f} | "
          + (f"{max(m['live_mb'] for m in r['memory'].values() if m.get('live_mb') is not None):,.0f}" if any(m.get('live_mb') is not None for m in r['memory'].values()) else "-") + " |")
for r in rows:
    n = r.get("neighbor_index")
    if n:  # EXTRA="--neighbor-index clustered": the index's build, its search and its recall against the exact search
        print(f"clustered neighbours, {r['graph']['edges']:,} edges: {n['lists']:,} lists, {n['probes']} probes, build "
              f"{r['seconds']['neighbor_index']:.2f} s, search {r['seconds']['neighbors']:.2f} s (exact {n['exact_seconds']:.2f} s), "
              f"recall@k {n['recall_at_k']:.4f}, {n['mean_rows_scanned']:,.0f} rows scanned per query")
PY
