using System.Globalization;
using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.Sweeps;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The library's log and progress messages read alike in every culture: a de-DE service logged "lambda 0,6" and
/// "mean loss 2,2005" beside lines formatted invariantly.
/// </summary>
public sealed class LogCultureTests
{
    /// <summary>A culture whose separators no invariant message holds, so any number formatted in it shows.</summary>
    private static CultureInfo Marked()
    {
        var culture = (CultureInfo)CultureInfo.GetCultureInfo("de-DE").Clone();
        culture.NumberFormat.NumberDecimalSeparator = "§";
        culture.NumberFormat.NumberGroupSeparator = "¤";
        culture.NumberFormat.PercentDecimalSeparator = "§";
        return culture;
    }

    [Fact]
    public void Fitting_evaluating_and_sweeping_log_numbers_in_the_invariant_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = Marked();
        try
        {
            var ml = new MLContext(seed: 1);
            var messages = new List<string>();
            var progress = new List<string>();
            ml.Log += (_, e) => { if (e.Kind != Microsoft.ML.Runtime.ChannelMessageKind.Trace) lock (messages) messages.Add(e.RawMessage); };
            var mi = ml.MultiInterest();
            var raw = ml.Data.LoadFromEnumerable(MLNetTestData.WiderEdges());
            var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
            var report = new Collect(progress);
            foreach (var algorithm in new[] { EmbeddingAlgorithm.Auto, EmbeddingAlgorithm.NegativeSampling })
            {
                var embedded = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = algorithm, Dimension = 8, Threads = 1, Progress = report })
                    .Fit(keyed).Transform(keyed);
                var clustered = mi.SphericalKMeans(new SphericalKMeansTrainer.Options { NumberOfClusters = 4, Progress = report }).Fit(embedded).Transform(embedded);
                var mixed = mi.KnnSmoothedMixture(new KnnSmoothedMixtureEstimator.Options { Components = 2, Neighbors = 3, Lambda = 0.8, Progress = report })
                    .Fit(clustered).Transform(clustered);
                mi.ClusterQuotaRetriever(new ClusterQuotaRetrieverEstimator.Options { Candidates = 5, Alpha = 0.5, Beta = 0.3, HeadShare = 0.25 }).Fit(mixed);
                mi.MmrRetriever(new MmrRetrieverEstimator.Options { Candidates = 5, Lambda = 0.6, PoolSize = 12 }).Fit(mixed);
                if (algorithm == EmbeddingAlgorithm.Auto)
                    mi.MmrRetriever(new MmrRetrieverEstimator.Options
                    {
                        Candidates = 5, Lambda = 0.6, PoolSize = 12, InterestWeight = 0.3, Interests = MmrInterests.History, ItemsPerInterest = 3, MaxInterests = 3,
                    }).Fit(mixed);
            }
            var options = SweepTestData.Options();
            mi.Sweep(ml.Data.LoadFromEnumerable(MLNetTestData.Edges()), SweepTestData.LambdaByNeighbors(), options, refitBest: false);

            // Each stage logged, with decimals among its numbers: the check below has something to find.
            Assert.Contains(messages, m => m.StartsWith("Epoch ", StringComparison.Ordinal) && m.Contains("mean loss", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("Validation measurement", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("objective 0.", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("lambda = 0.8", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("(lambda 0.6)", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("History interests: up to 3", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.StartsWith("trial ", StringComparison.Ordinal) && m.Contains("Recall@", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.StartsWith("sweep stopped", StringComparison.Ordinal));
            Assert.NotEmpty(progress);
            Assert.DoesNotContain(messages.Concat(progress), m => m.Contains('§') || m.Contains('¤'));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    /// <summary>Collects progress messages on the reporting thread (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class Collect(List<string> messages) : IProgress<MultiInterestProgress>
    {
        public void Report(MultiInterestProgress value)
        {
            lock (messages) messages.Add(value.Message);
        }
    }
}
