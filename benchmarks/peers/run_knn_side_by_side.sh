#!/usr/bin/env bash
# Exact search side by side: ours (MultiInterest.Benchmarks knn) and FAISS IndexFlatIP (knn_faiss_exact.py) on the
# same exported embeddings, same machine, same run, alternately ROUNDS times each. Compared: the k nearest users by
# cosine of every test user, and the unimodal top-M over all items (no training-item exclusion on either side).
# Ours also reports kNN smoothing, quota retrieval and the unimodal top-M with exclusion. Prints the raw JSON lines,
# then tables.
#
#   benchmarks/peers/run_knn_side_by_side.sh ARTIFACTS_DIR [TRAIN TEST]
#
# ARTIFACTS_DIR holds user_embeddings.tsv, item_embeddings.tsv and item_clusters.tsv (reproduce --out DIR --export);
# TRAIN and TEST default to data/cit-HepPh/{train,test}.tsv.gz.
# Environment: THREADS (2), ROUNDS (3), REPEATS (3, timed passes per stage inside each run), CANDIDATES (50),
# NEIGHBORS (10), MAX_USERS (0 = all test users), CORETYPES ("default SkylakeX"): OpenBLAS kernel sets FAISS runs
# under; "default" leaves OpenBLAS's own CPU detection, anything else is passed as OPENBLAS_CORETYPE (OpenBLAS 0.3.21
# detects some recent Xeons as Prescott: see docs/performance.md). Needs benchmarks/peers/install.sh to have run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
artifacts=${1:?usage: run_knn_side_by_side.sh ARTIFACTS_DIR [TRAIN TEST]}
train=${2:-$root/data/cit-HepPh/train.tsv.gz}
test=${3:-$root/data/cit-HepPh/test.tsv.gz}
threads=${THREADS:-2}; rounds=${ROUNDS:-3}; repeats=${REPEATS:-3}
candidates=${CANDIDATES:-50}; neighbors=${NEIGHBORS:-10}; max_users=${MAX_USERS:-0}
coretypes=${CORETYPES:-default SkylakeX}
common=(--train "$train" --test "$test" --artifacts "$artifacts" --threads "$threads" --repeats "$repeats"
        --candidates "$candidates" --neighbors "$neighbors" --max-users "$max_users")

dotnet build -c Release "$root/benchmarks/MultiInterest.Benchmarks" -v quiet -nologo >&2
ours="$root/benchmarks/MultiInterest.Benchmarks/bin/Release/net10.0/MultiInterest.Benchmarks.dll"
out=$(mktemp); errors=$(mktemp)
trap 'rm -f "$out" "$errors"' EXIT

# One JSON object per line, tagged with the runner and the round.
record() { # name round command...
    local name=$1 round=$2; shift 2
    local json
    # The runner's own error is shown when it fails (its standard error is kept aside, not thrown away).
    if ! json=$("$@" 2>"$errors" | tr -d '\n' | sed 's/^[^{]*//') || [ -z "$json" ]; then
        echo "error: $name, round $round, failed: $*" >&2
        tail -n 20 "$errors" >&2
        exit 1
    fi
    echo "{\"runner\": \"$name\", \"round\": $round, \"result\": $json}" | tee -a "$out"
}
peer_env() { # coretype -> env assignments
    if [ "$1" = default ]; then echo "OPENBLAS_VERBOSE=0"; else echo "OPENBLAS_CORETYPE=$1"; fi
}

for round in $(seq 1 "$rounds"); do
    record ours "$round" dotnet "$ours" knn "${common[@]}"
    for core in $coretypes; do
        record "faiss[$core]" "$round" env $(peer_env "$core") /usr/bin/python3 "$here/knn_faiss_exact.py" "${common[@]}"
    done
done
/usr/bin/python3 "$here/knn_side_by_side_table.py" < "$out"
