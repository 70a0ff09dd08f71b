#!/usr/bin/env python3
"""Tests of protocol_check.py's tie rule (numpy and scipy required):

  /usr/bin/python3 tools/test_protocol_check.py

A five-item world in which scores tie at a cut: item a scores 0.5 and item b 0.49999997 (one float32 step apart) both for
the user's vector and for the unit component of their cluster, and the user's two possible neighbours' cosines differ by
about 7e-7.  A library list that kept b where the checker keeps a (or the other neighbour) is a near tie; one that kept
an item scoring clearly below the cut is a difference.  And (MixtureTie) a world in which the two tied neighbours give
the same lists and other kNN-Embed components, which only the EMD shows: the library's mixtures.tsv tells them apart."""
import argparse
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import protocol_check as pc  # noqa: E402

ITEMS = {  # id: (cluster, vector)
    "t0": (0, "1\t0\t0\t0"), "a": (0, "0.5\t0.1\t0\t0"), "b": (0, "0.49999997\t0.1\t0\t0"), "c": (0, "0.3\t0.2\t0\t0"),
    "t1": (1, "0\t0\t1\t0"), "d": (1, "0\t0\t0.9\t0.1"), "e": (1, "0\t0\t0.2\t0.5"),
}
USERS = {"u0": "1\t0\t1\t0", "u1": "0\t0\t1\t0.2", "u2": "0\t0\t1\t-0.200005"}  # cos(u0, u1) - cos(u0, u2) ~ 7e-7
TRAIN = [("u0", "t0"), ("u0", "t1"), ("u1", "d"), ("u2", "c")]
TEST = [("u0", "c"), ("u1", "a")]


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


def run_protocol(d, train, test, items, users, cutoffs):
    """Writes a world's files into directory d and runs protocol_check's Protocol on them (5 components, 1 neighbour,
    lambda 0.8, alpha 1, ties within 1e-6); returns the run Protocol."""
    write(os.path.join(d, "train.tsv"), "user\titem", train)
    write(os.path.join(d, "test.tsv"), "user\titem", test)
    write(os.path.join(d, "items.tsv"), "item\tv", [(i, v) for i, (_, v) in items.items()])
    write(os.path.join(d, "users.tsv"), "user\tv", list(users.items()))
    write(os.path.join(d, "clusters.tsv"), "item\tcluster", [(i, str(c)) for i, (c, _) in items.items()])
    args = argparse.Namespace(
        train=os.path.join(d, "train.tsv"), test=os.path.join(d, "test.tsv"), user_embeddings=os.path.join(d, "users.tsv"),
        item_embeddings=os.path.join(d, "items.tsv"), item_clusters=os.path.join(d, "clusters.tsv"), components=5,
        neighbors=1, lam=0.8, alpha=1.0, cutoffs=cutoffs, metrics=None, candidates=None, users=0, block=512, unseen="miss",
        float_arith=False, blas_f32=False, emd_linprog=False, jobs=1, sgemm="numpy", examples=0, tie_tolerance=1e-6,
        tolerance=1e-6)
    pc.NEAR_TIE = 1e-6
    P = pc.Protocol(args)
    P.log = lambda *a: None
    P.load()
    P.run()
    return P


class TieRule(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        P = cls.P = run_protocol(cls.dir.name, TRAIN, TEST, ITEMS, USERS, "2,4")
        cls.r = P.test_users.index(P.user_row["u0"])
        cls.row = P.item_row

    def theirs(self, m, lists):
        """The read-candidates form of the library's lists {K: ([item ids], [scores])} of u0, the other users' as ours."""
        P = self.P
        out = {m: {}}
        for K in P.cutoffs:
            d = dict(P.cands[m][K])
            if K in lists:
                items, scores = lists[K]
                d[P.test_users[self.r]] = ([self.row[x] for x in items], scores)
            out[m][K] = pc.ListTable.from_dict(P, d)
        return out

    def ours(self, m, K):
        items, scores = self.P.cands[m][K][self.P.test_users[self.r]]
        return [self.P.item_ids[x] for x in items], scores

    def test_cut_tie_accepted(self):
        self.assertEqual(self.ours("unimodal", 2)[0], ["d", "a"])
        why = pc.list_tie(self.P, "unimodal", 2, self.r, self.theirs("unimodal", {2: (["d", "b"], [0.9, 0.49999997])}))
        self.assertIsNotNone(why)
        self.assertIn("Unimodal's cut", why)

    def test_non_tied_substitution_rejected(self):
        theirs = self.theirs("unimodal", {2: (["d", "c"], [0.9, 0.3])})
        self.assertIsNone(pc.list_tie(self.P, "unimodal", 2, self.r, theirs))
        # b with another item's score (a swapped id) is no tie either
        theirs = self.theirs("unimodal", {2: (["d", "b"], [0.9, 0.3])})
        self.assertIsNone(pc.list_tie(self.P, "unimodal", 2, self.r, theirs))

    def test_quota_tie_accepted(self):
        self.assertEqual(self.ours("mixture", 2)[0], ["a", "d"])
        why = pc.list_tie(self.P, "mixture", 2, self.r, self.theirs("mixture", {2: (["b", "d"], [0.49999997, 0.9])}))
        self.assertIsNotNone(why)
        self.assertIn("cluster 0's cut", why)
        self.assertIsNone(pc.list_tie(self.P, "mixture", 2, self.r, self.theirs("mixture", {2: (["c", "d"], [0.3, 0.9])})))

    def test_neighbour_tie_accepted_only_when_every_list_follows(self):
        P = self.P
        u0, u2 = P.user_row["u0"], P.user_row["u2"]
        self.assertEqual(P.nbrs[self.r].tolist(), [P.user_row["u1"]])
        comps, vecs64 = P.knn_components(u0, [u2])
        n = int(pc.np.isfinite(P.uni_scores[self.r]).sum())
        alt = P.quota_lists(u0, comps, [v.astype(pc.np.float32) for v in vecs64],
                            (P.uni_items[self.r, :n], P.uni_scores[self.r, :n]))
        lists = {K: ([P.item_ids[x] for x in alt[K][0]], alt[K][1]) for K in P.cutoffs}
        self.assertNotEqual(lists[2][0], self.ours("knn_embed", 2)[0])
        P._neighbour_ties = {}
        why = pc.list_tie(P, "knn_embed", 2, self.r, self.theirs("knn_embed", lists))
        self.assertIsNotNone(why)
        self.assertIn("u2", why)
        # the K = 4 list with an item that does not tie: the other neighbour explains neither list
        items, scores = lists[4]
        swap = next(x for x in ("c", "e") if x not in items)
        lists[4] = (items[:-1] + [swap], scores[:-1] + [scores[-1]])
        P._neighbour_ties = {}
        self.assertIsNone(pc.list_tie(P, "knn_embed", 2, self.r, self.theirs("knn_embed", lists)))
        P._neighbour_ties = {}

    def test_rules_of_tied_selection(self):
        """Two items that do not tie keep their order; and a chain of ties does not let an item far above the cut drop
        out: each item left out or taken in must tie with the boundary itself."""
        tol = lambda x, y: 1e-6
        self.assertIsNone(pc.tied_selection(([1, 2], [1.0, 0.5]), ([2, 1], [0.5, 1.0]), None, tol, lambda x: True))
        ours = ([1, 2, 3, 4], [1.0, 0.9999995, 0.999999, 0.9999985])
        scores = {1: 1.0, 2: 0.9999995, 3: 0.999999, 4: 0.9999985, 5: 0.999998}
        theirs = ([2, 3, 4, 5], [scores[x] for x in (2, 3, 4, 5)])
        self.assertIsNone(pc.tied_selection(ours, theirs, scores.get, tol, lambda x: True))
        theirs = ([1, 2, 3, 5], [scores[x] for x in (1, 2, 3, 5)])
        self.assertEqual(pc.tied_selection(ours, theirs, scores.get, tol, lambda x: True), ([(4, 0.9999985)], [(5, 0.999998)]))


class MixtureTie(unittest.TestCase):
    """Two neighbours whose cosines with u0 differ by less than 1e-6: u1 trains one item of each cluster, u2 two of
    cluster 0 and one of cluster 1, so u0's smoothed mixture weighs the clusters 0.5 / 0.5 with u1 and 0.63 / 0.37 with
    u2, and its components' vectors differ; its lists of 2 (one item of each cluster, the same item first) do not: only
    kNN-Embed's EMD shows which neighbour was taken.  The library's export (mixtures.tsv) names the components it used."""
    ITEMS = {  # id: (cluster, vector)
        "t0": (0, "1\t0\t0\t0"), "a": (0, "0.9\t0.1\t0\t0"), "b": (0, "0.8\t-0.3\t0\t0"), "x0": (0, "0.7\t0.6\t0\t0"),
        "t1": (1, "0\t0\t1\t0"), "d": (1, "0\t0\t0.9\t0.1"), "e": (1, "0\t0\t0.8\t-0.3"), "x1": (1, "0\t0\t0.7\t0.6"),
    }
    USERS = {"u0": "1\t0\t1\t0", "u1": "1\t0\t1\t0.0013", "u2": "1\t0\t1\t-0.00130035"}  # cos(u0, u1) - cos(u0, u2) < 1e-6
    TRAIN = [("u0", "t0"), ("u0", "t1"), ("u1", "a"), ("u1", "d"), ("u2", "a"), ("u2", "b"), ("u2", "e")]
    TEST = [("u0", "x0"), ("u0", "x1"), ("u1", "x0"), ("u2", "x1")]

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        P = self.P = run_protocol(self.dir.name, self.TRAIN, self.TEST, self.ITEMS, self.USERS, "2")
        self.r = P.test_users.index(P.user_row["u0"])

    def tearDown(self):
        self.dir.cleanup()

    def library_export(self, neighbour):
        """candidates (read form) and mixtures.tsv of a library run that took `neighbour` as u0's: u0's lists and their
        scores re-derived from that neighbour's components (the items are ours, the test asserts), the components
        that neighbour's."""
        P = self.P
        u0 = P.user_row["u0"]
        comps, vecs64 = P.knn_components(u0, [P.user_row[neighbour]])
        n = int(pc.np.isfinite(P.uni_scores[self.r]).sum())
        lists = P.quota_lists(u0, comps, [v.astype(pc.np.float32) for v in vecs64],
                              (P.uni_items[self.r, :n], P.uni_scores[self.r, :n]))
        theirs = {"knn_embed": {K: pc.ListTable.from_dict(P, {**P.cands["knn_embed"][K], u0: lists[K]})
                                for K in P.cutoffs}}
        path = os.path.join(self.dir.name, "mixtures.tsv")
        rows = [("u0", "knn_embed", str(i), str(c), repr(float(w))) for i, (c, w) in enumerate(comps)]
        for v in P.test_users:
            if v != u0:
                rows += [(P.user_ids[v], "knn_embed", str(i), str(c), repr(float(w)))
                         for i, (c, w) in enumerate(P.mixtures["knn_embed"][v])]
        write(path, "user\tmethod\tcomponent\tcluster\tweight", rows)
        return theirs, path, comps, vecs64

    def test_emd_follows_the_tied_neighbour_the_mixtures_name(self):
        P = self.P
        u0, u1, u2 = P.user_row["u0"], P.user_row["u1"], P.user_row["u2"]
        self.assertEqual(P.nbrs[self.r].tolist(), [u1])
        # the world is as described: u2 ties with u1, gives u0 the same lists and other components
        alt_comps, alt_vecs = P.knn_components(u0, [u2])
        self.assertEqual([c for c, _ in alt_comps], [c for c, _ in P.mixtures["knn_embed"][u0]])
        n = int(pc.np.isfinite(P.uni_scores[self.r]).sum())
        alt = P.quota_lists(u0, alt_comps, [v.astype(pc.np.float32) for v in alt_vecs],
                            (P.uni_items[self.r, :n], P.uni_scores[self.r, :n]))
        for K in P.cutoffs:
            self.assertEqual(alt[K][0], P.cands["knn_embed"][K][u0][0])
        tgt = P.In[P.test_sets[u0]]
        emd_alt = pc.emd_exact(pc.np.array(alt_vecs), [float(w) for _, w in alt_comps], tgt)
        self.assertGreater(abs(emd_alt - P.emd_users["knn_embed"][self.r]), 1e-3)

        theirs, path, _, _ = self.library_export("u2")
        P._neighbour_ties = {}
        explained, unexplained = pc.mixture_ties(P, theirs, path)
        self.assertEqual((explained, unexplained), (1, 0))
        met = pc.figures_with_ties(P, theirs, {})
        emd = P.emd_users["knn_embed"].copy()
        emd[self.r] = emd_alt
        self.assertAlmostEqual(met["knn_embed"]["emd"], float(pc.np.mean(emd)), places=12)
        # an export naming our own neighbour's components needs nothing
        theirs, path, _, _ = self.library_export("u1")
        P._neighbour_ties = {}
        self.assertEqual(pc.mixture_ties(P, theirs, path), (0, 0))
        self.assertAlmostEqual(pc.figures_with_ties(P, theirs, {})["knn_embed"]["emd"], P.emd["knn_embed"], places=12)

    def test_components_no_tied_neighbour_gives_are_not_explained(self):
        P = self.P
        theirs, path, comps, _ = self.library_export("u2")
        with open(path) as f:
            text = f.read()
        c, w = comps[0]
        text = text.replace("u0\tknn_embed\t0\t%d\t%r" % (c, float(w)), "u0\tknn_embed\t0\t%d\t%r" % (c, float(w) + 0.01))
        with open(path, "w") as f:
            f.write(text)
        P._neighbour_ties = {}
        self.assertEqual(pc.mixture_ties(P, theirs, path), (0, 1))
        self.assertAlmostEqual(pc.figures_with_ties(P, theirs, {})["knn_embed"]["emd"], P.emd["knn_embed"], places=12)


class PopularRow(unittest.TestCase):
    """The popular row's lists: training degree (distinct users), ties to the lower item row, the user's items left out."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        # Degrees: t0 1, t1 1, d 1, c 1 (u2), a 0, b 0, e 0; u0 saw t0 and t1, u1 saw d.
        cls.P = run_protocol(cls.dir.name, TRAIN, TEST, ITEMS, USERS, "2,4")

    def test_lists_follow_degree_then_row(self):
        P = self.P
        lists = pc.popular_lists(P, 4)
        u0, u1 = P.user_row["u0"], P.user_row["u1"]
        self.assertEqual([P.item_ids[j] for j in lists[u0][0]], ["c", "d", "a", "b"])
        self.assertEqual(lists[u0][1], [1.0, 1.0, 0.0, 0.0])
        self.assertEqual([P.item_ids[j] for j in lists[u1][0]], ["t0", "c", "t1", "a"])

    def test_a_differing_list_or_score_is_counted(self):
        P = self.P
        u0 = P.user_row["u0"]
        before = pc.VERDICT.lists
        same = {"popular": {2: pc.ListTable.from_dict(P, pc.popular_lists(P, 2))}}
        pc.compare_popular(P, same)
        self.assertEqual(pc.VERDICT.lists, before)
        swapped = pc.popular_lists(P, 2)
        swapped[u0] = (swapped[u0][0][::-1], swapped[u0][1][::-1])
        pc.compare_popular(P, {"popular": {2: pc.ListTable.from_dict(P, swapped)}})
        self.assertEqual(pc.VERDICT.lists, before + 1)
        rescored = pc.popular_lists(P, 2)
        rescored[u0] = (rescored[u0][0], [5.0, 1.0])
        pc.compare_popular(P, {"popular": {2: pc.ListTable.from_dict(P, rescored)}})
        self.assertEqual(pc.VERDICT.lists, before + 2)
        pc.VERDICT.lists = before


if __name__ == "__main__":
    unittest.main()
