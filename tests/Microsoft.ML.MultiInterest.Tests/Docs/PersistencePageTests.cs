using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;
using EdgeRow = Microsoft.ML.MultiInterest.Tests.MLNet.MLNetTestData.Edge;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// docs/persistence.md's first snippet (save, load in another process, read typed, export ONNX) is this test's region,
/// compiled and run on a small kNN-Embed pipeline: until 2026-12-06 no test held it.
/// </summary>
public sealed class PersistencePageTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mi-persistence-page-{Guid.NewGuid():N}");

    public PersistencePageTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ThePersistencePageFirstSnippet_CompilesRuns_AndIsOnThePage()
    {
        var mlContext = new MLContext(seed: 1);
        var mi = mlContext.MultiInterest();
        IDataView trainingEdges = mlContext.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var pipeline = MLNetTestData.KeyPipeline(mlContext)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(candidates: 6));
        string modelPath = Path.Combine(_directory, "model.zip"), servingDirectory = Path.Combine(_directory, "serving");

        #region SaveLoadExport
        var model = pipeline.Fit(trainingEdges);                       // MapValueToKey + GraphEmbedding + ... + ClusterQuotaRetriever
        mlContext.Model.Save(model, trainingEdges.Schema, modelPath);

        // elsewhere, in another process
        var loaded = mlContext.Model.Load(modelPath, out var schema);   // ML.NET's own transformers
        // Request rows need every column the chain was fitted on (schema): User, and Item with any value, which serving does not
        // read (a view of users alone fails with "Could not find input column 'Item'"; pipeline.md, "Building request rows").
        var users = mlContext.Data.LoadFromEnumerable(new[] { new EdgeRow { User = "u1", Item = "" } });
        var candidates = loaded.Transform(users);                        // same columns, same values
        // ... read candidates; when done with the chain:
        (loaded as IDisposable)?.Dispose();                              // it holds ONNX sessions and temp files

        using var typed = MultiInterestModel.Load(mlContext, modelPath);  // the tables, typed (dispose: it holds ONNX sessions)
        KeyedEmbeddings items = typed.GraphEmbedding!.ItemEmbeddings;   // vectors of the item keys in use
        MixtureTable mixtures = typed.Mixtures!.Mixtures;
        typed.ExportOnnx(servingDirectory);                              // encoder.onnx, quota_scorer.onnx, unimodal_scorer.onnx, ...
        #endregion

        // The loaded chain's columns are the fitted chain's, and a second load serves u1 the fitted chain's list.
        Assert.NotNull(schema.GetColumnOrNull("Item"));
        foreach (string column in new[] { MultiInterestColumnNames.Candidates, MultiInterestColumnNames.CandidateScores, MultiInterestColumnNames.CandidateSource })
            Assert.Equal(model.Transform(users).Schema[column].Type.RawType, candidates.Schema[column].Type.RawType);
        var again = mlContext.Model.Load(modelPath, out _);
        try
        {
            Assert.Equal(Keys(model.Transform(users)), Keys(again.Transform(users)));
            // The page's word for a view of users alone.
            var usersAlone = mlContext.Data.LoadFromEnumerable(new[] { new UserRow { User = "u1" } });
            var error = Assert.ThrowsAny<Exception>(() => again.Transform(usersAlone));
            Assert.Contains("Could not find input column 'Item'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            (again as IDisposable)?.Dispose();
        }

        Assert.Equal(MLNetTestData.Edges().Select(e => e.Item).Distinct().Count(), items.Count);
        Assert.True(mixtures.StoredUsers > 0);
        foreach (string file in new[] { "encoder.onnx", "quota_scorer.onnx", "unimodal_scorer.onnx" })
            Assert.True(File.Exists(Path.Combine(servingDirectory, file)), file);
        DocSnippets.AssertOnPage(Path.Combine("Docs", nameof(PersistencePageTests) + ".cs"), "SaveLoadExport", "docs/persistence.md");
    }

    private static uint[] Keys(IDataView view) =>
        view.GetColumn<VBuffer<uint>>(MultiInterestColumnNames.Candidates).First().DenseValues().ToArray();

    private sealed class UserRow
    {
        public string User { get; set; } = "";
    }
}
