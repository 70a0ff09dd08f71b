using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest.Tests.Embedding;

/// <summary>
/// A small synthetic graph with planted communities: users of group g engage mostly with items of group g.
/// Some in-community edges are held out so tests can check generalisation, not memorisation.
/// </summary>
internal sealed class PlantedGraph
{
    public const int Groups = 4;
    public const int UsersPerGroup = 40;
    public const int ItemsPerGroup = 30;

    public required BipartiteGraph Train { get; init; }

    /// <summary>Held-out in-community (user, item) pairs, none of them in <see cref="Train"/>.</summary>
    public required List<(int User, int Item)> HeldOut { get; init; }

    public static int GroupOfUser(int user) => user / UsersPerGroup;

    public static int GroupOfItem(int item) => item / ItemsPerGroup;

    public static PlantedGraph Create(int seed = 7, bool weighted = false)
    {
        var random = new Random(seed);
        var users = new List<int>();
        var items = new List<int>();
        var weights = new List<float>();
        var heldOut = new List<(int User, int Item)>();
        int userCount = Groups * UsersPerGroup, itemCount = Groups * ItemsPerGroup;
        for (int u = 0; u < userCount; u++)
        {
            int g = GroupOfUser(u);
            var chosen = new HashSet<int>();
            // 10 in-community items (2 of them held out) and 1 noise item from another group.
            while (chosen.Count < 10) chosen.Add(g * ItemsPerGroup + random.Next(ItemsPerGroup));
            int k = 0;
            foreach (int i in chosen)
            {
                if (k++ < 2) { heldOut.Add((u, i)); continue; }
                users.Add(u); items.Add(i); weights.Add(1f);
            }
            int other = (g + 1 + random.Next(Groups - 1)) % Groups;
            users.Add(u); items.Add(other * ItemsPerGroup + random.Next(ItemsPerGroup)); weights.Add(1f);
        }
        var graph = BipartiteGraph.FromEdges(userCount, itemCount, users.ToArray(), items.ToArray(), weighted ? weights.ToArray() : default);
        return new PlantedGraph { Train = graph, HeldOut = heldOut.Where(p => !graph.Contains(p.User, p.Item)).ToList() };
    }

    /// <summary>
    /// The fraction of (held-out in-community item, out-of-community item) pairs, per held-out edge, that the user
    /// scores in the right order: 1 is perfect, random embeddings give about 0.5.
    /// </summary>
    public double HeldOutAuc(GraphEmbeddingResult result)
    {
        long right = 0, total = 0;
        var itemRows = result.ItemEmbeddings;
        foreach (var (u, i) in HeldOut)
        {
            var query = result.UserEmbeddings.ReadRow(u);
            float positive = VectorMath.Dot(query, itemRows.ReadRow(i));
            for (int j = 0; j < itemRows.Rows; j++)
            {
                if (GroupOfItem(j) == GroupOfUser(u)) continue;
                total++;
                if (positive > VectorMath.Dot(query, itemRows.ReadRow(j))) right++;
            }
        }
        return (double)right / total;
    }

    /// <summary>Negative-sampling settings for a tiny graph (the SGD's own tests; Auto is tested on its own).</summary>
    public static GraphEmbeddingOptions SmallOptions() => new()
    {
        Algorithm = EmbeddingAlgorithm.NegativeSampling,
        Dimension = 16,
        Epochs = 30,
        ChunkSize = 16,
        BatchNegatives = 16,
        UniformNegatives = 16,
        LearningRate = 0.03f, // a tiny graph overfits at the full-size default
        Threads = 1,
        Seed = 3,
    };
}
