#!/usr/bin/env python3
"""Converts public interaction datasets, from files already on disk, into the project's edge format: gzip TSV with the
header `user<TAB>item`, one distinct (user, item) pair a line, sorted by (user, item) (numeric ids numerically),
implicit feedback (every rating or interaction is an edge, whatever its value). Downloads nothing: every source path
is an argument (a text source may be gzipped: one beginning with gzip's magic bytes is read through gzip; the pickle
converters read their pickles as they are). docs/datasets.md says where each source comes from and gives the exact commands.

Subcommands
  movielens   --ratings FILE --format {100k,1m} --out DIR   u.data (TAB) or ratings.dat (::) -> edges.tsv.gz and
                                                           ratings.tsv.gz (user item rating timestamp, as given)
  lastfm-2k   --user-artists FILE --out DIR                 hetrec2011 user_artists.dat -> edges.tsv.gz and
                                                           plays.tsv.gz (user item weight)
  lightgcn    --train FILE --test FILE --out DIR            LightGCN/NGCF `user item item ...` split -> train.tsv.gz, test.tsv.gz
  lists       --lists FILE [--count-prefixed] --out DIR    one unsplit `user item item ...` file (LightGCN's layout, SASRec's
                                                           Beauty.txt, ...) -> edges.tsv.gz (then `multiinterest split`);
                                                           --count-prefixed: `count item item ...` lines (citeulike-a's
                                                           users.dat), users numbered by line from 0 (a file of that
                                                           shape is refused without it); ids that begin several lines
                                                           are warned of
  csv         --csv FILE [--user-column NAME] [--item-column NAME] [--delimiter ,|;|tab|space] [--no-header]
              [--comment PREFIX] --out DIR
                                                           a delimited file with a header (MovieLens ratings.csv, ...) ->
                                                           edges.tsv.gz; the columns by name, by default the first two
                                                           (then `multiinterest split`). A first line whose first two
                                                           fields are numbers is refused as a header; --no-header reads
                                                           every line as data and numbers the columns from 0;
                                                           --comment '#' skips SNAP's '#' lines (a '#' line is refused
                                                           without it; counts.json: comment_lines_skipped)
  sslrec      --train PKL --test PKL [--valid PKL] --out DIR  SSLRec scipy COO, CSR or CSC pickles (loaded with a
                                                           restricted unpickler that admits only numpy/scipy array
                                                           classes; counts.json: the test edges unseen in training or
                                                           also training edges)
  bert4rec-pickle --pickle PKL --out DIR                   a BERT4Rec-VAE-Pytorch `dataset.pkl` (dicts train / val / test of
                                                           per-user item sequences in time order, umap / smap to the raw
                                                           ids; loaded with an unpickler that admits no class at all) ->
                                                           DIR/ratings.tsv, `user item 1 position` without a header (as
                                                           MovieLens u.data, for the benchmarks' divide-conquer command),
                                                           raw ids, position = 0-based place in the user's sequence
  split       --edges FILE --out DIR [--repo MAIN] [--seed 1] [--python]
              The project's hold-out on edges.tsv.gz -> train.tsv.gz, test.tsv.gz. By default it runs the project's
              CLI (`dotnet run -c Release --project samples/MultiInterest.Cli -- split --keep-self-loops ...` in
              --repo): the protocol drops "self-loops" (user id == item id), which on a bipartite graph whose user and
              item ids are separate numberings are real edges. (Before the CLI had that flag, the CLI was given a copy
              whose item ids were shifted by a constant and the shift was undone afterwards: the same draw, byte for
              byte.) --python uses rec_common.protocol_split (numpy default_rng(seed)) instead.
Each subcommand writes DIR/counts.json.
"""
import argparse
import gzip
import itertools
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rec_common as rc  # noqa: E402


def open_text(path, **kwargs):
    """Opens a source for reading text, gunzipping it when it begins with gzip's magic bytes (SNAP ships its edge lists
    as .txt.gz), whatever its name."""
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", **kwargs) if gzipped else open(path, **kwargs)


def counts_of(pairs):
    users = {u for u, _ in pairs}
    items = {i for _, i in pairs}
    return {"edges": len(pairs), "users": len(users), "items": len(items),
            "density": len(pairs) / (len(users) * len(items)) if pairs else 0.0}


def write_counts(out, extra):
    with open(os.path.join(out, "counts.json"), "w") as f:
        json.dump(extra, f, indent=1)
        f.write("\n")
    print(json.dumps(extra))


def dedupe_sorted(pairs):
    return rc.sort_pairs(set(pairs))


def cmd_movielens(a):
    rows = []
    sep = "\t" if a.format == "100k" else "::"
    with open_text(a.ratings, encoding="latin-1") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = line.split(sep)
            # GroupLens' files hold integer user, item and time fields: anything else is another file, said by its line.
            if len(fields) < 4 or not all(x.strip().isdigit() for x in (fields[0], fields[1], fields[3])):
                sys.exit(f"error: {a.ratings} line {number}: expected 'user{sep}item{sep}rating{sep}timestamp' with integer ids and time "
                         f"(MovieLens {a.format}), got {line[:80]!r}")
            u, i, r, t = fields[:4]
            rows.append((u, i, r, t))
    os.makedirs(a.out, exist_ok=True)
    rc.write_edges(os.path.join(a.out, "ratings.tsv.gz"),
                   sorted(rows, key=lambda x: (int(x[0]), int(x[3]), int(x[1]))), header="user\titem\trating\ttimestamp")
    edges = dedupe_sorted((u, i) for u, i, _, _ in rows)
    rc.write_edges(os.path.join(a.out, "edges.tsv.gz"), edges)
    write_counts(a.out, {"source_rows": len(rows), "duplicate_pairs_dropped": len(rows) - len(edges), **counts_of(edges)})


def cmd_lastfm(a):
    rows = []
    with open_text(a.user_artists, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line or line.startswith("userID"):
                continue
            u, i, w = line.split("\t")[:3]
            rows.append((u, i, w))
    os.makedirs(a.out, exist_ok=True)
    rc.write_edges(os.path.join(a.out, "plays.tsv.gz"), rc.sort_pairs(rows), header="user\titem\tweight")
    edges = dedupe_sorted((u, i) for u, i, _ in rows)
    rc.write_edges(os.path.join(a.out, "edges.tsv.gz"), edges)
    write_counts(a.out, {"source_rows": len(rows), "duplicate_pairs_dropped": len(rows) - len(edges), **counts_of(edges)})


def read_lightgcn(path, count_prefixed=False):
    """The (user, item) pairs of a `user item item ...` file, one line per user. With count_prefixed, each line is
    `count item item ...` (citeulike-a's users.dat) and the user is the line's number from 0. A file whose every first
    field (99 % of lines or more) is the count of the rest is refused without the flag: read as users, its lines would
    merge by count."""
    pairs = []
    counted = lines = 0
    first_fields = {}
    with open_text(path) as f:
        for number, line in enumerate(f):
            p = line.split()
            if not p:
                continue
            lines += 1
            counted += p[0].isdigit() and int(p[0]) == len(p) - 1
            if count_prefixed:
                if not p[0].isdigit() or int(p[0]) != len(p) - 1:
                    sys.exit(f"{path}, line {number + 1}: with --count-prefixed the first field counts the items after it, "
                             f"but it is '{p[0]}' before {len(p) - 1} items")
                pairs.extend((str(number), i) for i in p[1:])
                continue
            if len(p) < 2:
                continue
            first_fields[p[0]] = first_fields.get(p[0], 0) + 1
            pairs.extend((p[0], i) for i in p[1:])
    # Nearly every line (a stray line must not make the file pass): a user-id file matches by chance on a few lines only.
    if not count_prefixed and lines > 1 and counted >= 0.99 * lines:
        sys.exit(f"{path}: {counted:,} of {lines:,} lines have a first field that is the count of the fields after it ('count item item ...', as "
                 "citeulike-a's users.dat), not a user id: read as users, lines of equal length would merge into one user. "
                 "Give --count-prefixed to number the users by line (from 0).")
    repeated = {u: n for u, n in first_fields.items() if n > 1}
    if repeated:
        example = next(iter(repeated))
        print(f"warning: {path}: {len(repeated):,} user id(s) begin more than one line (e.g. '{example}' on "
              f"{repeated[example]} lines); their items are merged into one user. A file of one line per user should not "
              "repeat ids; if the first field is not the user, convert the file first.", file=sys.stderr)
    return pairs


def cmd_lists(a):
    raw = read_lightgcn(a.lists, a.count_prefixed)
    edges = dedupe_sorted(raw)
    os.makedirs(a.out, exist_ok=True)
    rc.write_edges(os.path.join(a.out, "edges.tsv.gz"), edges)
    shared = shared_id_share(edges)
    write_counts(a.out, {"source_pairs": len(raw), "duplicate_pairs_dropped": len(raw) - len(edges), "shared_id_share": shared,
                         "reciprocal_share": reciprocal_share(edges), **counts_of(edges)})
    print(f"wrote {a.out}/edges.tsv.gz; {split_hint(a.out, shared, edges)}", file=sys.stderr)


# At least this share of the fewer ids (users or items) also naming the other side: one numbering of the same nodes.
SHARED_NUMBERING = 0.5


def shared_id_share(edges):
    """The share of the smaller of the user and item id sets that also occurs on the other side: near 1 for a graph whose
    both columns name the same nodes (a SNAP citation or co-authorship list), near 0 for users and items numbered apart."""
    users, items = {u for u, _ in edges}, {i for _, i in edges}
    smaller = min(len(users), len(items))
    return round(len(users & items) / smaller, 6) if smaller else 0.0


# A column whose ids are integers from 0 or 1 filling at least this share of their range was re-indexed.
DENSE_RANGE = 0.8


def dense_from_zero_or_one(ids):
    """Whether the ids are integers from 0 or 1 up that fill most of their range, as a re-indexed file numbers them: two
    such columns share most ids whether they number the same nodes or users and items apart."""
    try:
        numbers = {int(i) for i in ids}
    except ValueError:
        return False
    return bool(numbers) and min(numbers) in (0, 1) and len(numbers) >= DENSE_RANGE * (max(numbers) - min(numbers) + 1)


# At least this share of the edges coming with their reverse: an undirected (or mutual) graph over one numbering; users
# and items numbered apart pair up so only by chance, at about the graph's density.
RECIPROCAL = 0.5


def reciprocal_share(edges):
    """The share of the edges (a, b) whose reverse (b, a) is an edge too: 1 for an undirected graph written both ways."""
    pairs = set(edges)
    return round(sum(1 for a, b in pairs if a != b and (b, a) in pairs) / len(pairs), 6) if pairs else 0.0


def split_hint(out, shared, edges=None):
    """The `split` command for DIR/edges.tsv.gz: --keep-self-loops unless both columns share one numbering, where a pair of
    equal ids is a node linked to itself, which the protocol drops. Two re-indexed columns (dense integer ranges from 0
    or 1) share their ids either way: there most edges coming with their reverse tell one numbering (an undirected graph
    written both ways), and otherwise both commands are given and the user chooses."""
    command = f"multiinterest split --edges {out}/edges.tsv.gz --train {out}/train.tsv.gz --test {out}/test.tsv.gz"
    return f"{split_advice(command, shared, edges)} (a file that is already one half of a published split needs no split)"


def split_advice(command, shared, edges):
    """The split command to print for split_hint, and what the ids say about the numbering."""
    if edges is not None and dense_from_zero_or_one({u for u, _ in edges}) and dense_from_zero_or_one({i for _, i in edges}):
        if (reciprocal := reciprocal_share(edges)) >= RECIPROCAL:
            return (f"split it with: {command} ({reciprocal:.0%} of the edges come with their reverse, so both columns number the same "
                    "nodes of an undirected graph and a pair of equal ids is a self-loop, which split drops)")
        return (f"both columns are integer ranges from 0 or 1, as re-indexed files are whether users and items are numbered apart or "
                f"together, so the {shared:.0%} of ids on both sides cannot tell which: if users and items are numbered apart (a "
                f"user-item file), split it with: {command} --keep-self-loops; if both columns number the same nodes (a citation or "
                f"social graph), with: {command}")
    if shared >= SHARED_NUMBERING:
        return (f"split it with: {command} ({shared:.0%} of the fewer ids name both a user and an item, so both columns seem to number "
                "the same nodes and a pair of equal ids is a self-loop, which split drops; add --keep-self-loops if they are two numberings)")
    return (f"split it with: {command} --keep-self-loops (users and items seem numbered separately: {shared:.0%} of the fewer ids name "
            "both; leave the flag out if they share one numbering)")


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


class CommentedLines:
    """A text file's lines without its comment lines, counting them, with the number of the line last read.

    comment given: every line that begins with it is skipped (and counted). Not given: a line that begins with '#' is
    refused, naming --comment: SNAP's edge lists open with such lines (the graph's name, its counts,
    '# FromNodeId<TAB>ToNodeId'), and read as data the last of them became an edge ('# FromNodeId' -> 'ToNodeId')."""

    def __init__(self, f, path, comment):
        self.f, self.path, self.comment = f, path, comment
        self.number = 0
        self.skipped = 0

    def __iter__(self):
        for self.number, line in enumerate(self.f, start=1):
            if self.comment is not None:
                if line.startswith(self.comment):
                    self.skipped += 1
                    continue
            elif line.startswith("#"):
                sys.exit(f"error: '{self.path}' line {self.number} begins with '#': {line.rstrip()[:80]!r} is a comment "
                         "line (SNAP's edge lists open with them), not a header or an edge; read as one it would be an edge or "
                         "the column names. Pass --comment '#' to skip every line that begins with '#' (ids that "
                         "themselves begin with '#' are read as data with --comment set to a prefix no line begins with)")
            yield line


def cmd_csv(a):
    import csv
    delimiter = {"\\t": "\t", "tab": "\t", "TAB": "\t", "space": " "}.get(a.delimiter, a.delimiter)
    if len(delimiter) != 1:
        sys.exit(f"error: --delimiter must be one character (or 'tab' / '\\t' / 'space'), not '{a.delimiter}'")
    if a.comment == "":
        sys.exit("error: --comment must be a non-empty prefix ('#' for SNAP's edge lists)")
    with open_text(a.csv, newline="", encoding="utf-8-sig") as f:
        source = CommentedLines(f, a.csv, a.comment)
        reader = csv.reader(source, delimiter=delimiter)
        first = next(reader, None)
        if first is None:
            sys.exit(f"error: '{a.csv}' is empty" + ("" if a.comment is None else f" but for lines beginning with '{a.comment}'")
                     + ("" if a.no_header else ": a header line is expected"))
        numbered = ((source.number, row) for row in reader)
        if a.no_header:
            # Columns by number; the first line is data like the rest.
            header = [str(i) for i in range(len(first))]
            lines = itertools.chain([(source.number, first)], numbered)
        else:
            # A header names its columns; ids in the first two places mean the first line is an edge, which would be lost.
            if a.user_column is None and a.item_column is None and len(first) >= 2 and is_number(first[0].strip()) and is_number(first[1].strip()):
                sys.exit(f"error: the first line of '{a.csv}' is {first}: its first two fields are numbers, so it looks like data, "
                         "not a header (read as one, that edge would be lost). Pass --no-header to read every line as data, with "
                         "the columns numbered from 0 (--user-column 0 --item-column 1 by default), or add a header line")
            for given in (a.user_column, a.item_column):
                if given is not None and is_number(given):
                    sys.exit(f"error: --user-column / --item-column '{given}' is a number: columns are named by the header; "
                             "for a file without a header pass --no-header, and the columns are numbered from 0")
            header = first
            lines = numbered
        names = [h.strip().lower() for h in header]

        def column(name, default):
            if name is None:
                return default
            if name.lower() not in names:
                sys.exit(f"error: '{a.csv}' has no column '{name}'; its "
                         + (f"lines have {len(header)} columns, numbered 0-{len(header) - 1}" if a.no_header else f"header is {header}"))
            return names.index(name.lower())

        user, item = column(a.user_column, 0), column(a.item_column, 1)
        if len(header) < 2 or user == item:
            sys.exit(f"error: '{a.csv}' needs two columns, the user's and the item's; its "
                     + (f"first line is {first}" if a.no_header else f"header is {header}")
                     + f" (is the delimiter '{a.delimiter}'? pass --delimiter)")
        raw = []
        for number, row in lines:
            if not row or all(not field.strip() for field in row):
                continue
            if len(row) <= max(user, item) or not row[user].strip() or not row[item].strip():
                sys.exit(f"error: '{a.csv}' line {number} has no user or item: {row}")
            raw.append((row[user].strip(), row[item].strip()))
    edges = dedupe_sorted(raw)
    os.makedirs(a.out, exist_ok=True)
    rc.write_edges(os.path.join(a.out, "edges.tsv.gz"), edges)
    shared = shared_id_share(edges)
    write_counts(a.out, {"source_rows": len(raw), "duplicate_pairs_dropped": len(raw) - len(edges),
                         "comment_lines_skipped": source.skipped, "shared_id_share": shared, "reciprocal_share": reciprocal_share(edges),
                         "user_column": header[user], "item_column": header[item], **counts_of(edges)})
    print(f"wrote {a.out}/edges.tsv.gz (user = '{header[user]}', item = '{header[item]}', every row an edge); {split_hint(a.out, shared, edges)}",
          file=sys.stderr)


def against_train(edges, train_edges):
    """What the protocol makes of held-out pairs: those whose user or item has no training edge (misses, evaluate's
    --unseen) and those that are training pairs too (certain misses for a retriever excluding seen items)."""
    users, items, pairs = {u for u, _ in train_edges}, {i for _, i in train_edges}, set(train_edges)
    return {"edges_unseen_in_train": sum(1 for u, i in edges if u not in users or i not in items),
            "users_unseen_in_train": len({u for u, _ in edges} - users),
            "edges_also_in_train": sum(1 for pair in edges if pair in pairs)}


def cmd_lightgcn(a):
    os.makedirs(a.out, exist_ok=True)
    result = {}
    for name, path in (("train", a.train), ("test", a.test)):
        raw = read_lightgcn(path)
        edges = dedupe_sorted(raw)
        rc.write_edges(os.path.join(a.out, name + ".tsv.gz"), edges)
        # A line may list an item twice (and a split may repeat a pair across lines): kept once, and counted, as csv and lists do.
        result[name] = {"source_pairs": len(raw), "duplicate_pairs_dropped": len(raw) - len(edges), **counts_of(edges)}
        if name == "train":
            train_edges = edges
        else:
            result[name].update(against_train(edges, train_edges))
    write_counts(a.out, result)
    train, test = result["train"], result["test"]
    print(f"wrote {a.out}/train.tsv.gz and test.tsv.gz: {train['edges']:,} and {test['edges']:,} edges "
          f"({train['duplicate_pairs_dropped']:,} and {test['duplicate_pairs_dropped']:,} repeated pairs dropped); "
          f"{test['edges_unseen_in_train']:,} test edges name a user or item with no training edge, "
          f"{test['edges_also_in_train']:,} are also training edges", file=sys.stderr)


def safe_load_coo(path):
    """A pickled scipy sparse matrix (COO, as SSLRec's general-CF files hold, or CSR/CSC, as its multi-behaviour ones do)
    as COO; any other pickled object is refused by name, never run."""
    import pickle
    import scipy.sparse as sp
    allowed = {(module, matrix) for matrix in ("coo_matrix", "csr_matrix", "csc_matrix", "coo_array", "csr_array", "csc_array")
               for module in ("scipy.sparse", "scipy.sparse.coo", "scipy.sparse._coo", "scipy.sparse.csr", "scipy.sparse._csr",
                              "scipy.sparse.csc", "scipy.sparse._csc", "scipy.sparse._arrays")}
    allowed |= {("numpy", "dtype"), ("numpy", "ndarray"), ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}

    class Restricted(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) not in allowed:
                raise pickle.UnpicklingError(f"it holds a {module}.{name}, not a scipy sparse matrix (COO, CSR or CSC)")
            return super().find_class(module, name)

    try:
        with open(path, "rb") as f:
            loaded = Restricted(f).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
        sys.exit(f"error: '{path}' cannot be read as a pickled user x item matrix: {e}")
    if not sp.issparse(loaded):
        sys.exit(f"error: '{path}' cannot be read as a pickled user x item matrix: it holds a {type(loaded).__name__}, "
                 "not a scipy sparse matrix (COO, CSR or CSC)")
    return sp.coo_matrix(loaded)


def cmd_sslrec(a):
    # Every file read before anything is written, so a file refused leaves no half-made --out behind.
    matrices = {name: safe_load_coo(path) for name, path in (("train", a.train), ("valid", a.valid), ("test", a.test)) if path}
    os.makedirs(a.out, exist_ok=True)
    result = {}
    for name, m in matrices.items():
        edges = dedupe_sorted((str(u), str(i)) for u, i, v in zip(m.row, m.col, m.data) if v != 0)
        rc.write_edges(os.path.join(a.out, name + ".tsv.gz"), edges)
        result[name] = {"matrix_shape": list(m.shape), "stored_entries": int(m.nnz), **counts_of(edges)}
        if name == "train":
            train_edges = edges
        else:
            result[name].update(against_train(edges, train_edges))
    write_counts(a.out, result)
    if "test" in result:
        test = result["test"]
        print(f"wrote {a.out}/train.tsv.gz and test.tsv.gz: {result['train']['edges']:,} and {test['edges']:,} edges; "
              f"{test['edges_unseen_in_train']:,} test edges name a user or item with no training edge, "
              f"{test['edges_also_in_train']:,} are also training edges", file=sys.stderr)


def cmd_bert4rec_pickle(a):
    import pickle

    class NoClasses(pickle.Unpickler):
        def find_class(self, module, name):
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from {a.pickle}: the file should hold plain dicts and lists")

    with open(a.pickle, "rb") as f:
        d = NoClasses(f).load()
    raw_user = {v: k for k, v in d["umap"].items()}
    raw_item = {v: k for k, v in d["smap"].items()}
    os.makedirs(a.out, exist_ok=True)
    rows = 0
    with open(os.path.join(a.out, "ratings.tsv"), "w", newline="\n") as f:
        for u in sorted(d["train"], key=lambda x: raw_user[x]):
            sequence = d["train"][u] + d["val"].get(u, []) + d["test"].get(u, [])
            for position, i in enumerate(sequence):
                f.write(f"{raw_user[u]}\t{raw_item[i]}\t1\t{position}\n")
            rows += len(sequence)
    items = {i for part in ("train", "val", "test") for seq in d[part].values() for i in seq}
    write_counts(a.out, {"source": os.path.basename(a.pickle), "users": len(d["train"]), "items": len(items), "interactions": rows})


def cmd_split(a):
    edges = rc.read_edges(a.edges)
    os.makedirs(a.out, exist_ok=True)
    train_path, test_path = os.path.join(a.out, "train.tsv.gz"), os.path.join(a.out, "test.tsv.gz")
    if a.python:
        train, test, returned = rc.protocol_split(edges, a.seed)
        how = f"rec_common.protocol_split, numpy default_rng({a.seed}), user==item pairs kept"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            tr, te = (os.path.join(tmp, n) for n in ("train.tsv.gz", "test.tsv.gz"))
            cmd = ["dotnet", "run", "-c", "Release", "--project", "samples/MultiInterest.Cli", "--",
                   "split", "--edges", os.path.abspath(a.edges), "--train", tr, "--test", te, "--seed", str(a.seed), "--keep-self-loops"]
            run = subprocess.run(cmd, cwd=a.repo, check=True, capture_output=True, text=True)
            log = run.stdout.strip()
            print(log, file=sys.stderr)
            if run.stderr.strip():
                print(run.stderr.strip(), file=sys.stderr)  # the split's warnings (nothing held out, pairs left out)
            train, test = rc.read_edges(tr), rc.read_edges(te)
        returned = int(log.split(" returned to training")[0].split(";")[-1].strip().split()[-1].replace(",", ""))
        how = f"project CLI split --seed {a.seed} --keep-self-loops"
        train, test = rc.sort_pairs(train), rc.sort_pairs(test)
    rc.write_edges(train_path, train)
    rc.write_edges(test_path, test)
    c = {"split": how, "edges": len(train) + len(test), "train": counts_of(train), "test": counts_of(test),
         "returned_to_training": returned}
    with open(os.path.join(a.out, "split.json"), "w") as f:
        json.dump(c, f, indent=1)
    print(json.dumps(c))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("movielens")
    s.add_argument("--ratings", required=True)
    s.add_argument("--format", choices=("100k", "1m"), required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_movielens)
    s = sub.add_parser("lastfm-2k")
    s.add_argument("--user-artists", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_lastfm)
    s = sub.add_parser("lightgcn")
    s.add_argument("--train", required=True)
    s.add_argument("--test", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_lightgcn)
    s = sub.add_parser("lists")
    s.add_argument("--lists", required=True)
    s.add_argument("--count-prefixed", action="store_true",
                   help="each line is `count item item ...` (citeulike-a's users.dat): the user is the line's number from 0")
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_lists)
    s = sub.add_parser("csv")
    s.add_argument("--csv", required=True)
    s.add_argument("--user-column")
    s.add_argument("--item-column")
    s.add_argument("--delimiter", default=",")
    s.add_argument("--no-header", action="store_true", help="every line is data; columns are numbered from 0")
    s.add_argument("--comment", help="skip every line that begins with this prefix ('#' for SNAP's edge lists); without it a "
                                     "line that begins with '#' is refused")
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_csv)

    s = sub.add_parser("sslrec")
    s.add_argument("--train", required=True)
    s.add_argument("--test", required=True)
    s.add_argument("--valid")
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_sslrec)
    s = sub.add_parser("bert4rec-pickle")
    s.add_argument("--pickle", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(fn=cmd_bert4rec_pickle)
    s = sub.add_parser("split")
    s.add_argument("--edges", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--repo", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")),
                   help="checkout of the project whose CLI does the split (by default the one holding this script)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--python", action="store_true", help="split in numpy instead of the project's CLI")
    s.set_defaults(fn=cmd_split)
    a = p.parse_args()
    try:
        a.fn(a)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
        # An input named wrongly is a usage error, said in one line (argparse's exit code), not a traceback.
        p.exit(2, f"{p.prog} {a.cmd}: {e.strerror}: '{e.filename}'\n")


if __name__ == "__main__":
    main()
