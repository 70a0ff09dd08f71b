namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Multi-task training of mixture embeddings (methods.md, section 1): the graph's edges carry relations (edge types),
/// each relation's destinations form its type, and negatives of a relation's edges are drawn from that type only: the
/// chunk's other items (chunks hold the edges of one relation), uniform draws over the relation's destinations and
/// degree-proportional draws by the degree within the relation. Relation weights scale the edges' losses (the loss is
/// the weighted sum over tasks); edges of a relation weighted 0 are left out of training.
/// </summary>
internal sealed class MixtureRelations
{
    private MixtureRelations(int[] edgeRelations, int[][] destinations, AliasSampler?[] degreeSamplers)
    {
        EdgeRelations = edgeRelations;
        Destinations = destinations;
        DegreeSamplers = degreeSamplers;
    }

    /// <summary>Number of relations R.</summary>
    public int Count => Destinations.Length;

    /// <summary>The relation of every training edge (aligned with the trainer's edge arrays).</summary>
    public int[] EdgeRelations { get; }

    /// <summary>Per relation, the items with an edge of that relation, ascending: the relation's destination type.</summary>
    public int[][] Destinations { get; }

    /// <summary>Per relation, a sampler over <see cref="Destinations"/> indices by degree^exponent within the relation (null without degree negatives).</summary>
    public AliasSampler?[] DegreeSamplers { get; }

    /// <summary>
    /// Throws when relations cannot be trained as asked: a graph with several relations given to another algorithm,
    /// relation weights that do not match the graph's relations, or only zero weights on relations that have edges.
    /// </summary>
    public static void Check(BipartiteGraph graph, GraphEmbeddingOptions o)
    {
        if (graph.RelationCount > 1 && o.Algorithm != EmbeddingAlgorithm.MixtureEmbedding)
            throw new ArgumentException($"The graph has {graph.RelationCount} relations (edge types), but only Algorithm = MixtureEmbedding trains on relations "
                + $"(Algorithm is {o.Algorithm}).", nameof(graph));
        if (o.Mixture.WeightRelations is { } weightRelations)
        {
            foreach (int r in weightRelations)
                if (r >= graph.RelationCount)
                    throw new ArgumentException($"Mixture.WeightRelations names relation {r}, but the graph has {graph.RelationCount} relation(s) (ids 0..{graph.RelationCount - 1}).", nameof(o));
        }
        var weights = o.Mixture.RelationWeights;
        if (weights == null) return;
        if (weights.Length != graph.RelationCount)
            throw new ArgumentException($"Mixture.RelationWeights has {weights.Length} weights, but the graph has {graph.RelationCount} relation(s): give one weight per relation.", nameof(o));
        var counts = Counts(graph);
        bool any = false;
        for (int r = 0; r < counts.Length; r++) any |= counts[r] > 0 && weights[r] > 0;
        if (!any) throw new ArgumentException("Every relation with edges has weight 0 in Mixture.RelationWeights: there is nothing to train.", nameof(o));
    }

    /// <summary>
    /// The training edges of <paramref name="graph"/> (CSR order, without edges of relations weighted 0) with their users,
    /// items and weights (edge weight × relation weight; null when all are 1), and the relation setup (null for a graph of
    /// one relation, which then trains exactly as a graph without relations).
    /// </summary>
    public static (int[] Users, int[] Items, float[]? Weights, MixtureRelations? Relations) Edges(BipartiteGraph graph, GraphEmbeddingOptions o)
    {
        int edgeCount = graph.EdgeCount;
        var offsets = graph.Offsets;
        var items = graph.EdgeItems;
        var edgeWeights = graph.EdgeWeights;
        var relations = graph.EdgeRelations;
        var relationWeights = o.Mixture.RelationWeights;
        bool scaled = false;
        if (relationWeights != null) foreach (float w in relationWeights) scaled |= w != 1f;

        int kept = edgeCount;
        if (scaled)
        {
            kept = 0;
            for (int e = 0; e < edgeCount; e++) if (relationWeights![RelationOf(relations, e)] > 0) kept++;
        }
        var users = new int[kept];
        var keptItems = new int[kept];
        var weights = graph.HasWeights || scaled ? new float[kept] : null;
        var keptRelations = graph.RelationCount > 1 ? new int[kept] : null;
        for (int u = 0, k = 0; u < graph.UserCount; u++)
        {
            for (int e = offsets[u]; e < offsets[u + 1]; e++)
            {
                int r = RelationOf(relations, e);
                float w = relationWeights == null ? 1f : relationWeights[r];
                if (scaled && w <= 0) continue;
                users[k] = u;
                keptItems[k] = items[e];
                if (weights != null) weights[k] = (graph.HasWeights ? edgeWeights[e] : 1f) * w;
                if (keptRelations != null) keptRelations[k] = r;
                k++;
            }
        }
        return (users, keptItems, weights, keptRelations == null ? null : Build(graph, keptRelations, o));
    }

    /// <summary>
    /// The users and items whose every edge is of a relation weighted 0: training leaves them at their random starts, yet
    /// they have edges, so the stages after serve them as trained. (0, 0) when not
    /// <see cref="EmbeddingAlgorithm.MixtureEmbedding"/>, no relation is weighted 0, or the weights do not fit the relations.
    /// </summary>
    /// <param name="userCount">The user index range.</param>
    /// <param name="itemCount">The item index range.</param>
    /// <param name="users">Each edge's user.</param>
    /// <param name="items">Each edge's item.</param>
    /// <param name="relations">Each edge's relation (empty: one relation).</param>
    /// <param name="relationCount">The number of relations.</param>
    /// <param name="o">The options (algorithm and relation weights).</param>
    public static (int Users, int Items) UntrainedNodes(int userCount, int itemCount, ReadOnlySpan<int> users, ReadOnlySpan<int> items, ReadOnlySpan<int> relations,
        int relationCount, GraphEmbeddingOptions o)
    {
        var weights = o.Mixture.RelationWeights;
        if (o.Algorithm != EmbeddingAlgorithm.MixtureEmbedding || weights == null || weights.Length != relationCount || relations.IsEmpty || !weights.Contains(0f))
            return (0, 0);
        // 0: no edge, 1: edges of weight-0 relations only, 2: an edge of a trained relation.
        var userState = new byte[userCount];
        var itemState = new byte[itemCount];
        for (int e = 0; e < users.Length; e++)
        {
            byte state = weights[relations[e]] > 0 ? (byte)2 : (byte)1;
            userState[users[e]] = Math.Max(userState[users[e]], state);
            itemState[items[e]] = Math.Max(itemState[items[e]], state);
        }
        return (userState.Count(x => x == 1), itemState.Count(x => x == 1));
    }

    /// <summary>Edges per relation.</summary>
    public static int[] Counts(BipartiteGraph graph)
    {
        var counts = new int[graph.RelationCount];
        if (!graph.HasRelations) counts[0] = graph.EdgeCount;
        else foreach (int r in graph.EdgeRelations) counts[r]++;
        return counts;
    }

    private static int RelationOf(ReadOnlySpan<int> relations, int edge) => relations.IsEmpty ? 0 : relations[edge];

    /// <summary>Destination sets and degree samplers from all of the graph's edges (a relation's type does not depend on its weight).</summary>
    private static MixtureRelations Build(BipartiteGraph graph, int[] trainingRelations, GraphEmbeddingOptions o)
    {
        int count = graph.RelationCount, itemCount = graph.ItemCount;
        var degrees = new int[count][];
        for (int r = 0; r < count; r++) degrees[r] = new int[itemCount];
        var items = graph.EdgeItems;
        var relations = graph.EdgeRelations;
        for (int e = 0; e < items.Length; e++) degrees[relations[e]][items[e]]++;

        var destinations = new int[count][];
        var samplers = new AliasSampler?[count];
        for (int r = 0; r < count; r++)
        {
            var degree = degrees[r];
            int n = 0;
            foreach (int d in degree) if (d > 0) n++;
            var members = new int[n];
            var memberDegrees = new int[n];
            for (int i = 0, k = 0; i < itemCount; i++)
            {
                if (degree[i] == 0) continue;
                members[k] = i;
                memberDegrees[k++] = degree[i];
            }
            destinations[r] = members;
            if (o.DegreeNegatives > 0 && n > 0) samplers[r] = AliasSampler.FromDegrees(memberDegrees, o.DegreeExponent);
        }
        return new MixtureRelations(trainingRelations, destinations, samplers);
    }
}
