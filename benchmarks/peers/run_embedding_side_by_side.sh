#!/usr/bin/env bash
# Embedding algorithms side by side with the numpy/scipy peers, on one dataset directory holding train.tsv.gz and
# test.tsv.gz, alternating the runs round by round (the machine is shared: compare within a round).
# Same settings on both sides: truncated SVD d=100 (ours: PureSVD settings a=0, gamma=1, c=0, and our default
# normalisation) against PureSVD d=100; implicit ALS d=128, 8 iterations, reg 0.0005, alpha0 0.003 against ials.py.
# Prints one JSON line per run: side, algorithm, round, fit seconds, edges/s, Recall@20 where the runner reports it.
# Usage: run_embedding_side_by_side.sh DIR [ROUNDS]   (THREADS=2 by default for ours; the peers use BLAS threads)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${1:?usage: run_embedding_side_by_side.sh DIR [ROUNDS]  (DIR holds train.tsv.gz and test.tsv.gz)}; rounds=${2:-2}; threads=${THREADS:-2}
py=/usr/bin/python3
train="$dir/train.tsv.gz"; test="$dir/test.tsv.gz"
for f in "$train" "$test"; do [ -f "$f" ] || { echo "error: $f does not exist (DIR must hold train.tsv.gz and test.tsv.gz)" >&2; exit 1; }; done
errors=$(mktemp); trap 'rm -f "$errors"' EXIT
dotnet build -c Release "$root/benchmarks/MultiInterest.Benchmarks" > /dev/null
# Our runner's standard error is kept aside and shown if it fails, rather than thrown away.
ours() {
  dotnet run -c Release --no-build --project "$root/benchmarks/MultiInterest.Benchmarks" -- embed --train "$train" --test "$test" --threads "$threads" "$@" 2>"$errors" \
    || { echo "error: embed $* failed:" >&2; tail -n 20 "$errors" >&2; exit 1; }
}
field() { $py -c "import json,sys; d=json.loads(sys.stdin.read()); print(json.dumps({k: d.get(k) for k in sys.argv[1:]}))" "$@"; }
for r in $(seq 1 "$rounds"); do
  ours --algorithm truncatedsvd --dim 100 --svd-normalization 0 --svd-gamma 1 --svd-item-degree 0 \
    | field seconds edges_per_second recall_at_10 recall_at_20 recall_at_50 | sed "s/^{/{\"side\": \"ours\", \"algorithm\": \"PureSVD d=100\", \"round\": $r, /"
  $py "$here/puresvd.py" --train "$train" --test "$test" --dim 100 | tail -n 1 | field fit_seconds recall@10 recall@20 recall@50 \
    | sed "s/^{/{\"side\": \"numpy\", \"algorithm\": \"PureSVD d=100\", \"round\": $r, /"
  ours --algorithm truncatedsvd --dim 100 | field seconds edges_per_second recall_at_10 recall_at_20 recall_at_50 \
    | sed "s/^{/{\"side\": \"ours\", \"algorithm\": \"TruncatedSvd defaults d=100\", \"round\": $r, /"
  ours --algorithm implicitals --dim 128 --als-iterations 8 --als-reg 0.0005 --als-unobserved 0.003 --als-solver cg \
    | field seconds edges_per_second recall_at_10 recall_at_20 recall_at_50 | sed "s/^{/{\"side\": \"ours\", \"algorithm\": \"iALS d=128 8 it (CG)\", \"round\": $r, /"
  $py "$here/ials.py" --train "$train" --test "$test" --dim 128 --iters 8 --reg 0.0005 --alpha0 0.003 | tail -n 1 \
    | field fit_seconds recall@10 recall@20 recall@50 | sed "s/^{/{\"side\": \"numpy\", \"algorithm\": \"iALS d=128 8 it\", \"round\": $r, /"
  ours --algorithm negativesampling | field seconds edges_per_second recall_at_10 recall_at_20 recall_at_50 \
    | sed "s/^{/{\"side\": \"ours\", \"algorithm\": \"NegativeSampling defaults\", \"round\": $r, /"
done
