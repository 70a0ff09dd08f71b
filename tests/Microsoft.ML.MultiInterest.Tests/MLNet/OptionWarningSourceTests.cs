using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The library's warnings about one option's value on the data (Dimension above min(users, items) or not read under Auto,
/// Components above the clusters, Candidates above the items, edge weights far apart or far from 1) name the option in their source, so that an application maps it to its own
/// setting by <see cref="MultiInterestLog.OptionOf(LoggingEventArgs)"/> rather than by the message's words; other messages name none.
/// </summary>
public class OptionWarningSourceTests
{
    private static List<(string? Option, ChannelMessageKind Kind, string Message)> Messages(Action<MLContext> fit)
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<(string?, ChannelMessageKind, string)>();
        ml.Log += (_, e) => { lock (messages) messages.Add((MultiInterestLog.OptionOf(e), e.Kind, e.RawMessage)); };
        fit(ml);
        return messages;
    }

    private static IDataView Keyed(MLContext ml) => MLNetTestData.Keyed(ml, out _);

    [Fact]
    public void Each_option_warning_names_its_option_and_nothing_else_does()
    {
        var messages = Messages(ml =>
        {
            var mi = ml.MultiInterest();
            var embedded = mi.GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.ImplicitAls, Dimension = 20, Threads = 1 }).Fit(Keyed(ml)).Transform(Keyed(ml));
            var clustered = mi.SphericalKMeans(numberOfClusters: 2).Fit(embedded).Transform(embedded);
            var mixed = mi.KnnSmoothedMixture(components: 5, neighbors: 2).Fit(clustered).Transform(clustered);
            mi.ClusterQuotaRetriever(candidates: 500).Fit(mixed);
        });
        Assert.Contains(messages, m => m.Option == "Dimension" && m.Kind == ChannelMessageKind.Warning && m.Message.StartsWith("Dimension 20 exceeds min(users, items)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Option == "Components" && m.Kind == ChannelMessageKind.Warning && m.Message.StartsWith("Components (m = 5) exceeds", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Option == "Candidates" && m.Kind == ChannelMessageKind.Warning && m.Message.StartsWith("Candidates (M = 500) exceeds", StringComparison.Ordinal));
        // ML.NET also traces the channel's start and end under its source: the warnings are what name an option.
        Assert.Equal(3, messages.Count(m => m.Option != null && m.Kind == ChannelMessageKind.Warning));
    }

    /// <summary>
    /// The warnings an application is likely to say in its own names (a command line does, for its weights and a --dim Auto
    /// does not read) name their options too, so it can leave them out without matching their words.
    /// </summary>
    [Fact]
    public void The_weight_and_unread_dimension_warnings_name_their_options()
    {
        var messages = Messages(ml =>
        {
            var edges = MLNetTestData.Edges().Select((e, row) => new MLNetTestData.WeightedEdge { User = e.User, Item = e.Item, Weight = row == 7 ? 1e12f : 1 }).ToList();
            var raw = ml.Data.LoadFromEnumerable(edges);
            var keyed = MLNetTestData.KeyPipeline(ml).Fit(raw).Transform(raw);
            ml.MultiInterest().GraphEmbedding(new GraphEmbeddingTrainer.Options { Algorithm = EmbeddingAlgorithm.TruncatedSvd, Dimension = 4, WeightColumnName = "Weight", Threads = 1 }).Fit(keyed);
            ml.MultiInterest().GraphEmbedding(dimension: 6).Fit(MLNetTestData.Keyed(ml, out _));
        });
        var warnings = messages.Where(m => m.Kind == ChannelMessageKind.Warning).ToList();
        Assert.Contains(warnings, m => m.Option == "WeightColumnName" && m.Message.StartsWith("Column 'Weight' (option WeightColumnName): the largest weight", StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Option == "Dimension" && m.Message.StartsWith("Dimension is 6, but Algorithm is Auto", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, m => m.Option == null && (m.Message.Contains("largest weight", StringComparison.Ordinal) || m.Message.Contains("Algorithm is Auto", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_sweeps_weight_warning_names_its_parameter()
    {
        var messages = Messages(EdgeWeightWarningsTests.SweepOneHeavyWeight);
        Assert.Contains(messages, m => m.Kind == ChannelMessageKind.Warning && m.Option == "weightColumnName"
            && m.Message.StartsWith("Column 'Weight' (option weightColumnName): the largest weight", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GraphEmbeddingTrainer; option Dimension", "Dimension")]
    [InlineData("GraphEmbeddingTrainer; GraphEmbeddingTrainer", null)]
    [InlineData("option ", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void OptionOf_reads_the_sources_last_part(string? source, string? option) => Assert.Equal(option, MultiInterestLog.OptionOf(source));
}
