#!/usr/bin/env python3
"""Independent reference implementation of the evaluation protocol
(docs/evaluation-protocol.md), written from the spec only,
to cross-check the figures and candidate lists of the C# library.

Usage (numpy/scipy required, e.g. apt-get install python3-numpy python3-scipy):

  /usr/bin/python3 tools/protocol_check.py --train TRAIN.tsv[.gz] --test TEST.tsv[.gz] \
      --user-embeddings U.tsv --item-embeddings I.tsv --item-clusters C.tsv \
      [--components 5 --neighbors 10 --lambda 0.8 --alpha 1 --cutoffs 10,20,50] \
      [--metrics metrics.json] [--candidates candidates.tsv] [--mixtures mixtures.tsv] [--users N] [--unseen miss|drop] \
      [--jobs 2] [--sgemm auto|numpy|LIB] [--emd-linprog] [--tie-tolerance 1e-6]

Scores tie when they differ by at most --tie-tolerance (1e-6) x |q| |v|, the query's and the item's norms (cosines of
users: 1e-6), times d / 128 for vectors of d > 128 dimensions (a float32 sum's rounding bound grows with its terms'
number): the library sums a float32 dot product in another order, so where scores tie either item can come first.
A list that differs from ours only through such ties is counted in the candidates table's near-tie column, not as
differing: the same items in an order whose scores tie position by position (near_tie_order); or, at a cut, another of
the items that tie with the last place kept (tied_selection: the Unimodal list's cut, a quota component's places within
its cluster, the unimodal fill), each item the file gives carrying our score of it; or, for kNN-Embed, every K's list
re-derived from another set of neighbours whose cosine ties with the k-th (neighbour_tie).  Each list accepted at a cut
or through its neighbours is printed with the items (or users) exchanged and their scores.  An item that does not tie
with the cut, or that the file scores otherwise, is a difference.  Our figures are then compared with metrics.json with
the library's list in place of ours for the near-tie lists (and kNN-Embed's EMD from the tied neighbours the library's
lists follow), the difference with our own lists printed beside.  Two neighbours that tie at the k-th cosine can also give
the same lists and other components, which only kNN-Embed's EMD shows: for a user whose components differ from the
library's (--mixtures, default DIR/mixtures.tsv beside --candidates), the tied neighbours that give the library's
components and lists are taken for its EMD (a "knn_embed mixture" near-tie line).  The exit status is 1 when a figure differs beyond
--tolerance or a list differs otherwise.  The popular row's lists (since 1.19.0) are re-derived from the training file
and the item order of --item-embeddings and compared exactly, scores (the degrees) included.  Tests of the tie rule and
of the popular lists: tools/test_protocol_check.py.

Runtime at scale.  The bulk of the arithmetic is two float32 GEMMs (test users x items for the
Unimodal pre-selection, test users x users for the neighbours: ~9e11 and ~5e12 flops on a
70,000-user, 25,000-item graph at d = 512).  Debian's numpy is linked to the reference BLAS
(~1 GFLOP/s, which is why that graph took over 20 minutes before), so these GEMMs go through an
installed OpenBLAS's cblas_sgemm, loaded with ctypes (apt-get install libopenblas0-pthread; it
need not be the system's default BLAS; --sgemm LIB names another library, --sgemm numpy turns
it off); its threads follow OPENBLAS_NUM_THREADS.  The GEMMs only pre-select candidates, which
are then re-scored as below, so the figures do not depend on the library (except with
--blas-f32).  The per-user pass (mixtures, quota lists, EMD) runs in --jobs forked processes
(default 2); the EMDs call scipy's HiGHS the way linprog does, without linprog's input checks,
after a start-up self-test shows equal objectives (--emd-linprog: through linprog).  The
metrics and the candidates file are computed / parsed with numpy over all users at once, each
figure with the same IEEE operations in the same order as the per-user code they replaced
(compared bit for bit when they were written).  Measured 2026-12-02 on a 2-core machine shared with
other jobs (load 2-6), OPENBLAS_NUM_THREADS=2, --jobs 2, with --metrics and --candidates:
  cit-HepPh reproduce --export (27,052 test users, d = 128): 348 s before, 153 s now, same output;
  the 70,000-user graph, --users 10000: 979 s before, 162 s now, same output;
  the 70,000-user graph, every user, candidates.tsv of 8 rows (45M lines): 607 s (load 27 s,
  Unimodal 44 s, neighbours 98 s, per-user pass 170 s, candidates.tsv 118 s, the 33 method@K
  figures ~150 s, Diversity's gathers of unit vectors the bulk of it), 8.2 GB peak.
Without OpenBLAS (--sgemm numpy on the reference BLAS) the GEMMs alone take about two hours on
that graph; --users N then checks the first N test users.

Reading of the spec implemented here (see the report / --help for details):
  * Unimodal: top-M items by float32 dot(u, i) (raw vectors), training items excluded.
  * Mixture: p_mle(c|u) = count(u,c) / sum of counts over u's top-m clusters (ties: lower
    cluster id); component u^c = normalised sum of u's (raw) training item embeddings in c.
  * kNN-Embed: neighbours = k most similar other users (cosine) among users with >= 1
    training edge, ties to the lower row of the user embedding file; p_knn = mean of the
    neighbours' p_mle (0 outside a neighbour's top-m); p_s = (1-l) p_mle + l p_knn; top-m by
    p_s (ties lower cluster id, positive only), renormalised.  u^c = (1-l) centroid(c,u) +
    (l/k) sum p_mle(c|u') centroid(c,u'), normalised (fallback: normalised cluster centroid =
    normalised mean of the unit item embeddings of the cluster).  Cluster probabilities and
    quotas are computed in exact rational arithmetic (fractions), so ties are exact ties.
  * Quota retrieval, M = K for each cutoff separately: largest-remainder rounding of
    M * w^alpha / sum w^alpha, remainder ties to the higher weight then the lower cluster id;
    each component takes min(quota, eligible) of its own cluster by float32 dot(u^c, i);
    the total shortfall is offered to the components in descending weight order (ties lower
    cluster id), each taking as many more of its own ranking as it can; then the unimodal
    ranking fills, skipping chosen items.  List order: components in weight order (each its
    quota plus any leftover it took, by score), then the unimodal fill.
  * Scores are float32: the float32 vectors' dot product accumulated in float64 and rounded
    once to float32 (a float32 GEMM pre-selects K+16 candidates, which are then re-scored this
    way), so the result does not depend on the BLAS's accumulation order (--blas-f32: use the
    raw float32 GEMM scores instead).  Cosine for neighbours = dot of float64-normalised
    vectors, rounded to float32.  Score ties (exact float32 equality) go to the lower row of
    the embedding file; identical embedding rows are de-duplicated before scoring so that they
    always get identical scores.
  * Recall@K = |list & heldout| / |heldout|; NDCG@K (binary gains) = DCG / IDCG with
    DCG = sum over the 0-based ranks p < K whose item is held out (first occurrence only) of
    1 / log2(p + 2), IDCG = the same sum over p < min(K, |heldout|); Diversity@K = mean over the list of
    ||i_k - mean|| on unit-normalised item embeddings (divides by the list length);
    EMD exact (scipy linprog / HiGHS), Euclidean cost, sources u^c with w_c (unimodal: the
    normalised user embedding, weight 1), targets the unit held-out item embeddings, uniform.
  * Held-out edges whose user or item is not in the embedding files (unseen in training), as
    `evaluate` treats them: with --unseen miss (the default, evaluate's too) an unseen item stays
    in its user's Recall and NDCG denominators as a miss, and a test user with no seen held-out
    item counts as 0 in Recall and NDCG (it has no list); Diversity and EMD average the users with
    a seen held-out item. --unseen drop leaves such edges out of every figure.
  * With --metrics and --candidates, also each row against Unimodal user by user (metrics.json
    versus_unimodal: mean of the per-user differences and its standard error, sample deviation
    with n - 1 over sqrt n; missed users a difference of 0 in Recall and NDCG), and the by_activity
    blocks: the test users cut into quartiles of training degree (bounds at the degrees of ranks
    ceil(b n / 4), b = 1..3, of the sorted degrees; a user in the first quartile whose bound its
    degree does not exceed; missed users in none), each quartile's figures and pairs.
"""
import argparse
from cli_files import existing_file
import gzip
import json
import math
import os
import sys
import time
from collections import Counter, OrderedDict
from fractions import Fraction

try:
    import numpy as np
except ImportError:  # said in one line by main(), after --help has had its chance
    np = None


class Verdict:
    """What the comparisons found: the largest figure difference and the lists that differ, for the exit status."""

    def __init__(self):
        self.worst = 0.0
        self.lists = 0
        self.near_ties = 0
        self.mixture_ties = 0
        self.problems = []

    def figures(self, worst, what):
        if not math.isnan(worst):
            self.worst = max(self.worst, worst)

    def fail(self, problem):
        self.problems.append(problem)


VERDICT = Verdict()

METHODS = ("unimodal", "mixture", "knn_embed")
# Rows that re-rank Unimodal's list with Unimodal's vectors: their EMD is Unimodal's.
SAME_EMD_AS_UNIMODAL = ("mmr", "mmr_reorder")
MARGIN = 16  # extra candidates pre-selected by the float32 GEMM before exact re-scoring


# ----------------------------------------------------------------------------- IO
def _open(path):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, "r", encoding="utf-8")


def read_edges(path):
    """Return list of (user, item) raw string pairs, in file order (header skipped)."""
    out = []
    with _open(path) as f:
        header = f.readline()
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if not line:
                continue
            p = line.split("\t")
            out.append((p[0], p[1]))
    return out


def read_embeddings(path):
    """ids and the float32 matrix; each value parsed as a double and rounded to float32 (as
    np.array(strings, dtype=np.float32) does).  Fast path: one numpy parse of all the values."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        f.readline()
        data = f.read()
    lines = data.split(b"\n")
    del data
    ids = []
    vals = []
    for line in lines:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            continue
        x, _, rest = line.partition(b"\t")
        ids.append(x.decode("utf-8"))
        vals.append(rest)
    del lines
    ncol = vals[0].count(b"\t") + 1 if vals else 0
    arr = None
    if vals and all(v.count(b"\t") + 1 == ncol for v in vals) and b"" not in vals:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a parse error shows as a short result: the plain way then
            flat = np.fromstring(b"\t".join(vals), dtype=np.float64, sep="\t")
        if flat.size == len(vals) * ncol:
            arr = flat.astype(np.float32).reshape(len(vals), ncol)
        del flat
    if arr is None:  # ragged or unusual rows: the plain way (fails as before on bad input)
        arr = np.array([v.decode("utf-8").split("\t") for v in vals], dtype=np.float32)
    return ids, arr


def read_clusters(path):
    out = {}
    with _open(path) as f:
        f.readline()
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if not line:
                continue
            p = line.split("\t")
            out[p[0]] = int(p[1])
    return out


# ----------------------------------------------------------------------------- helpers
_SGEMM = None  # cblas_sgemm of an optimised BLAS loaded with ctypes (see load_sgemm), else numpy's matmul
OPENBLAS_PATHS = ("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                  "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
                  "/usr/lib/x86_64-linux-gnu/openblas-serial/libopenblas.so.0",
                  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0")


def load_sgemm(spec):
    """The float32 pre-selection GEMMs (users x items, users x users) are the bulk of the
    arithmetic; numpy linked to the reference BLAS does them at ~1 GFLOP/s.  spec: 'auto' (an
    installed OpenBLAS if found, else numpy), 'numpy', or the path of a shared library exporting
    cblas_sgemm.  Returns a description of what is used."""
    global _SGEMM
    import ctypes
    import ctypes.util
    import os
    _SGEMM = None
    if spec == "numpy":
        return "numpy matmul"
    if spec == "auto":
        cands = [x for x in OPENBLAS_PATHS if os.path.exists(x)]
        found = ctypes.util.find_library("openblas")
        if found:
            cands.append(found)
    else:
        cands = [spec]
    for path in cands:
        try:
            lib = ctypes.CDLL(path)
            f = lib.cblas_sgemm
        except (OSError, AttributeError):
            if spec != "auto":
                raise
            continue
        f.restype = None
        ci, vp = ctypes.c_int, ctypes.c_void_p
        f.argtypes = [ci, ci, ci, ci, ci, ci, ctypes.c_float, vp, ci, vp, ci, ctypes.c_float, vp, ci]
        _SGEMM = f
        return "cblas_sgemm of " + path
    return "numpy matmul (no OpenBLAS found)"


def matmul32(A, B):
    """A (m x k) @ B (k x n), float32 (the pre-selection GEMM)."""
    if _SGEMM is None:
        return A @ B
    A = np.ascontiguousarray(A, dtype=np.float32)
    B = np.ascontiguousarray(B, dtype=np.float32)
    m, k = A.shape
    n = B.shape[1]
    C = np.empty((m, n), dtype=np.float32)
    if m and n:
        # CblasRowMajor = 101, CblasNoTrans = 111
        _SGEMM(101, 111, 111, m, n, k, 1.0, A.ctypes.data, k, B.ctypes.data, n, 0.0, C.ctypes.data, n)
    return C


def dedup_rows(mat):
    """Representative (first occurrence) rows of identical rows, and the row -> rep map."""
    _, first, inv = np.unique(mat, axis=0, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    # np.unique sorts lexicographically; keep its unique order, it does not matter.
    return mat[first], inv


def dedup_rows_ordered(mat):
    """As dedup_rows, the representatives in the order of their first occurrence, so that the
    map is the identity (and returned as None) when no two rows are identical."""
    _, first, inv = np.unique(mat, axis=0, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    if len(first) == mat.shape[0]:
        return mat, None
    o = np.argsort(first, kind="stable")
    rank = np.empty_like(o)
    rank[o] = np.arange(len(o))
    return mat[first[o]], rank[inv]


TOPK_GROUP = 32
RESCORE_CHUNK = 4096  # (user, candidate) pairs gathered at once for the float64 re-scoring


def topk_with_ties(S, T):
    """For each row of S (float32), indices of the T largest values; equal values are ordered
    by the lower column index, i.e. the first T columns in the total order (value descending,
    column ascending) -- the same result as topk_with_ties_ref, found without a full
    argpartition: the T-th largest of the maxima of groups of TOPK_GROUP columns is a lower
    bound of the T-th largest value (T groups hold a value at least as large), so only the
    columns at or above it are sorted."""
    n, N = S.shape
    T = min(T, N)
    G = N // TOPK_GROUP
    if n == 0 or G < 2 * T:
        return topk_with_ties_ref(S, T)
    M = S[:, :G * TOPK_GROUP].reshape(n, G, TOPK_GROUP).max(axis=2)
    if np.isnan(M).any():
        return topk_with_ties_ref(S, T)
    lb = np.partition(M, G - T, axis=1)[:, G - T]
    r, c = np.nonzero(S >= lb[:, None])  # row-major: rows ascending, columns ascending
    v = S[r, c]
    o = np.lexsort((c, -v, r))  # by row, then value descending, then column ascending
    c = c[o]
    v = v[o]
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=start[1:])
    pos = start[:-1, None] + np.arange(T)[None, :]
    return c[pos], v[pos]


def topk_with_ties_ref(S, T):
    """For each row of S (float32), indices of the T largest values; equal values are ordered
    by the lower column index.  Exact: boundary ties are resolved by index as well."""
    n, N = S.shape
    T = min(T, N)
    part = np.argpartition(-S, T - 1, axis=1)[:, :T]
    rows = np.arange(n)[:, None]
    vals = S[rows, part]
    thr = vals.min(axis=1)
    cnt = (S >= thr[:, None]).sum(axis=1)
    # sort the partition by index first, then stable by -value
    o = np.argsort(part, axis=1, kind="stable")
    part = np.take_along_axis(part, o, axis=1)
    vals = np.take_along_axis(vals, o, axis=1)
    o = np.argsort(-vals, axis=1, kind="stable")
    part = np.take_along_axis(part, o, axis=1)
    vals = np.take_along_axis(vals, o, axis=1)
    for r in np.nonzero(cnt > T)[0]:
        cand = np.nonzero(S[r] >= thr[r])[0]  # ascending index
        oo = np.argsort(-S[r, cand], kind="stable")[:T]
        part[r] = cand[oo]
        vals[r] = S[r, cand[oo]]
    return part, vals


def rescore_topk(idx, Q64, E64, T):
    """Re-score the pre-selected columns idx (n x T2) exactly: float64 dot products of the
    float32 vectors, rounded once to float32; then keep the T best, ties to the lower index.
    Columns that were masked (-inf) stay masked via the caller."""
    out = np.empty(idx.shape, dtype=np.float32)
    step = max(1, RESCORE_CHUNK // max(1, idx.shape[1]))  # bounded gather (same einsum per element)
    for a in range(0, idx.shape[0], step):
        out[a:a + step] = np.einsum("nd,ntd->nt", Q64[a:a + step], E64[idx[a:a + step]])
    return out


def order_topk(idx, vals, T):
    o = np.argsort(idx, axis=1, kind="stable")
    idx = np.take_along_axis(idx, o, axis=1)
    vals = np.take_along_axis(vals, o, axis=1)
    o = np.argsort(-vals, axis=1, kind="stable")[:, :T]
    return np.take_along_axis(idx, o, axis=1), np.take_along_axis(vals, o, axis=1)


def normalize(v):
    n = np.linalg.norm(v)
    if n == 0 or not np.isfinite(n):
        return None
    return v / n


_HIGHS_DIRECT = None  # (wrapper, constants) when the direct HiGHS call is known to match linprog


def _highs_direct(c, s, t, beq):
    """The call linprog(c, A_eq=A[:-1], b_eq=beq[:-1], bounds=(0, None), method="highs") makes
    to HiGHS (scipy 1.10's _linprog_highs), with the transport matrix built directly in CSC
    form: the same arrays and options, so the same solver run and objective, without linprog's
    input checks (about two thirds of its time on these small problems).  Returns None when
    HiGHS does not report an optimum (the caller then goes through linprog)."""
    wrapper, K = _HIGHS_DIRECT
    n = s * t
    m = s + t - 1
    # column i*t + j: rows i and s + j (the last target row is dropped)
    jj = np.tile(np.arange(t), s)
    ii = np.repeat(np.arange(s), t)
    two = jj < t - 1
    counts = 1 + two.astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int32)
    indices[indptr[:-1]] = ii
    indices[indptr[:-1][two] + 1] = (s + jj[two])
    data = np.ones(indptr[-1], dtype=np.float64)
    rhs = np.array(beq[:-1], dtype=np.float64)
    lhs = rhs.copy()
    lb = np.zeros(n)
    ub = np.full(n, K["CONST_INF"], dtype=np.float64)
    options = {
        'presolve': True,
        'sense': K["HIGHS_OBJECTIVE_SENSE_MINIMIZE"],
        'solver': None,
        'time_limit': None,
        'highs_debug_level': K["MESSAGE_LEVEL_NONE"],
        'dual_feasibility_tolerance': None,
        'ipm_optimality_tolerance': None,
        'log_to_console': False,
        'mip_max_nodes': None,
        'output_flag': False,
        'primal_feasibility_tolerance': None,
        'simplex_dual_edge_weight_strategy': None,
        'simplex_strategy': K["HIGHS_SIMPLEX_STRATEGY_DUAL"],
        'simplex_crash_strategy': K["HIGHS_SIMPLEX_CRASH_STRATEGY_OFF"],
        'ipm_iteration_limit': None,
        'simplex_iteration_limit': None,
        'mip_rel_gap': None,
    }
    res = wrapper(np.ascontiguousarray(c, dtype=np.float64), indptr, indices, data, lhs, rhs, lb, ub,
                  np.empty(0).astype(np.uint8), options)
    if res.get("status") != K["MODEL_STATUS_OPTIMAL"] or "fun" not in res:
        return None
    return float(res["fun"])


def enable_highs_direct(trials=200, seed=0):
    """Use _highs_direct only if this scipy has the same internals (scipy 1.10) and it returns,
    bit for bit, linprog's objective on random transport problems of the shapes met here;
    otherwise every EMD goes through linprog.  Returns a description."""
    global _HIGHS_DIRECT
    _HIGHS_DIRECT = None
    try:
        import scipy
        from scipy.optimize import linprog
        from scipy.optimize._highs._highs_wrapper import _highs_wrapper
        from scipy.optimize._highs import _highs_constants as hc
        if not scipy.__version__.startswith("1.10."):
            return "linprog (scipy %s: direct HiGHS call not verified for it)" % scipy.__version__
        K = {x: getattr(hc, x) for x in ("CONST_INF", "HIGHS_OBJECTIVE_SENSE_MINIMIZE", "MESSAGE_LEVEL_NONE",
                                         "HIGHS_SIMPLEX_STRATEGY_DUAL", "HIGHS_SIMPLEX_CRASH_STRATEGY_OFF",
                                         "MODEL_STATUS_OPTIMAL")}
    except Exception as e:  # noqa: BLE001 - any difference in internals: the plain way
        return "linprog (direct HiGHS call unavailable: %s)" % e
    _HIGHS_DIRECT = (_highs_wrapper, K)
    rng = np.random.default_rng(seed)
    for _ in range(trials):
        s = int(rng.integers(2, 8))
        t = int(rng.integers(2, 40))
        src = rng.standard_normal((s, 16))
        tgt = rng.standard_normal((t, 16))
        w = rng.integers(1, 20, size=s).astype(np.float64)
        w = w / w.sum()
        D = np.sqrt(np.maximum(((src[:, None, :] - tgt[None, :, :]) ** 2).sum(-1), 0.0))
        beq = np.concatenate([w, np.full(t, 1.0 / t)])
        A = transport_constraints(s, t)
        ref = linprog(D.reshape(-1), A_eq=A[:-1], b_eq=beq[:-1], bounds=(0, None), method="highs")
        got = _highs_direct(D.reshape(-1), s, t, beq)
        if ref.status != 0 or got is None or float(ref.fun) != got:
            _HIGHS_DIRECT = None
            return "linprog (direct HiGHS call differed from linprog in a self-test)"
    return "HiGHS called directly (scipy 1.10 internals; equal to linprog on %d random problems)" % trials


def transport_constraints(s, t):
    """The equality constraints of an s x t transport plan (flattened row by row): row sums, then column sums."""
    A = np.zeros((s + t, s * t))
    for i in range(s):
        A[i, i * t:(i + 1) * t] = 1.0
    for j in range(t):
        A[s + j, j::t] = 1.0
    return A


def emd_exact(src, w, tgt):
    """Exact EMD between sum_i w_i delta(src_i) and the uniform distribution on tgt rows."""
    w = np.asarray(w, dtype=np.float64)
    w = w / w.sum()
    t = tgt.shape[0]
    D = np.sqrt(np.maximum(((src[:, None, :] - tgt[None, :, :]) ** 2).sum(-1), 0.0))
    s = src.shape[0]
    if s == 1:
        return float(D[0].mean())
    if t == 1:
        return float((w * D[:, 0]).sum())
    b = np.full(t, 1.0 / t)
    beq = np.concatenate([w, b])
    if _HIGHS_DIRECT is not None:
        fun = _highs_direct(D.reshape(-1), s, t, beq)
        if fun is not None:
            return fun
    from scipy.optimize import linprog
    A = transport_constraints(s, t)
    # one equality is redundant; drop the last to keep the system full rank
    res = linprog(D.reshape(-1), A_eq=A[:-1], b_eq=beq[:-1], bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError("linprog failed: %s" % res.message)
    return float(res.fun)


def ndcg_at(L, held, K, n_held=None):
    """NDCG@K with binary gains of the ranked list L against the set of held-out items:
    DCG = sum over the first K ranks p (0-based) whose item is held out of 1/log2(p + 2), an item
    listed twice counting at its first rank only; IDCG = sum over p < min(K, n_held) of the same,
    n_held = |held| unless given (held-out items unseen in training count there too)."""
    seen = set()
    dcg = 0.0
    for p, x in enumerate(L[:K]):
        if x in held and x not in seen:
            dcg += 1.0 / math.log2(p + 2)
        seen.add(x)
    ideal = sum(1.0 / math.log2(p + 2) for p in range(min(K, len(held) if n_held is None else n_held)))
    return dcg / ideal


def quotas(M, comps, alpha, float_arith=False):
    """comps: list of (cluster, weight as Fraction).  Largest remainder of
    M * w^alpha / sum w^alpha; remainder ties: higher weight, then lower cluster id.
    float_arith=True: IEEE double arithmetic (diagnostic emulation), so rounding can break
    exact ties."""
    if float_arith:
        pw = [float(w) ** alpha for _, w in comps]
        tot = 0.0
        for p in pw:
            tot += p
        shares = [M * p / tot for p in pw]
    elif float(alpha).is_integer():
        # exact: shares M * pw_j / sum pw on a common denominator, so that floor and remainder are
        # integer divmods (the same values and order as the Fractions M * p / tot)
        a = int(alpha)
        pw = [Fraction(w) ** a for _, w in comps]
        den = 1
        for p in pw:
            den = den * p.denominator // math.gcd(den, p.denominator)
        nums = [p.numerator * (den // p.denominator) for p in pw]
        tot = sum(nums)
        dm = [divmod(M * x, tot) for x in nums]
        base = [x[0] for x in dm]
        rem = M - sum(base)
        order = sorted(range(len(comps)), key=lambda j: (-dm[j][1], -comps[j][1], comps[j][0]))
        q = list(base)
        for j in order[:rem]:
            q[j] += 1
        return q
    else:
        pw = [float(w) ** alpha for _, w in comps]
        tot = sum(pw)
        shares = [M * p / tot for p in pw]
    base = [int(math.floor(s)) for s in shares]
    rem = M - sum(base)
    order = sorted(range(len(comps)),
                   key=lambda j: (-(shares[j] - base[j]), -comps[j][1], comps[j][0]))
    q = list(base)
    for j in order[:rem]:
        q[j] += 1
    return q


# ----------------------------------------------------------------------------- main work
USER_CHUNK = 500  # test users per task of the per-user pass
_WORKER = None  # the Protocol whose per-user pass runs (inherited by forked workers)


def _user_chunk(lohi):
    return _WORKER.user_rows(*lohi)


class Protocol:
    def __init__(self, args):
        self.args = args
        self.m = args.components
        self.k = args.neighbors
        self.lam = Fraction(str(args.lam))
        self.alpha = args.alpha
        self.cutoffs = [int(x) for x in args.cutoffs.split(",")]
        self.Kmax = max(self.cutoffs)
        self.log = lambda *a: print(*a, file=sys.stderr, flush=True)

    # ------------------------------------------------------------------ loading
    def load(self):
        a = self.args
        t0 = time.time()
        self.item_ids, self.I = read_embeddings(a.item_embeddings)
        self.user_ids, self.U = read_embeddings(a.user_embeddings)
        self.item_row = {x: j for j, x in enumerate(self.item_ids)}
        self.user_row = {x: j for j, x in enumerate(self.user_ids)}
        cl = read_clusters(a.item_clusters)
        self.cluster = np.full(len(self.item_ids), -1, dtype=np.int64)
        miss = 0
        for x, j in self.item_row.items():
            c = cl.get(x)
            if c is None:
                miss += 1
            else:
                self.cluster[j] = c
        if miss:
            self.log("WARNING: %d items have no cluster" % miss)
        train = read_edges(a.train)
        test = read_edges(a.test)
        self.log("loaded: %d users, %d items (d=%d), %d train, %d test edges in %.1fs"
                 % (len(self.user_ids), len(self.item_ids), self.I.shape[1], len(train),
                    len(test), time.time() - t0))
        nU = len(self.user_ids)
        tr = [[] for _ in range(nU)]
        bad = 0
        for u, i in train:
            ur = self.user_row.get(u)
            ir = self.item_row.get(i)
            if ur is None or ir is None:
                bad += 1
                continue
            tr[ur].append(ir)
        if bad:
            self.log("WARNING: %d training edges with unknown user/item skipped" % bad)
        self.train = [np.array(sorted(set(x)), dtype=np.int64) for x in tr]
        self.has_train = np.array([len(x) > 0 for x in self.train])
        # A neighbour search finds at most the other users with training edges (the library's k is the neighbours found).
        others = int(self.has_train.sum()) - 1
        if self.k > others:
            self.log("neighbours: k = %d exceeds the %d other users with training edges; k = %d" % (self.k, others, max(0, others)))
            self.k = max(0, others)
        # test users in order of first appearance
        test_sets = OrderedDict()
        unseen_pairs = set()  # distinct held-out (user, item) pairs whose user or item has no embedding
        for u, i in test:
            ur = self.user_row.get(u)
            ir = self.item_row.get(i)
            if ur is None or ir is None:
                unseen_pairs.add((u, i))
                continue
            test_sets.setdefault(ur, set()).add(ir)
        # Unseen items of seen users stay in their denominators; users without a seen item are missed users.
        self.unseen_items = Counter()
        missed = set()
        for u, i in unseen_pairs:
            ur = self.user_row.get(u)
            if ur is not None and ur in test_sets:
                self.unseen_items[ur] += 1
            else:
                missed.add(u)
        self.missed_users = len(missed)
        if a.unseen == "drop":
            self.unseen_items.clear()
            self.missed_users = 0
        if unseen_pairs:
            self.log("NOTE: %d held-out edges name a user or item without an embedding (%s): %d missed users"
                     % (len(unseen_pairs), "misses, as evaluate's default" if a.unseen == "miss" else "left out",
                        self.missed_users))
        self.test_users = list(test_sets.keys())
        self.n_test_users_all = len(self.test_users)
        if a.users:
            self.test_users = self.test_users[:a.users]
            self.missed_users = 0  # a prefix of the users: the missed ones are not among them
        self.test_sets = {u: np.array(sorted(test_sets[u]), dtype=np.int64)
                          for u in self.test_users}
        # derived
        In = self.I.astype(np.float64)
        self.In = In / np.linalg.norm(In, axis=1, keepdims=True)  # unit item embeddings
        self.I64 = In
        self.Irep, self.Iinv = dedup_rows(self.I)
        self.log("item rows: %d unique of %d" % (self.Irep.shape[0], self.I.shape[0]))
        # clusters: item lists (ascending row), unique reps for scoring
        self.cl_items = {}
        order = np.argsort(self.cluster, kind="stable")
        cs = self.cluster[order]
        bounds = np.flatnonzero(np.diff(cs)) + 1
        for grp in np.split(order, bounds):
            c = int(self.cluster[grp[0]])
            items = np.sort(grp)
            ureps, mapping = np.unique(self.Iinv[items], return_inverse=True)
            reps = np.ascontiguousarray(self.Irep[ureps])
            self.cl_items[c] = (items, reps, mapping, reps.astype(np.float64))
        self._cl_centroid = {}
        self._user_info = {}

    # ------------------------------------------------------------------ per-user pieces
    def cluster_centroid(self, c):
        v = self._cl_centroid.get(c)
        if v is None:
            items = self.cl_items[c][0]
            v = normalize(self.In[items].mean(axis=0))
            self._cl_centroid[c] = v
        return v

    def user_info(self, u):
        """(top-m list of (cluster, Fraction p_mle)), dict cluster -> centroid (float64 unit,
        for every cluster u has training items in)."""
        info = self._user_info.get(u)
        if info is not None:
            return info
        items = self.train[u]
        cls = self.cluster[items]
        cnt = Counter(cls.tolist())
        top = sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0]))[: self.m]
        tot = sum(v for _, v in top)
        pm = [(c, Fraction(v, tot)) for c, v in top]
        cents = {}
        X = self.I[items].astype(np.float64)
        for c in cnt:
            v = X[cls == c].sum(axis=0)
            n = np.linalg.norm(v)
            cents[c] = v / n if n > 0 else np.zeros_like(v)
        info = (pm, cents)
        self._user_info[u] = info
        return info

    def component_ranking(self, u, c, vec32):
        """Items of cluster c, training items of u excluded, ranked by float32 dot(vec, i)
        descending, ties to the lower item row.  Returns (items, scores)."""
        items, reps, mapping, reps64 = self.cl_items[c]
        if self.args.blas_f32:
            sc = (reps @ vec32)[mapping]
        else:
            sc = (reps64 @ vec32.astype(np.float64)).astype(np.float32)[mapping]
        tr = self.train[u]  # sorted, unique
        if len(tr):
            p = np.minimum(np.searchsorted(tr, items), len(tr) - 1)
            keep = tr[p] != items
        else:
            keep = np.ones(len(items), dtype=bool)
        items = items[keep]
        sc = sc[keep]
        o = np.argsort(-sc, kind="stable")  # items ascending -> ties to lower row
        return items[o], sc[o]

    def quota_lists(self, u, comps, vecs, uni_rank, cutoffs=None, blocks=False):
        """comps: list of (cluster, Fraction weight) sorted by weight desc, cluster asc.
        vecs: list of float32 unit vectors.  Returns {K: (items list, scores list)} for each K of cutoffs (default
        all); with blocks=True {K: (items, scores, lengths)}, lengths the entries each component took, in order, then
        the unimodal fill's (for the tie check, quota_tie)."""
        ranks = [self.component_ranking(u, c, v) for (c, _), v in zip(comps, vecs)]
        out = {}
        for K in (self.cutoffs if cutoffs is None else cutoffs):
            q = quotas(K, comps, self.alpha, self.args.float_arith)
            take = [min(qj, len(r[0])) for qj, r in zip(q, ranks)]
            short = K - sum(take)
            extra = [0] * len(comps)
            if short > 0:
                for j in range(len(comps)):  # already in weight order
                    more = min(short, len(ranks[j][0]) - take[j])
                    extra[j] = more
                    short -= more
                    if short == 0:
                        break
            items, scores = [], []
            for j in range(len(comps)):  # grouped by component (weight order), each by score
                items.extend(ranks[j][0][: take[j] + extra[j]].tolist())
                scores.extend(ranks[j][1][: take[j] + extra[j]].tolist())
            if len(items) < K:
                chosen = set(items)
                ui, us = uni_rank
                for it, s in zip(ui.tolist(), us.tolist()):
                    if len(items) >= K:
                        break
                    if it not in chosen:
                        items.append(it)
                        scores.append(s)
                        chosen.add(it)
                if len(items) < K:
                    self.log("WARNING: user %s list shorter than %d" % (self.user_ids[u], K))
            out[K] = (items, scores)
            if blocks:
                lengths = [t + e for t, e in zip(take, extra)]
                out[K] = (items, scores, lengths + [len(items) - sum(lengths)])
        return out

    def mixture_components(self, u):
        """Mixture's components of user u: (comps, vecs64), comps the (cluster, Fraction weight) with a positive weight by
        weight desc, cluster asc, vecs64 their float64 unit centroids."""
        pm, cents = self.user_info(u)
        comps = [(c, w) for c, w in pm if w > 0]
        comps.sort(key=lambda cw: (-cw[1], cw[0]))
        return comps, [cents[c] for c, _ in comps]

    def knn_components(self, u, nb):
        """kNN-Embed's components of user u smoothed over the neighbours nb (user rows, in neighbour order): (kcomps,
        kvecs64) as mixture_components."""
        lam, lamf, k = self.lam, float(self.lam), self.k
        pm, cents = self.user_info(u)
        pknn = {}
        nb_info = []
        for v in nb:
            pmv, centv = self.user_info(v)
            nb_info.append((pmv, centv))
            for c, w in pmv:
                pknn[c] = pknn.get(c, 0) + w
        pown = dict(pm)
        allc = set(pknn) | set(pown)
        ps = {}
        if self.args.float_arith:
            # diagnostic: the same formula evaluated in IEEE doubles
            pknnf = {}
            for pmv, _ in nb_info:
                for c, w in pmv:
                    pknnf[c] = pknnf.get(c, 0.0) + float(w)
            for c in allc:
                ps[c] = (1 - lamf) * float(pown.get(c, 0)) + lamf * (pknnf.get(c, 0.0) / len(nb))
        else:
            for c in allc:
                ps[c] = (1 - lam) * pown.get(c, 0) + lam * pknn.get(c, 0) / len(nb)
        top = sorted(((c, p) for c, p in ps.items() if p > 0),
                     key=lambda cp: (-cp[1], cp[0]))[: self.m]
        tot = sum(p for _, p in top)
        # float mode: the renormalised weight is the double p / tot (held exactly)
        kcomps = [(c, Fraction(p / tot)) if isinstance(p, float) else (c, p / tot)
                  for c, p in top]
        kvecs64 = []
        for c, _ in kcomps:
            v = np.zeros(self.I.shape[1])
            if c in cents:
                v = v + (1 - lamf) * cents[c]
            for pmv, centv in nb_info:
                for cc, w in pmv:
                    if cc == c:
                        v = v + (lamf / k) * float(w) * centv[c]
            vv = normalize(v)
            if vv is None:
                vv = self.cluster_centroid(c)
            kvecs64.append(vv)
        return kcomps, kvecs64

    def user_rows(self, lo, hi):
        """Mixture, kNN-Embed and the lists of the test users at positions lo..hi-1 (and the three
        EMDs): (cands[method][K][user], mixtures[method][user], emd[method] in user order)."""
        users = self.run_users
        cands = {m: {K: {} for K in self.cutoffs} for m in METHODS}
        mixtures = {"mixture": {}, "knn_embed": {}}
        emd = {m: [] for m in METHODS}
        for pos in range(lo, hi):
            u = int(users[pos])
            # The ranking ends where the training items (scored -inf) begin: a list never holds one, and is
            # shorter than K when the user has seen all but a few items.
            L = int(np.isfinite(self.uni_scores[pos]).sum())
            uni_rank = (self.uni_items[pos, :L], self.uni_scores[pos, :L])
            for K in self.cutoffs:
                cands["unimodal"][K][u] = (self.uni_items[pos, :min(K, L)].tolist(),
                                           self.uni_scores[pos, :min(K, L)].tolist())
            # --- mixture
            comps, vecs64 = self.mixture_components(u)
            vecs = [v.astype(np.float32) for v in vecs64]
            res = self.quota_lists(u, comps, vecs, uni_rank)
            for K in self.cutoffs:
                cands["mixture"][K][u] = res[K]
            mixtures["mixture"][u] = comps
            tgt = self.In[self.test_sets[u]]
            emd["mixture"].append(emd_exact(np.array(vecs64), [float(w) for _, w in comps], tgt))
            # --- unimodal EMD
            uu = self.U[u].astype(np.float64)
            uu = uu / np.linalg.norm(uu)
            emd["unimodal"].append(emd_exact(uu[None, :], [1.0], tgt))
            # --- kNN-Embed
            kcomps, kvecs64 = self.knn_components(u, self.nbrs[pos].tolist())
            kvecs = [v.astype(np.float32) for v in kvecs64]
            res = self.quota_lists(u, kcomps, kvecs, uni_rank)
            for K in self.cutoffs:
                cands["knn_embed"][K][u] = res[K]
            mixtures["knn_embed"][u] = kcomps
            emd["knn_embed"].append(emd_exact(np.array(kvecs64), [float(w) for _, w in kcomps], tgt))
        return cands, mixtures, emd

    # ------------------------------------------------------------------ full run
    def run(self):
        t0 = time.time()
        users = np.array(self.test_users, dtype=np.int64)
        n = len(users)
        # Enough for the unimodal fill (skips at most Kmax-1 chosen), and no more than the catalogue holds.
        T = min(2 * self.Kmax, len(self.Iinv))
        self.uni_items = np.zeros((n, T), dtype=np.int64)
        self.uni_scores = np.zeros((n, T), dtype=np.float32)
        B = self.args.block
        IrepG, IinvG = dedup_rows_ordered(self.I)  # for the GEMM: no gather when all rows differ
        IrepT = np.ascontiguousarray(IrepG.T)
        for s in range(0, n, B):
            ub = users[s:s + B]
            S = matmul32(self.U[ub], IrepT)
            if IinvG is not None:
                S = S[:, IinvG]
            for r, u in enumerate(ub):
                S[r, self.train[u]] = -np.inf
            if self.args.blas_f32:
                idx, vals = topk_with_ties(S, T)
            else:
                idx, vals = topk_with_ties(S, T + MARGIN)
                v2 = rescore_topk(idx, self.U[ub].astype(np.float64), self.I64, T)
                v2[~np.isfinite(vals)] = -np.inf
                idx, vals = order_topk(idx, v2, T)
            self.uni_items[s:s + B] = idx
            self.uni_scores[s:s + B] = vals
        self.log("unimodal retrieval: %.1fs" % (time.time() - t0))

        # neighbours
        t0 = time.time()
        Un = self.U.astype(np.float64)
        nrm = np.linalg.norm(Un, axis=1, keepdims=True)
        nrm[nrm == 0] = 1.0
        Un64 = Un / nrm  # cosine = dot of the float64-normalised float32 vectors
        Un = Un64.astype(np.float32)
        self.Unorm = Un
        Urep, Uinv = dedup_rows_ordered(Un)
        self.log("user rows: %d unique of %d" % (Urep.shape[0], Un.shape[0]))
        UrepT = np.ascontiguousarray(Urep.T)
        noedge = np.nonzero(~self.has_train)[0]
        self.nbrs = np.zeros((n, self.k), dtype=np.int64)
        for s in range(0, n, B):
            ub = users[s:s + B]
            S = matmul32(Un[ub], UrepT)
            if Uinv is not None:
                S = S[:, Uinv]
            S[np.arange(len(ub)), ub] = -np.inf
            if len(noedge):
                S[:, noedge] = -np.inf
            if self.args.blas_f32:
                idx, _ = topk_with_ties(S, self.k)
            else:
                idx, vals = topk_with_ties(S, self.k + MARGIN)
                v2 = rescore_topk(idx, Un64[ub], Un64, self.k)
                v2[~np.isfinite(vals)] = -np.inf
                idx, _ = order_topk(idx, v2, self.k)
            self.nbrs[s:s + B] = idx
        self.log("neighbours: %.1fs" % (time.time() - t0))

        # mixtures, smoothing, quota retrieval, metrics (users in chunks, --jobs processes)
        t0 = time.time()
        self.run_users = users
        self.cands = {m: {K: {} for K in self.cutoffs} for m in METHODS}
        self.mixtures = {"mixture": {}, "knn_embed": {}}
        emd = {m: [] for m in METHODS}
        step = USER_CHUNK
        chunks = [(a, min(n, a + step)) for a in range(0, n, step)]
        global _WORKER
        _WORKER = self
        pool = None
        if self.args.jobs > 1 and len(chunks) > 1:
            import multiprocessing
            pool = multiprocessing.get_context("fork").Pool(self.args.jobs)
            results = pool.imap(_user_chunk, chunks)
        else:
            results = map(_user_chunk, chunks)
        done = 0
        last = 0
        for cands, mixtures, emdp in results:  # in user order
            for m in METHODS:
                for K in self.cutoffs:
                    self.cands[m][K].update(cands[m][K])
                emd[m].extend(emdp[m])
            for m in mixtures:
                self.mixtures[m].update(mixtures[m])
            done += len(cands["unimodal"][self.cutoffs[0]])
            if done // 5000 > last:
                last = done // 5000
                self.log("  %d/%d users (%.1fs)" % (done, n, time.time() - t0))
        if pool is not None:
            pool.close()
            pool.join()
        _WORKER = None
        self.emd_users = {m: np.array(v, dtype=np.float64) for m, v in emd.items()}  # per test user, for figures_with_ties
        self.emd = {m: float(np.mean(v)) for m, v in self.emd_users.items()}
        self.metrics = self.list_metrics({m: {K: {u: self.cands[m][K][u][0] for u in users.tolist()}
                                              for K in self.cutoffs} for m in METHODS})
        for m in METHODS:
            self.metrics[m]["emd"] = self.emd[m]

    def list_metrics(self, lists, methods=METHODS):
        """lists[method][K] = {user: list of item rows} or a ListTable.  Averages over self.test_users (and the missed
        users, as zeros, for recall and NDCG); a missing list counts as recall 0 and NDCG 0 / is
        skipped for diversity (reported). Unseen held-out items count in the recall and NDCG
        denominators. NDCG@K scores the first K entries of a list (the protocol's lists have at most K).
        Vectorised over the users; every figure is the same IEEE computation, in the same order, as
        the per-user loop it replaced."""
        out = {}
        n = len(self.test_users)
        held = self.held_keys()
        tot = np.array([len(self.test_sets[u]) + self.unseen_items[u] for u in self.test_users], dtype=np.int64)
        nI = np.int64(len(self.item_ids))
        for m in methods:
            out[m] = {"recall": {}, "ndcg": {}, "diversity": {}, "missing": {},
                      "per_user": {"recall": {}, "ndcg": {}, "diversity": {}}}
            for K in self.cutoffs:
                d = lists.get(m, {}).get(K, {})
                tab = d if isinstance(d, ListTable) else ListTable.from_dict(self, d)
                present = tab.lens >= 0
                miss = int(n - present.sum())
                W = tab.items.shape[1]
                cols = np.arange(W)[None, :]
                valid = cols < tab.lens[:, None]
                items = np.where(valid, tab.items, -1)
                first = valid & first_occurrence(items)
                keys = np.arange(n, dtype=np.int64)[:, None] * nI + items
                hit = first & np.isin(keys, held)
                rs = np.zeros(n)
                ns = np.zeros(n)
                with np.errstate(invalid="ignore", divide="ignore"):
                    rs[present] = hit.sum(axis=1)[present] / tot[present]
                    dcg = np.zeros(n)
                    for p in range(min(K, W)):
                        dcg = dcg + np.where(hit[:, p], 1.0 / math.log2(p + 2), 0.0)
                    ideal = np.array([sum(1.0 / math.log2(p + 2) for p in range(min(K, x))) for x in range(K + 1)])
                    ns[present] = dcg[present] / ideal[np.minimum(tot[present], K)]
                ds = np.full(n, np.nan)
                for L in np.unique(tab.lens[tab.lens > 0]):
                    rows = np.nonzero(tab.lens == L)[0]
                    for a in range(0, len(rows), 256):
                        r = rows[a:a + 256]
                        X = self.In[tab.items[r, :L]]
                        ds[r] = np.linalg.norm(X - X.mean(axis=1)[:, None, :], axis=2).mean(axis=1)
                rs = np.concatenate([rs, np.zeros(self.missed_users)])
                ns = np.concatenate([ns, np.zeros(self.missed_users)])
                # Per user (NaN diversity where the row has no list), for the paired differences against Unimodal.
                out[m]["per_user"]["recall"][K] = rs
                out[m]["per_user"]["ndcg"][K] = ns
                ds[tab.lens == 0] = 0.0  # an empty list counts with Diversity 0 among the users with lists
                out[m]["per_user"]["diversity"][K] = ds.copy()
                ds = ds[tab.lens >= 0]
                out[m]["recall"][K] = float(np.mean(rs)) if len(rs) else float("nan")
                out[m]["ndcg"][K] = float(np.mean(ns)) if len(ns) else float("nan")
                out[m]["diversity"][K] = float(np.mean(ds)) if len(ds) else float("nan")
                out[m]["missing"][K] = miss
        return out

    def held_keys(self):
        """sorted position * n_items + item row of every seen held-out (test user, item)."""
        if getattr(self, "_held_keys", None) is None:
            nI = len(self.item_ids)
            parts = [r * nI + self.test_sets[u] for r, u in enumerate(self.test_users)]
            self._held_keys = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        return self._held_keys

# ----------------------------------------------------------------------------- reporting
class ListTable:
    """The lists of one method@K for the test users, in self.test_users order: items (n x W, item
    rows, -1 after the end), lens (-1: no list), scores (n x W float, NaN where unknown)."""

    def __init__(self, items, lens, scores):
        self.items, self.lens, self.scores = items, lens, scores

    @staticmethod
    def from_dict(P, d):
        n = len(P.test_users)
        lens = np.full(n, -1, dtype=np.int64)
        ls = [None] * n
        for r, u in enumerate(P.test_users):
            L = d.get(u)
            if L is not None:
                L = L[0] if isinstance(L, tuple) else L
                ls[r] = L
                lens[r] = len(L)
        W = int(max(1, lens.max(initial=0)))
        items = np.full((n, W), -1, dtype=np.int64)
        scores = np.full((n, W), np.nan)
        for r in np.nonzero(lens > 0)[0]:
            items[r, :lens[r]] = ls[r]
            L = d.get(P.test_users[r])
            if isinstance(L, tuple) and len(L) > 1 and L[1] is not None and len(L[1]) == lens[r]:
                scores[r, :lens[r]] = L[1]
        return ListTable(items, lens, scores)

    def get(self, r):
        """(items, scores) lists of position r, or None."""
        L = int(self.lens[r])
        if L < 0:
            return None
        sc = self.scores[r, :L].tolist() if self.scores is not None else [float("nan")] * L
        return self.items[r, :L].tolist(), sc


def first_occurrence(items):
    """Boolean mask of the entries of each row that are the first occurrence of their value."""
    o = np.argsort(items, axis=1, kind="stable")
    srt = np.take_along_axis(items, o, axis=1)
    dup_sorted = np.zeros(items.shape, dtype=bool)
    dup_sorted[:, 1:] = srt[:, 1:] == srt[:, :-1]
    dup = np.zeros(items.shape, dtype=bool)
    np.put_along_axis(dup, o, dup_sorted, axis=1)
    return ~dup


def print_table(title, met, cutoffs, with_emd=True, methods=METHODS):
    print(title)
    hdr = "%-16s" % "method" + "".join("%10s" % ("R@%d" % K) for K in cutoffs) + \
        "".join("%10s" % ("N@%d" % K) for K in cutoffs) + \
        "".join("%10s" % ("D@%d" % K) for K in cutoffs) + ("%10s" % "EMD" if with_emd else "")
    print(hdr)
    for m in methods:
        row = "%-16s" % m
        row += "".join("%10.5f" % met[m]["recall"][K] for K in cutoffs)
        row += "".join("%10.5f" % met[m]["ndcg"][K] for K in cutoffs)
        row += "".join("%10.5f" % met[m]["diversity"][K] for K in cutoffs)
        if with_emd:
            row += "%10.5f" % met[m]["emd"]
        print(row)
    print()


def compare_metrics(P, mine, path, label, methods=METHODS, show=True):
    """Print each figure's |mine - metrics.json|, count the largest in the verdict and return it; show=False only returns
    it."""
    with open(path) as f:
        js = json.load(f)
    ms = js.get("methods", {})
    say = print if show else (lambda *a: None)
    say("Comparison with %s (%s): |ours - theirs|" % (path, label))
    if P.args.users and P.args.users < P.n_test_users_all:
        say("  NOTE: --users %d restricts to %d of %d test users; metrics.json averages all test "
              "users, so these differences are only approximate." %
              (P.args.users, len(P.test_users), P.n_test_users_all))
    hdr = "%-16s" % "method" + "".join("%11s" % ("R@%d" % K) for K in P.cutoffs) + \
        "".join("%11s" % ("N@%d" % K) for K in P.cutoffs) + \
        "".join("%11s" % ("D@%d" % K) for K in P.cutoffs) + "%11s" % "EMD"
    say(hdr)
    worst = 0.0
    for m in methods:
        t = ms.get(m)
        if t is None:
            say("%-16s (missing in json)" % m)
            continue
        row = "%-16s" % m
        for key in ("recall", "ndcg", "diversity"):  # a key the json lacks prints n/a (older files have no ndcg)
            for K in P.cutoffs:
                v = t.get(key, {}).get(str(K))
                if v is None:
                    row += "%11s" % "n/a"
                else:
                    d = abs(mine[m][key][K] - v)
                    worst = max(worst, d)
                    row += "%11.2e" % d
        v = t.get("emd")
        if v is None or "emd" not in mine[m]:
            row += "%11s" % "n/a"
        else:
            d = abs(mine[m]["emd"] - v)
            worst = max(worst, d)
            row += "%11.2e" % d
        say(row)
    say("  max abs difference: %.3e" % worst)
    if show:
        VERDICT.figures(worst, label)
    say()
    return worst


def exposure_of(P, table, degrees):
    """evaluation-protocol.md "Catalogue exposure" of one row's lists (a ListTable) over the items of training degree > 0:
    coverage, Gini of the exposure counts, long-tail share (head: degree >= that of the ceil(0.2 n)-th largest), and the
    long-tail recall: per test user with a held-out long-tail item, the share of those items its list holds, averaged
    (the shares themselves, in test-user order, under "long_tail_shares" for the pairs against Unimodal, and the test-user
    index of each under "long_tail_rows", for the pairs within each activity quartile)."""
    entries = table.items[table.items >= 0]
    catalogue = np.nonzero(degrees > 0)[0]
    if len(entries) == 0 or len(catalogue) == 0:
        return None
    counts = np.bincount(entries, minlength=len(degrees))
    x = np.sort(counts[catalogue]).astype(np.float64)
    n = len(x)
    gini = float(np.sum((2.0 * np.arange(1, n + 1) - n - 1) * x) / (n * len(entries)))
    head_degree = np.sort(degrees[catalogue])[::-1][int(np.ceil(0.2 * n)) - 1]
    tail = float(np.sum(degrees[entries] < head_degree)) / len(entries)
    recalls, rows = [], []
    for r, u in enumerate(P.test_users):
        held = P.test_sets[u]
        held = held[(degrees[held] > 0) & (degrees[held] < head_degree)]
        if len(held) == 0:
            continue
        listed = table.items[r][table.items[r] >= 0]
        recalls.append(np.count_nonzero(np.isin(held, listed)) / len(held))
        rows.append(r)
    return {"coverage": float(np.count_nonzero(counts[catalogue])) / n, "gini": gini, "long_tail_share": tail,
            "long_tail_recall": float(np.mean(recalls)) if recalls else None, "long_tail_users": len(recalls),
            "long_tail_shares": np.array(recalls, dtype=np.float64), "long_tail_rows": np.array(rows, dtype=np.int64)}


def compare_exposure(P, theirs, path, methods):
    """Each row's catalogue exposure recomputed from the candidates file against metrics.json's (files before 2026-12-05 have none)."""
    with open(path) as f:
        ms = json.load(f).get("methods", {})
    degrees = np.zeros(len(P.item_ids), dtype=np.int64)
    for items in P.train:
        degrees[items] += 1
    print("Catalogue exposure from the candidates file against %s: |ours - theirs| (coverage, Gini, long-tail share, long-tail recall)" % path)
    if P.args.users and P.args.users < P.n_test_users_all:
        # Exposure reads every test user's list together: a prefix of the users has other figures, not approximate ones.
        print("  skipped: --users restricts to %d of %d test users, and the exposure figures are of all of them together" % (
            len(P.test_users), P.n_test_users_all))
        print()
        return
    worst, seen = 0.0, 0
    shares = {}  # (row, K) -> the per-user long-tail shares, for the pairs against Unimodal below
    tail_rows = None
    for m in methods:
        js = ms.get(m, {}).get("exposure")
        if js is None:
            continue
        for K in P.cutoffs:
            t, table = js.get(str(K)), theirs.get(m, {}).get(K)
            if t is None or table is None:
                continue
            mine = exposure_of(P, table, degrees)
            if mine is None:
                continue
            shares[(m, K)] = mine["long_tail_shares"]
            tail_rows = mine["long_tail_rows"]  # the same users for every row: who holds out a long-tail item
            d = max(abs(mine[f] - t[f]) for f in ("coverage", "gini", "long_tail_share"))
            # Files before the long-tail recall (2026-12-05) have none; a row without long-tail users has null.
            if "long_tail_recall" in t:
                if (mine["long_tail_recall"] is None) != (t["long_tail_recall"] is None) or mine["long_tail_users"] != t.get("long_tail_users"):
                    d = float("inf")
                elif mine["long_tail_recall"] is not None:
                    d = max(d, abs(mine["long_tail_recall"] - t["long_tail_recall"]))
            worst = max(worst, d)
            seen += 1
            tr = mine["long_tail_recall"]
            print("  %-24s @%-4d %.4f %.4f %.4f %s  %.2e" % (m, K, mine["coverage"], mine["gini"], mine["long_tail_share"],
                                                          "%.4f" % tr if tr is not None else "-", d))
    if seen:
        print("  max abs difference: %.3e" % worst)
        VERDICT.figures(worst, "catalogue exposure")
    else:
        print("  (the metrics file has no exposure figures)")
    print()
    compare_long_tail_pairs(P, ms, path, methods, shares)
    if tail_rows is not None:
        compare_long_tail_pairs_by_activity(P, ms, path, methods, shares, tail_rows)


def compare_long_tail_pairs(P, ms, path, methods, shares, baseline="unimodal"):
    """metrics.json's versus_unimodal.long_tail_recall (older files have none) against the long-tail shares
    recomputed from the candidates file: per row and K, over the test users holding out a long-tail item (the same users
    for every row), the mean of the per-user differences of the share (row minus Unimodal) and its standard error, as
    compare_paired computes the other pairs (sample deviation, n - 1, over sqrt n)."""
    worst, compared, problems = 0.0, 0, []
    lines = []
    for m in methods:
        block = ms.get(m, {}).get("versus_unimodal")
        if m == baseline or block is None or "long_tail_recall" not in block:
            continue
        row = "  %-24s" % m
        for K in P.cutoffs:
            theirs = block["long_tail_recall"].get(str(K))
            a, b = shares.get((m, K)), shares.get((baseline, K))
            if theirs is None or a is None or b is None:
                row += "%19s" % "n/a"
                continue
            d = a - b
            if len(d) != block.get("users_long_tail_recall"):
                problems.append("%s@%d: ours %d users, theirs %s" % (m, K, len(d), block.get("users_long_tail_recall")))
            if len(d) < 2 or theirs.get("difference") is None or theirs.get("standard_error") is None:
                # One or no user: no standard error there (null), none here either.
                if not (len(d) < 2 and theirs.get("standard_error") is None):
                    problems.append("%s@%d: a figure null in the file but not here, or the reverse" % (m, K))
                row += "%19s" % "n/a"
                continue
            e1, e2 = paired_gaps(d, theirs)
            worst = max(worst, e1, e2)
            compared += 1
            row += "  %8.1e/%8.1e" % (e1, e2)
        lines.append(row)
    if not lines:
        print("Long-tail recall against %s: %s has no versus_unimodal.long_tail_recall figures" % (baseline, path))
        print()
        return
    print("Long-tail recall against %s, user by user (%s versus_unimodal.long_tail_recall): |ours - theirs| of the mean "
          "difference / its standard error, K = %s" % (baseline, path, ", ".join(str(K) for K in P.cutoffs)))
    for line in lines:
        print(line)
    if compared:
        print("  max abs difference: %.3e over %d figures" % (worst, compared))
        VERDICT.figures(worst, "long-tail recall against %s" % baseline)
    for problem in problems:
        print("  differs: " + problem)
        VERDICT.fail("long-tail recall against %s: %s" % (baseline, problem))
    print()


def compare_long_tail_pairs_by_activity(P, ms, path, methods, shares, tail_rows, baseline="unimodal"):
    """metrics.json's by_activity[i].versus_unimodal.long_tail_recall (files before 2026-12-05 have none) against the
    long-tail shares recomputed from the candidates file, over the users of each activity quartile holding out a long-tail
    item: the per-user differences' mean and standard error, as compare_long_tail_pairs computes them over all."""
    groups = activity_quartiles([len(P.train[u]) for u in P.test_users])[tail_rows]
    worst, compared, problems = 0.0, 0, []
    for m in methods:
        if m == baseline:
            continue
        for block in ms.get(m, {}).get("by_activity") or []:
            pair = block.get("versus_unimodal") or {}
            if "long_tail_recall" not in pair:
                continue
            in_g = groups == block["quartile"] - 1
            for K in P.cutoffs:
                theirs = pair["long_tail_recall"].get(str(K))
                a, b = shares.get((m, K)), shares.get((baseline, K))
                if a is None or b is None:
                    continue
                d = (a - b)[in_g]
                if len(d) != pair.get("users_long_tail_recall"):
                    problems.append("%s quartile %d @%d: ours %d users, theirs %s" % (m, block["quartile"], K, len(d), pair.get("users_long_tail_recall")))
                if len(d) < 2 or theirs is None or theirs.get("difference") is None or theirs.get("standard_error") is None:
                    # One or no user: no standard error there (null), none here either; no user: no difference either.
                    if not (len(d) < 2 and (theirs is None or theirs.get("standard_error") is None)):
                        problems.append("%s quartile %d @%d: a figure null in the file but not here, or the reverse" % (m, block["quartile"], K))
                    continue
                e1, e2 = paired_gaps(d, theirs)
                worst = max(worst, e1, e2)
                compared += 1
    if not compared and not problems:
        return
    print("Long-tail recall against %s within each activity quartile (%s by_activity versus_unimodal.long_tail_recall): "
          "max abs difference %.3e over %d figures" % (baseline, path, worst, compared))
    VERDICT.figures(worst, "long-tail recall against %s by activity" % baseline)
    for problem in problems:
        print("  differs: " + problem)
        VERDICT.fail("long-tail recall against %s by activity: %s" % (baseline, problem))
    print()


def paired_gaps(d, theirs):
    """|ours - theirs| of a paired comparison: the mean of the per-user differences d and its standard error (sample
    deviation, n - 1, over sqrt n) against the file's difference and standard_error."""
    mean, se = float(np.mean(d)), float(np.std(d, ddof=1) / math.sqrt(len(d)))
    return abs(mean - theirs["difference"]), abs(se - theirs["standard_error"])


def compare_paired(P, mine, path, methods, baseline="unimodal"):
    """metrics.json's versus_unimodal blocks against the per-user figures recomputed from the candidates: per row, figure
    and K, the mean of the per-user differences (row minus Unimodal) and its standard error (sample deviation, n - 1,
    over sqrt n). Recall and NDCG pair every test user (the missed ones as 0 in both), Diversity the test users with a
    list entry in the file; a test user with no line in the file has an empty list, scored 0 as the library scores it."""
    with open(path) as f:
        ms = json.load(f).get("methods", {})
    if baseline not in mine:
        print("Paired differences: no %s row in the candidates file" % baseline)
        return
    print("Paired differences against %s (%s versus_unimodal): |ours - theirs| of the mean difference / its standard error"
          % (baseline, path))
    if P.args.users and P.args.users < P.n_test_users_all:
        print("  NOTE: --users restricts to %d of %d test users; metrics.json pairs all of them, so these differences are "
              "only approximate." % (len(P.test_users), P.n_test_users_all))
    worst, compared, mismatched_users = 0.0, 0, []
    for m in methods:
        block = ms.get(m, {}).get("versus_unimodal")
        if m == baseline or block is None:
            continue
        row = "%-16s" % m
        for key in ("recall", "ndcg", "diversity"):
            for K in P.cutoffs:
                a, b = mine[m]["per_user"][key][K], mine[baseline]["per_user"][key][K]
                d = np.nan_to_num(a, nan=0.0) - np.nan_to_num(b, nan=0.0) if key == "diversity" else a - b
                theirs = block.get(key, {}).get(str(K))
                if theirs is None or theirs.get("difference") is None or theirs.get("standard_error") is None or len(d) < 2:
                    row += "%19s" % "n/a"
                    continue
                e1, e2 = paired_gaps(d, theirs)
                worst = max(worst, e1, e2)
                compared += 1
                row += "  %8.1e/%8.1e" % (e1, e2)
        users = (len(mine[m]["per_user"]["recall"][P.cutoffs[0]]), len(mine[m]["per_user"]["diversity"][P.cutoffs[0]]))
        if users != (block.get("users_recall_ndcg"), block.get("users_diversity")):
            mismatched_users.append("%s: ours %d / %d, theirs %s / %s" % ((m,) + users + (block.get("users_recall_ndcg"), block.get("users_diversity"))))
        print(row)
    if compared == 0:
        print("  nothing compared: %s has no versus_unimodal figures for the rows of the candidates file" % path)
    else:
        print("  max abs difference: %.3e over %d figures" % (worst, compared))
        VERDICT.figures(worst, "paired differences")
    for line in mismatched_users:
        print("  users paired differ (recall and NDCG / diversity) for " + line)
        VERDICT.fail("users paired differ for " + line)
    print()


def activity_quartiles(degrees):
    """The library's ActivityQuartiles: bounds at the degrees of the 25th/50th/75th percentile ranks of the sorted
    degrees (rank ceil(b n / 4), 1-based), each user in the first group whose bound its degree does not exceed."""
    degrees = np.asarray(degrees, dtype=np.int64)
    n = len(degrees)
    s = np.sort(degrees)
    bounds = [int(s[max(0, math.ceil((b + 1) * n / 4.0) - 1)]) if n else 0 for b in range(3)]
    groups = np.full(n, 3, dtype=np.int64)
    for b in reversed(range(3)):
        groups[degrees <= bounds[b]] = b
    return groups


def compare_by_activity(P, mine, path, methods, baseline="unimodal"):
    """metrics.json's by_activity blocks (each row's Recall, NDCG and Diversity per activity quartile of the test users'
    training degrees, and within each its versus_unimodal pairs) recomputed from the per-user figures of the
    candidates file. Missed users are in no quartile; a list missing from the file is empty (Diversity 0)."""
    with open(path) as f:
        ms = json.load(f).get("methods", {})
    if P.args.users and P.args.users < P.n_test_users_all:
        print("By activity: skipped (--users restricts to a prefix of the test users; the quartiles are over all of them)")
        return
    groups = activity_quartiles([len(P.train[u]) for u in P.test_users])
    n = len(P.test_users)
    worst, compared, missing = 0.0, 0, 0

    def close(ours, theirs):
        nonlocal worst, compared
        if theirs is None:
            return np.isnan(ours)  # an empty quartile: null there, NaN here
        worst = max(worst, abs(ours - theirs))
        compared += 1
        return True

    for m in methods:
        blocks = ms.get(m, {}).get("by_activity")
        if not blocks:
            continue
        for block in blocks:
            g = block["quartile"] - 1
            in_g = groups == g
            for key in ("recall", "ndcg", "diversity"):
                for K in P.cutoffs:
                    v = np.nan_to_num(mine[m]["per_user"][key][K][:n], nan=0.0)[in_g]
                    ours = float(np.mean(v)) if len(v) else float("nan")
                    if not close(ours, block.get(key, {}).get(str(K))):
                        missing += 1
                    pair = block.get("versus_unimodal")
                    if m == baseline or pair is None:
                        continue
                    b = np.nan_to_num(mine[baseline]["per_user"][key][K][:n], nan=0.0)[in_g]
                    d = v - b
                    theirs = pair.get(key, {}).get(str(K)) or {}
                    mean = float(np.mean(d)) if len(d) else float("nan")
                    se = float(np.std(d, ddof=1) / math.sqrt(len(d))) if len(d) > 1 else float("nan")
                    if not close(mean, theirs.get("difference")) or not close(se, theirs.get("standard_error")):
                        missing += 1
    print("By activity quartile (%s by_activity, figures and versus_unimodal pairs): max abs difference %.3e over %d figures%s"
          % (path, worst, compared, "" if not missing else "; %d null there but not empty here" % missing))
    VERDICT.figures(worst, "by activity")
    if missing:
        VERDICT.fail("by activity: %d figures null in %s but not empty here" % (missing, path))
    print()


def _fixed_width(arr, starts, ends):
    """The byte ranges arr[starts[i]:ends[i]] as one fixed-width bytes ('S') array."""
    L = ends - starts
    w = max(1, int(L.max())) if len(L) else 1
    cols = np.arange(w)[None, :]
    M = arr[np.minimum(starts[:, None] + cols, len(arr) - 1)]
    M[cols >= L[:, None]] = 0
    return np.ascontiguousarray(M).view("S%d" % w).reshape(-1)


_POW10 = None  # 10^0..10^15 as int64, made on first use (numpy may be missing when only --help is asked)


class _Vocab:
    """Exact lookup of byte strings in an id -> row dict, vectorised (sorted array + searchsorted)."""

    def __init__(self, d):
        ks = [k.encode("utf-8") for k in d]
        self.keys = np.array(ks) if ks else np.zeros(0, dtype="S1")
        self.rows = np.array(list(d.values()), dtype=np.int64)
        o = np.argsort(self.keys, kind="stable")
        self.keys, self.rows = self.keys[o], self.rows[o]

    def numeric(self):
        """(sorted int64 ids, rows) when every id is a canonical non-negative decimal integer below
        2**53 (no sign, no leading zero), so that a field parses to a number exactly when it spells
        such an id and has as many characters as that number has digits; else None."""
        if not hasattr(self, "_num"):
            self._num = None
            ks = self.keys.tolist()
            if ks and all(k.isdigit() and (k == b"0" or not k.startswith(b"0")) and len(k) <= 15 for k in ks):
                v = np.array([int(k) for k in ks], dtype=np.int64)
                o = np.argsort(v, kind="stable")
                self._num = (v[o], self.rows[o])
        return self._num

    def rows_of_numbers(self, x, length):
        """Rows of the fields parsed as the float64 numbers x with the given character counts, or None
        when a field is not such a canonical spelling (then the caller takes the bytes path)."""
        num = self.numeric()
        if num is None:
            return None
        ok = np.isfinite(x) & (x >= 0) & (x < 2.0 ** 53) & (x == np.floor(x))
        if not ok.all():
            return None
        xi = x.astype(np.int64)
        global _POW10
        if _POW10 is None:
            _POW10 = np.array([10 ** k for k in range(16)], dtype=np.int64)
        digits = np.maximum(1, np.searchsorted(_POW10, xi, side="right"))
        if not np.array_equal(digits, length):
            return None
        K, R = num
        pos = np.minimum(np.searchsorted(K, xi), len(K) - 1)
        return np.where(K[pos] == xi, R[pos], -1)

    def rows_of(self, F):
        if len(self.keys) == 0 or len(F) == 0:
            return np.full(len(F), -1, dtype=np.int64)
        w = "S%d" % max(F.dtype.itemsize, self.keys.dtype.itemsize)
        K, F = self.keys.astype(w), F.astype(w)
        pos = np.minimum(np.searchsorted(K, F), len(K) - 1)
        return np.where(K[pos] == F, self.rows[pos], -1)


def read_candidates(P, path):
    """cands[method][K] = ListTable of the test users' lists, ordered by rank (then item row, then
    score, as sorting (rank, item, score) tuples); rows whose user or item is unknown are counted and
    left out, rows of other users skipped; parsed with numpy in blocks
    of lines (a block whose lines are not all 5 tab-separated fields is split line by line)."""
    want = np.zeros(len(P.user_ids), dtype=bool)
    want[np.array(P.test_users, dtype=np.int64)] = True
    pos_of = np.full(len(P.user_ids), -1, dtype=np.int64)
    pos_of[np.array(P.test_users, dtype=np.int64)] = np.arange(len(P.test_users))
    uvoc = _Vocab(P.user_row)
    ivoc = _Vocab(P.item_row)
    key_index = {}  # (method, K) -> code
    keys = []
    spelled = {}  # method@K bytes -> code
    parts = []
    unknown = 0
    CH = 1 << 25
    with open(path, "rb") as f:
        f.readline()
        rest = b""
        while True:
            buf = f.read(CH)
            if not buf and not rest:
                break
            data = rest + buf
            if buf:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data
                    continue
                data, rest = data[:cut], data[cut:]
            else:
                rest = b""
                if not data.endswith(b"\n"):
                    data += b"\n"
            arr = np.frombuffer(data, dtype=np.uint8)
            nl = np.flatnonzero(arr == 10)
            tb = np.flatnonzero(arr == 9)
            n = len(nl)
            regular = b"\r" not in data and len(tb) == 4 * n
            if regular:
                T = tb.reshape(n, 4)
                ls = np.r_[0, nl[:-1] + 1]
                regular = bool(np.all(T[:, 0] >= ls) and np.all(T[:, 3] < nl))  # 4 tabs on every line
            rnk = scv = ur = ir = None
            if regular:
                # numeric fast path: method field overwritten with zeros, all five fields parsed by numpy
                delta = np.zeros(len(arr) + 1, dtype=np.int8)
                delta[T[:, 0] + 1] += 1
                delta[T[:, 1]] -= 1
                inside = np.cumsum(delta[:-1], dtype=np.int8).astype(bool)
                b2 = arr.copy()
                b2[inside] = 48
                b2[nl] = 9
                del delta, inside
                import warnings
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    V = np.fromstring(b2[:-1].tobytes(), dtype=np.float64, sep="\t")
                del b2
                if V.size == 5 * n:
                    V = V.reshape(n, 5)
                    ur = uvoc.rows_of_numbers(V[:, 0], T[:, 0] - ls)
                    ir = ivoc.rows_of_numbers(V[:, 3], T[:, 3] - T[:, 2] - 1)
                    rk = V[:, 2]
                    if ur is not None and ir is not None and bool(np.all(rk == np.floor(rk))) \
                            and bool(np.all(np.abs(rk) < 2.0 ** 53)) and bool(np.all(T[:, 1] > T[:, 0] + 1)):
                        rnk = rk.astype(np.int64)
                        scv = V[:, 4].copy()
                        ms = _fixed_width(arr, T[:, 0] + 1, T[:, 1])
                    else:
                        ur = ir = None
                del V
            if regular and ur is None:
                us = _fixed_width(arr, ls, T[:, 0])
                ms = _fixed_width(arr, T[:, 0] + 1, T[:, 1])
                rk = _fixed_width(arr, T[:, 1] + 1, T[:, 2])
                it = _fixed_width(arr, T[:, 2] + 1, T[:, 3])
                sc = _fixed_width(arr, T[:, 3] + 1, nl)
            elif not regular:  # line by line: fewer than 4 fields skipped, the score optional
                lus, lms, lrk, lit, lsc = [], [], [], [], []
                for line in data.decode("utf-8").split("\n")[:-1]:
                    if line.endswith("\r"):  # as text mode's newline translation
                        line = line[:-1]
                    q = line.split("\t")
                    if len(q) < 4:
                        continue
                    lus.append(q[0].encode("utf-8"))
                    lms.append(q[1].encode("utf-8"))
                    lrk.append(int(q[2]))
                    lit.append(q[3].encode("utf-8"))
                    lsc.append(float(q[4]) if len(q) > 4 and q[4] != "" else float("nan"))
                us, ms, it = (np.array(x) if x else np.zeros(0, dtype="S1") for x in (lus, lms, lit))
                rnk = np.array(lrk, dtype=np.int64)
                scv = np.array(lsc, dtype=np.float64)
                sc = rk = None
            del arr, nl, tb
            if ur is None:
                ur = uvoc.rows_of(us)
                ir = ivoc.rows_of(it)
            unknown += int((ur < 0).sum())
            ok = ur >= 0
            ok[ok] = want[ur[ok]]
            bad_item = ok & (ir < 0)
            unknown += int(bad_item.sum())
            ok &= ~bad_item
            sel = np.nonzero(ok)[0]
            if len(sel) == 0:
                continue
            um, minv = np.unique(ms[sel], return_inverse=True)
            code_of = []
            for x in um.tolist():
                c = spelled.get(x)
                if c is None:
                    meth, _, K = x.decode("utf-8").partition("@")
                    kk = (meth, int(K))
                    c = key_index.get(kk)
                    if c is None:
                        c = key_index[kk] = len(keys)
                        keys.append(kk)
                    spelled[x] = c
                code_of.append(c)
            mc = np.array(code_of, dtype=np.int64)[minv.reshape(-1)]
            if rnk is None:
                try:
                    rnk = rk[sel].astype(np.int64)
                except ValueError:
                    rnk = np.array([int(x) for x in rk[sel].tolist()], dtype=np.int64)
                try:
                    scv = sc[sel].astype(np.float64)
                except ValueError:
                    scv = np.array([float(x) if x != b"" else float("nan") for x in sc[sel].tolist()],
                                   dtype=np.float64)
            else:
                rnk, scv = rnk[sel], scv[sel]
            parts.append((pos_of[ur[sel]], mc, rnk, ir[sel], scv))
    out = {}
    if parts:
        pos = np.concatenate([x[0] for x in parts])
        mc = np.concatenate([x[1] for x in parts])
        rnk = np.concatenate([x[2] for x in parts])
        ir = np.concatenate([x[3] for x in parts])
        scv = np.concatenate([x[4] for x in parts])
        del parts
        o = np.lexsort((scv, ir, rnk, pos, mc))
        pos, mc, rnk, ir, scv = pos[o], mc[o], rnk[o], ir[o], scv[o]
        bounds = np.searchsorted(mc, np.arange(len(keys) + 1))
        n = len(P.test_users)
        n_items = len(P.item_ids)
        seen_all = np.array([len(P.train[u]) >= n_items for u in P.test_users], dtype=bool)
        for c, (meth, K) in enumerate(keys):
            a, b = bounds[c], bounds[c + 1]
            if a == b:
                continue
            p_, i_, s_ = pos[a:b], ir[a:b], scv[a:b]
            starts = np.flatnonzero(np.r_[True, p_[1:] != p_[:-1]])
            cnt = np.diff(np.r_[starts, len(p_)])
            lens = np.full(n, -1, dtype=np.int64)
            # A test user who has seen every item is served an empty list, which the file cannot show: it has no rows.
            lens[seen_all] = 0
            lens[p_[starts]] = cnt
            W = int(cnt.max())
            col = np.arange(len(p_)) - np.repeat(starts, cnt)
            items = np.full((n, W), -1, dtype=np.int64)
            scores = np.full((n, W), np.nan)
            items[p_, col] = i_
            scores[p_, col] = s_
            out.setdefault(meth, {})[K] = ListTable(items, lens, scores)
    if unknown:
        P.log("WARNING: %d candidate rows with unknown user/item ids" % unknown)
    return out


NEAR_TIE = 1e-6  # relative, --tie-tolerance: two float32 sums of the same products in another order differ by a few ulps (~1e-7)


def near_tie_order(ours, theirs, r, query_norm, item_norms):
    """True when row r's two lists hold the same items, each with the same score in both (within NEAR_TIE x |q| |v| of
    the item), and differ only in the order of items whose scores tie within it: at every position the two lists' scores
    agree (within the larger of the two items' bounds). The scale is |q| |v| (q the query: the user's vector for Unimodal,
    a unit component for the mixture rows), not the score: a float32 dot product's rounding is relative to the norms, not
    to the product, so two scores near 0 (an item nearly orthogonal to a mixture component) can differ in their sixth
    significant digit by rounding alone.
    The library breaks a tie within its tolerance by row; float rounding of another summation order can put either item
    first, which is not a difference of method. A list whose items differ (even at the cut), or whose file gives an item
    another score than ours (a swapped id), is a difference."""
    L = int(ours.lens[r])
    if L != int(theirs.lens[r]) or L <= 0 or ours.scores is None or theirs.scores is None:
        return False
    a, b = ours.scores[r, :L], theirs.scores[r, :L]
    if np.isnan(a).any() or np.isnan(b).any():
        return False

    def close(x, y, norm):
        return abs(x - y) <= NEAR_TIE * query_norm * norm + 1e-12

    mine = dict(zip(ours.items[r, :L].tolist(), a.tolist()))
    filed = dict(zip(theirs.items[r, :L].tolist(), b.tolist()))
    if mine.keys() != filed.keys() or not all(close(mine[i], filed[i], item_norms[i]) for i in mine):
        return False
    return all(close(x, y, max(item_norms[i], item_norms[j]))
               for x, y, i, j in zip(a.tolist(), b.tolist(), ours.items[r, :L].tolist(), theirs.items[r, :L].tolist()))


# A list may also differ from ours because the library kept another of the items whose scores tie at a cut: the last
# place of the Unimodal list, the last of a component's places in a quota list, or the k-th neighbour of kNN-Embed's
# smoothing.  The functions below accept such a list (near-tie column, with a printed explanation) only when re-deriving
# it with that tie broken the other way gives the library's list; an item that does not tie is still a difference.
def tied_selection(ours, theirs, score_of, tol_of, eligible):
    """Whether theirs, a ranked selection of the library's, is ours, the checker's first L items of the same ranking,
    but for scores that tie within the tie tolerance.  ours and theirs are (items, scores) of one length L, theirs' scores
    as filed; score_of(x) is the checker's score of any item x, tol_of(x, y) the tolerance for comparing the scores of x
    and y (NEAR_TIE x |q| x the larger norm of the two), eligible(x) whether the ranking holds x.  Accepted when
      * theirs holds L distinct eligible items and the file gives each of them the checker's score (a swapped id has
        another score);
      * position by position the scores tie (two items that tie may come in either order);
      * each item in one list only (swapped out of ours, swapped in by theirs) ties with the boundary, ours' L-th score:
        the library kept another of the items tied at the cut.
    Returns (swapped_out, swapped_in), lists of (item, the checker's score), both empty for an order-only difference;
    None when not accepted (an item scoring above or below the cut by more than the tolerance, a missing score)."""
    oi, osc = list(ours[0]), list(ours[1])
    ti, tsc = list(theirs[0]), list(theirs[1])
    L = len(oi)
    if len(ti) != L or len(set(ti)) != L or not all(eligible(x) for x in ti):
        return None
    score = dict(zip(oi, osc))
    for x in ti:
        if x not in score:
            score[x] = score_of(x)
    # "not <=" so that a NaN (a file without scores) is never accepted
    if any(not abs(f - score[x]) <= tol_of(x, x) for x, f in zip(ti, tsc)):
        return None
    if any(not abs(score[y] - osc[p]) <= tol_of(y, oi[p]) for p, y in enumerate(ti)):
        return None
    mine, filed = set(oi), set(ti)
    out = [x for x in oi if x not in filed]
    inn = [x for x in ti if x not in mine]
    if any(not abs(score[x] - osc[-1]) <= tol_of(x, oi[-1]) for x in out + inn):
        return None
    return [(x, score[x]) for x in out], [(x, score[x]) for x in inn]


def _scorer(P, q32, query_norm):
    """score_of and tol_of of tied_selection for the float32 query q32: the checker's score (float64 dot product of the
    float32 vectors, rounded to float32) and NEAR_TIE x |q| x max(|v|)."""
    q = np.asarray(q32, dtype=np.float32).astype(np.float64)
    if getattr(P, "_item_norms", None) is None:
        P._item_norms = np.linalg.norm(P.I64, axis=1)
    norms = P._item_norms
    return (lambda x: float(np.float32(P.I64[x] @ q)),
            lambda x, y: NEAR_TIE * query_norm * max(norms[x], norms[y]) + 1e-12)


def _swaps_text(P, got, where, ours, tol_of):
    out, inn = got
    if not out:
        return "order within %s" % where
    items = lambda xs: ", ".join("%s (%.9g)" % (P.item_ids[x], s) for x, s in xs)
    last = ours[0][-1]
    return "at %s's cut (our last score %.9g, tolerance %.2g) ours %s, the library's %s (our scores)" % (
        where, ours[1][-1], max(tol_of(x, last) for x, _ in out + inn), items(out), items(inn))


def unimodal_tie(P, r, ours, theirs, skip=frozenset(), where="Unimodal"):
    """Explanation when theirs = (items, scores), the library's Unimodal list of the test user at position r (or the
    unimodal fill of a quota list, skip the items before it), is ours but for ties at the cut or in the order
    (tied_selection on the user's ranking), else None."""
    u = P.test_users[r]
    score_of, tol_of = _scorer(P, P.U[u], float(np.linalg.norm(P.U[u].astype(np.float64))))
    train = set(P.train[u].tolist())
    got = tied_selection(ours, theirs, score_of, tol_of, lambda x: x not in skip and x not in train)
    return None if got is None else _swaps_text(P, got, where, ours, tol_of)


def quota_tie(P, r, comps, vecs64, K, theirs):
    """Explanation when the library's quota list at K, theirs = (items, scores), of the test user at position r is the
    checker's list from these components but for ties: cut into the checker's blocks (each component's places, which
    the quotas and the clusters' sizes fix, then the unimodal fill), each block is tied_selection of its ranking (the
    component's cluster by dot(u^c, i); the fill: Unimodal's past the items the library's blocks hold).  Else None."""
    u = P.test_users[r]
    vecs = [v.astype(np.float32) for v in vecs64]
    n = int(np.isfinite(P.uni_scores[r]).sum())
    uni = (P.uni_items[r, :n], P.uni_scores[r, :n])
    items, scores, lengths = P.quota_lists(u, comps, vecs, uni, cutoffs=[K], blocks=True)[K]
    ti, ts = list(theirs[0]), list(theirs[1])
    if len(ti) != len(items) or len(set(ti)) != len(ti):
        return None
    train = set(P.train[u].tolist())
    why = []
    a = 0
    for (c, _), q, L in zip(comps, vecs, lengths):
        score_of, tol_of = _scorer(P, q, 1.0)  # u^c is a unit vector
        block = (items[a:a + L], scores[a:a + L])
        got = tied_selection(block, (ti[a:a + L], ts[a:a + L]), score_of, tol_of, lambda x: P.cluster[x] == c and x not in train)
        if got is None:
            return None
        if ti[a:a + L] != block[0]:
            why.append(_swaps_text(P, got, "cluster %d" % c, block, tol_of))
        a += L
    chosen = set(ti[:a])
    fill = [(x, s) for x, s in zip(uni[0].tolist(), uni[1].tolist()) if x not in chosen][:len(ti) - a]
    got = unimodal_tie(P, r, ([x for x, _ in fill], [s for _, s in fill]), (ti[a:], ts[a:]), chosen, "the unimodal fill")
    if got is None:
        return None
    if ti[a:] != [x for x, _ in fill]:
        why.append(got)
    return "; ".join(why) if why else "the same list"


def neighbour_alternatives(P, r, limit=64):
    """The other neighbour lists of the test user at position r that the tie tolerance allows: the users whose cosine
    (float64 dot product of the float64-normalised vectors, rounded to float32, as run() scores them) ties within
    NEAR_TIE with the k-th neighbour's, in and outside our k, exchanged in every way (at most limit lists).  Yields
    (neighbour rows, users left out, users taken in), the last two lists of (user row, cosine)."""
    from itertools import combinations
    u = P.test_users[r]
    if getattr(P, "_unit_users", None) is None:
        U64 = P.U.astype(np.float64)
        nrm = np.linalg.norm(U64, axis=1, keepdims=True)
        nrm[nrm == 0] = 1.0
        P._unit_users = U64 / nrm
    cos = (P._unit_users @ P._unit_users[u]).astype(np.float32)
    cos[u] = -np.inf
    cos[~P.has_train] = -np.inf
    nb = P.nbrs[r].tolist()
    if not nb:
        return
    tied = np.flatnonzero(np.abs(cos - cos[nb[-1]]) <= NEAR_TIE + 1e-12).tolist()
    inside = [v for v in nb if v in set(tied)]
    if len(tied) == len(inside):
        return
    kept = [v for v in nb if v not in inside]
    for n, took in enumerate(combinations(sorted(tied, key=lambda v: (-cos[v], v)), len(inside))):
        if n >= limit:
            break
        if set(took) != set(inside):
            yield kept + list(took), [(v, cos[v]) for v in inside if v not in took], [(v, cos[v]) for v in took if v not in inside]


def neighbour_tie(P, r, theirs_knn):
    """When the library's kNN-Embed lists of the test user at position r (theirs_knn: K -> ListTable) are, at every K,
    the lists re-derived (quota_tie) from another neighbour list that ties (neighbour_alternatives): (explanation,
    components, unit vectors) of those neighbours, else None.  Cached per user."""
    cache = P.__dict__.setdefault("_neighbour_ties", {})
    if r in cache:
        return cache[r]
    cache[r] = None
    u = P.test_users[r]
    for nb, out, inn in neighbour_alternatives(P, r):
        comps, vecs64 = P.knn_components(u, nb)
        if all(theirs_knn.get(K) is None or theirs_knn[K].get(r) is None
               or quota_tie(P, r, comps, vecs64, K, theirs_knn[K].get(r)) is not None for K in P.cutoffs):
            users = lambda vs: ", ".join("%s (%.9g)" % (P.user_ids[v], c) for v, c in vs)
            cache[r] = ("the neighbours tie at their cut (k = %d, cosines within %.0e): with %s in place of our %s, every "
                        "K's list re-derived from those neighbours is the library's" % (P.k, NEAR_TIE, users(inn), users(out)),
                        comps, vecs64)
            break
    return cache[r]


def list_tie(P, m, K, r, theirs):
    """Explanation when the library's list of method m at K of the test user at position r (theirs: the read candidates)
    differs from ours only through scores that tie within the tie tolerance (unimodal_tie, quota_tie, neighbour_tie),
    else None."""
    t = theirs[m][K].get(r)
    u = P.test_users[r]
    if m == "unimodal":
        return unimodal_tie(P, r, P.cands[m][K][u], t)
    if m == "mixture":
        return quota_tie(P, r, *P.mixture_components(u), K, t)
    why = quota_tie(P, r, *P.knn_components(u, P.nbrs[r].tolist()), K, t)
    if why is None:
        nt = neighbour_tie(P, r, theirs[m])
        why = None if nt is None else nt[0]
    return why


def popular_lists(P, K):
    """The popular row's lists (docs/evaluation-protocol.md, "Popular"): the items by training degree (distinct users),
    most first, ties to the lower item row (the order of the item embeddings file), each test user's training items left
    out; the score is the degree.  {user: (items, scores)}."""
    deg = np.zeros(len(P.item_ids), dtype=np.int64)
    for t in P.train:
        deg[t] += 1
    order = np.lexsort((np.arange(len(deg)), -deg))
    out = {}
    for u in P.test_users:
        seen = P.train[u]
        # K + |seen| items of the ranking always hold K unseen ones (when the catalogue has them).
        head = order[:K + len(seen)]
        keep = head[~np.isin(head, seen)][:K]
        out[u] = (keep.tolist(), deg[keep].astype(np.float64).tolist())
    return out


def compare_popular(P, theirs):
    """The library's popular lists (and their scores, the degrees) against ours, exactly: degrees are integers, so
    there are no near ties.  Counted in the verdict like any other list."""
    if "popular" not in theirs:
        return
    print("Popular lists: ours vs %s" % P.args.candidates)
    print("%-16s %8s %8s %10s %10s" % ("method@K", "lists", "missing", "diff(seq)", "diff(score)"))
    for K in P.cutoffs:
        th = theirs["popular"].get(K)
        if th is None:
            continue
        ours = ListTable.from_dict(P, popular_lists(P, K))
        n = len(P.test_users)
        have = th.lens >= 0
        W = max(ours.items.shape[1], th.items.shape[1])
        A = np.full((n, W), -1, dtype=np.int64)
        B = np.full((n, W), -1, dtype=np.int64)
        SA = np.full((n, W), np.nan)
        SB = np.full((n, W), np.nan)
        for T, X, S in ((ours, A, SA), (th, B, SB)):
            w = T.items.shape[1]
            live = np.arange(w)[None, :] < T.lens[:, None]
            X[:, :w] = np.where(live, T.items, -1)
            if T.scores is not None:
                S[:, :w] = np.where(live, T.scores, np.nan)
        differ = have & ((ours.lens != th.lens) | (A != B).any(axis=1))
        scored = have & ~differ & ~np.all(np.isclose(SA, SB, rtol=0, atol=1e-9, equal_nan=True), axis=1)
        print("%-16s %8d %8d %10d %10d" % ("popular@%d" % K, n, int(n - have.sum()), int(differ.sum()), int(scored.sum())))
        VERDICT.lists += int(differ.sum()) + int(scored.sum())
    print()


def compare_candidates(P, theirs, n_examples):
    """theirs[method][K] = ListTable (read_candidates).  Returns the near-tie lists, {(method, K): [test user
    positions]} (near_tie_order, list_tie), for figures_with_ties."""
    print("Candidate lists: ours vs %s (%d test users)" % (P.args.candidates, len(P.test_users)))
    print("%-16s %8s %8s %10s %10s %12s %10s" % ("method@K", "lists", "missing", "diff(seq)",
                                                 "diff(set)", "items diff", "near-tie"))
    examples = {}
    seq_examples = {}
    near = {}
    explained = []
    n = len(P.test_users)
    item_norms = np.linalg.norm(P.I.astype(np.float64), axis=1)
    for m in METHODS:
        for K in P.cutoffs:
            ours = ListTable.from_dict(P, P.cands[m][K])
            th = theirs.get(m, {}).get(K)
            if th is None:
                print("%-16s %8d %8d %10d %10d %12d" % ("%s@%d" % (m, K), n, n, 0, 0, 0))
                continue
            have = th.lens >= 0
            miss = int(n - have.sum())
            W = max(ours.items.shape[1], th.items.shape[1])
            A = np.full((n, W), -1, dtype=np.int64)
            B = np.full((n, W), -1, dtype=np.int64)
            A[:, :ours.items.shape[1]] = np.where(np.arange(ours.items.shape[1])[None, :] < ours.lens[:, None],
                                                  ours.items, -1)
            B[:, :th.items.shape[1]] = np.where(np.arange(th.items.shape[1])[None, :] < th.lens[:, None],
                                                th.items, -1)
            differ = have & ((ours.lens != th.lens) | (A != B).any(axis=1))
            nd_seq = nd_set = nitems = ties = 0
            for r in np.nonzero(differ)[0].tolist():
                u = P.test_users[r]
                # Unimodal ranks by the user's vector; the mixture rows by unit component vectors.
                query_norm = float(np.linalg.norm(P.U[u].astype(np.float64))) if m == "unimodal" else 1.0
                if near_tie_order(ours, th, r, query_norm, item_norms):
                    ties += 1
                    near.setdefault((m, K), []).append(r)
                    continue
                why = list_tie(P, m, K, r, theirs)
                if why is not None:
                    ties += 1
                    near.setdefault((m, K), []).append(r)
                    explained.append((m, K, "--- near tie: user %s  %s@%d: %s" % (P.user_ids[u], m, K, why)))
                    continue
                nd_seq += 1
                seq_examples.setdefault((m, K), []).append(u)
                sa = set(A[r, :max(ours.lens[r], 0)].tolist())
                sb = set(B[r, :th.lens[r]].tolist())
                if sa != sb:
                    nd_set += 1
                    nitems += len(sa - sb)
                    examples.setdefault((m, K), []).append(u)
            print("%-16s %8d %8d %10d %10d %12d %10d" % ("%s@%d" % (m, K), n, miss,
                                                         nd_seq, nd_set, nitems, ties))
            VERDICT.lists += nd_seq
            VERDICT.near_ties += ties
    print()
    said = Counter()
    for m, K, line in explained:  # the lists accepted at a cut or through the neighbours: each said (up to 20 per row@K)
        said[m, K] += 1
        if said[m, K] <= 20:
            print(line)
    for (m, K), c in said.items():
        if c > 20:
            print("--- and %d more near ties at a cut in %s@%d" % (c - 20, m, K))
    if explained:
        print()
    if n_examples <= 0:
        return near
    pos = {u: r for r, u in enumerate(P.test_users)}
    for (m, K), us in seq_examples.items():
        shown = 0
        for u in us:
            if shown >= n_examples:
                break
            if set(P.cands[m][K][u][0]) != set(theirs[m][K].get(pos[u])[0]):
                continue
            shown += 1
            a, asc = P.cands[m][K][u]
            b, bsc = theirs[m][K].get(pos[u])
            p = next(j for j in range(min(len(a), len(b))) if a[j] != b[j])
            print("--- order-only example: user %s  %s@%d, first difference at rank %d:" % (
                P.user_ids[u], m, K, p + 1))
            print("  ours  : " + " ".join("%s(c%d, %.9g)" % (P.item_ids[x], P.cluster[x], s)
                                          for x, s in zip(a[p:p + 3], asc[p:p + 3])))
            print("  theirs: " + " ".join("%s(c%d, %.9g)" % (P.item_ids[x], P.cluster[x], s)
                                          for x, s in zip(b[p:p + 3], bsc[p:p + 3])))
    for (m, K), us in examples.items():
        for u in us[:n_examples]:
            print("--- example: user %s  %s@%d" % (P.user_ids[u], m, K))
            a, asc = P.cands[m][K][u]
            b, bsc = theirs[m][K].get(pos[u])
            if m in P.mixtures:
                print("  our components (cluster:weight): " +
                      " ".join("%d:%.6f" % (c, float(w)) for c, w in P.mixtures[m][u]))
            sa, sb = set(a), set(b)
            print("  ours  : " + " ".join("%s%s(%.7g)" % ("" if x in sb else "*", P.item_ids[x], s)
                                          for x, s in zip(a, asc)))
            print("  theirs: " + " ".join("%s%s(%.7g)" % ("" if x in sa else "*", P.item_ids[x], s)
                                          for x, s in zip(b, bsc)))
            print("  (* = not in the other list; cluster of each: ours %s | theirs %s)" % (
                [int(P.cluster[x]) for x in a if x not in sb],
                [int(P.cluster[x]) for x in b if x not in sa]))
    print()
    return near


def read_knn_mixtures(P, path):
    """The library's kNN-Embed components of the test users, from DIR/mixtures.tsv (user, method, component, cluster,
    weight): {test user position: [(cluster, weight)]} in component order."""
    pos = {u: r for r, u in enumerate(P.test_users)}
    out = {}
    with _open(path) as f:
        f.readline()
        for line in f:
            p = line.rstrip("\n").rstrip("\r").split("\t")
            if len(p) < 5 or p[1] != "knn_embed":
                continue
            u = P.user_row.get(p[0])
            r = pos.get(u) if u is not None else None
            if r is not None:
                out.setdefault(r, []).append((int(p[2]), int(p[3]), float(p[4])))
    return {r: [(c, w) for _, c, w in sorted(v)] for r, v in out.items()}


def _same_components(ours, theirs, tol):
    """Whether two mixtures have the same clusters, in the same order, with weights within tol."""
    return len(ours) == len(theirs) and all(int(c) == int(tc) and abs(float(w) - tw) <= tol
                                            for (c, w), (tc, tw) in zip(ours, theirs))


def mixture_ties(P, theirs, path):
    """kNN-Embed's EMD follows the user's mixture, which its lists need not show: two neighbour lists that tie at the k-th
    cosine can give the same lists at every K and other components (users with the same training items have the same
    vectors, so a neighbour at the cut often has a twin).  For each test user whose kNN-Embed components (ours) differ
    from the library's (path: DIR/mixtures.tsv) by more than --tolerance, the tied neighbours (neighbour_alternatives)
    whose components are the library's and from which every K's list re-derives as the library's are taken, as for a
    list that follows them (neighbour_tie), so that figures_with_ties computes that user's EMD from them.  Each is
    printed.  Returns (users explained so, users whose components differ otherwise); the second is said, not a failure
    (the EMD figure's comparison is the verdict)."""
    lib = read_knn_mixtures(P, path)
    tol = P.args.tolerance
    cache = P.__dict__.setdefault("_neighbour_ties", {})
    th = theirs.get("knn_embed", {})
    explained, unexplained, lines = 0, [], []
    for r, u in enumerate(P.test_users):
        tc = lib.get(r)
        if tc is None:
            continue
        nt = cache.get(r)
        if _same_components(nt[1] if nt is not None else P.mixtures["knn_embed"][u], tc, tol):
            continue
        found = None
        for nb, out, inn in neighbour_alternatives(P, r):
            comps, vecs64 = P.knn_components(u, nb)
            if not _same_components(comps, tc, tol):
                continue
            if all(th.get(K) is None or th[K].get(r) is None or quota_tie(P, r, comps, vecs64, K, th[K].get(r)) is not None
                   for K in P.cutoffs):
                users = lambda vs: ", ".join("%s (%.9g)" % (P.user_ids[v], c) for v, c in vs)
                found = ("the neighbours tie at their cut (k = %d, cosines within %.0e): with %s in place of our %s, the "
                         "components are the library's (%s) and every K's list re-derives as the library's"
                         % (P.k, NEAR_TIE, users(inn), users(out), os.path.basename(path)), comps, vecs64)
                break
        if found is None:
            unexplained.append(P.user_ids[u])
            continue
        cache[r] = found
        explained += 1
        lines.append("--- near tie: user %s  knn_embed mixture: %s" % (P.user_ids[u], found[0]))
    print("kNN-Embed mixtures: ours vs %s: %d differ only through neighbours that tie at the k-th cosine%s"
          % (path, explained, "" if not unexplained else "; %d differ otherwise (users %s%s)" % (
              len(unexplained), ", ".join(unexplained[:10]), ", ..." if len(unexplained) > 10 else "")))
    for line in lines[:20]:
        print(line)
    if len(lines) > 20:
        print("--- and %d more kNN-Embed mixtures that follow tied neighbours" % (len(lines) - 20))
    print()
    VERDICT.mixture_ties += explained
    return explained, len(unexplained)


def figures_with_ties(P, theirs, near):
    """Our figures (Protocol.metrics) with the library's list in place of ours for the near-tie lists near (from
    compare_candidates), and kNN-Embed's EMD of a user whose lists follow tied neighbours (neighbour_tie) from those
    neighbours' components: what is left of a figure's difference is then not explained by ties."""
    lists = {m: {K: {u: P.cands[m][K][u][0] for u in P.test_users} for K in P.cutoffs} for m in METHODS}
    for (m, K), rows in near.items():
        for r in rows:
            lists[m][K][P.test_users[r]] = theirs[m][K].get(r)[0]
    met = P.list_metrics(lists)
    for m in METHODS:
        emd = P.emd_users[m].copy()
        if m == "knn_embed":
            for r, nt in getattr(P, "_neighbour_ties", {}).items():
                if nt is not None:
                    _, comps, vecs64 = nt
                    emd[r] = emd_exact(np.array(vecs64), [float(w) for _, w in comps], P.In[P.test_sets[P.test_users[r]]])
        met[m]["emd"] = float(np.mean(emd))
    return met


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0] + ". It recomputes the Unimodal, Mixture and kNN-Embed lists from the "
        "exported vectors and clusters and the popular lists from the training file, and every row's figures from the "
        "exported candidates.",
        epilog="With DIR the --out of `evaluate ... --export` (or `reproduce --export`): --train and --test the same files "
               "as evaluate's, --user-embeddings DIR/user_embeddings.tsv --item-embeddings DIR/item_embeddings.tsv "
               "--item-clusters DIR/item_clusters.tsv (the paper rows' clusters, not item_clusters_tuned.tsv) "
               "--metrics DIR/metrics.json --candidates DIR/candidates.tsv. Memory and time grow with the test users "
               "times the items: --users N checks the first N.")
    ap.add_argument("--train", required=True, type=existing_file, help="the training edges evaluate read (user<TAB>item, header, .gz allowed)")
    ap.add_argument("--test", required=True, type=existing_file, help="the test edges evaluate read")
    ap.add_argument("--user-embeddings", required=True, type=existing_file, help="DIR/user_embeddings.tsv")
    ap.add_argument("--item-embeddings", required=True, type=existing_file, help="DIR/item_embeddings.tsv")
    ap.add_argument("--item-clusters", required=True, type=existing_file, help="DIR/item_clusters.tsv (the Mixture and kNN-Embed rows' clusters)")
    ap.add_argument("--components", type=int, default=5, help="m, as evaluate's --components (default 5)")
    ap.add_argument("--neighbors", type=int, default=10, help="k, as evaluate's --neighbors (default 10)")
    ap.add_argument("--lambda", dest="lam", type=float, default=0.8, help="as evaluate's --lambda (default 0.8)")
    ap.add_argument("--alpha", type=float, default=1.0, help="as evaluate's --alpha (default 1)")
    ap.add_argument("--cutoffs", default="10,20,50", help="K values, comma-separated (default 10,20,50)")
    ap.add_argument("--metrics", type=existing_file, help="DIR/metrics.json: compare every figure with it")
    ap.add_argument("--candidates", type=existing_file, help="DIR/candidates.tsv: score every row's exported lists (all methods, not only the three recomputed)")
    ap.add_argument("--mixtures",
                    help="DIR/mixtures.tsv: the library's kNN-Embed components, to tell which of two neighbours that tie "
                         "at the k-th cosine it took where the lists cannot (their EMDs differ); default: mixtures.tsv "
                         "beside --candidates when it exists")
    ap.add_argument("--users", type=int, default=0,
                    help="restrict to the first N test users (order of first appearance)")
    ap.add_argument("--block", type=int, default=512, help="users per scoring block")
    ap.add_argument("--unseen", choices=("miss", "drop"), default="miss",
                    help="held-out edges whose user or item has no embedding: misses (evaluate's default) "
                         "or left out (evaluate --unseen drop)")
    ap.add_argument("--float-arith", action="store_true",
                    help="diagnostic: compute cluster probabilities p_s and quota shares in IEEE "
                         "doubles instead of exact fractions (rounding then breaks exact ties)")
    ap.add_argument("--blas-f32", action="store_true",
                    help="use the raw float32 GEMM scores (accumulation order of the BLAS) "
                         "instead of float64-accumulated dot products rounded to float32")
    ap.add_argument("--emd-linprog", action="store_true",
                    help="solve every EMD through scipy's linprog even where the direct HiGHS call (the same "
                         "solver run, checked against linprog at start) is available")
    ap.add_argument("--jobs", type=int, default=2,
                    help="processes for the per-user pass (mixtures, quota lists, EMD); default 2")
    ap.add_argument("--sgemm", default="auto", metavar="auto|numpy|LIB",
                    help="who does the float32 pre-selection GEMMs: auto (an installed OpenBLAS, e.g. apt-get install "
                         "libopenblas0, loaded with ctypes, else numpy), numpy (numpy's matmul, i.e. the BLAS numpy is "
                         "linked to), or the path of a shared library with cblas_sgemm. The figures do not depend on it "
                         "(except with --blas-f32); its thread count is the library's own (OPENBLAS_NUM_THREADS)")
    ap.add_argument("--examples", type=int, default=2,
                    help="example users to print per differing method@K")
    ap.add_argument("--tie-tolerance", type=float, default=1e-6,
                    help="score difference, relative to |q| |v| (the query's and the item's norms; for the neighbours' cosines 1), within "
                         "which two scores tie (default 1e-6: float32 sums of the same products in another order), for d <= 128 "
                         "dimensions, times d / 128 above; lists that differ only "
                         "through ties (the order of tied items, which of the items tied at a cut is kept, which of the users tied with the "
                         "k-th neighbour is one) are counted as near-tie, not as differing")
    ap.add_argument("--tolerance", type=float, default=1e-6,
                    help="largest figure difference that still passes (default 1e-6); any differing list fails")
    args = ap.parse_args()
    global NEAR_TIE
    NEAR_TIE = args.tie_tolerance
    if np is None:
        sys.exit("error: protocol_check.py needs numpy and scipy (apt-get install python3-numpy python3-scipy; "
                 "run it with /usr/bin/python3 where a pyenv python3 lacks them)")

    T0 = time.time()
    print("pre-selection GEMM: " + load_sgemm(args.sgemm), file=sys.stderr, flush=True)
    print("EMD: " + (enable_highs_direct() if not args.emd_linprog else "linprog"), file=sys.stderr, flush=True)
    P = Protocol(args)
    P.load()
    # A float32 sum's rounding bound grows with its terms' number, so the tolerance, set for d = 128, widens by d / 128 for
    # wider vectors (d = 768: 6x). The square root, a random walk's growth, was too tight: at d = 768 Gowalla's filed scores
    # differ from float64's by up to 1.3e-6 x |q| |v| and Amazon Kindle Store's by 2.7e-6, above its 2.45e-6.
    NEAR_TIE = args.tie_tolerance * max(1.0, P.I.shape[1] / 128.0)
    print("protocol_check: %d test users%s%s; m=%d k=%d lambda=%s alpha=%s cutoffs=%s" % (
        len(P.test_users),
        (" (first %d of %d)" % (len(P.test_users), P.n_test_users_all)) if args.users else "",
        (" + %d missed (0 in recall and NDCG)" % P.missed_users) if P.missed_users else "",
        P.m, P.k, args.lam, args.alpha, args.cutoffs))
    print()
    P.run()
    print_table("Our figures (independent recomputation)", P.metrics, P.cutoffs)
    if args.metrics and not args.candidates:
        compare_metrics(P, P.metrics, args.metrics, "our recomputation")
    if args.candidates:
        t0 = time.time()
        theirs = read_candidates(P, args.candidates)
        P.log("read candidates: %.1fs" % (time.time() - t0))
        near = compare_candidates(P, theirs, args.examples)
        compare_popular(P, theirs)
        mix = args.mixtures
        if mix is None:
            beside = os.path.join(os.path.dirname(os.path.abspath(args.candidates)), "mixtures.tsv")
            mix = beside if os.path.exists(beside) else None
        tied_mixtures = mixture_ties(P, theirs, mix)[0] if mix and "knn_embed" in theirs else 0
        ours = P.metrics
        if args.metrics and not near and not tied_mixtures:
            compare_metrics(P, ours, args.metrics, "our recomputation")
        elif args.metrics:
            # A near-tie list is the library's as much as ours: our figures with it in their place, so that only a
            # difference the ties do not explain counts (and the difference without the substitution, said).
            raw = compare_metrics(P, ours, args.metrics, "", show=False)
            ours = figures_with_ties(P, theirs, near)
            compare_metrics(P, ours, args.metrics,
                            "our recomputation, the library's list for the %d near-tie lists%s" % (
                                sum(map(len, near.values())),
                                "" if not tied_mixtures else " and kNN-Embed's EMD from the library's tied neighbours "
                                "for %d mixtures" % tied_mixtures))
            print("  (our own lists for those: max abs difference %.3e)\n" % raw)
        # Every method in the file, the library's extra rows (MMR, tuned kNN-Embed, multi-interest MMR, ...) included:
        # their recall, NDCG and diversity follow from the exported lists alone.
        listed = [m for m in METHODS if m in theirs] + sorted(m for m in theirs if m not in METHODS)
        met2 = P.list_metrics({m: dict(theirs.get(m, {})) for m in listed}, listed)
        miss = sum(met2[m]["missing"][K] for m in listed for K in P.cutoffs)
        print_table("Recall/NDCG/Diversity recomputed directly from %s%s" % (
            args.candidates, (" (%d missing lists counted as recall and NDCG 0)" % miss) if miss else ""),
            met2, P.cutoffs, with_emd=False, methods=listed)
        if args.metrics:
            for m in METHODS:
                if m in met2:
                    met2[m]["emd"] = ours[m]["emd"]  # EMD cannot be derived from candidates
            # The MMR rows re-rank Unimodal's list and share its representation, so its EMD (docs/evaluation-protocol.md).
            for m in SAME_EMD_AS_UNIMODAL:
                if m in met2 and "unimodal" in ours:
                    met2[m]["emd"] = ours["unimodal"]["emd"]
            compare_metrics(P, met2, args.metrics,
                            "recall/NDCG/diversity from the candidates file; EMD column = ours (Unimodal's for the MMR rows; "
                            "n/a for the other extra rows)",
                            methods=listed)
            compare_paired(P, met2, args.metrics, listed)
            compare_by_activity(P, met2, args.metrics, listed)
            compare_exposure(P, theirs, args.metrics, listed)
    print("total time: %.1fs" % (time.time() - T0))
    if not (args.metrics or args.candidates):
        return 0
    # The exit status says whether the library's figures and lists were reproduced, so a script or CI can act on it.
    if VERDICT.worst > args.tolerance:
        VERDICT.fail("figures differ by up to %.3e (tolerance %.1e)" % (VERDICT.worst, args.tolerance))
    if VERDICT.lists:
        VERDICT.fail("%d candidate lists differ (table above)" % VERDICT.lists)
    if VERDICT.problems:
        print("MISMATCH: " + "; ".join(VERDICT.problems))
        return 1
    print("OK: every figure compared within %.1e (largest %.3e), every compared list identical%s" % (args.tolerance, VERDICT.worst,
          "" if not VERDICT.near_ties else " but %d that differ only through scores that tie within %.2g (relative to "
          "|q| |v|: the order of tied items, the item kept at a cut, the k-th neighbour; column near-tie)"
          % (VERDICT.near_ties, NEAR_TIE)) + ("" if not VERDICT.mixture_ties else "; %d kNN-Embed mixtures from neighbours "
          "that tie with ours at the k-th cosine (mixtures.tsv)" % VERDICT.mixture_ties))
    return 0


if __name__ == "__main__":
    sys.exit(main())
