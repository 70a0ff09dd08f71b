using System.Numerics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Training-time storage of one side's embeddings: rows padded to a whole number of SIMD vectors (the padding
/// stays zero because every gradient is a combination of rows whose padding is zero), plus one row-wise Adagrad
/// accumulator per row. Shared by all worker threads without locks (Hogwild).
/// </summary>
internal sealed class EmbeddingTable
{
    public EmbeddingTable(int rows, int dimension)
    {
        Rows = rows;
        Dimension = dimension;
        Stride = PaddedStride(dimension);
        long size = (long)rows * Stride;
        // Rows x components x d of a multi-vector model can pass what one array holds where d alone is an accepted value.
        if (size > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                $"An embedding table of {rows:N0} rows of dimension {dimension:N0} needs {size:N0} floats, more than one array holds ({Array.MaxLength:N0}): lower the Dimension (or the components per key).");
        Values = new float[size];
        Accumulators = new float[rows];
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Logical dimension.</summary>
    public int Dimension { get; }

    /// <summary>Floats between the starts of consecutive rows: <see cref="Dimension"/> rounded up to the SIMD width.</summary>
    public int Stride { get; }

    /// <summary>Row-major padded values.</summary>
    public float[] Values { get; }

    /// <summary>Row-wise Adagrad state: the running sum of each row's mean squared gradient.</summary>
    public float[] Accumulators { get; }

    /// <summary>The dimension rounded up to a multiple of the SIMD width, so kernels never need a scalar tail.</summary>
    public static int PaddedStride(int dimension)
    {
        int w = Vector<float>.Count;
        return (dimension + w - 1) / w * w;
    }

    /// <summary>Fills the logical coordinates with N(0, scale²) draws, row by row.</summary>
    public void InitializeNormal(float scale, ref EmbeddingRandom random)
    {
        for (int r = 0; r < Rows; r++)
        {
            var row = Values.AsSpan(r * Stride, Dimension);
            for (int k = 0; k < row.Length; k++) row[k] = scale * random.NextGaussian();
        }
    }

    /// <summary>Overwrites the logical coordinates with <paramref name="matrix"/>'s rows (same shape).</summary>
    public void CopyFrom(EmbeddingMatrix matrix)
    {
        if (matrix.Rows != Rows || matrix.Dimension != Dimension)
            throw new ArgumentException($"Expected a {Rows} × {Dimension} matrix, got {matrix.Rows} × {matrix.Dimension}.", nameof(matrix));
        for (int r = 0; r < Rows; r++) matrix.ReadRow(r).CopyTo(Values.AsSpan(r * Stride, Dimension));
    }

    /// <summary>Copies the logical coordinates into an unpadded <see cref="EmbeddingMatrix"/>.</summary>
    public EmbeddingMatrix ToMatrix()
    {
        var matrix = new EmbeddingMatrix(Rows, Dimension);
        for (int r = 0; r < Rows; r++) Values.AsSpan(r * Stride, Dimension).CopyTo(matrix.Row(r));
        return matrix;
    }
}
