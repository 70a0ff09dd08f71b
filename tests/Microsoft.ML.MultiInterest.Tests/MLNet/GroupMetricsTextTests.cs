namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>An activity group's text shows its figures (a record's default printed the dictionaries' type names).</summary>
public sealed class GroupMetricsTextTests
{
    [Fact]
    public void ToString_lists_the_figures_by_cutoff()
    {
        var recall = new Dictionary<int, double> { [10] = 0.25, [50] = 0.5 };
        var ndcg = new Dictionary<int, double> { [10] = 0.125, [50] = 0.2 };
        var diversity = new Dictionary<int, double> { [10] = 0.75, [50] = 0.8 };
        var group = new MultiInterestGroupMetrics(1, 1, 3, 4, recall, ndcg, diversity, null);
        Assert.Equal("Q2: 1 user, training degree 3-4; @10 recall 0.2500 ndcg 0.1250 diversity 0.7500; @50 recall 0.5000 ndcg 0.2000 diversity 0.8000",
            group.ToString());
        Assert.EndsWith("; EMD 0.1000", (group with { UserCount = 2, Emd = 0.1 }).ToString(), StringComparison.Ordinal);
    }
}
