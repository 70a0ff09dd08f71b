using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Docs;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>Every stage reports progress through its options, stops on its cancellation token and takes its seed from the MLContext.</summary>
public class ProgressCancellationSeedTests
{
    /// <summary>Collects reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder(Action<MultiInterestProgress>? onReport = null) : IProgress<MultiInterestProgress>
    {
        public List<MultiInterestProgress> Reports { get; } = [];

        public void Report(MultiInterestProgress value)
        {
            Reports.Add(value);
            onReport?.Invoke(value);
        }
    }

    /// <summary>The keyed edges with embeddings and clusters, for the stages downstream of the embedding.</summary>
    private static (MLContext Ml, IDataView Clustered) Prepared()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var embedded = ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).Fit(data).Transform(data);
        var clustered = ml.MultiInterest().SphericalKMeans(numberOfClusters: 4).Fit(embedded).Transform(embedded);
        return (ml, clustered);
    }

    [Theory]
    [InlineData(EmbeddingAlgorithm.Auto, "Choosing the algorithm and dimension on a validation hold-out", "Chose ")]
    [InlineData(EmbeddingAlgorithm.TruncatedSvd, "Training TruncatedSvd on", "Trained ")]
    public void AnEmbeddingWithoutAKnownEpochCount_ReportsItsStartAndItsEnd(EmbeddingAlgorithm algorithm, string start, string end)
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var progress = new Recorder();
        var options = new GraphEmbeddingTrainer.Options { Algorithm = algorithm, Dimension = 4, Threads = 1, Progress = progress, ValidationCutoff = MLNetTestData.SmallCutoff };
        ml.MultiInterest().GraphEmbedding(options).Fit(data);
        Assert.True(progress.Reports.Count >= 2);
        Assert.StartsWith(start, progress.Reports[0].Message, StringComparison.Ordinal);
        Assert.Equal((0, 1), (progress.Reports[0].Completed, progress.Reports[0].Total));
        Assert.StartsWith(end, progress.Reports[^1].Message, StringComparison.Ordinal);
        Assert.Equal((1, 1), (progress.Reports[^1].Completed, progress.Reports[^1].Total));
    }

    [Fact]
    public void AutosSelection_ReportsEachValidationMeasurementAsItIsTaken()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var progress = new Recorder();
        ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.Auto, Dimension = 4, Threads = 1, Progress = progress, ValidationCutoff = MLNetTestData.SmallCutoff }).Fit(data);
        var measurements = progress.Reports.Where(r => r.Message.StartsWith("Validation measurement ", StringComparison.Ordinal)).ToList();
        // As many as the end report counts, numbered in order, between the start and the end, total not known.
        int counted = int.Parse(System.Text.RegularExpressions.Regex.Match(progress.Reports[^1].Message, @"\((\d+) measurements").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(counted > 0);
        Assert.Equal(Enumerable.Range(1, counted), measurements.Select(r => r.Completed));
        Assert.All(measurements, r => Assert.Equal(0, r.Total));
        Assert.Equal(Enumerable.Range(1, counted), progress.Reports.Skip(1).Take(counted).Select(r => r.Completed));
        Assert.Contains(measurements, r => r.Message.Contains("truncated-svd", StringComparison.Ordinal) && r.Message.Contains(", Recall@10 ", StringComparison.Ordinal));
        // An implicit-ALS trial's iterations are named by the trial's settings when reported, as in the result's curve.
        Assert.Contains(measurements, r => System.Text.RegularExpressions.Regex.IsMatch(r.Message, @": implicit-als d=\d+ reg=[0-9.e-]+ alpha0=[0-9.e-]+ iteration 1, Recall@10 "));
    }

    [Fact]
    public void EveryStage_ReportsItsUnitsOfWork()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        var mi = ml.MultiInterest();

        var embeddingProgress = new Recorder();
        var embeddingOptions = MLNetTestData.SmallEmbedding();
        embeddingOptions.Progress = embeddingProgress;
        var embedded = mi.GraphEmbedding(embeddingOptions).Fit(data).Transform(data);
        Assert.Equal([1, 2, 3], embeddingProgress.Reports.Select(r => r.Completed));
        Assert.All(embeddingProgress.Reports, r => Assert.Equal((nameof(GraphEmbeddingTrainer), 3), (r.Stage, r.Total)));

        var kmeansProgress = new Recorder();
        var clustered = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 4, MaxIterations = 5, Progress = kmeansProgress })
            .Fit(embedded).Transform(embedded);
        Assert.InRange(kmeansProgress.Reports.Count, 2, 6);
        Assert.Equal(Enumerable.Range(1, kmeansProgress.Reports.Count - 1), kmeansProgress.Reports.SkipLast(1).Select(r => r.Completed));
        Assert.StartsWith("Clustered", kmeansProgress.Reports[^1].Message, StringComparison.Ordinal);

        var mixtureProgress = new Recorder();
        var mixed = mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { Components = 2, Neighbors = 3, Progress = mixtureProgress })
            .Fit(clustered).Transform(clustered);
        Assert.Equal([(1, 3), (2, 3), (3, 3)], mixtureProgress.Reports.Select(r => (r.Completed, r.Total)));

        var retrievalProgress = new Recorder();
        mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, Progress = retrievalProgress }).Fit(mixed);
        var last = Assert.Single(retrievalProgress.Reports);
        Assert.Equal(16, last.Completed);
        Assert.Equal(16, last.Total);
    }

    [Fact]
    public void ACancelledToken_StopsEveryFit()
    {
        var (ml, clustered) = Prepared();
        var mi = ml.MultiInterest();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var data = MLNetTestData.Keyed(ml, out _);
        var embeddingOptions = MLNetTestData.SmallEmbedding();
        embeddingOptions.CancellationToken = cancelled.Token;

        Assert.ThrowsAny<OperationCanceledException>(() => mi.GraphEmbedding(embeddingOptions).Fit(data));
        Assert.ThrowsAny<OperationCanceledException>(() => mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 4, CancellationToken = cancelled.Token }).Fit(clustered));
        Assert.ThrowsAny<OperationCanceledException>(() => mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { Components = 2, CancellationToken = cancelled.Token }).Fit(clustered));
        Assert.ThrowsAny<OperationCanceledException>(() => mi.UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, CancellationToken = cancelled.Token }).Fit(clustered));
    }

    [Fact]
    public void CancellingDuringTraining_StopsBeforeTheLastEpoch()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        using var source = new CancellationTokenSource();
        var progress = new Recorder(_ => source.Cancel());
        var options = MLNetTestData.SmallEmbedding();
        options.Epochs = 50;
        options.Progress = progress;
        options.CancellationToken = source.Token;
        Assert.ThrowsAny<OperationCanceledException>(() => ml.MultiInterest().GraphEmbedding(options).Fit(data));
        Assert.InRange(progress.Reports.Count, 1, 2);
    }

    private static float[][] EmbeddingOf(MLContext ml, int? seed)
    {
        var data = MLNetTestData.Keyed(ml, out _);
        var options = MLNetTestData.SmallEmbedding();
        options.Seed = seed;
        return MLNetTestData.Vectors(ml.MultiInterest().GraphEmbedding(options).Fit(data).Transform(data), "UserEmbedding");
    }

    [Fact]
    public void TheContextSeed_SeedsAStageWithoutOne_AndAnExplicitSeedOverridesIt()
    {
        // One thread: the same seed gives the same vectors.
        Assert.Equal(EmbeddingOf(new MLContext(seed: 5), null), EmbeddingOf(new MLContext(seed: 5), null));
        Assert.NotEqual(EmbeddingOf(new MLContext(seed: 5), null), EmbeddingOf(new MLContext(seed: 6), null));
        Assert.Equal(EmbeddingOf(new MLContext(seed: 5), 42), EmbeddingOf(new MLContext(seed: 6), 42));

        var (ml, clustered) = Prepared();
        var again = Prepared();
        var a = ml.MultiInterest().SphericalKMeans(numberOfClusters: 4).Fit(clustered);
        var b = again.Ml.MultiInterest().SphericalKMeans(numberOfClusters: 4).Fit(again.Clustered);
        Assert.Equal(a.Centroids.Values, b.Centroids.Values);
    }

    [Fact]
    public void AStageSeedDrawnFromTheContext_DoesNotDependOnHowMuchEarlierFitsLogged()
    {
        // A service fitting many tenants on one MLContext: a tenant's unseeded stages must not draw other seeds because an
        // earlier tenant's fit logged more messages (here one epoch more, one more progress line). Each message registered a
        // host, which took a seed from the context's random source, the one SeedOf draws from.
        int NextSeed(int epochs)
        {
            var ml = new MLContext(seed: 1);
            var data = MLNetTestData.Keyed(ml, out _);
            var options = MLNetTestData.SmallEmbedding();
            options.Seed = 3;
            options.Epochs = epochs;
            ml.MultiInterest().GraphEmbedding(options).Fit(data);
            return ml.MultiInterest().GraphEmbedding(MLNetTestData.SmallEmbedding()).EngineOptions.Seed;
        }
        Assert.Equal(NextSeed(2), NextSeed(3));
    }

    [Fact]
    public void RetrievalInBlocks_EqualsOneBlock()
    {
        // More users than one block: the lists must not depend on the blocking.
        var (_, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 6, users: FittedServing.UsersPerBlock + 40, itemsPerUserPerGroup: 2, dim: 8, seed: 3);
        var ml = new MLContext(seed: 1);
        var edges = new List<MLNetTestData.Edge>();
        for (int u = 0; u < graph.UserCount; u++)
            foreach (int i in graph.ItemsOf(u)) edges.Add(new MLNetTestData.Edge { User = $"u{u}", Item = $"i{i}" });
        var raw = ml.Data.LoadFromEnumerable(edges);
        var data = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
        var options = MLNetTestData.SmallEmbedding();
        options.Epochs = 1;
        var embedded = ml.MultiInterest().GraphEmbedding(options).Fit(data).Transform(data);
        var progress = new Recorder();
        var model = ml.MultiInterest().UnimodalRetriever(new UnimodalRetrieverEstimator.Options { Candidates = 5, Threads = 1, Progress = progress }).Fit(embedded);
        Assert.Equal(2, progress.Reports.Count);
        Assert.Equal(FittedServing.UsersPerBlock, progress.Reports[0].Completed);

        // Every user, in either block, got a full list of unseen items: a block copied to the wrong place would leave empty or foreign lists.
        var output = model.Transform(embedded);
        var keys = MLNetTestData.Keys(output, "User");
        var items = MLNetTestData.Keys(output, "Item");
        var seen = keys.Zip(items).ToLookup(p => p.First, p => p.Second);
        using var cursor = output.GetRowCursor(output.Schema);
        var getUser = cursor.GetGetter<uint>(output.Schema["User"]);
        var getCandidates = cursor.GetGetter<Microsoft.ML.Data.VBuffer<uint>>(output.Schema["Candidates"]);
        uint user = 0;
        var list = default(Microsoft.ML.Data.VBuffer<uint>);
        var checkedUsers = new HashSet<uint>();
        while (cursor.MoveNext())
        {
            getUser(ref user);
            if (!checkedUsers.Add(user)) continue;
            getCandidates(ref list);
            var candidates = list.DenseValues().ToArray();
            Assert.Equal(5, candidates.Count(k => k != 0));
            Assert.Empty(candidates.Intersect(seen[user]));
        }
        Assert.Equal(graph.UserCount, checkedUsers.Count);
    }

    [Fact]
    public void ThePipelinePageSnippet_CompilesRuns_AndIsOnThePage()
    {
        var ml = new MLContext(seed: 1);
        var data = MLNetTestData.Keyed(ml, out _);
        // The page's code as it stands; what it prints is checked by the tests above through a recorder (Console is shared
        // with the CLI tests running in parallel, so it is not captured here).
        {
            #region Progress
            using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            var options = new GraphEmbeddingTrainer.Options
            {
                Progress = new Progress<MultiInterestProgress>(p => Console.WriteLine($"{p.Stage}: {p.Completed}/{p.Total} {p.Message}")),
                CancellationToken = cancel.Token,
            };
            #endregion
            options.Algorithm = EmbeddingAlgorithm.NegativeSampling;
            options.Epochs = 2;
            options.Dimension = 8;
            Assert.Equal(2, ml.MultiInterest().GraphEmbedding(options).Fit(data).Epochs.Count);
        }

        DocSnippets.AssertOnPage(Path.Combine("MLNet", nameof(ProgressCancellationSeedTests) + ".cs"), "Progress", "docs/pipeline.md");
    }
}
