using MultiInterest.Cli;
using MultiInterest.Cli.Common;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The default --clusters on a small catalogue: capped at one cluster per 10 items with a direction, said in those terms.</summary>
public sealed class DefaultClustersTests
{
    [Fact]
    public void The_cap_counts_the_items_with_a_direction_and_says_so()
    {
        var log = new StringWriter();
        Assert.Equal(3, DefaultClusters.For(37, 2000, given: false, log, zeroVectors: 2));
        Assert.Contains("the default 2,000 clusters would hold fewer than 10 of the 37 items with a non-zero vector (of 39) each; using 3 (one per 10 items", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalogue_larger_than_the_default_count_is_not_called_too_few_items()
    {
        // lastfm-2k's 17,632 items are more than 2,000 but fewer than 10 a cluster: the warning said "17,632 items are too
        // few for the default 2,000 clusters", which reads as false; it now names the 10 items a cluster the cap keeps.
        var log = new StringWriter();
        Assert.Equal(1763, DefaultClusters.For(17_632, 2000, given: false, log));
        string warning = log.ToString();
        Assert.Contains("the default 2,000 clusters would hold fewer than 10 of the 17,632 items each; using 1,763 (one per 10 items; pass --clusters to choose)", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("too few", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_given_count_is_kept_or_refused_never_capped()
    {
        var log = new StringWriter();
        Assert.Equal(20, DefaultClusters.For(37, 20, given: true, log));
        Assert.Empty(log.ToString());
        var e = Assert.Throws<UsageException>(() => DefaultClusters.For(37, 38, given: true, log, zeroVectors: 2));
        Assert.Contains("than the 37 items with a non-zero vector (of 39) there are to cluster: give at most 37", e.Message, StringComparison.Ordinal);
    }
}
