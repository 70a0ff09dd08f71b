namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A query block's scratch for <see cref="TiledTopKSearch.SearchBlock{TFilter}(float[], int, int, TopKSelector[], ref TFilter, CandidateBlock?)"/>'s
/// buffered selection: one <see cref="CandidateBuffer"/> per query, the proof's scratch, and a one-query block for
/// the rare query whose list the buffer cannot prove. One per thread, reused from block to block.
/// </summary>
internal sealed class CandidateBlock
{
    private int[] _items = [];
    private float[] _scores = [];
    private int[] _outItems = [];
    private float[] _outScores = [];

    /// <summary>Creates the scratch for queries of <paramref name="dimension"/> floats.</summary>
    public CandidateBlock(int dimension, int queries = TiledTopKSearch.QueryBlock)
    {
        Buffers = Enumerable.Range(0, Math.Min(queries, TiledTopKSearch.QueryBlock)).Select(_ => new CandidateBuffer()).ToArray();
        Bounds = new float[TiledTopKSearch.QueryBlock];
        SingleQuery = new float[TiledTopKSearch.QueryTile * dimension];
    }

    /// <summary>One buffer per query of the block.</summary>
    public CandidateBuffer[] Buffers { get; }

    /// <summary>Each buffer's <see cref="CandidateBuffer.Bound"/>, side by side for the scan.</summary>
    public float[] Bounds { get; }

    /// <summary>A one-query block (the query in row 0, the tile's other rows ignored) for the selector's own scan.</summary>
    public float[] SingleQuery { get; }

    /// <summary>The one selector of <see cref="SingleQuery"/>'s scan.</summary>
    public TopKSelector[] SingleSelector { get; } = new TopKSelector[1];

    /// <summary>Proves lists (<see cref="CandidateBuffer.Prove"/>).</summary>
    public CertifiedRanking Ranking { get; } = new();

    /// <summary>Queries so far whose list was not proven and was scanned again with the selector (for tests and reports).</summary>
    public int Rescans { get; set; }

    /// <summary>Proves query <paramref name="q"/>'s list and loads it into <paramref name="selector"/>; false when it could not be proven.</summary>
    public bool TryLoad(int q, TopKSelector selector)
    {
        int room = selector.K + CandidateBuffer.Spare(selector.K);
        if (_items.Length < room)
        {
            _items = new int[room];
            _scores = new float[room];
            _outItems = new int[room];
            _outScores = new float[room];
        }
        int n = Buffers[q].Prove(Ranking, _items, _scores, _outItems, _outScores);
        if (n < 0) return false;
        selector.Load(_outItems.AsSpan(0, n), _outScores.AsSpan(0, n));
        return true;
    }
}
