using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

/// <summary>
/// The engine's answers to "which interest placed this candidate": the round robin's best component as its merge records
/// it, the history-interest term's interest of each listed item, each history interest's own group of the history, and the
/// fusion's best entry per item. Each is checked against what only that answer could give: the component's own ranking and
/// weight, the pool's assignment, the group's fold-in, the source's own list.
/// </summary>
public class PlacedByTests
{
    /// <summary>Random users with 1..4 components of random weights over random item vectors.</summary>
    private static MixtureTable RandomMixtures(int users, int maxComponents, int dim, int seed)
    {
        var random = new Random(seed);
        var table = new MixtureTable(users, maxComponents, dim);
        for (int u = 0; u < users; u++)
        {
            int n = 1 + random.Next(maxComponents);
            table.SetCount(u, n);
            var weights = Enumerable.Range(0, n).Select(_ => 0.1 + random.NextDouble()).ToArray();
            double total = weights.Sum();
            for (int c = 0; c < n; c++)
            {
                table.WritableWeights(u)[c] = weights[c] / total;
                var e = table.WritableEmbedding(u, c);
                for (int k = 0; k < dim; k++) e[k] = (float)(random.NextDouble() * 2 - 1);
            }
        }
        return table;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void RoundRobinComponents_AreTheComponentsWhoseWeightOverRankGaveEachScore(int destinationComponents)
    {
        const int users = 12, items = 40, dim = 6, k = 8;
        var itemComponents = TestGraphs.RandomMatrix(items * destinationComponents, dim, seed: 5);
        var mixtures = RandomMixtures(users, 4, dim, seed: 7);
        var graph = BipartiteGraph.FromEdges(users, items, Enumerable.Range(0, users).SelectMany(u => new[] { u, u }).ToArray(),
            Enumerable.Range(0, users).SelectMany(u => new[] { u % items, (3 * u + 1) % items }).ToArray());
        var retriever = new RoundRobinRetriever(itemComponents, destinationComponents);
        var userRows = Enumerable.Range(0, users).ToArray();
        var plain = retriever.Retrieve(mixtures, userRows, graph, [k], threads: 1)[0];
        var lists = retriever.RetrieveWithComponents(mixtures, userRows, graph, k, threads: 1, out var placedBy);
        int checkedItems = 0, notFirst = 0;
        for (int q = 0; q < users; q++)
        {
            // The same lists as without components.
            Assert.Equal(plain.IndicesOf(q).ToArray(), lists.IndicesOf(q).ToArray());
            Assert.Equal(plain.ScoresOf(q).ToArray(), lists.ScoresOf(q).ToArray());
            int n = mixtures.ComponentCount(q);
            // Each component's own ranking: the round robin of that component alone, weight 1 (score 1 / rank).
            var ranks = new Dictionary<int, int>[n];
            for (int c = 0; c < n; c++)
            {
                var alone = new MixtureTable(1, 1, dim);
                alone.SetCount(0, 1);
                alone.WritableWeights(0)[0] = 1;
                mixtures.Embedding(q, c).CopyTo(alone.WritableEmbedding(0, 0));
                var single = retriever.Retrieve(alone, [0], BipartiteGraph.FromEdges(1, items, [0, 0], graph.ItemsOf(q).ToArray()), [k], threads: 1)[0];
                ranks[c] = single.IndicesOf(0).ToArray().Select((item, r) => (item, r)).ToDictionary(p => p.item, p => p.r + 1);
            }
            var weights = mixtures.Weights(q);
            for (int r = 0; r < lists.Counts[q]; r++)
            {
                int item = lists.IndicesOf(q)[r], c = placedBy[q * k + r];
                Assert.InRange(c, 0, n - 1);
                Assert.True(ranks[c].TryGetValue(item, out int rank), $"user {q}: item {item} is not in its component {c}'s own list");
                Assert.Equal((float)(weights[c] / rank), lists.ScoresOf(q)[r]);
                // No component scores the item higher, and none before it as high (the first reaching the maximum).
                for (int other = 0; other < n; other++)
                {
                    if (!ranks[other].TryGetValue(item, out int otherRank)) continue;
                    float score = (float)(weights[other] / otherRank);
                    Assert.True(score < lists.ScoresOf(q)[r] || (score == lists.ScoresOf(q)[r] && other >= c), $"user {q}, item {item}: component {other} beats {c}");
                }
                checkedItems++;
                if (c > 0) notFirst++;
            }
            for (int r = lists.Counts[q]; r < k; r++) Assert.Equal(-1, placedBy[q * k + r]);
        }
        Assert.True(checkedItems > 50);
        Assert.True(notFirst > 10, "the lists should mix components");
    }

    [Theory]
    [InlineData(HistoryPoolSearch.Exact, 0)]
    [InlineData(HistoryPoolSearch.Clustered, 2)]
    public void HistoryInterestsOfListedItems_AreThePoolsAssignment(HistoryPoolSearch search, int userProbes)
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 10, users: 16, itemsPerUserPerGroup: 4, dim: 6, seed: 2);
        var noisy = items.Clone();
        var random = new Random(4);
        for (int i = 0; i < noisy.Values.Length; i++) noisy.Values[i] += (float)(0.3 * (random.NextDouble() - 0.5));
        var options = new HistoryInterestOptions { MaxInterests = 3, ItemsPerInterest = 2, Regularization = 0.05, UnobservedWeight = 0.05 };
        var userRows = Enumerable.Range(0, graph.UserCount).ToArray();
        var interests = HistoryInterests.Build(graph, noisy, userRows, options, threads: 1);
        var userVectors = TestGraphs.RandomMatrix(graph.UserCount, 6, seed: 9);
        var pool = new HistoryPoolOptions { Search = search, Lists = 4, Probes = 2, UserProbes = userProbes };
        var retriever = new HistoryInterestRetriever(noisy, pool);
        const int poolSize = 16, m = 8;
        var (candidates, term) = retriever.Pool(userVectors, interests, graph, poolSize, interestWeight: 0.5, threads: 1);
        var lists = retriever.Rerank(candidates, term, m, lambda: 0.6, poolSize, threads: 1);
        Assert.Equal(lists.IndicesOf(0).ToArray(), retriever.Retrieve(userVectors, interests, graph, m, 0.6, 0.5, poolSize, threads: 1).IndicesOf(0).ToArray());
        int compared = 0;
        var seen = new HashSet<int>();
        for (int q = 0; q < userRows.Length; q++)
        {
            var listed = lists.IndicesOf(q);
            var told = retriever.InterestsOf(interests, q, listed);
            var poolItems = candidates.IndicesOf(q).ToArray();
            for (int r = 0; r < listed.Length; r++)
            {
                int slot = Array.IndexOf(poolItems, listed[r]);
                Assert.True(slot >= 0);
                Assert.Equal(term.Assignment[q * term.PoolSize + slot], told[r]);
                seen.Add(told[r]);
                compared++;
            }
        }
        Assert.True(compared >= 100);
        Assert.True(seen.Count >= 3, "several interests should place items");
        // An entry without interests tells -1.
        var none = HistoryInterests.WeightsOnly([0], 1, 6, [0], [], options);
        Assert.All(retriever.InterestsOf(none, 0, [1, 2, 3]), c => Assert.Equal(-1, c));
    }

    [Fact]
    public void EachHistoryGroup_IsWhatItsInterestWasFoldedInFrom_AndPlantedGroupsAreRecovered()
    {
        var (items, itemGroup, graph, userGroups) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 10, users: 12, itemsPerUserPerGroup: 4, dim: 6, seed: 3);
        var options = new HistoryInterestOptions { MaxInterests = 4, ItemsPerInterest = 4, Regularization = 0.05, UnobservedWeight = 0.05 };
        var users = Enumerable.Range(0, graph.UserCount).ToArray();
        var interests = HistoryInterests.Build(graph, items, users, options, threads: 1);
        var builder = new HistoryInterestBuilder(items, options, threads: 1);
        var x = new float[items.Dimension];
        foreach (int u in users)
        {
            var history = graph.ItemsOf(u).ToArray();
            var groups = HistoryInterests.GroupsOf(builder, history);
            // Two planted groups of 4 items each, 8 / 4 = 2 interests: each interest is one planted group.
            Assert.Equal(2, interests.InterestCount(u));
            for (int g = 0; g < 2; g++)
            {
                var members = history.Where((_, i) => groups[i] == g).ToArray();
                Assert.Single(members.Select(i => itemGroup[i]).Distinct());
                Assert.Contains(itemGroup[members[0]], userGroups[u]);
                Assert.Equal(members.Length / (double)history.Length, interests.Weights(u)[g], 12);
                builder.FoldIn.Solve(members, default, x, builder.FoldIn.CreateScratch(members.Length));
                Assert.Equal(x, interests.Vectors(u).Slice(g * items.Dimension, items.Dimension).ToArray());
            }
        }
        Assert.Empty(HistoryInterests.GroupsOf(builder, []));
    }

    [Fact]
    public void FusionTellsEachItemsBestEntry()
    {
        var row = new RankFusionRow();
        row.AddList([5, 6, 7, 8], 0.6, source: 0);
        row.AddList([7, 9, 5, 10], 0.4, source: 1);
        var items = new int[6];
        var scores = new float[6];
        var sources = new int[6];
        var ranks = new int[6];
        int kept = row.TakeBest(items, scores, sources, ranks);
        Assert.Equal(6, kept);
        // 5: 0.6 / 1 (source 0, rank 0); 7: 0.4 / 1 (source 1) beats 0.6 / 3; 6: 0.6 / 2; 9: 0.4 / 2; 8: 0.6 / 4; 10: 0.4 / 4.
        Assert.Equal([5, 7, 6, 9, 8, 10], items);
        Assert.Equal([0, 1, 0, 1, 0, 1], sources);
        Assert.Equal([0, 0, 1, 1, 3, 3], ranks);
        var plain = new RankFusionRow();
        plain.AddList([5, 6, 7, 8], 0.6, source: 0);
        plain.AddList([7, 9, 5, 10], 0.4, source: 1);
        var plainItems = new int[6];
        var plainScores = new float[6];
        plain.TakeBest(plainItems, plainScores);
        Assert.Equal(plainItems, items);
        Assert.Equal(plainScores, scores);
    }
}
