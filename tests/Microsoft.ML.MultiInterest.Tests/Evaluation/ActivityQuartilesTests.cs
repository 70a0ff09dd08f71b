using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Evaluation;

public class ActivityQuartilesTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(1001)]
    public void QuartilesPartitionTheUsersByDegree(int users)
    {
        var random = new Random(users);
        var degrees = Enumerable.Range(0, users).Select(_ => 1 + (int)Math.Floor(Math.Exp(random.NextDouble() * 4))).ToArray();
        var q = ActivityQuartiles.Assign(degrees);
        Assert.Equal(users, q.Sizes.Sum());
        Assert.Equal(users, q.Groups.Count);
        for (int g = 0; g < ActivityQuartiles.Count; g++) Assert.Equal(q.Sizes[g], q.Groups.Count(x => x == g));
        for (int u = 0; u < users; u++)
        {
            int g = q.Groups[u];
            Assert.InRange(degrees[u], q.LowerDegree[g], q.UpperDegree[g]);
            // Equal degrees share a group, and a more active user is never in a lower group.
            for (int v = 0; v < users; v++)
                if (degrees[v] > degrees[u]) Assert.True(q.Groups[v] >= g);
                else if (degrees[v] == degrees[u]) Assert.Equal(g, q.Groups[v]);
        }
        // Groups do not overlap.
        for (int g = 1; g < ActivityQuartiles.Count; g++)
            if (q.Sizes[g] > 0 && q.Sizes[g - 1] > 0) Assert.True(q.LowerDegree[g] > q.UpperDegree[g - 1]);
    }

    [Fact]
    public void DistinctDegreesSplitIntoFourEqualGroups()
    {
        var q = ActivityQuartiles.Assign(Enumerable.Range(1, 40).Reverse().ToArray());
        Assert.Equal(new[] { 10, 10, 10, 10 }, q.Sizes);
        Assert.Equal(new[] { 1, 11, 21, 31 }, q.LowerDegree);
        Assert.Equal(new[] { 10, 20, 30, 40 }, q.UpperDegree);
    }

    [Fact]
    public void GroupMeansAverageToTheOverallMean()
    {
        int[] cutoffs = [2, 4];
        var items = TestGraphs.RandomMatrix(30, 5, 1).Normalized();
        var random = new Random(2);
        int users = 37;
        var lists = Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, 30).OrderBy(_ => random.Next()).Take(4).ToArray()).ToArray();
        var held = Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, 30).OrderBy(_ => random.Next()).Take(3).Order().ToArray()).ToArray();
        var quartiles = ActivityQuartiles.Assign(Enumerable.Range(0, users).Select(u => u % 9 + 1).ToArray());
        var breakdown = MetricsScorer.Score(cutoffs, users, (c, q) => lists[q], q => held[q], items, null, 2, null, 0, quartiles.Groups, ActivityQuartiles.Count);
        for (int c = 0; c < cutoffs.Length; c++)
        {
            double weighted = breakdown.Groups.Where(g => g.Users > 0).Sum(g => g.Recall[c] * g.Users) / users;
            Assert.Equal(breakdown.All.Recall[c], weighted, 1e-12);
        }
        Assert.Equal(users, breakdown.Groups.Sum(g => g.Users));
    }
}
