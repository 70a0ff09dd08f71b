using Microsoft.ML.Data;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Onnx;

/// <summary>
/// The MMR, history-interest MMR and round-robin scorers keep each ONNX Runtime call's per-user tensors within the budget the
/// quota and unimodal calls keep (<see cref="OnnxServingDefaults.BatchBudgetBytes"/>): a call serves fewer users than the
/// batch size where its graphs' per-user tensors would pass it, and the lists are the same as without the cap.
/// </summary>
public sealed class ScorerBatchBudgetTests : IDisposable
{
    private const long Budget = OnnxServingDefaults.BatchBudgetBytes;
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _directory = Directory.CreateTempSubdirectory("mi-onnx-batch-budget-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    // m = 4 interests over 28,000 items of C_d = 4 components: 4 x 112,000 scores, the mask's 28,000 and its 112,000 gathered, 2.35 MB a user.
    [InlineData(100_000, 4, 28_000, 4, true, 28)]
    [InlineData(100_000, 4, 28_000, 4, false, 37)]
    [InlineData(64, 1, 1_000, 1, true, 64)]
    [InlineData(64, 8, 50_000_000, 8, true, 1)]
    [InlineData(3, 4, 28_000, 4, true, 3)]
    public void RoundRobin_ACallServesTheBatchOrFewerUsers_WhereTheScorersScoresAndMaskPassTheBudget(int batchSize, int m, int items, int cd, bool mask, int expected)
    {
        Assert.Equal(expected, OnnxRoundRobinScorer.CallBatchSize(batchSize, m, items, cd, mask));
        long rows = (long)items * cd, perUser = (m * rows + (mask ? items + rows : 0)) * sizeof(float);
        if (expected > 1 && expected < batchSize) Assert.True(expected * perUser <= Budget && (expected + 1) * perUser > Budget);
    }

    [Theory]
    // K = 4 interests: 5 vectors rank 28,000 items, plus the mask: 672,000 bytes a user.
    [InlineData(100_000, 5, 28_000, true, false, 99)]
    // A Unimodal pool ranks the user's own vector alone: as the unimodal scorer, 299 users.
    [InlineData(100_000, 1, 28_000, true, false, 299)]
    // A clustered pool's list mask is gathered to the items too.
    [InlineData(100_000, 5, 28_000, true, true, 85)]
    [InlineData(64, 5, 1_000, true, false, 64)]
    [InlineData(64, 5, 50_000_000, true, true, 1)]
    public void HistoryMmr_ACallServesTheBatchOrFewerUsers_WhereThePoolScorersScoresAndMasksPassTheBudget(int batchSize, int vectors, int items, bool mask, bool listed,
        int expected)
    {
        Assert.Equal(expected, OnnxHistoryMmrScorer.CallBatchSize(batchSize, vectors, items, mask, listed));
        long perUser = (long)items * sizeof(float) * (vectors + (mask ? 1 : 0) + (listed ? 1 : 0));
        if (expected > 1 && expected < batchSize) Assert.True(expected * perUser <= Budget && (expected + 1) * perUser > Budget);
    }

    [Theory]
    // Per user an int64 row, m int64 clusters and m double weights: 88 bytes at m = 5.
    [InlineData(100_000, 5, 100_000)]
    [InlineData(int.MaxValue, 5, 762_600)]
    [InlineData(int.MaxValue, 1_000_000, 4)]
    public void Mmr_AnInterestsCallServesTheBatchOrFewerUsers_WhereItsRowsAndMixturesPassTheBudget(int batchSize, int m, int expected)
    {
        Assert.Equal(expected, OnnxMmrScorer.InterestsBatchSize(batchSize, m));
        long perUser = sizeof(long) + m * 16L;
        if (expected > 1 && expected < batchSize) Assert.True(expected * perUser <= Budget && (expected + 1) * perUser > Budget);
    }

    [Theory]
    [InlineData("history-mmr")]
    [InlineData("clustered-history-mmr")]
    [InlineData("dcm")]
    public void HistoryMmrAndRoundRobin_ALoweredBudgetServesThreeUsersACall_WithTheSameLists(string kind)
    {
        var (model, onnx) = ExcludeItemsModels.Exported(_ml, _directory, kind);
        using var _m = model;
        var history = model.TrainingHistory();
        int[] users = [.. Enumerable.Range(0, model.GraphEmbedding!.UserIds.Count).Reverse(), 3, 3, 0];
        int[][] histories = [[.. history.ItemsOf(0).ToArray().Take(3)], [.. history.ItemsOf(5).ToArray().Take(2)], [], [.. history.ItemsOf(7).ToArray()], [1, 2]];
        RankedLists trained, fresh;
        using (var open = ExcludeItemsModels.Open(kind, onnx, int.MaxValue).Scorer)
        {
            (trained, fresh) = Serve(open, users, history, histories);
            Assert.Equal(users.Length, LargestBatchRun(open));
        }
        using var capped = ExcludeItemsModels.Open(kind, onnx, int.MaxValue).Scorer;
        int perUser = LowerBudgetToThreeUsers(capped);
        Assert.True(perUser > 0);
        var (cappedTrained, cappedFresh) = Serve(capped, users, history, histories);
        Assert.Equal(3, LargestBatchRun(capped));
        AssertSame(trained, cappedTrained);
        AssertSame(fresh, cappedFresh);
    }

    [Fact]
    public void Mmr_ALoweredBudgetServesThreeUsersACall_ThePoolsAndTheInterests_WithTheSameLists()
    {
        string onnx = ExportedMmrWithInterests();
        var history = TrainingHistoryOf(onnx);
        int[] users = [.. Enumerable.Range(0, OnnxServingManifest.Read(onnx).Users).Reverse(), 3, 3, 0];
        RankedLists open;
        using (var scorer = OnnxMmrScorer.Open(onnx, batchSize: int.MaxValue))
        {
            open = scorer.Retrieve(users, history);
            Assert.Equal(users.Length, scorer.LargestBatchRun);
        }
        using var capped = OnnxMmrScorer.Open(onnx, batchSize: int.MaxValue);
        capped.BatchBudgetBytes = 3L * (sizeof(long) + capped.Manifest.Components * 16L);
        Assert.Equal(3, capped.InterestsBatchSize());
        Assert.Equal(1, capped.Pool.UnimodalBatchSize());   // the pool's scores pass a budget of a few bytes: one user a call
        AssertSame(open, capped.Retrieve(users, history));
        Assert.Equal(3, capped.LargestBatchRun);
        Assert.Equal(1, capped.Pool.LargestBatchRun);
    }

    private static (RankedLists Trained, RankedLists Fresh) Serve(IDisposable scorer, int[] users, BipartiteGraph history, int[][] histories) => scorer switch
    {
        OnnxHistoryMmrScorer h => (h.Retrieve(users, history), h.RetrieveFromHistories(histories)),
        OnnxRoundRobinScorer r => (r.Retrieve(users, history), r.RetrieveFromHistories(histories)),
        _ => throw new ArgumentException(scorer.GetType().Name),
    };

    private static int LargestBatchRun(IDisposable scorer) => scorer switch
    {
        OnnxHistoryMmrScorer h => h.LargestBatchRun,
        OnnxRoundRobinScorer r => r.LargestBatchRun,
        _ => throw new ArgumentException(scorer.GetType().Name),
    };

    /// <summary>Sets the scorer's budget to three users' tensors, computed from its manifest as the graphs take them; returns the bytes of one user.</summary>
    private static int LowerBudgetToThreeUsers(IDisposable scorer)
    {
        switch (scorer)
        {
            case OnnxHistoryMmrScorer h:
            {
                var m = h.Manifest;
                int vectors = m.PoolScorer!.Inputs.Contains(HistoryMmrGraphs.InterestEmbeddingsName) ? m.Components + 1 : 1;
                int perUser = m.Items * sizeof(float) * (vectors + (m.ExclusionMask ? 1 : 0) + (m.PoolLists != null ? 1 : 0));
                h.BatchBudgetBytes = 3L * perUser;
                Assert.Equal(3, h.CallBatchSize());
                return perUser;
            }
            case OnnxRoundRobinScorer r:
            {
                var m = r.Manifest;
                int rows = m.Items * m.DestinationComponents, perUser = (m.Components * rows + (m.ExclusionMask ? m.Items + rows : 0)) * sizeof(float);
                r.BatchBudgetBytes = 3L * perUser;
                Assert.Equal(3, r.CallBatchSize());
                return perUser;
            }
            default:
                throw new ArgumentException(scorer.GetType().Name);
        }
    }

    private static void AssertSame(RankedLists expected, RankedLists actual)
    {
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Indices, actual.Indices);
        Assert.Equal(expected.Scores, actual.Scores);
    }

    private static BipartiteGraph TrainingHistoryOf(string onnx) => OnnxServingDirectory.ReadTrainingHistory(onnx);

    /// <summary>MMR with its interest term (<c>interests.onnx</c> beside the pool), over item clusters.</summary>
    private string ExportedMmrWithInterests()
    {
        var raw = _ml.Data.LoadFromEnumerable(MLNetTestData.Edges());
        var keys = MLNetTestData.KeyPipeline(_ml).Fit(raw);
        var keyed = keys.Transform(raw);
        var mi = _ml.MultiInterest();
        var embedding = mi.GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(keyed);
        var kmeans = mi.SphericalKMeans(numberOfClusters: 4).Fit(embedding.Transform(keyed));
        var clustered = kmeans.Transform(embedding.Transform(keyed));
        var mixture = mi.KnnSmoothedMixture(components: 2, neighbors: 3).Fit(clustered);
        var mmr = mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 8, Lambda = 0.5, PoolSize = 14, InterestWeight = 2 }).Fit(mixture.Transform(clustered));
        string path = Path.Combine(_directory, "mmr-interests.zip"), onnx = Path.Combine(_directory, "mmr-interests-onnx");
        _ml.Model.Save(new TransformerChain<ITransformer>(keys, embedding, kmeans, mixture, mmr), raw.Schema, path);
        using var model = MultiInterestModel.Load(_ml, path);
        model.ExportOnnx(onnx);
        Assert.True(File.Exists(Path.Combine(onnx, OnnxMmrScorer.InterestsFileName)));
        return onnx;
    }
}
