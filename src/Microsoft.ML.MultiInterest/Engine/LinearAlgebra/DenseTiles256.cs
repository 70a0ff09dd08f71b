using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The Gram of implicit ALS and the randomized SVD (<see cref="DenseRows.Gram(double[], int, int, int, CancellationToken)"/>), implicit ALS's Gramian-vector products
/// (<see cref="DenseRows.SymmetricMultiply(ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double}, int)"/>)
/// and the randomized SVD's right products (<see cref="DenseRows.MultiplyRight(double[], int, int, double[], int, int, CancellationToken)"/>)
/// with 256-bit vectors, for processors without AVX-512 (most laptops): partial sums of several outputs stay in registers
/// while the inputs stream past, instead of one vector call per input row that loads and stores every output. Each output
/// goes through the portable path's operations in its order (the products over j ascending from zero, a product and then
/// a sum per term, unfused as <c>TensorPrimitives.MultiplyAdd</c> is; the Gram fused where <see cref="DenseRows.AddFour"/>
/// fuses), so results are that path's bit for bit.
/// </summary>
internal static class DenseTiles256
{
    private const int L = 4; // Vector256<double>.Count

    /// <summary>Outputs k..k+7 of G v_t for four vectors laid end to end in <paramref name="v"/>: one pass over those columns of G serves all four.</summary>
    public static void MultiplyColumns4x2(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        if (result.Length < 3 * d + k + 2 * L || v.Length < 4 * d) throw new ArgumentException("The vectors and results must hold four vectors.", nameof(result));
        ref double gRef = ref MemoryMarshal.GetReference(g);
        ref double vRef = ref MemoryMarshal.GetReference(v);
        Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int j = 0; j < d; j++)
        {
            nuint row = (nuint)(j * d + k);
            var g0 = Vector256.LoadUnsafe(ref gRef, row);
            var g1 = Vector256.LoadUnsafe(ref gRef, row + L);
            var s = Vector256.Create(Unsafe.Add(ref vRef, j));
            a00 = g0 * s + a00; a01 = g1 * s + a01;
            s = Vector256.Create(Unsafe.Add(ref vRef, d + j));
            a10 = g0 * s + a10; a11 = g1 * s + a11;
            s = Vector256.Create(Unsafe.Add(ref vRef, 2 * d + j));
            a20 = g0 * s + a20; a21 = g1 * s + a21;
            s = Vector256.Create(Unsafe.Add(ref vRef, 3 * d + j));
            a30 = g0 * s + a30; a31 = g1 * s + a31;
        }
        ref double outRef = ref MemoryMarshal.GetReference(result);
        Store2(ref outRef, (nuint)k, a00, a01);
        Store2(ref outRef, (nuint)(d + k), a10, a11);
        Store2(ref outRef, (nuint)(2 * d + k), a20, a21);
        Store2(ref outRef, (nuint)(3 * d + k), a30, a31);
    }

    /// <summary>Outputs k..k+15 of G v: four partial-sum vectors in registers while G's columns stream past once.</summary>
    public static void MultiplyColumns4(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        if (result.Length < k + 4 * L || v.Length < d) throw new ArgumentException("The result is too short.", nameof(result));
        ref double gRef = ref MemoryMarshal.GetReference(g);
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int j = 0; j < d; j++)
        {
            var s = Vector256.Create(v[j]);
            nuint row = (nuint)(j * d + k);
            a0 = Vector256.LoadUnsafe(ref gRef, row) * s + a0;
            a1 = Vector256.LoadUnsafe(ref gRef, row + L) * s + a1;
            a2 = Vector256.LoadUnsafe(ref gRef, row + 2 * L) * s + a2;
            a3 = Vector256.LoadUnsafe(ref gRef, row + 3 * L) * s + a3;
        }
        ref double outRef = ref MemoryMarshal.GetReference(result);
        Store2(ref outRef, (nuint)k, a0, a1);
        Store2(ref outRef, (nuint)(k + 2 * L), a2, a3);
    }

    /// <summary>
    /// Rows from..to-1 of Y M into <paramref name="result"/> (already cleared), as <see cref="DenseRows.MultiplyRightRows"/>
    /// computes them: tiles of 4 rows x 12 columns in registers, then 4-column strips, single columns, and single rows.
    /// </summary>
    public static void MultiplyRight(double[] y, int from, int to, int width, double[] m, int outWidth, double[] result)
    {
        int r = from;
        for (; r + 4 <= to; r += 4)
        {
            int c = 0;
            for (; c + 3 * L <= outWidth; c += 3 * L) ProductTile(y, r, width, m, outWidth, c, result);
            for (; c + L <= outWidth; c += L) ProductStrip(y, r, width, m, outWidth, c, result);
            for (; c < outWidth; c++)
                for (int t = 0; t < 4; t++) ProductElement(y, r + t, width, m, outWidth, c, result);
        }
        for (; r < to; r++)
            for (int c = 0; c < outWidth; c++) ProductElement(y, r, width, m, outWidth, c, result);
    }

    private static void ProductTile(double[] y, int r, int width, double[] m, int outWidth, int c, double[] result)
    {
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        ref double mRef = ref MemoryMarshal.GetArrayDataReference(m);
        Vector256<double> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<double> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        nuint y0 = (nuint)(r * width), y1 = y0 + (nuint)width, y2 = y1 + (nuint)width, y3 = y2 + (nuint)width;
        for (int j = 0; j < width; j++)
        {
            nuint row = (nuint)(j * outWidth + c);
            var b0 = Vector256.LoadUnsafe(ref mRef, row);
            var b1 = Vector256.LoadUnsafe(ref mRef, row + L);
            var b2 = Vector256.LoadUnsafe(ref mRef, row + 2 * L);
            var a = Vector256.Create(Unsafe.Add(ref yRef, y0 + (nuint)j));
            c00 = b0 * a + c00; c01 = b1 * a + c01; c02 = b2 * a + c02;
            a = Vector256.Create(Unsafe.Add(ref yRef, y1 + (nuint)j));
            c10 = b0 * a + c10; c11 = b1 * a + c11; c12 = b2 * a + c12;
            a = Vector256.Create(Unsafe.Add(ref yRef, y2 + (nuint)j));
            c20 = b0 * a + c20; c21 = b1 * a + c21; c22 = b2 * a + c22;
            a = Vector256.Create(Unsafe.Add(ref yRef, y3 + (nuint)j));
            c30 = b0 * a + c30; c31 = b1 * a + c31; c32 = b2 * a + c32;
        }
        ref double outRef = ref MemoryMarshal.GetArrayDataReference(result);
        nuint o0 = (nuint)(r * outWidth + c), o1 = o0 + (nuint)outWidth, o2 = o1 + (nuint)outWidth, o3 = o2 + (nuint)outWidth;
        Store3(ref outRef, o0, c00, c01, c02);
        Store3(ref outRef, o1, c10, c11, c12);
        Store3(ref outRef, o2, c20, c21, c22);
        Store3(ref outRef, o3, c30, c31, c32);
    }

    private static void ProductStrip(double[] y, int r, int width, double[] m, int outWidth, int c, double[] result)
    {
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        ref double mRef = ref MemoryMarshal.GetArrayDataReference(m);
        Vector256<double> c0 = default, c1 = default, c2 = default, c3 = default;
        nuint y0 = (nuint)(r * width), y1 = y0 + (nuint)width, y2 = y1 + (nuint)width, y3 = y2 + (nuint)width;
        for (int j = 0; j < width; j++)
        {
            var b = Vector256.LoadUnsafe(ref mRef, (nuint)(j * outWidth + c));
            c0 = b * Vector256.Create(Unsafe.Add(ref yRef, y0 + (nuint)j)) + c0;
            c1 = b * Vector256.Create(Unsafe.Add(ref yRef, y1 + (nuint)j)) + c1;
            c2 = b * Vector256.Create(Unsafe.Add(ref yRef, y2 + (nuint)j)) + c2;
            c3 = b * Vector256.Create(Unsafe.Add(ref yRef, y3 + (nuint)j)) + c3;
        }
        ref double outRef = ref MemoryMarshal.GetArrayDataReference(result);
        c0.StoreUnsafe(ref outRef, (nuint)(r * outWidth + c));
        c1.StoreUnsafe(ref outRef, (nuint)((r + 1) * outWidth + c));
        c2.StoreUnsafe(ref outRef, (nuint)((r + 2) * outWidth + c));
        c3.StoreUnsafe(ref outRef, (nuint)((r + 3) * outWidth + c));
    }

    private static void ProductElement(double[] y, int r, int width, double[] m, int outWidth, int c, double[] result)
    {
        double sum = 0;
        for (int j = 0; j < width; j++) sum = m[j * outWidth + c] * y[r * width + j] + sum;
        result[r * outWidth + c] = sum;
    }

    /// <summary>
    /// Adds the outer products of rows from..to-1 of <paramref name="y"/> to the upper triangle of <paramref name="g"/> as
    /// <see cref="DenseRows.AccumulateUpper"/> does (<see cref="GramTiling.AccumulateUpper{TTiles}"/>): tiles of 4 x 12 outputs in
    /// registers. Needs FMA.
    /// </summary>
    public static void AccumulateUpper(double[] y, int from, int to, int width, double[] g) => GramTiling.AccumulateUpper<Tiles>(y, from, to, width, g);

    /// <summary>The AVX2 Gram tiles.</summary>
    private readonly struct Tiles : IGramTiles
    {
        public static int TileColumns => 3 * L;

        public static int StripColumns => L;

        public static void Tile(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g) => GramTile(y, r0, fusedEnd, r1, width, i, j, g);

        public static void Strip(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g) => GramTiling.Strip<Vector256<double>, DoubleLanes256>(y, r0, fusedEnd, r1, width, i, j, g);
    }

    private static void GramTile(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g)
    {
        ref double gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        nuint o0 = (nuint)(i * width + j), o1 = o0 + (nuint)width, o2 = o1 + (nuint)width, o3 = o2 + (nuint)width;
        var c00 = Vector256.LoadUnsafe(ref gRef, o0); var c01 = Vector256.LoadUnsafe(ref gRef, o0 + L); var c02 = Vector256.LoadUnsafe(ref gRef, o0 + 2 * L);
        var c10 = Vector256.LoadUnsafe(ref gRef, o1); var c11 = Vector256.LoadUnsafe(ref gRef, o1 + L); var c12 = Vector256.LoadUnsafe(ref gRef, o1 + 2 * L);
        var c20 = Vector256.LoadUnsafe(ref gRef, o2); var c21 = Vector256.LoadUnsafe(ref gRef, o2 + L); var c22 = Vector256.LoadUnsafe(ref gRef, o2 + 2 * L);
        var c30 = Vector256.LoadUnsafe(ref gRef, o3); var c31 = Vector256.LoadUnsafe(ref gRef, o3 + L); var c32 = Vector256.LoadUnsafe(ref gRef, o3 + 2 * L);
        // Two loops rather than a branch per row: the fused rows, then the unfused tail.
        int r = r0;
        for (; r < fusedEnd; r++)
        {
            nuint row = (nuint)(r * width);
            var b0 = Vector256.LoadUnsafe(ref yRef, row + (nuint)j);
            var b1 = Vector256.LoadUnsafe(ref yRef, row + (nuint)j + L);
            var b2 = Vector256.LoadUnsafe(ref yRef, row + (nuint)j + 2 * L);
            var a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i));
            c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01); c02 = Vector256.FusedMultiplyAdd(a, b2, c02);
            a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i + 1));
            c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11); c12 = Vector256.FusedMultiplyAdd(a, b2, c12);
            a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i + 2));
            c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21); c22 = Vector256.FusedMultiplyAdd(a, b2, c22);
            a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i + 3));
            c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31); c32 = Vector256.FusedMultiplyAdd(a, b2, c32);
        }
        for (; r < r1; r++)
        {
            nuint row = (nuint)(r * width);
            var b0 = Vector256.LoadUnsafe(ref yRef, row + (nuint)j);
            var b1 = Vector256.LoadUnsafe(ref yRef, row + (nuint)j + L);
            var b2 = Vector256.LoadUnsafe(ref yRef, row + (nuint)j + 2 * L);
            var a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i));
            c00 += a * b0; c01 += a * b1; c02 += a * b2;
            a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i + 1));
            c10 += a * b0; c11 += a * b1; c12 += a * b2;
            a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i + 2));
            c20 += a * b0; c21 += a * b1; c22 += a * b2;
            a = Vector256.Create(Unsafe.Add(ref yRef, row + (nuint)i + 3));
            c30 += a * b0; c31 += a * b1; c32 += a * b2;
        }
        Store3(ref gRef, o0, c00, c01, c02);
        Store3(ref gRef, o1, c10, c11, c12);
        Store3(ref gRef, o2, c20, c21, c22);
        Store3(ref gRef, o3, c30, c31, c32);
    }

    private static void Store3(ref double destination, nuint offset, Vector256<double> a0, Vector256<double> a1, Vector256<double> a2)
    {
        a0.StoreUnsafe(ref destination, offset);
        a1.StoreUnsafe(ref destination, offset + L);
        a2.StoreUnsafe(ref destination, offset + 2 * L);
    }

    private static void Store2(ref double destination, nuint offset, Vector256<double> a0, Vector256<double> a1)
    {
        a0.StoreUnsafe(ref destination, offset);
        a1.StoreUnsafe(ref destination, offset + L);
    }
}
