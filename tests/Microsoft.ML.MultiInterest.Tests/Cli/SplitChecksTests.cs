using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>The share a split warning prints: a few edges of many never read as 0.0 %.</summary>
public sealed class SplitChecksTests
{
    [Theory]
    [InlineData(5, 13_722, "0.04 %")]
    [InlineData(1, 10, "10.0 %")]
    [InlineData(1, 1_000, "0.1 %")]
    [InlineData(0, 7, "0.0 %")]
    [InlineData(7, 7, "100.0 %")]
    public void A_share_that_is_not_zero_never_prints_as_zero(long part, long whole, string expected) =>
        Assert.Equal(expected, SplitChecks.Share(part, whole));
}
