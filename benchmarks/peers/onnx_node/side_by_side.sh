#!/usr/bin/env bash
# ONNX serving side by side: `multiinterest recommend --onnx` (.NET, Microsoft.ML.OnnxRuntime) and score.mjs
# (Node.js, onnxruntime-node) on the same exported graphs, the same users, the same exclusions and the same batch
# size, alternately ROUNDS times each per batch size. Prints each run's timing line, then one table row per run
# (session creation, first batch, steady-state seconds and users/s), checks that the .NET lists are byte-identical to
# the engine's (and with and without spinning), and compares the Node client's lists with them: byte-identical, or the
# count of lists whose items or order differ. A unimodal directory's Node lists are the engine's (score.mjs orders the
# unimodal scorer's candidates by the engine's tie rule); a quota directory's are the plain quota scorer's, which order
# near-tied items by ONNX Runtime's floats and carry its scores (last bits apart), while the .NET scorer re-ranks the
# graphs' candidates into the engine's lists (docs/onnx.md).
# The .NET client runs with the library's default (idle intra-op threads do not spin), the Node client with ONNX
# Runtime's (they spin). With SPIN=1 (the default) each round also runs each the other way: .NET with --onnx-spin
# and Node with --no-spin.
# With ENGINE=1 (the default) each round also runs `recommend --engine` (the engine on the saved tables, all
# cores, its own batch size whatever the batch of the round; its first batch is the warm-up), the reference of the
# issue's ">= 0.5x the engine's users/s".
#
#   benchmarks/peers/onnx_node/side_by_side.sh MODEL.zip ONNX_DIR USERS.tsv [TRAIN.tsv.gz]
#
# MODEL.zip: a quota model (`multiinterest fit --retriever quota`, fit's default before 1.3.0; score.mjs does not run the
# pool scorer of the default since, history-interest MMR) or a unimodal one (`--retriever unimodal`; its users then come
# without --history, see HISTORY). ONNX_DIR: `multiinterest export-onnx --model MODEL.zip --out ONNX_DIR`. USERS.tsv:
# header, user id in the first column; with HISTORY=1 (the default) its edges are excluded too (passed as --history to
# both), as in docs/performance.md. HISTORY=0 passes none: needed for a unimodal directory whose manifest says
# history_fold_in, where the library reads trained users with new --history items again from their whole history and
# score.mjs refuses them.
# TRAIN: the edges MODEL.zip was fitted on, for the Node client's mask; by default it reads the export's
# training_history.tsv (the history stored in the model, which the CLI excludes).
# Environment: CLI (multiinterest.dll; default: the Release build of samples/MultiInterest.Cli, built if missing),
# BATCHES ("64 256"), ROUNDS (3), OUT (a temporary directory for the lists).
# Needs `npm ci` (or `npm install`) in benchmarks/peers/onnx_node first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
model=${1:?usage: side_by_side.sh MODEL.zip ONNX_DIR USERS.tsv [TRAIN.tsv.gz]}
onnx=${2:?ONNX_DIR missing}
users=${3:?USERS.tsv missing}
train=${4:-}
trainArgs=(); [ -n "$train" ] && trainArgs=(--train "$train")
historyArgs=(--history "$users"); [ "${HISTORY:-1}" = 1 ] || historyArgs=()
batches=${BATCHES:-64 256}; rounds=${ROUNDS:-3}
cli=${CLI:-$root/samples/MultiInterest.Cli/bin/Release/net10.0/multiinterest.dll}
if [ ! -f "$cli" ]; then dotnet build -c Release "$root/samples/MultiInterest.Cli" -v quiet -nologo >&2; fi
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
log="$out/runs.txt"
: > "$log"

# How many users' lists (the items in order) differ between two candidate files.
differing_lists() {
    awk -F'\t' 'FNR == 1 { file++; next } file == 1 { a[$1] = a[$1] " " $3; next } { b[$1] = b[$1] " " $3 }
        END { n = 0; for (u in a) if (a[u] != b[u]) n++; for (u in b) if (!(u in a)) n++; print n }' "$1" "$2"
}

echo "load before: $(uptime)"
for batch in $batches; do
    for round in $(seq 1 "$rounds"); do
        line=$(dotnet "$cli" recommend --model "$model" --users "$users" --out "$out/dotnet_$batch.tsv" --onnx --onnx-dir "$onnx" \
            "${historyArgs[@]}" --batch "$batch" | grep 'users/s')
        echo "dotnet $batch $round $line" | tee -a "$log"
        if [ "${SPIN:-1}" = 1 ]; then
            line=$(dotnet "$cli" recommend --model "$model" --users "$users" --out "$out/dotnet_spin_$batch.tsv" --onnx --onnx-dir "$onnx" \
                "${historyArgs[@]}" --batch "$batch" --onnx-spin | grep 'users/s')
            echo "dotnet_spin $batch $round $line" | tee -a "$log"
        fi
        line=$(node "$here/score.mjs" --dir "$onnx" --users "$users" "${trainArgs[@]}" "${historyArgs[@]}" --batch "$batch" \
            --out "$out/node_$batch.tsv" | grep 'users/s')
        echo "node $batch $round $line" | tee -a "$log"
        if [ "${SPIN:-1}" = 1 ]; then
            line=$(node "$here/score.mjs" --dir "$onnx" --users "$users" "${trainArgs[@]}" "${historyArgs[@]}" --batch "$batch" \
                --no-spin --out "$out/node_nospin_$batch.tsv" | grep 'users/s')
            echo "node_nospin $batch $round $line" | tee -a "$log"
        fi
        if [ "${ENGINE:-1}" = 1 ]; then
            # The engine takes no --batch (the CLI refuses it without --onnx since 1.3.0): its own batches each round.
            line=$(dotnet "$cli" recommend --model "$model" --users "$users" --out "$out/engine_$batch.tsv" --engine \
                "${historyArgs[@]}" | grep 'users/s')
            echo "engine $batch $round $line" | tee -a "$log"
        fi
    done
    for other in engine dotnet_spin; do
        [ -f "$out/${other}_$batch.tsv" ] || continue
        if cmp -s "$out/dotnet_$batch.tsv" "$out/${other}_$batch.tsv"; then echo "batch $batch: dotnet and $other lists byte-identical"
        else echo "batch $batch: dotnet and $other LISTS DIFFER"; fi
    done
    for other in node node_nospin; do
        [ -f "$out/${other}_$batch.tsv" ] || continue
        if cmp -s "$out/dotnet_$batch.tsv" "$out/${other}_$batch.tsv"; then echo "batch $batch: dotnet and $other lists byte-identical"
        else echo "batch $batch: $other not byte-identical to dotnet: $(differing_lists "$out/dotnet_$batch.tsv" "$out/${other}_$batch.tsv") lists" \
            "differ in items or order, the others in score text only (a quota directory's plain lists: near-tie order and" \
            "ONNX Runtime's scores; dotnet re-ranks into the engine's)"; fi
    done
done
echo "load after: $(uptime)"

echo
echo "| client | batch | round | sessions opened (s) | first batch (s) | steady state (s) | users/s |"
echo "|---|---|---|---|---|---|---|"
sed -E -e 's/^([a-z_]+) ([0-9]+) ([0-9]+) .*sessions opened in ([0-9.]+) s, first batch of [0-9]+ in ([0-9.]+) s; [0-9,]+ users in ([0-9.]+) s \(([0-9,]+) users\/s\).*/| \1 | \2 | \3 | \4 | \5 | \6 | \7 |/' \
    -e 's/^([a-z_]+) ([0-9]+) ([0-9]+) .*: first batch of [0-9]+ in ([0-9.]+) s; [0-9,]+ users in ([0-9.]+) s \(([0-9,]+) users\/s\).*/| \1 | \2 | \3 | - | \4 | \5 | \6 |/' "$log"
