namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A cosine nearest-neighbour index over a fixed set of rows. The exact index is the reference; an
/// approximate index can replace it behind this interface. Implementations must be safe to search from
/// several threads at once.
/// </summary>
public interface INeighborIndex
{
    /// <summary>Number of indexed rows.</summary>
    int Count { get; }

    /// <summary>
    /// Finds the <paramref name="k"/> rows most similar (cosine) to each query, best first; equal
    /// similarities go to the lower row.
    /// </summary>
    /// <param name="queries">Query vectors (normalised internally), one per row.</param>
    /// <param name="excludeRows">Optional: for each query, one row never to return (its own row), or -1.</param>
    /// <param name="k">Neighbours per query.</param>
    /// <param name="threads">Degree of parallelism; 0 = all cores. The result does not depend on it.</param>
    /// <returns>One list per query, at most <paramref name="k"/> rows each, best first.</returns>
    RankedLists Search(EmbeddingMatrix queries, int[]? excludeRows, int k, int threads = 0);
}
