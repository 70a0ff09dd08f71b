using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The library's warnings about one option's value on the data (Dimension above min(users, items), Components above the
/// clusters, Candidates above the items) name the option in their source, so that an application maps it to its own
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

    [Theory]
    [InlineData("GraphEmbeddingTrainer; option Dimension", "Dimension")]
    [InlineData("GraphEmbeddingTrainer; GraphEmbeddingTrainer", null)]
    [InlineData("option ", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void OptionOf_reads_the_sources_last_part(string? source, string? option) => Assert.Equal(option, MultiInterestLog.OptionOf(source));
}
