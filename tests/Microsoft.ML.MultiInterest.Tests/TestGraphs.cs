using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests;

/// <summary>Small synthetic data with planted structure, shared by the tests.</summary>
internal static class TestGraphs
{
    /// <summary>
    /// Items in <paramref name="groups"/> well-separated directions (one per group, plus noise); each
    /// user engages with items of two groups. Returns item embeddings, the true group of each item and the graph.
    /// </summary>
    public static (EmbeddingMatrix Items, int[] ItemGroup, BipartiteGraph Graph, int[][] UserGroups) TwoInterestUsers(
        int groups = 4, int itemsPerGroup = 12, int users = 40, int itemsPerUserPerGroup = 4, int dim = 8, int seed = 1)
    {
        var random = new Random(seed);
        int itemCount = groups * itemsPerGroup;
        var items = new EmbeddingMatrix(itemCount, dim);
        var itemGroup = new int[itemCount];
        for (int i = 0; i < itemCount; i++)
        {
            int g = i / itemsPerGroup;
            itemGroup[i] = g;
            var row = items.Row(i);
            for (int d = 0; d < dim; d++) row[d] = (float)(0.05 * (random.NextDouble() - 0.5));
            row[g % dim] += 1f;
        }
        var userList = new List<int>();
        var itemList = new List<int>();
        var userGroups = new int[users][];
        for (int u = 0; u < users; u++)
        {
            int g1 = u % groups, g2 = (u / groups + 1 + g1) % groups;
            if (g2 == g1) g2 = (g1 + 1) % groups;
            userGroups[u] = [g1, g2];
            foreach (int g in userGroups[u])
            {
                var picks = Enumerable.Range(g * itemsPerGroup, itemsPerGroup).OrderBy(_ => random.Next()).Take(itemsPerUserPerGroup);
                foreach (int i in picks)
                {
                    userList.Add(u);
                    itemList.Add(i);
                }
            }
        }
        var graph = BipartiteGraph.FromEdges(users, itemCount, userList.ToArray(), itemList.ToArray());
        return (items, itemGroup, graph, userGroups);
    }

    public static EmbeddingMatrix RandomMatrix(int rows, int dim, int seed)
    {
        var random = new Random(seed);
        var m = new EmbeddingMatrix(rows, dim);
        for (int i = 0; i < m.Values.Length; i++) m.Values[i] = (float)(random.NextDouble() * 2 - 1);
        return m;
    }
}
