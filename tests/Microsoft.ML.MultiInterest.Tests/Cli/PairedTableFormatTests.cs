using Microsoft.ML.MultiInterest.Engine;
using MultiInterest.Cli;

namespace Microsoft.ML.MultiInterest.Tests.Cli;

/// <summary>How the "Against Unimodal" table writes a paired difference, including over a single user (no standard error).</summary>
public sealed class PairedTableFormatTests
{
    [Theory]
    [InlineData(0.0055, 0.0009, "+0.55 ± 0.09")]
    [InlineData(-0.0123, 0.004, "-1.23 ± 0.40")]
    [InlineData(-0.00001, 0.0001, "-0.001 ± 0.01")]
    [InlineData(-8e-6, 0.00051, "-0.001 ± 0.05")] // Deezer's Recall@50: short of Unimodal's, which "0.00" hid
    [InlineData(-1e-9, 0.00051, "0.00 ± 0.05")]
    [InlineData(0.00005, 0.0001, "+0.01 ± 0.01")] // judged by the printed text ("F" rounds half away from zero)
    [InlineData(0.25, double.NaN, "+25.00 ± n/a")]
    [InlineData(0.019, 0.0000043, "+1.90 ± 0.0004")]
    [InlineData(0.0055, 0, "+0.55 ± 0.00")]
    [InlineData(2.1e-18, 1.6e-18, "0.00 ± 0.00")]
    [InlineData(double.NaN, double.NaN, "n/a")]
    public void Writes_the_difference_whenever_there_is_one(double difference, double standardError, string expected) =>
        Assert.Equal(expected, PairedTable.Format(new PairedDifference(difference, standardError, 1), 100, 2));
}
