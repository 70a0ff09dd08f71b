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
        // One instruction (and one rounding) where the CPU has FMA; the branches are folded by the JIT.
        // Vector<float> is 512 bits only when the runtime is asked to (DOTNET_PreferredVectorBitWidth=512).
        if (Vector<float>.Count == 8 && Fma.IsSupported)
            return Fma.MultiplyAdd(a.AsVector256(), b.AsVector256(), c.AsVector256()).AsVector();
        if (Vector<float>.Count == 16 && Avx512F.IsSupported)
            return Avx512F.FusedMultiplyAdd(a.AsVector512(), b.AsVector512(), c.AsVector512()).AsVector();
        return a * b + c;
    }

    /// <summary>The SIMD vector of floats starting at <paramref name="offset"/> past <paramref name="origin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref Vector<float> V(ref float origin, int offset) => ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref origin, offset));

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
    /// Register-blocked 2 × 4: each step loads two a vectors and four b vectors for eight FMAs.
    /// Every score is summed in the same lane order as <see cref="Dot"/>, whichever block computes it.
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
        int j = 0;
        for (; j + 2 <= aCount; j += 2)
        {
            ref float a0 = ref Unsafe.Add(ref ra, j * stride);
            ref float a1 = ref Unsafe.Add(ref a0, stride);
            ref float s0 = ref Unsafe.Add(ref rs, j * ld);
            ref float s1 = ref Unsafe.Add(ref s0, ld);
            int n = 0;
            for (; n + 4 <= bCount; n += 4)
            {
                ref float b0 = ref Unsafe.Add(ref rb, n * stride);
                ref float b1 = ref Unsafe.Add(ref b0, stride);
                ref float b2 = ref Unsafe.Add(ref b1, stride);
                ref float b3 = ref Unsafe.Add(ref b2, stride);
                Vector<float> c00 = default, c01 = default, c02 = default, c03 = default;
                Vector<float> c10 = default, c11 = default, c12 = default, c13 = default;
                for (int k = 0; k < stride; k += w)
                {
                    var x0 = V(ref a0, k);
                    var x1 = V(ref a1, k);
                    var y = V(ref b0, k);
                    c00 = MulAdd(x0, y, c00);
                    c10 = MulAdd(x1, y, c10);
                    y = V(ref b1, k);
                    c01 = MulAdd(x0, y, c01);
                    c11 = MulAdd(x1, y, c11);
                    y = V(ref b2, k);
                    c02 = MulAdd(x0, y, c02);
                    c12 = MulAdd(x1, y, c12);
                    y = V(ref b3, k);
                    c03 = MulAdd(x0, y, c03);
                    c13 = MulAdd(x1, y, c13);
                }
                Unsafe.Add(ref s0, n) = Vector.Sum(c00);
                Unsafe.Add(ref s0, n + 1) = Vector.Sum(c01);
                Unsafe.Add(ref s0, n + 2) = Vector.Sum(c02);
                Unsafe.Add(ref s0, n + 3) = Vector.Sum(c03);
                Unsafe.Add(ref s1, n) = Vector.Sum(c10);
                Unsafe.Add(ref s1, n + 1) = Vector.Sum(c11);
                Unsafe.Add(ref s1, n + 2) = Vector.Sum(c12);
                Unsafe.Add(ref s1, n + 3) = Vector.Sum(c13);
            }
            for (; n < bCount; n++)
            {
                ref float bn = ref Unsafe.Add(ref rb, n * stride);
                Unsafe.Add(ref s0, n) = Dot(ref a0, ref bn, stride);
                Unsafe.Add(ref s1, n) = Dot(ref a1, ref bn, stride);
            }
        }
        for (; j < aCount; j++)
        {
            ref float aj = ref Unsafe.Add(ref ra, j * stride);
            ref float sj = ref Unsafe.Add(ref rs, j * ld);
            for (int n = 0; n < bCount; n++) Unsafe.Add(ref sj, n) = Dot(ref aj, ref Unsafe.Add(ref rb, n * stride), stride);
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

    /// <summary>
    /// Back-propagates G = dLoss/dScore (<paramref name="anchorCount"/> × <paramref name="columns"/>, row-major) of scores
    /// dot(anchor[r], negative[rowOf[q]]): anchorGrads[r] += Σ_q G[r,q] negative[rowOf[q]] and
    /// negativeGrads[rowOf[q]] += Σ_r G[r,q] anchor[r]. Zero coefficients are skipped, which makes margin losses cheap once
    /// most negatives clear the margin. <paramref name="nzRows"/> and <paramref name="nzWeights"/> are scratch of at least
    /// max(anchorCount, columns) entries.
    /// </summary>
    public static void BackwardSparse(ReadOnlySpan<float> g, int anchorCount, int columns, ReadOnlySpan<int> rowOf, float[] anchors, float[] negatives,
        float[] anchorGrads, float[] negativeGrads, int stride, int[] nzRows, float[] nzWeights)
    {
        for (int r = 0; r < anchorCount; r++)
        {
            int count = 0;
            var row = g.Slice(r * columns, columns);
            for (int q = 0; q < columns; q++)
            {
                float v = row[q];
                if (v == 0f) continue;
                nzRows[count] = rowOf[q];
                nzWeights[count++] = v;
            }
            if (count > 0) AddWeightedRows(anchorGrads.AsSpan(r * stride, stride), negatives, nzRows, nzWeights, count, stride);
        }
        for (int q = 0; q < columns; q++)
        {
            int count = 0;
            for (int r = 0; r < anchorCount; r++)
            {
                float v = g[r * columns + q];
                if (v == 0f) continue;
                nzRows[count] = r;
                nzWeights[count++] = v;
            }
            if (count > 0) AddWeightedRows(negativeGrads.AsSpan(rowOf[q] * stride, stride), anchors, nzRows, nzWeights, count, stride);
        }
    }
}
