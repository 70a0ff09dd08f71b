using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// Round-robin retrieval over the kNN-Embed mixtures (issue 11: "usable with kNN-Embed mixtures too"): the pipeline's lists
/// are the engine's <see cref="RoundRobinRetriever"/> over each user's mixture and the item vectors; a saved and loaded model
/// serves the same lists live, through the engine and through ONNX (it used to fail asking for learned components), new users
/// (one component, their items' mean vector) included.
/// </summary>
public sealed class RoundRobinOverKnnEmbedTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-rr-knn-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheListsAreTheEnginesRoundRobinOverTheMixtures_FittedSavedLoadedAndExported()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var mi = ml.MultiInterest();
        // Up to eight components, so some users have fewer: their zero-weight padding in the columns takes no part.
        var model = MLNetTestData.KeyPipeline(ml).Append(mi.GraphEmbedding(MLNetTestData.SmallEmbedding())).Append(mi.SphericalKMeans(numberOfClusters: 8))
            .Append(mi.KnnSmoothedMixture(components: 8, neighbors: 2))
            .Append(mi.RoundRobinRetriever(new RoundRobinRetrieverEstimator.Options
            {
                UserComponentsColumnName = MultiInterestColumnNames.MixtureEmbeddings, UserComponentWeightsColumnName = MultiInterestColumnNames.MixtureWeights,
                ItemComponentsColumnName = MultiInterestColumnNames.ItemEmbedding, Candidates = 6,
            })).Fit(raw);
        var chain = ((IEnumerable<ITransformer>)model).ToArray();
        var embedding = chain.OfType<GraphEmbeddingTransformer>().Single();
        var mixtures = chain.OfType<KnnSmoothedMixtureTransformer>().Single().Mixtures;
        var stage = chain.OfType<CandidateRetrievalTransformer>().Single();
        Assert.Contains(Enumerable.Range(0, mixtures.UserCount), u => mixtures.ComponentCount(u) is > 0 and < 8);

        // The engine's round robin over the same mixtures (in the stage's order: descending weight) and item vectors.
        var scored = model.Transform(raw);
        var users = MLNetTestData.Keys(scored, "User").Select(k => (int)k - 1).Distinct().Order().ToArray();
        var items = embedding.ItemEmbeddings.DenseView();
        var table = MixtureTable.ForUsers(mixtures.UserCount, users, mixtures.MaxComponents, mixtures.Dimension);
        foreach (int u in users) MixtureEmbeddingResult.WriteSorted(table, u, mixtures.Embeddings(u), mixtures.Weights(u));
        var itemKeys = MLNetTestData.Keys(scored, "Item").Select(k => (int)k - 1).ToArray();
        var graph = BipartiteGraph.FromEdges(mixtures.UserCount, items.Rows, MLNetTestData.Keys(scored, "User").Select(k => (int)k - 1).ToArray(), itemKeys);
        var expected = new RoundRobinRetriever(items).Retrieve(table, users, graph, [6], threads: 1)[0];
        for (int q = 0; q < users.Length; q++)
            Assert.Equal(expected.IndicesOf(q).ToArray(), stage.GetCandidates((uint)users[q] + 1).ItemKeys.TakeWhile(k => k != 0).Select(k => (int)k - 1));

        // Saved and loaded: the live recommender, the engine and ONNX give the fitted lists.
        string path = Path.Combine(_directory, "rr-knn.zip");
        ml.Model.Save(model, raw.Schema, path);
        using var loaded = MultiInterestModel.Load(ml, path);
        var recommender = mi.CreateRecommender(loaded);
        var engine = loaded.RetrieveWithEngine(users, threads: 1);
        string onnx = Path.Combine(_directory, "rr-knn-onnx");
        var manifest = loaded.ExportOnnx(onnx);
        Assert.NotNull(manifest.RoundRobinScorer);
        using var scorer = OnnxRoundRobinScorer.Open(onnx, batchSize: 4);
        var served = scorer.Retrieve(users, loaded.TrainingHistory());
        for (int q = 0; q < users.Length; q++)
        {
            var (keys, scores) = stage.GetCandidates((uint)users[q] + 1);
            int count = keys.TakeWhile(k => k != 0).Count();
            Assert.Equal(keys[..count].Select(k => embedding.ItemIds[(int)k - 1]), recommender.Recommend(embedding.UserIds[users[q]]).Items.Select(i => i.ItemId));
            Assert.Equal(keys[..count].Select(k => (int)k - 1), engine.IndicesOf(q).ToArray());
            Assert.Equal(keys[..count].Select(k => (int)k - 1), served.IndicesOf(q).ToArray());
            Assert.Equal(scores[..count], served.ScoresOf(q).ToArray());
        }

        // A new user: one component, its items' mean vector, through ONNX as in the recommender.
        Assert.True(scorer.ServesHistories);
        int[][] histories = [[1, 4, 9], [3]];
        var fresh = scorer.RetrieveFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)]);
        for (int q = 0; q < histories.Length; q++)
        {
            var live = recommender.Recommend("someone-new", histories[q].Select(i => embedding.ItemIds[i]));
            Assert.Equal(CandidateSource.History, live.Source);
            Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(q).ToArray().Select(i => embedding.ItemIds[i]));
            Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(q).ToArray());
        }
    }
}
