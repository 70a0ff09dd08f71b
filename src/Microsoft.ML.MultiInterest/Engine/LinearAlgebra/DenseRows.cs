using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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
    public static double[] Gram(double[] y, int rows, int width, int threads, CancellationToken ct = default) =>
        Gram(rows, width, threads, (_, from, to, g) => AccumulateUpperFastest(y, from, to, width, g), ct);

    /// <summary>
    /// YᵀY of float rows, each part's rows widened to double in a buffer of its worker's: bit for bit the Gram of the
    /// rows widened first (<see cref="Gram(double[], int, int, int, CancellationToken)"/>), without a double copy of
    /// the whole table (252 MB for Gowalla's items at d = 768).
    /// </summary>
    public static double[] Gram(float[] y, int rows, int width, int threads, CancellationToken ct = default)
    {
        var buffers = new double[Parallelism.Workers(threads)][];
        return Gram(rows, width, threads, (worker, from, to, g) =>
        {
            int count = to - from;
            var buffer = buffers[worker] is { } b && b.Length >= count * width ? b : buffers[worker] = new double[count * width];
            for (int k = 0; k < count * width; k++) buffer[k] = y[from * width + k];
            // The kernels' fused runs and row blocks count from the first row, so rows from..to-1 at 0 are added alike.
            AccumulateUpperFastest(buffer, 0, count, width, g);
        }, ct);
    }

    /// <summary>The Gram's fixed parts: at most 16 partial sums, each over a fixed contiguous range of blocks, reduced in
    /// order; <paramref name="accumulate"/> (worker, from, to, partial) adds rows from..to-1.</summary>
    private static double[] Gram(int rows, int width, int threads, Action<int, int, int, double[]> accumulate, CancellationToken ct)
    {
        int blocks = BlockCount(rows);
        int parts = Math.Min(16, blocks);
        var partial = new double[parts][];
        BlockParallel.For(parts, threads, (worker, p) =>
        {
            var g = new double[width * width];
            int fromBlock = (int)((long)blocks * p / parts), toBlock = (int)((long)blocks * (p + 1) / parts);
            int from = fromBlock * RowsPerBlock, to = Math.Min(rows, toBlock * RowsPerBlock);
            accumulate(worker, from, to, g);
            partial[p] = g;
        }, ct);
        var gram = partial[0];
        for (int p = 1; p < parts; p++) TensorPrimitives.Add(gram, partial[p], gram);
        for (int i = 0; i < width; i++)
            for (int j = 0; j < i; j++) gram[i * width + j] = gram[j * width + i];
        return gram;
    }

    /// <summary>The widest of the Gram's kernels this processor runs (all give the same bits).</summary>
    private static void AccumulateUpperFastest(double[] y, int from, int to, int width, double[] g)
    {
        if (Vector512.IsHardwareAccelerated) DenseTiles.AccumulateUpper(y, from, to, width, g);
        else if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported) DenseTiles256.AccumulateUpper(y, from, to, width, g);
        else AccumulateUpper(y, from, to, width, g);
    }

    /// <summary>Adds rows from..to-1 of y's outer products to the upper triangle of <paramref name="g"/>, four rows at a time.</summary>
    internal static void AccumulateUpper(double[] y, int from, int to, int width, double[] g)
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

    /// <summary>
    /// result = G v for a symmetric row-major d × d matrix, accumulated as Σ_j v_j G_j (G's rows are its columns): the
    /// partial sums of 64 outputs stay in registers while G streams past once, instead of d horizontal dot products
    /// with a reduction each. Every output sums over j in ascending order, whatever the hardware path.
    /// </summary>
    public static void SymmetricMultiply(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result)
    {
        if (g.Length < d * d || v.Length < d || result.Length < d)
            throw new ArgumentException($"SymmetricMultiply needs a {d} x {d} matrix and vectors of {d}.");
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; k + 8 * Vector512<double>.Count <= d; k += 8 * Vector512<double>.Count) DenseTiles.MultiplyColumns512x8(g, d, v, result, k);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // The portable path's sums, in registers (DenseTiles256); the rest below as before.
            for (; k + 4 * Vector256<double>.Count <= d; k += 4 * Vector256<double>.Count) DenseTiles256.MultiplyColumns4(g, d, v, result, k);
        }
        MultiplyColumnsFrom(g, d, v, result, k);
    }

    /// <summary>Outputs k..d-1 of G v: eight columns at a time with AVX-512, the rest (every column without it) row by row; same order over j.</summary>
    private static void MultiplyColumnsFrom(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        if (Vector512.IsHardwareAccelerated)
            for (; k + Vector512<double>.Count <= d; k += Vector512<double>.Count) DenseTiles.MultiplyColumns512(g, d, v, result, k);
        if (k == d) return;
        var rest = result[k..d];
        rest.Clear();
        for (int j = 0; j < d; j++) TensorPrimitives.MultiplyAdd(g.Slice(j * d + k, d - k), v[j], rest, rest);
    }

    /// <summary>
    /// results[t] = G vectors[t] for <paramref name="count"/> vectors of d doubles laid end to end, with one pass over G
    /// for four vectors at a time. Every output is summed exactly as the single-vector overload sums it.
    /// </summary>
    public static void SymmetricMultiply(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> vectors, Span<double> results, int count)
    {
        if (vectors.Length < count * d || results.Length < count * d)
            throw new ArgumentException($"SymmetricMultiply needs {count} vectors of {d}.");
        int t = 0;
        bool wide = Vector512.IsHardwareAccelerated;
        if (wide || Vector256.IsHardwareAccelerated)
        {
            // Outputs per pass over G's columns: 32 of each vector with AVX-512 (fused), 8 with AVX2 (the portable sums).
            int step = wide ? 4 * Vector512<double>.Count : 2 * Vector256<double>.Count;
            for (; t + 4 <= count; t += 4)
            {
                var v = vectors.Slice(t * d, 4 * d);
                var result = results.Slice(t * d, 4 * d);
                int k = 0;
                for (; k + step <= d; k += step)
                {
                    if (wide) DenseTiles.MultiplyColumns512x4x4(g, d, v, result, k);
                    else DenseTiles256.MultiplyColumns4x2(g, d, v, result, k);
                }
                // The rest as the single-vector overload computes it (same per-output order).
                if (k < d)
                    for (int q = 0; q < 4; q++) MultiplyColumnsFrom(g, d, v.Slice(q * d, d), result.Slice(q * d, d), k);
            }
        }
        for (; t < count; t++) SymmetricMultiply(g, d, vectors.Slice(t * d, d), results.Slice(t * d, d));
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
            MultiplyRightKernel(y, from, to, width, m, outWidth, result);
        }, ct);
        return result;
    }

    /// <summary>
    /// Y M written back into <paramref name="y"/> (M square, width × width): the bits of
    /// <see cref="MultiplyRight(double[], int, int, double[], int, double[], int, CancellationToken)"/> without a second
    /// rows × width table (each block of rows goes through a buffer of its worker).
    /// </summary>
    public static void MultiplyRightInPlace(double[] y, int rows, int width, double[] m, int threads, CancellationToken ct = default) =>
        MultiplyRightByBlocks(y, rows, width, m, width, threads,
            (from, count, product) => product.AsSpan(0, count * width).CopyTo(y.AsSpan(from * width, count * width)), ct);

    /// <summary>
    /// Y M in single precision: each element is the double product of
    /// <see cref="MultiplyRight(double[], int, int, double[], int, int, CancellationToken)"/> rounded once, without a
    /// double table of the product.
    /// </summary>
    public static float[] MultiplyRightToSingle(double[] y, int rows, int width, double[] m, int outWidth, int threads, CancellationToken ct = default)
    {
        var result = new float[(long)rows * outWidth];
        MultiplyRightByBlocks(y, rows, width, m, outWidth, threads, (from, count, product) =>
        {
            var target = result.AsSpan(from * outWidth, count * outWidth);
            for (int k = 0; k < target.Length; k++) target[k] = (float)product[k];
        }, ct);
        return result;
    }

    /// <summary>
    /// Each block of Y's rows copied into its worker's buffer and multiplied there (the kernel sees the rows at the same
    /// offsets modulo its four-row tiles, since blocks start at multiples of <see cref="RowsPerBlock"/>, so the bits are
    /// those of the whole-table product), then handed to <paramref name="write"/> as (first row, rows, product).
    /// </summary>
    private static void MultiplyRightByBlocks(double[] y, int rows, int width, double[] m, int outWidth, int threads,
        Action<int, int, double[]> write, CancellationToken ct)
    {
        var inputs = new double[Math.Max(1, threads)][];
        var products = new double[inputs.Length][];
        BlockParallel.For(BlockCount(rows), threads, (worker, b) =>
        {
            var (from, to) = BlockRange(b, rows);
            int count = to - from;
            var input = inputs[worker] ??= new double[RowsPerBlock * width];
            var product = products[worker] ??= new double[RowsPerBlock * outWidth];
            y.AsSpan(from * width, count * width).CopyTo(input);
            Array.Clear(product, 0, count * outWidth);
            MultiplyRightKernel(input, 0, count, width, m, outWidth, product);
            write(from, count, product);
        }, ct);
    }

    /// <summary>Rows from..to-1 of Y M into <paramref name="result"/> (already cleared), with the widest kernel the machine has.</summary>
    private static void MultiplyRightKernel(double[] y, int from, int to, int width, double[] m, int outWidth, double[] result)
    {
        if (Vector512.IsHardwareAccelerated) DenseTiles.MultiplyRight(y, from, to, width, m, outWidth, result);
        else if (Vector256.IsHardwareAccelerated) DenseTiles256.MultiplyRight(y, from, to, width, m, outWidth, result);
        else MultiplyRightRows(y, from, to, width, m, outWidth, result);
    }

    /// <summary>Rows from..to-1 of Y M into <paramref name="result"/> (already cleared), row by row: the portable kernel.</summary>
    internal static void MultiplyRightRows(double[] y, int from, int to, int width, double[] m, int outWidth, double[] result)
    {
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
    }
}
