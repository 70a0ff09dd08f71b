#!/usr/bin/env bash
# Spherical k-means side by side: ours (MultiInterest.Benchmarks kmeans), FAISS and scikit-learn on the same
# vectors, same machine, same run, run alternately ROUNDS times each. Prints the raw JSON lines, then a table.
#
#   benchmarks/peers/run_kmeans_side_by_side.sh VECTORS.tsv
#
# Environment: CLUSTERS (2000), ITERATIONS (20), THREADS (2), SEED (0), ROUNDS (3),
# CORETYPES ("default SkylakeX"): OpenBLAS kernel sets the peers run under; "default" leaves OpenBLAS's own CPU
# detection, anything else is passed as OPENBLAS_CORETYPE (OpenBLAS 0.3.21 detects some recent Xeons as Prescott).
# INIT ("own"): "own" lets each runner seed itself (ours and scikit-learn k-means++, FAISS a random sample);
# "shared" draws CLUSTERS rows of the vectors with SEED (sample_init.py) and starts every runner from them.
# Needs benchmarks/peers/install.sh to have run.
set -euo pipefail
vectors=${1:?usage: run_kmeans_side_by_side.sh VECTORS.tsv}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clusters=${CLUSTERS:-2000}; iterations=${ITERATIONS:-20}; threads=${THREADS:-2}; seed=${SEED:-0}; rounds=${ROUNDS:-3}
coretypes=${CORETYPES:-default SkylakeX}; init=${INIT:-own}
common=(--vectors "$vectors" --clusters "$clusters" --iterations "$iterations" --threads "$threads" --seed "$seed")

dotnet build -c Release "$root/benchmarks/MultiInterest.Benchmarks" -v quiet -nologo >&2
ours="$root/benchmarks/MultiInterest.Benchmarks/bin/Release/net10.0/MultiInterest.Benchmarks.dll"
out=$(mktemp); errors=$(mktemp)
init_file=$(mktemp --suffix=.tsv)
trap 'rm -f "$out" "$errors" "$init_file"' EXIT
case "$init" in
    own) ;;
    shared)
        /usr/bin/python3 "$here/sample_init.py" --vectors "$vectors" --clusters "$clusters" --seed "$seed" --out "$init_file"
        common+=(--init "$init_file") ;;
    *) echo "INIT must be 'own' or 'shared', not '$init'" >&2; exit 2 ;;
esac

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

# The k-means shape of this run (rows x dimension of VECTORS.tsv, CLUSTERS), not a fixed one.
rows=$(awk 'NR > 1 && NF {n++} END {print n}' "$vectors")       # under the header id<TAB>v0...
dimension=$(awk -F'\t' 'NR == 2 {print NF - 1; exit}' "$vectors")
for core in $coretypes; do
    env $(peer_env "$core") /usr/bin/python3 "$here/sgemm_rate.py" --threads "$threads" --n "$rows" --d "$dimension" --k "$clusters" | sed "s/^/sgemm[$core] /"
done
for round in $(seq 1 "$rounds"); do
    record ours "$round" dotnet "$ours" kmeans "${common[@]}"
    for core in $coretypes; do
        record "faiss[$core]" "$round" env $(peer_env "$core") /usr/bin/python3 "$here/kmeans_faiss.py" "${common[@]}"
        record "sklearn[$core]" "$round" env $(peer_env "$core") /usr/bin/python3 "$here/kmeans_sklearn.py" "${common[@]}"
    done
done
/usr/bin/python3 "$here/side_by_side_table.py" < "$out"
