using Microsoft.ML.MultiInterest.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Tests.IO;

public sealed class FileFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mi-io-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EmbeddingsRoundTripBitForBitIncludingGzip()
    {
        var ids = new IdMap(["a", "b", "c"]);
        var vectors = TestGraphs.RandomMatrix(3, 7, 11);
        vectors.Values[0] = 1e-30f;
        vectors.Values[1] = -0.1f;
        foreach (var name in new[] { "e.tsv", "e.tsv.gz" })
        {
            var path = Path.Combine(_dir, name);
            EmbeddingFile.Write(path, ids, vectors);
            var back = EmbeddingFile.Read(path);
            Assert.Equal(ids.Ids, back.Ids.Ids);
            Assert.Equal(vectors.Values, back.Vectors.Values);
        }
    }

    [Fact]
    public void NonFiniteEmbeddingNamesFileLineAndColumn()
    {
        var path = Write("bad.tsv", "id\tv0\tv1\nx\t0.5\t1\ny\tNaN\t2\n");
        var e = Assert.Throws<InvalidDataException>(() => EmbeddingFile.Read(path));
        Assert.Contains("bad.tsv, line 3, column 2", e.Message);
        Assert.Contains("finite", e.Message);
    }

    [Fact]
    public void AVectorTooLongToTakeNamesFileLineAndId()
    {
        // Finite, but its squared length overflows a float: normalised in float it became a zero vector, and evaluate scored
        // its Diversity so (an audit, 2026-12-07). 1e19 is the longest taken here; 1e20 is refused.
        var path = Write("long.tsv", "id\tv0\tv1\nx\t0.5\t1\nok\t1e19\t0\ni5\t1e20\t0\n");
        var e = Assert.Throws<InvalidDataException>(() => EmbeddingFile.Read(path));
        Assert.Contains("long.tsv, line 4: the id 'i5' has a vector of length 1E+20, whose squared length overflows a float", e.Message);
        var vectors = new EmbeddingMatrix(1, 2, [1e20f, 0]);
        Assert.Contains("in row 0 ('i5')", Assert.Throws<ArgumentException>(() => EmbeddingFile.Write(Path.Combine(_dir, "w.tsv"), new IdMap(["i5"]), vectors)).Message);
        Assert.False(File.Exists(Path.Combine(_dir, "w.tsv")));
    }

    [Fact]
    public void RaggedEmbeddingRowsAreRejected()
    {
        var path = Write("ragged.tsv", "id\tv0\tv1\nx\t0.5\n");
        Assert.Contains("expected 3 columns", Assert.Throws<InvalidDataException>(() => EmbeddingFile.Read(path)).Message);
    }

    [Fact]
    public void EdgeFileNeedsTheUserItemHeader()
    {
        var path = Write("edges.tsv", "src\tdst\n1\t2\n");
        var e = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(path));
        Assert.Contains("'user'", e.Message);
    }

    [Fact]
    public void EmptyEdgeFilesAreRejected()
    {
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => EdgeFile.Read(Write("empty.tsv", ""))).Message);
        Assert.Contains("no edges", Assert.Throws<InvalidDataException>(() => EdgeFile.Read(Write("header.tsv", "user\titem\n"))).Message);
    }

    [Fact]
    public void EdgeFileReadsWeightsAndRejectsBadOnes()
    {
        var edges = EdgeFile.Read(Write("w.tsv", "user\titem\tweight\nu\ti\t2.5\n"));
        Assert.Equal(new RawEdge("u", "i", 2.5f), edges[0]);
        var e = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(Write("w2.tsv", "user\titem\tweight\nu\ti\t-1\n")));
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void ClusterFileRejectsUnknownAndMissingItems()
    {
        var items = new IdMap(["p", "q"]);
        var unknown = Write("c1.tsv", "item\tcluster\np\t0\nz\t1\n");
        Assert.Contains("'z' has no embedding", Assert.Throws<InvalidDataException>(() => ClusterFile.Read(unknown, items)).Message);
        var missing = Write("c2.tsv", "item\tcluster\np\t0\n");
        Assert.Contains("no cluster for the item 'q'", Assert.Throws<InvalidDataException>(() => ClusterFile.Read(missing, items)).Message);
        // Ids may leave gaps (cluster 1 empty here), but none reaches the number of items: at most one cluster per item.
        var three = new IdMap(["p", "q", "r"]);
        var ok = Write("c3.tsv", "item\tcluster\nq\t2\np\t0\nr\t2\n");
        var (assignments, count) = ClusterFile.Read(ok, three);
        Assert.Equal(new[] { 0, 2, 2 }, assignments);
        Assert.Equal(3, count);
        var stray = Write("c4.tsv", "item\tcluster\nq\t2147483647\np\t0\nr\t2\n");
        Assert.Contains("line 2: the cluster id 2147483647 is not below the 3 items", Assert.Throws<InvalidDataException>(() => ClusterFile.Read(stray, three)).Message);
    }

    [Fact]
    public void AFolderPathAndABadWeight_AreNamed()
    {
        string folder = Path.GetDirectoryName(Write("any.tsv", "user\titem\nu\ti\n"))!;
        Assert.Contains("is a folder: give a file", Assert.Throws<FileNotFoundException>(() => EdgeFile.Read(folder)).Message);
        Assert.Throws<ArgumentNullException>(() => EdgeFile.Read(null!));
        var weighted = Assert.Throws<ArgumentException>(() => GraphData.Build([new RawEdge("u1", "i1", 1), new RawEdge("u1", "i2", 0)], new IdMap(), new IdMap(), true, "w.tsv", useWeights: true));
        Assert.Contains("w.tsv: the edge ('u1', 'i2') has weight 0; weights must be positive and finite.", weighted.Message);
    }

    [Fact]
    public void UnknownIdsInATestFileNameTheIdAndSource()
    {
        var users = new IdMap(["u1"]);
        var items = new IdMap(["i1"]);
        var e = Assert.Throws<KeyNotFoundException>(() =>
            GraphData.Build([new RawEdge("u1", "i9", 1)], users, items, extendIds: false, "test.tsv"));
        Assert.Contains("test.tsv", e.Message);
        Assert.Contains("'i9'", e.Message);
    }

    /// <summary>
    /// The reader decodes a block ahead, so a bad byte on line 2 was reported "at line 1 or after it" (a first-day review):
    /// the line holding the first byte that is not UTF-8 is named exactly, for plain and gzip files, however far into the block.
    /// </summary>
    [Theory]
    [InlineData("late.tsv", 2)]
    [InlineData("late.tsv", 700)]
    [InlineData("late.tsv.gz", 700)]
    public void NotUtf8_NamesTheLineHoldingTheFirstBadByte(string name, int badLine)
    {
        var text = new List<byte>("user\titem\n"u8.ToArray());
        for (int line = 2; line <= 1000; line++)
        {
            text.AddRange(System.Text.Encoding.UTF8.GetBytes($"u{line}\tcaf"));
            if (line == badLine) text.Add(0xE9);
            text.AddRange("\u00e9\n"u8.ToArray()); // valid two-byte sequences before and after the bad byte
        }
        var path = Path.Combine(_dir, name);
        if (name.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var file = File.Create(path);
            using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
            gz.Write([.. text]);
        }
        else File.WriteAllBytes(path, [.. text]);
        var e = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(path));
        Assert.Contains($"The file '{path}' is not UTF-8 text: line {badLine} holds bytes (0xE9) that are not UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TextFileReadLine_RefusesBytesThatAreNotUtf8_NamingTheFile()
    {
        // What the CLI's users, follows and conditions files are read with: a cp1252 'é' would otherwise become U+FFFD.
        var path = Path.Combine(_dir, "users-cp1252.tsv");
        File.WriteAllBytes(path, [.. "user\nu1\ncaf"u8, 0xE9, .. "\n"u8]);
        using var reader = TextFile.OpenRead(path);
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            for (int line = 1; TextFile.ReadLine(reader, path, line) != null; line++) { }
        });
        Assert.Contains(path, e.Message);
        Assert.Contains("is not UTF-8 text", e.Message);
        Assert.Contains("0xE9", e.Message);
        // Valid UTF-8 (with a BOM) reads as written.
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "user\ncaf\u00e9\n"u8]);
        using var valid = TextFile.OpenRead(path);
        Assert.Equal("user", TextFile.ReadLine(valid, path, 1));
        Assert.Equal("caf\u00e9", TextFile.ReadLine(valid, path, 2));
    }

    [Fact]
    public void AFileWhoseNameAndGzipBytesDisagree_IsRefusedAndLeftClosed()
    {
        var packed = Path.Combine(_dir, "packed.tsv");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(packed), System.IO.Compression.CompressionLevel.Fastest))
            gzip.Write("user\titem\na\tb\n"u8);
        var plain = Path.Combine(_dir, "plain.tsv.gz");
        File.WriteAllText(plain, "user\titem\na\tb\n");
        foreach (var (path, expected) in new[] { (packed, "is gzip-compressed"), (plain, "is not gzip-compressed") })
        {
            var e = Assert.Throws<InvalidDataException>(() => EdgeFile.Read(path));
            Assert.Contains(expected, e.Message);
            // The refused file was closed at once: an exclusive open succeeds (a handle left to the finalizer would hold its
            // shared lock and refuse it).
            using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
        }
        // The DataFrame reader says the same of gzip bytes under a plain name.
        var frame = Assert.Throws<InvalidDataException>(() => new Microsoft.ML.MLContext().MultiInterest().LoadEdges(packed));
        Assert.Contains("is gzip-compressed", frame.Message);
    }
}
