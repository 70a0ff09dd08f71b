using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Small vector kernels with a fixed summation order, so that identical rows always give bit-identical
/// scores wherever they sit in memory (ties are then decided by row order, never by rounding).
/// </summary>
internal static class VectorMath
{
    /// <summary>Dot product of two equal-length spans, summed in a fixed lane order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length;
        if (b.Length != n) throw new ArgumentException("Vectors must have the same length.", nameof(b));
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            var acc0 = Vector<float>.Zero;
            var acc1 = Vector<float>.Zero;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                acc0 += Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ra, i)) * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rb, i));
                acc1 += Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ra, i + w)) * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rb, i + w));
            }
            for (; i <= n - w; i += w)
                acc0 += Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ra, i)) * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rb, i));
            sum = Vector.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        return sum;
    }

    /// <summary>
    /// The dot products of <paramref name="a"/> with four rows at once: each result is bit for bit <see cref="Dot"/> of
    /// <paramref name="a"/> and that row (the same lanes, chains and order), with <paramref name="a"/>'s loads shared and
    /// eight independent chains instead of two, so the adds' latency is hidden.
    /// </summary>
    public static void DotFour(ReadOnlySpan<float> a, ReadOnlySpan<float> b0, ReadOnlySpan<float> b1, ReadOnlySpan<float> b2, ReadOnlySpan<float> b3,
        out float d0, out float d1, out float d2, out float d3)
    {
        int n = a.Length;
        if (b0.Length != n || b1.Length != n || b2.Length != n || b3.Length != n) throw new ArgumentException("Vectors must have the same length.", nameof(b0));
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float r0 = ref MemoryMarshal.GetReference(b0);
        ref float r1 = ref MemoryMarshal.GetReference(b1);
        ref float r2 = ref MemoryMarshal.GetReference(b2);
        ref float r3 = ref MemoryMarshal.GetReference(b3);
        int i = 0;
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            Vector<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                var x = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ra, i));
                var y = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ra, i + w));
                a00 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r0, i));
                a01 += y * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r0, i + w));
                a10 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r1, i));
                a11 += y * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r1, i + w));
                a20 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r2, i));
                a21 += y * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r2, i + w));
                a30 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r3, i));
                a31 += y * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r3, i + w));
            }
            for (; i <= n - w; i += w)
            {
                var x = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ra, i));
                a00 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r0, i));
                a10 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r1, i));
                a20 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r2, i));
                a30 += x * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref r3, i));
            }
            s0 = Vector.Sum(a00 + a01);
            s1 = Vector.Sum(a10 + a11);
            s2 = Vector.Sum(a20 + a21);
            s3 = Vector.Sum(a30 + a31);
        }
        for (; i < n; i++)
        {
            float x = Unsafe.Add(ref ra, i);
            s0 += x * Unsafe.Add(ref r0, i);
            s1 += x * Unsafe.Add(ref r1, i);
            s2 += x * Unsafe.Add(ref r2, i);
            s3 += x * Unsafe.Add(ref r3, i);
        }
        (d0, d1, d2, d3) = (s0, s1, s2, s3);
    }

    /// <summary>Euclidean norm.</summary>
    public static float Norm(ReadOnlySpan<float> a) => MathF.Sqrt(Dot(a, a));

    /// <summary>Scales <paramref name="a"/> to unit length; a zero vector is left unchanged.</summary>
    /// <returns>The norm before scaling.</returns>
    public static float NormalizeInPlace(Span<float> a)
    {
        float norm = Norm(a);
        if (norm > 0f)
        {
            float inv = 1f / norm;
            for (int i = 0; i < a.Length; i++) a[i] *= inv;
        }
        return norm;
    }

    /// <summary><paramref name="y"/> += <paramref name="alpha"/> * <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaled(Span<float> y, ReadOnlySpan<float> x, float alpha)
    {
        int n = y.Length;
        if (x.Length != n) throw new ArgumentException("Vectors must have the same length.", nameof(x));
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var va = new Vector<float>(alpha);
            for (; i <= n - w; i += w)
            {
                ref var vy = ref Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref ry, i));
                vy += va * Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rx, i));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref ry, i) += alpha * Unsafe.Add(ref rx, i);
    }

    /// <summary>
    /// <paramref name="sum"/>[i] += <paramref name="scale"/> * <paramref name="x"/>[i] in double precision, a product
    /// and then a sum (not fused), so the result equals the scalar loop bit for bit; with a scale of 1 it is a plain
    /// widened sum (1 * x is exact).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddScaledWidened(Span<double> sum, ReadOnlySpan<float> x, double scale)
    {
        int n = sum.Length;
        if (x.Length != n) throw new ArgumentException("Vectors must have the same length.", nameof(x));
        ref double rs = ref MemoryMarshal.GetReference(sum);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var factor = Vector256.Create(scale);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref rx, (nuint)i));
                (Vector256.LoadUnsafe(ref rs, (nuint)i) + factor * lower).StoreUnsafe(ref rs, (nuint)i);
                (Vector256.LoadUnsafe(ref rs, (nuint)(i + 4)) + factor * upper).StoreUnsafe(ref rs, (nuint)(i + 4));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref rs, i) += scale * Unsafe.Add(ref rx, i);
    }

    /// <summary>
    /// Σ x[i]² in double, summed in index order: a squared length that cannot overflow for finite floats (a row's norm for
    /// normalising very long rows, or for deciding that one is too long: <see cref="ScorableLength"/>).
    /// </summary>
    public static double SquaredNormWidened(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return sum;
    }

    /// <summary>Σ (x[i] − y[i])² in double precision (x widened), summed in a fixed lane order.</summary>
    public static double SquaredDistanceWidened(ReadOnlySpan<float> x, ReadOnlySpan<double> y)
    {
        int n = x.Length;
        if (y.Length != n) throw new ArgumentException("Vectors must have the same length.", nameof(y));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref double ry = ref MemoryMarshal.GetReference(y);
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> low = default, high = default;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref rx, (nuint)i));
                var dLow = lower - Vector256.LoadUnsafe(ref ry, (nuint)i);
                var dHigh = upper - Vector256.LoadUnsafe(ref ry, (nuint)(i + 4));
                low += dLow * dLow;
                high += dHigh * dHigh;
            }
            sum = Vector256.Sum(low + high);
        }
        for (; i < n; i++)
        {
            double diff = Unsafe.Add(ref rx, i) - Unsafe.Add(ref ry, i);
            sum += diff * diff;
        }
        return sum;
    }

    /// <summary>
    /// <c>sum</c> = Σ_r rows[r] in double precision, the rows added in their order: bit for bit a cleared
    /// <paramref name="sum"/> followed by <see cref="AddScaledWidened"/> of each row with a scale of 1, but each lane's
    /// running sum stays in a register across the rows instead of going through memory once per row.
    /// </summary>
    /// <param name="table">Row-major rows of <c>sum.Length</c> floats.</param>
    /// <param name="rows">The rows to add, in order.</param>
    /// <param name="sum">Receives the sum; its length is the dimension.</param>
    public static void SumRowsWidened(ReadOnlySpan<float> table, ReadOnlySpan<int> rows, Span<double> sum)
    {
        int d = sum.Length;
        ref float rt = ref MemoryMarshal.GetReference(table);
        ref double rs = ref MemoryMarshal.GetReference(sum);
        int count = table.Length / d;
        foreach (int row in rows)
            if ((uint)row >= (uint)count) throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row must be in [0, {count}).");
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<float>.Count;
            // Four chunks of 8 lanes at once: eight independent running sums, so the adds' latency is not the bound.
            for (; i <= d - 4 * w; i += 4 * w)
            {
                Vector256<double> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, e0 = default, e1 = default;
                foreach (int row in rows)
                {
                    ref float x = ref Unsafe.Add(ref rt, (nint)((long)row * d + i));
                    var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref x));
                    a0 += low;
                    a1 += high;
                    (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)w));
                    b0 += low;
                    b1 += high;
                    (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)(2 * w)));
                    c0 += low;
                    c1 += high;
                    (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref x, (nuint)(3 * w)));
                    e0 += low;
                    e1 += high;
                }
                a0.StoreUnsafe(ref rs, (nuint)i);
                a1.StoreUnsafe(ref rs, (nuint)(i + 4));
                b0.StoreUnsafe(ref rs, (nuint)(i + w));
                b1.StoreUnsafe(ref rs, (nuint)(i + w + 4));
                c0.StoreUnsafe(ref rs, (nuint)(i + 2 * w));
                c1.StoreUnsafe(ref rs, (nuint)(i + 2 * w + 4));
                e0.StoreUnsafe(ref rs, (nuint)(i + 3 * w));
                e1.StoreUnsafe(ref rs, (nuint)(i + 3 * w + 4));
            }
            for (; i <= d - w; i += w)
            {
                Vector256<double> lower = default, upper = default;
                foreach (int row in rows)
                {
                    var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref rt, (nuint)((long)row * d + i)));
                    lower += low;
                    upper += high;
                }
                lower.StoreUnsafe(ref rs, (nuint)i);
                upper.StoreUnsafe(ref rs, (nuint)(i + 4));
            }
        }
        for (; i < d; i++)
        {
            double total = 0;
            foreach (int row in rows) total += Unsafe.Add(ref rt, (nint)((long)row * d + i));
            Unsafe.Add(ref rs, i) = total;
        }
    }

    /// <summary>
    /// <see cref="SquaredDistanceWidened"/> of four rows from one <paramref name="y"/>, each bit for bit the single call's
    /// value (the same lanes and order), with <paramref name="y"/>'s loads shared and eight chains instead of two.
    /// </summary>
    public static void SquaredDistancesWidened(ReadOnlySpan<float> x0, ReadOnlySpan<float> x1, ReadOnlySpan<float> x2, ReadOnlySpan<float> x3,
        ReadOnlySpan<double> y, out double s0, out double s1, out double s2, out double s3)
    {
        int n = y.Length;
        if (x0.Length != n || x1.Length != n || x2.Length != n || x3.Length != n) throw new ArgumentException("Vectors must have the same length.", nameof(y));
        ref double ry = ref MemoryMarshal.GetReference(y);
        ref float r0 = ref MemoryMarshal.GetReference(x0);
        ref float r1 = ref MemoryMarshal.GetReference(x1);
        ref float r2 = ref MemoryMarshal.GetReference(x2);
        ref float r3 = ref MemoryMarshal.GetReference(x3);
        int i = 0;
        (s0, s1, s2, s3) = (0, 0, 0, 0);
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var yLow = Vector256.LoadUnsafe(ref ry, (nuint)i);
                var yHigh = Vector256.LoadUnsafe(ref ry, (nuint)(i + 4));
                Accumulate(Vector256.LoadUnsafe(ref r0, (nuint)i), yLow, yHigh, ref l0, ref h0);
                Accumulate(Vector256.LoadUnsafe(ref r1, (nuint)i), yLow, yHigh, ref l1, ref h1);
                Accumulate(Vector256.LoadUnsafe(ref r2, (nuint)i), yLow, yHigh, ref l2, ref h2);
                Accumulate(Vector256.LoadUnsafe(ref r3, (nuint)i), yLow, yHigh, ref l3, ref h3);
            }
            (s0, s1, s2, s3) = (Vector256.Sum(l0 + h0), Vector256.Sum(l1 + h1), Vector256.Sum(l2 + h2), Vector256.Sum(l3 + h3));
        }
        for (; i < n; i++)
        {
            double yi = Unsafe.Add(ref ry, i);
            double d0 = Unsafe.Add(ref r0, i) - yi, d1 = Unsafe.Add(ref r1, i) - yi, d2 = Unsafe.Add(ref r2, i) - yi, d3 = Unsafe.Add(ref r3, i) - yi;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }

        static void Accumulate(Vector256<float> x, Vector256<double> yLow, Vector256<double> yHigh, ref Vector256<double> low, ref Vector256<double> high)
        {
            var (lower, upper) = Vector256.Widen(x);
            var dLow = lower - yLow;
            var dHigh = upper - yHigh;
            low += dLow * dLow;
            high += dHigh * dHigh;
        }
    }

    /// <summary>Euclidean distance between two equal-length vectors.</summary>
    public static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (b.Length != a.Length) throw new ArgumentException("Vectors must have the same length.", nameof(b));
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return (float)Math.Sqrt(sum);
    }

    /// <summary>Writes <paramref name="source"/> scaled to unit length into <paramref name="destination"/> (zeros when the source is zero).</summary>
    /// <returns>The norm of the source.</returns>
    public static double StoreNormalized(ReadOnlySpan<double> source, Span<float> destination)
    {
        if (destination.Length != source.Length) throw new ArgumentException("Vectors must have the same length.", nameof(destination));
        double sq = 0;
        foreach (double v in source) sq += v * v;
        double norm = Math.Sqrt(sq);
        if (norm == 0)
        {
            destination.Clear();
            return 0;
        }
        for (int i = 0; i < source.Length; i++) destination[i] = (float)(source[i] / norm);
        return norm;
    }
}
