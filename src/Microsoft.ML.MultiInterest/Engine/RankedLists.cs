namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One ranked list per query (neighbours of a user, candidates for a user): row indices best first with
/// their scores, in fixed-capacity slots.
/// </summary>
public sealed class RankedLists
{
    /// <summary>Creates empty lists for <paramref name="queries"/> queries of up to <paramref name="capacity"/> entries.</summary>
    /// <param name="queries">The number of lists, 0 or more.</param>
    /// <param name="capacity">The most entries per list, 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="queries"/> or <paramref name="capacity"/> is negative.</exception>
    public RankedLists(int queries, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queries);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        Indices = new int[checked(queries * capacity)];
        Scores = new float[queries * capacity];
        Counts = new int[queries];
    }

    /// <summary>Entries per query at most.</summary>
    public int Capacity { get; }

    /// <summary>Number of queries.</summary>
    public int QueryCount => Counts.Length;

    /// <summary>Row indices, <see cref="Capacity"/> slots per query.</summary>
    public int[] Indices { get; }

    /// <summary>Scores aligned with <see cref="Indices"/>.</summary>
    public float[] Scores { get; }

    /// <summary>How many entries each query holds.</summary>
    public int[] Counts { get; }

    /// <summary>The entries of query <paramref name="query"/>, best first.</summary>
    /// <param name="query">A list index, 0 to <see cref="QueryCount"/> - 1.</param>
    /// <returns>A view of the list's entries, no copy.</returns>
    public ReadOnlySpan<int> IndicesOf(int query) => Indices.AsSpan(query * Capacity, Counts[query]);

    /// <summary>Their scores.</summary>
    /// <param name="query">A list index, 0 to <see cref="QueryCount"/> - 1.</param>
    /// <returns>A view of the entries' scores, no copy.</returns>
    public ReadOnlySpan<float> ScoresOf(int query) => Scores.AsSpan(query * Capacity, Counts[query]);

    /// <summary>Writable slots of query <paramref name="query"/> (all <see cref="Capacity"/> of them).</summary>
    /// <param name="query">A list index, 0 to <see cref="QueryCount"/> - 1.</param>
    /// <returns>A writable view of the list's <see cref="Capacity"/> index slots.</returns>
    public Span<int> IndexSlots(int query) => Indices.AsSpan(query * Capacity, Capacity);

    /// <summary>Writable score slots of query <paramref name="query"/>.</summary>
    /// <param name="query">A list index, 0 to <see cref="QueryCount"/> - 1.</param>
    /// <returns>A writable view of the list's <see cref="Capacity"/> score slots.</returns>
    public Span<float> ScoreSlots(int query) => Scores.AsSpan(query * Capacity, Capacity);

    /// <summary>A copy of queries <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 (a block of them), with this capacity.</summary>
    internal RankedLists Rows(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > QueryCount) throw new ArgumentOutOfRangeException(nameof(count), count, $"Queries {start} to {start + count - 1} are not all among the {QueryCount}.");
        var rows = new RankedLists(count, Capacity);
        CopyBlock(this, start, rows, 0, count);
        return rows;
    }

    /// <summary>Writes these lists (a block of queries) into <paramref name="destination"/>'s queries from <paramref name="start"/> on; the capacities must agree.</summary>
    internal void CopyRowsTo(RankedLists destination, int start)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Capacity != Capacity) throw new ArgumentException($"Lists of capacity {Capacity} cannot be written into lists of capacity {destination.Capacity}.", nameof(destination));
        if (start < 0 || start + QueryCount > destination.QueryCount)
            throw new ArgumentOutOfRangeException(nameof(start), start, $"{QueryCount} queries from {start} on do not fit the destination's {destination.QueryCount}.");
        CopyBlock(this, 0, destination, start, QueryCount);
    }

    private static void CopyBlock(RankedLists source, int from, RankedLists destination, int to, int count)
    {
        int capacity = source.Capacity;
        source.Indices.AsSpan(from * capacity, count * capacity).CopyTo(destination.Indices.AsSpan(to * capacity));
        source.Scores.AsSpan(from * capacity, count * capacity).CopyTo(destination.Scores.AsSpan(to * capacity));
        source.Counts.AsSpan(from, count).CopyTo(destination.Counts.AsSpan(to));
    }
}
