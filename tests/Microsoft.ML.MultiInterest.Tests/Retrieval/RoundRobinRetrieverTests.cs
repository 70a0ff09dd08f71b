using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class RoundRobinRetrieverTests
{
    /// <summary>The definition, written out: per component the K·C_d nearest unseen item components, summed per item, ranked; max_c w_c / rank_c.</summary>
    private static List<int> BruteForce(MixtureTable mixtures, int user, EmbeddingMatrix itemComponents, int cd, BipartiteGraph seen, int k)
    {
        int items = itemComponents.Rows / cd;
        var best = new Dictionary<int, (double Score, int Component)>();
        var weights = mixtures.Weights(user);
        for (int c = 0; c < mixtures.ComponentCount(user); c++)
        {
            var query = mixtures.Embedding(user, c).ToArray();
            var nearest = Enumerable.Range(0, itemComponents.Rows)
                .Where(r => !seen.Contains(user, r / cd))
                .Select(r => (Row: r, Score: (double)VectorMath.Dot(query, itemComponents.ReadRow(r))))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Row).Take(k * cd);
            var ranked = nearest.GroupBy(p => p.Row / cd).Select(g => (Item: g.Key, Sum: g.Sum(p => p.Score)))
                .OrderByDescending(p => p.Sum).ThenBy(p => p.Item).ToList();
            for (int r = 0; r < ranked.Count; r++)
            {
                double score = weights[c] / (r + 1);
                if (!best.TryGetValue(ranked[r].Item, out var held) || score > held.Score) best[ranked[r].Item] = (score, c);
            }
        }
        return best.OrderByDescending(p => p.Value.Score).ThenBy(p => p.Value.Component).ThenBy(p => p.Key).Take(k).Select(p => p.Key).ToList();
    }

    private static (MixtureTable Mixtures, EmbeddingMatrix ItemComponents, BipartiteGraph Seen) World(int cd, bool equalWeights, int seed)
    {
        const int users = 12, items = 40, d = 6, m = 3;
        var random = new Random(seed);
        var itemComponents = TestGraphs.RandomMatrix(items * cd, d, seed);
        var mixtures = new MixtureTable(users, m, d);
        var edgeUsers = new List<int>();
        var edgeItems = new List<int>();
        for (int u = 0; u < users; u++)
        {
            int count = 1 + u % m;
            mixtures.SetCount(u, count);
            var w = mixtures.WritableWeights(u);
            var raw = Enumerable.Range(0, count).Select(_ => equalWeights ? 1.0 : 0.2 + random.NextDouble()).OrderByDescending(x => x).ToArray();
            for (int c = 0; c < count; c++)
            {
                w[c] = raw[c] / raw.Sum();
                mixtures.WritableClusters(u)[c] = c;
                var e = mixtures.WritableEmbedding(u, c);
                for (int j = 0; j < d; j++) e[j] = (float)(random.NextDouble() * 2 - 1);
            }
            foreach (int i in Enumerable.Range(0, items).OrderBy(_ => random.Next()).Take(5)) { edgeUsers.Add(u); edgeItems.Add(i); }
        }
        return (mixtures, itemComponents, BipartiteGraph.FromEdges(users, items, edgeUsers.ToArray(), edgeItems.ToArray()));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void EqualsTheBruteForceDefinition(int cd, bool equalWeights)
    {
        var (mixtures, itemComponents, seen) = World(cd, equalWeights, seed: 4 + cd);
        var users = Enumerable.Range(0, mixtures.UserCount).ToArray();
        int[] cutoffs = [1, 3, 7, 20];
        var lists = new RoundRobinRetriever(itemComponents, cd).Retrieve(mixtures, users, seen, cutoffs, threads: 2);
        for (int t = 0; t < cutoffs.Length; t++)
        {
            for (int q = 0; q < users.Length; q++)
            {
                var got = lists[t].IndicesOf(q).ToArray();
                Assert.Equal(BruteForce(mixtures, users[q], itemComponents, cd, seen, cutoffs[t]), got);
                Assert.Equal(got.Length, got.Distinct().Count());
                Assert.DoesNotContain(got, i => seen.Contains(users[q], i));
            }
        }
    }

    [Fact]
    public void OneUserRequestsReuseTheMergeScratch_CleanAndWithoutItsAllocation()
    {
        // A catalogue large enough that a merge scratch (about 17 bytes per item) dwarfs the rest of a request.
        const int items = 20_000, d = 6;
        var (mixtures, _, _) = World(1, false, seed: 11);
        var itemComponents = TestGraphs.RandomMatrix(items, d, seed: 12);
        var seen = BipartiteGraph.FromEdges(mixtures.UserCount, items, [0, 1, 2], [5, 6, 7]);
        var retriever = new RoundRobinRetriever(itemComponents);
        var all = Enumerable.Range(0, mixtures.UserCount).ToArray();
        var together = retriever.Retrieve(mixtures, all, seen, [10], threads: 1)[0];
        long smallest = long.MaxValue;
        // Users one at a time, twice over: each list is the batch's, so every scratch handed on was clean.
        foreach (int u in all.Concat(all))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var alone = retriever.Retrieve(mixtures, [u], seen, [10], threads: 1)[0];
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(together.IndicesOf(u).ToArray(), alone.IndicesOf(0).ToArray());
            Assert.Equal(together.ScoresOf(u).ToArray(), alone.ScoresOf(0).ToArray());
        }
        Assert.True(smallest < 17L * items / 2, $"A one-user request allocated {smallest:N0} bytes: the merge scratch was not reused.");
    }

    [Fact]
    public void EachCutoffIsItsOwnRetrievalAndThreadsDoNotMatter()
    {
        var (mixtures, itemComponents, seen) = World(2, false, seed: 9);
        var users = Enumerable.Range(0, mixtures.UserCount).Reverse().ToArray();
        var retriever = new RoundRobinRetriever(itemComponents, 2);
        var together = retriever.Retrieve(mixtures, users, seen, [5, 10], threads: 1);
        var alone = retriever.Retrieve(mixtures, users, seen, [10], threads: 3);
        for (int q = 0; q < users.Length; q++)
        {
            Assert.Equal(alone[0].IndicesOf(q).ToArray(), together[1].IndicesOf(q).ToArray());
            Assert.Equal(alone[0].ScoresOf(q).ToArray(), together[1].ScoresOf(q).ToArray());
        }
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var (mixtures, itemComponents, seen) = World(1, false, seed: 2);
        Assert.Equal("destinationComponents", Assert.Throws<ArgumentOutOfRangeException>(() => new RoundRobinRetriever(itemComponents, 0)).ParamName);
        Assert.Throws<ArgumentException>(() => new RoundRobinRetriever(itemComponents, 3));
        var retriever = new RoundRobinRetriever(itemComponents);
        Assert.Equal("cutoffs", Assert.Throws<ArgumentOutOfRangeException>(() => retriever.Retrieve(mixtures, [0], seen, [0])).ParamName);
    }
}
