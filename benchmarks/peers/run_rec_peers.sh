#!/usr/bin/env bash
# Runs the recommender peers (PureSVD, iALS with --tune) on one dataset directory holding train.tsv.gz and test.tsv.gz
# and appends their JSON lines to OUT (default ./peers.jsonl). Extra arguments go to ials.py.
# Usage: run_rec_peers.sh NAME DIR [ials args...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1; dir=$2; shift 2
out=${OUT:-peers.jsonl}
py=/usr/bin/python3
for algo in puresvd ials; do
  if [ $algo = puresvd ]; then args=(); else args=(--tune "$@"); fi
  line=$($py "$here/$algo.py" --train "$dir/train.tsv.gz" --test "$dir/test.tsv.gz" --threads 1 "${args[@]}" | tail -n 1)
  echo "{\"dataset\": \"$name\", ${line#\{}" >> "$out"
  echo "$name $algo done" >&2
done
