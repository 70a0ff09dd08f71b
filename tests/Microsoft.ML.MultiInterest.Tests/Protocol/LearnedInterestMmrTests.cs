using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Protocol;

/// <summary>A learned multi-vector model served by history-interest MMR (<see cref="LearnedInterestMmr"/>).</summary>
public class LearnedInterestMmrTests
{
    private static (BipartiteGraph Train, BipartiteGraph Test, MixtureEmbeddingResult Model, EmbeddingMatrix Means) World()
    {
        var (items, _, graph, _) = TestGraphs.TwoInterestUsers(groups: 4, itemsPerGroup: 12, users: 30, itemsPerUserPerGroup: 4, dim: 8, seed: 5);
        // Hold out each user's last item; the model's two components per user are random directions, its weights unequal.
        var trainUsers = new List<int>();
        var trainItems = new List<int>();
        var testUsers = new List<int>();
        var testItems = new List<int>();
        for (int u = 0; u < graph.UserCount; u++)
        {
            var row = graph.ItemsOf(u).ToArray();
            for (int j = 0; j < row.Length; j++)
                (j == row.Length - 1 ? testUsers : trainUsers).Add(u);
            for (int j = 0; j < row.Length; j++)
                (j == row.Length - 1 ? testItems : trainItems).Add(row[j]);
        }
        var train = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, trainUsers.ToArray(), trainItems.ToArray());
        var test = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, testUsers.ToArray(), testItems.ToArray());
        var components = TestGraphs.RandomMatrix(graph.UserCount * 2, 8, 6);
        var weights = Enumerable.Range(0, graph.UserCount * 2).Select(i => i % 2 == 0 ? 0.7 : 0.3).ToArray();
        var model = new MixtureEmbeddingResult(2, 1, components, items, weights);
        var means = new EmbeddingMatrix(graph.UserCount, 8);
        for (int u = 0; u < graph.UserCount; u++)
            for (int d = 0; d < 8; d++) means.Row(u)[d] = (components.ReadRow(2 * u)[d] + components.ReadRow(2 * u + 1)[d]) / 2;
        return (train, test, model, means);
    }

    [Fact]
    public void Lambda_one_without_the_term_ranks_by_the_best_of_the_users_vectors_and_never_returns_seen_or_duplicate_items()
    {
        var (train, test, model, means) = World();
        var rows = LearnedInterestMmr.Evaluate("m", train, test, model, means, model.ItemComponents, [10], [1.0, 0.5], interestWeight: 0, poolSize: 20, threads: 1);
        Assert.Equal(["m@lambda=1", "m@lambda=0.5"], rows.Select(r => r.Name));
        var testUsers = Enumerable.Range(0, test.UserCount).Where(u => test.DegreeOf(u) > 0).ToArray();
        var best = rows[0].Candidates[10];
        for (int q = 0; q < testUsers.Length; q++)
        {
            int u = testUsers[q];
            // Brute force: every unseen item by max(mean, component 0, component 1), descending, ties to the lower row.
            float[][] vectors = [means.ReadRow(u).ToArray(), model.ComponentsOfUser(u)[..8].ToArray(), model.ComponentsOfUser(u)[8..].ToArray()];
            var expected = Enumerable.Range(0, model.ItemCount).Where(i => !train.Contains(u, i))
                .Select(i => (i, s: vectors.Max(v => VectorMath.Dot(v, model.ItemComponents.ReadRow(i)))))
                .OrderByDescending(p => p.s).ThenBy(p => p.i).Take(10).Select(p => p.i).ToArray();
            Assert.Equal(expected, best.IndicesOf(q).ToArray());
            foreach (var row in rows)
            {
                var list = row.Candidates[10].IndicesOf(q).ToArray();
                Assert.Equal(list.Length, list.Distinct().Count());
                Assert.DoesNotContain(list, i => train.Contains(u, i));
            }
        }
    }

    [Fact]
    public void Models_with_several_vectors_per_item_are_refused_by_name()
    {
        var (train, test, model, means) = World();
        var twoPerItem = new MixtureEmbeddingResult(2, 2, model.UserComponents, TestGraphs.RandomMatrix(model.ItemCount * 2, 8, 1), model.UserWeights);
        var e = Assert.Throws<ArgumentException>(() => LearnedInterestMmr.Evaluate("m", train, test, twoPerItem, means, model.ItemComponents, [10], [1.0]));
        Assert.Equal("model", e.ParamName);
    }
}
