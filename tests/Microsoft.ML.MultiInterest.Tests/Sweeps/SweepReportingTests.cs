using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.Tests.MLNet;

namespace Microsoft.ML.MultiInterest.Tests.Sweeps;

/// <summary>
/// What a sweep says of its trials beyond their figures (an audit of 2026-12-07 found each missing or wrong): the vectors
/// Auto chose, a space parameter no trial reads, MMR pools that would run another pool's trial, a hold-out saved under a
/// .csv name.
/// </summary>
public sealed class SweepReportingTests
{
    private static IDataView Edges(MLContext ml) => ml.Data.LoadFromEnumerable(SweepValidationSplitTests.Rows()
        .Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }).ToList());

    [Fact]
    public void Every_trial_names_the_vectors_it_fitted_and_the_refit_its_own()
    {
        var ml = new MLContext(seed: 3);
        var warnings = MLNetTestData.Warnings(ml);
        var rows = SweepValidationSplitTests.Rows();
        var edges = ml.Data.LoadFromEnumerable(rows.Concat(rows.Take(4)).Select(e => new MLNetTestData.Edge { User = e.User, Item = e.Item }).ToList());
        var options = SweepTestData.Options();
        options.BaseSettings!.Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, AutoMaxDimension = 16 };
        var result = ml.MultiInterest().Sweep(edges, SweepSearchSpace.Parse("method=unimodal,mmr"), options);
        // Auto's choice, which the trial's settings (algorithm auto, the dimension asked) cannot say.
        Assert.All(result.Outcome.Trials, t => Assert.Matches("^(truncated-svd|implicit-als) d=\\d+ ", t.Embedding));
        Assert.Equal(EmbeddingAlgorithm.Auto, result.Best!.Settings.Embedding.Algorithm);
        Assert.Matches("^(truncated-svd|implicit-als) d=\\d+ ", result.RefitEmbedding);
        // The refit's GraphEmbedding warned of nothing the sweep had said already: one repeated-pair warning, from Sweep.
        Assert.Single(warnings, w => w.Contains("repeat a (user, item) pair"));
    }

    [Fact]
    public void A_space_parameter_no_trial_reads_is_warned_of()
    {
        var ml = new MLContext(seed: 3);
        var warnings = MLNetTestData.Warnings(ml);
        var options = SweepTestData.Options();
        options.BaseSettings!.Embedding = new GraphEmbeddingOptions { Algorithm = EmbeddingAlgorithm.Auto, AutoMaxDimension = 16 };
        var result = ml.MultiInterest().Sweep(Edges(ml), SweepSearchSpace.Parse("dimension=6,8"), options, refitBest: false);
        Assert.Single(result.Outcome.Trials);
        Assert.Contains(warnings, w => w.Contains("The search space varies 'dimension', which no trial reads") && w.Contains("algorithm auto"));

        // Read by some trials (the truncated SVD's), not warned of.
        var read = MLNetTestData.Warnings(ml);
        ml.MultiInterest().Sweep(Edges(ml), SweepSearchSpace.Parse("algorithm=auto,truncated-svd;dimension=6,8"), options, refitBest: false);
        Assert.DoesNotContain(read, w => w.Contains("which no trial reads"));
        Assert.Equal(["mmr-pool"], SweepParameterCatalog.UnreadParameters(SweepSearchSpace.Parse("lambda=0,0.8;mmr-pool=20,30"), new SweepSettings()));
        Assert.Empty(SweepParameterCatalog.UnreadParameters(SweepSearchSpace.Parse("method=knn-embed,mmr;mmr-pool=20,30"), new SweepSettings()));
    }

    [Theory]
    [InlineData("method=mmr;mmr-pool=5,20", 5, "is below K (Cutoff 10)")]
    [InlineData("method=mmr;mmr-pool=20,100000,200000", 200000, "are all at or above the")]
    public void Mmr_pools_that_would_run_another_pools_trial_are_refused(string space, int value, string message)
    {
        var ml = new MLContext(seed: 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MultiInterest().Sweep(Edges(ml), SweepSearchSpace.Parse(space), SweepTestData.Options(), refitBest: false));
        Assert.Equal("space", e.ParamName);
        Assert.Equal(value, e.ActualValue);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Base_clusters_and_pools_no_trial_reads_are_not_refused()
    {
        // 2,000 clusters on a small catalogue: an MMR sweep never clusters, so the base settings' clusters do not matter; nor
        // does a pool below K in a kNN-Embed sweep, which reads no pool (warned of as unread instead).
        var ml = new MLContext(seed: 3);
        var options = SweepTestData.Options();
        options.BaseSettings!.Method = SweepRetrievalMethod.Mmr;
        options.BaseSettings.Clustering = new SphericalKMeansOptions { Clusters = 2000 };
        Assert.Equal(2, ml.MultiInterest().Sweep(Edges(ml), SweepSearchSpace.Parse("mmr-lambda=0.2,0.3"), options, refitBest: false).Outcome.Trials.Count(t => !t.IsDefaults));
        var knn = SweepTestData.Options();
        ml.MultiInterest().Sweep(Edges(ml), SweepSearchSpace.Parse("lambda=0.8;mmr-pool=5"), knn, refitBest: false);
        // Read by a kNN-Embed trial, the same clusters are refused.
        options.BaseSettings.Method = SweepRetrievalMethod.KnnEmbed;
        var e = Assert.Throws<ArgumentException>(() => ml.MultiInterest().Sweep(Edges(ml), SweepSearchSpace.Parse("lambda=0.3,0.5"), options, refitBest: false));
        Assert.Equal("BaseSettings", e.ParamName);
    }

    [Theory]
    [InlineData("inner.csv", "validation.tsv", "trainPath")]
    [InlineData("inner.tsv", "validation.CSV.gz", "validationPath")]
    public void A_hold_out_saved_under_a_csv_name_is_refused(string train, string validation, string parameter)
    {
        var ml = new MLContext(seed: 3);
        var result = ml.MultiInterest().Sweep(Edges(ml), SweepSearchSpace.Parse("method=unimodal,mmr"), SweepTestData.Options(), refitBest: false);
        string directory = Directory.CreateTempSubdirectory("mi-sweep-csv-").FullName;
        try
        {
            var e = Assert.Throws<ArgumentException>(() => result.ValidationSplit.Save(Path.Combine(directory, train), Path.Combine(directory, validation)));
            Assert.Equal(parameter, e.ParamName);
            Assert.Contains("tab-separated", e.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
