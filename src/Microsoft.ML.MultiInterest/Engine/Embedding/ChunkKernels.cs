using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The dense kernels of one training chunk, on row-major blocks whose stride is a multiple of the SIMD width:
/// a small matrix product for the scores (positives × shared negatives) and weighted row sums for the gradients.
/// Summation orders are fixed, so a single-threaded run is bit-reproducible.
/// </summary>
internal static class ChunkKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> MulAdd(Vector<float> a, Vector<float> b, Vector<float> c)
    {
        // One rounding instead of two where the CPU has FMA; the branch is folded by the JIT.
        if (Fma.IsSupported && Vector<float>.Count == 8)
            return Fma.MultiplyAdd(a.AsVector256(), b.AsVector256(), c.AsVector256()).AsVector();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref Vector<float> V(ref float origin, int offset) => ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref origin, offset));

    /// <summary>Dot product of two padded rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int stride)
    {
        var acc = Vector<float>.Zero;
        for (int k = 0; k < stride; k += Vector<float>.Count) acc = MulAdd(V(ref a, k), V(ref b, k), acc);
        return Vector.Sum(acc);
    }

    /// <summary>
    /// <c>scores[j * ld + n] = dot(a[j], b[n])</c> for j &lt; <paramref name="aCount"/>, n &lt; <paramref name="bCount"/>.
    /// Four b rows share each load of an a row.
    /// </summary>
    public static void Scores(ReadOnlySpan<float> a, int aCount, ReadOnlySpan<float> b, int bCount, int stride, Span<float> scores, int ld)
    {
        if (aCount == 0 || bCount == 0) return;
        if (a.Length < aCount * stride || b.Length < bCount * stride || scores.Length < (aCount - 1) * ld + bCount)
            throw new ArgumentException("Kernel buffers are too short.");
        int w = Vector<float>.Count;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rs = ref MemoryMarshal.GetReference(scores);
        for (int j = 0; j < aCount; j++)
        {
            ref float aj = ref Unsafe.Add(ref ra, j * stride);
            ref float sj = ref Unsafe.Add(ref rs, j * ld);
            int n = 0;
            for (; n + 4 <= bCount; n += 4)
            {
                ref float b0 = ref Unsafe.Add(ref rb, n * stride);
                ref float b1 = ref Unsafe.Add(ref b0, stride);
                ref float b2 = ref Unsafe.Add(ref b1, stride);
                ref float b3 = ref Unsafe.Add(ref b2, stride);
                Vector<float> acc0 = default, acc1 = default, acc2 = default, acc3 = default;
                for (int k = 0; k < stride; k += w)
                {
                    var va = V(ref aj, k);
                    acc0 = MulAdd(va, V(ref b0, k), acc0);
                    acc1 = MulAdd(va, V(ref b1, k), acc1);
                    acc2 = MulAdd(va, V(ref b2, k), acc2);
                    acc3 = MulAdd(va, V(ref b3, k), acc3);
                }
                Unsafe.Add(ref sj, n) = Vector.Sum(acc0);
                Unsafe.Add(ref sj, n + 1) = Vector.Sum(acc1);
                Unsafe.Add(ref sj, n + 2) = Vector.Sum(acc2);
                Unsafe.Add(ref sj, n + 3) = Vector.Sum(acc3);
            }
            for (; n < bCount; n++) Unsafe.Add(ref sj, n) = Dot(ref aj, ref Unsafe.Add(ref rb, n * stride), stride);
        }
    }

    /// <summary>
    /// <c>dst += Σ_t weights[t] · src[rows[t]]</c> over padded rows, four source rows per pass over
    /// <paramref name="dst"/> so that it is loaded and stored a quarter as often.
    /// </summary>
    public static void AddWeightedRows(Span<float> dst, ReadOnlySpan<float> src, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, int count, int stride)
    {
        if (dst.Length < stride || rows.Length < count || weights.Length < count) throw new ArgumentException("Kernel buffers are too short.");
        int w = Vector<float>.Count;
        ref float rd = ref MemoryMarshal.GetReference(dst);
        ref float rsrc = ref MemoryMarshal.GetReference(src);
        int t = 0;
        for (; t + 4 <= count; t += 4)
        {
            ref float s0 = ref Unsafe.Add(ref rsrc, rows[t] * stride);
            ref float s1 = ref Unsafe.Add(ref rsrc, rows[t + 1] * stride);
            ref float s2 = ref Unsafe.Add(ref rsrc, rows[t + 2] * stride);
            ref float s3 = ref Unsafe.Add(ref rsrc, rows[t + 3] * stride);
            var c0 = new Vector<float>(weights[t]);
            var c1 = new Vector<float>(weights[t + 1]);
            var c2 = new Vector<float>(weights[t + 2]);
            var c3 = new Vector<float>(weights[t + 3]);
            for (int k = 0; k < stride; k += w)
            {
                ref var d = ref V(ref rd, k);
                d = MulAdd(c3, V(ref s3, k), MulAdd(c2, V(ref s2, k), MulAdd(c1, V(ref s1, k), MulAdd(c0, V(ref s0, k), d))));
            }
        }
        for (; t < count; t++)
        {
            ref float s0 = ref Unsafe.Add(ref rsrc, rows[t] * stride);
            var c0 = new Vector<float>(weights[t]);
            for (int k = 0; k < stride; k += w)
            {
                ref var d = ref V(ref rd, k);
                d = MulAdd(c0, V(ref s0, k), d);
            }
        }
    }

    /// <summary><c>dst += alpha · src</c> over one padded row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(ref float dst, ref float src, float alpha, int stride)
    {
        var c = new Vector<float>(alpha);
        for (int k = 0; k < stride; k += Vector<float>.Count)
        {
            ref var d = ref V(ref dst, k);
            d = MulAdd(c, V(ref src, k), d);
        }
    }
}
