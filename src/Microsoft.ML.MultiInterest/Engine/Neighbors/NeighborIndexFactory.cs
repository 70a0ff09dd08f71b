namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Builds the neighbour index a caller selected by <see cref="NeighborIndexKind"/>.</summary>
public static class NeighborIndexFactory
{
    /// <summary>Indexes <paramref name="rows"/> with the chosen kind of index.</summary>
    /// <param name="rows">Vectors to index.</param>
    /// <param name="eligible">Optional mask: only rows with true are ever returned.</param>
    /// <param name="kind">Exact or clustered.</param>
    /// <param name="clustered">Options of the clustered index (null = its defaults); ignored by the exact one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined value.</exception>
    /// <returns>The new index.</returns>
    public static INeighborIndex Create(EmbeddingMatrix rows, bool[]? eligible, NeighborIndexKind kind, ClusteredNeighborIndexOptions? clustered = null) => kind switch
    {
        NeighborIndexKind.Exact => new ExactNeighborIndex(rows, eligible),
        NeighborIndexKind.Clustered => new ClusteredNeighborIndex(rows, eligible, clustered),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown neighbour index kind."),
    };
}
