using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>
/// <c>recommend --history</c> on a model whose item key type is wider than the items with edges: a history item whose key has
/// no edges is an id the model does not know to MultiInterestRecommender, so every scorer must ignore it, and a new user whose
/// history holds only such items gets the popular items from each (not an empty list from the ONNX graphs).
/// </summary>
public sealed class CliOnnxItemKeysWithoutEdgesTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-cli-unused-items-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A unimodal model over item keys fitted on the planted graph's items and ten ids without an edge, interleaved.</summary>
    private string SavedOverWideItemKeys()
    {
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = WideItemKeys.KeyPipeline(_ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = _ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        Assert.False(embedding.ItemEmbeddings.IsDense);
        var fitted = mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 6 }).Fit(embedding.Transform(keyed));
        string path = Path.Combine(_directory, "wide.zip");
        _ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, fitted), raw.Schema, path);
        return path;
    }

    [Fact]
    public void Every_scorer_ignores_history_items_without_edges_and_serves_a_user_of_only_those_the_popular_items()
    {
        string model = SavedOverWideItemKeys();
        var items = MLNetTestData.Edges().Select(e => e.Item).Distinct().ToArray();
        string users = Path.Combine(_directory, "users.tsv"), history = Path.Combine(_directory, "history.tsv");
        File.WriteAllLines(users, ["user", "only-unused", "mixed"]);
        File.WriteAllLines(history, ["user\titem", "only-unused\tunused0", "only-unused\tunused3", $"mixed\t{items[1]}", "mixed\tunused2", $"mixed\t{items[4]}"]);
        var lines = CliHarness.RecommendWithHistoryAlike(_directory, model, users, history);
        Assert.Contains(lines, f => f[0] == "only-unused" && f[4] == "Popular");
        Assert.Contains(lines, f => f[0] == "mixed" && f[4] == "History");
    }
}
