using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Register-tiled AVX-512 versions of <see cref="DenseRows"/>' Gram and right-product kernels. A tile of 4 rows × 32
/// columns of the output stays in 16 registers while the inputs stream past, instead of loading and storing output
/// rows once per input row. Each output element goes through exactly the operations of the row-by-row kernels, in
/// the same order (fused multiply-adds where they fuse, a product and a sum where they do not), so results are bit
/// for bit those of <see cref="DenseRows"/>' portable paths.
/// The AVX-512 kernels of <see cref="DenseRows"/>' Gramian-vector products live here too.
/// </summary>
internal static class DenseTiles
{
    private const int Lanes = 8; // Vector512<double>.Count
    private const int TileColumns = 4 * Lanes;
    private const int TileRows = 4;

    /// <summary>
    /// Adds the outer products of rows from..to-1 of <paramref name="y"/> to the upper triangle of <paramref name="g"/>
    /// (<see cref="GramTiling.AccumulateUpper{TTiles}"/>): tiles of 4 x 32 outputs in 16 registers.
    /// </summary>
    public static void AccumulateUpper(double[] y, int from, int to, int width, double[] g) => GramTiling.AccumulateUpper<Tiles>(y, from, to, width, g);

    /// <summary>The AVX-512 Gram tiles.</summary>
    private readonly struct Tiles : IGramTiles
    {
        public static int TileColumns => DenseTiles.TileColumns;

        public static int StripColumns => Lanes;

        public static void Tile(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g) => GramTile(y, r0, fusedEnd, r1, width, i, j, g);

        public static void Strip(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g) => GramTiling.Strip<Vector512<double>, DoubleLanes512>(y, r0, fusedEnd, r1, width, i, j, g);
    }

    private static void GramTile(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g)
    {
        ref double gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        nuint o0 = (nuint)(i * width + j), o1 = o0 + (nuint)width, o2 = o1 + (nuint)width, o3 = o2 + (nuint)width;
        var c00 = Vector512.LoadUnsafe(ref gRef, o0); var c01 = Vector512.LoadUnsafe(ref gRef, o0 + Lanes);
        var c02 = Vector512.LoadUnsafe(ref gRef, o0 + 2 * Lanes); var c03 = Vector512.LoadUnsafe(ref gRef, o0 + 3 * Lanes);
        var c10 = Vector512.LoadUnsafe(ref gRef, o1); var c11 = Vector512.LoadUnsafe(ref gRef, o1 + Lanes);
        var c12 = Vector512.LoadUnsafe(ref gRef, o1 + 2 * Lanes); var c13 = Vector512.LoadUnsafe(ref gRef, o1 + 3 * Lanes);
        var c20 = Vector512.LoadUnsafe(ref gRef, o2); var c21 = Vector512.LoadUnsafe(ref gRef, o2 + Lanes);
        var c22 = Vector512.LoadUnsafe(ref gRef, o2 + 2 * Lanes); var c23 = Vector512.LoadUnsafe(ref gRef, o2 + 3 * Lanes);
        var c30 = Vector512.LoadUnsafe(ref gRef, o3); var c31 = Vector512.LoadUnsafe(ref gRef, o3 + Lanes);
        var c32 = Vector512.LoadUnsafe(ref gRef, o3 + 2 * Lanes); var c33 = Vector512.LoadUnsafe(ref gRef, o3 + 3 * Lanes);
        for (int r = r0; r < r1; r++)
        {
            nuint row = (nuint)(r * width);
            var b0 = Vector512.LoadUnsafe(ref yRef, row + (nuint)j);
            var b1 = Vector512.LoadUnsafe(ref yRef, row + (nuint)j + Lanes);
            var b2 = Vector512.LoadUnsafe(ref yRef, row + (nuint)j + 2 * Lanes);
            var b3 = Vector512.LoadUnsafe(ref yRef, row + (nuint)j + 3 * Lanes);
            var a0 = Vector512.Create(Unsafe.Add(ref yRef, row + (nuint)i));
            var a1 = Vector512.Create(Unsafe.Add(ref yRef, row + (nuint)i + 1));
            var a2 = Vector512.Create(Unsafe.Add(ref yRef, row + (nuint)i + 2));
            var a3 = Vector512.Create(Unsafe.Add(ref yRef, row + (nuint)i + 3));
            if (r < fusedEnd)
            {
                c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
                c02 = Vector512.FusedMultiplyAdd(a0, b2, c02); c03 = Vector512.FusedMultiplyAdd(a0, b3, c03);
                c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
                c12 = Vector512.FusedMultiplyAdd(a1, b2, c12); c13 = Vector512.FusedMultiplyAdd(a1, b3, c13);
                c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
                c22 = Vector512.FusedMultiplyAdd(a2, b2, c22); c23 = Vector512.FusedMultiplyAdd(a2, b3, c23);
                c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
                c32 = Vector512.FusedMultiplyAdd(a3, b2, c32); c33 = Vector512.FusedMultiplyAdd(a3, b3, c33);
            }
            else
            {
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
        }
        Store4(ref gRef, o0, c00, c01, c02, c03);
        Store4(ref gRef, o1, c10, c11, c12, c13);
        Store4(ref gRef, o2, c20, c21, c22, c23);
        Store4(ref gRef, o3, c30, c31, c32, c33);
    }

    private static void Store4(ref double destination, nuint offset, Vector512<double> a0, Vector512<double> a1, Vector512<double> a2, Vector512<double> a3)
    {
        a0.StoreUnsafe(ref destination, offset);
        a1.StoreUnsafe(ref destination, offset + Lanes);
        a2.StoreUnsafe(ref destination, offset + 2 * Lanes);
        a3.StoreUnsafe(ref destination, offset + 3 * Lanes);
    }

    /// <summary>
    /// Rows from..to-1 of Y M into the same rows of <paramref name="result"/> (rows × outWidth, overwritten): each
    /// element is Σ_j y[r, j] m[j, c] summed over j in ascending order from zero, a product and a sum per term.
    /// </summary>
    public static void MultiplyRight(double[] y, int from, int to, int width, double[] m, int outWidth, double[] result)
    {
        int r = from;
        for (; r + TileRows <= to; r += TileRows)
        {
            int c = 0;
            for (; c + TileColumns <= outWidth; c += TileColumns) ProductTile(y, r, width, m, outWidth, c, result);
            for (; c < outWidth; c++)
                for (int t = 0; t < TileRows; t++) ProductElement(y, r + t, width, m, outWidth, c, result);
        }
        for (; r < to; r++)
            for (int c = 0; c < outWidth; c++) ProductElement(y, r, width, m, outWidth, c, result);
    }

    private static void ProductTile(double[] y, int r, int width, double[] m, int outWidth, int c, double[] result)
    {
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        ref double mRef = ref MemoryMarshal.GetArrayDataReference(m);
        ref double outRef = ref MemoryMarshal.GetArrayDataReference(result);
        Vector512<double> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<double> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        nuint y0 = (nuint)(r * width), y1 = y0 + (nuint)width, y2 = y1 + (nuint)width, y3 = y2 + (nuint)width;
        for (int j = 0; j < width; j++)
        {
            nuint row = (nuint)(j * outWidth + c);
            var b0 = Vector512.LoadUnsafe(ref mRef, row);
            var b1 = Vector512.LoadUnsafe(ref mRef, row + Lanes);
            var b2 = Vector512.LoadUnsafe(ref mRef, row + 2 * Lanes);
            var b3 = Vector512.LoadUnsafe(ref mRef, row + 3 * Lanes);
            var a0 = Vector512.Create(Unsafe.Add(ref yRef, y0 + (nuint)j));
            var a1 = Vector512.Create(Unsafe.Add(ref yRef, y1 + (nuint)j));
            var a2 = Vector512.Create(Unsafe.Add(ref yRef, y2 + (nuint)j));
            var a3 = Vector512.Create(Unsafe.Add(ref yRef, y3 + (nuint)j));
            c00 += b0 * a0; c01 += b1 * a0; c02 += b2 * a0; c03 += b3 * a0;
            c10 += b0 * a1; c11 += b1 * a1; c12 += b2 * a1; c13 += b3 * a1;
            c20 += b0 * a2; c21 += b1 * a2; c22 += b2 * a2; c23 += b3 * a2;
            c30 += b0 * a3; c31 += b1 * a3; c32 += b2 * a3; c33 += b3 * a3;
        }
        nuint o0 = (nuint)(r * outWidth + c), o1 = o0 + (nuint)outWidth, o2 = o1 + (nuint)outWidth, o3 = o2 + (nuint)outWidth;
        Store4(ref outRef, o0, c00, c01, c02, c03);
        Store4(ref outRef, o1, c10, c11, c12, c13);
        Store4(ref outRef, o2, c20, c21, c22, c23);
        Store4(ref outRef, o3, c30, c31, c32, c33);
    }

    private static void ProductElement(double[] y, int r, int width, double[] m, int outWidth, int c, double[] result)
    {
        double sum = 0;
        for (int j = 0; j < width; j++) sum += m[j * outWidth + c] * y[r * width + j];
        result[r * outWidth + c] = sum;
    }

    // The Gramian-vector products of implicit ALS (DenseRows.SymmetricMultiply): G is symmetric, so G v = Σ_j v_j G_j
    // sums rows of G, each output over j in ascending order with fused multiply-adds.

    /// <summary>Outputs k..k+31 of G v_t for four vectors laid end to end in <paramref name="v"/>: sixteen partial sums in registers, one pass over those columns of G.</summary>
    public static void MultiplyColumns512x4x4(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
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
        if (result.Length < 3 * d + k + 4 * L) throw new ArgumentException("The results must hold four vectors.", nameof(result));
        ref double outRef = ref MemoryMarshal.GetReference(result);
        Store4(ref outRef, (nuint)k, a00, a01, a02, a03);
        Store4(ref outRef, (nuint)(d + k), a10, a11, a12, a13);
        Store4(ref outRef, (nuint)(2 * d + k), a20, a21, a22, a23);
        Store4(ref outRef, (nuint)(3 * d + k), a30, a31, a32, a33);
    }

    /// <summary>Outputs k..k+63 of G v: eight partial-sum vectors in registers while G's columns stream past once.</summary>
    public static void MultiplyColumns512x8(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
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
        if (result.Length < k + 8 * L) throw new ArgumentException("The result is too short.", nameof(result));
        ref double outRef = ref MemoryMarshal.GetReference(result);
        Store4(ref outRef, (nuint)k, a0, a1, a2, a3);
        Store4(ref outRef, (nuint)(k + 4 * L), a4, a5, a6, a7);
    }

    /// <summary>Outputs k..k+7 of G v.</summary>
    public static void MultiplyColumns512(ReadOnlySpan<double> g, int d, ReadOnlySpan<double> v, Span<double> result, int k)
    {
        ref double gRef = ref MemoryMarshal.GetReference(g);
        Vector512<double> a = default;
        for (int j = 0; j < d; j++) a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref gRef, (nuint)(j * d + k)), Vector512.Create(v[j]), a);
        a.CopyTo(result.Slice(k, Vector512<double>.Count));
    }
}
