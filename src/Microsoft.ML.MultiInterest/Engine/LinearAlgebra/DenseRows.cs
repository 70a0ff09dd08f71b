using System.Numerics;
using System.Numerics.Tensors;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Tall, thin row-major matrices of doubles (n rows × a few hundred columns): the products the randomized SVD and
/// implicit ALS need. Work is cut into fixed blocks of rows and partial sums are reduced in block order, so results
/// are the same for every thread count.
/// </summary>
internal static class DenseRows
{
    /// <summary>Rows per parallel block.</summary>
    public const int RowsPerBlock = 512;

    /// <summary>Number of blocks covering <paramref name="rows"/> rows.</summary>
    public static int BlockCount(int rows) => Math.Max(1, (rows + RowsPerBlock - 1) / RowsPerBlock);

    /// <summary>The row range of block <paramref name="block"/>.</summary>
    public static (int From, int To) BlockRange(int block, int rows) =>
        (block * RowsPerBlock, Math.Min(rows, (block + 1) * RowsPerBlock));

    /// <summary>YᵀY (width × width, symmetric, both triangles filled) of <paramref name="y"/> (rows × width).</summary>
    public static double[] Gram(double[] y, int rows, int width, int threads, CancellationToken ct = default)
    {
        // At most 16 partial sums, each over a fixed contiguous range of blocks, reduced in order.
        int blocks = BlockCount(rows);
        int parts = Math.Min(16, blocks);
        var partial = new double[parts][];
        BlockParallel.For(parts, threads, (_, p) =>
        {
            var g = new double[width * width];
            int fromBlock = (int)((long)blocks * p / parts), toBlock = (int)((long)blocks * (p + 1) / parts);
            int from = fromBlock * RowsPerBlock, to = Math.Min(rows, toBlock * RowsPerBlock);
            AccumulateUpper(y, from, to, width, g);
            partial[p] = g;
        }, ct);
        var gram = partial[0];
        for (int p = 1; p < parts; p++) TensorPrimitives.Add(gram, partial[p], gram);
        for (int i = 0; i < width; i++)
            for (int j = 0; j < i; j++) gram[i * width + j] = gram[j * width + i];
        return gram;
    }

    /// <summary>Adds rows from..to-1 of y's outer products to the upper triangle of <paramref name="g"/>, four rows at a time.</summary>
    private static void AccumulateUpper(double[] y, int from, int to, int width, double[] g)
    {
        int r = from;
        for (; r + 4 <= to; r += 4)
        {
            var y0 = y.AsSpan(r * width, width);
            var y1 = y.AsSpan((r + 1) * width, width);
            var y2 = y.AsSpan((r + 2) * width, width);
            var y3 = y.AsSpan((r + 3) * width, width);
            for (int i = 0; i < width; i++)
                AddFour(g.AsSpan(i * width + i, width - i), y0[i], y0[i..], y1[i], y1[i..], y2[i], y2[i..], y3[i], y3[i..]);
        }
        for (; r < to; r++)
        {
            var y0 = y.AsSpan(r * width, width);
            for (int i = 0; i < width; i++)
                TensorPrimitives.MultiplyAdd(y0[i..], y0[i], g.AsSpan(i * width + i, width - i), g.AsSpan(i * width + i, width - i));
        }
    }

    /// <summary>dst += a0 x0 + a1 x1 + a2 x2 + a3 x3 (one pass over dst instead of four).</summary>
    internal static void AddFour(Span<double> dst, double a0, ReadOnlySpan<double> x0, double a1, ReadOnlySpan<double> x1,
        double a2, ReadOnlySpan<double> x2, double a3, ReadOnlySpan<double> x3)
    {
        int n = dst.Length, i = 0;
        int lanes = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated && n >= lanes)
        {
            var v0 = new Vector<double>(a0);
            var v1 = new Vector<double>(a1);
            var v2 = new Vector<double>(a2);
            var v3 = new Vector<double>(a3);
            for (; i <= n - lanes; i += lanes)
            {
                var acc = new Vector<double>(dst[i..]);
                acc = Vector.FusedMultiplyAdd(v0, new Vector<double>(x0[i..]), acc);
                acc = Vector.FusedMultiplyAdd(v1, new Vector<double>(x1[i..]), acc);
                acc = Vector.FusedMultiplyAdd(v2, new Vector<double>(x2[i..]), acc);
                acc = Vector.FusedMultiplyAdd(v3, new Vector<double>(x3[i..]), acc);
                acc.CopyTo(dst[i..]);
            }
        }
        for (; i < n; i++)
            dst[i] = Math.FusedMultiplyAdd(a3, x3[i], Math.FusedMultiplyAdd(a2, x2[i], Math.FusedMultiplyAdd(a1, x1[i], Math.FusedMultiplyAdd(a0, x0[i], dst[i]))));
    }

    /// <summary>Y M: (rows × width) × (width × outWidth), row-major, each output row independent.</summary>
    public static double[] MultiplyRight(double[] y, int rows, int width, double[] m, int outWidth, int threads, CancellationToken ct = default) =>
        MultiplyRight(y, rows, width, m, outWidth, new double[(long)rows * outWidth], threads, ct);

    /// <summary>Y M into <paramref name="result"/> (rows × outWidth, overwritten; must not alias <paramref name="y"/>).</summary>
    public static double[] MultiplyRight(double[] y, int rows, int width, double[] m, int outWidth, double[] result, int threads, CancellationToken ct = default)
    {
        if (ReferenceEquals(y, result)) throw new ArgumentException("The result must not alias the input.", nameof(result));
        Array.Clear(result, 0, rows * outWidth);
        BlockParallel.For(BlockCount(rows), threads, (_, b) =>
        {
            var (from, to) = BlockRange(b, rows);
            int r = from;
            // Four output rows share each pass over a row of M (M is read a quarter as often).
            for (; r + 4 <= to; r += 4)
            {
                for (int j = 0; j < width; j++)
                {
                    var mRow = m.AsSpan(j * outWidth, outWidth);
                    for (int t = 0; t < 4; t++)
                    {
                        double a = y[(r + t) * width + j];
                        var output = result.AsSpan((r + t) * outWidth, outWidth);
                        TensorPrimitives.MultiplyAdd(mRow, a, output, output);
                    }
                }
            }
            for (; r < to; r++)
            {
                var output = result.AsSpan(r * outWidth, outWidth);
                for (int j = 0; j < width; j++)
                    TensorPrimitives.MultiplyAdd(m.AsSpan(j * outWidth, outWidth), y[r * width + j], output, output);
            }
        }, ct);
        return result;
    }
}
