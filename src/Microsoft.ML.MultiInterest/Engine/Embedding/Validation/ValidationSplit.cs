namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A validation hold-out carved from training edges by the evaluation protocol's rule, on indices: every user with at
/// least three edges hands ceil(fraction × degree) of them, at most degree − 1, drawn uniformly with a fixed seed, to
/// validation; an edge whose item would be left with no training edge goes back. Both graphs keep the full user and item
/// index spaces. The draw walks users in index order and each user's edges in item-index order (indices follow the order
/// ids first appear in the edge file), so the same edges in another line order give another hold-out.
/// </summary>
internal sealed record ValidationSplit(BipartiteGraph Train, BipartiteGraph Validation)
{
    /// <summary>Users with at least this many edges give some to validation (the protocol's rule).</summary>
    public const int MinimumUserEdges = 3;

    /// <summary>
    /// Why a split of <paramref name="graph"/> holds no validation edge (call it when it holds none): no user has
    /// <see cref="MinimumUserEdges"/> edges (<paramref name="noUsers"/>, in the caller's words), or every edge drawn was its
    /// item's last training edge and went back (a graph of items engaged once each, such as one user's).
    /// </summary>
    internal static string WhyEmpty(BipartiteGraph graph, string noUsers)
    {
        int users = 0;
        for (int u = 0; u < graph.UserCount; u++) if (graph.DegreeOf(u) >= MinimumUserEdges) users++;
        // Until 2026-12-06 the callers said "no user has 3 edges" here too, which a user with ten edges reads as a bug.
        return users == 0 ? noUsers
            : $"every edge drawn from the {users:N0} {(users == 1 ? "user" : "users")} with {MinimumUserEdges} or more training edges was its item's last "
              + "training edge, and went back to training so that the item keeps one (each such item is engaged by that user alone)";
    }

    /// <summary>Splits <paramref name="graph"/>; deterministic for a seed.</summary>
    public static ValidationSplit Create(BipartiteGraph graph, double fraction, int seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be within (0, 1).");
        var random = new EmbeddingRandom(seed, 0x7A1);
        var heldOut = new bool[graph.EdgeCount];
        var offsets = graph.Offsets;
        int[] buffer = new int[16];
        for (int u = 0; u < graph.UserCount; u++)
        {
            int degree = graph.DegreeOf(u);
            if (degree < MinimumUserEdges) continue;
            // At most degree - 1, so every user keeps a training edge, as the protocol's split does (HoldOutSplitter);
            // the cap binds only above fraction (d - 1) / d, so fractions up to 2/3 draw as before it (2026-12-06).
            int count = Math.Min(degree - 1, (int)Math.Ceiling(fraction * degree - 1e-9));
            if (buffer.Length < degree) buffer = new int[degree];
            for (int j = 0; j < degree; j++) buffer[j] = offsets[u] + j;
            for (int j = 0; j < count; j++)
            {
                int pick = j + random.NextInt(degree - j);
                (buffer[j], buffer[pick]) = (buffer[pick], buffer[j]);
                heldOut[buffer[j]] = true;
            }
        }

        // An item must keep a training edge, or its vector could not be learned: such edges go back to training.
        var trainDegree = new int[graph.ItemCount];
        var items = graph.EdgeItems;
        for (int e = 0; e < items.Length; e++) if (!heldOut[e]) trainDegree[items[e]]++;
        var trainUsers = new List<int>(graph.EdgeCount);
        var trainItems = new List<int>(graph.EdgeCount);
        var trainWeights = graph.HasWeights ? new List<float>(graph.EdgeCount) : null;
        var trainRelations = graph.HasRelations ? new List<int>(graph.EdgeCount) : null;
        var validUsers = new List<int>();
        var validItems = new List<int>();
        var weights = graph.EdgeWeights;
        var relations = graph.EdgeRelations;
        for (int u = 0; u < graph.UserCount; u++)
        {
            for (int e = offsets[u]; e < offsets[u + 1]; e++)
            {
                if (heldOut[e] && trainDegree[items[e]] > 0)
                {
                    validUsers.Add(u);
                    validItems.Add(items[e]);
                }
                else
                {
                    trainUsers.Add(u);
                    trainItems.Add(items[e]);
                    trainWeights?.Add(weights[e]);
                    trainRelations?.Add(relations[e]);
                }
            }
        }
        var train = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, trainUsers.ToArray(), trainItems.ToArray(),
            trainWeights == null ? default : trainWeights.ToArray(), trainRelations == null ? default : trainRelations.ToArray(), graph.RelationCount);
        var validation = BipartiteGraph.FromEdges(graph.UserCount, graph.ItemCount, validUsers.ToArray(), validItems.ToArray());
        return new ValidationSplit(train, validation);
    }
}
