using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary><see cref="RankFusion"/>: the round-robin rule over whole lists.</summary>
public class RankFusionTests
{
    /// <summary>Lists of distinct items drawn from a small catalogue, so that the sources overlap often.</summary>
    private static RankedLists RandomLists(Random random, int queries, int capacity, int items)
    {
        var lists = new RankedLists(queries, capacity);
        for (int q = 0; q < queries; q++)
        {
            var chosen = Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(random.Next(capacity + 1)).ToArray();
            chosen.CopyTo(lists.IndexSlots(q));
            lists.Counts[q] = chosen.Length;
        }
        return lists;
    }

    [Fact]
    public void Fuse_EqualsABruteForceReference_TiesIncluded()
    {
        var random = new Random(5);
        // Weights 1 and 0.5 make ties between ranks (1/2 = 0.5/1), so the tie rule is exercised.
        double[] weights = [1, 0.5, 0.25];
        var sources = Enumerable.Range(0, 3).Select(_ => RandomLists(random, 200, 8, 15)).ToArray();
        foreach (int k in new[] { 1, 5, 30 })
        {
            var fused = RankFusion.Fuse(sources, weights, k);
            for (int q = 0; q < 200; q++)
            {
                var best = new Dictionary<int, (double Score, int Source, int Rank)>();
                for (int l = 0; l < sources.Length; l++)
                {
                    var items = sources[l].IndicesOf(q).ToArray();
                    for (int r = 0; r < items.Length; r++)
                    {
                        var entry = (weights[l] / (r + 1), l, r);
                        if (!best.TryGetValue(items[r], out var old) || entry.Item1 > old.Score) best[items[r]] = entry;
                    }
                }
                var expected = best.OrderByDescending(p => p.Value.Score).ThenBy(p => p.Value.Source).ThenBy(p => p.Value.Rank).ThenBy(p => p.Key)
                    .Take(k).ToArray();
                Assert.Equal(expected.Select(p => p.Key), fused.IndicesOf(q).ToArray());
                Assert.Equal(expected.Select(p => (float)p.Value.Score), fused.ScoresOf(q).ToArray());
            }
        }
    }

    [Fact]
    public void A_zero_weight_source_contributes_nothing_and_a_lone_source_is_returned_as_it_is()
    {
        var random = new Random(6);
        var a = RandomLists(random, 50, 10, 30);
        var b = RandomLists(random, 50, 10, 30);
        var fused = RankFusion.Fuse([a, b], [0.7, 0], 10);
        for (int q = 0; q < 50; q++) Assert.Equal(a.IndicesOf(q).ToArray(), fused.IndicesOf(q).ToArray());
        var shorter = RankFusion.Fuse([b], [1], 4);
        for (int q = 0; q < 50; q++) Assert.Equal(b.IndicesOf(q)[..Math.Min(4, b.Counts[q])].ToArray(), shorter.IndicesOf(q).ToArray());
    }

    [Fact]
    public void BadInput_NamesTheArgument()
    {
        var a = new RankedLists(3, 2);
        var b = new RankedLists(4, 2);
        Assert.Equal("sources", Assert.Throws<ArgumentException>(() => RankFusion.Fuse([a, b], [1, 1], 2)).ParamName);
        Assert.Equal("sources", Assert.Throws<ArgumentException>(() => RankFusion.Fuse([], [], 2)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => RankFusion.Fuse([a, a], [1], 2)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentOutOfRangeException>(() => RankFusion.Fuse([a, a], [1, -0.1], 2)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentOutOfRangeException>(() => RankFusion.Fuse([a, a], [1, double.NaN], 2)).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => RankFusion.Fuse([a, a], [0, 0], 2)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => RankFusion.Fuse([a], [1], 0)).ParamName);
    }
}
