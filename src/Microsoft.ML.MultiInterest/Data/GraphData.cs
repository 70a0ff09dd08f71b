using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Data;

/// <summary>A held-out graph over seen users and items, with what was left out of it.</summary>
/// <param name="Graph">The held-out edges whose user and item are seen in training.</param>
/// <param name="UnseenEdges">The distinct held-out (user, item) pairs left out because their user or item is unseen (a repeated line counts once, as in <see cref="Graph"/>).</param>
/// <param name="Misses">The left-out edges as misses: distinct unseen items per seen user, and distinct unseen users.</param>
public sealed record HeldOutGraph(BipartiteGraph Graph, int UnseenEdges, HeldOutMisses Misses);

/// <summary>Turns raw-id edges into a <see cref="BipartiteGraph"/> over given or growing id maps.</summary>
public static class GraphData
{
    /// <summary>
    /// Builds a graph. With <paramref name="extendIds"/> new ids are appended to the maps (first-seen
    /// order); without it an unknown id throws a <see cref="KeyNotFoundException"/> naming the id and <paramref name="source"/>.
    /// </summary>
    /// <param name="edges">Raw edges.</param>
    /// <param name="users">User id map.</param>
    /// <param name="items">Item id map.</param>
    /// <param name="extendIds">Whether unknown ids are added.</param>
    /// <param name="source">What the edges are (a file name), for error messages.</param>
    /// <param name="useWeights">Whether to keep edge weights.</param>
    /// <returns>A new graph over the maps' indices (users by <paramref name="users"/>, items by <paramref name="items"/>), duplicate pairs merged.</returns>
    public static BipartiteGraph Build(IReadOnlyList<RawEdge> edges, IdMap users, IdMap items, bool extendIds, string source, bool useWeights = false)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        var u = new int[edges.Count];
        var i = new int[edges.Count];
        var w = useWeights ? new float[edges.Count] : null;
        for (int e = 0; e < edges.Count; e++)
        {
            u[e] = extendIds ? users.GetOrAdd(edges[e].User) : Lookup(users, edges[e].User, "user", source);
            i[e] = extendIds ? items.GetOrAdd(edges[e].Item) : Lookup(items, edges[e].Item, "item", source);
            if (w != null)
            {
                w[e] = edges[e].Weight;
                if (!(float.IsFinite(w[e]) && w[e] > 0))
                    throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{source}: the edge ('{edges[e].User}', '{edges[e].Item}') has weight {w[e]}; weights must be positive and finite."), nameof(edges));
            }
        }
        return BipartiteGraph.FromEdges(users.Count, items.Count, u, i, w);
    }

    /// <summary>
    /// The warning <see cref="GraphEmbeddingTrainer"/> and <c>Sweep</c> log through the MLContext for weights that are unlikely
    /// to be meant (the heaviest edge at least 10,000 times the median, or a median outside [0.001, 1000]; docs/concepts.md,
    /// "Edge weights"), naming the heaviest edge by its user and item; null when the weights need none. For callers that
    /// train on the engine (<see cref="GraphEmbeddingTrainerEngine"/>), which logs nothing.
    /// </summary>
    /// <param name="edges">The edges to be trained on, with their weights.</param>
    /// <param name="column">What the caller's data calls the weights (a column name), for the message.</param>
    /// <param name="option">The setting that makes the weights count (an option or parameter name), for the message.</param>
    /// <returns>The warning's text, or null.</returns>
    public static string? WeightWarning(IReadOnlyList<RawEdge> edges, string column, string option)
    {
        ArgumentNullException.ThrowIfNull(edges);
        return OptionWarnings.EdgeWeightsMessage(edges.Select(e => e.Weight).ToArray(), column, option, e => $"user '{edges[e].User}', item '{edges[e].Item}'");
    }

    /// <summary>
    /// The warning a <c>GraphEmbedding</c> fit logs when implicit ALS or negative sampling is asked for more dimensions than
    /// min(users, items) of its training edges (the interaction matrix has no more independent directions, so the others fit
    /// noise), in the caller's name for the dimension; null when the dimension needs none. For callers that train on the
    /// engine (<see cref="GraphEmbeddingTrainerEngine"/>), which logs nothing.
    /// </summary>
    /// <param name="graph">The training edges.</param>
    /// <param name="algorithm">The algorithm asked for (Auto and the truncated SVD never get the warning: Auto never tries such a rank, the SVD refuses it).</param>
    /// <param name="dimension">The dimension asked for.</param>
    /// <param name="option">The setting that gave the dimension (an option or flag name), for the message.</param>
    /// <returns>The warning's text, or null.</returns>
    public static string? DimensionWarning(BipartiteGraph graph, EmbeddingAlgorithm algorithm, int dimension, string option)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return OptionWarnings.DimensionAboveRankMessage(algorithm, dimension, graph.UserCount, graph.ItemCount, option);
    }

    /// <summary>
    /// Builds a held-out graph over fixed id maps, leaving out (and counting) the edges whose user or item the maps do
    /// not hold: published splits often have test items that never occur in training, and no vector can retrieve them.
    /// </summary>
    /// <param name="edges">Raw held-out edges.</param>
    /// <param name="users">User id map (not extended).</param>
    /// <param name="items">Item id map (not extended).</param>
    /// <param name="source">What the edges are (a file name), for error messages.</param>
    /// <returns>The graph of the known edges and how many edges were left out.</returns>
    public static (BipartiteGraph Graph, int Unseen) BuildKnown(IReadOnlyList<RawEdge> edges, IdMap users, IdMap items, string source)
    {
        ArgumentNullException.ThrowIfNull(edges);
        var known = edges.Where(e => users.TryGetIndex(e.User, out _) && items.TryGetIndex(e.Item, out _)).ToList();
        return (Build(known, users, items, extendIds: false, source), edges.Count - known.Count);
    }

    /// <summary>
    /// Builds a held-out graph over fixed id maps from the edges whose user and item the maps hold, and counts the others:
    /// per seen user the distinct held-out items the maps do not hold, and the distinct users they do not hold. Pass
    /// <see cref="HeldOutGraph.Misses"/> to <see cref="ProtocolEvaluator.Run"/> to count them as misses
    /// (<see cref="UnseenHeldOut.Miss"/>, the default of the command line), or leave it out to drop them.
    /// </summary>
    /// <param name="edges">Raw held-out edges.</param>
    /// <param name="users">User id map (not extended).</param>
    /// <param name="items">Item id map (not extended).</param>
    /// <param name="source">What the edges are (a file name), for error messages.</param>
    /// <returns>The held-out graph over the maps' indices, the count of its distinct edges left out, and the misses by user.</returns>
    public static HeldOutGraph BuildHeldOut(IReadOnlyList<RawEdge> edges, IdMap users, IdMap items, string source)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(items);
        var known = new List<RawEdge>(edges.Count);
        var unseenItems = new Dictionary<int, HashSet<string>>();
        var unseenUsers = new HashSet<string>(StringComparer.Ordinal);
        // Distinct pairs, as the scoreable edges are: a repeated line is one held-out edge.
        var unseenPairs = new HashSet<(string, string)>();
        foreach (var e in edges)
        {
            if (users.TryGetIndex(e.User, out _) && items.TryGetIndex(e.Item, out _))
            {
                known.Add(e);
                continue;
            }
            unseenPairs.Add((e.User, e.Item));
            if (!users.TryGetIndex(e.User, out int u)) unseenUsers.Add(e.User);
            else if (!items.TryGetIndex(e.Item, out _))
            {
                if (!unseenItems.TryGetValue(u, out var set)) unseenItems[u] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(e.Item);
            }
        }
        var perUser = new int[users.Count];
        foreach (var (u, set) in unseenItems) perUser[u] = set.Count;
        return new HeldOutGraph(Build(known, users, items, extendIds: false, source), unseenPairs.Count, new HeldOutMisses(perUser, unseenUsers.Count));
    }

    private static int Lookup(IdMap map, string id, string what, string source)
    {
        if (map.TryGetIndex(id, out int index)) return index;
        throw new KeyNotFoundException($"{source}: the {what} '{id}' is unknown (it has no embedding / no training edge).");
    }
}
