namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The time order of each user's items in a training graph (<see cref="DivideConquerOptions.Sequences"/>): for every
/// edge row its place in its user's sequence, and the items oldest first, aligned with the graph's rows. A training
/// edge's history is then the items right before it (what a next-item protocol can know), and a user is served from
/// its last items (<see cref="RecentGraph(int)"/>). Read-only once built, shared by the worker threads.
/// </summary>
internal sealed class SequenceOrder
{
    private readonly BipartiteGraph _graph;
    private readonly int[] _ordered, _position;
    private int[][]? _sequences;

    /// <summary>Checks that <paramref name="sequences"/>[u] holds every item of user u of <paramref name="graph"/> exactly once.</summary>
    /// <exception cref="ArgumentException">A count, an unknown item or a repeated item, naming the user row.</exception>
    public SequenceOrder(BipartiteGraph graph, IReadOnlyList<int[]> sequences)
    {
        if (sequences.Count != graph.UserCount)
            throw new ArgumentException($"DivideConquer.Sequences has {sequences.Count} sequences for the graph's {graph.UserCount} users.", nameof(sequences));
        _graph = graph;
        _ordered = new int[graph.EdgeCount];
        _position = new int[graph.EdgeCount];
        _position.AsSpan().Fill(-1);
        var offsets = graph.Offsets;
        for (int u = 0; u < graph.UserCount; u++)
        {
            var items = graph.ItemsOf(u);
            var sequence = sequences[u] ?? throw new ArgumentException($"DivideConquer.Sequences[{u}] is null.", nameof(sequences));
            if (sequence.Length != items.Length)
                throw new ArgumentException($"DivideConquer.Sequences[{u}] has {sequence.Length} items; user row {u} has {items.Length} training items.", nameof(sequences));
            for (int k = 0; k < sequence.Length; k++)
            {
                // ItemsOf is sorted by item, so the edge row of an item is found by binary search.
                int at = items.BinarySearch(sequence[k]);
                if (at < 0) throw new ArgumentException($"DivideConquer.Sequences[{u}] holds item {sequence[k]}, not a training item of user row {u}.", nameof(sequences));
                if (_position[offsets[u] + at] >= 0) throw new ArgumentException($"DivideConquer.Sequences[{u}] holds item {sequence[k]} twice.", nameof(sequences));
                _position[offsets[u] + at] = k;
                _ordered[offsets[u] + k] = sequence[k];
            }
        }
    }

    /// <summary>
    /// Writes into <paramref name="ids"/> the items just before edge row <paramref name="edge"/> in its user's sequence
    /// (rows from <paramref name="from"/>), the most recent <paramref name="ids"/>.Length of them, oldest first; returns how
    /// many (0 for a user's first item).
    /// </summary>
    public int Preceding(int from, int edge, Span<int> ids)
    {
        int p = _position[edge], n = Math.Min(p, ids.Length);
        _ordered.AsSpan(from + p - n, n).CopyTo(ids);
        return n;
    }

    /// <summary>Each user's items, oldest first (user row = index): what <see cref="DivideConquerModel.BuildMixtures"/> reads time order from. Built once.</summary>
    public IReadOnlyList<int[]> Sequences() => _sequences ??= Enumerable.Range(0, _graph.UserCount)
        .Select(u => _ordered.AsSpan(_graph.Offsets[u], _graph.DegreeOf(u)).ToArray()).ToArray();

    /// <summary>The graph of each user's last <paramref name="count"/> items: the history a sequence-trained model is served from.</summary>
    public BipartiteGraph RecentGraph(int count) => Recent(_graph.UserCount, _graph.ItemCount, u => _ordered.AsSpan(_graph.Offsets[u], _graph.DegreeOf(u)), count);

    /// <summary>The graph of the last <paramref name="count"/> items of each of <paramref name="sequences"/> (user row = index).</summary>
    public static BipartiteGraph RecentGraph(int itemCount, IReadOnlyList<int[]> sequences, int count)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return Recent(sequences.Count, itemCount, u => sequences[u], count);
    }

    private delegate ReadOnlySpan<int> SequenceOf(int user);

    private static BipartiteGraph Recent(int userCount, int itemCount, SequenceOf sequenceOf, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var users = new List<int>();
        var items = new List<int>();
        for (int u = 0; u < userCount; u++)
        {
            var sequence = sequenceOf(u);
            foreach (int item in sequence[Math.Max(0, sequence.Length - count)..])
            {
                users.Add(u);
                items.Add(item);
            }
        }
        return BipartiteGraph.FromEdges(userCount, itemCount, users.ToArray(), items.ToArray());
    }
}
