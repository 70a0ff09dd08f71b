using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// ONNX external data (docs/onnx.md, "Size limit: 2 GB and external data"): a graph that would pass the 2 GB limit of one
/// protobuf message, or every graph with <see cref="OnnxExternalData.Always"/>, keeps its large tables in
/// <c>&lt;graph&gt;.onnx.data</c>. Forced on small models of every kind of directory, the scorers serve the lists of the
/// whole graphs, item for item and score for score; a side file that is missing, cut, changed or pointed past is refused by
/// name. The limit is lowered for the over-the-limit paths (a real 2 GB export takes minutes: docs/performance.md).
/// </summary>
public sealed class OnnxExternalDataTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-external-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Every kind of directory a model exports, by the scorer that serves it.</summary>
    public static TheoryData<string> Kinds => ["unimodal", "quota", "mmr", "history-mmr", "clustered-history-mmr", "dcm", "fusion", "conditional", "merged-conditional"];

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    private static readonly int[][] Histories = [[0, 1, 2], [5], [3, 7, 11, 13]];

    /// <summary>The model of <paramref name="kind"/> (as <see cref="OnnxServingChecksumTests"/> builds it), saved and loaded.</summary>
    private MultiInterestModel Model(string kind)
    {
        var ml = new MLContext(seed: 1);
        if (kind.EndsWith("conditional", StringComparison.Ordinal))
            return MergedConditionalModel.Saved(ml, Path.Combine(_directory, kind + ".zip"), implicitShare: kind == "conditional" ? 0 : 0.5);
        var (model, onnx) = ExcludeItemsModels.Exported(ml, _directory, kind);
        Directory.Delete(onnx, recursive: true);
        return model;
    }

    /// <summary>Trained users' and fresh histories' lists of the directory, as rows and scores.</summary>
    private static (int[][] Rows, float[][] Scores) Lists(string kind, string onnx) => ExcludeItemsModels.Lists(kind, onnx, Users, Histories);

    private static string[] Graphs(string directory) => Directory.GetFiles(directory, "*.onnx", SearchOption.AllDirectories);

    private static string[] SideFiles(string directory) => Directory.GetFiles(directory, "*.onnx.data", SearchOption.AllDirectories);

    private static ModelProto Parse(string path)
    {
        using var file = File.OpenRead(path);
        return ModelProto.Parser.ParseFrom(file);
    }

    /// <summary>Whether table <paramref name="name"/> of <paramref name="graph"/> lies in the unimodal scorer's side file beside it.</summary>
    private static bool SharedTable(string graph, string name) => Path.GetFileName(graph) switch
    {
        OnnxServingDirectory.VectorScorerFileName => true,
        OnnxServingDirectory.EncoderFileName => name == MixtureEncoderGraph.UserTableName
            && File.Exists(Path.Combine(Path.GetDirectoryName(graph)!, OnnxServingDirectory.QuotaScorerFileName)),
        OnnxServingDirectory.QuotaScorerFileName or OnnxServingDirectory.HistoryQuotaScorerFileName => name == QuotaScorerGraph.ItemTableName,
        _ => false,
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ForcedExternalData_ServesTheListsOfTheWholeGraphs_ItemForItemAndScoreForScore(string kind)
    {
        using var model = Model(kind);
        string whole = Path.Combine(_directory, "whole"), external = Path.Combine(_directory, "external");
        model.ExportOnnx(whole);
        model.ExportOnnx(external, externalData: OnnxExternalData.Always);

        Assert.Empty(SideFiles(whole));
        Assert.NotEmpty(SideFiles(external));
        foreach (string graph in Graphs(external))
        {
            // Every table of 1 KiB or more went out; what stays is the graph and its small constants.
            var tensors = Parse(graph).Graph.Initializer;
            Assert.All(tensors, t => Assert.True(t.RawData.Length < 1024, $"{graph}: '{t.Name}' holds {t.RawData.Length} bytes inline."));
            if (tensors.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
            {
                // Its own side file; the tables a directory's graphs share (the vector scorer's, a quota directory's encoder's
                // user table and quota scorers' item table) the unimodal scorer's, which holds them once.
                foreach (var t in tensors.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
                {
                    string expectedSide = SharedTable(graph, t.Name) ? OnnxServingDirectory.UnimodalScorerFileName + ".data" : Path.GetFileName(graph) + ".data";
                    Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(graph)!, expectedSide)), graph);
                    Assert.Equal(expectedSide, t.ExternalData.Single(e => e.Key == "location").Value);
                }
                Assert.True(new FileInfo(graph).Length < new FileInfo(Path.Combine(whole, Path.GetRelativePath(external, graph))).Length, graph);
            }
        }
        // A directory with side files is format 6, which readers before external data refuse by its version; without, as before.
        foreach (string manifest in Directory.GetFiles(external, OnnxServingDirectory.ManifestFileName, SearchOption.AllDirectories))
        {
            string part = Path.GetDirectoryName(manifest)!;
            var read = OnnxServingManifest.Read(part);
            bool sides = read.FileSha256!.Keys.Any(f => f.EndsWith(".onnx.data", StringComparison.Ordinal));
            Assert.Equal(sides ? OnnxServingManifest.ExternalDataFormatVersion : OnnxServingManifest.Read(Path.Combine(whole, Path.GetRelativePath(external, part))).FormatVersion,
                read.FormatVersion);
        }
        Assert.All(Directory.GetFiles(whole, OnnxServingDirectory.ManifestFileName, SearchOption.AllDirectories),
            m => Assert.True(OnnxServingManifest.Read(Path.GetDirectoryName(m)!).FormatVersion < OnnxServingManifest.ExternalDataFormatVersion, m));
        // The manifest records each side file's checksum beside its graph's.
        var recorded = OnnxServingManifest.Read(external).FileSha256!;
        foreach (string side in SideFiles(external).Where(f => Path.GetDirectoryName(f) == external))
            Assert.Equal(ServingChecksums.OfFile(side), recorded[Path.GetFileName(side)]);

        var expected = Lists(kind, whole);
        var actual = Lists(kind, external);
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Scores, actual.Scores);
    }

    [Fact]
    public void TheDivideConquerHistoryEncoder_ReadBackFromItsSideFile_ServesFreshHistoriesAsTheWholeGraph()
    {
        // The scorer reads the encoder's tables (the items' input vectors, clusters, prompts) back into the engine's model.
        var world = new Serving.DivideConquerWorld();
        var embedding = world.DivideConquer(DivideConquerEncoder.MeanPooling, components: null);
        using var model = world.SaveAndLoad(world.QuotaChain(embedding, HistoryMixture.DivideConquer, 6, userColumn: MultiInterestColumnNames.UserEmbedding),
            Path.Combine(_directory, "dc.zip"));
        string whole = Path.Combine(_directory, "dc-whole"), external = Path.Combine(_directory, "dc-external");
        model.ExportOnnx(whole);
        // The world's item inputs are under the 1 KiB threshold: lowered, but above the few bytes of the axes and counts that
        // ONNX Runtime's shape inference reads, which it cannot read from external data.
        using (ExternalDataPolicy.LowerMinTableForTests(256))
            model.ExportOnnx(external, externalData: OnnxExternalData.Always);
        var encoder = Parse(Path.Combine(external, OnnxServingDirectory.HistoryEncoderFileName));
        Assert.Equal(TensorProto.Types.DataLocation.External, encoder.Graph.Initializer.Single(t => t.Name == DivideConquerOnnxExporter.HistoryItemsName).DataLocation);

        var histories = Serving.DivideConquerWorld.Histories.Select(h => (IReadOnlyList<int>)h).ToArray();
        using var a = OnnxCandidateScorer.Open(whole, batchSize: 2);
        using var b = OnnxCandidateScorer.Open(external, batchSize: 2);
        var x = a.RetrieveClusterQuotaFromHistories(histories);
        var y = b.RetrieveClusterQuotaFromHistories(histories);
        for (int q = 0; q < histories.Length; q++)
        {
            Assert.Equal(x.IndicesOf(q).ToArray(), y.IndicesOf(q).ToArray());
            Assert.Equal(x.ScoresOf(q).ToArray(), y.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void AutomaticExternalData_WritesSmallModelsByteForByteAsBefore_AndRemovesAnEarlierSideFile()
    {
        var w = MixtureWorld.Create(seed: 3, dimension: 16);
        string path = Path.Combine(_directory, "scorer.onnx");
        UnimodalOnnxExporter.Export(w.Users, w.Items, 5, path, externalData: OnnxExternalData.Always);
        Assert.True(File.Exists(path + ".data"));

        UnimodalOnnxExporter.Export(w.Users, w.Items, 5, path);
        Assert.Equal(UnimodalOnnxExporter.BuildModel(w.Users, w.Items, 5, exclusionMask: false).ToByteArray(), File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".data"));

        var stream = new MemoryStream();
        UnimodalOnnxExporter.Export(w.Users, w.Items, 5, stream);
        Assert.Equal(File.ReadAllBytes(path), stream.ToArray());
    }

    [Fact]
    public void AModelOverTheLimit_KeepsItsTablesInTheSideFile_StreamingATableOverTheLimitItself_AndServesTheSameLists()
    {
        var w = MixtureWorld.Create(seed: 3, users: 50, items: 80, dimension: 16);
        string whole = Path.Combine(_directory, "whole"), limited = Path.Combine(_directory, "limited");
        OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 6, 1.0, whole, exclusionMask: true);
        // The item table (80 x 16 floats, 5,120 bytes) passes the lowered limit alone, so it is streamed from its array;
        // the user table (3,200 bytes) fits, but not with the rest of its graph.
        using (ExternalDataPolicy.LowerLimitForTests(4_000))
            OnnxServingDirectory.Export(w.Users, w.Items, w.Clustering, w.Mixtures, 6, 1.0, limited, exclusionMask: true);

        string scorer = Path.Combine(limited, OnnxServingDirectory.UnimodalScorerFileName);
        var tables = Parse(scorer).Graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal(TensorProto.Types.DataLocation.External, tables[UnimodalOnnxExporter.ItemTableName].DataLocation);
        Assert.Equal(TensorProto.Types.DataLocation.External, tables[UnimodalOnnxExporter.UserTableName].DataLocation);
        foreach (var table in tables.Values.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            var entries = table.ExternalData.ToDictionary(e => e.Key, e => e.Value);
            Assert.Equal(OnnxServingDirectory.UnimodalScorerFileName + ".data", entries["location"]);
            Assert.Equal(0, long.Parse(entries["offset"], CultureInfo.InvariantCulture) % (64 << 10));
        }
        // The side file holds the item table's little-endian floats where the tensor says.
        var item = tables[UnimodalOnnxExporter.ItemTableName].ExternalData.Where(e => e.Key != "location").ToDictionary(e => e.Key, e => long.Parse(e.Value, CultureInfo.InvariantCulture));
        byte[] side = File.ReadAllBytes(scorer + ".data");
        var floats = side.AsSpan((int)item["offset"], (int)item["length"]).ToArray().Chunk(4).Select(b => BitConverter.ToSingle(b)).ToArray();
        Assert.Equal(w.Items.Values, floats);

        using var a = OnnxCandidateScorer.Open(whole);
        using var b = OnnxCandidateScorer.Open(limited);
        int[] users = [.. Enumerable.Range(0, w.Users.Rows)];
        foreach (var (x, y) in new[] { (a.RetrieveClusterQuota(users, w.Seen), b.RetrieveClusterQuota(users, w.Seen)), (a.RetrieveUnimodal(users, w.Seen), b.RetrieveUnimodal(users, w.Seen)) })
        {
            for (int q = 0; q < users.Length; q++)
            {
                Assert.Equal(x.IndicesOf(q).ToArray(), y.IndicesOf(q).ToArray());
                Assert.Equal(x.ScoresOf(q).ToArray(), y.ScoresOf(q).ToArray());
            }
        }
    }

    [Fact]
    public void AStreamExportOverTheLimit_IsRefused_NamingTheWayToAFileExport()
    {
        var w = MixtureWorld.Create(seed: 3, users: 50, items: 80, dimension: 16);
        using var limit = ExternalDataPolicy.LowerLimitForTests(4_000);
        var e = Assert.Throws<NotSupportedException>(() => UnimodalOnnxExporter.Export(w.Users, w.Items, 5, Stream.Null));
        Assert.Contains("over the 2 GB limit of a single protobuf ONNX model", e.Message);
        Assert.Contains("a stream cannot carry ONNX external data", e.Message);
        // To a path the same model is written, with its tables beside it.
        string path = Path.Combine(_directory, "scorer.onnx");
        UnimodalOnnxExporter.Export(w.Users, w.Items, 5, path);
        Assert.True(new FileInfo(path + ".data").Length > w.Items.Values.Length * sizeof(float));
    }

    /// <summary>A unimodal directory exported with external data, its side file edited by <paramref name="edit"/>, checksums recomputed when <paramref name="reseal"/>.</summary>
    private string Damaged(string name, Action<string> edit, bool reseal)
    {
        var w = MixtureWorld.Create(seed: 3, users: 50, items: 80, dimension: 16);
        string onnx = Path.Combine(_directory, name);
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, onnx, externalData: OnnxExternalData.Always);
        edit(Path.Combine(onnx, OnnxServingDirectory.UnimodalScorerFileName));
        if (reseal) ServingChecksums.Reseal(onnx);
        return onnx;
    }

    private static void Cut(string graph)
    {
        using var side = new FileStream(graph + ".data", FileMode.Open);
        side.SetLength(side.Length - 100);
    }

    [Fact]
    public void ADamagedSideFile_IsRefusedAtOpening_NamingIt()
    {
        string missing = Damaged("missing", g => File.Delete(g + ".data"), reseal: false);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(missing).Dispose());
        Assert.Contains("unimodal_scorer.onnx.data' of the ONNX serving directory", e.Message);
        Assert.Contains("is missing, though manifest.json records it", e.Message);

        string cut = Damaged("cut", Cut, reseal: false);
        e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(cut).Dispose());
        Assert.Contains("unimodal_scorer.onnx.data' of the ONNX serving directory", e.Message);
        Assert.Contains("does not match the SHA-256", e.Message);

        string changed = Damaged("changed", g =>
        {
            byte[] bytes = File.ReadAllBytes(g + ".data");
            bytes[^10] ^= 1;
            File.WriteAllBytes(g + ".data", bytes);
        }, reseal: false);
        e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(changed).Dispose());
        Assert.Contains("unimodal_scorer.onnx.data' of the ONNX serving directory", e.Message);
    }

    [Fact]
    public void ASideFileCutShort_IsRefusedByTheTableReader_EvenWithItsChecksumRecomputed()
    {
        string cut = Damaged("cut-resealed", Cut, reseal: true);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(cut).Dispose());
        Assert.Contains("unimodal_scorer.onnx.data' of the ONNX model", e.Message);
        Assert.Contains("past its end", e.Message);
    }

    [Fact]
    public void AnOffsetPastTheSideFile_IsRefusedNamingTheModelAndTheSideFile()
    {
        string onnx = Damaged("offset", graph =>
        {
            var model = Parse(graph);
            var item = model.Graph.Initializer.Single(t => t.Name == UnimodalOnnxExporter.ItemTableName);
            item.ExternalData.Single(e => e.Key == "offset").Value = (new FileInfo(graph + ".data").Length + 4096).ToString(CultureInfo.InvariantCulture);
            File.WriteAllBytes(graph, model.ToByteArray());
        }, reseal: true);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains("unimodal_scorer.onnx.data' of the ONNX model", e.Message);
        Assert.Contains("unimodal_scorer.onnx'", e.Message);
        Assert.Contains("past its end", e.Message);

        string longer = Damaged("length", graph =>
        {
            var model = Parse(graph);
            var item = model.Graph.Initializer.Single(t => t.Name == UnimodalOnnxExporter.ItemTableName);
            item.ExternalData.Single(e => e.Key == "length").Value = "99999999";
            File.WriteAllBytes(graph, model.ToByteArray());
        }, reseal: true);
        e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(longer).Dispose());
        Assert.Contains("its external data length is 99,999,999 bytes, but its shape and type need 5,120", e.Message);
    }

    [Fact]
    public void ATableOutsideTheModelsFolder_IsRefused()
    {
        string onnx = Damaged("outside", graph =>
        {
            var model = Parse(graph);
            var item = model.Graph.Initializer.Single(t => t.Name == UnimodalOnnxExporter.ItemTableName);
            item.ExternalData.Single(e => e.Key == "location").Value = "../elsewhere.data";
            File.WriteAllBytes(graph, model.ToByteArray());
        }, reseal: true);
        var e = Assert.Throws<InvalidDataException>(() => OnnxCandidateScorer.Open(onnx).Dispose());
        Assert.Contains("lies outside the model's folder", e.Message);
    }

    /// <summary>A table's shape edited past what a long or an array holds is refused by name by the table readers, not an OverflowException.</summary>
    [Theory]
    [InlineData(1L << 62)]
    [InlineData(1L << 40)]
    public void ATableShapePastAnArray_IsRefusedByName_NotAnOverflow(long rows)
    {
        var w = MixtureWorld.Create(seed: 5, users: 50, items: 80, dimension: 16);
        string directory = Path.Combine(_directory, "shape");
        OnnxServingDirectory.ExportUnimodal(w.Users, w.Items, 5, directory, externalData: OnnxExternalData.Always);
        string graph = Path.Combine(directory, OnnxServingDirectory.UnimodalScorerFileName);
        var model = Parse(graph);
        model.Graph.Initializer.Single(t => t.Name == UnimodalOnnxExporter.ItemTableName).Dims[0] = rows;
        File.WriteAllBytes(graph, model.ToByteArray());
        var e = Assert.Throws<InvalidDataException>(() => OnnxInitializerFile.Read(graph, (UnimodalOnnxExporter.ItemTableName, TensorProto.Types.DataType.Float)));
        Assert.Contains($"Initializer '{UnimodalOnnxExporter.ItemTableName}' of the ONNX model '{graph}' cannot be read: its shape [{rows}, 16]", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// docs/onnx.md, "What goes out": in a side file each table starts at a multiple of 64 KiB, in graph order, its bytes the
    /// tensor's length, and the gaps between tables are zeros that no offset and length cover.
    /// </summary>
    [Fact]
    public void SideFileTables_StartAligned_InGraphOrder_WithZeroGaps()
    {
        using var model = Model("quota");
        string external = Path.Combine(_directory, "aligned");
        model.ExportOnnx(external, externalData: OnnxExternalData.Always);
        foreach (string graph in Graphs(external))
        {
            var tables = Parse(graph).Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External)
                .Select(t => (Offset: long.Parse(t.ExternalData.Single(e => e.Key == "offset").Value, CultureInfo.InvariantCulture),
                    Length: long.Parse(t.ExternalData.Single(e => e.Key == "length").Value, CultureInfo.InvariantCulture))).ToArray();
            if (tables.Length == 0) continue;
            byte[] side = File.ReadAllBytes(graph + ".data");
            long end = 0;
            foreach (var (offset, length) in tables)
            {
                Assert.Equal(0, offset % OnnxServingDefaults.ExternalDataAlignment);
                Assert.True(offset >= end, $"{graph}: a table at {offset} starts before the previous one's end {end}");
                Assert.All(side[(int)end..(int)offset], b => Assert.Equal(0, b));
                end = offset + length;
            }
            Assert.Equal(side.Length, end);
        }
    }
}
