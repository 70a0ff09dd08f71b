using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Persistence;

/// <summary>The retrieval settings beyond M and alpha (quota query, head share, MMR) are saved and served as fitted.</summary>
public sealed class ServingOptionsTests : IDisposable
{
    private readonly FittedStages _stages = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-serving-options-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private MultiInterestModel SaveAndLoad(CandidateRetrievalTransformer retrieval, string name)
    {
        var s = _stages;
        string path = Path.Combine(_directory, name);
        s.Ml.Model.Save(new Microsoft.ML.Data.TransformerChain<ITransformer>(s.Keys, s.Embedding, s.KMeans, s.Mixture, retrieval), s.Raw.Schema, path);
        return MultiInterestModel.Load(s.Ml, path);
    }

    private BipartiteGraph TrainingGraph()
    {
        var users = MLNetTestData.Keys(_stages.Keyed, "User").Select(k => (int)k - 1).ToArray();
        var items = MLNetTestData.Keys(_stages.Keyed, "Item").Select(k => (int)k - 1).ToArray();
        return BipartiteGraph.FromEdges(_stages.Quota.UserCount, _stages.Quota.ItemCount, users, items);
    }

    private static void AssertSame(CandidateRetrievalTransformer fitted, RankedLists lists, int[] users)
    {
        for (int q = 0; q < users.Length; q++)
        {
            var (keys, scores) = fitted.GetCandidates((uint)users[q] + 1);
            Assert.Equal(keys.Select(k => (int)k - 1), lists.IndicesOf(q).ToArray());
            for (int r = 0; r < scores.Length; r++) Assert.Equal(scores[r], lists.ScoresOf(q)[r], 1e-5f);
        }
    }

    [Fact]
    public void TheUserQueryIsServedByTheEngineAndOnnxAsFitted()
    {
        var fitted = _stages.Ml.MultiInterest().ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, Alpha = 0.5, Query = QuotaQuery.User })
            .Fit(_stages.Mixed);
        var model = SaveAndLoad(fitted, "user-query.zip");
        Assert.Equal(QuotaQuery.User, model.ServingStage.Settings.Query);
        int[] users = Enumerable.Range(0, fitted.UserCount).ToArray();
        AssertSame(fitted, model.RetrieveWithEngine(users, TrainingGraph(), threads: 1), users);
        string onnx = Path.Combine(_directory, "onnx");
        model.ExportOnnx(onnx);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 4);
        AssertSame(fitted, scorer.RetrieveClusterQuota(users, TrainingGraph()), users);

        // Users known by a fresh history: the recommender's lists (the history's Mixture and mean vector, the User query).
        AssertFreshHistoriesServedAsTheRecommender(model, scorer);
    }

    /// <summary>
    /// <see cref="OnnxCandidateScorer.RetrieveClusterQuotaFromHistories"/> gives the live recommender's lists for new users with
    /// histories of several sizes (one of them empty: no list there, the popular items live).
    /// </summary>
    private void AssertFreshHistoriesServedAsTheRecommender(MultiInterestModel model, OnnxCandidateScorer scorer) =>
        AssertFreshHistoriesServedAsTheRecommender(model, h => scorer.RetrieveClusterQuotaFromHistories(h));

    private void AssertFreshHistoriesServedAsTheRecommender(MultiInterestModel model, Func<IReadOnlyList<IReadOnlyList<int>>, RankedLists> serve)
    {
        var itemIds = _stages.Embedding.ItemIds;
        int[][] histories = [[0, 3, 7, 11, 20], [5], [2, 9, 14, 17, 21, 22, 23], []];
        var fresh = serve([.. histories.Select(h => (IReadOnlyList<int>)h)]);
        var recommender = _stages.Ml.MultiInterest().CreateRecommender(model);
        for (int q = 0; q < histories.Length; q++)
        {
            var live = recommender.Recommend("someone-new", histories[q].Select(i => itemIds[i]));
            if (histories[q].Length == 0)
            {
                Assert.Equal(CandidateSource.Popular, live.Source);
                Assert.Equal(0, fresh.Counts[q]);
                continue;
            }
            Assert.Equal(CandidateSource.History, live.Source);
            Assert.Equal(live.Items.Select(i => i.ItemId), fresh.IndicesOf(q).ToArray().Select(i => itemIds[i]));
            Assert.Equal(live.Items.Select(i => i.Score), fresh.ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void TheHybridHeadIsServedByTheEngineAndOnnxAsFitted()
    {
        var fitted = _stages.Ml.MultiInterest().ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, HeadShare = 0.4 }).Fit(_stages.Mixed);
        var model = SaveAndLoad(fitted, "hybrid.zip");
        Assert.Equal(0.4, model.ServingStage.Settings.HeadShare);
        int[] users = Enumerable.Range(0, fitted.UserCount).ToArray();
        AssertSame(fitted, model.RetrieveWithEngine(users, TrainingGraph(), threads: 1), users);
        string onnx = Path.Combine(_directory, "hybrid-onnx");
        Assert.Equal(2, model.ExportOnnx(onnx).HeadSlots);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 3);
        AssertSame(fitted, scorer.RetrieveClusterQuota(users, TrainingGraph()), users);
        AssertFreshHistoriesServedAsTheRecommender(model, scorer);
    }

    [Theory]
    [InlineData(0.6)]
    [InlineData(0.25)] // the interest term faded to half its weight: the same in every serving path
    public void MultiInterestMmrIsServedByTheEngineAsFitted(double lambda)
    {
        var fitted = _stages.Ml.MultiInterest().MmrRetriever(candidates: 5, lambda: lambda, poolSize: 10, interestWeight: 0.3).Fit(_stages.Mixed);
        var plain = _stages.Ml.MultiInterest().MmrRetriever(candidates: 5, lambda: lambda, poolSize: 10).Fit(_stages.Mixed);
        var model = SaveAndLoad(fitted, "interest-mmr.zip");
        Assert.Equal(CandidateMethod.Mmr, model.ServingStage.Method);
        Assert.Equal(0.3, model.ServingStage.Settings.InterestWeight);
        int[] users = Enumerable.Range(0, fitted.UserCount).ToArray();
        AssertSame(fitted, model.RetrieveWithEngine(users, TrainingGraph(), threads: 1), users);
        Assert.Contains(users, u => !fitted.GetCandidates((uint)u + 1).ItemKeys.SequenceEqual(plain.GetCandidates((uint)u + 1).ItemKeys));

        // ONNX: the unimodal pool from ONNX Runtime, the mixtures and clusters of the PM-2 term from the interest graph, the engine's MMR.
        string onnx = Path.Combine(_directory, "interest-mmr-onnx");
        var manifest = model.ExportOnnx(onnx);
        Assert.Equal(OnnxServingManifest.MmrRetrieval, manifest.Retrieval);
        Assert.True(File.Exists(Path.Combine(onnx, OnnxMmrScorer.InterestsFileName)));
        using var scorer = OnnxMmrScorer.Open(onnx, batchSize: 4);
        var served = scorer.Retrieve(users, TrainingGraph());
        AssertSame(fitted, served, users);
        for (int q = 0; q < users.Length; q++) Assert.Equal(fitted.GetCandidates((uint)users[q] + 1).Scores, served.ScoresOf(q).ToArray());
        // Thread-safe, as documented: one scorer shared by concurrent callers gives each the same lists.
        var exclusions = TrainingGraph();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var again = scorer.Retrieve(users, exclusions);
            Assert.Equal(served.Indices, again.Indices);
            Assert.Equal(served.Scores, again.Scores);
        });

        // Users known by a fresh history: the pool of its mean item vector, the PM-2 term over its own Mixture, as the recommender.
        Assert.True(scorer.ServesHistories);
        AssertFreshHistoriesServedAsTheRecommender(model, h => scorer.RetrieveFromHistories(h));
    }

    [Fact]
    public void AQuotaDirectoryRanksAFreshHistorysMeanVectorAsTheUnimodalSearch()
    {
        var fitted = _stages.Ml.MultiInterest().ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5 }).Fit(_stages.Mixed);
        var model = SaveAndLoad(fitted, "quota-unimodal.zip");
        string onnx = Path.Combine(_directory, "quota-unimodal-onnx");
        model.ExportOnnx(onnx);
        using var scorer = OnnxCandidateScorer.Open(onnx, batchSize: 3);
        Assert.True(scorer.ServesUnimodalHistories);
        int[][] histories = [[0, 3, 7, 11, 20], [5], [2, 9, 14, 17, 21, 22, 23], []];
        var fresh = scorer.RetrieveUnimodalFromHistories([.. histories.Select(h => (IReadOnlyList<int>)h)]);
        var items = _stages.Embedding.ItemEmbeddings.DenseView();
        var means = new EmbeddingMatrix(histories.Length, items.Dimension);
        for (int q = 0; q < histories.Length; q++) items.MeanOf(histories[q], means.Row(q));
        var graph = BipartiteGraph.FromEdges(histories.Length, items.Rows, [.. histories.SelectMany((h, q) => h.Select(_ => q))], [.. histories.SelectMany(h => h)]);
        var expected = new UnimodalRetriever(items).Retrieve(means, [.. Enumerable.Range(0, histories.Length)], graph, 5, threads: 1);
        for (int q = 0; q < histories.Length - 1; q++)
        {
            Assert.Equal(expected.IndicesOf(q).ToArray(), fresh.IndicesOf(q).ToArray());
            Assert.Equal(expected.ScoresOf(q).ToArray(), fresh.ScoresOf(q).ToArray());
        }
        Assert.Equal(0, fresh.Counts[^1]);
    }
}
