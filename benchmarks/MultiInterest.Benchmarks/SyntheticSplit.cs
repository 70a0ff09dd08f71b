using Microsoft.ML.MultiInterest.Engine;

namespace MultiInterest.Benchmarks;

/// <summary>
/// The evaluation protocol's per-user hold-out on integer edges (no string ids, so it scales to tens of millions of
/// edges): each user with at least 3 edges holds out ceil(20%) of them, chosen at random; held-out edges of an item
/// that kept no training edge go back to training.
/// </summary>
internal static class SyntheticSplit
{
    /// <summary>Splits <paramref name="graph"/> into training and test graphs over the same user and item rows.</summary>
    public static (BipartiteGraph Train, BipartiteGraph Test) Split(SyntheticGraph graph, int seed)
    {
        var random = new SplitMix64(((ulong)seed << 32) ^ 0xD1B54A32D192ED03UL);
        var users = graph.EdgeUsers;
        var items = (int[])graph.EdgeItems.Clone();
        var heldOut = new bool[items.Length];
        for (int start = 0; start < items.Length;)
        {
            int end = start;
            while (end < items.Length && users[end] == users[start]) end++;
            int degree = end - start;
            if (degree >= 3)
            {
                int hold = (int)Math.Ceiling(0.2 * degree);
                // Partial Fisher-Yates: the last `hold` slots of the user's run end up a uniform sample.
                for (int t = 0; t < hold; t++)
                {
                    int last = end - 1 - t;
                    int pick = start + random.NextInt(last - start + 1);
                    (items[last], items[pick]) = (items[pick], items[last]);
                    heldOut[last] = true;
                }
            }
            start = end;
        }

        var trainDegree = new int[graph.ItemCount];
        for (int e = 0; e < items.Length; e++) if (!heldOut[e]) trainDegree[items[e]]++;
        for (int e = 0; e < items.Length; e++) if (heldOut[e] && trainDegree[items[e]] == 0) heldOut[e] = false;

        int testCount = heldOut.Count(h => h);
        var trainUsers = new int[items.Length - testCount];
        var trainItems = new int[trainUsers.Length];
        var testUsers = new int[testCount];
        var testItems = new int[testCount];
        int tr = 0, te = 0;
        for (int e = 0; e < items.Length; e++)
        {
            if (heldOut[e]) { testUsers[te] = users[e]; testItems[te++] = items[e]; }
            else { trainUsers[tr] = users[e]; trainItems[tr++] = items[e]; }
        }
        return (BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, trainUsers, trainItems),
                BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, testUsers, testItems));
    }
}
