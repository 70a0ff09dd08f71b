namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The input points scaled to unit length, in a private row-major buffer padded with zero rows up to a multiple
/// of <see cref="NearestCentroidKernel.PointTile"/> so the tiled kernel never needs a ragged edge case.
/// </summary>
internal sealed class UnitPoints
{
    public UnitPoints(EmbeddingMatrix points)
    {
        Count = points.Rows;
        Dimension = points.Dimension;
        int padded = (Count + NearestCentroidKernel.PointTile - 1) / NearestCentroidKernel.PointTile * NearestCentroidKernel.PointTile;
        Values = new float[(long)padded * Dimension];
        IsZero = new bool[Count];
        Array.Copy(points.Values, Values, points.Values.Length);
        for (int i = 0; i < Count; i++)
        {
            if (NormalizeInDouble(Row(i))) NonZeroCount++;
            else IsZero[i] = true;
        }
    }

    /// <summary>
    /// Scales a row to unit length with the norm taken in double, so very large or very small (but finite)
    /// rows neither overflow to zero nor are mistaken for zero. Returns false (and zeroes the row) when it has no length.
    /// </summary>
    private static bool NormalizeInDouble(Span<float> row)
    {
        double sq = VectorMath.SquaredNormWidened(row);
        if (sq == 0)
        {
            row.Clear();
            return false;
        }
        double inv = 1.0 / Math.Sqrt(sq);
        for (int j = 0; j < row.Length; j++) row[j] = (float)(row[j] * inv);
        return true;
    }

    public int Count { get; }

    public int Dimension { get; }

    /// <summary>Row-major unit rows, then zero padding rows.</summary>
    public float[] Values { get; }

    /// <summary>True for points whose input row is all zeros (they have no direction).</summary>
    public bool[] IsZero { get; }

    public int NonZeroCount { get; }

    public Span<float> Row(int i) => Values.AsSpan(i * Dimension, Dimension);

    public ReadOnlySpan<float> ReadRow(int i) => new(Values, i * Dimension, Dimension);
}
