using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Docs;

/// <summary>
/// docs/persistence.md's "Serving the exported graphs from .NET" snippet is this test's region, compiled and run on a saved
/// kNN-Embed pipeline: ids mapped to rows through the directory's id files, the saved training history passed as the
/// exclusions, and the lists those of the live recommender.
/// </summary>
public sealed class OnnxServingSnippetTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mi-onnx-snippet-{Guid.NewGuid():N}");

    public OnnxServingSnippetTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ThePersistencePageSnippet_CompilesRuns_GivesTheRecommendersLists_AndIsOnThePage()
    {
        var mlContext = new MLContext(seed: 1);
        var mi = mlContext.MultiInterest();
        var raw = mlContext.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var fitted = MLNetTestData.KeyPipeline(mlContext)
            .Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding()))
            .Append(mi.SphericalKMeans(numberOfClusters: 4))
            .Append(mi.KnnSmoothedMixture(components: 2, neighbors: 3))
            .Append(mi.ClusterQuotaRetriever(candidates: 6))
            .Fit(raw);
        string modelPath = Path.Combine(_directory, "model.zip"), servingDirectory = Path.Combine(_directory, "serving");
        mlContext.Model.Save(fitted, raw.Schema, modelPath);

        #region OnnxServing
        using var model = MultiInterestModel.Load(mlContext, modelPath);
        model.ExportOnnx(servingDirectory);
        // The graphs take and return rows: user_ids.tsv and item_ids.tsv (row<TAB>id under a header) map them to the ids.
        Dictionary<string, int> userRows = File.ReadLines(Path.Combine(servingDirectory, "user_ids.tsv")).Skip(1)
            .Select(line => line.Split('\t')).ToDictionary(f => f[1], f => int.Parse(f[0], CultureInfo.InvariantCulture));
        Dictionary<int, string> itemIds = File.ReadLines(Path.Combine(servingDirectory, "item_ids.tsv")).Skip(1)
            .Select(line => line.Split('\t')).ToDictionary(f => int.Parse(f[0], CultureInfo.InvariantCulture), f => f[1]);
        using var scorer = OnnxCandidateScorer.Open(servingDirectory);
        // The scorer excludes exactly what it is given: pass the training history the model stores (else seen items come back).
        RankedLists lists = scorer.RetrieveClusterQuota([userRows["u1"], userRows["u2"]], model.TrainingHistory());
        List<string> u1 = lists.IndicesOf(0).ToArray().Select(row => itemIds[row]).ToList();   // = Recommend("u1")'s items
        #endregion

        var recommender = mi.CreateRecommender(model);
        Assert.Equal(recommender.Recommend("u1").Items.Select(r => r.ItemId), u1);
        Assert.Equal(recommender.Recommend("u2").Items.Select(r => r.ItemId), lists.IndicesOf(1).ToArray().Select(row => itemIds[row]));
        Assert.Equal(recommender.Recommend("u1").Items.Select(r => r.Score), lists.ScoresOf(0).ToArray());
        DocSnippets.AssertOnPage(Path.Combine("Docs", nameof(OnnxServingSnippetTests) + ".cs"), "OnnxServing", "docs/persistence.md");
    }
}
