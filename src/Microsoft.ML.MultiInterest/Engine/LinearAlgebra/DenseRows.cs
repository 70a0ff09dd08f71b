using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
            if (Vector512.IsHardwareAccelerated) DenseTiles.AccumulateUpper(y, from, to, width, g);
            else AccumulateUpper(y, from, to, width, g);
            partial[p] = g;
        }, ct);
        var gram = partial[0];
        for (int p = 1; p < parts; p++) TensorPrimitives.Add(gram, partial[p], gram);
        for (int i = 0; i < width; i++)
            for (int j = 0; j < i; j++) gram[i * width + j] = gram[j * width + i];
        return gram;
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
            for (; k + 8 * Vector512<double>.Count <= d; k += 8 * Vector512<double>.Count) MultiplyColumns512x8(g, d, v, result, k);
        }
        MultiplyColumnsFrom(g, d, v, result, k);
    }

    /// <summary>Outputs k..d-1 of G v: eight columns at a time with AVX-512, the rest (every column without it) row by row; same order over j.</summary>
    private static void MultiplyColumnsFrom(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        if (Vector512.IsHardwareAccelerated)
            for (; k + Vector512<double>.Count <= d; k += Vector512<double>.Count) MultiplyColumns512(g, d, v, result, k);
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
        if (Vector512.IsHardwareAccelerated)
        {
            for (; t + 4 <= count; t += 4)
            {
                var v = vectors.Slice(t * d, 4 * d);
                var result = results.Slice(t * d, 4 * d);
                int k = 0;
                for (; k + 4 * Vector512<double>.Count <= d; k += 4 * Vector512<double>.Count) MultiplyColumns512x4x4(g, d, v, result, k);
                // The rest as the single-vector overload computes it (same per-output order).
                if (k < d)
                    for (int q = 0; q < 4; q++) MultiplyColumnsFrom(g, d, v.Slice(q * d, d), result.Slice(q * d, d), k);
            }
        }
        for (; t < count; t++) SymmetricMultiply(g, d, vectors.Slice(t * d, d), results.Slice(t * d, d));
    }

    private static void MultiplyColumns512x4x4(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        const int L = 8; // Vector512<double>.Count
        ref double gRef = ref MemoryMarshal.GetReference(g);
        ref double vRef = ref MemoryMarshal.GetReference(v);
        Vector512<double> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<double> a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        for (int j = 0; j < d; j++)
        {
            nuint row = (nuint)(j * d + k);
            var g0 = Vector512.LoadUnsafe(ref gRef, row);
            var g1 = Vector512.LoadUnsafe(ref gRef, row + L);
            var g2 = Vector512.LoadUnsafe(ref gRef, row + 2 * L);
            var g3 = Vector512.LoadUnsafe(ref gRef, row + 3 * L);
            var s0 = Vector512.Create(Unsafe.Add(ref vRef, j));
            var s1 = Vector512.Create(Unsafe.Add(ref vRef, d + j));
            var s2 = Vector512.Create(Unsafe.Add(ref vRef, 2 * d + j));
            var s3 = Vector512.Create(Unsafe.Add(ref vRef, 3 * d + j));
            a00 = Vector512.FusedMultiplyAdd(g0, s0, a00); a01 = Vector512.FusedMultiplyAdd(g1, s0, a01);
            a02 = Vector512.FusedMultiplyAdd(g2, s0, a02); a03 = Vector512.FusedMultiplyAdd(g3, s0, a03);
            a10 = Vector512.FusedMultiplyAdd(g0, s1, a10); a11 = Vector512.FusedMultiplyAdd(g1, s1, a11);
            a12 = Vector512.FusedMultiplyAdd(g2, s1, a12); a13 = Vector512.FusedMultiplyAdd(g3, s1, a13);
            a20 = Vector512.FusedMultiplyAdd(g0, s2, a20); a21 = Vector512.FusedMultiplyAdd(g1, s2, a21);
            a22 = Vector512.FusedMultiplyAdd(g2, s2, a22); a23 = Vector512.FusedMultiplyAdd(g3, s2, a23);
            a30 = Vector512.FusedMultiplyAdd(g0, s3, a30); a31 = Vector512.FusedMultiplyAdd(g1, s3, a31);
            a32 = Vector512.FusedMultiplyAdd(g2, s3, a32); a33 = Vector512.FusedMultiplyAdd(g3, s3, a33);
        }
        Store4(result[k..], a00, a01, a02, a03);
        Store4(result[(d + k)..], a10, a11, a12, a13);
        Store4(result[(2 * d + k)..], a20, a21, a22, a23);
        Store4(result[(3 * d + k)..], a30, a31, a32, a33);
    }

    private static void Store4(Span<double> output, Vector512<double> a0, Vector512<double> a1, Vector512<double> a2, Vector512<double> a3)
    {
        a0.CopyTo(output);
        a1.CopyTo(output[Vector512<double>.Count..]);
        a2.CopyTo(output[(2 * Vector512<double>.Count)..]);
        a3.CopyTo(output[(3 * Vector512<double>.Count)..]);
    }

    private static void MultiplyColumns512x8(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        const int L = 8; // Vector512<double>.Count
        ref double gRef = ref MemoryMarshal.GetReference(g);
        Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int j = 0; j < d; j++)
        {
            var s = Vector512.Create(v[j]);
            nuint row = (nuint)(j * d + k);
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row), s, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row + L), s, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row + 2 * L), s, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row + 3 * L), s, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row + 4 * L), s, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row + 5 * L), s, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row + 6 * L), s, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, row + 7 * L), s, a7);
        }
        var output = result.Slice(k, 8 * L);
        a0.CopyTo(output);
        a1.CopyTo(output[L..]);
        a2.CopyTo(output[(2 * L)..]);
        a3.CopyTo(output[(3 * L)..]);
        a4.CopyTo(output[(4 * L)..]);
        a5.CopyTo(output[(5 * L)..]);
        a6.CopyTo(output[(6 * L)..]);
        a7.CopyTo(output[(7 * L)..]);
    }

    private static void MultiplyColumns512(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        ref double gRef = ref MemoryMarshal.GetReference(g);
        Vector512<double> a = default;
        for (int j = 0; j < d; j++) a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, (nuint)(j * d + k)), Vector512.Create(v[j]), a);
        a.CopyTo(result.Slice(k, Vector512<double>.Count));
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
            if (Vector512.IsHardwareAccelerated) DenseTiles.MultiplyRight(y, from, to, width, m, outWidth, result);
            else MultiplyRightRows(y, from, to, width, m, outWidth, result);
        }, ct);
        return result;
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
