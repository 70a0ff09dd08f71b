#!/usr/bin/env bash
# Checks score.mjs's reading of manifest versions on copies of a real export's manifest (the graphs linked, not copied):
# the export itself (version 4, its checksums verified), a version-3 and a version-2 manifest without the version-3 fields are served with the same lists, a version-1
# manifest naming only the fields version 1 had too; version 7, an edited version-4 manifest (a setting changed, or its
# format_version lowered to 3 with the checksums kept), a served file with one bit flipped (a table, a graph) or missing,
# a version-2 manifest missing a field (and a version-5 one missing history_quota_scorer), a retrieval this client does not run and a manifest saved again with a byte-order mark
# are refused, each naming what it refuses; a users file's ids are read exactly as written (a padded id is another user, an
# empty or unknown blank one refused by line), as `recommend` reads them. Exit status 0 when every case behaves.
#
#   benchmarks/peers/onnx_node/check_manifests.sh ONNX_DIR USERS.tsv
#
# ONNX_DIR: `multiinterest export-onnx` of a quota or unimodal model (format version 4). USERS.tsv: header, user ids.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(cd "${1:?usage: check_manifests.sh ONNX_DIR USERS.tsv}" && pwd)
users=${2:?USERS.tsv missing}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# make NAME JS: a copy of the directory whose manifest is JS applied to the parsed manifest `m` (JS empty: the manifest
# as exported, byte for byte).
make() {
    mkdir "$work/$1"
    for f in "$dir"/*; do [ "$(basename "$f")" = manifest.json ] || ln -s "$f" "$work/$1/"; done
    if [ -z "$2" ]; then cp "$dir/manifest.json" "$work/$1/"; return; fi
    node -e "const fs = require('fs'); const m = JSON.parse(fs.readFileSync('$dir/manifest.json', 'utf8')); $2;
             fs.writeFileSync('$work/$1/manifest.json', JSON.stringify(m, null, 2));"
}
# flip NAME FILE: a copy of the directory as exported whose FILE has one bit of its middle byte flipped.
flip() {
    make "$1" ''
    rm "$work/$1/$2"
    node -e "const fs = require('fs'); const b = fs.readFileSync('$dir/$2'); b[b.length >> 1] ^= 1; fs.writeFileSync('$work/$1/$2', b);"
}
# expect NAME STATUS PATTERN [OPTION ...]: score.mjs on that copy (with the options) exits with STATUS and prints PATTERN.
expect() {
    local status=0
    node "$here/score.mjs" --dir "$work/$1" --users "$users" --out "$work/$1.tsv" "${@:4}" > "$work/$1.log" 2>&1 || status=$?
    if [ "$status" = "$2" ] && grep -q -- "$3" "$work/$1.log"; then echo "ok   $1: exit $status, '$3'"
    else echo "FAIL $1: exit $status (expected $2), output:"; cat "$work/$1.log"; failures=$((failures + 1)); fi
}

# An edited copy is written as version 3 (no checksums), so that the check behind them is reached.
old='m.format_version = 3; delete m.file_sha256; delete m.manifest_sha256'
make v4 ''
make v3 "$old"
make v2 "$old; m.format_version = 2; delete m.history_fold_in; delete m.history_fold_in_items"
make v1 'const keep = ["candidates", "alpha", "users", "items", "clusters", "largest_cluster", "components", "dimension",
    "candidate_slack", "exclusion_mask", "encoder", "quota_scorer", "unimodal_scorer", "retrieval", "vector_scorer"];
    for (const k of Object.keys(m)) if (!keep.includes(k)) delete m[k]; m.format_version = 1;
    if (m.retrieval === "cluster_quota") delete m.retrieval'
make v7 'm.format_version = 7; m.library_version = "9.9.9"'
make edited 'm.alpha = m.alpha + 0.5'
make downgraded 'm.format_version = 3'
flip flipped_table user_ids.tsv
flip flipped_graph unimodal_scorer.onnx
make missing ''; rm "$work/missing/popular_items.tsv"
make v2missing "$old; m.format_version = 2; delete m.history_fold_in; delete m.history_fold_in_items; delete m.head_slots"
make v3missing "$old; delete m.history_fold_in_items"
# A version-5 manifest names history_quota_scorer (null where the directory has none), as the library requires: named
# missing before the seal is checked.
make v5missing "m.format_version = 5; delete m.history_quota_scorer"
make mmr "$old; m.retrieval = 'history_mmr'"
make head "$old; m.head_slots = m.candidates + 1"
# The manifest as exported, saved again with a UTF-8 byte-order mark first (as some editors write it): refused by name, as the library refuses it.
make bom ''; printf '\xef\xbb\xbf' | cat - "$dir/manifest.json" > "$work/bom/manifest.json"

expect v4 0 'manifest v4'
expect v3 0 'manifest v3'
expect v2 0 'manifest v2'
expect v1 0 'manifest v1'
expect v7 2 'format_version 7 (written by Microsoft.ML.MultiInterest 9.9.9); this client reads versions 1 to 6'
expect edited 2 'does not match its manifest_sha256'
expect downgraded 2 'does not match its manifest_sha256'
expect flipped_table 2 "user_ids.tsv' does not match the SHA-256"
expect flipped_graph 2 "unimodal_scorer.onnx' does not match the SHA-256"
expect missing 2 "popular_items.tsv' is missing"
expect v2missing 2 "lacks 'head_slots'"
expect v3missing 2 "lacks 'history_fold_in_items'"
expect v5missing 2 "lacks 'history_quota_scorer'"
expect mmr 2 "is a 'history_mmr' directory"
expect head 2 'has head_slots'
expect bom 2 'starts with a UTF-8 byte-order mark (bytes EF BB BF), which the export never writes'
# Signatures (docs/onnx.md, "Signatures"): a copy signed as the library signs (ECDSA P-256 over the manifest's SHA-256, DER,
# in manifest.json.sig) is served with --trusted-key and its lists are the unsigned copy's; unsigned, another signer's and a
# signed copy whose manifest was edited afterwards are refused, and so is a signed version-3 copy (no checksums to cover).
for name in unsigned signed other_signer edited_after; do make "$name" ''; rm -f "$work/$name/manifest.json.sig"; done
make old_signed "$old"; rm -f "$work/old_signed/manifest.json.sig"
node -e "const c = require('crypto'), fs = require('fs');
  const sign = (name, key) => fs.writeFileSync('$work/' + name + '/manifest.json.sig', c.sign('sha256', fs.readFileSync('$work/' + name + '/manifest.json'), { key, dsaEncoding: 'der' }));
  const pair = () => c.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ours = pair(), theirs = pair();
  fs.writeFileSync('$work/trusted.pem', ours.publicKey.export({ type: 'spki', format: 'pem' }));
  sign('signed', ours.privateKey); sign('other_signer', theirs.privateKey); sign('edited_after', ours.privateKey); sign('old_signed', ours.privateKey);
  fs.appendFileSync('$work/edited_after/manifest.json', ' ');"
expect signed 0 'manifest v4' --trusted-key "$work/trusted.pem"
expect unsigned 2 'is not signed (it has no manifest.json.sig)' --trusted-key "$work/trusted.pem"
expect other_signer 2 'does not verify the manifest of' --trusted-key "$work/trusted.pem"
expect edited_after 2 'does not verify the manifest of' --trusted-key "$work/trusted.pem"
# A version-3 manifest records no checksums: its signature, made here as another tool would (the library signs none), covers no file.
expect old_signed 2 'so its signature covers none of them' --trusted-key "$work/trusted.pem"
# Users ids are read exactly as written, as recommend reads them: the first user padded with a space is another, unknown
# user (the popular list), not the first user trimmed; a line starting with a TAB, and a blank id the model does not know,
# are refused naming their line.
first=$(sed -n 2p "$users" | cut -f1)
printf 'user\n %s\n' "$first" > "$work/padded_users.tsv"
printf 'user\n%s\n\tx\n' "$first" > "$work/empty_users.tsv"
printf 'user\n%s\n  \t\n' "$first" > "$work/blank_users.tsv"
if node "$here/score.mjs" --dir "$work/v4" --users "$work/padded_users.tsv" --out "$work/padded.tsv" > "$work/padded.log" 2>&1 \
    && [ "$(cut -f1,5 "$work/padded.tsv" | sed 1d | sort -u)" = " $first"$'\t'"Popular" ]; then echo "ok   padded user id ' $first': Popular, not '$first''s list"
else echo "FAIL padded user id ' $first' not served as an unknown user:"; cat "$work/padded.log" "$work/padded.tsv"; failures=$((failures + 1)); fi
for name in empty blank; do
    status=0
    node "$here/score.mjs" --dir "$work/v4" --users "$work/${name}_users.tsv" --out "$work/$name.tsv" > "$work/$name.log" 2>&1 || status=$?
    if [ "$status" = 2 ] && grep -q -- "_users.tsv', line 3: the user id " "$work/$name.log"; then echo "ok   $name user id: exit 2, line 3 named"
    else echo "FAIL $name user id: exit $status, output:"; cat "$work/$name.log"; failures=$((failures + 1)); fi
done
if cmp -s "$work/v4.tsv" "$work/signed.tsv"; then echo "ok   signed lists = v4 lists"; else echo "FAIL signed lists differ from v4's"; failures=$((failures + 1)); fi
for v in v3 v2 v1; do
    if cmp -s "$work/v4.tsv" "$work/$v.tsv"; then echo "ok   $v lists = v4 lists"; else echo "FAIL $v lists differ from v4's"; failures=$((failures + 1)); fi
done
[ "$failures" = 0 ] && echo "all cases as expected" || { echo "$failures failures"; exit 1; }
