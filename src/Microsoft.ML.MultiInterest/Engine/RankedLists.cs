namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// One ranked list per query (neighbours of a user, candidates for a user): row indices best first with
/// their scores, in fixed-capacity slots.
/// </summary>
public sealed class RankedLists
{
    /// <summary>Creates empty lists for <paramref name="queries"/> queries of up to <paramref name="capacity"/> entries.</summary>
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
    public ReadOnlySpan<int> IndicesOf(int query) => Indices.AsSpan(query * Capacity, Counts[query]);

    /// <summary>Their scores.</summary>
    public ReadOnlySpan<float> ScoresOf(int query) => Scores.AsSpan(query * Capacity, Counts[query]);

    /// <summary>Writable slots of query <paramref name="query"/> (all <see cref="Capacity"/> of them).</summary>
    public Span<int> IndexSlots(int query) => Indices.AsSpan(query * Capacity, Capacity);

    /// <summary>Writable score slots of query <paramref name="query"/>.</summary>
    public Span<float> ScoreSlots(int query) => Scores.AsSpan(query * Capacity, Capacity);
}
