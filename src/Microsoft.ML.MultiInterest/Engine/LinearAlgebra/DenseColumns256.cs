using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The Gramian-vector products of implicit ALS (<see cref="DenseRows.SymmetricMultiply(ReadOnlySpan{double}, int, ReadOnlySpan{double}, Span{double}, int)"/>)
/// with 256-bit vectors, for processors without AVX-512 (most laptops): partial sums of several outputs stay in registers
/// while G's rows stream past, instead of one <c>TensorPrimitives.MultiplyAdd</c> call per row that loads and stores every
/// output. Each output goes through the portable path's operations in its order (over j ascending from zero, a product
/// and then a sum per term, unfused as <c>TensorPrimitives.MultiplyAdd</c> is), so results are that path's bit for bit.
/// </summary>
internal static class DenseColumns256
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

    private static void Store2(ref double destination, nuint offset, Vector256<double> a0, Vector256<double> a1)
    {
        a0.StoreUnsafe(ref destination, offset);
        a1.StoreUnsafe(ref destination, offset + L);
    }
}
