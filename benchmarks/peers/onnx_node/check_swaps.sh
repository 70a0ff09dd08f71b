#!/usr/bin/env bash
# Checks that score.mjs serves the bytes it verified: each file of a serving directory is opened once, and a file
# replaced after the client has read the directory changes nothing it serves.
#
#   benchmarks/peers/onnx_node/check_swaps.sh ONNX_DIR OTHER_DIR USERS.tsv [score.mjs options ...]
#
# ONNX_DIR: an export (format version 4 or later) of a quota or unimodal model. OTHER_DIR: another export of a model fitted
# on the same edges (another --seed), whose files are swapped in; a file it has byte for byte the same (the id tables,
# training_history.tsv, popular_items.tsv) is replaced by ONNX_DIR's with each data line's second field moved one line
# up (a .tsv: another well-formed table), or with one bit of its middle byte flipped (any other file).
# USERS.tsv: header, user ids (give one the model does not know, so that popular_items.tsv is served). The options are
# passed to score.mjs (e.g. --history EDGES.tsv for a unimodal directory's vector scorer, --trusted-key KEY.pem for a
# signed one). Needs strace. SCORE=path/to/score.mjs checks another copy of the client (an older one, for comparison).
#
# 1. Opens: score.mjs runs once under `strace -f -e trace=openat,open`; every file of ONNX_DIR must be opened at most once.
# 2. Swaps: for each file of ONNX_DIR, score.mjs runs on a copy of it and is held by strace for a second as it opens the
#    users file (score.mjs reads --users after the directory's manifest, graphs, side files and tables, and before it
#    makes its sessions and lists); meanwhile the file is replaced. Its lists and exit status must be those of the run on
#    the unchanged copy. No hook in score.mjs: the hold is strace's (inject=openat:delay_exit) on the users file alone.
# Exit status 0 when every check passes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
score=${SCORE:-$here/score.mjs}
dir=$(cd "${1:?usage: check_swaps.sh ONNX_DIR OTHER_DIR USERS.tsv [options]}" && pwd)
other=$(cd "${2:?OTHER_DIR missing}" && pwd)
users=${3:?USERS.tsv missing}
shift 3
command -v strace > /dev/null || { echo "check_swaps.sh needs strace"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# The lists of the unchanged directory, and how often each of its files is opened.
cp -r "$dir" "$work/dir"
cp "$users" "$work/users.tsv"
status=0
strace -f -qq -o "$work/opens.log" -e trace=openat,open \
    node "$score" --dir "$work/dir" --users "$work/users.tsv" --out "$work/base.tsv" "$@" > "$work/base.log" 2>&1 || status=$?
echo "$status" > "$work/base.status"
for f in "$work"/dir/*; do
    name=$(basename "$f")
    n=$(grep -c -- "\"$work/dir/$name\"" "$work/opens.log" || true)
    if [ "$n" -le 1 ]; then echo "ok   $name opened $n time(s)"
    else echo "FAIL $name opened $n times"; failures=$((failures + 1)); fi
done

for f in "$dir"/*; do
    name=$(basename "$f")
    rm -rf "$work/swap"; cp -r "$dir" "$work/swap"
    if [ -f "$other/$name" ] && ! cmp -s "$other/$name" "$f"; then replacement="$other/$name"; how="$(basename "$other")'s"
    elif [[ "$name" == *.tsv ]]; then
        # A well-formed other table: each data line's second field moved one line up (the last takes the first's).
        node -e "const fs = require('fs'); const [head, ...rows] = fs.readFileSync(process.argv[1], 'utf8').trimEnd().split('\n').map(l => l.split('\t'));
                 const second = rows.map(r => r[1]); rows.forEach((r, i) => { r[1] = second[(i + 1) % rows.length]; });
                 fs.writeFileSync(process.argv[2], [head, ...rows].map(r => r.join('\t')).join('\n') + '\n');" "$f" "$work/changed"
        replacement="$work/changed"; how="second column moved up a line"
    else
        node -e "const fs = require('fs'); const b = fs.readFileSync(process.argv[1]); b[b.length >> 1] ^= 1; fs.writeFileSync(process.argv[2], b);" "$f" "$work/changed"
        replacement="$work/changed"; how="one bit flipped"
    fi
    : > "$work/hold.log"
    status=0
    strace -f -qq -o "$work/hold.log" -P "$work/users.tsv" -e trace=openat -e inject=openat:delay_exit=1000000 \
        node "$score" --dir "$work/swap" --users "$work/users.tsv" --out "$work/swap.tsv" "$@" > "$work/swap.log" 2>&1 &
    pid=$!
    until grep -q users.tsv "$work/hold.log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do sleep 0.02; done
    cp "$replacement" "$work/swap/$name"
    wait "$pid" || status=$?
    if [ "$status" = "$(cat "$work/base.status")" ] && cmp -s "$work/base.tsv" "$work/swap.tsv"; then
        echo "ok   $name replaced ($how) after the read: the same lists, exit $status"
    else
        echo "FAIL $name replaced ($how) after the read: exit $status, lists $(cmp -s "$work/base.tsv" "$work/swap.tsv" && echo same || echo different):"
        sed 's/^/     /' "$work/swap.log"; failures=$((failures + 1))
    fi
done
[ "$failures" = 0 ] && echo "all cases as expected" || { echo "$failures failures"; exit 1; }
