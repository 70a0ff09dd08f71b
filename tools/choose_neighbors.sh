#!/usr/bin/env bash
# Chooses k (neighbours) for kNN-Embed without looking at the test split: the training split is split
# again with the protocol's hold-out, embeddings and clusters are fitted on the inner training part, and
# each k is scored on the inner held-out part. Usage: tools/choose_neighbors.sh [WORKDIR] [k ...]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-out/choose-neighbors}
shift || true
ks=("$@")
[ ${#ks[@]} -gt 0 ] || ks=(5 10 20 50 100)
cli=(dotnet run -c Release --no-build --project samples/MultiInterest.Cli --)
dotnet build -c Release samples/MultiInterest.Cli >/dev/null
mkdir -p "$work"
"${cli[@]}" split --edges data/cit-HepPh/train.tsv.gz --train "$work/inner-train.tsv" --test "$work/validation.tsv" --seed 7
"${cli[@]}" evaluate --train "$work/inner-train.tsv" --test "$work/validation.tsv" --out "$work/fit" --export --neighbors 10 | tail -n 8
for k in "${ks[@]}"; do
  "${cli[@]}" evaluate --train "$work/inner-train.tsv" --test "$work/validation.tsv" --out "$work/k$k" \
    --user-embeddings "$work/fit/user_embeddings.tsv" --item-embeddings "$work/fit/item_embeddings.tsv" \
    --item-clusters "$work/fit/item_clusters.tsv" --neighbors "$k" | grep -E '^\| (kNN-Embed|Mixture|Unimodal)' | sed "s/^/k=$k /"
done
