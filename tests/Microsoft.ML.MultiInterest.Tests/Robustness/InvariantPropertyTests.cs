using CsCheck;
using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Robustness;

/// <summary>
/// Invariants of the mixtures and the quota retrieval on generated graphs (CsCheck): every stored mixture's weights sum
/// to 1 and are positive; every list of M candidates holds min(M, eligible items) distinct items, none of them seen in
/// training, with M = Σ quotas when the clusters can fill them.
/// </summary>
public class InvariantPropertyTests
{
    /// <summary>A random small world: users, items, edges, dimension, clusters, m, k, lambda, alpha, M.</summary>
    private static readonly Gen<World> Worlds =
        Gen.Select(Gen.Int[2, 12], Gen.Int[3, 30], Gen.Int[0, 100_000], Gen.Int[1, 6], Gen.Int[1, 6])
            .Select(Gen.Int[1, 6], Gen.Int[1, 4], Gen.Double[0, 1], Gen.Double[0, 3], Gen.Int[1, 40],
                (a, m, k, lambda, alpha, candidates) => new World(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, m, k, lambda, alpha, candidates));

    [Fact]
    public void MixtureWeights_SumToOne_AndListsHoldNoDuplicateOrSeenItem()
    {
        Worlds.Sample(w =>
        {
            var rng = new Random(w.Seed);
            var items = TestGraphs.RandomMatrix(w.Items, w.Dimension, w.Seed);
            var users = TestGraphs.RandomMatrix(w.Users, w.Dimension, w.Seed + 1);
            var edgeUsers = new List<int>();
            var edgeItems = new List<int>();
            for (int u = 0; u < w.Users; u++)
                for (int e = rng.Next(1, Math.Max(2, w.Items / 2)); e > 0; e--)
                {
                    edgeUsers.Add(u);
                    edgeItems.Add(rng.Next(w.Items));
                }
            var train = BipartiteGraph.FromEdges(w.Users, w.Items, edgeUsers.ToArray(), edgeItems.ToArray());
            int clusters = Math.Min(w.Clusters, w.Items);
            var assignments = Enumerable.Range(0, w.Items).Select(i => i < clusters ? i : rng.Next(clusters)).ToArray();
            var clustering = ItemClustering.Create(assignments, clusters, items);
            var everyone = Enumerable.Range(0, w.Users).ToArray();

            var mle = MixtureBuilder.BuildMle(train, clustering, items, w.Components, threads: 1);
            var eligible = Enumerable.Range(0, w.Users).Select(u => train.DegreeOf(u) > 0).ToArray();
            var neighbors = new ExactNeighborIndex(users, eligible).Search(users, everyone, Math.Min(w.Neighbors, w.Users - 1), threads: 1);
            var smoothed = KnnSmoother.Smooth(train, clustering, items, mle, everyone, neighbors, w.Lambda, threads: 1);
            foreach (var table in new[] { mle, smoothed })
                foreach (int u in everyone)
                {
                    var weights = table.Weights(u);
                    Assert.InRange(weights.Length, 1, Math.Min(w.Components, clusters));
                    Assert.All(weights.ToArray(), x => Assert.True(x > 0 && double.IsFinite(x)));
                    Assert.Equal(1.0, weights.ToArray().Sum(), 9);
                    Assert.Equal(weights.Length, table.Clusters(u).ToArray().Distinct().Count());
                }

            var fallback = new UnimodalRetriever(items).Retrieve(users, everyone, train, w.Candidates, threads: 1);
            var lists = new ClusterQuotaRetriever(items, clustering).Retrieve(smoothed, everyone, train, [w.Candidates], w.Alpha, fallback, threads: 1)[0];
            for (int q = 0; q < everyone.Length; q++)
            {
                var list = lists.IndicesOf(q).ToArray();
                var seen = train.ItemsOf(everyone[q]).ToArray();
                Assert.Equal(list.Length, list.Distinct().Count());
                Assert.Empty(list.Intersect(seen));
                Assert.All(list, i => Assert.InRange(i, 0, w.Items - 1));
                // The quotas sum to M; leftovers pass on and the unimodal ranking fills the rest, so a list is short only
                // when fewer than M items are left to recommend.
                Assert.Equal(Math.Min(w.Candidates, w.Items - seen.Length), list.Length);
            }
        }, iter: 300, threads: 1);
    }

    private sealed record World(int Users, int Items, int Seed, int Dimension, int Clusters, int Components, int Neighbors, double Lambda, double Alpha, int Candidates);
}
