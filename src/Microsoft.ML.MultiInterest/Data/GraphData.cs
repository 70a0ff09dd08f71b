using Microsoft.ML.MultiInterest.Engine;
using Microsoft.ML.MultiInterest.IO;

namespace Microsoft.ML.MultiInterest.Data;

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
            if (w != null) w[e] = edges[e].Weight;
        }
        return BipartiteGraph.FromEdges(users.Count, items.Count, u, i, w);
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

    private static int Lookup(IdMap map, string id, string what, string source)
    {
        if (map.TryGetIndex(id, out int index)) return index;
        throw new KeyNotFoundException($"{source}: the {what} '{id}' is unknown (it has no embedding / no training edge).");
    }
}
