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
        // NDCG@1: A misses (0), B's first item is held out (1). NDCG@2: A's hit at rank 2 gives 1/log2(3) over an
        // ideal of 1 (one held-out item); B's one hit at rank 1 gives 1 over an ideal of 1 + 1/log2(3) (two held out).
        Assert.Equal(0.5, acc.MeanNdcg(1), 1e-15);
        Assert.Equal((1 / Math.Log2(3) + 1 / (1 + 1 / Math.Log2(3))) / 2, acc.MeanNdcg(2), 1e-15);
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
        Assert.True(double.IsNaN(acc.MeanNdcg(20)));
        Assert.True(double.IsNaN(acc.MeanDiversity(50)));
        Assert.True(double.IsNaN(acc.MeanEarthMoversDistance));
        Assert.Throws<ArgumentOutOfRangeException>(() => acc.MeanRecall(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => acc.MeanNdcg(5));
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
        Assert.Equal("recalls", Assert.Throws<ArgumentException>(() => acc.Add([1.5, 0], [0, 0], [0, 0], 0)).ParamName);
        Assert.Equal("ndcgs", Assert.Throws<ArgumentException>(() => acc.Add([0.5, 0], [0.5, 1.01], [0, 0], 0)).ParamName);
        Assert.Equal("ndcgs", Assert.Throws<ArgumentException>(() => acc.Add([0.5, 0], [double.NaN, 0], [0, 0], 0)).ParamName);
        Assert.Equal("ndcgs", Assert.Throws<ArgumentException>(() => acc.Add([0.5, 0], [0.5], [0, 0], 0)).ParamName);
        Assert.Equal("diversities", Assert.Throws<ArgumentException>(() => acc.Add([0.5, 0], [0, 0], [0], 0)).ParamName);
        Assert.Equal(1, acc.UserCount);
        Assert.Equal(0.0, acc.MeanRecall(1));
        Assert.Equal(1.0, acc.MeanRecall(2));
        Assert.Equal(0.0, acc.MeanNdcg(1));
        Assert.Equal(1 / Math.Log2(3), acc.MeanNdcg(2), 1e-15);
        Assert.Equal(0.5, acc.MeanEarthMoversDistance);
    }

    [Fact]
    public void MergingPerThreadAccumulatorsMatchesOneSequentialAccumulator()
    {
        var rng = new Random(47);
        int[] cutoffs = [10, 20, 50];
        var users = Enumerable.Range(0, 200).Select(_ => (
            Recalls: cutoffs.Select(_ => rng.NextDouble()).ToArray(),
            Ndcgs: cutoffs.Select(_ => rng.NextDouble()).ToArray(),
            Diversities: cutoffs.Select(_ => rng.NextDouble() * 2).ToArray(),
            Emd: rng.NextDouble())).ToArray();

        var sequential = new MetricsAccumulator(cutoffs);
        foreach (var u in users) sequential.Add(u.Recalls, u.Ndcgs, u.Diversities, u.Emd);

        MetricsAccumulator MergedInParts()
        {
            var parts = Enumerable.Range(0, 4).Select(_ => new MetricsAccumulator(cutoffs)).ToArray();
            for (int k = 0; k < users.Length; k++) parts[k % 4].Add(users[k].Recalls, users[k].Ndcgs, users[k].Diversities, users[k].Emd);
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
            Assert.Equal(users.Average(u => u.Ndcgs[Array.IndexOf(cutoffs, k)]), merged.MeanNdcg(k), 1e-12);
            Assert.Equal(sequential.MeanNdcg(k), merged.MeanNdcg(k), 1e-12);
            Assert.Equal(sequential.MeanDiversity(k), merged.MeanDiversity(k), 1e-12);
        }

        Assert.Equal(sequential.MeanEarthMoversDistance, merged.MeanEarthMoversDistance, 1e-12);

        // Same merge order, same bits.
        var again = MergedInParts();
        foreach (int k in cutoffs)
        {
            Assert.Equal(merged.MeanNdcg(k), again.MeanNdcg(k));
            Assert.Equal(merged.MeanDiversity(k), again.MeanDiversity(k));
        }
        Assert.Equal(merged.MeanEarthMoversDistance, again.MeanEarthMoversDistance);
    }

    [Fact]
    public void MergeRejectsDifferentCutoffsAndItself()
    {
        var acc = new MetricsAccumulator(10, 20);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => acc.Merge(new MetricsAccumulator(10, 50))).ParamName);
        Assert.Equal("other", Assert.Throws<ArgumentException>(() => acc.Merge(acc)).ParamName);
        var other = new MetricsAccumulator(10, 20);
        other.Add([1.0, 1.0], [0.75, 1.0], [0.5, 0.5], 0.25);
        acc.Merge(other);
        acc.Merge(new MetricsAccumulator(10, 20)); // merging an empty one changes nothing
        Assert.Equal(1, acc.UserCount);
        Assert.Equal(1, other.UserCount);
        Assert.Equal(0.25, acc.MeanEarthMoversDistance);
        Assert.Equal(0.75, acc.MeanNdcg(10));
        Assert.Equal(1.0, acc.MeanNdcg(20));
    }

    [Fact]
    public void NdcgMeansAreTheMeansOfThePerUserNdcg()
    {
        var rng = new Random(53);
        int[] cutoffs = [1, 3, 8];
        var acc = new MetricsAccumulator(cutoffs);
        var sums = new double[cutoffs.Length];
        const int users = 60;
        for (int u = 0; u < users; u++)
        {
            var candidates = Enumerable.Range(0, rng.Next(0, 10)).Select(_ => rng.Next(Items.Rows)).ToArray();
            var heldOut = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(Items.Rows)).Distinct().Order().ToArray();
            acc.Add(candidates, heldOut, Items, 0);
            for (int c = 0; c < cutoffs.Length; c++) sums[c] += RetrievalMetrics.Ndcg(candidates, heldOut, cutoffs[c]);
        }
        for (int c = 0; c < cutoffs.Length; c++)
        {
            Assert.Equal(sums[c] / users, acc.MeanNdcg(cutoffs[c]), 1e-14);
            Assert.InRange(acc.MeanNdcg(cutoffs[c]), 0, 1);
        }
    }
}
