using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// An 8-bit copy of the exact search's rows that gives, for a query, an upper bound on every row's exact score four to
/// eight times faster than the float scan: the prefilter of <see cref="TiledTopKSearch"/>'s buffered selection.
/// </summary>
/// <remarks>
/// <para>Row r is stored as codes c (integers in [-127, 127]) with one scale s = max |x| / 127, a query q as codes k with
/// scale a. The integer product k . c is exact (AVX-VNNI multiplies unsigned by signed bytes, so the query codes are
/// offset by 128 and 128 times the row's code sum is taken off again), and</para>
/// <para><c>q . x = a s (k . c) + q . (x - s c) + (q - a k) . (s c)</c>, so
/// <c>|q . x - a s (k . c)| &lt;= |q| |x - s c| + |q - a k| |s c|</c> by Cauchy-Schwarz.</para>
/// <para>The engine's float score, one chain of fused multiply-adds over d dimensions, differs from the real q . x by at
/// most <c>gamma_d |q| |x|</c> with <c>gamma_d = d u / (1 - d u)</c>, u = 2^-24; that term joins the row's error. The bound
/// is computed in float, whose few roundings are covered by inflating both coefficients by 2^-18 (far more than the
/// 4 u they can cost). So the bound <see cref="BoundPanel"/> writes is at least the float score the search itself would compute for the row,
/// and a row whose bound is below a list's entry threshold cannot enter it: the lists the buffered selection proves from
/// the rows it keeps are the exact ones, bit for bit (<see cref="CertifiedRanking"/>).</para>
/// <para>Built only where AVX-VNNI runs (<see cref="IsSupported"/>) and for dimensions up to <see cref="MaxDimension"/>,
/// where an integer product stays below 2^24 and converts to float exactly.</para>
/// </remarks>
internal sealed class QuantizedRows
{
    /// <summary>Rows per packed panel: two vectors of eight 32-bit lanes.</summary>
    public const int PanelWidth = 16;

    /// <summary>The largest dimension handled: 1,024 x 127 x 127 is below 2^24.</summary>
    public const int MaxDimension = 1024;

    /// <summary>The relative slack added to both error coefficients for the bound's own float roundings.</summary>
    private const float Inflation = 1f + 1f / (1 << 18);

    private readonly sbyte[] _codes;
    private readonly int[] _codeSums;
    private readonly float[] _scales;
    private readonly float[] _queryNormTerms;
    private readonly float[] _codedNorms;

    /// <summary>True where the kernel can run: AVX-VNNI on x64.</summary>
    public static bool IsSupported => AvxVnni.IsSupported;

    /// <summary>Codes <paramref name="rows"/> (which the caller has checked to be finite).</summary>
    public QuantizedRows(EmbeddingMatrix rows)
    {
        if (rows.Dimension > MaxDimension) throw new ArgumentOutOfRangeException(nameof(rows), rows.Dimension, $"At most {MaxDimension} dimensions.");
        Rows = rows.Rows;
        Dimension = rows.Dimension;
        Groups = (Dimension + 3) / 4;
        Panels = (Rows + PanelWidth - 1) / PanelWidth;
        int padded = Panels * PanelWidth;
        _codes = new sbyte[checked(padded * Groups * 4)];
        _codeSums = new int[padded];
        _scales = new float[padded];
        _queryNormTerms = new float[padded];
        _codedNorms = new float[padded];
        double gamma = Gamma(Dimension);
        for (int r = 0; r < Rows; r++)
        {
            var x = rows.ReadRow(r);
            float max = 0f;
            foreach (float v in x) max = Math.Max(max, Math.Abs(v));
            float scale = max / 127f;
            double error = 0, coded = 0, norm = 0;
            int sum = 0;
            int panelBase = r / PanelWidth * Groups * PanelWidth * 4 + r % PanelWidth * 4;
            for (int j = 0; j < Dimension; j++)
            {
                int code = scale > 0f ? (int)Math.Clamp(MathF.Round(x[j] / scale), -127f, 127f) : 0;
                _codes[panelBase + j / 4 * PanelWidth * 4 + j % 4] = (sbyte)code;
                sum += code;
                double approx = (double)scale * code;
                error += (x[j] - approx) * (x[j] - approx);
                coded += approx * approx;
                norm += (double)x[j] * x[j];
            }
            _codeSums[r] = sum;
            _scales[r] = scale;
            _queryNormTerms[r] = Up(Math.Sqrt(error) + gamma * Math.Sqrt(norm));
            _codedNorms[r] = Up(Math.Sqrt(coded));
        }
    }

    /// <summary>Number of coded rows.</summary>
    public int Rows { get; }

    /// <summary>Their dimension.</summary>
    public int Dimension { get; }

    /// <summary>Groups of four dimensions (the kernel's step; the last is zero-padded).</summary>
    public int Groups { get; }

    /// <summary>Number of panels of <see cref="PanelWidth"/> rows.</summary>
    public int Panels { get; }

    /// <summary>
    /// Codes <paramref name="query"/> into slot <paramref name="slot"/> of <paramref name="block"/>; false when the query
    /// is not finite (the caller then scans in float).
    /// </summary>
    public bool CodeQuery(ReadOnlySpan<float> query, QuantizedQueryBlock block, int slot)
    {
        float max = 0f;
        foreach (float v in query)
        {
            if (!float.IsFinite(v)) return false;
            max = Math.Max(max, Math.Abs(v));
        }
        float scale = max / 127f;
        var codes = MemoryMarshal.AsBytes(block.Codes.AsSpan(slot * Groups, Groups));
        codes.Fill(128);
        double error = 0, norm = 0;
        for (int j = 0; j < query.Length; j++)
        {
            int code = scale > 0f ? (int)Math.Clamp(MathF.Round(query[j] / scale), -127f, 127f) : 0;
            codes[j] = (byte)(code + 128);
            double approx = (double)scale * code;
            error += (query[j] - approx) * (query[j] - approx);
            norm += (double)query[j] * query[j];
        }
        block.Scales[slot] = scale;
        block.NormCoefficients[slot] = Up(Math.Sqrt(norm)) * Inflation;
        block.ErrorCoefficients[slot] = Up(Math.Sqrt(error)) * Inflation + (float)Math.Sqrt(norm) * (Inflation - 1f);
        return true;
    }

    /// <summary>
    /// The bound of every row of panel <paramref name="p"/> for the block's first <paramref name="count"/> coded queries,
    /// into <paramref name="bounds"/> (query-major, <see cref="PanelWidth"/> per query). Rows past the last are bounded
    /// by zero; the caller skips them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BoundPanel(QuantizedQueryBlock block, int count, int p, Span<float> bounds, Span<int> tile)
    {
        ref int queries = ref MemoryMarshal.GetArrayDataReference(block.Codes);
        ref sbyte panel = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_codes), (nint)p * Groups * PanelWidth * 4);
        int firstRow = p * PanelWidth;
        var sums0 = Vector256.LoadUnsafe(ref _codeSums[firstRow]) << 7;
        var sums1 = Vector256.LoadUnsafe(ref _codeSums[firstRow + 8]) << 7;
        var scale0 = Vector256.LoadUnsafe(ref _scales[firstRow]);
        var scale1 = Vector256.LoadUnsafe(ref _scales[firstRow + 8]);
        var normTerm0 = Vector256.LoadUnsafe(ref _queryNormTerms[firstRow]);
        var normTerm1 = Vector256.LoadUnsafe(ref _queryNormTerms[firstRow + 8]);
        var coded0 = Vector256.LoadUnsafe(ref _codedNorms[firstRow]);
        var coded1 = Vector256.LoadUnsafe(ref _codedNorms[firstRow + 8]);
        ref int tileRef = ref MemoryMarshal.GetReference(tile);
        for (int t = 0; t < count; t += TileQueries)
        {
            Tile(ref Unsafe.Add(ref queries, t * Groups), Groups, ref panel, ref tileRef);
            int rows = Math.Min(TileQueries, count - t);
            for (int i = 0; i < rows; i++)
            {
                int q = t + i;
                var a = Vector256.Create(block.Scales[q]);
                var n = Vector256.Create(block.NormCoefficients[q]);
                var e = Vector256.Create(block.ErrorCoefficients[q]);
                var dot0 = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref tileRef, (nuint)(i * PanelWidth)) - sums0);
                var dot1 = Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref tileRef, (nuint)(i * PanelWidth + 8)) - sums1);
                var slack0 = Vector256.FusedMultiplyAdd(n, normTerm0, e * coded0);
                var slack1 = Vector256.FusedMultiplyAdd(n, normTerm1, e * coded1);
                Vector256.FusedMultiplyAdd(dot0, a * scale0, slack0).StoreUnsafe(ref MemoryMarshal.GetReference(bounds), (nuint)(q * PanelWidth));
                Vector256.FusedMultiplyAdd(dot1, a * scale1, slack1).StoreUnsafe(ref MemoryMarshal.GetReference(bounds), (nuint)(q * PanelWidth + 8));
            }
        }
    }

    /// <summary>Queries per micro-tile of the kernel.</summary>
    public const int TileQueries = 6;

    /// <summary>
    /// Six coded queries against one panel: twelve integer accumulators in registers over the groups, then stored
    /// (query-major, <see cref="PanelWidth"/> per query). Each lane sums (k + 128) . c exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(ref int q0, int groups, ref sbyte panel, ref int tile)
    {
        ref int q1 = ref Unsafe.Add(ref q0, groups);
        ref int q2 = ref Unsafe.Add(ref q1, groups);
        ref int q3 = ref Unsafe.Add(ref q2, groups);
        ref int q4 = ref Unsafe.Add(ref q3, groups);
        ref int q5 = ref Unsafe.Add(ref q4, groups);
        Vector256<int> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
        Vector256<int> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        ref sbyte c = ref panel;
        for (int g = 0; g < groups; g++)
        {
            var c0 = Vector256.LoadUnsafe(ref c);
            var c1 = Vector256.LoadUnsafe(ref c, 32);
            c = ref Unsafe.Add(ref c, 64);
            var b = Vector256.Create(Unsafe.Add(ref q0, g)).AsByte();
            a00 = AvxVnni.MultiplyWideningAndAdd(a00, b, c0);
            a01 = AvxVnni.MultiplyWideningAndAdd(a01, b, c1);
            b = Vector256.Create(Unsafe.Add(ref q1, g)).AsByte();
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, b, c0);
            a11 = AvxVnni.MultiplyWideningAndAdd(a11, b, c1);
            b = Vector256.Create(Unsafe.Add(ref q2, g)).AsByte();
            a20 = AvxVnni.MultiplyWideningAndAdd(a20, b, c0);
            a21 = AvxVnni.MultiplyWideningAndAdd(a21, b, c1);
            b = Vector256.Create(Unsafe.Add(ref q3, g)).AsByte();
            a30 = AvxVnni.MultiplyWideningAndAdd(a30, b, c0);
            a31 = AvxVnni.MultiplyWideningAndAdd(a31, b, c1);
            b = Vector256.Create(Unsafe.Add(ref q4, g)).AsByte();
            a40 = AvxVnni.MultiplyWideningAndAdd(a40, b, c0);
            a41 = AvxVnni.MultiplyWideningAndAdd(a41, b, c1);
            b = Vector256.Create(Unsafe.Add(ref q5, g)).AsByte();
            a50 = AvxVnni.MultiplyWideningAndAdd(a50, b, c0);
            a51 = AvxVnni.MultiplyWideningAndAdd(a51, b, c1);
        }
        a00.StoreUnsafe(ref tile, 0); a01.StoreUnsafe(ref tile, 8);
        a10.StoreUnsafe(ref tile, 16); a11.StoreUnsafe(ref tile, 24);
        a20.StoreUnsafe(ref tile, 32); a21.StoreUnsafe(ref tile, 40);
        a30.StoreUnsafe(ref tile, 48); a31.StoreUnsafe(ref tile, 56);
        a40.StoreUnsafe(ref tile, 64); a41.StoreUnsafe(ref tile, 72);
        a50.StoreUnsafe(ref tile, 80); a51.StoreUnsafe(ref tile, 88);
    }

    /// <summary>gamma_d = d u / (1 - d u), u = 2^-24: the relative error bound of a d-term fused multiply-add chain.</summary>
    private static double Gamma(int d)
    {
        double du = d * Math.ScaleB(1.0, -24);
        return du / (1 - du);
    }

    /// <summary>A non-negative double rounded up to a float.</summary>
    private static float Up(double value)
    {
        float f = (float)value;
        return f < value ? MathF.BitIncrement(f) : f;
    }
}
