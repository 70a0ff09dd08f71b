using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>
/// One test per case of docs/bad-inputs.md: each bad input ends in the documented exception type with a message that
/// says what was wrong and where (or, for the cases the library accepts, in the documented outcome). A test also checks
/// that the document lists exactly these cases.
/// </summary>
public class BadInputCatalogTests
{
    /// <summary>A case: the exception type expected (null: accepted, then <see cref="Run"/> returns the outcome text) and the message gist.</summary>
    private sealed record Case(Type? Exception, string[] Gist, Func<string?> Run);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- edge, embedding and cluster files ----
        ["file-missing"] = Throws<FileNotFoundException>(["does not exist", "no-such-file.tsv"], () => EdgeFile.Read(Path.Combine(Path.GetTempPath(), "no-such-file.tsv"))),
        ["file-is-a-folder"] = Throws<FileNotFoundException>(["is a folder: give a file"], () => EdgeFile.Read(Path.GetTempPath())),
        ["loadedges-folder"] = Throws<FileNotFoundException>(["is a folder: give the edge file itself"], () => new MLContext().MultiInterest().LoadEdges(Path.GetTempPath())),
        ["file-empty"] = Throws<InvalidDataException>(["is empty", "header line"], () => EdgeFile.Read(BadInputFixtures.Text("empty.tsv", ""))),
        ["edge-header-wrong"] = Throws<InvalidDataException>(["must start with a header whose column 1 is 'user'", "header.tsv"], () => EdgeFile.Read(BadInputFixtures.Text("header.tsv", "src\tdst\na\tb\n"))),
        ["edge-header-renamed"] = Throws<InvalidDataException>(["column 1 is 'user'", "name them so in the header line ('user<TAB>item', then a name for the last column, which is not read unless it is 'weight')"],
            () => EdgeFile.Read(BadInputFixtures.Text("renamed.tsv", "user_id\titem_id\trating\na\tb\t5\n"))),
        ["edge-header-reordered"] = Throws<InvalidDataException>(["reordered.tsv", "column 1 is 'user'", "names the same columns in another order",
            "Put the columns themselves in that order"], () => EdgeFile.Read(BadInputFixtures.Text("reordered.tsv", "item\tuser\nb\ta\n"))),
        ["edge-not-utf8"] = Throws<InvalidDataException>(["cp1252.tsv", "is not UTF-8 text: line 2 holds bytes (0xE9) that are not UTF-8", "iconv"],
            () => EdgeFile.Read(BadInputFixtures.Bytes("cp1252.tsv", [.. "user\titem\nu1\tcaf"u8, 0xE9, .. "\nu1\tcafe\n"u8]))),
        ["edge-utf16-no-bom"] = Throws<InvalidDataException>(["utf16.tsv", "looks like UTF-16 text without a byte-order mark", "iconv -f utf-16le -t utf-8"],
            () => EdgeFile.Read(BadInputFixtures.Bytes("utf16.tsv", System.Text.Encoding.Unicode.GetBytes("user\titem\nu1\ti1\n")))),
        ["edge-utf16be-no-bom"] = Throws<InvalidDataException>(["utf16be.tsv", "looks like UTF-16 text without a byte-order mark", "iconv -f utf-16be -t utf-8"],
            () => EdgeFile.Read(BadInputFixtures.Bytes("utf16be.tsv", System.Text.Encoding.BigEndianUnicode.GetBytes("user\titem\nu1\ti1\n")))),
        ["edge-header-comma"] = Throws<InvalidDataException>(["comma.csv", "looks comma-separated", "TAB-separated", "replace its separators by TABs"], () => EdgeFile.Read(BadInputFixtures.Text("comma.csv", "user,item\na,b\n"))),
        ["edge-header-comment"] = Throws<InvalidDataException>(["snap.txt", "it is a comment line ('#', as SNAP's edge lists begin)", "grep -v '^#' FILE"],
            () => EdgeFile.Read(BadInputFixtures.Text("snap.txt", "# Directed graph (each unordered pair of nodes is saved once): Wiki-Vote.txt\r\n# FromNodeId\tToNodeId\r\n30\t1412\r\n"))),
        ["edge-column-unread"] = Accepts(["scored.tsv': its column 'score' is not read: an edge file is read as its columns user and item, and a third column named 'weight'",
            "Name the third column 'weight' if it holds the edges' weights."], () =>
        {
            var warnings = new StringWriter();
            global::MultiInterest.Cli.TrainingFileChecks.WarnUnreadColumns(BadInputFixtures.Text("scored.tsv", "user\titem\tscore\nu1\ti1\t5\n"), warnings,
                global::MultiInterest.Cli.TrainingWeights.Unused);
            return warnings.ToString();
        }),
        ["cli-exclude-items-no-header"] = Throws<InvalidDataException>(["--exclude-items: the first line of '", "excluded.tsv' is read as its header, but it starts with 'i920', an item the model knows",
            "add a header line such as 'item'"], () => global::MultiInterest.Cli.ServingData.Items(BadInputFixtures.Text("excluded.tsv", "i920\ni349\n"), "--exclude-items", id => id is "i920" or "i349")),
        ["split-only-self-loops"] = Throws<ArgumentException>(["There are no edges to split: every one of the 2 edges is a self-loop (user id = item id), which the protocol drops",
            "DropSelfLoops = false (the command line's split --keep-self-loops)"], () => HoldOutSplitter.Split([new RawEdge("a", "a", 1), new RawEdge("b", "b", 1)])),
        ["cli-onnx-dir-file"] = Throws<global::MultiInterest.Cli.Common.UsageException>(["--onnx-dir '", "onnx-dir.txt' is a file: give the folder export-onnx wrote"],
            () => RefusedCommandLine("recommend", "--model", BadInputFixtures.Text("model.zip", "not read"), "--users", BadInputFixtures.Text("users.tsv", "user\nu1\n"),
                "--out", Path.Combine(Path.GetTempPath(), "never-written.tsv"), "--onnx", "--onnx-dir", BadInputFixtures.Text("onnx-dir.txt", "a file"))),
        ["cli-users-file-lists"] = Throws<InvalidDataException>(["Users file 'lists.tsv': the line 'u1 i3 i5' is not a user the model knows, but its first space-separated word 'u1' is",
            "LightGCN's test.txt"], () => global::MultiInterest.Cli.ServingData.RefuseItemLists(["u2", "u1 i3 i5"], id => id is "u1" or "u2", "lists.tsv")),
        ["cli-test-ids-unmatched"] = Accepts(["Most test edges are unseen: 2 of its 2 users are not in the training file (the first 'x1'), and every item is known.",
            "Read item first, 0 would be seen, so the columns are not swapped"], () => global::MultiInterest.Cli.ColumnOrderHint.For(
            [new("x1", "i1", 1), new("x2", "i2", 1)], new IdMap(["u1", "u2"]), new IdMap(["i1", "i2"]))!),
        ["cli-test-ids-quoted"] = Accepts(["With the double quotes around their ids removed, 2 of the test edges would be between users and items seen in training, against 0"],
            () => global::MultiInterest.Cli.ColumnOrderHint.For([new("\"u1\"", "\"i1\"", 1), new("\"u2\"", "\"i2\"", 1)], new IdMap(["u1", "u2"]), new IdMap(["i1", "i2"]))!),
        ["cli-given-vectors-missing-item"] = Throws<InvalidDataException>(["--item-embeddings '", "items.tsv' has no vector for the item 'i343', which has edges in the training file 'train.tsv'"],
            () => global::MultiInterest.Cli.GivenVectorsCoverage.Require([new("u1", "i1", 1), new("u1", "i343", 1)], "train.tsv", new IdMap(["u1"]), "users.tsv",
                new IdMap(["i1"]), BadInputFixtures.Text("items.tsv", "id\tv0\ni1\t1\n"))),
        ["history-mmr-lambda-few-users"] = Accepts(["warning: history_mmr's lambda was chosen on 1 validation user, fewer than 30", "no standard error at all",
            "The default lambda would be 0.5 (--history-mmr-lambda 0.5 keeps it)."], () => global::MultiInterest.Cli.HistoryLambdaStep.FewUsersWarning(1, 0.5)!),
        ["edge-header-space"] = Throws<InvalidDataException>(["looks space-separated"], () => EdgeFile.Read(BadInputFixtures.Text("space.txt", "1 6393\n1 13504\n"))),
        ["edge-header-missing"] = Throws<InvalidDataException>(["looks like data, not a header", "add the header line 'user<TAB>item'"],
            () => EdgeFile.Read(BadInputFixtures.Text("headless.tsv", "1\t6393\n1\t13504\n"))),
        ["edge-line-extra-fields"] = Throws<InvalidDataException>(["lists.tsv, line 3", "4 fields under a header of 2", "'8'", "prepare_datasets.py lightgcn"],
            () => EdgeFile.Read(BadInputFixtures.Text("lists.tsv", "user\titem\n0\t5\n1\t6\t8\t9\n"))),
        ["edge-user-item-lists"] = Throws<InvalidDataException>(["but the header is '0 1 2 3 4 5 6 7", "...'", "looks like a user id followed by that user's items", "prepare_datasets.py lightgcn"],
            () => EdgeFile.Read(BadInputFixtures.Text("train.txt", "0 " + string.Join(' ', Enumerable.Range(1, 300)) + "\n1 5 6\n"))),
        ["loadedges-extra-fields"] = Throws<InvalidDataException>(["lists.tsv", "line 3 has 4 fields where the header names 2", "prepare_datasets.py lightgcn"],
            () => new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("lists.tsv", "User\tItem\n0\t5\n1\t6\t8\t9\n"))),
        ["loadedges-r-row-names"] = Throws<InvalidDataException>(["r.tsv", "line 2 has 3 fields where the header names 2", "R's write.table", "row.names = FALSE"],
            () => new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("r.tsv", "\"user\"\t\"item\"\n\"1\"\t\"u1\"\t\"i1\"\n\"2\"\t\"u2\"\t\"i1\"\n"), "user", "item")),
        ["loadedges-empty-field"] = Throws<InvalidDataException>(["holes.csv', line 3: the 'item' field is empty, and every edge needs an item id"],
            () => new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("holes.csv", "user,item\n1,10\n2,\n3,30\n"), "user", "item")),
        ["loadedges-weight-comma"] = Throws<InvalidDataException>(["comma.tsv', line 3: the 'weight' field '0,5' is not a number",
            "no thousands separator"], () => new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("comma.tsv", "user\titem\tweight\nu1\ti1\t2\nu1\ti2\t0,5\n"), weightColumnName: "weight")),
        ["loadedges-null-id"] = Throws<ArgumentException>(["Column 'item' (itemColumnName) of the DataFrame holds 1 null value (the first at row 1): every edge needs an item id"],
            () => new MLContext().MultiInterest().LoadEdges(new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.Int32DataFrameColumn("user", new int?[] { 1, 2, 3 }),
                new Microsoft.Data.Analysis.Int32DataFrameColumn("item", new int?[] { 10, null, 30 })), "user", "item")),
        ["loadedges-frame-weight-not-positive"] = Throws<ArgumentException>(["Input column 'weight' (option weightColumnName) holds the weight 0 at row 1 of the data: weights must be positive and finite"],
            () => new MLContext().MultiInterest().LoadEdges(new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.StringDataFrameColumn("user", ["u1", "u1"]),
                new Microsoft.Data.Analysis.StringDataFrameColumn("item", ["i1", "i2"]), new Microsoft.Data.Analysis.SingleDataFrameColumn("weight", [1f, 0f])), weightColumnName: "weight")),
        ["sweep-weight-not-positive"] = Throws<ArgumentException>(["Input column 'Weight' (option weightColumnName) holds the weight NaN at row 3 of the data: weights must be positive and finite"], () =>
        {
            var ml = new MLContext(seed: 1);
            var rows = MLNetTestData.Edges().Select((e, i) => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = i == 3 ? float.NaN : 1 }).ToList();
            ml.MultiInterest().Sweep(ml.Data.LoadFromEnumerable(rows), SweepSearchSpace.Parse("lambda=0.5"), new SweepOptions { Cutoff = 5, MaxTrials = 1 }, weightColumnName: "Weight");
        }),
        ["sweep-empty-id"] = Throws<ArgumentException>(["Row 3 of column 'User' (userColumnName) holds an empty value: every edge needs a user id. Drop or fill such rows first."], () =>
        {
            var ml = new MLContext(seed: 1);
            var rows = MLNetTestData.Edges();
            rows[3].User = "";
            ml.MultiInterest().Sweep(ml.Data.LoadFromEnumerable(rows), SweepSearchSpace.Parse("lambda=0.5"), new SweepOptions { Cutoff = 5, MaxTrials = 1 });
        }),
        ["sweep-validation-split-same-path"] = Throws<ArgumentException>(["trainPath and validationPath name the same file", "split.tsv'",
            "the validation edges would overwrite the training edges. Give validationPath another path."], () =>
        {
            var ml = new MLContext(seed: 1);
            var result = ml.MultiInterest().Sweep(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()), SweepSearchSpace.Parse("method=unimodal"),
                new SweepOptions { Cutoff = 5, MaxTrials = 1, Threads = 1 }, refitBest: false);
            string path = Path.Combine(Path.GetTempPath(), "split.tsv");
            result.ValidationSplit.Save(path, path);
        }),
        ["sweep-export-validation-over-input"] = Throws<global::MultiInterest.Cli.Common.UsageException>(["--train and --export-validation name the same file, '",
            "validation.tsv': writing --export-validation would overwrite it. Give --export-validation another path."], () =>
        {
            string train = BadInputFixtures.Text("validation.tsv", "user\titem\nu1\ti1\nu1\ti2\nu1\ti3\n");
            RefusedCommandLine("sweep", "--train", train, "--export-validation", Path.GetDirectoryName(train)!, "--out", Path.Combine(Path.GetTempPath(), "never-written"));
        }),
        ["loadedges-time-not-iso"] = Throws<InvalidDataException>(["times.tsv', line 3: the 'when' field holds '02.01.2024'",
            "neither a number (Unix seconds) nor an ISO 8601 date"], () => new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("times.tsv", "user\titem\twhen\nu1\ti1\t2024-01-02\nu1\ti2\t02.01.2024\n"),
            timestampColumnName: "when")),
        ["loadedges-time-single"] = Throws<ArgumentException>(["the time column 'when' is Single, which holds whole seconds only below 2^24", "row 0 holds 1700000000",
            "Load the column as Int64 or Double"], () => new MLContext().MultiInterest().LoadEdges(new Microsoft.Data.Analysis.DataFrame(
                new Microsoft.Data.Analysis.StringDataFrameColumn("user", ["u1"]), new Microsoft.Data.Analysis.StringDataFrameColumn("item", ["i1"]),
                new Microsoft.Data.Analysis.SingleDataFrameColumn("when", [1_700_000_000f])), timestampColumnName: "when")),
        ["edge-header-only"] = Throws<InvalidDataException>(["has a header but no edges"], () => EdgeFile.Read(BadInputFixtures.Text("only.tsv", "user\titem\n"))),
        ["edge-header-repeated"] = Throws<InvalidDataException>(["joined.tsv, line 4", "repeats the header 'user<TAB>item'", "cat a.tsv b.tsv"],
            () => EdgeFile.Read(BadInputFixtures.Text("joined.tsv", "user\titem\na\tb\nc\td\nuser\titem\ne\tf\n"))),
        ["edge-header-repeated-variant"] = Throws<InvalidDataException>(["joined-bom.tsv, line 4", "repeats the header 'user<TAB>item'", "cat a.tsv b.tsv"],
            () => EdgeFile.Read(BadInputFixtures.Text("joined-bom.tsv", "user\titem\na\tb\nc\td\n\uFEFFUser\titem \ne\tf\n"))),
        ["edge-id-byte-order-mark"] = Throws<InvalidDataException>(["bom-joined.tsv, line 3", "the user id holds a byte-order mark (U+FEFF, bytes EF BB BF)", "cat a.tsv b.tsv"],
            () => EdgeFile.Read(BadInputFixtures.Text("bom-joined.tsv", "user\titem\na\tb\n\uFEFFc\td\n"))),
        ["edge-id-nul"] = Throws<InvalidDataException>(["nul.tsv, line 2", "the item id 'b\\0c' holds a zero byte (NUL)"],
            () => EdgeFile.Read(BadInputFixtures.Text("nul.tsv", "user\titem\na\tb\0c\n"))),
        ["edge-header-quoted"] = Throws<InvalidDataException>(["quoted.tsv", "its names are in quotes", "write.table(..., quote = FALSE)"],
            () => EdgeFile.Read(BadInputFixtures.Text("quoted.tsv", "\"user\"\t\"item\"\n\"a\"\t\"b\"\n"))),
        ["edge-ids-quoted"] = Accepts(["warning: double quotes enclose 1 user id of '", "(the first '\"a\"'); 1 of them name another user without them ('\"a\"' and 'a')",
            "a quoted id is another user"], () => FileWarnings("user\titem\n\"a\"\tb\na\tc\n")),
        ["edge-ids-normalisation-twins"] = Accepts(["warning: 1 item id of '", "is written in two Unicode normalisations (the first 'cafe\u0301', 5 code units, and 'caf\u00E9', 4)",
            "each spelling is another item", "Normalise the file to NFC first"], () => FileWarnings("user\titem\na\tcaf\u00E9\nb\tcafe\u0301\nb\tx\n")),
        ["edge-ids-invisible"] = Accepts(["warning: spaces or invisible characters (U+200B) pad 1 user id of '", "1 of them name another user without the characters ('a\u200B' and 'a')"],
            () => FileWarnings("user\titem\na\u200B\tb\na\tc\n")),
        ["edge-line-one-column"] = Throws<InvalidDataException>(["one.tsv, line 3", "expected 'user<TAB>item'"], () => EdgeFile.Read(BadInputFixtures.Text("one.tsv", "user\titem\na\tb\nlonely\n"))),
        ["edge-line-empty-id"] = Throws<InvalidDataException>(["blank.tsv, line 2", "expected 'user<TAB>item'"], () => EdgeFile.Read(BadInputFixtures.Text("blank.tsv", "user\titem\n\tb\n"))),
        ["edge-weight-not-a-number"] = Throws<InvalidDataException>(["weights.tsv, line 2", "positive finite number", "'heavy'"], () => EdgeFile.Read(BadInputFixtures.Text("weights.tsv", "user\titem\tweight\na\tb\theavy\n"))),
        ["edge-weight-not-positive"] = Throws<InvalidDataException>(["line 3", "positive finite number", "'-1'"], () => EdgeFile.Read(BadInputFixtures.Text("negative.tsv", "user\titem\tweight\na\tb\t1\na\tc\t-1\n"))),
        ["edge-weight-underflow"] = Throws<InvalidDataException>(["tiny.tsv, line 2", "found '1e-50', which rounds to 0 as a 32-bit float", "scale the weights up"],
            () => EdgeFile.Read(BadInputFixtures.Text("tiny.tsv", "user\titem\tweight\na\tb\t1e-50\n"))),
        ["gzip-truncated"] = Throws<InvalidDataException>(["The gzip file", "cut.tsv.gz", "truncated"], () => EdgeFile.Read(Truncated())),
        ["gzip-corrupt"] = Throws<InvalidDataException>(["The gzip file", "corrupt.tsv.gz"], () => EdgeFile.Read(Corrupted())),
        ["gzip-not-gzip"] = Throws<InvalidDataException>(["plain.tsv.gz", "is named .gz but is not gzip-compressed", "rename it without .gz"],
            () => EdgeFile.Read(BadInputFixtures.Bytes("plain.tsv.gz", Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(50))))),
        ["gzip-without-gz-name"] = Throws<InvalidDataException>(["packed.tsv", "is gzip-compressed", "does not end in .gz"],
            () => EdgeFile.Read(BadInputFixtures.Bytes("packed.tsv", BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(50)))))),
        ["gzip-empty"] = Throws<InvalidDataException>(["The gzip file", "zero.tsv.gz", "truncated"], () => EdgeFile.Read(BadInputFixtures.Bytes("zero.tsv.gz", []))),
        ["gzip-concatenated"] = Accepts(["edges 100"], () => $"edges {EdgeFile.Read(Concatenated()).Count}"),
        ["gzip-concatenated-truncated"] = Throws<InvalidDataException>(["The gzip file", "gzip member 2", "truncated or corrupt"], () =>
        {
            var path = Concatenated();
            var bytes = File.ReadAllBytes(path);
            return EdgeFile.Read(BadInputFixtures.Bytes("two-cut.tsv.gz", bytes[..^5]));
        }),
        ["gzip-empty-last-member"] = Accepts(["edges 60"], () =>
        {
            // As bgzip writes: data, then an empty member as an end-of-file marker.
            var first = BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(60)));
            return $"edges {EdgeFile.Read(BadInputFixtures.Bytes("bgzip.tsv.gz", [.. first, .. BadInputFixtures.Gzip([])])).Count}";
        }),
        ["gzip-trailing-bytes"] = Throws<InvalidDataException>(["The gzip file", "padded.tsv.gz' cannot be read whole: the 512 zero bytes from byte ",
            "after its last complete gzip member (member 1), are not a gzip member", "keep them alone, e.g. head -c "], () =>
            EdgeFile.Read(BadInputFixtures.Bytes("padded.tsv.gz", [.. BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(60))), .. new byte[512]]))),
        ["compressed-other-format"] = Throws<InvalidDataException>(["tr.tsv.bz2' is bzip2-compressed (it starts with bzip2's signature, bytes 42 5a 68)",
            "this reader takes UTF-8 text, plain or gzip-compressed: decompress it first, e.g. bunzip2 -c FILE > PLAIN.tsv"], () =>
            EdgeFile.Read(BadInputFixtures.Bytes("tr.tsv.bz2", [.. "BZh91AY&SY"u8, .. Enumerable.Range(0, 100).Select(i => (byte)(i * 37))]))),
        ["gzip-through-pipe"] = Accepts(["edges 100"], () =>
            $"edges {EdgeFile.Read(BadInputFixtures.Piped(BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(100)))), "/dev/fd/900").Count}"),
        ["embedding-ragged-row"] = Throws<InvalidDataException>(["ragged.tsv, line 3", "expected 3 columns"], () => EmbeddingFile.Read(BadInputFixtures.Text("ragged.tsv", "id\tv0\tv1\na\t1\t2\nb\t1\n"))),
        ["embedding-not-finite"] = Throws<InvalidDataException>(["nan.tsv, line 2, column 3", "'NaN' is not a finite number"], () => EmbeddingFile.Read(BadInputFixtures.Text("nan.tsv", "id\tv0\tv1\na\t1\tNaN\n"))),
        ["embedding-duplicate-id"] = Throws<InvalidDataException>(["twice.tsv, line 3", "the id 'a' occurs twice"], () => EmbeddingFile.Read(BadInputFixtures.Text("twice.tsv", "id\tv0\na\t1\na\t2\n"))),
        ["embedding-no-vector-columns"] = Throws<InvalidDataException>(["has no vector columns"], () => EmbeddingFile.Read(BadInputFixtures.Text("novec.tsv", "id\na\n"))),
        ["cluster-unknown-item"] = Throws<InvalidDataException>(["clusters.tsv, line 2", "the item 'zz' has no embedding"], () => ClusterFile.Read(BadInputFixtures.Text("clusters.tsv", "item\tcluster\nzz\t0\n"), new IdMap(["a"]))),
        ["cluster-negative-id"] = Throws<InvalidDataException>(["line 2", "the cluster '-3' is not a non-negative integer"], () => ClusterFile.Read(BadInputFixtures.Text("neg.tsv", "item\tcluster\na\t-3\n"), new IdMap(["a"]))),
        ["cluster-item-missing"] = Throws<InvalidDataException>(["gives no cluster for the item 'b'"], () => ClusterFile.Read(BadInputFixtures.Text("partial.tsv", "item\tcluster\na\t0\n"), new IdMap(["a", "b"]))),
        ["cluster-item-twice"] = Throws<InvalidDataException>(["line 3", "the item 'a' is assigned twice"], () => ClusterFile.Read(BadInputFixtures.Text("dup.tsv", "item\tcluster\na\t0\na\t1\nb\t0\n"), new IdMap(["a", "b"]))),
        ["edgefile-write-unreadable"] = Throws<ArgumentException>(["edges.tsv' cannot hold the user id 'b\\tc' of edge 1: it holds a TAB, which separates the file's columns, "
            + "so the file would read back with other ids"], () =>
        {
            string path = Path.Combine(BadInputFixtures.Directory("write-edges"), "edges.tsv");
            try
            {
                EdgeFile.Write(path, [new("a", "x", 1), new("b\tc", "y", 1)]);
            }
            finally
            {
                Assert.False(File.Exists(path)); // refused before the file is opened
            }
        }),
        ["clusterfile-write-unwritable-id"] = Throws<ArgumentException>(["clusters.tsv' cannot hold the item id 'a\\nb' of row 1: it holds a line break, which ends the file's lines"], () =>
        {
            string path = Path.Combine(BadInputFixtures.Directory("write-clusters"), "clusters.tsv");
            try
            {
                ClusterFile.Write(path, new IdMap(["x", "a\nb"]), [0, 1]);
            }
            finally
            {
                Assert.False(File.Exists(path)); // refused before the file is opened
            }
        }),
        ["onnx-export-unwritable-id"] = Throws<NotSupportedException>(["user_ids.tsv' cannot hold the user id 'u3\\tnew' of key ", "it holds a TAB",
            "Map such ids to ones without before MapValueToKey"], () =>
        {
            var ml = new MLContext(seed: 1);
            var edges = MLNetTestData.Edges();
            foreach (var e in edges.Where(e => e.User == "u3")) e.User = "u3\tnew";
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(edges));
            string directory = BadInputFixtures.Directory("onnx-tab-ids");
            ml.Model.Save(model, ml.Data.LoadFromEnumerable(edges).Schema, Path.Combine(directory, "m.zip"));
            using var loaded = MultiInterestModel.Load(ml, Path.Combine(directory, "m.zip"));
            loaded.ExportOnnx(Path.Combine(directory, "onnx"));
        }),
        ["recommend-out-unwritable-id"] = Throws<NotSupportedException>(["'out.tsv' cannot hold the item id 'i\\t3' (rank 2 of user 'u0'): it holds a TAB",
            "serve it through the API (MultiInterestRecommender)"],
            () => global::MultiInterest.Cli.WritableIds.Require("out.tsv", null, [new("u0", ["i1", "i\t3"], [2f, 1f], CandidateSource.Trained)])),
        ["embeddingfile-write-nan"] = Throws<ArgumentException>(["The vectors contain a non-finite value (NaN) in row 1, column 0"], () =>
        {
            var vectors = new EmbeddingMatrix(2, 2);
            vectors.Values[2] = float.NaN;
            EmbeddingFile.Write(Path.Combine(BadInputFixtures.Directory("write-vectors"), "v.tsv"), new IdMap(["a", "b"]), vectors);
        }),
        ["cluster-id-beyond-items"] = Throws<InvalidDataException>(["line 2", "the cluster id 1000000000 is not below the 2 items", "at most one cluster per item"],
            () => ClusterFile.Read(BadInputFixtures.Text("stray.tsv", "item\tcluster\na\t1000000000\nb\t0\n"), new IdMap(["a", "b"]))),
        ["option-dimension-above-svd-rank"] = Throws<ArgumentOutOfRangeException>(["Dimension 1000 exceeds min(users, items) = ", "a truncated SVD has at most that many components"],
            () => GraphEmbeddingTrainerEngine.Fit(TestGraphs.TwoInterestUsers().Graph, new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 1000, Threads = 1 })),
        ["embedding-diverged"] = Throws<ArgumentException>(["Training diverged: the", "vectors hold a non-finite value", "LearningRate 1E+30", "Lower the learning rate"],
            () => GraphEmbeddingTrainerEngine.Fit(TestGraphs.TwoInterestUsers().Graph, new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.NegativeSampling, Dimension = 8, Epochs = 2, LearningRate = 1e30f, Threads = 1, Seed = 1,
            })),
        ["embedding-collapsed-to-zero"] = Throws<ArgumentException>(["Training collapsed: every item vector is zero after dcm d=2", "Lower the learning rate", "scale them down"],
            () => GraphEmbeddingTrainerEngine.Fit(BipartiteGraph.FromEdges(4, 4, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], [0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3],
                [1e30f, 1, 1, 1e30f, 1, 1, 1e30f, 1, 1, 1e30f, 1, 1]),
                new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 2, Epochs = 3, Threads = 1, Optimizer = EmbeddingOptimizer.Sgd })),
        ["embedding-diverged-on-hold-out"] = Throws<ArgumentException>(["Training diverged: the", "hold a non-finite value", "during training", "LearningRate 1E+30", "Lower the learning rate"],
            () => GraphEmbeddingTrainerEngine.Fit(TestGraphs.TwoInterestUsers().Graph, new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 8, Epochs = 2, LearningRate = 1e30f, ValidationFraction = 0.2, Threads = 1, Seed = 1,
            })),
        ["retrieval-length-huge"] = Throws<ArgumentOutOfRangeException>(["Candidates (M) must be within 1..1048576"],
            () => new UnimodalRetriever(new EmbeddingMatrix(6, 2)).Retrieve(new EmbeddingMatrix(3, 2), [0, 1, 2], null, 100_000_000)),
        ["smoothing-neighbour-self"] = Throws<ArgumentException>(["The neighbour row of user 0 holds the user itself"], () =>
        {
            var (items, groups, graph, _) = TestGraphs.TwoInterestUsers(groups: 3, itemsPerGroup: 4, users: 4, itemsPerUserPerGroup: 2);
            var clustering = ItemClustering.Create(groups, 3, items);
            var self = new RankedLists(1, 1);
            self.Counts[0] = 1;   // its one slot holds row 0: the user itself
            return KnnSmoother.Smooth(graph, clustering, items, MixtureBuilder.BuildMle(graph, clustering, items, 2), [0], self, 0.8);
        }),
        ["engine-threads-negative"] = Throws<ArgumentOutOfRangeException>(["threads must be 0 (all cores) or positive", "threads"], () =>
        {
            var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 2, itemsPerGroup: 4, users: 3, itemsPerUserPerGroup: 2);
            return new UnimodalRetriever(items).Retrieve(TestGraphs.RandomMatrix(graph.UserCount, items.Dimension, 1), [0, 1], graph, 3, threads: -1);
        }),

        // ---- graphs ----
        ["duplicate-edges"] = Accepts(["edges 1", "warning: 1 line of 'dups' repeated a (user, item) pair already read: each pair counts once."], () =>
        {
            // What fit, evaluate and sweep say of them (fit counted lines as edges until 2026-12-06, and said nothing).
            var warnings = new StringWriter();
            global::MultiInterest.Cli.SplitChecks.Repeats(2, 1, "dups", warnings);
            return $"edges {GraphData.Build([new("u", "i", 1), new("u", "i", 1)], new IdMap(), new IdMap(), true, "dups").EdgeCount}; {warnings}";
        }),
        ["self-loop-ids"] = Accepts(["edges 1"], () => $"edges {GraphData.Build([new("p1", "p1", 1)], new IdMap(), new IdMap(), true, "loops").EdgeCount}"),
        ["test-id-unseen-strict"] = Throws<KeyNotFoundException>(["test.tsv: the user 'stranger' is unknown"], () => GraphData.Build([new("stranger", "i", 1)], new IdMap(["u"]), new IdMap(["i"]), false, "test.tsv")),
        ["test-id-unseen-held-out"] = Accepts(["unseen edges 2", "unseen users 1"], () =>
        {
            var g = GraphData.BuildHeldOut([new("u", "i", 1), new("u", "new", 1), new("stranger", "i", 1)], new IdMap(["u"]), new IdMap(["i"]), "test.tsv");
            return $"unseen edges {g.UnseenEdges}, unseen users {g.Misses.UnseenUsers}";
        }),
        ["protocol-empty-test"] = Throws<ArgumentException>(["nothing to evaluate"], ProtocolOnEmptyTest),
        ["relation-edge-in-two-relations"] = Throws<ArgumentException>(["The edge (user 0, item 1) occurs in relations 0 and 1", "an edge belongs to one relation"], () =>
            BipartiteGraph.FromEdges(1, 2, [0, 0], [1, 1], default, [0, 1], 2)),
        ["relation-weights-all-zero"] = Throws<ArgumentException>(["Every relation with edges has weight 0 in Mixture.RelationWeights", "nothing to train"], () =>
            GraphEmbeddingTrainerEngine.Fit(BipartiteGraph.FromEdges(1, 2, [0, 0], [0, 1], default, [0, 1], 2),
                new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Mixture = new MixtureEmbeddingOptions { RelationWeights = [0f, 0f] } })),
        ["protocol-lambda-nan"] = Throws<ArgumentOutOfRangeException>(["Lambda must lie in [0, 1]"], () => new ProtocolSettings { Lambda = double.NaN }.Validate()),
        ["protocol-mmr-pool-below-cutoff"] = Throws<ArgumentOutOfRangeException>(["MmrPoolSize (20) is below the largest cutoff (50)", "Use at least 50"],
            () => new ProtocolSettings { MmrPoolSize = 20, Cutoffs = [10, 20, 50] }.Validate()),
        ["sweep-cutoff-above-items"] = Throws<ArgumentOutOfRangeException>(["Cutoff (K = 100000) must be below the", "items of the training graph", "every trial would score the same full recall"],
            () => SweepRunner.Run(TestGraphs.TwoInterestUsers().Graph, SweepSearchSpace.Parse("lambda=0.5"), new SweepOptions { Cutoff = 100000 })),
        ["sweep-clusters-above-items"] = Throws<ArgumentException>(["The search space asks for clusters=121, more than the 120 items", "lower 'clusters'"],
            () => SweepRunner.Run(TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 30, users: 80, itemsPerUserPerGroup: 8, seed: 3).Graph,
                SweepSearchSpace.Parse("clusters=2,121"), new SweepOptions { Cutoff = 5 })),
        ["sweep-mmr-pool-below-cutoff"] = Throws<ArgumentOutOfRangeException>(["The search space's mmr-pool=5 is below K (Cutoff 10): a pool is raised to K, so it would run as mmr-pool=10's trial"],
            () => SweepRunner.Run(TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 30, users: 80, itemsPerUserPerGroup: 8, seed: 3).Graph,
                SweepSearchSpace.Parse("method=mmr;mmr-pool=5,20"), new SweepOptions { Cutoff = 10 })),
        ["sweep-mmr-pools-past-catalogue"] = Throws<ArgumentOutOfRangeException>(["The search space's mmr-pool values 500, 1000 are all at or above the 120 items",
            "one trial under 2 names. Keep one of them."], () => SweepRunner.Run(TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 30, users: 80, itemsPerUserPerGroup: 8, seed: 3).Graph,
                SweepSearchSpace.Parse("method=mmr;mmr-pool=20,500,1000"), new SweepOptions { Cutoff = 10 })),
        ["sweep-validation-split-csv-name"] = Throws<ArgumentException>(["trainPath '", "inner.csv' ends in .csv, but the files are written tab-separated", "give a .tsv (or .tsv.gz) name"], () =>
        {
            var ml = new MLContext(seed: 1);
            var result = ml.MultiInterest().Sweep(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()), SweepSearchSpace.Parse("method=unimodal"),
                new SweepOptions { Cutoff = 5, MaxTrials = 1, Threads = 1 }, refitBest: false);
            result.ValidationSplit.Save(Path.Combine(Path.GetTempPath(), "inner.csv"), Path.Combine(Path.GetTempPath(), "validation.tsv"));
        }),
        ["sweep-time-budget-too-long"] = Throws<ArgumentOutOfRangeException>(["TimeBudget (60.0 days) must be at most 49.7 days, the longest a sweep can time",
            "leave it null for no time limit"], () => SweepRunner.Run(TestGraphs.TwoInterestUsers().Graph, SweepSearchSpace.Parse("lambda=0.5"),
                new SweepOptions { TimeBudget = TimeSpan.FromDays(60) })),
        ["sweep-dimension-above-svd-rank"] = Throws<ArgumentOutOfRangeException>(["The search space asks for dimension=5000 with the truncated SVD, more than the min(users, items) = ",
            "lower 'dimension'"], () => SweepRunner.Run(TestGraphs.TwoInterestUsers().Graph, SweepSearchSpace.Parse("dimension=4,5000"),
                new SweepOptions { Cutoff = 5, BaseSettings = new SweepSettings
                {
                    Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 4 }, Clustering = new SphericalKMeansOptions { Clusters = 4 },
                } })),
        ["sweep-time-budget-below-one-trial"] = Accepts(["trials 1, stop TimeBudget, best 1"], () =>
        {
            var outcome = SweepRunner.Run(TestGraphs.TwoInterestUsers().Graph, SweepSearchSpace.Parse("lambda=0,0.5"), new SweepOptions { Cutoff = 5, TimeBudget = TimeSpan.FromTicks(1) });
            return $"trials {outcome.Trials.Count}, stop {outcome.StopReason}, best {outcome.Best?.Number}";
        }),
        ["sweep-space-empty"] = Throws<ArgumentException>(["The search space is empty", "SweepSearchSpace.Add"],
            () => SweepRunner.Run(TestGraphs.TwoInterestUsers().Graph, new SweepSearchSpace())),
        ["sweep-space-empty-entry"] = Throws<ArgumentException>(["The search space's entry 2 of 3 is empty", "two ';' in a row"],
            () => SweepSearchSpace.Parse("lambda=0,1;;neighbors=10")),
        ["sweep-holdout-items-engaged-once"] = Throws<ArgumentException>(["The validation hold-out is empty: every edge drawn from the 2 users with 3 or more training edges was its item's last training edge"],
            () => SweepRunner.Run(BipartiteGraph.FromEdges(2, 8, [0, 0, 0, 0, 1, 1, 1, 1], [0, 1, 2, 3, 4, 5, 6, 7]), new SweepSearchSpace().Add("lambda", 0, 0.5),
                new SweepOptions { Cutoff = 2 })),
        ["sweep-grid-too-large"] = Throws<ArgumentException>(["The search space has 102,010 configurations (lambda 101 x alpha 10 x mmr-lambda 101)",
            "more than the 100,000 a grid runs without a limit: it would not finish", "Set SweepOptions.MaxTrials or TimeBudget"],
            () => SweepRunner.Run(TestGraphs.TwoInterestUsers().Graph, new SweepSearchSpace().Add("lambda", [.. Enumerable.Range(0, 101).Select(i => i / 100.0)])
                .Add("alpha", [.. Enumerable.Range(1, 10).Select(i => i / 10.0)]).Add("mmr-lambda", [.. Enumerable.Range(0, 101).Select(i => i / 100.0)]))),

        // ---- ML.NET columns and data ----
        ["loadedges-gzip"] = Accepts(["rows 100"], () =>
            $"rows {new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Bytes("edges.tsv.gz", BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(100)))), "user", "item").GetColumn<string>("User").Count()}"),
        ["loadedges-unparseable"] = Throws<InvalidDataException>(["Edge file", "quote.csv", "could not be read as ','-separated text", "line 2: a quoted field is not closed before the end of the file"], () =>
            new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("quote.csv", "user,item\na,\"b\nc,d\n"), "user", "item")),
        ["loadedges-not-utf8"] = Throws<InvalidDataException>(["cp.csv' is not UTF-8 text: line 2 holds bytes (0xE9) that are not UTF-8", "iconv -f cp1252 -t utf-8"], () =>
            new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Bytes("cp.csv", [.. "user,item\n"u8, .. "caf"u8, 0xE9, .. ",1\n"u8, .. "caf"u8, 0xE8, .. ",2\n"u8]))),
        ["loadedges-float-ids"] = Throws<ArgumentException>(["userColumnName: the id column 'user' is Single, which cannot hold ids exactly", "LoadEdges(path)"], () =>
            new MLContext().MultiInterest().LoadEdges(new Microsoft.Data.Analysis.DataFrame(new Microsoft.Data.Analysis.SingleDataFrameColumn("user", [7f]),
                new Microsoft.Data.Analysis.StringDataFrameColumn("item", ["a"])))),
        ["loadedges-column-case"] = Throws<ArgumentException>(["Input column 'User' (option userColumnName)", "its columns are 'user', 'item'", "differs only in case"], () =>
            new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("lower.tsv", "user\titem\na\tb\n"), "User", "Item")),
        ["loadedges-wrong-separator"] = Throws<ArgumentException>(["Input column 'User' (option userColumnName) was not found in edge file", "tab.csv",
            "its first line 'user<TAB>item' looks tab-separated, and the file was read comma-separated, as its extension says: pass separator: '\\t'"], () =>
            new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("tab.csv", "user\titem\na\tb\n"))),
        ["loadedges-no-header"] = Throws<ArgumentException>(["Input column 'User' (option userColumnName) was not found in edge file", "headerless.tsv",
            "its first line '1<TAB>2' looks like data, not a header: add a header line naming the columns first (e.g. 'User<TAB>Item'"], () =>
            new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("headerless.tsv", "1\t2\n3\t4\n"))),
        ["loadedges-default-names-any-case"] = Accepts(["User a, Item b"], () =>
        {
            var view = new MLContext().MultiInterest().LoadEdges(BadInputFixtures.Text("lower-default.tsv", "user\titem\na\tb\n"));
            return $"User {view.GetColumn<string>("User").Single()}, Item {view.GetColumn<string>("Item").Single()}";
        }),
        ["column-missing"] = Throws<ArgumentException>(["'Reader'", "UserColumnName"], () => new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { UserColumnName = "Reader" }).Fit(Keyed())),
        ["column-not-a-key"] = Throws<ArgumentException>(["'User'", "key type", "String"], () => new MLContext().MultiInterest().GraphEmbedding().Fit(new MLContext().Data.LoadFromEnumerable(MLNetTestData.Edges()))),
        ["history-column-keys-not-uint32"] = Throws<ArgumentException>(["History column 'History' (option HistoryColumnName) holds keys over Byte, not UInt32"], () =>
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Select(e => new EdgeWithByteHistory { User = e.User, Item = e.Item, History = [1, 2] }).ToList());
            var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
            ml.MultiInterest().UnimodalRetriever(5).Fit(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed));
        }),
        ["column-wrong-vector-type"] = Throws<ArgumentException>(["'Item'", "vector of Single"], () => new MLContext().MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options { FeatureColumnName = "Item", NumberOfClusters = 2 }).Fit(Keyed())),
        ["key-other-mapping"] = Throws<ArgumentException>(["Input column 'User' (option UserColumnName) maps key 1 to", "the same fitted MapValueToKey"], () =>
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var embedding = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw));
            var reversed = ml.Data.LoadFromEnumerable(Enumerable.Reverse(MLNetTestData.Edges()).ToList());
            embedding.Transform(MLNetTestData.KeyPipeline(ml).Fit(reversed).Transform(raw)).Preview();
        }),
        ["data-empty"] = Throws<ArgumentException>(["The data has no edges: no row has both a user key in 'User' (option UserColumnName) and an item key in 'Item' (option ItemColumnName) (the view has no rows)"],
            () => new MLContext().MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(EmptyKeyed())),
        ["data-empty-retriever"] = Throws<ArgumentException>(["The data has no edges", "There is nothing to fit on: pass the training edges."],
            () => new MLContext().MultiInterest().UnimodalRetriever(candidates: 3).Fit(new MLContext().Data.SkipRows(Embedded(), int.MaxValue))),
        ["data-weight-not-positive"] = Throws<ArgumentException>(["Input column 'Weight' (option WeightColumnName) holds the weight -1 at row 2 of the data: weights must be positive and finite."], () =>
        {
            var ml = new MLContext(seed: 1);
            var edges = MLNetTestData.Edges().Select((e, n) => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = n == 2 ? -1 : 1 }).ToList();
            var raw = ml.Data.LoadFromEnumerable(edges);
            var o = MLNetTestData.SmallEmbedding();
            o.WeightColumnName = "Weight";
            ml.MultiInterest().GraphEmbedding(o).Fit(MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw));
        }),
        ["data-vector-differs-by-row"] = Throws<ArgumentException>(["Input column 'UserEmbedding' (option UserEmbeddingColumnName) gives user key 1 ('u0') two values", "on its first row, NaN on a later one"],
            () => new MLContext().MultiInterest().UnimodalRetriever(candidates: 3).Fit(WithNanUserVectors(laterRowsOnly: true))),
        ["column-case-in-chain"] = Throws<ArgumentException>(["Input column 'user' (option UserColumnName) was not found in the input schema; its columns are", "('User' differs only in case"], () =>
        {
            var ml = new MLContext(seed: 1);
            ml.Transforms.CopyColumns("Spare", "Item").Append(ml.MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { UserColumnName = "user" })).Fit(Embedded(ml));
        }),
        ["option-output-hides-input"] = Throws<ArgumentException>(["CandidatesColumnName names the output column 'User', which is the input column of UserColumnName"],
            () => new MLContext().MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { CandidatesColumnName = "User" })),
        ["option-outputs-share-a-name"] = Throws<ArgumentException>(["CandidatesColumnName and CandidateScoresColumnName both name the output column 'Candidates'"],
            () => new MLContext().MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { CandidateScoresColumnName = "Candidates" })),
        ["embedding-nan-vector"] = Throws<ArgumentException>(["Input column 'ItemEmbedding' (option FeatureColumnName) holds a non-finite value (NaN) at coordinate 0 of item key 1: embeddings must be finite"], () => KMeansOn(new float[] { float.NaN, 1 })),
        ["embedding-nan-user-vector"] = Throws<ArgumentException>(["Input column 'UserEmbedding' (option UserEmbeddingColumnName) holds a non-finite value (NaN) at coordinate 2 of user key 1"],
            () => new MLContext().MultiInterest().UnimodalRetriever(candidates: 3).Fit(WithNanUserVectors())),
        ["embedding-vector-too-long"] = Throws<ArgumentException>(["Input column 'ItemEmbedding' (option ItemEmbeddingColumnName) holds a vector of length 1E+20, "
            + "whose squared length overflows a float (its unit vector and cosines cannot be computed; lengths up to 1.84E+19 can), for item key 1"],
            () => new MLContext().MultiInterest().UnimodalRetriever(candidates: 3).Fit(WithLongItemVector())),
        ["embedding-zero-vectors"] = Throws<ArgumentException>(["are all zeros", "more clusters than items"], () => KMeansOn(new float[] { 0, 0 })),
        ["embedding-vector-missing-from-map"] = Throws<ArgumentException>(["Input column 'UserEmbedding' (option UserEmbeddingColumnName) gives user key 2 ('u1') 0 values, but its type holds 2",
            "An empty vector is what ML.NET's MapValue gives an id missing from its map: give every user an entry."],
            () => new MLContext().MultiInterest().UnimodalRetriever(candidates: 1).Fit(UserVectorsMappedWithout("u1"))),

        // ---- options out of range ----
        ["option-dimension-zero"] = Throws<ArgumentOutOfRangeException>(["Dimension"], () => new MLContext().MultiInterest().GraphEmbedding(dimension: 0)),
        ["option-lambda-above-one"] = Throws<ArgumentOutOfRangeException>(["Lambda", "[0, 1]"], () => new MLContext().MultiInterest().KnnSmoothedMixture(lambda: 1.5)),
        ["option-candidates-zero"] = Throws<ArgumentOutOfRangeException>(["Candidates (M, the list length) must be within 1..1,048,576"], () => new MLContext().MultiInterest().ClusterQuotaRetriever(candidates: 0)),
        ["option-candidates-above-limit"] = Throws<ArgumentOutOfRangeException>(["Candidates (M, the list length) must be within 1..1,048,576"], () =>
            new MLContext().MultiInterest().UnimodalRetriever(candidates: RetrievalLimits.MaxCandidates + 1)),
        ["option-threads-above-limit"] = Throws<ArgumentOutOfRangeException>(["Threads must be at most 1,024 (0 = all cores)", "every worker keeps buffers of its own"], () =>
            new MLContext().MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 2, Threads = int.MaxValue })),
        ["option-validation-cutoff-above-limit"] = Throws<ArgumentOutOfRangeException>(["ValidationCutoff must be within 1..1048576"], () =>
            new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { ValidationCutoff = int.MaxValue })),
        ["option-dc-zero-negatives"] = Throws<ArgumentOutOfRangeException>(["UniformNegatives must be at least 1 for DivideConquer, which draws uniform negatives only"], () =>
            new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.DivideConquer, UniformNegatives = 0 })),
        ["option-dc-item-cluster-too-large"] = Throws<ArgumentOutOfRangeException>(["DivideConquer.ItemClusters holds a cluster id outside 0..999999"], () =>
            new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, DivideConquer = new DivideConquerOptions { ItemClusters = [0, 2_000_000_000] },
            })),
        ["option-history-vector-round-robin"] = Throws<ArgumentOutOfRangeException>(["HistoryVector = FoldIn does not apply to round robin, which reads a new user's history by its learned components: use Auto or Mean."],
            () => new MLContext().MultiInterest().RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { HistoryVector = HistoryVector.FoldIn })),
        ["option-history-vector-history-mmr-mean"] = Throws<ArgumentOutOfRangeException>(["HistoryVector = Mean does not apply to history-interest MMR (Interests = History), which reads every history by its fold-in: use Auto or FoldIn."],
            () => new MLContext().MultiInterest().MmrRetriever(new MmrRetrieverEstimator.Options { Interests = MmrInterests.History, HistoryVector = HistoryVector.Mean })),
        ["option-clusters-above-items"] = Throws<ArgumentException>(["NumberOfClusters is 1000, but there are only 24 distinct items in 'Item' to cluster: set NumberOfClusters to at most 24",
            "the default, 2,000, is cit-HepPh's; the command line and Sweep take one cluster per 10 items on a catalogue this small, here 2"],
            () => new MLContext().MultiInterest().SphericalKMeans(numberOfClusters: 1000).Fit(Embedded())),
        ["data-user-item-dimensions-differ"] = Throws<ArgumentException>(["Input column 'UserEmbedding' (option UserEmbeddingColumnName) holds vectors of dimension 16, "
            + "but column 'ItemEmbedding' (option ItemEmbeddingColumnName) holds vectors of dimension 8", "both need one space of one dimension"],
            () => new MLContext().MultiInterest().HistoryInterestMmr(candidates: 3).Fit(WithLongerUserVectors())),
        ["option-learned-model-single-vector-settings"] = Accepts(["DifferentiableClustering trains with the single-vector Margin (0.1) and LearningRate (0.05)", "its own are 0.3 and 0.2"],
            () => WarningOf(ml => ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 4, Epochs = 1, Threads = 1,
            }).Fit(Keyed()))),
        ["option-dimension-above-rank"] = Accepts(["Source=GraphEmbeddingTrainer; option Dimension,", "Dimension 20 exceeds min(users, items) = 16 of the training edges (16 users and 24 items with edges): ImplicitAls fits it",
            "Set Dimension to at most 16"], () => WarningOf(ml => ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 20, Threads = 1,
            }).Fit(Keyed()))),
        ["option-dimension-under-auto"] = Accepts(["Dimension is 6, but Algorithm is Auto, which chooses the dimension itself on a validation hold-out (up to AutoMaxDimension, 768)",
            "the vectors may have another dimension", "To train at dimension 6, set Algorithm (TruncatedSvd, ImplicitAls or NegativeSampling)"],
            () => WarningOf(ml => ml.MultiInterest().GraphEmbedding(dimension: 6).Fit(Keyed()))),
        ["option-validation-cutoff-auto"] = Accepts(["implicit-als d=", "(Auto's fallback: every one of the", "validation users has at most",
            "of the 120 items unseen, so every candidate's validation Recall@120 (ValidationCutoff) would be 1, so nothing was chosen)"],
            () => GraphEmbeddingTrainerEngine.Fit(Embedding.PlantedGraph.Create().Train, new GraphEmbeddingOptions { ValidationCutoff = 120, Threads = 1 }).Settings),
        ["option-validation-cutoff-steps"] = Throws<ArgumentOutOfRangeException>(["of the 120 items unseen, so every candidate's validation Recall@125 (ValidationCutoff) would be 1",
            "the steps chosen on it would be the first", "Give a ValidationCutoff below", "or no validation hold-out (ValidationFraction 0)"], () => GraphEmbeddingTrainerEngine.Fit(Embedding.PlantedGraph.Create().Train,
            new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 4, ValidationFraction = 0.2, ValidationCutoff = 125, Threads = 1 })),
        ["cli-validation-k-saturates"] = Throws<global::MultiInterest.Cli.Common.UsageException>(["--validation-k 1,000 must be below the", "items of the training file", "Give at most"],
            () => RefusedCommandLine("fit", "--train", BadInputFixtures.Text("k.tsv", BadInputFixtures.EdgeText(50)), "--model", Path.Combine(Path.GetTempPath(), "never-written.zip"),
                "--validation-k", "1000", "--threads", "1")),
        ["option-divide-conquer-clusters-above-items"] = Accepts(["DivideConquer.Clusters is 30, but only 24 items have a training edge: the fit makes one cluster per item (24)",
            "Set DivideConquer.Clusters well below 24."], () => WarningOf(ml => ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1, DivideConquer = new DivideConquerOptions { Clusters = 30 },
            }).Fit(Keyed()))),
        ["retriever-new-user-mean-after-divide-conquer"] = Accepts(["The item vectors in column 'ItemEmbedding' come from a divide-and-conquer GraphEmbedding",
            "as the mean of the history items' vectors. HistoryVector = Mean was asked for", "not by the query the MeanPooling encoder gives that history: "
                + "HistoryVector = Encoder serves that query (saved in the zip), Auto the fold-in fitted to it"], () => WarningOf(ml =>
                ml.MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.Mean }).Fit(DivideConquerEmbedded(ml)))),
        ["retriever-history-vector-encoder-without-divide-conquer"] = Throws<ArgumentException>(["HistoryVector = Encoder: the item embedding column 'ItemEmbedding' does not come "
            + "from a divide-and-conquer GraphEmbedding stage of this pipeline", "Use HistoryVector = Auto, Mean or FoldIn"], () =>
            new MLContext().MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { HistoryVector = HistoryVector.Encoder }).Fit(Embedded())),
        ["retriever-history-vector-encoder-unservable"] = Throws<ArgumentException>(["HistoryVector = Encoder", "with the UserVector encoder, which a stage cannot serve",
            "only MeanPooling and AttentionPooling"], () => new MLContext().MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { HistoryVector = HistoryVector.Encoder })
            .Fit(DivideConquerEmbedded(new MLContext(seed: 1), DivideConquerEncoder.UserVector))),
        ["onnx-export-divide-conquer-item-keys-subset"] = Throws<NotSupportedException>(["The Unimodal stage writing 'Candidates' reads a new user's history by the "
            + "divide-and-conquer model over 23 of the 24 item keys (those it was fitted with), which the ONNX graphs, indexed by item key, cannot serve",
            "fit the stage on every item"], () =>
            {
                // The keys mapped from every edge, the model and stage fitted without item i5's: a key the encoder has no row for.
                var ml = new MLContext(seed: 1);
                var edges = MLNetTestData.Edges();
                var raw = ml.Data.LoadFromEnumerable(edges);
                var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
                var keyed = keys.Transform(ml.Data.LoadFromEnumerable(edges.Where(e => e.Item != "i5").ToList()));
                var mi = ml.MultiInterest();
                var embedding = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
                {
                    Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1, DivideConquer = new DivideConquerOptions { Clusters = 3 },
                }).Fit(keyed);
                var stage = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.Encoder }).Fit(embedding.Transform(keyed));
                var buffer = new MemoryStream();
                ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, stage), raw.Schema, buffer);
                using var model = MultiInterestModel.Load(new MLContext(), new MemoryStream(buffer.ToArray()));
                model.ExportOnnx(Path.Combine(BadInputFixtures.Directory("encoder-subset-onnx"), "onnx"));
            }),
        ["fold-in-new-items-history-vector-encoder"] = Throws<NotSupportedException>(["FoldInNewItems: this stage reads a new user's history by the divide-and-conquer encoder "
            + "(HistoryVector = Encoder)", "Fit the stage with HistoryVector = Auto or FoldIn"], () =>
            {
                using var model = EncoderModel();
                new MLContext().MultiInterest().CreateRecommender(model).FoldInNewItems([("u1", "brand-new-item")]);
            }),
        ["model-encoder-tables-missing"] = Throws<InvalidDataException>(["reads a new user's history by the divide-and-conquer encoder, but its 'encoder_history_items' "
            + "initializer is missing"], () => LoadModel(BadInputFixtures.WithoutInitializer(EncoderZip(), "encoder_history_items"))),
        ["model-encoder-tables-not-finite"] = Throws<InvalidDataException>(["the divide-and-conquer encoder's tables are inconsistent (a cluster prior that is not finite and non-negative"],
            () => LoadModel(BadInputFixtures.WithTableValue(QuotaMixtureZip(), "encoder_cluster_prior", 1, double.NaN))),
        ["model-encoder-clusters-edited"] = Throws<InvalidDataException>(["holds a stage whose tables are inconsistent: Initializer 'encoder_item_clusters' puts item key 1 in cluster",
            "the saved SphericalKMeans stage in cluster"], () => LoadModel(BadInputFixtures.WithTensor(QuotaMixtureZip(), "encoder_item_clusters", t =>
            {
                var raw = t.RawData.ToByteArray();
                BitConverter.GetBytes((BitConverter.ToInt64(raw, 0) + 1) % 3).CopyTo(raw, 0);
                t.RawData = Google.Protobuf.ByteString.CopyFrom(raw);
            }))),
        ["retriever-history-mixture-without-divide-conquer"] = Throws<ArgumentException>(["HistoryMixture = DivideConquer: the item embedding column 'ItemEmbedding' "
            + "(option ItemEmbeddingColumnName) does not come from a divide-and-conquer GraphEmbedding stage of this pipeline", "Use HistoryMixture = Auto or Counts"], () =>
            new MLContext().MultiInterest().ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { HistoryMixture = HistoryMixture.DivideConquer })
                .Fit(Mixtures(new MLContext(seed: 1), Embedded(), modelClusters: false))),
        ["retriever-history-mixture-other-clusters"] = Throws<ArgumentException>(["HistoryMixture = DivideConquer: the item clusters of column 'ItemCluster' (option "
            + "ItemClusterColumnName) are not the divide-and-conquer model's", "Cluster the items with SphericalKMeansTrainer.Options.DivideConquerClusters = true (NumberOfClusters = the model's 3)"], () =>
            {
                var ml = new MLContext(seed: 1);
                new MLContext().MultiInterest().ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { HistoryMixture = HistoryMixture.DivideConquer })
                    .Fit(Mixtures(ml, DivideConquerEmbedded(ml), modelClusters: false));
            }),
        ["retriever-history-mixture-auto-other-clusters"] = Accepts(["A new user's mixture is counted over the history's clusters (HistoryMixture = Counts), not read by "
            + "the divide-and-conquer model: the item clusters of column 'ItemCluster' (option ItemClusterColumnName) are not the divide-and-conquer model's",
            "SphericalKMeansTrainer.Options.DivideConquerClusters = true"], () => WarningOf(ml =>
                ml.MultiInterest().ClusterQuotaRetriever(candidates: 5).Fit(Mixtures(ml, DivideConquerEmbedded(ml), modelClusters: false)))),
        ["option-history-mixture-undefined"] = Throws<ArgumentOutOfRangeException>(["HistoryMixture must be Auto, Counts or DivideConquer."], () =>
            new MLContext().MultiInterest().ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { HistoryMixture = (HistoryMixture)7 })),
        ["kmeans-divide-conquer-clusters-without-model"] = Throws<ArgumentException>(["DivideConquerClusters: the column 'ItemEmbedding' (option FeatureColumnName) does not "
            + "come from a divide-and-conquer GraphEmbedding stage of this pipeline", "Leave DivideConquerClusters false to fit k-means."], () =>
            new MLContext().MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true }).Fit(Embedded())),
        ["kmeans-divide-conquer-clusters-count"] = Throws<ArgumentException>(["DivideConquerClusters: the divide-and-conquer model has 3 clusters, but NumberOfClusters is 4: "
            + "set NumberOfClusters to 3."], () =>
            new MLContext().MultiInterest().SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 4, DivideConquerClusters = true })
                .Fit(DivideConquerEmbedded(new MLContext(seed: 1)))),
        ["onnx-history-encoder-components-edited"] = Throws<InvalidDataException>(["history_encoder.onnx' is not the divide-and-conquer history encoder of this "
            + "directory: m = 3, outside 1..2 (the clusters, the quota scorer's components). Export the directory again."], () =>
            OpenDivideConquerDirectoryEdited("dc-no-own-scorer-onnx", directory => EditManifest(directory, json => json["history_quota_scorer"] = null))),
        ["onnx-history-quota-scorer-other-components"] = Throws<InvalidDataException>(["quota_scorer.onnx' takes [-1, 2] mixture components (input 'mixture_clusters'), "
            + "but the history encoder's model gives 3: the two graphs come from different exports. Export the directory again."], () =>
            OpenDivideConquerDirectoryEdited("dc-own-scorer-onnx", directory => EditManifest(directory, json => json["history_quota_scorer"]!["file"] = "quota_scorer.onnx"))),
        ["onnx-history-encoder-other-clusters"] = Throws<InvalidDataException>(["history_encoder.onnx' places item row", "the quota scorer in cluster",
            "the two graphs come from different exports. Export the directory again."], () =>
            {
                // Another fit's encoder, of the same shapes, copied in with the checksums recomputed.
                using var other = MultiInterestModel.Load(new MLContext(), new MemoryStream(QuotaMixtureZip(seed: 9)));
                string elsewhere = Path.Combine(BadInputFixtures.Directory("dc-other-fit-onnx"), "onnx");
                other.ExportOnnx(elsewhere);
                OpenDivideConquerDirectoryEdited("dc-other-clusters-onnx", directory => File.Copy(Path.Combine(elsewhere, OnnxServingDirectory.HistoryEncoderFileName),
                    Path.Combine(directory, OnnxServingDirectory.HistoryEncoderFileName), overwrite: true));
            }),
        ["onnx-manifest-history-encoder-misplaced"] = Throws<InvalidDataException>(["(format version 4, retrieval 'cluster_quota') has a history_encoder with outputs "
            + "[mixture_clusters, mixture_weights, mixture_embeddings], which only a round-robin directory, a cluster_quota or unimodal directory of format version 5 or "
            + "later reading a fresh history's mixture (mixture_*) or vector (user_embedding) by it, or a conditional directory of format version 5 or later reading a "
            + "fresh history's vector (user_embedding) by it, holds: it was edited or damaged. Export the directory again."], () =>
            {
                using var model = MultiInterestModel.Load(new MLContext(), new MemoryStream(QuotaMixtureZip()));
                string directory = Path.Combine(BadInputFixtures.Directory("quota-mixture-onnx"), "onnx");
                model.ExportOnnx(directory);
                string manifest = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
                File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format_version\": 5,", "\"format_version\": 4,", StringComparison.Ordinal));
                OnnxCandidateScorer.Open(directory).Dispose();
            }),
        ["fold-in-new-items-history-mixture-divide-conquer"] = Throws<NotSupportedException>(["FoldInNewItems: this stage builds a new user's mixture by the divide-and-conquer "
            + "model (HistoryMixture = DivideConquer)", "Fit the stage with HistoryMixture = Counts"], () =>
            {
                using var model = MultiInterestModel.Load(new MLContext(), new MemoryStream(QuotaMixtureZip()));
                new MLContext().MultiInterest().CreateRecommender(model).FoldInNewItems([("u1", "brand-new-item")]);
            }),
        ["model-history-mixture-unknown"] = Throws<InvalidDataException>(["The saved candidate stage has metadata entry 'HistoryMixture' = 'Bogus', which is not DivideConquer."],
            () => LoadModel(BadInputFixtures.WithMetadata(QuotaMixtureZip(), "HistoryMixture", "Bogus"))),
        ["option-components-above-clusters"] = Accepts(["Source=KnnSmoothedMixtureEstimator; option Components,", "Components (m = 5) exceeds the 2 item clusters"], () => WarningOf(ml =>
            ml.MultiInterest().KnnSmoothedMixture(components: 5, neighbors: 2).Fit(ml.MultiInterest().SphericalKMeans(numberOfClusters: 2).Fit(Embedded(ml)).Transform(Embedded(ml))))),
        ["option-neighbors-above-users"] = Accepts(["Source=KnnSmoothedMixtureEstimator; option Neighbors,", "Neighbors (k = 40) exceeds the 15 other users with a training edge",
            "smoothed over at most 15 neighbours"], () => WarningOf(ml =>
            ml.MultiInterest().KnnSmoothedMixture(components: 1, neighbors: 40).Fit(ml.MultiInterest().SphericalKMeans(numberOfClusters: 2).Fit(Embedded(ml)).Transform(Embedded(ml))))),
        ["data-weight-unread"] = Accepts(["The edges have a 'Weight' column, but WeightColumnName is not set: GraphEmbedding trains on unweighted edges",
            "Set WeightColumnName = \"Weight\" to train on the weights."], () => WarningOf(ml =>
        {
            var rows = MLNetTestData.Edges().Select(e => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = 2 }).ToList();
            var raw = ml.Data.LoadFromEnumerable(rows);
            ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw));
        })),
        ["data-weight-wrong-type"] = Throws<ArgumentException>(["Input column 'Weight' (option WeightColumnName) must be Single or Double (the edges' weights), but it is Int32",
            "mlContext.Transforms.Conversion.ConvertType(\"Weight\", outputKind: DataKind.Single)"], () =>
        {
            var ml = new MLContext(seed: 1);
            var rows = MLNetTestData.Edges().Select(e => new IntWeightedEdge { User = e.User, Item = e.Item, Weight = 2 }).ToList();
            var raw = ml.Data.LoadFromEnumerable(rows);
            var options = MLNetTestData.SmallEmbedding();
            options.WeightColumnName = "Weight";
            ml.MultiInterest().GraphEmbedding(options).Fit(MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw));
        }),
        ["embedding-zero-user-vector"] = Accepts(["1 of the 16 users have an all-zero vector in column 'UserEmbedding': every item scores 0 for them"], () => WarningOf(ml =>
        {
            var embedded = Embedded(ml);
            var first = ml.Data.CreateEnumerable<UserVectorRow>(embedded, reuseRowObject: false).First();
            var zeroed = ml.Transforms.CustomMapping<UserVectorRow, UserVectorOutput>((from, to) =>
                to.UserEmbedding = from.User == first.User ? new float[from.UserEmbedding.Length] : (float[])from.UserEmbedding.Clone(), contractName: null).Fit(embedded).Transform(embedded);
            ml.MultiInterest().UnimodalRetriever(candidates: 3).Fit(zeroed);
        })),
        ["option-candidates-above-items"] = Accepts(["Source=UnimodalRetrieverEstimator; option Candidates,", "Candidates (M = 500) exceeds the"], () => WarningOf(ml =>
            ml.MultiInterest().UnimodalRetriever(candidates: 500).Fit(Embedded(ml)))),
        ["option-candidates-above-items-mmr"] = Accepts(["Source=MmrRetrieverEstimator; option Candidates,", "Candidates (M = 500) exceeds the"], () => WarningOf(ml =>
            ml.MultiInterest().MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 500, PoolSize = 600 }).Fit(Embedded(ml)))),
        ["retriever-skipped-key-rows"] = Accepts(["Source=UnimodalRetrieverEstimator", "Skipped 1 row with a missing user key in 'User' or item key in 'Item'", "left out"], () => WarningOf(ml =>
        {
            // An edge whose user the key mapping maps to the missing key (an empty id): GraphEmbedding warned of it, the stages after it did not.
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Append(new MLNetTestData.Edge { User = "", Item = "i1" }).ToList());
            var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
            var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
            ml.MultiInterest().UnimodalRetriever(candidates: 3).Fit(embedded);
        })),
        ["quota-without-fill-short-lists"] = Accepts(["trained users' lists hold fewer than the M = 40 candidates their unseen items allow", "has no unimodal fill"], () => WarningOf(ml =>
        {
            var mi = ml.MultiInterest();
            var clustered = mi.SphericalKMeans(numberOfClusters: 8).Fit(Embedded(ml)).Transform(Embedded(ml));
            var mixtures = mi.KnnSmoothedMixture(components: 1, neighbors: 2).Fit(clustered).Transform(clustered);
            mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 40, UserEmbeddingColumnName = null }).Fit(mixtures);
        })),
        ["option-evaluator-cutoff-above-list"] = Throws<ArgumentException>(["Cutoff 5", "exceeds the length 3", "'Candidates'"], () =>
        {
            var ml = new MLContext();
            var (scored, heldOut, items) = EvaluationTestData.Views(ml);
            ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions { Cutoffs = [5] });
        }),
        ["option-evaluator-unseen-undefined"] = Throws<ArgumentOutOfRangeException>(["Unseen is not a defined value"], () =>
        {
            var ml = new MLContext();
            var (scored, heldOut, items) = EvaluationTestData.Views(ml);
            ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions { Unseen = (UnseenHeldOut)7 });
        }),
        ["dataframe-values-column-unpaired"] = Throws<ArgumentException>(["Input column 'MixtureWeights' (option scoresColumnName) must be a vector of 3 Single values, one per entry of 'Candidates' (option candidatesColumnName), but it is Vector<Double, 2>"], () =>
        {
            var ml = new MLContext();
            var (scored, _, _) = EvaluationTestData.Views(ml);
            ml.MultiInterest().CandidatesToDataFrame(scored, scoresColumnName: MultiInterestColumnNames.MixtureWeights);
        }),
        ["option-evaluator-source-column-unnamed"] = Throws<ArgumentException>(["CandidateSourceColumnName must name a column"], () =>
        {
            var ml = new MLContext();
            var (scored, heldOut, items) = EvaluationTestData.Views(ml);
            ml.MultiInterest().Evaluate(scored, heldOut, items, new MultiInterestEvaluatorOptions { CandidateSourceColumnName = null! });
        }),
        ["option-relation-column-not-a-key"] = Throws<ArgumentException>(["'Relation' (option RelationColumnName)", "key type over UInt32", "String"], () =>
        {
            var ml = new MLContext();
            MultiTaskMLNetTests.Keyed(ml, out var raw);
            ml.MultiInterest().GraphEmbedding(MultiTaskMLNetTests.Options()).Fit(MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw));
        }),
        ["option-relation-without-mixture"] = Throws<ArgumentException>(["RelationColumnName is set", "only Algorithm = MixtureEmbedding trains on relations"], () =>
        {
            var options = MultiTaskMLNetTests.Options();
            options.Algorithm = EmbeddingAlgorithm.NegativeSampling;
            new MLContext().MultiInterest().GraphEmbedding(options);
        }),
        ["option-relation-weights-count"] = Throws<ArgumentException>(["Mixture.RelationWeights has 3 weights", "column 'Relation' (option RelationColumnName) is a key over 2 values"], () =>
        {
            var ml = new MLContext();
            ml.MultiInterest().GraphEmbedding(MultiTaskMLNetTests.Options([1f, 1f, 1f])).Fit(MultiTaskMLNetTests.Keyed(ml, out _));
        }),
        ["option-relation-weight-negative"] = Throws<ArgumentOutOfRangeException>(["RelationWeights[1] is -1", "finite and at least 0"], () =>
            new MLContext().MultiInterest().GraphEmbedding(MultiTaskMLNetTests.Options([1f, -1f]))),
        ["option-dcm-warm-start-shape"] = Throws<ArgumentException>(["Dcm.InitialItems is 3 x 8", "give one row of that dimension per item"], () =>
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var options = new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 8, Epochs = 1, Threads = 1,
                Dcm = new DcmOptions { Interests = 2, InitialItems = new EmbeddingMatrix(3, 8) },
            };
            return MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(options)).Fit(raw);
        }),
        ["option-dcm-weight-exponent-negative"] = Throws<ArgumentOutOfRangeException>(["Dcm.WeightExponent must be within [0, 16]"], () =>
            new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dcm = new DcmOptions { WeightExponent = -1 },
            })),
        ["option-dc-sequences-mlnet"] = Throws<ArgumentException>(["DivideConquer.Sequences is an engine option", "the ML.NET trainer takes no time order yet"], () =>
            new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, DivideConquer = new DivideConquerOptions { Sequences = [[0, 1]] },
            })),
        ["option-dc-self-attention-mlnet"] = Throws<ArgumentException>(["DivideConquer.Encoder SelfAttention reads each history in time order, which the ML.NET trainer does not take yet",
            "GraphEmbeddingTrainerEngine.Fit and DivideConquer.Sequences"], () =>
            new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, DivideConquer = new DivideConquerOptions { Encoder = DivideConquerEncoder.SelfAttention },
            })),
        ["option-dc-sequences-mismatch"] = Throws<ArgumentException>(["DivideConquer.Sequences[0] holds item 1, not a training item of user row 0"], () =>
            GraphEmbeddingTrainerEngine.Fit(BipartiteGraph.FromEdges(1, 2, [0], [0]), new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1,
                DivideConquer = new DivideConquerOptions { Clusters = 1, Sequences = [[1]] },
            })),
        ["option-dc-self-attention-unordered"] = Throws<ArgumentException>(["DivideConquer.Encoder SelfAttention reads each history in time order: give DivideConquer.Sequences"], () =>
            new DivideConquerOptions { Encoder = DivideConquerEncoder.SelfAttention }.Validate()),
        ["dc-self-attention-serving-unordered"] = Throws<ArgumentException>(["A SelfAttention model reads each history in time order: give the users' sequences"], () =>
        {
            var graph = BipartiteGraph.FromEdges(1, 2, [0, 0], [0, 1]);
            var model = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1,
                DivideConquer = new DivideConquerOptions { Encoder = DivideConquerEncoder.SelfAttention, Clusters = 1, Sequences = [[1, 0]] },
            }).DivideConquer!;
            model.BuildMixtures(graph, [0]);
        }),
        ["dc-self-attention-serving-foreign-sequence"] = Throws<ArgumentException>(["Sequence 0 must end with the 2 items of user row 0's history, each once: its last 2 hold item 2 that is not in the history"], () =>
        {
            var graph = BipartiteGraph.FromEdges(1, 4, [0, 0], [0, 1]);
            var model = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions
            {
                Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1,
                DivideConquer = new DivideConquerOptions { Encoder = DivideConquerEncoder.SelfAttention, Clusters = 1, Sequences = [[1, 0]] },
            }).DivideConquer!;
            model.BuildMixtures(graph, [0], sequences: [[2, 3]]);
        }),
        ["option-history-lambda-selection-unordered"] = Throws<ArgumentOutOfRangeException>(["Lambdas must be strictly ascending"], () =>
            HistoryMmrLambdaSelection.Choose(TestGraphs.TwoInterestUsers().Graph, new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 4 },
                new HistoryMmrRowSettings(), new HistoryMmrSelectionOptions { Lambdas = [0.9, 0.5] })),
        ["option-history-lambda-selection-auto"] = Throws<ArgumentException>(["pass an Auto fit's GraphEmbeddingResult.ChosenOptions, not Auto itself"], () =>
            HistoryMmrLambdaSelection.Choose(TestGraphs.TwoInterestUsers().Graph, new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto }, new HistoryMmrRowSettings())),
        ["history-lambda-selection-no-holdout"] = Throws<ArgumentException>(["there is no validation hold-out to choose lambda on"], () =>
            HistoryMmrLambdaSelection.Choose(BipartiteGraph.FromEdges(2, 2, [0, 0, 1], [0, 1, 1]), new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 2 },
                new HistoryMmrRowSettings())),
        ["history-lambda-selection-items-engaged-once"] = Throws<ArgumentException>(["Every edge drawn from the 2 users with 3 or more training edges was its item's last training edge",
            "there is no validation hold-out to choose lambda on"], () =>
            HistoryMmrLambdaSelection.Choose(BipartiteGraph.FromEdges(2, 8, [0, 0, 0, 0, 1, 1, 1, 1], [0, 1, 2, 3, 4, 5, 6, 7]),
                new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 2 }, new HistoryMmrRowSettings())),
        ["option-mmr-items-per-interest-zero"] = Throws<ArgumentOutOfRangeException>(["ItemsPerInterest must be at least 1"], () =>
            new MLContext().MultiInterest().MmrRetriever(new MmrRetrieverEstimator.Options { Interests = MmrInterests.History, ItemsPerInterest = 0 })),
        ["option-mmr-pool-probes-zero"] = Throws<ArgumentOutOfRangeException>(["PoolProbes must be at least 1"], () =>
            new MLContext().MultiInterest().MmrRetriever(new MmrRetrieverEstimator.Options { Interests = MmrInterests.History, PoolSearch = HistoryPoolSearch.Clustered, PoolProbes = 0 })),
        ["option-mmr-fold-in-negative"] = Throws<ArgumentOutOfRangeException>(["FoldInRegularization must be null (the embeddings' own objective) or finite and within 0..1e6"], () =>
            new MLContext().MultiInterest().MmrRetriever(new MmrRetrieverEstimator.Options { Interests = MmrInterests.History, FoldInRegularization = -1 })),
        ["roundrobin-single-vector-upstream"] = Throws<ArgumentException>(["'UserComponents' (option UserComponentsColumnName) was not found", "Algorithm = MixtureEmbedding or DifferentiableClustering"], () =>
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            return MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(ml.MultiInterest().RoundRobinRetriever()).Fit(raw);
        }),
        ["roundrobin-components-size"] = Throws<ArgumentException>(["'ItemComponents' (option UserComponentsColumnName) has vectors of length 16", "C_s x d = 3 x 8 = 24"], () =>
        {
            var ml = new MLContext(seed: 1);
            var keyed = MLNetTestData.Keyed(ml, out _);
            var embedded = ml.MultiInterest().GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("mixture")).Fit(keyed).Transform(keyed);
            return ml.MultiInterest().RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options { UserComponentsColumnName = MultiInterestColumnNames.ItemComponents }).Fit(embedded);
        }),
        ["roundrobin-user-without-components"] = Throws<ArgumentException>(["has training edges but no components", "'UserComponentWeights' (option UserComponentWeightsColumnName) are all 0"], () =>
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
            var half = keys.Transform(ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Where(e => e.User.Length == 2 && e.User[1] < '8')));
            var embedding = ml.MultiInterest().GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("mixture")).Fit(half);
            return ml.MultiInterest().RoundRobinRetriever().Fit(embedding.Transform(keys.Transform(raw)));
        }),
        ["fusion-weights-count"] = Throws<ArgumentException>(["Option Weights has 3 weights for 2 source columns"], () => new MLContext().MultiInterest().RankFusion(["A", "B"], [1, 1, 1])),
        ["fusion-source-not-candidates"] = Throws<ArgumentException>(["Source 'CandidateScores' (option SourceColumnNames[1]) is not a key vector column of candidates: it is Vector<Single>"], () =>
        {
            var ml = new MLContext(seed: 1);
            var mi = ml.MultiInterest();
            MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(mi.UnimodalRetriever(candidates: 4))
                .Append(mi.RankFusion(["Candidates", "CandidateScores"])).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
        }),
        ["fusion-key-types-differ"] = Throws<ArgumentException>(["'B' (option SourceColumnNames[1]) is a key over 5 items, but 'A' is a key over 12"], () =>
        {
            var ml = new MLContext();
            return ml.MultiInterest().RankFusion(["A", "B"]).Fit(ml.Data.LoadFromEnumerable(new[] { new FusionSources() }));
        }),
        ["conditional-no-condition-column"] = Throws<ArgumentException>(["'ItemCondition'", "ItemConditionColumnName"], () =>
            new MLContext(seed: 1).MultiInterest().ConditionalRetriever().Fit(Embedded())),
        ["conditional-no-item-has-a-condition"] = Throws<ArgumentException>(["No item has a condition in column 'ItemCondition' (option ItemConditionColumnName)"], () =>
        {
            // Every item's topic is outside the topic vocabulary, so every condition key is missing.
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var vocabulary = ml.Data.LoadFromEnumerable(new[] { new ConditionalMLNetTests.TopicTerm { Topic = "no-such-topic" } });
            var keyed = ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Item", keyData: vocabulary)
                .Append(MLNetTestData.KeyPipeline(ml)).Fit(raw).Transform(raw);
            var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
            return ml.MultiInterest().ConditionalRetriever().Fit(embedded);
        }),
        ["conditional-followed-other-vocabulary"] = Throws<ArgumentException>(["'Followed' (option FollowedConditionsColumnName) is a key over 1 values",
            "'ItemCondition' over 2", "same topic vocabulary"], () =>
        {
            // Conditions over two topics; the followed column mapped on its own, over the one value it holds.
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Select(e => new ConditionalMLNetTests.FollowingEdge
            {
                User = e.User, Item = e.Item, Topic = int.Parse(e.Item.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? "even" : "odd", Follows = ["odd"],
            }));
            var keyed = ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic")
                .Append(ml.Transforms.Conversion.MapValueToKey("Followed", "Follows"))
                .Append(MLNetTestData.KeyPipeline(ml)).Fit(raw).Transform(raw);
            var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
            return ml.MultiInterest().ConditionalRetriever(new ConditionalRetrieverEstimator.Options { FollowedConditionsColumnName = "Followed" }).Fit(embedded);
        }),
        ["recommend-empty-user-id"] = Throws<ArgumentException>(["The user id is empty", "any id the model was not trained on"], () =>
        {
            // A request that lost its user id: no fit knows an empty id, so it is refused rather than served the popular list.
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(data);
            return ml.MultiInterest().CreateRecommender(model).Recommend("").UserId;
        }),
        ["recommend-count-negative"] = Throws<ArgumentOutOfRangeException>(["count must be at least 1 (0 = the model's M)", "Parameter 'count'", "Actual value was -1."], () =>
        {
            var ml = new MLContext(seed: 1);
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            return ml.MultiInterest().CreateRecommender(model).Recommend("u1", count: -1).UserId;
        }),
        ["candidates-user-key-past-users"] = Throws<ArgumentOutOfRangeException>(["User key 17 is past the 16 user keys the stage was fitted on",
            "0 is the missing key", "Parameter 'userKey'"], () =>
        {
            var ml = new MLContext(seed: 1);
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            return model.LastTransformer.GetCandidates(17);
        }),
        ["recommend-count-past-catalogue"] = Accepts(["24 items of a catalogue of 24"], () =>
        {
            var ml = new MLContext(seed: 1);
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            int served = ml.MultiInterest().CreateRecommender(model).Recommend("a-new-user", count: int.MaxValue).Items.Count;
            return $"{served} items of a catalogue of {MLNetTestData.Edges().Select(e => e.Item).Distinct().Count()}";
        }),
        ["recommend-blank-user-id"] = Throws<ArgumentException>(["The user id '\\t ' is blank (whitespace only) and no user of the model", "lost its user"], () =>
        {
            // Whitespace only, and no user of the fit: refused as the empty id is, rather than served the popular list.
            var ml = new MLContext(seed: 1);
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            return ml.MultiInterest().CreateRecommender(model).Recommend("\t ").UserId;
        }),
        ["recommend-exclude-self-onnx-follows"] = Throws<global::MultiInterest.Cli.Common.UsageException>(
            ["--exclude-self is not served with followed topics by ONNX Runtime", "leave out --onnx", "or --exclude-self"],
            () => RefusedCommandLine("recommend", "--model", "m.zip", "--users", "users.tsv", "--out", "out.tsv", "--exclude-self", "--onnx", "--follows", "follows.tsv")),
        ["recommend-id-not-a-key-number"] = Throws<ArgumentException>(["The user id '0' (userId) is no key of column 'User', which has no KeyValues",
            "key numbers 1..10000000", "ML.NET stores a value v loaded into a key column as key v + 1", "map them with MapValueToKey"], () =>
        {
            // Key columns without KeyValues ([KeyType] fields, as the text loader's KeyCount columns): ids are the key numbers.
            var ml = new MLContext(seed: 1);
            var model = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Append(ml.MultiInterest().UnimodalRetriever(candidates: 3))
                .Fit(ml.Data.LoadFromEnumerable(MLNetTestData.WideKeyEdges()));
            ml.MultiInterest().CreateRecommender(model).Recommend("0");
        }),
        ["recommend-padded-id"] = Throws<ArgumentException>(["The user id ' u1' (userId) is no user of the model, but 'u1', without the spaces or line breaks around it, is",
            "served as a new user", "Trim the request's ids"], () =>
        {
            // A client's stray whitespace: matched exactly, the trained user got the popular list, a history item was dropped.
            var recommender = SmallRecommender();
            Assert.Contains("The item id 'i1\\n' (history) is no item of the model, but 'i1'", Assert.Throws<ArgumentException>(() => recommender.Recommend("u1", ["i1\n"])).Message,
                StringComparison.Ordinal);
            return recommender.Recommend(" u1").UserId;
        }),
        ["recommend-empty-history-id"] = Throws<ArgumentException>(["The history holds an empty item id (entry 1 of 2): the request lost an id"], () =>
        {
            var recommender = SmallRecommender();
            Assert.Contains("The exclude holds the blank item id ' ' (entry 0 of 1), no item of the model", Assert.Throws<ArgumentException>(
                () => recommender.Recommend("u1", null, 0, [" "])).Message, StringComparison.Ordinal);
            return recommender.Recommend("u1", ["i1", ""]).UserId;
        }),
        ["foldin-view-missing-key"] = Throws<ArgumentException>(["Row 0 of column 'Item' (itemColumnName) holds a missing key", "fold them in by their raw ids"], () =>
        {
            // New edges run through the pipeline's own key mapping: the new item gets the missing key, which read as "an empty item id".
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
            var model = keys.Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(keys.Transform(raw)));
            var fresh = ml.Data.LoadFromEnumerable(new[] { new MLNetTestData.Edge { User = "u1", Item = "i-new" } });
            return ml.MultiInterest().CreateRecommender(model).FoldInNewItems(keys.Transform(fresh));
        }),
        ["recommend-null-history-id"] = Throws<ArgumentException>(["The history holds a null item id (entry 1 of 2): the request lost an id"], () =>
        {
            // A request whose history lost an id: refused, not served as a history one item shorter (exclude, Explain and RecommendFollowing alike).
            var ml = new MLContext(seed: 1);
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            var recommender = ml.MultiInterest().CreateRecommender(model);
            Assert.Equal("exclude", Assert.Throws<ArgumentException>(() => recommender.Recommend("u1", ["i1"], 0, [null!])).ParamName);
            return recommender.Recommend("u1", ["i1", null!]).UserId;
        }),
        ["fold-in-empty-item-id"] = Throws<ArgumentException>(["Edge 1 (user 'u2') has an empty item id"], () =>
        {
            // A logged engagement that lost its item id: refused naming the edge, rather than folding in an item named "".
            var ml = new MLContext(seed: 1);
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            return ml.MultiInterest().CreateRecommender(model).FoldInNewItems([("u1", "i-new"), ("u2", "")]);
        }),
        ["fold-in-padded-item-id"] = Throws<ArgumentException>(["Edge 1 (user 'u2') has the item id ' i-new': it has white space at its start or end",
            "a new item beside the one it was meant to name"], () => FoldInto([("u1", "i-new"), ("u2", " i-new")])),
        ["fold-in-blank-item-id"] = Throws<ArgumentException>(["Edge 0 (user 'u1') has the item id ' ': it is blank (white space only)"], () => FoldInto([("u1", " ")])),
        ["fold-in-item-id-line-break"] = Throws<ArgumentException>(["Edge 0 (user 'u1') has the item id 'i-new\\n': it holds a line break"], () => FoldInto([("u1", "i-new\n")])),
        ["fold-in-user-id-not-a-key-number"] = Throws<ArgumentException>(["The user id '0' (edge 1 of edges) is no key of column 'User', which has no KeyValues",
            "key numbers 1..10000000", "map them with MapValueToKey"], () =>
        {
            // The day's edges by the loader's file ids: "0" names no user where users are key numbers (was: counted as a new user's edge, dropped).
            var ml = new MLContext(seed: 1);
            var model = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Append(ml.MultiInterest().UnimodalRetriever(candidates: 3))
                .Fit(ml.Data.LoadFromEnumerable(MLNetTestData.WideKeyEdges()));
            return ml.MultiInterest().CreateRecommender(model).FoldInNewItems([("2", "i-new"), ("0", "i-new")]);
        }),
        ["option-warm-start-wrong-algorithm"] = Throws<ArgumentException>(["WarmStart starts implicit ALS, but Algorithm is TruncatedSvd"], () =>
        {
            // Yesterday's ALS item vectors given to an algorithm that does not iterate from a start.
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var yesterday = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
                { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 4, Threads = 1 })).Fit(data).LastTransformer;
            return ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
                { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 4, WarmStart = ItemWarmStart.From(yesterday) });
        }),
        ["option-warm-start-dimension"] = Throws<ArgumentException>(["WarmStart's item vectors have dimension 4, but Dimension is 6"], () =>
        {
            // An explicit ImplicitAls dimension that yesterday's vectors do not have.
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var yesterday = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
                { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 4, Threads = 1 })).Fit(data).LastTransformer;
            return ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
                { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 6, WarmStart = ItemWarmStart.From(yesterday) });
        }),
        ["fold-in-round-robin"] = Throws<NotSupportedException>(["a round-robin stage (RoundRobinRetriever)", "refit the model"], () =>
        {
            // A round robin's learned item components come from the fit alone: no fold-in gives a new item one.
            var ml = new MLContext(seed: 1);
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("mixture")))
                .Append(ml.MultiInterest().RoundRobinRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            return ml.MultiInterest().CreateRecommender(model).FoldInNewItems([("u1", "i-new")]);
        }),
        ["conditional-unknown-followed-topic"] = Throws<ArgumentException>(["Topic 'jazz' is not one of the stage's 2 topics", "Topics lists them"], () =>
        {
            // A request following a topic the stage was not fitted with.
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges().Select(e => new ConditionalMLNetTests.TopicEdge
            {
                User = e.User, Item = e.Item, Topic = int.Parse(e.Item.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) % 2 == 0 ? "even" : "odd",
            }));
            var model = ml.Transforms.Conversion.MapValueToKey(MultiInterestColumnNames.ItemCondition, "Topic").Append(MLNetTestData.KeyPipeline(ml))
                .Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(ml.MultiInterest().ConditionalRetriever(candidates: 3)).Fit(raw);
            return ml.MultiInterest().CreateRecommender(model).RecommendFollowing("new-user", ["odd", "jazz"]);
        }),
        ["option-warm-start-iterations-without-start"] = Throws<ArgumentException>(["Als.WarmStartIterations is 3, but there is no start",
            "leave WarmStartIterations 0"], () => new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.ImplicitAls, Als = new ImplicitAlsOptions { WarmStartIterations = 3 },
            })),
        ["option-components-past-array"] = Throws<ArgumentOutOfRangeException>(["components x 8 dimensions needs 32,000,000,000 entries, past the largest array",
            "use fewer components (Components, m;"], () => new MixtureTable(40, 100_000_000, 8)),
        ["option-components-on-hashed-keys"] = Throws<ArgumentException>(["Column 'User' (option UserColumnName) is a key over 2,000,000,000 values",
            "MixtureEmbedding keeps its user tables for every key", "MapValueToKey"], () =>
        {
            var ml = new MLContext();
            var rows = Enumerable.Range(0, 12).Select(n => new PerKeyComponentTablesTests.HashedEdge { User = (uint)(n % 4 * 400_000_000 + 1), Item = (uint)(n * 100_000_000 + 1) });
            return ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.MixtureEmbedding, Dimension = 4 })
                .Fit(ml.Data.LoadFromEnumerable(rows));
        }),
        ["save-hashed-key-range"] = Throws<InvalidOperationException>(["Column 'Candidates' is a key over 2,000,000,000 values",
            "Map the raw ids to a compact key range"], () =>
        {
            var ml = new MLContext();
            var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 12).Select(n => new PerKeyComponentTablesTests.HashedEdge
            {
                User = (uint)(n % 4 * 400_000_000 + 1), Item = (uint)(n % 6 * 100_000_000 + 1),
            }));
            var embedding = ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 2 }).Fit(data);
            var unimodal = ml.MultiInterest().UnimodalRetriever(candidates: 2).Fit(embedding.Transform(data));
            ml.Model.Save(new TransformerChain<ITransformer>(embedding, unimodal), data.Schema, Stream.Null);
            return "saved";
        }),
        ["option-initial-items-wrong-algorithm"] = Throws<ArgumentException>(["InitialItemsColumnName is set, but only Algorithm = DifferentiableClustering or MixtureEmbedding",
            "(Algorithm is ImplicitAls)"], () => new MLContext().MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
            {
                Algorithm = EmbeddingAlgorithm.ImplicitAls, InitialItemsColumnName = MultiInterestColumnNames.ItemEmbedding,
            })),

        // ---- evaluation ----
        ["evaluate-keys-of-another-mapping"] = Throws<ArgumentException>(["over 5 values", "over 6 values", "same fitted MapValueToKey"], () =>
        {
            var ml = new MLContext();
            var (scored, _, items) = EvaluationTestData.Views(ml);
            ml.MultiInterest().Evaluate(scored, ml.Data.LoadFromEnumerable(new[] { new SixItems { User = 0, Item = 1 } }), items);
        }),
        ["evaluate-unseen-ids"] = Accepts(["unseen edges 1, missed users 0"], () =>
        {
            var ml = new MLContext();
            var (scored, heldOut, items) = EvaluationTestData.Views(ml);
            var extra = ml.Data.LoadFromEnumerable(EvaluationTestData.HeldOut().Append(new EvaluationTestData.Edge { User = 0, Item = 99 }));
            var m = ml.MultiInterest().Evaluate(scored, extra, items, new MultiInterestEvaluatorOptions { Cutoffs = [1, 3] });
            return $"unseen edges {m.UnseenEdges}, missed users {m.MissedUsers}";
        }),
        ["evaluate-list-differs-by-row"] = Throws<ArgumentException>(["Input column 'Candidates' (option CandidatesColumnName) gives user key 1 two values (item key 2 at rank 1 on its first row, item key 4 on a later one)",
            "it must hold one candidate list per user"], () =>
        {
            var ml = new MLContext();
            var (_, heldOut, items) = EvaluationTestData.Views(ml);
            var rows = EvaluationTestData.ScoredRows();
            rows[^1].Candidates = [4, 4, 4];
            ml.MultiInterest().Evaluate(ml.Data.LoadFromEnumerable(rows), heldOut, items, new MultiInterestEvaluatorOptions { Cutoffs = [1, 3] });
        }),
        ["evaluate-on-training-edges"] = Accepts(["Recall@3 0; warned: ", "Recall is 0 at every cutoff for all 16 test users: no held-out item is in any list, and 96 of the 96 held-out edges are also edges of the item embeddings view"], () =>
        {
            double recall = 0;
            string warning = WarningOf(ml =>
            {
                var embedded = Embedded(ml);
                var scored = ml.MultiInterest().UnimodalRetriever(candidates: 3).Fit(embedded).Transform(embedded);
                recall = ml.MultiInterest().Evaluate(scored, embedded, embedded, new MultiInterestEvaluatorOptions { Cutoffs = [3] }).RecallAtK[3];
            });
            return $"Recall@3 {recall}; warned: {warning}";
        }),
        ["evaluate-only-unseen-ids"] = Throws<ArgumentException>(["None of the 1 held-out edges has a user and an item seen in training"], () =>
        {
            var ml = new MLContext();
            var (scored, _, items) = EvaluationTestData.Views(ml);
            ml.MultiInterest().Evaluate(scored, ml.Data.LoadFromEnumerable(new[] { new EvaluationTestData.Edge { User = 0, Item = 99 } }), items);
        }),

        // ---- saved models and ONNX ----
        ["onnx-convert-library-pipeline"] = Throws<NotSupportedException>(["ConvertToOnnx cannot convert", "GraphEmbeddingTransformer", "ExportOnnx"], () =>
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Fit(raw);
            ml.Model.ConvertToOnnx(model, raw, new MemoryStream());
        }),
        ["onnx-convert-loaded-model"] = Throws<InvalidOperationException>(["can not be fully converted into a well-defined ONNX model"], () =>
        {
            var ml = new MLContext(seed: 1);
            var model = TestModels.Load(ml, new MemoryStream(BadInputFixtures.ModelZip));
            ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(MLNetTestData.Edges()), new MemoryStream());
        }),
        ["model-missing-file"] = Throws<FileNotFoundException>(["Model file", "does not exist"], () => MultiInterestModel.Load(new MLContext(), Path.Combine(Path.GetTempPath(), "no-model.zip"))),
        ["model-truncated-zip"] = Throws<InvalidDataException>(["is not a readable ML.NET model zip"], () => LoadModel(BadInputFixtures.ModelZip[..(BadInputFixtures.ModelZip.Length / 2)])),
        ["model-foreign-zip"] = Throws<InvalidDataException>(["is not a readable ML.NET model zip"], () => LoadModel(BadInputFixtures.ForeignZip())),
        ["model-not-a-zip"] = Throws<InvalidDataException>(["is not a readable ML.NET model zip"], () => LoadModel(Encoding.UTF8.GetBytes("user\titem\n"))),
        ["model-newer-format-version"] = Throws<InvalidDataException>(["saved in format version 99 by Microsoft.ML.MultiInterest 9.9.0", "reads versions 1 to", "update Microsoft.ML.MultiInterest to 9.9.0 or later"], () => LoadModel(BadInputFixtures.ModelZipWithVersion("99"))),
        ["model-history-table-cut"] = Throws<InvalidDataException>(["holds a stage whose tables are inconsistent: Table 'history_offsets' runs from 0 to",
            "but 'history_items' holds", "restore it, or refit the model"], () => LoadModel(BadInputFixtures.RetrievalZipWithTableCut("history_items", 5))),
        ["model-candidate-rows-cut"] = Throws<InvalidDataException>(["Table 'candidate_scores' holds 85 scores for the 80 entries of 'candidate_items'",
            "restore it, or refit the model"], () => LoadModel(BadInputFixtures.RetrievalZipWithTableCut("candidate_items", 1))),
        ["model-serving-items-cut"] = Throws<InvalidDataException>(["Table 'history_items' holds item key", "which 'serving_items' does not list"],
            () => LoadModel(BadInputFixtures.RetrievalZipWithTableCut("serving_items", 3))),
        ["model-gpu-device-without-cuda"] = Throws<InvalidOperationException>(["could not be loaded: MLContext.GpuDeviceId is 0",
            "Leave GpuDeviceId unset", "ApplyTo(mlContext)"], () => MultiInterestModel.Load(new MLContext { GpuDeviceId = 0, FallbackToCpu = true },
            new MemoryStream(BadInputFixtures.ModelZip))),
        ["model-unknown-format-version"] = Throws<InvalidDataException>(["saved in format version x1"], () => LoadModel(BadInputFixtures.ModelZipWithVersion("x1"))),
        ["model-transformer-disposed"] = Throws<ObjectDisposedException>(["The model was disposed: its Transformer, and the views, row-to-row mappers and prediction engines made from it, start no new work",
            "Recommend, RetrieveWithEngine and ExportOnnx still work", "Load the model again to transform"], () =>
        {
            var ml = new MLContext(seed: 1);
            var model = MultiInterestModel.Load(ml, new MemoryStream(BadInputFixtures.ModelZip));
            var view = model.Transformer.Transform(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
            model.Dispose();
            view.Preview(1);
        }),
        ["engine-exclusions-missing-users"] = Throws<ArgumentException>(["The exclusion graph has 2 users, so user row 2 (position 2) has no row in it",
            "MultiInterestModel.TrainingHistory"], () =>
        {
            // History-interest MMR is served through the live tables, which read a user row beyond the graph as no exclusions.
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().HistoryInterestMmr(candidates: 5)).Fit(raw);
            var buffer = new MemoryStream();
            ml.Model.Save(fitted, raw.Schema, buffer);
            buffer.Position = 0;
            using var model = MultiInterestModel.Load(ml, buffer);
            int items = model.GraphEmbedding!.ItemEmbeddings.KeyCount;
            return model.RetrieveWithEngine([0, 1, 2], BipartiteGraph.FromEdges(2, items, [0], [0]), threads: 1);
        }),
        ["onnx-export-directory-busy"] = Throws<IOException>(["Another export is writing into", "it holds EXPORT-UNFINISHED", "wait for it to finish, or export into another directory"], () =>
        {
            var table = new EmbeddingMatrix(6, 4, [.. Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i))]);
            string busy = BadInputFixtures.Directory("onnx-export-busy");
            OnnxServingDirectory.ExportUnimodal(table, table, candidates: 3, busy);
            // As an export under way holds its mark: open, unshared.
            using var held = new FileStream(Path.Combine(busy, Microsoft.ML.MultiInterest.Onnx.OnnxServingManifest.UnfinishedMarkerFileName), FileMode.Create, FileAccess.Write, FileShare.None);
            OnnxServingDirectory.ExportUnimodal(table, table, candidates: 3, busy);
        }),
        ["onnx-engine-export-into-other-files"] = Throws<IOException>(["holds files and is not an earlier ONNX export", "No ONNX serving manifest at",
            "would overwrite or mix with them", "Give a new or empty directory, or one an earlier export wrote"], () =>
        {
            var table = new EmbeddingMatrix(6, 4, [.. Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i))]);
            string mine = BadInputFixtures.Directory("onnx-engine-my-files");
            File.WriteAllText(Path.Combine(mine, "data.tsv"), "precious");
            try
            {
                OnnxServingDirectory.ExportUnimodal(table, table, candidates: 3, mine);
            }
            finally
            {
                // Nothing written beside the user's file.
                Assert.Equal(["data.tsv"], Directory.GetFiles(mine).Select(Path.GetFileName));
            }
        }),
        ["onnx-directory-without-candidates"] = Throws<InvalidDataException>(["was exported without the scorers' candidate outputs", "export it again"], () =>
        {
            // A serving directory as exported before 2026-11-30: no candidate_slack in the manifest, no candidate outputs listed.
            var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
            string directory = BadInputFixtures.Directory("old-onnx");
            var manifest = Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, directory, exclusionMask: true);
            File.WriteAllText(Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName), System.Text.Json.JsonSerializer.Serialize(new
            {
                format_version = 1, candidates = 5, alpha = 1.0, users = manifest.Users, items = manifest.Items, clusters = manifest.Clusters,
                largest_cluster = manifest.LargestCluster, components = manifest.Components, dimension = manifest.Dimension, exclusion_mask = true,
                encoder = new { file = manifest.Encoder.File, inputs = manifest.Encoder.Inputs, outputs = manifest.Encoder.Outputs },
                quota_scorer = new { file = manifest.QuotaScorer.File, inputs = manifest.QuotaScorer.Inputs, outputs = new[] { "item_rows", "scores" } },
                unimodal_scorer = new { file = manifest.UnimodalScorer.File, inputs = manifest.UnimodalScorer.Inputs, outputs = new[] { "item_rows", "scores" } },
            }));
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory).Dispose();
        }),
        ["onnx-manifest-candidates-edited"] = Throws<InvalidDataException>(["keeps 21 candidates per user (initializer 'k')", "candidates 3, candidate_slack 16, 60 items", "gives 19",
            "the manifest does not match its graphs (was it edited?)"], () => OpenQuotaDirectoryEdited("edited-onnx", json => json["candidates"] = 3)),
        ["onnx-manifest-edited"] = Throws<InvalidDataException>(["manifest.json' does not match its manifest_sha256", "it was edited or damaged after the export",
            "an edited manifest is not served. Export the directory again"], () => OpenQuotaDirectoryEdited("manifest-edited-onnx", json => json["alpha"] = 0.5, reseal: false)),
        ["onnx-signature-missing"] = Throws<InvalidDataException>(["is not signed (it has no manifest.json.sig)", "only directories signed by the trusted key are served",
            "Sign it where it was exported (OnnxDirectorySignature.Sign, or export-onnx --signing-key)"], () =>
        {
            using var trusted = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(SignatureFixture("unsigned-onnx", signer: null), new Microsoft.ML.MultiInterest.Onnx.OnnxSessionFactory { TrustedSigningKey = trusted }).Dispose();
        }),
        ["onnx-signature-mismatch"] = Throws<InvalidDataException>(["manifest.json.sig' does not verify the manifest of", "signed with another key, or its manifest changed after it was signed",
            "It is not served"], () =>
        {
            using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            using var trusted = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(SignatureFixture("other-signer-onnx", signer), new Microsoft.ML.MultiInterest.Onnx.OnnxSessionFactory { TrustedSigningKey = trusted }).Dispose();
        }),
        ["onnx-part-user-ids-unrecorded"] = Accepts(["opened, lists 3"], () =>
        {
            // An MMR directory's pool has no user id file of its own; one written there since is covered by no checksum or
            // signature, and is not read (the pool reads the enclosing directory's, which its manifest records).
            var (model, onnx) = Onnx.ExcludeItemsModels.Exported(new MLContext(seed: 1), BadInputFixtures.Directory("part-user-ids-onnx"), "mmr");
            model.Dispose();
            File.WriteAllText(Path.Combine(onnx, Microsoft.ML.MultiInterest.Onnx.OnnxMmrScorer.PoolDirectoryName, MultiInterestModel.UserIdsFileName), "not an id file\n");
            using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxMmrScorer.Open(onnx);
            return $"opened, lists {scorer.Retrieve([0, 1, 2]).QueryCount}";
        }),
        ["onnx-signature-before-checksums"] = Throws<InvalidDataException>(["records no checksums of its files, so its signature covers none of them",
            "Export it again with this library, then sign it"], () =>
        {
            // Sign refuses a format before checksums; a signature made by another tool over its manifest verifies all the same.
            using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            string directory = SignatureFixture("before-checksums-onnx", signer: null);
            string manifest = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
            json["format_version"] = Microsoft.ML.MultiInterest.Onnx.OnnxServingManifest.ChecksumFormatVersion - 1;
            File.WriteAllText(manifest, json.ToJsonString());
            Onnx.ServingChecksums.Reseal(directory);
            File.WriteAllBytes(Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.FileName), signer.SignData(File.ReadAllBytes(manifest),
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.Rfc3279DerSequence));
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory, new Microsoft.ML.MultiInterest.Onnx.OnnxSessionFactory { TrustedSigningKey = signer }).Dispose();
        }),
        ["onnx-signature-enclosing"] = Throws<InvalidDataException>(["is not signed (it has no manifest.json.sig)", "only directories signed by the trusted key are served"], () =>
        {
            // The pool is signed; the MMR directory enclosing it, whose manifest and user id file the pool reads, is not.
            using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var (model, onnx) = Onnx.ExcludeItemsModels.Exported(new MLContext(seed: 1), BadInputFixtures.Directory("enclosing-unsigned-onnx"), "mmr");
            model.Dispose();
            Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.Sign(onnx, signer);
            File.Delete(Path.Combine(onnx, Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.FileName));
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(Path.Combine(onnx, Microsoft.ML.MultiInterest.Onnx.OnnxMmrScorer.PoolDirectoryName),
                new Microsoft.ML.MultiInterest.Onnx.OnnxSessionFactory { TrustedSigningKey = signer }).Dispose();
        }),
        ["onnx-part-enclosing-user-ids-changed"] = Throws<InvalidDataException>(["user_ids.tsv' of the ONNX serving directory", "does not match the SHA-256 manifest.json records for it"], () =>
        {
            var (model, onnx) = Onnx.ExcludeItemsModels.Exported(new MLContext(seed: 1), BadInputFixtures.Directory("enclosing-user-ids-onnx"), "mmr");
            model.Dispose();
            string ids = Path.Combine(onnx, MultiInterestModel.UserIdsFileName);
            File.WriteAllLines(ids, File.ReadAllLines(ids).Where(line => !line.StartsWith("0\t", StringComparison.Ordinal)));
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(Path.Combine(onnx, Microsoft.ML.MultiInterest.Onnx.OnnxMmrScorer.PoolDirectoryName)).Dispose();
        }),
        ["onnx-part-not-recorded"] = Throws<InvalidDataException>(["pool/manifest.json' of the ONNX serving directory", "does not match the SHA-256 manifest.json records for it"], () =>
        {
            // Another export's pool, signed by the same key, copied over this export's: the pool reads this export's id file.
            using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var (model, onnx) = Onnx.ExcludeItemsModels.Exported(new MLContext(seed: 1), BadInputFixtures.Directory("part-not-recorded-onnx"), "mmr");
            model.Dispose();
            var (other, otherOnnx) = Onnx.ExcludeItemsModels.Exported(new MLContext(seed: 2), BadInputFixtures.Directory("part-not-recorded-other-onnx"), "mmr");
            other.Dispose();
            Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.Sign(onnx, signer);
            Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.Sign(otherOnnx, signer);
            string pool = Path.Combine(onnx, Microsoft.ML.MultiInterest.Onnx.OnnxMmrScorer.PoolDirectoryName);
            foreach (string file in Directory.GetFiles(Path.Combine(otherOnnx, Microsoft.ML.MultiInterest.Onnx.OnnxMmrScorer.PoolDirectoryName)))
                File.Copy(file, Path.Combine(pool, Path.GetFileName(file)), overwrite: true);
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(pool, new Microsoft.ML.MultiInterest.Onnx.OnnxSessionFactory { TrustedSigningKey = signer }).Dispose();
        }),
        ["onnx-sign-damaged"] = Throws<InvalidDataException>(["unimodal_scorer.onnx' of the ONNX serving directory", "does not match the SHA-256 manifest.json records for it"], () =>
        {
            // Verified before it is signed: a damaged directory never gets a signature.
            string directory = SignatureFixture("sign-damaged-onnx", signer: null);
            string graph = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.UnimodalScorerFileName);
            byte[] bytes = File.ReadAllBytes(graph);
            bytes[^100] ^= 0x01;
            File.WriteAllBytes(graph, bytes);
            using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.Sign(directory, signer);
        }),
        ["onnx-sign-public-key"] = Throws<ArgumentException>(["The signing key holds no private key", "(Parameter 'signingKey')"], () =>
        {
            using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            using var publicOnly = System.Security.Cryptography.ECDsa.Create();
            publicOnly.ImportFromPem(signer.ExportSubjectPublicKeyInfoPem());
            Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.Sign(SignatureFixture("sign-public-onnx", signer: null), publicOnly);
        }),
        ["onnx-sign-before-checksums"] = Throws<InvalidDataException>(["(manifest format version 3) records no checksums of its files, so a signature of its manifest would not cover them",
            "export it again with this library, then sign it"], () =>
        {
            string directory = SignatureFixture("sign-old-onnx", signer: null);
            string path = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            json["format_version"] = 3;
            File.WriteAllText(path, json.ToJsonString());
            Onnx.ServingChecksums.Reseal(directory);
            using var signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.Sign(directory, signer);
        }),
        ["cli-signing-key-public-only"] = Throws<InvalidDataException>(["--signing-key: the file", "public.pem' holds a public key only", "signing needs the private key it belongs to"], () =>
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            global::MultiInterest.Cli.SigningKeyFile.ReadPrivate(BadInputFixtures.Text("public.pem", key.ExportSubjectPublicKeyInfoPem()), "--signing-key").Dispose();
        }),
        ["cli-signing-key-not-a-key"] = Throws<InvalidDataException>(["--trusted-key: the file", "edges.tsv' holds no EC key in PEM that can be read", "openssl ecparam -name prime256v1 -genkey"],
            () => global::MultiInterest.Cli.SigningKeyFile.ReadTrusted(BadInputFixtures.Text("edges.tsv", "user\titem\nu1\ti1\n"), "--trusted-key", out _).Dispose()),
        ["recommend-trusted-key-without-onnx-dir"] = Throws<global::MultiInterest.Cli.Common.UsageException>(
            ["--trusted-key serves a signed export: give its directory with --onnx-dir", "not the temporary one this command would export into itself"],
            () => RefusedCommandLine("recommend", "--model", "m.zip", "--users", "users.tsv", "--out", "out.tsv", "--onnx", "--trusted-key", "trusted.pem")),
        ["onnx-served-file-changed"] = Throws<InvalidDataException>(["unimodal_scorer.onnx' of the ONNX serving directory", "does not match the SHA-256 manifest.json records for it",
            "Export the directory again"], () =>
        {
            // 64 bytes written into the item table: it still parses, and was served.
            var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
            string directory = BadInputFixtures.Directory("file-changed-onnx");
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, directory);
            string graph = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.UnimodalScorerFileName);
            byte[] bytes = File.ReadAllBytes(graph);
            new Random(7).NextBytes(bytes.AsSpan(bytes.Length - 200, 64));
            File.WriteAllBytes(graph, bytes);
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory).Dispose();
        }),
        ["onnx-training-history-absent"] = Throws<FileNotFoundException>(["holds no training_history.tsv", "exported from tables, not a model",
            "Pass the items to exclude yourself"], () =>
        {
            var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
            string directory = BadInputFixtures.Directory("training-history-absent-onnx");
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, directory, exclusionMask: true);
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ReadTrainingHistory(directory);
        }),
        ["onnx-training-history-changed"] = Throws<InvalidDataException>(["training_history.tsv' of the ONNX serving directory", "does not match the SHA-256 manifest.json records for it"], () =>
        {
            var (model, onnx) = Onnx.ExcludeItemsModels.Exported(new MLContext(seed: 1), BadInputFixtures.Directory("training-history-changed-onnx"), "unimodal");
            model.Dispose();
            string path = Path.Combine(onnx, MultiInterestModel.TrainingHistoryFileName);
            File.WriteAllLines(path, File.ReadAllLines(path)[..^1]);
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ReadTrainingHistory(onnx);
        }),
        ["onnx-served-file-missing"] = Throws<InvalidDataException>(["encoder.onnx' of the ONNX serving directory", "is missing, though manifest.json records it",
            "Copy the whole directory again, or export the directory again"], () =>
        {
            var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
            string directory = BadInputFixtures.Directory("file-missing-onnx");
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, directory);
            File.Delete(Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.EncoderFileName));
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory).Dispose();
        }),
        ["onnx-external-data-missing"] = Throws<InvalidDataException>(["unimodal_scorer.onnx.data' of the ONNX serving directory", "is missing, though manifest.json records it",
            "Copy the whole directory again"], () => OpenExternalDataDirectoryEdited("external-missing-onnx", graph => File.Delete(graph + ".data"), reseal: false)),
        ["onnx-external-data-cut"] = Throws<InvalidDataException>(["The side file '", "unimodal_scorer.onnx.data' of the ONNX model '", "past its end",
            "the side file is cut short or belongs to another export"], () => OpenExternalDataDirectoryEdited("external-cut-onnx", graph =>
        {
            using var side = new FileStream(graph + ".data", FileMode.Open);
            side.SetLength(side.Length - 100);
        })),
        ["onnx-external-data-out-of-range"] = Throws<InvalidDataException>(["unimodal_scorer.onnx.data' of the ONNX model '", "unimodal_scorer.onnx' holds",
            "but initializer 'item_embeddings' reads", "past its end"], () => OpenExternalDataDirectoryEdited("external-offset-onnx", graph =>
            EditExternalData(graph, "offset", (new FileInfo(graph + ".data").Length + 4096).ToString(System.Globalization.CultureInfo.InvariantCulture)))),
        ["onnx-external-data-outside"] = Throws<InvalidDataException>(["Initializer 'item_embeddings' of the ONNX model '", "its external data location '../elsewhere.data' lies outside the model's folder"],
            () => OpenExternalDataDirectoryEdited("external-outside-onnx", graph => EditExternalData(graph, "location", "../elsewhere.data"))),
        ["onnx-external-data-shape-overflow"] = Throws<InvalidDataException>(["Initializer 'item_embeddings' of the ONNX model '", "unimodal_scorer.onnx' cannot be read",
            "its shape [4611686018427387904, 16] needs more bytes than a file holds"], () => OpenExternalDataDirectoryEdited("external-shape-onnx", graph =>
        {
            Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto model;
            using (var file = File.OpenRead(graph)) model = Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto.Parser.ParseFrom(file);
            var table = model.Graph.Initializer.Single(t => t.Name == UnimodalOnnxExporter.ItemTableName);
            table.Dims[0] = 1L << 62;
            File.WriteAllBytes(graph, Google.Protobuf.MessageExtensions.ToByteArray(model));
        })),
        ["onnx-external-data-type"] = Throws<InvalidDataException>(["Initializer 'extra_table' of the ONNX model '", "unimodal_scorer.onnx' keeps values of ONNX element type 10 in its side file",
            "which this library does not read", "Export it again."], () => OpenExternalDataDirectoryEdited("external-type-onnx", graph =>
        {
            // A float16 table (another tool's) kept in the side file, beside the library's own: no session is given it, nor reads it by path.
            Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto model;
            using (var file = File.OpenRead(graph)) model = Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto.Parser.ParseFrom(file);
            var extra = model.Graph.Initializer.Single(t => t.Name == UnimodalOnnxExporter.ItemTableName).Clone();
            extra.Name = "extra_table";
            extra.DataType = (int)Microsoft.ML.MultiInterest.Onnx.Proto.TensorProto.Types.DataType.Float16;
            extra.ExternalData.Single(e => e.Key == "length").Value = (extra.Dims.Aggregate(1L, (a, d) => a * d) * 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            model.Graph.Initializer.Add(extra);
            File.WriteAllBytes(graph, Google.Protobuf.MessageExtensions.ToByteArray(model));
        })),
        ["onnx-export-stream-over-limit"] = Throws<NotSupportedException>(["over the 2 GB limit of a single protobuf ONNX model", "a stream cannot carry ONNX external data",
            "export to a serving directory"], () =>
        {
            // A real 2 GB table takes minutes: the limit is lowered for the test.
            var w = Onnx.MixtureWorld.Create(seed: 5, users: 50, items: 80, dimension: 16);
            using var limit = ExternalDataPolicy.LowerLimitForTests(4_000);
            UnimodalOnnxExporter.Export(w.Users, w.Items, 5, Stream.Null);
        }),
        ["model-save-over-limit"] = Throws<NotSupportedException>(["stage's tables take", "over the 2 GB limit of one ONNX model: mlContext.Model.Save keeps each stage as one ONNX model inside the zip",
            "cannot carry ONNX external data", "OnnxServingDirectory"], () =>
        {
            // A real 2 GB stage takes minutes: the limit is lowered for the test.
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Fit(raw);
            using var limit = ExternalDataPolicy.LowerLimitForTests(1_000);
            ml.Model.Save(fitted, raw.Schema, new MemoryStream());
        }),
        ["onnx-manifest-setting-out-of-range"] = Throws<InvalidDataException>(["manifest.json' has alpha -1, outside what an export writes (finite and non-negative)",
            "it was edited or damaged. Export the directory again."], () => OpenQuotaDirectoryEdited("setting-onnx", json => json["alpha"] = -1)),
        ["onnx-manifest-components-edited"] = Throws<InvalidDataException>(["quota_scorer.onnx' takes 3 mixture components per user (input 'mixture_clusters')",
            "says components 4: the manifest does not match its graphs (was it edited?)"], () => OpenQuotaDirectoryEdited("components-onnx", json => json["components"] = 4)),
        ["onnx-manifest-newer-format"] = Throws<InvalidDataException>(["has format version 7 (written by Microsoft.ML.MultiInterest 9.9.0)", "reads versions 1 to 6",
            "serve it with the library that exported it (9.9.0 or later), or export it again with this one"], () =>
        {
            // As a later library writes it: an older reader took newer layouts (head slots) for its own and served wrong orders.
            OpenQuotaDirectoryEdited("newer-onnx", json =>
            {
                json["format_version"] = 7;
                json["library_version"] = "9.9.0";
            });
        }),
        ["onnx-manifest-byte-order-mark"] = Throws<InvalidDataException>(["manifest.json' starts with a UTF-8 byte-order mark (bytes EF BB BF), which the export never writes",
            "Remove the mark"], () =>
        {
            // The manifest as exported, re-saved with a byte-order mark (as some editors and copies that re-encode write it).
            var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
            string directory = BadInputFixtures.Directory("bom-onnx");
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, directory, exclusionMask: true);
            string manifestPath = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName);
            File.WriteAllBytes(manifestPath, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(manifestPath)]);
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory).Dispose();
        }),
        ["onnx-manifest-field-missing"] = Throws<InvalidDataException>(["(format version 4) lacks 'alpha'", "which every manifest of that version names", "Export the directory again"], () =>
        {
            // A field taken out was read as 0 (alpha 0: every component its equal quota) and served without a word.
            OpenQuotaDirectoryEdited("field-missing-onnx", json => json.Remove("alpha"));
        }),
        ["onnx-directory-unfinished"] = Throws<InvalidDataException>(["did not finish", "EXPORT-UNFINISHED is there: it is still running, or it was interrupted or failed", "export again"], () =>
        {
            string directory = BadInputFixtures.Directory("unfinished-export");
            File.WriteAllText(Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingManifest.UnfinishedMarkerFileName), "started");
            File.WriteAllText(Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName), "{}");
            Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory).Dispose();
        }),
        ["onnx-export-blank-directory"] = Throws<ArgumentException>(["Parameter 'directory'"], () =>
        {
            // "   " made a folder of three spaces in the working directory and exported into it.
            using var model = MultiInterestModel.Load(new MLContext(seed: 1), new MemoryStream(SmallUnimodalZip()));
            model.ExportOnnx("   ");
        }),
        ["onnx-export-under-a-file"] = Throws<IOException>(["cannot be made: '", "a-file.txt', above it, is a file, not a folder"], () =>
        {
            using var model = MultiInterestModel.Load(new MLContext(seed: 1), new MemoryStream(SmallUnimodalZip()));
            model.ExportOnnx(Path.Combine(BadInputFixtures.Text("a-file.txt", "x"), "sub"));
        }),
        ["onnx-export-into-other-files"] = Throws<IOException>(["holds files and is not an earlier ONNX export", "is not valid JSON", "would overwrite or mix with them",
            "Give a new or empty directory, or one an earlier export wrote"], () =>
        {
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(4)).Fit(raw);
            var zip = new MemoryStream();
            ml.Model.Save(fitted, raw.Schema, zip);
            using var model = MultiInterestModel.Load(ml, new MemoryStream(zip.ToArray()));
            // An earlier export may be written again; a folder of the user's own files (one named manifest.json) may not.
            string earlier = BadInputFixtures.Directory("onnx-earlier");
            model.ExportOnnx(earlier);
            model.ExportOnnx(earlier);
            string mine = BadInputFixtures.Directory("onnx-my-files");
            File.WriteAllText(Path.Combine(mine, "manifest.json"), "precious");
            try
            {
                model.ExportOnnx(mine);
            }
            finally
            {
                Assert.Equal("precious", File.ReadAllText(Path.Combine(mine, "manifest.json")));
            }
        }),
        ["onnx-export-candidates-beyond-items"] = Throws<ArgumentOutOfRangeException>(["Candidates (M) is", "must be between 1 and the number of items", "fit --candidates", "serve it from the zip or the engine"], () =>
        {
            var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, w.Items.Rows + 1, 1.0, BadInputFixtures.Directory("too-long"));
        }),
        ["onnx-directory-of-another-model"] = Throws<InvalidDataException>(["was exported from another model (its stage", "export this model's graphs there again"], () =>
        {
            // Two fits of one pipeline differing in the retriever's M: the first one's export checked against the second.
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            MultiInterestModel Fit(int candidates)
            {
                var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                    .Append(ml.MultiInterest().MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = candidates })).Fit(raw);
                var zip = new MemoryStream();
                ml.Model.Save(model, raw.Schema, zip);
                return MultiInterestModel.Load(ml, new MemoryStream(zip.ToArray()));
            }
            string directory = BadInputFixtures.Directory("another-model-onnx");
            Fit(4).ExportOnnx(directory);
            Fit(5).CheckOnnxDirectory(directory);
        }),
        ["onnx-directory-unstamped"] = Throws<InvalidDataException>(["was exported before exports named the model they serve", "has no model_stage",
            "export this model's graphs there again"], () =>
        {
            // An export from before the stamp beside a stamped model: another seed's fit passes the item and dimension checks.
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
                .Append(ml.MultiInterest().UnimodalRetriever(candidates: 4)).Fit(raw);
            var zip = new MemoryStream();
            ml.Model.Save(fitted, raw.Schema, zip);
            using var model = MultiInterestModel.Load(ml, new MemoryStream(zip.ToArray()));
            string directory = BadInputFixtures.Directory("unstamped-onnx");
            model.ExportOnnx(directory);
            string manifestPath = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
            json.Remove("model_stage");
            BadInputFixtures.AsFormatVersion1(json);
            File.WriteAllText(manifestPath, json.ToJsonString());
            model.CheckOnnxDirectory(directory);
        }),
        ["onnx-user-ids-cut"] = Throws<InvalidDataException>(["user_ids.tsv' leaves out user row", "which has a vector in the graphs", "the file is cut or belongs to another export",
            "export the model again"], () =>
        {
            // A round-robin model's export whose user id file lost its last line (a copy cut at a line end).
            var ml = new MLContext(seed: 1);
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
            var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(RoundRobinRetrieverMLNetTests.Embedding("mixture")))
                .Append(ml.MultiInterest().RoundRobinRetriever(candidates: 4)).Fit(raw);
            var zip = new MemoryStream();
            ml.Model.Save(fitted, raw.Schema, zip);
            using var model = MultiInterestModel.Load(ml, new MemoryStream(zip.ToArray()));
            string directory = BadInputFixtures.Directory("user-ids-cut-onnx");
            model.ExportOnnx(directory);
            string ids = Path.Combine(directory, MultiInterestModel.UserIdsFileName);
            File.WriteAllLines(ids, File.ReadAllLines(ids)[..^1]);
            // Its checksum recomputed (or a directory of a format before checksums): else the checksum refuses it (onnx-served-file-changed).
            Onnx.ServingChecksums.Reseal(directory);
            Microsoft.ML.MultiInterest.Onnx.OnnxRoundRobinScorer.Open(directory).Dispose();
        }),
        ["onnx-followed-topic-unknown"] = Throws<ArgumentException>(["Topic 'polka' (user 1) is not one of the directory's 7 topics", "OnnxCandidateScorer.Topics lists them"], () =>
        {
            // A conditional directory with its condition model, over topics named by the world's clusters.
            var w = Onnx.MixtureWorld.Create(seed: 7, dimension: 3, integers: true);
            var conditions = ItemConditions.Create(w.Clustering.Assignments.ToArray(), w.Clustering.ClusterCount, [.. Enumerable.Range(0, w.Clustering.ClusterCount).Select(c => $"genre{c}")]);
            var model = ConditionalModel.Fit(w.Seen, w.Users, w.Items, conditions, new ConditionalOptions { Epochs = 1 });
            string directory = BadInputFixtures.Directory("conditional-onnx");
            Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ExportConditional(w.Users, w.Items, conditions, w.Mixtures, 5, 1.0, 0, directory, exclusionMask: true, model);
            using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory);
            scorer.RetrieveFollowing([0, 1], [["genre1"], ["genre0", "polka"]], w.Seen);
        }),
        ["onnx-history-unknown-item"] = Throws<ArgumentOutOfRangeException>(["History 1 holds item row 48 (position 0)", "item rows are 0 to 47", "item_ids.tsv"], () =>
        {
            using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxRoundRobinScorer.Open(RoundRobinDirectory(dcm: true));
            scorer.RetrieveFromHistories([[0, 1], [48]]);
        }),
        ["onnx-history-without-encoder"] = Throws<InvalidOperationException>(["no DCM history encoder", "'history_mean'", "export it again"], () =>
        {
            // A mixture-embedding directory as exported before 2026-12: its manifest does not say how a fresh history is served.
            string directory = RoundRobinDirectory(dcm: false);
            string manifestPath = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName);
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
            json.Remove("history_mean");
            BadInputFixtures.AsFormatVersion1(json);
            File.WriteAllText(manifestPath, json.ToJsonString());
            using var scorer = Microsoft.ML.MultiInterest.Onnx.OnnxRoundRobinScorer.Open(directory);
            scorer.RetrieveFromHistories([[0, 1]]);
        }),
    };

    /// <summary>A round-robin serving directory of a small DCM model (48 items), with its history encoder or, as a mixture-embedding directory has, without.</summary>
    private static string RoundRobinDirectory(bool dcm)
    {
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 20, itemsPerUserPerGroup: 3, seed: 2);
        var fit = GraphEmbeddingTrainerEngine.Fit(graph, new GraphEmbeddingOptions
        {
            Algorithm = EmbeddingAlgorithm.DifferentiableClustering, Dimension = 4, Epochs = 1, Threads = 1, Seed = 1, ValidationFraction = 0,
            Dcm = new DcmOptions { Interests = 2, Iterations = 1 },
        });
        string directory = BadInputFixtures.Directory("round-robin-onnx");
        Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ExportRoundRobin(fit.Mixture!, 3, directory, exclusionMask: true, dcm: dcm ? fit.Dcm : null);
        return directory;
    }

    /// <summary>Every case id, for the theory.</summary>
    public static TheoryData<string> CaseIds => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void BadInput_EndsAsDocumented(string id)
    {
        var c = Cases[id];
        if (c.Exception == null)
        {
            string outcome = c.Run() ?? "";
            foreach (var gist in c.Gist) Assert.Contains(gist, outcome);
            return;
        }
        var error = Assert.ThrowsAny<Exception>(() => c.Run());
        Assert.IsType(c.Exception, error);
        foreach (var gist in c.Gist) Assert.Contains(gist, error.Message);
    }

    [Fact]
    public void Catalogue_ListsEveryCase_AndHasAtLeastThirty()
    {
        string doc = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "bad-inputs.md"));
        var listed = System.Text.RegularExpressions.Regex.Matches(doc, @"^\| `([a-z0-9-]+)` \|", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet();
        Assert.True(Cases.Count >= 30, $"{Cases.Count} cases");
        Assert.Empty(Cases.Keys.Except(listed));
        Assert.Empty(listed.Except(Cases.Keys));
    }

    private static Case Throws<T>(string[] gist, Action run) where T : Exception => new(typeof(T), gist, () => { run(); return null; });

    private static Case Throws<T>(string[] gist, Func<object?> run) where T : Exception => new(typeof(T), gist, () => { run(); return null; });

    private static Case Accepts(string[] gist, Func<string> run) => new(null, gist, run);

    /// <summary>A recommender of a small unimodal model (MLNetTestData's edges: users u0.., items i0..).</summary>
    private static MultiInterestRecommender SmallRecommender()
    {
        var ml = new MLContext(seed: 1);
        var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
        return ml.MultiInterest().CreateRecommender(model);
    }

    /// <summary>The zip of a small unimodal model, saved with its input schema.</summary>
    private static byte[] SmallUnimodalZip()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var fitted = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(ml.MultiInterest().UnimodalRetriever(4)).Fit(raw);
        var zip = new MemoryStream();
        ml.Model.Save(fitted, raw.Schema, zip);
        return zip.ToArray();
    }

    /// <summary>The warnings the command line gives of a training file holding <paramref name="text"/>.</summary>
    private static string FileWarnings(string text)
    {
        string path = BadInputFixtures.Text("ids.tsv", text);
        var warnings = new StringWriter();
        global::MultiInterest.Cli.TrainingFileChecks.Warn(EdgeFile.Read(path), path, "fit", warnings, global::MultiInterest.Cli.TrainingWeights.Unused);
        return warnings.ToString();
    }

    /// <summary>Runs a command line the CLI refuses as a usage mistake (exit code 2), rethrowing its message as that exception.</summary>
    private static void RefusedCommandLine(params string[] args)
    {
        var run = Cli.CliHarness.Run(args);
        if (run.ExitCode == 2) throw new global::MultiInterest.Cli.Common.UsageException(run.Error);
        throw new InvalidOperationException($"Exit code {run.ExitCode}, not the usage mistake's 2: {run.Error}");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "MLMultiInterest.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (MLMultiInterest.sln) was not found.");
    }

    private static string Truncated()
    {
        var bytes = BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(5000)));
        return BadInputFixtures.Bytes("cut.tsv.gz", bytes[..(bytes.Length * 2 / 3)]);
    }

    private static string Corrupted()
    {
        var bytes = BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(5000)));
        for (int i = bytes.Length / 3; i < bytes.Length / 3 + 16; i++) bytes[i] ^= 0x5A;
        return BadInputFixtures.Bytes("corrupt.tsv.gz", bytes);
    }

    private static string Concatenated()
    {
        var first = BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(BadInputFixtures.EdgeText(60)));
        var second = BadInputFixtures.Gzip(Encoding.UTF8.GetBytes(string.Concat(BadInputFixtures.EdgeText(100).Split('\n').Skip(61).Select(l => l.Length == 0 ? "" : l + "\n"))));
        return BadInputFixtures.Bytes("two.tsv.gz", [.. first, .. second]);
    }

    private static void ProtocolOnEmptyTest()
    {
        var train = BipartiteGraph.FromEdges(2, 2, [0, 1], [0, 1]);
        var test = BipartiteGraph.FromEdges(2, 2, [], []);
        var vectors = new EmbeddingMatrix(2, 2, [1, 0, 0, 1]);
        ProtocolEvaluator.Run(train, test, vectors, vectors, ItemClustering.Create([0, 1], 2, vectors), new ProtocolSettings { Cutoffs = [1] });
    }

    private static IDataView Keyed() => MLNetTestData.Keyed(new MLContext(), out _);

    /// <summary>The keyed edges with a small divide-and-conquer GraphEmbedding's columns.</summary>
    private static IDataView DivideConquerEmbedded(MLContext ml, DivideConquerEncoder encoder = DivideConquerEncoder.MeanPooling)
    {
        var keyed = MLNetTestData.Keyed(ml, out _);
        return ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1,
            DivideConquer = new DivideConquerOptions { Clusters = 3, Encoder = encoder },
        }).Fit(keyed).Transform(keyed);
    }

    /// <summary>A saved pipeline whose unimodal stage reads new users' histories by the divide-and-conquer encoder.</summary>
    private static byte[] EncoderZip() => SavedDivideConquerZip((mi, embedding) => embedding
        .Append(mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, HistoryVector = HistoryVector.Encoder })));

    /// <summary>
    /// The zip of the keyed planted graph through a small divide-and-conquer GraphEmbedding (3 clusters) and the stages
    /// <paramref name="after"/> appends to it.
    /// </summary>
    private static byte[] SavedDivideConquerZip(Func<MultiInterestCatalog, IEstimator<ITransformer>, IEstimator<ITransformer>> after, int? seed = null)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        var embedding = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(new GraphEmbeddingTrainer.Options
        {
            Algorithm = EmbeddingAlgorithm.DivideConquer, Dimension = 4, Epochs = 1, Threads = 1, DivideConquer = new DivideConquerOptions { Clusters = 3 },
            Seed = seed,
        }));
        var chain = after(mi, embedding).Fit(raw);
        var buffer = new MemoryStream();
        ml.Model.Save(chain, raw.Schema, buffer);
        return buffer.ToArray();
    }

    /// <summary>The keyed edges of <paramref name="embedded"/> clustered (by the divide-and-conquer model's clusters, or k-means' own into 3) with kNN-Embed mixtures.</summary>
    private static IDataView Mixtures(MLContext ml, IDataView embedded, bool modelClusters)
    {
        var mi = ml.MultiInterest();
        var clustered = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = modelClusters }).Fit(embedded).Transform(embedded);
        return mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered).Transform(clustered);
    }

    /// <summary>A saved pipeline whose quota stage builds new users' mixtures by the divide-and-conquer model (fitted with <paramref name="seed"/>, else the default).</summary>
    private static byte[] QuotaMixtureZip(int? seed = null) => SavedDivideConquerZip((mi, embedding) => embedding
        .Append(mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 3, DivideConquerClusters = true }))
        .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
        .Append(mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, HistoryMixture = HistoryMixture.DivideConquer })), seed);

    /// <summary>
    /// <see cref="QuotaMixtureZip"/>'s ONNX directory (the model's m, 3, above the trained users' 2 components: fresh histories
    /// have their own quota scorer) under fixture <paramref name="name"/>, changed by <paramref name="edit"/> with its checksums
    /// recomputed by hand (to reach the checks behind them), then opened.
    /// </summary>
    private static void OpenDivideConquerDirectoryEdited(string name, Action<string> edit)
    {
        using var model = MultiInterestModel.Load(new MLContext(), new MemoryStream(QuotaMixtureZip()));
        string directory = Path.Combine(BadInputFixtures.Directory(name), "onnx");
        model.ExportOnnx(directory);
        edit(directory);
        Onnx.ServingChecksums.Reseal(directory);
        OnnxCandidateScorer.Open(directory).Dispose();
    }

    /// <summary>Rewrites the manifest of <paramref name="directory"/> with <paramref name="edit"/> applied (its seal left stale).</summary>
    private static void EditManifest(string directory, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        string path = Path.Combine(directory, OnnxServingDirectory.ManifestFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private static MultiInterestModel EncoderModel() => MultiInterestModel.Load(new MLContext(), new MemoryStream(EncoderZip()));

    private static IDataView EmptyKeyed()
    {
        var ml = new MLContext();
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = MLNetTestData.KeyPipeline(ml).Fit(raw);
        return keys.Transform(ml.Data.LoadFromEnumerable(new List<MLNetTestData.Edge>()));
    }

    private static IDataView Embedded(MLContext? ml = null)
    {
        ml ??= new MLContext(seed: 1);
        var keyed = MLNetTestData.Keyed(ml, out _);
        return ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed).Transform(keyed);
    }

    /// <summary>Embedded edges whose user vectors are twice as long as the item vectors (16 against 8), as vectors from two models are.</summary>
    private static IDataView WithLongerUserVectors()
    {
        var ml = new MLContext(seed: 1);
        var embedded = Embedded(ml);
        return ml.Transforms.Concatenate("UserEmbedding", "UserEmbedding", "UserEmbedding").Fit(embedded).Transform(embedded);
    }

    /// <summary>Embedded edges whose user vectors hold a NaN at coordinate 2 (as embeddings trained elsewhere might).</summary>
    /// <param name="laterRowsOnly">The NaN on user key 1's rows other than its first only (its first row's item is told apart by key).</param>
    /// <summary>Two users and two items whose vectors ML.NET's MapValue attaches from tables; <paramref name="forgotten"/> has no entry in the users' table.</summary>
    private static IDataView UserVectorsMappedWithout(string forgotten)
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(new[] { ("u0", "i0"), ("u1", "i1") }.Select(e => new MLNetTestData.Edge { User = e.Item1, Item = e.Item2 }));
        float[][] vectors = [[1, 0], [0, 1]];
        var users = new[] { "u0", "u1" }.Select((id, j) => (id, j)).Where(e => e.id != forgotten).Select(e => new KeyValuePair<string, float[]>(e.id, vectors[e.j]));
        var items = new[] { "i0", "i1" }.Select((id, j) => new KeyValuePair<string, float[]>(id, vectors[j]));
        return ml.Transforms.Conversion.MapValue("UserEmbedding", users, "User")
            .Append(ml.Transforms.Conversion.MapValue("ItemEmbedding", items, "Item"))
            .Append(MLNetTestData.KeyPipeline(ml))
            .Fit(raw).Transform(raw);
    }

    private static IDataView WithNanUserVectors(bool laterRowsOnly = false)
    {
        var ml = new MLContext(seed: 1);
        var first = ml.Data.CreateEnumerable<UserVectorRow>(Embedded(ml), reuseRowObject: false).First();
        return ml.Transforms.CustomMapping<UserVectorRow, UserVectorOutput>((from, to) =>
        {
            to.UserEmbedding = (float[])from.UserEmbedding.Clone();
            if (!laterRowsOnly || (from.User == first.User && from.Item != first.Item)) to.UserEmbedding[2] = float.NaN;
        }, contractName: null).Fit(Embedded(ml)).Transform(Embedded(ml));
    }

    /// <summary>The embedded graph with the first row's item given a vector of length 1e20: finite, but too long to score.</summary>
    private static IDataView WithLongItemVector()
    {
        var ml = new MLContext(seed: 1);
        uint first = ml.Data.CreateEnumerable<ItemVectorRow>(Embedded(ml), reuseRowObject: false).First().Item;
        return ml.Transforms.CustomMapping<ItemVectorRow, ItemVectorOutput>((from, to) =>
        {
            to.ItemEmbedding = (float[])from.ItemEmbedding.Clone();
            if (from.Item == first) to.ItemEmbedding = [1e20f, .. new float[to.ItemEmbedding.Length - 1]];
        }, contractName: null).Fit(Embedded(ml)).Transform(Embedded(ml));
    }

    private sealed class ItemVectorRow
    {
        [KeyType(24)]
        public uint Item { get; set; }

        [VectorType(8)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    private sealed class ItemVectorOutput
    {
        [VectorType(8)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    /// <summary>The mapping's output: the vector only, so the keys pass through untouched (ML.NET writes a class's key value v as key v + 1).</summary>
    private sealed class UserVectorOutput
    {
        [VectorType(8)]
        public float[] UserEmbedding { get; set; } = [];
    }

    /// <summary>An edge with a history of item keys over Byte (a [KeyType] byte[] property) of the items' cardinality (24).</summary>
    private sealed class EdgeWithByteHistory
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        [KeyType(24)]
        [VectorType(2)]
        public byte[] History { get; set; } = [];
    }

    private sealed class UserVectorRow
    {
        [KeyType(16)]
        public uint User { get; set; }

        [KeyType(24)]
        public uint Item { get; set; }

        [VectorType(8)]
        public float[] UserEmbedding { get; set; } = [];
    }

    private static void KMeansOn(float[] vector)
    {
        var ml = new MLContext();
        var rows = new[] { new ItemVector { Item = 0, ItemEmbedding = vector }, new ItemVector { Item = 1, ItemEmbedding = vector } };
        ml.MultiInterest().SphericalKMeans(numberOfClusters: 2).Fit(ml.Data.LoadFromEnumerable(rows));
    }

    /// <summary>A small quota serving directory named <paramref name="name"/>, signed by <paramref name="signer"/> when given.</summary>
    private static string SignatureFixture(string name, System.Security.Cryptography.ECDsa? signer)
    {
        var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
        string directory = BadInputFixtures.Directory(name);
        Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, directory, exclusionMask: true);
        if (signer != null) Microsoft.ML.MultiInterest.Onnx.OnnxDirectorySignature.Sign(directory, signer);
        return directory;
    }

    /// <summary>
    /// Exports a small unimodal serving directory named <paramref name="name"/> with its tables in external data, edits its
    /// unimodal scorer (given the graph's path) with its checksums recomputed as by hand when <paramref name="reseal"/>, and opens it.
    /// </summary>
    private static void OpenExternalDataDirectoryEdited(string name, Action<string> edit, bool reseal = true)
    {
        var w = Onnx.MixtureWorld.Create(seed: 5, users: 50, items: 80, dimension: 16);
        string directory = BadInputFixtures.Directory(name);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, directory, externalData: OnnxExternalData.Always);
        edit(Path.Combine(directory, OnnxServingDirectory.UnimodalScorerFileName));
        if (reseal) Onnx.ServingChecksums.Reseal(directory);
        OnnxCandidateScorer.Open(directory).Dispose();
    }

    /// <summary>Sets the <c>external_data</c> entry <paramref name="key"/> of the item table of the model at <paramref name="graph"/>.</summary>
    private static void EditExternalData(string graph, string key, string value)
    {
        Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto model;
        using (var file = File.OpenRead(graph)) model = Microsoft.ML.MultiInterest.Onnx.Proto.ModelProto.Parser.ParseFrom(file);
        model.Graph.Initializer.Single(t => t.Name == UnimodalOnnxExporter.ItemTableName).ExternalData.Single(e => e.Key == key).Value = value;
        File.WriteAllBytes(graph, Google.Protobuf.MessageExtensions.ToByteArray(model));
    }

    /// <summary>Exports a small quota serving directory named <paramref name="name"/>, edits its manifest, and opens it.</summary>
    private static void OpenQuotaDirectoryEdited(string name, Action<System.Text.Json.Nodes.JsonObject> edit, bool reseal = true)
    {
        var w = Onnx.MixtureWorld.Create(seed: 5, dimension: 3, integers: true);
        string directory = BadInputFixtures.Directory(name);
        Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 5, 1.0, directory, exclusionMask: true);
        string manifestPath = Path.Combine(directory, Microsoft.ML.MultiInterest.Onnx.OnnxServingDirectory.ManifestFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        edit(json);
        File.WriteAllText(manifestPath, json.ToJsonString());
        // With its checksum recomputed, as by hand: the checks behind the manifest's checksum (which an older format lacks).
        if (reseal) Onnx.ServingChecksums.Reseal(directory);
        Microsoft.ML.MultiInterest.Onnx.OnnxCandidateScorer.Open(directory).Dispose();
    }

    private static InvalidDataException? LoadModel(byte[] bytes)
    {
        MultiInterestModel.Load(new MLContext(), new MemoryStream(bytes));
        return null;
    }

    /// <summary>The warnings <paramref name="fit"/> logs to the MLContext.</summary>
    private static string WarningOf(Action<MLContext> fit)
    {
        var ml = new MLContext(seed: 1);
        var warnings = new StringBuilder();
        ml.Log += (_, e) =>
        {
            if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.AppendLine(e.Message);
        };
        fit(ml);
        return warnings.ToString();
    }

    private sealed class SixItems
    {
        [KeyType(3)]
        public uint User { get; set; }

        [KeyType(6)]
        public uint Item { get; set; }
    }

    /// <summary>An edge whose weight column is Int32.</summary>
    private sealed class IntWeightedEdge
    {
        public string User { get; set; } = "";

        public string Item { get; set; } = "";

        public int Weight { get; set; }
    }

    private sealed class ItemVector
    {
        [KeyType(2)]
        public uint Item { get; set; }

        [VectorType(2)]
        public float[] ItemEmbedding { get; set; } = [];
    }

    /// <summary>Two candidate columns over different item key types.</summary>
    /// <summary>A unimodal recommender of the small test graph, folding in <paramref name="edges"/>.</summary>
    private static NewItemsFoldIn FoldInto((string, string)[] edges)
    {
        var ml = new MLContext(seed: 1);
        var model = MLNetTestData.KeyPipeline(ml).Append(ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(ml.MultiInterest().UnimodalRetriever(candidates: 3)).Fit(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()));
        return ml.MultiInterest().CreateRecommender(model).FoldInNewItems(edges);
    }

    private sealed class FusionSources
    {
        [KeyType(12)]
        [VectorType(2)]
        public uint[] A { get; set; } = [1, 2];

        [KeyType(5)]
        [VectorType(2)]
        public uint[] B { get; set; } = [1, 2];
    }
}
