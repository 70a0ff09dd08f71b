using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// A unimodal directory written with external data (also an MMR directory's pool and a fusion's unimodal source) stores its
/// item table once: <c>vector_scorer.onnx</c> refers to the item table in <c>unimodal_scorer.onnx.data</c> and has no side
/// file of its own. Its lists are those of the whole graphs, ONNX Runtime opens it by path, the shared side file is hashed
/// once per opening, and damaged, cut or removed it is refused by name.
/// </summary>
public sealed class OnnxSharedItemSideFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("onnx-shared-side-").FullName;

    public void Dispose()
    {
        OnnxServedFiles.Hashing.Value = null;
        Directory.Delete(_directory, recursive: true);
    }

    private const string Shared = "unimodal_scorer.onnx.data", OwnSide = "vector_scorer.onnx.data";

    private static readonly int[] Users = [0, 1, 2, 3, 4, 5];

    private static readonly int[][] Histories = [[0, 1, 2], [5], [3, 7, 11, 13]];

    /// <summary>Each kind with the unimodal directory inside it.</summary>
    public static TheoryData<string, string> Kinds => new() { { "unimodal", "." }, { "mmr", "pool" }, { "fusion", "source0" } };

    /// <summary>
    /// The model of <paramref name="kind"/> exported whole, with external data forced (small tables included), and so in the
    /// layout before 2026-12-07 (each graph its own side file, the item table twice).
    /// </summary>
    private (string Whole, string External, string Separate) Exported(string kind)
    {
        string root = Directory.CreateDirectory(Path.Combine(_directory, kind)).FullName;
        var (model, whole) = ExcludeItemsModels.Exported(new MLContext(seed: 1), root, kind);
        string external = Path.Combine(root, kind + "-side"), separate = Path.Combine(root, kind + "-separate");
        using (model) SharedSideFileLayouts.Export(model, external, separate);
        return (whole, external, separate);
    }

    private static Dictionary<string, OnnxExternalTable> ExternalTables(string graph) => SharedSideFileLayouts.ExternalTables(graph);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheVectorScorer_RefersToTheUnimodalScorersItemTable_AndHasNoSideFile(string kind, string part)
    {
        var (_, external, _) = Exported(kind);
        string unimodal = Path.GetFullPath(Path.Combine(external, part));
        Assert.False(File.Exists(Path.Combine(unimodal, OwnSide)));
        var scorer = ExternalTables(Path.Combine(unimodal, "unimodal_scorer.onnx"));
        var vector = ExternalTables(Path.Combine(unimodal, "vector_scorer.onnx"));
        var items = vector[UnimodalOnnxExporter.ItemTableName];
        Assert.Equal(Path.Combine(unimodal, Shared), items.SidePath);
        Assert.Equal(scorer[UnimodalOnnxExporter.ItemTableName].Offset, items.Offset);
        Assert.Equal(scorer[UnimodalOnnxExporter.ItemTableName].Length, items.Length);
        Assert.All(vector.Values, t => Assert.Equal(Path.Combine(unimodal, Shared), t.SidePath));
        // The side file holds the user table, then the item table, once.
        Assert.Equal(items.Offset + items.Length, new FileInfo(Path.Combine(unimodal, Shared)).Length);
        var recorded = OnnxServingManifest.Read(unimodal).FileSha256!;
        Assert.Equal([Shared], recorded.Keys.Where(k => k.EndsWith(".onnx.data", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TrainedAndHistoryLists_AreThoseOfTheWholeGraphs_AndTheSharedFileIsHashedOnce(string kind, string part)
    {
        var (whole, external, separate) = Exported(kind);
        // The unimodal directory's side files hashed in one opening: the shared one, once (before, its own side file too).
        string unimodal = Path.GetFullPath(Path.Combine(external, part));
        var hashed = new List<string>();
        OnnxServedFiles.Hashing.Value = path =>
        {
            string full = Path.GetFullPath(path);
            if (Path.GetDirectoryName(full) == unimodal && full.EndsWith(".onnx.data", StringComparison.Ordinal)) hashed.Add(Path.GetFileName(full));
        };
        var actual = Lists(kind, external);
        OnnxServedFiles.Hashing.Value = null;
        Assert.Equal([Shared], hashed);
        Assert.True(File.Exists(Path.Combine(separate, part, OwnSide)));
        foreach (string other in new[] { whole, separate })
        {
            var expected = Lists(kind, other);
            Assert.Equal(expected.Rows, actual.Rows);
            Assert.Equal(expected.Scores, actual.Scores);
        }
    }

    private static (int[][] Rows, float[][] Scores) Lists(string kind, string onnx) => ExcludeItemsModels.Lists(kind, onnx, Users, Histories);

    /// <summary>ONNX Runtime itself, given the vector scorer's path, reads the item table from the unimodal scorer's side file.</summary>
    [Fact]
    public void OnnxRuntime_OpensTheVectorScorerByPath_AndRanksAsTheWholeGraph()
    {
        var (whole, external, _) = Exported("unimodal");
        float[] vectors = [.. Enumerable.Range(0, 2 * 8).Select(i => (float)Math.Sin(i + 1))];
        Assert.Equal(Rank(Path.Combine(whole, "vector_scorer.onnx"), vectors), Rank(Path.Combine(external, "vector_scorer.onnx"), vectors));
    }

    private static long[] Rank(string graph, float[] vectors)
    {
        using var session = new InferenceSession(graph);
        int dimension = session.InputMetadata[MixtureOnnxExporter.UserEmbeddingName].Dimensions[1];
        Assert.Equal(8, dimension);
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(MixtureOnnxExporter.UserEmbeddingName, new DenseTensor<float>(vectors, [vectors.Length / dimension, dimension])),
        };
        if (session.InputMetadata.TryGetValue(UnimodalOnnxExporter.ExclusionMaskInput, out var mask))
        {
            int items = mask.Dimensions[1], batch = vectors.Length / dimension;
            inputs.Add(NamedOnnxValue.CreateFromTensor(UnimodalOnnxExporter.ExclusionMaskInput, new DenseTensor<float>(new float[batch * items], [batch, items])));
        }
        using var results = session.Run(inputs);
        var rows = results.First(r => r.Name == UnimodalOnnxExporter.CandidateRowsOutput).AsEnumerable<long>().ToArray();
        Assert.NotEmpty(rows);
        return rows;
    }

    [Theory]
    [InlineData("unimodal", ".", "damaged")]
    [InlineData("unimodal", ".", "cut")]
    [InlineData("unimodal", ".", "removed")]
    [InlineData("mmr", "pool", "damaged")]
    [InlineData("fusion", "source0", "removed")]
    public void TheSharedSideFile_DamagedCutOrRemoved_IsRefusedByName(string kind, string part, string harm)
    {
        var (_, external, _) = Exported(kind);
        SharedSideFileLayouts.Harm(Path.Combine(external, part, Shared), harm);
        var e = Assert.Throws<InvalidDataException>(() => ExcludeItemsModels.Open(kind, external, batch: 4).Scorer.Dispose());
        Assert.Contains(Shared + "' of the ONNX serving directory", e.Message);
        Assert.Contains(harm == "removed" ? "is missing, though manifest.json records it" : "does not match the SHA-256", e.Message);
    }

    /// <summary>Read without a manifest (the graph alone), a cut or missing shared side file is refused naming it and the vector scorer.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheVectorScorerAlone_WithItsSharedSideFileCutOrMissing_IsRefusedByName(bool removed)
    {
        var (_, external, _) = Exported("unimodal");
        string path = Path.Combine(external, Shared), graph = Path.Combine(external, "vector_scorer.onnx");
        if (removed) File.Delete(path);
        else File.WriteAllBytes(path, File.ReadAllBytes(path)[..^4]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxInitializerFile.CheckExternalData(graph));
        Assert.Contains($"side file '{Path.GetFullPath(path)}' of the ONNX model '{graph}'", e.Message);
        Assert.Contains(removed ? "is missing" : "past its end", e.Message);
    }
}
