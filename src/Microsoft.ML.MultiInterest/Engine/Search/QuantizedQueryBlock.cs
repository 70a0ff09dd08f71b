namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A query block coded for <see cref="QuantizedRows"/>: each query's unsigned byte codes (code + 128, four per
/// integer), its scale and the two coefficients of its score bound. One per thread, reused from block to block.
/// </summary>
internal sealed class QuantizedQueryBlock
{
    /// <summary>Creates the scratch for <paramref name="groups"/> groups of four dimensions.</summary>
    public QuantizedQueryBlock(int groups)
    {
        Codes = new int[TiledTopKSearch.QueryBlock * groups];
        Bounds = new float[TiledTopKSearch.QueryBlock * QuantizedRows.PanelWidth];
        Tile = new int[QuantizedRows.TileQueries * QuantizedRows.PanelWidth];
    }

    /// <summary>The block's codes, <c>groups</c> integers per query.</summary>
    public int[] Codes { get; }

    /// <summary>Each query's scale a (its largest magnitude / 127).</summary>
    public float[] Scales { get; } = new float[TiledTopKSearch.QueryBlock];

    /// <summary>Each query's coefficient of a row's error term: |q|, inflated.</summary>
    public float[] NormCoefficients { get; } = new float[TiledTopKSearch.QueryBlock];

    /// <summary>Each query's coefficient of a row's coded norm: |q - a k|, inflated.</summary>
    public float[] ErrorCoefficients { get; } = new float[TiledTopKSearch.QueryBlock];

    /// <summary>One panel's bounds for the whole block (query-major).</summary>
    public float[] Bounds { get; }

    /// <summary>The kernel's stored integer tile.</summary>
    public int[] Tile { get; }

    /// <summary>Row indices of the candidates a query keeps, for their exact scores.</summary>
    public int[] Kept { get; set; } = [];

    /// <summary>The kept candidates' exact scores.</summary>
    public float[] Exact { get; set; } = [];

    /// <summary>The proven list's rows.</summary>
    public int[] RankedItems { get; set; } = [];

    /// <summary>The proven list's scores.</summary>
    public float[] RankedScores { get; set; } = [];
}
