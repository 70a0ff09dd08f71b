using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Retrieval;

public class MmrRetrieverTests
{
    private static (EmbeddingMatrix Items, EmbeddingMatrix Users, BipartiteGraph Train) World()
    {
        var random = new Random(3);
        var items = TestGraphs.RandomMatrix(80, 9, 4);
        // Duplicate rows make exact ties, which the unimodal ranking sends to the lower row.
        for (int i = 60; i < 80; i++) items.ReadRow(i - 60).CopyTo(items.Row(i));
        var users = TestGraphs.RandomMatrix(25, 9, 5);
        var u = new List<int>();
        var it = new List<int>();
        for (int user = 0; user < 25; user++)
            foreach (int i in Enumerable.Range(0, 80).OrderBy(_ => random.Next()).Take(random.Next(0, 12))) { u.Add(user); it.Add(i); }
        return (items, users, BipartiteGraph.FromEdges(25, 80, u.ToArray(), it.ToArray()));
    }

    [Fact]
    public void LambdaOneEqualsTheUnimodalRanking()
    {
        var (items, users, train) = World();
        var served = Enumerable.Range(0, 25).ToArray();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, train, 40, threads: 2);
        var unimodal = new UnimodalRetriever(items).Retrieve(users, served, train, 15, threads: 1);
        var mmr = new MmrRetriever(items).Rerank(pool, 15, lambda: 1, poolSize: 40, threads: 2);
        for (int q = 0; q < served.Length; q++)
        {
            Assert.Equal(unimodal.IndicesOf(q).ToArray(), mmr.IndicesOf(q).ToArray());
            Assert.Equal(unimodal.ScoresOf(q).ToArray(), mmr.ScoresOf(q).ToArray());
        }
    }

    [Theory]
    [InlineData(80, 40, 6)]    // the shared cosine table
    [InlineData(400, 300, 6)]  // a pool wider than the table: cosines computed per pick
    [InlineData(80, 40, 37)]   // dimensions wide enough for the vector dot (two widths and a tail)
    [InlineData(400, 300, 37)]
    public void A_sweep_over_lambdas_gives_each_lambdas_own_reranking_bit_for_bit(int itemCount, int poolSize, int dimension)
    {
        var items = TestGraphs.RandomMatrix(itemCount, dimension, 9);
        var users = TestGraphs.RandomMatrix(12, dimension, 10);
        var served = Enumerable.Range(0, 12).ToArray();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, null, poolSize, threads: 1);
        var retriever = new MmrRetriever(items);
        double[] lambdas = [0, 0.3, 0.75, 1];
        var swept = retriever.RerankMany(pool, 20, lambdas, poolSize, null, threads: 2);
        Assert.Equal(lambdas.Length, swept.Length);
        for (int t = 0; t < lambdas.Length; t++)
        {
            var single = retriever.Rerank(pool, 20, lambdas[t], poolSize, threads: 1);
            for (int q = 0; q < served.Length; q++)
            {
                Assert.Equal(single.IndicesOf(q).ToArray(), swept[t].IndicesOf(q).ToArray());
                Assert.Equal(single.ScoresOf(q).ToArray(), swept[t].ScoresOf(q).ToArray());
            }
        }
        // Not a degenerate sweep: the lambdas disagree somewhere.
        Assert.NotEqual(swept[0].IndicesOf(0).ToArray(), swept[^1].IndicesOf(0).ToArray());
    }

    [Theory]
    [InlineData(0.0, 6)]
    [InlineData(0.5, 6)]
    [InlineData(0.0, 37)]
    [InlineData(0.5, 37)]
    public void The_greedy_pass_is_MMR_as_defined_with_one_dot_per_pair(double lambda, int dimension)
    {
        // The definition, written plainly: min-max relevance over the pool (never rising along it), each pair's cosine one
        // dot of unit vectors, the first item with the strictly largest value. The retriever's cosines (four per call, the
        // unpicked kept in a list) must pick the same items.
        var items = TestGraphs.RandomMatrix(120, dimension, 11);
        var users = TestGraphs.RandomMatrix(15, dimension, 12);
        var served = Enumerable.Range(0, 15).ToArray();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, null, 45, threads: 1);
        var lists = new MmrRetriever(items).Rerank(pool, 30, lambda, 45, threads: 2);
        var unit = items.Normalized();
        for (int q = 0; q < served.Length; q++)
        {
            var candidates = pool.IndicesOf(q).ToArray();
            var scores = pool.ScoresOf(q).ToArray();
            int n = candidates.Length;
            double top = scores.Max(), bottom = scores.Min();
            var relevance = scores.Select(x => top > bottom ? (x - bottom) / (top - bottom) : 1.0).ToArray();
            for (int r = 1; r < n; r++) relevance[r] = Math.Min(relevance[r], relevance[r - 1]);
            var redundancy = Enumerable.Repeat(double.NegativeInfinity, n).ToArray();
            var picked = new bool[n];
            var expected = new List<int>();
            for (int slot = 0; slot < 30; slot++)
            {
                int best = -1;
                double bestValue = double.NegativeInfinity;
                for (int r = 0; r < n; r++)
                {
                    if (picked[r]) continue;
                    double value = slot == 0 ? lambda * relevance[r] : lambda * relevance[r] - (1 - lambda) * redundancy[r];
                    if (best < 0 || value > bestValue) (best, bestValue) = (r, value);
                }
                picked[best] = true;
                expected.Add(candidates[best]);
                for (int r = 0; r < n; r++)
                    if (!picked[r]) redundancy[r] = Math.Max(redundancy[r], VectorMath.Dot(unit.ReadRow(candidates[best]), unit.ReadRow(candidates[r])));
            }
            Assert.Equal(expected, lists.IndicesOf(q).ToArray());
        }
    }

    [Fact]
    public void SmallerLambdaGivesMoreDiverseListsWithoutSeenOrDuplicateItems()
    {
        var (items, users, train) = World();
        var served = Enumerable.Range(0, 25).ToArray();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, train, 40);
        var unit = items.Normalized();
        var retriever = new MmrRetriever(items);
        double previous = double.NegativeInfinity;
        foreach (double lambda in new[] { 1.0, 0.7, 0.3 })
        {
            var lists = retriever.Rerank(pool, 10, lambda, 40);
            double diversity = 0;
            for (int q = 0; q < served.Length; q++)
            {
                var list = lists.IndicesOf(q).ToArray();
                Assert.Equal(10, list.Length);
                Assert.Equal(10, list.Distinct().Count());
                Assert.DoesNotContain(list, i => train.Contains(q, i));
                Assert.All(list, i => Assert.Contains(i, pool.IndicesOf(q).ToArray()));
                Assert.Equal(pool.IndicesOf(q)[0], list[0]);
                diversity += RetrievalMetrics.Diversity(list, unit);
            }
            Assert.True(diversity > previous, $"lambda {lambda}: diversity {diversity} <= {previous}");
            previous = diversity;
        }
    }

    [Fact]
    public void ListsArePrefixStableAcrossCutoffs()
    {
        var (items, users, train) = World();
        var served = Enumerable.Range(0, 25).ToArray();
        var pool = new UnimodalRetriever(items).Retrieve(users, served, train, 30);
        var retriever = new MmrRetriever(items);
        var ten = retriever.Rerank(pool, 10, 0.5, 30);
        var twenty = retriever.Rerank(pool, 20, 0.5, 30);
        for (int q = 0; q < served.Length; q++) Assert.Equal(ten.IndicesOf(q).ToArray(), twenty.IndicesOf(q)[..10].ToArray());
    }

    [Theory]
    [InlineData(-0.1, 10, 5, "lambda")]
    [InlineData(1.5, 10, 5, "lambda")]
    [InlineData(double.NaN, 10, 5, "lambda")]
    [InlineData(0.5, 0, 5, "poolSize")]
    [InlineData(0.5, 10, 0, "candidates")]
    public void BadOptionsAreNamed(double lambda, int pool, int candidates, string name)
    {
        var (items, users, train) = World();
        var lists = new UnimodalRetriever(items).Retrieve(users, [0], train, 10);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MmrRetriever(items).Rerank(lists, candidates, lambda, pool));
        Assert.Equal(name, e.ParamName);
    }
}
