#!/usr/bin/env python3
"""Tests of prepare_datasets.py's `csv` conversion on edge lists with `#` comment lines (SNAP's layout):

  /usr/bin/python3 benchmarks/peers/test_prepare_datasets.py

A SNAP edge list opens with `#` lines (the graph's name, its counts, `# FromNodeId<TAB>ToNodeId`), then TAB-separated
data. Read as data, a comment line with two fields becomes an edge ('# FromNodeId' -> 'ToNodeId') and one with a
single field was refused as if the delimiter were wrong. Without --comment a `#` line is refused with the flag that
skips it; with --comment '#' every such line is skipped and counted."""
import gzip
import json
import os
import subprocess
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prepare_datasets.py")
SNAP = "# Directed graph: toy.txt\n# Nodes: 3 Edges: 3\n# FromNodeId\tToNodeId\n0\t1\n0\t2\n1\t2\n"


def convert(text, *options, gzipped=False):
    """Writes text to a file (gzipped, as SNAP ships its lists, when asked), runs `prepare_datasets.py csv` on it with
    options; returns (exit code, stderr, edges or None, counts.json or None)."""
    with tempfile.TemporaryDirectory() as d:
        source, out = os.path.join(d, "edges.txt.gz" if gzipped else "edges.txt"), os.path.join(d, "out")
        with (gzip.open(source, "wt", newline="") if gzipped else open(source, "w", newline="")) as f:
            f.write(text)
        run = subprocess.run([sys.executable, SCRIPT, "csv", "--csv", source, "--out", out, *options],
                             capture_output=True, text=True)
        edges = counts = None
        if run.returncode == 0:
            with gzip.open(os.path.join(out, "edges.tsv.gz"), "rt") as f:
                edges = [tuple(line.rstrip("\n").split("\t")) for line in f][1:]
            with open(os.path.join(out, "counts.json")) as f:
                counts = json.load(f)
        return run.returncode, run.stderr, edges, counts


class CommentLines(unittest.TestCase):
    def test_snap_file_without_comment_flag_is_refused_with_the_flag_named(self):
        code, err, _, _ = convert(SNAP, "--delimiter", "tab", "--no-header")
        self.assertNotEqual(code, 0)
        self.assertIn("line 1", err)
        self.assertIn("comment", err)
        self.assertIn("--comment '#'", err)
        self.assertNotIn("is the delimiter", err)

    def test_lone_column_comment_is_not_read_as_an_edge(self):
        # Only '# FromNodeId<TAB>ToNodeId' above the data: two fields, formerly the edge '# FromNodeId' -> 'ToNodeId'.
        code, err, edges, _ = convert("# FromNodeId\tToNodeId\n0\t1\n0\t2\n1\t2\n", "--delimiter", "tab", "--no-header")
        self.assertNotEqual(code, 0, f"converted to {edges}")
        self.assertIn("--comment '#'", err)

    def test_comment_inside_the_data_is_refused(self):
        code, err, _, _ = convert("0 1\n0 2\n# comment\n1 2\n", "--delimiter", "space", "--no-header")
        self.assertNotEqual(code, 0)
        self.assertIn("line 3", err)

    def test_header_mode_names_the_comment_not_the_delimiter(self):
        code, err, _, _ = convert(SNAP, "--delimiter", "tab")
        self.assertNotEqual(code, 0)
        self.assertIn("--comment '#'", err)
        self.assertNotIn("is the delimiter", err)

    def test_comment_flag_skips_and_counts_every_comment_line(self):
        code, err, edges, counts = convert(SNAP.replace("\n", "\r\n"), "--delimiter", "tab", "--no-header", "--comment", "#")
        self.assertEqual(code, 0, err)
        self.assertEqual(edges, [("0", "1"), ("0", "2"), ("1", "2")])
        self.assertEqual(counts["comment_lines_skipped"], 3)
        self.assertEqual(counts["source_rows"], 3)

    def test_gzipped_snap_file_is_read_through_gzip(self):
        # SNAP's cit-HepPh.txt.gz ended in a UnicodeDecodeError traceback (an audit, 2026-12-07).
        code, err, edges, counts = convert(SNAP, "--delimiter", "tab", "--no-header", "--comment", "#", gzipped=True)
        self.assertEqual(code, 0, err)
        self.assertEqual(edges, [("0", "1"), ("0", "2"), ("1", "2")])
        self.assertEqual(counts["comment_lines_skipped"], 3)

    def test_comment_flag_with_a_header(self):
        code, err, edges, _ = convert("# exported\nsrc,dst\n5,6\n# note\n6,5\n", "--comment", "#")
        self.assertEqual(code, 0, err)
        self.assertEqual(edges, [("5", "6"), ("6", "5")])

    def test_ids_beginning_with_hash_are_read_when_another_prefix_is_the_comment(self):
        code, err, edges, _ = convert("user,tag\n#a,#music\n#b,#news\n", "--comment", "//")
        self.assertEqual(code, 0, err)
        self.assertEqual(edges, [("#a", "#music"), ("#b", "#news")])

    def test_file_of_comments_alone_is_empty(self):
        code, err, _, _ = convert("# nothing\n# here\n", "--no-header", "--comment", "#")
        self.assertNotEqual(code, 0)
        self.assertIn("is empty", err)


class SplitHint(unittest.TestCase):
    """The printed split command keeps self-loops only where users and items are numbered apart."""

    def test_a_graph_of_one_numbering_is_split_without_keep_self_loops(self):
        # SNAP's own node ids (not re-indexed): most ids name both a citing and a cited paper.
        snap = "# Directed graph: toy.txt\n# FromNodeId\tToNodeId\n9907233\t9301253\n9907233\t9504304\n9301253\t9504304\n"
        code, err, _, counts = convert(snap, "--delimiter", "tab", "--no-header", "--comment", "#")
        self.assertEqual(code, 0, err)
        self.assertGreaterEqual(counts["shared_id_share"], 0.5)
        self.assertNotIn("test.tsv.gz --keep-self-loops", err)
        self.assertIn("a pair of equal ids is a self-loop, which split drops; add --keep-self-loops if they are two numberings", err)

    def test_users_and_items_numbered_apart_keep_their_self_loops(self):
        code, err, _, counts = convert("user,item\nu1,i1\nu1,i2\nu2,i1\n")
        self.assertEqual(code, 0, err)
        self.assertEqual(counts["shared_id_share"], 0.0)
        self.assertIn("--keep-self-loops (users and items seem numbered separately: 0% of the fewer ids name both", err)
        self.assertIn("(a file that is already one half of a published split needs no split)", err)


    def test_two_re_indexed_columns_get_both_commands(self):
        # Beibei's purchases: users 0.. and items 0.. numbered apart share every id of the fewer; a re-indexed citation
        # graph would look the same, so neither command is advised alone.
        rows = "".join(f"{u} {i}\n" for u in range(6) for i in range(u, u + 4))
        code, err, _, counts = convert(rows, "--delimiter", "space", "--no-header")
        self.assertEqual(code, 0, err)
        self.assertEqual(counts["shared_id_share"], 1.0)
        self.assertIn("cannot tell which: if users and items are numbered apart (a user-item file), split it with: ", err)
        self.assertIn("test.tsv.gz --keep-self-loops; if both columns number the same nodes", err)


    def test_two_re_indexed_columns_of_an_undirected_graph_get_the_one_numbering_command(self):
        # ego-Facebook or Deezer written both ways: nodes 0.. on both sides, every edge with its reverse.
        pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]
        rows = "".join(f"{a} {b}\n{b} {a}\n" for a, b in pairs)
        code, err, _, counts = convert(rows, "--delimiter", "space", "--no-header")
        self.assertEqual(code, 0, err)
        self.assertEqual(counts["reciprocal_share"], 1.0)
        self.assertIn("100% of the edges come with their reverse, so both columns number the same nodes", err)
        self.assertNotIn("--keep-self-loops", err)


class LightGcnFiles(unittest.TestCase):
    """`lightgcn` mode: a line lists a user's items; repeats and pairs in both files are counted, not dropped unsaid."""

    def test_repeated_pairs_and_pairs_in_both_files_are_counted_and_said(self):
        with tempfile.TemporaryDirectory() as d:
            train, test, out = (os.path.join(d, n) for n in ("train.txt", "test.txt", "out"))
            with open(train, "w") as f:
                f.write("0 1 2 2\n1 3\n")       # item 2 twice for user 0
            with open(test, "w") as f:
                f.write("0 3 1\n1 4 4 9\n")     # (0, 1) is a training pair; item 4 twice; items 4 and 9 unseen
            run = subprocess.run([sys.executable, SCRIPT, "lightgcn", "--train", train, "--test", test, "--out", out],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            with open(os.path.join(out, "counts.json")) as f:
                counts = json.load(f)
        self.assertEqual((counts["train"]["source_pairs"], counts["train"]["duplicate_pairs_dropped"], counts["train"]["edges"]), (4, 1, 3))
        self.assertEqual((counts["test"]["source_pairs"], counts["test"]["duplicate_pairs_dropped"], counts["test"]["edges"]), (5, 1, 4))
        self.assertEqual(counts["test"]["edges_also_in_train"], 1)
        self.assertEqual(counts["test"]["edges_unseen_in_train"], 2)   # items 4 and 9 have no training edge
        self.assertIn("(1 and 1 repeated pairs dropped)", run.stderr)
        self.assertIn("1 are also training edges", run.stderr)


class SslrecPickles(unittest.TestCase):
    """`sslrec` mode: SSLRec's pickled matrices, COO (general CF) and CSR (multi-behaviour), both read; anything else refused."""

    def convert(self, train, test):
        import pickle
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for name, matrix in (("train.pkl", train), ("test.pkl", test)):
                paths.append(os.path.join(d, name))
                with open(paths[-1], "wb") as f:
                    pickle.dump(matrix, f)
            out = os.path.join(d, "out")
            run = subprocess.run([sys.executable, SCRIPT, "sslrec", "--train", paths[0], "--test", paths[1], "--out", out],
                                 capture_output=True, text=True)
            counts = None
            if run.returncode == 0:
                with open(os.path.join(out, "counts.json")) as f:
                    counts = json.load(f)
            return run.returncode, run.stderr, counts, os.path.exists(out)

    def test_csr_and_coo_matrices_convert_with_the_test_edges_counted_against_training(self):
        import scipy.sparse as sp
        train = sp.csr_matrix(([1, 1, 1], ([0, 0, 1], [0, 1, 1])), shape=(3, 3))
        test = sp.coo_matrix(([1, 1, 1], ([0, 1, 2], [2, 1, 0])), shape=(3, 3))
        code, err, counts, _ = self.convert(train, test)
        self.assertEqual(code, 0, err)
        self.assertEqual(counts["train"]["edges"], 3)
        # (0, 2): item 2 has no training edge; (2, 0): user 2 has none; (1, 1) is a training pair too.
        self.assertEqual(counts["test"]["edges_unseen_in_train"], 2)
        self.assertEqual(counts["test"]["users_unseen_in_train"], 1)
        self.assertEqual(counts["test"]["edges_also_in_train"], 1)
        self.assertIn("2 test edges name a user or item with no training edge, 1 are also training edges", err)

    def test_another_pickled_object_is_refused_in_one_line_and_nothing_written(self):
        import scipy.sparse as sp
        code, err, _, written = self.convert({"not": "a matrix"}, sp.coo_matrix((2, 2)))
        self.assertEqual(code, 1)
        self.assertIn("cannot be read as a pickled user x item matrix: it holds a dict, not a scipy sparse matrix", err)
        self.assertNotIn("Traceback", err)
        self.assertFalse(written)


if __name__ == "__main__":
    unittest.main()
