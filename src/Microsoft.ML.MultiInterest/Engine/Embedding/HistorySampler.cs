namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The history of one training edge (u, j) for the history encoders (DCM, divide-and-conquer): up to L of u's other
/// items, all of them when u has at most L others, else the first L of a random permutation (partial Fisher-Yates); or,
/// with a <see cref="SequenceOrder"/>, the up to L items just before j in u's time order. One per worker thread; buffers
/// are sized once for the largest degree, nothing is allocated per edge.
/// </summary>
internal sealed class HistorySampler
{
    private readonly BipartiteGraph _graph;
    private readonly int[] _pick;
    private readonly SequenceOrder? _order;

    /// <summary>Allocates for histories of up to <paramref name="maxHistory"/> items of <paramref name="graph"/>'s users, in <paramref name="order"/> when given.</summary>
    public HistorySampler(BipartiteGraph graph, int maxHistory, SequenceOrder? order = null)
    {
        _graph = graph;
        _order = order;
        int maxDegree = 1;
        for (int u = 0; u < graph.UserCount; u++) maxDegree = Math.Max(maxDegree, graph.DegreeOf(u));
        Ids = new int[Math.Min(maxHistory, maxDegree)];
        _pick = new int[maxDegree];
    }

    /// <summary>The sampled item ids (the first <see cref="Sample"/> entries are valid); its length is L capped by the largest degree.</summary>
    public int[] Ids { get; }

    /// <summary>Writes up to L of the items of edge rows <paramref name="from"/>..<paramref name="to"/>−1, <paramref name="edge"/> left out (in order: only those before it), into <see cref="Ids"/>; returns how many.</summary>
    public int Sample(int from, int to, int edge, ref EmbeddingRandom random)
    {
        if (_order != null) return _order.Preceding(from, edge, Ids);
        var edgeItems = _graph.EdgeItems;
        int others = to - from - 1, limit = Ids.Length;
        if (others <= limit)
        {
            int n = 0;
            for (int r = from; r < to; r++) if (r != edge) Ids[n++] = edgeItems[r];
            return n;
        }
        int m = 0;
        for (int r = from; r < to; r++) if (r != edge) _pick[m++] = r;
        for (int i = 0; i < limit; i++)
        {
            int j = i + random.NextInt(m - i);
            (_pick[i], _pick[j]) = (_pick[j], _pick[i]);
            Ids[i] = edgeItems[_pick[i]];
        }
        return limit;
    }
}
