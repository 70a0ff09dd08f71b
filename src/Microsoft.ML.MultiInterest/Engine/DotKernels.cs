using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Scores four query vectors against one row in a single pass over the row, in exactly the summation
/// order of <see cref="VectorMath.Dot"/>, so every path yields bit-identical scores.
/// </summary>
internal static class DotKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dot4(ReadOnlySpan<float> row, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, ReadOnlySpan<float> q2, ReadOnlySpan<float> q3, Span<float> result)
    {
        int n = row.Length;
        ref float r = ref MemoryMarshal.GetReference(row);
        ref float a = ref MemoryMarshal.GetReference(q0);
        ref float b = ref MemoryMarshal.GetReference(q1);
        ref float c = ref MemoryMarshal.GetReference(q2);
        ref float d = ref MemoryMarshal.GetReference(q3);
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            int w = Vector<float>.Count;
            Vector<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
            for (; i <= n - 2 * w; i += 2 * w)
            {
                var x0 = Load(ref r, i);
                var x1 = Load(ref r, i + w);
                a0 += Load(ref a, i) * x0; a1 += Load(ref a, i + w) * x1;
                b0 += Load(ref b, i) * x0; b1 += Load(ref b, i + w) * x1;
                c0 += Load(ref c, i) * x0; c1 += Load(ref c, i + w) * x1;
                d0 += Load(ref d, i) * x0; d1 += Load(ref d, i + w) * x1;
            }
            for (; i <= n - w; i += w)
            {
                var x0 = Load(ref r, i);
                a0 += Load(ref a, i) * x0;
                b0 += Load(ref b, i) * x0;
                c0 += Load(ref c, i) * x0;
                d0 += Load(ref d, i) * x0;
            }
            s0 = Vector.Sum(a0 + a1); s1 = Vector.Sum(b0 + b1); s2 = Vector.Sum(c0 + c1); s3 = Vector.Sum(d0 + d1);
        }
        for (; i < n; i++)
        {
            float x = Unsafe.Add(ref r, i);
            s0 += Unsafe.Add(ref a, i) * x;
            s1 += Unsafe.Add(ref b, i) * x;
            s2 += Unsafe.Add(ref c, i) * x;
            s3 += Unsafe.Add(ref d, i) * x;
        }
        result[0] = s0; result[1] = s1; result[2] = s2; result[3] = s3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> Load(ref float origin, int offset) => Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref origin, offset));
}
