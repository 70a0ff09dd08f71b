using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// A table re-laid out for brute-force scoring: panels of <see cref="Width"/> rows stored dimension-major
/// (for each dimension, the 16 rows' values side by side), so four queries are scored against a whole panel
/// with broadcast-and-FMA into eight vector registers and no horizontal sums. Each score is a plain
/// in-order sum over the dimensions, so identical rows always get identical scores.
/// </summary>
internal sealed class PackedPanels
{
    /// <summary>Rows per panel (two 256-bit vectors).</summary>
    public const int Width = 16;

    private readonly float[] _data;

    public PackedPanels(EmbeddingMatrix rows)
    {
        Rows = rows.Rows;
        Dimension = rows.Dimension;
        Panels = (Rows + Width - 1) / Width;
        _data = new float[checked(Panels * Dimension * Width)];
        for (int r = 0; r < Rows; r++)
        {
            var row = rows.ReadRow(r);
            int baseOffset = (r / Width) * Dimension * Width + r % Width;
            for (int d = 0; d < Dimension; d++) _data[baseOffset + d * Width] = row[d];
        }
    }

    public int Rows { get; }

    public int Dimension { get; }

    public int Panels { get; }

    /// <summary>
    /// Scores four queries against panel <paramref name="panel"/>: <paramref name="scores"/>[q * 16 + t]
    /// is dot(query q, row panel * 16 + t). Padding rows score 0.
    /// </summary>
    public void Score4(int panel, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, ReadOnlySpan<float> q2, ReadOnlySpan<float> q3, Span<float> scores)
    {
        if (scores.Length < 4 * Width) throw new ArgumentException("The score buffer needs 64 slots.", nameof(scores));
        ref float p = ref _data[panel * Dimension * Width];
        if (!Vector256.IsHardwareAccelerated)
        {
            ScoreScalar(ref p, q0, q1, q2, q3, scores);
            return;
        }
        ref float a = ref MemoryMarshal.GetReference(q0);
        ref float b = ref MemoryMarshal.GetReference(q1);
        ref float c = ref MemoryMarshal.GetReference(q2);
        ref float d = ref MemoryMarshal.GetReference(q3);
        Vector256<float> a0 = default, a1 = default, b0 = default, b1 = default, c0 = default, c1 = default, d0 = default, d1 = default;
        for (int j = 0; j < Dimension; j++)
        {
            var x0 = Vector256.LoadUnsafe(ref p, (nuint)(j * Width));
            var x1 = Vector256.LoadUnsafe(ref p, (nuint)(j * Width + 8));
            var sa = Vector256.Create(Unsafe.Add(ref a, j));
            var sb = Vector256.Create(Unsafe.Add(ref b, j));
            var sc = Vector256.Create(Unsafe.Add(ref c, j));
            var sd = Vector256.Create(Unsafe.Add(ref d, j));
            a0 = MultiplyAdd(x0, sa, a0); a1 = MultiplyAdd(x1, sa, a1);
            b0 = MultiplyAdd(x0, sb, b0); b1 = MultiplyAdd(x1, sb, b1);
            c0 = MultiplyAdd(x0, sc, c0); c1 = MultiplyAdd(x1, sc, c1);
            d0 = MultiplyAdd(x0, sd, d0); d1 = MultiplyAdd(x1, sd, d1);
        }
        ref float s = ref MemoryMarshal.GetReference(scores);
        a0.StoreUnsafe(ref s, 0); a1.StoreUnsafe(ref s, 8);
        b0.StoreUnsafe(ref s, 16); b1.StoreUnsafe(ref s, 24);
        c0.StoreUnsafe(ref s, 32); c1.StoreUnsafe(ref s, 40);
        d0.StoreUnsafe(ref s, 48); d1.StoreUnsafe(ref s, 56);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> acc) =>
        Fma.IsSupported ? Fma.MultiplyAdd(x, y, acc) : acc + x * y;

    private void ScoreScalar(ref float p, ReadOnlySpan<float> q0, ReadOnlySpan<float> q1, ReadOnlySpan<float> q2, ReadOnlySpan<float> q3, Span<float> scores)
    {
        scores[..(4 * Width)].Clear();
        for (int j = 0; j < Dimension; j++)
        {
            for (int t = 0; t < Width; t++)
            {
                float x = Unsafe.Add(ref p, j * Width + t);
                scores[t] += q0[j] * x;
                scores[Width + t] += q1[j] * x;
                scores[2 * Width + t] += q2[j] * x;
                scores[3 * Width + t] += q3[j] * x;
            }
        }
    }
}
