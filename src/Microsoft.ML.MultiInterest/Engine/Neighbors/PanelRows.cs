using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// Rows split into segments (inverted lists), each stored contiguously as panels of <see cref="Width"/> rows interleaved
/// by dimension, so one dimension of a panel is one vector and a segment is scanned front to back. Each lane sums its
/// row's score as one chain of fused multiply-adds over the dimensions in ascending order: the same arithmetic as
/// <see cref="TiledTopKSearch"/>, so a row scores bit-identically here and in the exact index.
/// </summary>
internal sealed class PanelRows
{
    private readonly float[] _values;
    private readonly int[] _panelStart;
    private readonly bool _wide;

    /// <summary>Packs the rows <paramref name="order"/> of <paramref name="source"/> (row-major, unit rows), segment s being
    /// <paramref name="order"/>[<paramref name="segmentStart"/>[s]..<paramref name="segmentStart"/>[s+1]).</summary>
    public PanelRows(float[] source, int dimension, int[] order, int[] segmentStart)
    {
        _wide = Vector512.IsHardwareAccelerated;
        Width = _wide ? Vector512<float>.Count : Vector256<float>.Count;
        Dimension = dimension;
        int segments = segmentStart.Length - 1;
        _panelStart = new int[segments + 1];
        for (int s = 0; s < segments; s++)
            _panelStart[s + 1] = _panelStart[s] + (segmentStart[s + 1] - segmentStart[s] + Width - 1) / Width;
        _values = new float[checked((long)_panelStart[segments] * dimension * Width)];
        // Padding lanes keep id -1 and zero values; scans never offer them.
        Ids = new int[_panelStart[segments] * Width];
        Array.Fill(Ids, -1);
        for (int s = 0; s < segments; s++)
        {
            for (int i = segmentStart[s]; i < segmentStart[s + 1]; i++)
            {
                int local = i - segmentStart[s];
                int panel = _panelStart[s] + local / Width;
                int lane = local % Width;
                int row = order[i];
                Ids[panel * Width + lane] = row;
                long panelBase = (long)panel * dimension * Width + lane;
                for (int j = 0; j < dimension; j++) _values[panelBase + j * Width] = source[(long)row * dimension + j];
            }
        }
    }

    /// <summary>Rows per panel (floats per vector: 16 with AVX-512, else 8).</summary>
    public int Width { get; }

    /// <summary>Floats per row.</summary>
    public int Dimension { get; }

    /// <summary>The row id in each panel slot, panel-major; -1 pads a segment's last panel.</summary>
    public int[] Ids { get; }

    /// <summary>Number of segments.</summary>
    public int Segments => _panelStart.Length - 1;

    /// <summary>First panel of segment <paramref name="s"/>.</summary>
    public int FirstPanel(int s) => _panelStart[s];

    /// <summary>Panels of segment <paramref name="s"/>.</summary>
    public int PanelCount(int s) => _panelStart[s + 1] - _panelStart[s];

    /// <summary>
    /// Scores <see cref="PanelQueryTile.Queries"/> unit queries (<paramref name="queries"/>, row-major) against the
    /// <paramref name="panelCount"/> consecutive panels from <paramref name="firstPanel"/>, each panel loaded once for
    /// all of them. Query r &lt; <paramref name="used"/> gets panel i's <see cref="Width"/> scores at
    /// <paramref name="output"/>[<paramref name="offsets"/>[r] + i x <see cref="Width"/>]; the other rows are padding
    /// and are dropped. Each score is one FMA chain over the dimensions in ascending order, as in the exact index.
    /// </summary>
    public void ScoreQueries(ReadOnlySpan<float> queries, int used, int firstPanel, int panelCount, Span<float> tile, Span<float> output, ReadOnlySpan<int> offsets)
    {
        if (queries.Length < PanelQueryTile.Queries * Dimension) throw new ArgumentException("Query tile too short.", nameof(queries));
        if (tile.Length < PanelQueryTile.Queries * 2 * Width) throw new ArgumentException("Score tile too short.", nameof(tile));
        if ((uint)used > PanelQueryTile.Queries || offsets.Length < used) throw new ArgumentOutOfRangeException(nameof(used));
        if (firstPanel < 0 || panelCount < 0 || firstPanel + panelCount > _panelStart[^1]) throw new ArgumentOutOfRangeException(nameof(panelCount));
        for (int r = 0; r < used; r++)
        {
            if (offsets[r] < 0 || offsets[r] + panelCount * Width > output.Length) throw new ArgumentException("Output too short.", nameof(output));
        }
        if (_wide) ScoreQueries<Vector512<float>, Lanes512>(queries, used, firstPanel, panelCount, tile, output, offsets);
        else ScoreQueries<Vector256<float>, Lanes256>(queries, used, firstPanel, panelCount, tile, output, offsets);
    }

    private void ScoreQueries<TVector, TLanes>(ReadOnlySpan<float> queries, int used, int firstPanel, int panelCount, Span<float> tile, Span<float> output, ReadOnlySpan<int> offsets)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        int d = Dimension;
        int w = TLanes.Count;
        nint stride = (nint)d * w;
        ref float x = ref MemoryMarshal.GetReference(queries);
        ref float t = ref MemoryMarshal.GetReference(tile);
        ref float panel = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_values), firstPanel * stride);
        int i = 0;
        // Two panels at a time give twelve independent chains, as in the exact search's register tile.
        for (; i + 2 <= panelCount; i += 2)
        {
            PanelQueryTile.ScorePair<TVector, TLanes>(ref x, d, ref Unsafe.Add(ref panel, i * stride), ref Unsafe.Add(ref panel, (i + 1) * stride), ref t);
            for (int r = 0; r < used; r++) tile.Slice(r * 2 * w, 2 * w).CopyTo(output.Slice(offsets[r] + i * w));
        }
        if (i < panelCount)
        {
            PanelQueryTile.ScoreOne<TVector, TLanes>(ref x, d, ref Unsafe.Add(ref panel, i * stride), ref t);
            for (int r = 0; r < used; r++) tile.Slice(r * 2 * w, w).CopyTo(output.Slice(offsets[r] + i * w));
        }
    }
}
