"""Shared by the recommender peers (puresvd.py, ials.py) and prepare_datasets.py: edge files, the protocol's
hold-out split, and Recall@K / NDCG@K exactly as docs/evaluation-protocol.md defines them.

Import peer_common (and call limit_threads) before this module when thread counts matter: numpy is imported lazily
here so that the BLAS thread count set by peer_common still applies.
"""
import gzip
import math


def open_text(path, mode="rt"):
    """Opens a text file, gzip when the name ends in .gz; gzip output carries no name and mtime 0, so rebuilding a file
    from the same source gives the same bytes."""
    if not path.endswith(".gz"):
        return open(path, mode)
    if "w" in mode:
        import io
        raw = open(path, "wb")
        gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
        gz.myfileobj = raw  # GzipFile closes it with itself
        return io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
    return gzip.open(path, mode)


def read_edges(path):
    """The (user, item) string pairs of a `user<TAB>item` TSV with a header (gzip when the name ends in .gz), in file order."""
    pairs = []
    with open_text(path) as f:
        f.readline()  # header
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            u, i = line.split("\t")[:2]
            pairs.append((u, i))
    return pairs


def id_key(x):
    """Orders ids numerically when they are integers, else ordinally (as the C# HoldOutSplitter's IdComparer)."""
    try:
        return (0, int(x), "")
    except ValueError:
        return (1, 0, x)


def write_edges(path, pairs, header="user\titem"):
    """Writes `user<TAB>item` rows (any extra columns of a tuple are written too) with the given header."""
    with open_text(path, "wt") as f:
        f.write(header + "\n")
        for p in pairs:
            f.write("\t".join(str(x) for x in p) + "\n")


def sort_pairs(pairs):
    return sorted(pairs, key=lambda p: (id_key(p[0]), id_key(p[1])))


def protocol_split(pairs, seed, fraction=0.2, min_edges=3, drop_self_loops=False):
    """The protocol's per-user hold-out, in numpy: dedupe (optionally drop user == item), sort by (user, item); for each
    user with >= min_edges edges hold out ceil(fraction * degree) edges drawn uniformly (numpy default_rng(seed),
    users in sorted order); a held-out edge whose item has no training edge goes back to training.
    Returns (train, test, returned) as sorted lists of pairs. (The same protocol as the C# HoldOutSplitter; the draw
    differs because the generators differ.)"""
    import numpy as np
    distinct = set()
    for u, i in pairs:
        if drop_self_loops and u == i:
            continue
        distinct.add((u, i))
    edges = sort_pairs(distinct)
    rng = np.random.default_rng(seed)
    held = np.zeros(len(edges), dtype=bool)
    start = 0
    while start < len(edges):
        end = start
        while end < len(edges) and edges[end][0] == edges[start][0]:
            end += 1
        degree = end - start
        if degree >= min_edges:
            count = int(math.ceil(fraction * degree - 1e-9))
            picks = rng.choice(degree, size=count, replace=False)
            held[start + picks] = True
        start = end
    train_items = {edges[e][1] for e in range(len(edges)) if not held[e]}
    train, test, returned = [], [], 0
    for e, p in enumerate(edges):
        if held[e] and p[1] in train_items:
            test.append(p)
        else:
            returned += int(held[e])
            train.append(p)
    return train, test, returned


class Interactions:
    """Training matrix and test lists on integer indices. Users and items are indexed in order of first appearance in
    the training file (that order breaks score ties: the lower index wins)."""

    def __init__(self, train_pairs, test_pairs):
        import numpy as np
        import scipy.sparse as sp
        self.user_index, self.item_index = {}, {}
        rows, cols = [], []
        for u, i in train_pairs:
            rows.append(self.user_index.setdefault(u, len(self.user_index)))
            cols.append(self.item_index.setdefault(i, len(self.item_index)))
        self.n_users, self.n_items = len(self.user_index), len(self.item_index)
        m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (np.array(rows), np.array(cols))),
                          shape=(self.n_users, self.n_items))
        m.sum_duplicates()
        m.data[:] = 1.0  # binary
        self.train = m
        self.train_edges = int(m.nnz)
        # Test: distinct pairs; those whose user or item has no training edge are counted and left out.
        seen = set()
        self.test_edges_given = 0
        self.test_unseen_user = 0
        self.test_unseen_item = 0
        self.test_in_train = 0
        held = {}
        for u, i in test_pairs:
            self.test_edges_given += 1
            if (u, i) in seen:
                continue
            seen.add((u, i))
            if u not in self.user_index:
                self.test_unseen_user += 1
                continue
            if i not in self.item_index:
                self.test_unseen_item += 1
                continue
            ui, ii = self.user_index[u], self.item_index[i]
            if m[ui, ii] != 0:
                self.test_in_train += 1  # kept: it counts in |held-out| but can never be retrieved
            held.setdefault(ui, []).append(ii)
        self.test_edges_distinct = len(seen)
        self.test_users = np.array(sorted(held), dtype=np.int64)
        self.held = [np.array(held[u], dtype=np.int64) for u in self.test_users]

    def counts(self):
        return {"users": self.n_users, "items": self.n_items, "train_edges": self.train_edges,
                "density": self.train_edges / (self.n_users * self.n_items) if self.n_users and self.n_items else 0.0,
                "test_edges": self.test_edges_given, "test_edges_distinct": self.test_edges_distinct,
                "test_edges_ignored_unseen_user": self.test_unseen_user,
                "test_edges_ignored_unseen_item": self.test_unseen_item,
                "test_edges_also_in_train": self.test_in_train,
                "test_users_evaluated": int(len(self.test_users))}


def top_k(scores, k, sample_cols):
    """Column indices of each row's k largest scores, score descending and, among equal scores, lower index first
    (exact). Candidates are the scores >= the k-th largest among sample_cols, a lower bound of the row's k-th largest,
    so every row keeps all its true top-k and every tie at the boundary; numpy's argpartition over whole rows is the
    slow alternative."""
    import numpy as np
    n = scores.shape[0]
    if len(sample_cols) >= k and len(sample_cols) < scores.shape[1]:
        bound = np.partition(scores[:, sample_cols], -k, axis=1)[:, -k]
    else:
        bound = np.full(n, -np.inf, dtype=scores.dtype)
    r, c = np.nonzero(scores >= bound[:, None])
    v = scores[r, c]
    order = np.lexsort((c, -v, r))
    r, c = r[order], c[order]
    starts = np.searchsorted(r, np.arange(n))
    return c[starts[:, None] + np.arange(k)]


def evaluate(user_vectors, item_vectors, data, ks=(10, 20, 50), batch=1024):
    """Recall@K and NDCG@K averaged over the test users: scores = dot(user, item), the user's training items excluded;
    Recall@K = hits / |held-out items|; NDCG@K with binary gains and IDCG over min(K, |held-out|) items. Equal scores:
    the lower item index first."""
    import numpy as np
    kmax = min(max(ks), data.n_items)
    V = np.ascontiguousarray(item_vectors, dtype=np.float32)
    recall = {k: 0.0 for k in ks}
    ndcg = {k: 0.0 for k in ks}
    discounts = 1.0 / np.log2(np.arange(2, kmax + 2))
    idcg_prefix = np.cumsum(discounts)
    users = data.test_users
    sample_cols = np.arange(0, data.n_items, max(1, data.n_items // 2048))
    for s in range(0, len(users), batch):
        ub = users[s:s + batch]
        scores = np.asarray(user_vectors[ub], dtype=np.float32) @ V.T
        tr = data.train[ub]
        scores[np.repeat(np.arange(len(ub)), np.diff(tr.indptr)), tr.indices] = -np.inf
        top = top_k(scores, kmax, sample_cols)
        for r, u in enumerate(ub):
            held = data.held[s + r]
            hit = np.isin(top[r], held)
            n = len(held)
            for k in ks:
                h = hit[:k]
                recall[k] += h.sum() / n
                ndcg[k] += float(discounts[:k][h].sum()) / idcg_prefix[min(k, n) - 1]
    n_users = max(len(users), 1)
    out = {}
    for k in ks:
        out[f"recall@{k}"] = round(recall[k] / n_users, 6)
        out[f"ndcg@{k}"] = round(ndcg[k] / n_users, 6)
    return out
