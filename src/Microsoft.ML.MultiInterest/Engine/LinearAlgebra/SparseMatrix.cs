using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A compressed-sparse-row matrix of doubles: the (optionally degree-scaled) interaction matrix that the
/// randomized SVD and implicit ALS multiply by. Rows are users (or, after <see cref="Transpose"/>, items).
/// </summary>
internal sealed class SparseMatrix
{
    private readonly int[] _offsets;
    private readonly int[] _columns;
    private readonly double[] _values;

    private SparseMatrix(int rows, int columns, int[] offsets, int[] columnIndices, double[] values)
    {
        Rows = rows;
        Columns = columns;
        _offsets = offsets;
        _columns = columnIndices;
        _values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeros => _values.Length;

    /// <summary>The column indices of row <paramref name="row"/>, ascending.</summary>
    public ReadOnlySpan<int> ColumnsOf(int row) => _columns.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>The values of row <paramref name="row"/>, aligned with <see cref="ColumnsOf"/>.</summary>
    public ReadOnlySpan<double> ValuesOf(int row) => _values.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>
    /// The user × item matrix of <paramref name="graph"/>: entry (u, i) = weight (1 when unweighted) × rowScale[u] × columnScale[i].
    /// </summary>
    public static SparseMatrix FromGraph(BipartiteGraph graph, ReadOnlySpan<double> rowScale = default, ReadOnlySpan<double> columnScale = default)
    {
        var offsets = graph.Offsets.ToArray();
        var columns = graph.EdgeItems.ToArray();
        var values = new double[columns.Length];
        var weights = graph.EdgeWeights;
        for (int u = 0; u < graph.UserCount; u++)
        {
            double r = rowScale.IsEmpty ? 1 : rowScale[u];
            for (int e = offsets[u]; e < offsets[u + 1]; e++)
            {
                double w = graph.HasWeights ? weights[e] : 1;
                values[e] = w * r * (columnScale.IsEmpty ? 1 : columnScale[columns[e]]);
            }
        }
        return new SparseMatrix(graph.UserCount, graph.ItemCount, offsets, columns, values);
    }

    /// <summary>The transpose, with each row's columns ascending (a counting sort, so it is exact and deterministic).</summary>
    public SparseMatrix Transpose()
    {
        var offsets = new int[Columns + 1];
        foreach (int c in _columns) offsets[c + 1]++;
        for (int c = 0; c < Columns; c++) offsets[c + 1] += offsets[c];
        var next = offsets[..^1].ToArray();
        var columns = new int[_columns.Length];
        var values = new double[_values.Length];
        for (int r = 0; r < Rows; r++)
        {
            for (int e = _offsets[r]; e < _offsets[r + 1]; e++)
            {
                int slot = next[_columns[e]]++;
                columns[slot] = r;
                values[slot] = _values[e];
            }
        }
        return new SparseMatrix(Columns, Rows, offsets, columns, values);
    }

    /// <summary>
    /// <paramref name="result"/> (Rows × width, row-major) = this × <paramref name="dense"/> (Columns × width, row-major).
    /// Each output row is one independent sum in stored order, so the result does not depend on the thread count.
    /// </summary>
    public void Multiply(double[] dense, int width, double[] result, int threads, CancellationToken ct = default)
    {
        if (dense.Length != (long)Columns * width) throw new ArgumentException("The dense operand has the wrong shape.", nameof(dense));
        if (result.Length != (long)Rows * width) throw new ArgumentException("The result has the wrong shape.", nameof(result));
        BlockParallel.For(DenseRows.BlockCount(Rows), threads, (_, b) =>
        {
            var (from, to) = DenseRows.BlockRange(b, Rows);
            for (int row = from; row < to; row++)
            {
                var output = result.AsSpan(row * width, width);
                output.Clear();
                for (int e = _offsets[row]; e < _offsets[row + 1]; e++)
                    TensorPrimitives.MultiplyAdd(dense.AsSpan(_columns[e] * width, width), _values[e], output, output);
            }
        }, ct);
    }
}
