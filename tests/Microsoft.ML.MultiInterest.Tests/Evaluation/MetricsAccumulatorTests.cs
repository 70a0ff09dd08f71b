using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Evaluation;

public class MetricsAccumulatorTests
{
    private static readonly EmbeddingMatrix Items = new(4, 2, [1, 0, 0, 1, -1, 0, 0, -1]);

    [Fact]
    public void ReportsMeansOverUsersPerCutoff()
    {
        var acc = new MetricsAccumulator(1, 2);
        // User A: top-1 = [0] misses, top-2 = [0, 1] hits item 1; EMD 0.2.
        acc.Add([0, 1, 2], [1], Items, 0.2);
        // User B: list shorter than 2, so top-2 is the one-item list; recall 1/2 at both cutoffs; EMD 0.4.
        acc.Add([3], [2, 3], Items, 0.4);

        Assert.Equal(2, acc.UserCount);
        Assert.Equal([1, 2], acc.Cutoffs);
        Assert.Equal((0.0 + 0.5) / 2, acc.MeanRecall(1), 1e-15);
        Assert.Equal((1.0 + 0.5) / 2, acc.MeanRecall(2), 1e-15);
        Assert.Equal(0.0, acc.MeanDiversity(1));
        // A's top-2 is {e1, e2}: sqrt(0.5); B's list has one item: 0.
        Assert.Equal(Math.Sqrt(0.5) / 2, acc.MeanDiversity(2), 1e-12);
        Assert.Equal(0.3, acc.MeanEarthMoversDistance, 1e-15);
    }

    [Fact]
    public void EmptyAccumulatorReportsNaNAndUnknownCutoffsThrow()
    {
        var acc = new MetricsAccumulator(10, 20, 50);
        Assert.Equal(0, acc.UserCount);
        Assert.True(double.IsNaN(acc.MeanRecall(10)));
        Assert.True(double.IsNaN(acc.MeanDiversity(50)));
        Assert.True(double.IsNaN(acc.MeanEarthMoversDistance));
        Assert.Throws<ArgumentOutOfRangeException>(() => acc.MeanRecall(5));
    }

    [Fact]
    public void RejectsBadCutoffsAndBadValuesWithoutChangingState()
    {
        Assert.Throws<ArgumentException>(() => new MetricsAccumulator());
        Assert.Throws<ArgumentException>(() => new MetricsAccumulator(0, 10));
        Assert.Throws<ArgumentException>(() => new MetricsAccumulator(20, 10));
        Assert.Throws<ArgumentException>(() => new MetricsAccumulator(10, 10));

        var acc = new MetricsAccumulator(1, 2);
        acc.Add([0, 1], [1], Items, 0.5);
        Assert.Equal("earthMoversDistance", Assert.Throws<ArgumentException>(() => acc.Add([0], [0], Items, double.NaN)).ParamName);
        Assert.Equal("heldOut", Assert.Throws<ArgumentException>(() => acc.Add([0], [], Items, 0.1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => acc.Add([0, 9], [0], Items, 0.1)); // fails at the second cutoff
        Assert.Equal("recalls", Assert.Throws<ArgumentException>(() => acc.Add([1.5, 0], [0, 0], 0)).ParamName);
        Assert.Equal("diversities", Assert.Throws<ArgumentException>(() => acc.Add([0.5, 0], [0], 0)).ParamName);
        Assert.Equal(1, acc.UserCount);
        Assert.Equal(0.0, acc.MeanRecall(1));
        Assert.Equal(1.0, acc.MeanRecall(2));
        Assert.Equal(0.5, acc.MeanEarthMoversDistance);
    }

    [Fact]
    public void MergingPerThreadAccumulatorsMatchesOneSequentialAccumulator()
    {
        var rng = new Random(47);
        int[] cutoffs = [10, 20, 50];
        var users = Enumerable.Range(0, 200).Select(_ => (
            Recalls: cutoffs.Select(_ => rng.NextDouble()).ToArray(),
            Diversities: cutoffs.Select(_ => rng.NextDouble() * 2).ToArray(),
            Emd: rng.NextDouble())).ToArray();

        var sequential = new MetricsAccumulator(cutoffs);
        foreach (var u in users) sequential.Add(u.Recalls, u.Diversities, u.Emd);

        MetricsAccumulator MergedInParts()
        {
            var parts = Enumerable.Range(0, 4).Select(_ => new MetricsAccumulator(cutoffs)).ToArray();
            for (int k = 0; k < users.Length; k++) parts[k % 4].Add(users[k].Recalls, users[k].Diversities, users[k].Emd);
            var total = new MetricsAccumulator(cutoffs);
            foreach (var part in parts) total.Merge(part);
            return total;
        }

        var merged = MergedInParts();
        Assert.Equal(sequential.UserCount, merged.UserCount);
        foreach (int k in cutoffs)
        {
            Assert.Equal(users.Average(u => u.Recalls[Array.IndexOf(cutoffs, k)]), merged.MeanRecall(k), 1e-12);
            Assert.Equal(sequential.MeanRecall(k), merged.MeanRecall(k), 1e-12);
            Assert.Equal(sequential.MeanDiversity(k), merged.MeanDiversity(k), 1e-12);
        }

        Assert.Equal(sequential.MeanEarthMoversDistance, merged.MeanEarthMoversDistance, 1e-12);

        // Same merge order, same bits.
        var again = MergedInParts();
        foreach (int k in cutoffs) Assert.Equal(merged.MeanDiversity(k), again.MeanDiversity(k));
        Assert.Equal(merged.MeanEarthMoversDistance, again.MeanEarthMoversDistance);
    }

    [Fact]
    public void MergeRejectsDifferentCutoffsAndItself()
    {
        var acc = new MetricsAccumulator(10, 20);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => acc.Merge(new MetricsAccumulator(10, 50))).ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => acc.Merge(acc)).ParamName);
        var other = new MetricsAccumulator(10, 20);
        other.Add([1.0, 1.0], [0.5, 0.5], 0.25);
        acc.Merge(other);
        acc.Merge(new MetricsAccumulator(10, 20)); // merging an empty one changes nothing
        Assert.Equal(1, acc.UserCount);
        Assert.Equal(1, other.UserCount);
        Assert.Equal(0.25, acc.MeanEarthMoversDistance);
    }
}
