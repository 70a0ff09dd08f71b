using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The assignment step of spherical k-means as a blocked, register-tiled matrix product fused with an arg-max:
/// for each point, the centroid with the largest dot product (ties to the lower centroid index).
/// </summary>
/// <remarks>
/// Centroids are packed into panels of 16 (AVX2) or 32 (AVX-512) centroids, interleaved by dimension, so one
/// dimension of a panel is two contiguous vectors. A micro-tile of <see cref="PointTile"/> points x one panel is the
/// exact search's <see cref="RegisterTile"/>: 12 accumulators in registers for the whole dimension (per dimension 2
/// centroid vectors loaded, 6 point values broadcast, 12 FMAs), stored, then folded into each lane's running arg-max.
/// Points are processed in
/// blocks of <see cref="BlockPoints"/> (about 19 KB at d = 100, L1-resident) against every panel (L2-resident).
/// Every (point, centroid) score is the same chain of fused multiply-adds over the dimensions in ascending
/// order wherever the pair sits in a tile, so scores, and hence assignments, do not depend on blocking or threads.
/// </remarks>
internal sealed class NearestCentroidKernel
{
    /// <summary>Points per micro-tile (rows of the register tile).</summary>
    public const int PointTile = 6;

    /// <summary>Centroids per packed panel with 256-bit vectors: two 8-float vectors.</summary>
    private const int Tile256 = 16;

    /// <summary>Centroids per packed panel with 512-bit vectors: two 16-float vectors.</summary>
    private const int Tile512 = 32;

    /// <summary>Points per cache block (a multiple of <see cref="PointTile"/>).</summary>
    public const int BlockPoints = 48;

    /// <summary>Centroids per packed panel (columns of the register tile): two vectors of 512 or 256 bits.</summary>
    private readonly int _tile;

    private readonly int _dimension;
    private readonly int _clusters;
    private readonly int _panels;
    private readonly float[] _packed;
    private readonly float[][] _bestValue;
    // Per lane, the best score below the lane's maximum (or equal to it, on a tie): the runner-up that bounds pruning.
    private readonly float[][] _secondValue;
    // Centroid indices held as floats (exact below 2^24) so that the arg-max runs in the same vectors as the scores.
    private readonly float[][] _bestIndex;

    /// <param name="clusters">Number of centroids.</param>
    /// <param name="dimension">Dimension of points and centroids.</param>
    /// <param name="workers">Number of workers that may call <see cref="AssignBlock(int, float[], int, int, Span{int}, Span{float}, Span{float})"/> concurrently.</param>
    public NearestCentroidKernel(int clusters, int dimension, int workers)
        : this(clusters, dimension, workers, Vector512.IsHardwareAccelerated)
    {
    }

    /// <summary>As the public constructor, with 512-bit (<paramref name="wide"/>) or 256-bit panels; tests run both.</summary>
    internal NearestCentroidKernel(int clusters, int dimension, int workers, bool wide)
    {
        // The arg-max holds centroid indices in floats, exact up to 2^24.
        if (clusters > 1 << 24) throw new ArgumentOutOfRangeException(nameof(clusters), clusters, "At most 2^24 centroids.");
        _tile = wide ? Tile512 : Tile256;
        _dimension = dimension;
        _clusters = clusters;
        _panels = (clusters + _tile - 1) / _tile;
        _packed = new float[(long)_panels * dimension * _tile];
        _bestValue = new float[workers][];
        _secondValue = new float[workers][];
        _bestIndex = new float[workers][];
        for (int w = 0; w < workers; w++)
        {
            _bestValue[w] = new float[BlockPoints * _tile];
            _secondValue[w] = new float[BlockPoints * _tile];
            _bestIndex[w] = new float[BlockPoints * _tile];
        }
    }

    /// <summary>Copies row-major centroids (clusters x dimension) into the panel layout.</summary>
    public void Pack(float[] centroids)
    {
        int d = _dimension;
        for (int c = 0; c < _clusters; c++)
        {
            int panelBase = c / _tile * d * _tile + c % _tile;
            int rowBase = c * d;
            for (int j = 0; j < d; j++) _packed[panelBase + j * _tile] = centroids[rowBase + j];
        }
        // Padding lanes of the last panel stay zero; they are masked out of the arg-max.
    }

    /// <summary>
    /// Finds the nearest centroid of points <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/>-1.
    /// </summary>
    /// <param name="worker">Worker id (selects the scratch buffers).</param>
    /// <param name="points">Unit points, padded to a multiple of <see cref="PointTile"/> rows.</param>
    /// <param name="start">First point; a multiple of <see cref="PointTile"/>.</param>
    /// <param name="count">Number of points; at most <see cref="BlockPoints"/>.</param>
    /// <param name="cluster">Receives the nearest centroid of each point.</param>
    /// <param name="score">Receives the dot product with that centroid.</param>
    public void AssignBlock(int worker, float[] points, int start, int count, Span<int> cluster, Span<float> score)
        => AssignBlock(worker, points, start, count, cluster, score, []);

    /// <summary>
    /// As <see cref="AssignBlock(int, float[], int, int, Span{int}, Span{float})"/>, also giving each point's runner-up:
    /// the largest score of any other centroid (equal to the best one when two centroids tie).
    /// </summary>
    /// <param name="worker">Worker id (selects the scratch buffers).</param>
    /// <param name="points">Unit points, padded to a multiple of <see cref="PointTile"/> rows.</param>
    /// <param name="start">First point; a multiple of <see cref="PointTile"/>.</param>
    /// <param name="count">Number of points; at most <see cref="BlockPoints"/>.</param>
    /// <param name="cluster">Receives the nearest centroid of each point.</param>
    /// <param name="score">Receives the dot product with that centroid.</param>
    /// <param name="runnerUp">Receives the runner-up score of each point (negative infinity with one centroid); empty
    /// when not wanted.</param>
    public void AssignBlock(int worker, float[] points, int start, int count, Span<int> cluster, Span<float> score, Span<float> runnerUp)
        => AssignBlock(worker, points, start, count, cluster, score, runnerUp, [], 0, 0, []);

    /// <summary>Centroids per packed panel.</summary>
    public int PanelWidth => _tile;

    /// <summary>Packed panels (the last one padded).</summary>
    public int Panels => _panels;

    /// <summary>
    /// As <see cref="AssignBlock(int, float[], int, int, Span{int}, Span{float}, Span{float})"/> over the chosen groups of
    /// panels only: the panels are split into <paramref name="groups"/> runs of <paramref name="panelsPerGroup"/>, and a
    /// micro-tile of <see cref="PointTile"/> points scores group g when <paramref name="tileGroups"/>[tile x groups + g]
    /// is set. The best and the runner-up are over the scored centroids only; <paramref name="groupMax"/> (rows x groups,
    /// filled by the caller) is raised to each point's largest score in each group its tile scored.
    /// </summary>
    public void AssignBlock(int worker, float[] points, int start, int count, Span<int> cluster, Span<float> score, Span<float> runnerUp,
        ReadOnlySpan<bool> tileGroups, int groups, int panelsPerGroup, Span<float> groupMax)
    {
        int NR = _tile;
        int rows = (count + PointTile - 1) / PointTile * PointTile;
        ref float bestValue = ref MemoryMarshal.GetArrayDataReference(_bestValue[worker]);
        ref float secondValue = ref MemoryMarshal.GetArrayDataReference(_secondValue[worker]);
        ref float bestIndex = ref MemoryMarshal.GetArrayDataReference(_bestIndex[worker]);
        _bestValue[worker].AsSpan(0, rows * NR).Fill(float.NegativeInfinity);
        bool runnersUp = !runnerUp.IsEmpty;
        if (runnersUp) _secondValue[worker].AsSpan(0, rows * NR).Fill(float.NegativeInfinity);
        _bestIndex[worker].AsSpan(0, rows * NR).Clear();

        var selection = new PanelSelection(tileGroups, groups, panelsPerGroup, groupMax);
        // The runner-up costs a few vector operations per stored row; a plain arg-max (the IVF quantiser) skips them.
        if (_tile == Tile512)
        {
            if (runnersUp) Tiles<Vector512<float>, Lanes512, WithRunnerUp>(points, start, rows, ref bestValue, ref secondValue, ref bestIndex, selection);
            else Tiles<Vector512<float>, Lanes512, WithoutRunnerUp>(points, start, rows, ref bestValue, ref secondValue, ref bestIndex, selection);
        }
        else if (runnersUp) Tiles<Vector256<float>, Lanes256, WithRunnerUp>(points, start, rows, ref bestValue, ref secondValue, ref bestIndex, selection);
        else Tiles<Vector256<float>, Lanes256, WithoutRunnerUp>(points, start, rows, ref bestValue, ref secondValue, ref bestIndex, selection);

        // Each lane holds the best of its residue class of centroids; pick the best lane, ties to the lower centroid.
        for (int r = 0; r < count; r++)
        {
            float best = float.NegativeInfinity;
            int arg = int.MaxValue;
            int lane = 0;
            for (int l = 0; l < NR; l++)
            {
                float v = Unsafe.Add(ref bestValue, r * NR + l);
                int i = (int)Unsafe.Add(ref bestIndex, r * NR + l);
                if (v > best || (v == best && i < arg))
                {
                    best = v;
                    arg = i;
                    lane = l;
                }
            }
            cluster[r] = arg;
            score[r] = best;
            if (runnerUp.IsEmpty) continue;
            // The runner-up is the winning lane's own second best or another lane's best.
            float second = Unsafe.Add(ref secondValue, r * NR + lane);
            for (int l = 0; l < NR; l++)
                if (l != lane) second = Math.Max(second, Unsafe.Add(ref bestValue, r * NR + l));
            runnerUp[r] = second;
        }
    }

    /// <summary>
    /// One point's score with one centroid computed as the tiles compute it (a single chain of fused multiply-adds over
    /// the dimensions in ascending order, from zero), so it equals that pair's score in <see cref="AssignBlock(int, float[], int, int, Span{int}, Span{float}, Span{float})"/> bit for bit.
    /// </summary>
    public static float Score(ReadOnlySpan<float> point, ReadOnlySpan<float> centroid)
    {
        float sum = 0f;
        for (int j = 0; j < point.Length; j++) sum = MathF.FusedMultiplyAdd(point[j], centroid[j], sum);
        return sum;
    }

    /// <summary>
    /// All panels against the point block: each micro-tile (<see cref="PointTile"/> points x one panel) is scored by the
    /// search's register tile (<see cref="RegisterTile"/>, the same ascending chain of fused multiply-adds per pair) and
    /// stored, then folded into the lanes' running arg-max.
    /// </summary>
    private void Tiles<TVector, TLanes, TRunnerUp>(float[] points, int start, int rows, ref float bestValue, ref float secondValue, ref float bestIndex, PanelSelection selection)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        where TRunnerUp : struct, IRunnerUpTracking
    {
        int width = 2 * TLanes.Count;
        int d = _dimension;
        ref float pointBase = ref MemoryMarshal.GetArrayDataReference(points);
        ref float packedBase = ref MemoryMarshal.GetArrayDataReference(_packed);
        Span<float> scores = stackalloc float[PointTile * width];
        ref float tile = ref MemoryMarshal.GetReference(scores);
        for (int p = 0; p < _panels; p++)
        {
            ref float panel = ref Unsafe.Add(ref packedBase, (nint)p * d * width);
            int first = p * width;
            // Lanes past the last centroid hold padding; the fold masks them so that they can never win.
            int valid = Math.Min(width, _clusters - first);
            int group = selection.Groups == 0 ? 0 : p / selection.PanelsPerGroup;
            for (int t = 0; t < rows; t += PointTile)
            {
                if (!selection.Scores(t / PointTile, group)) continue;
                RegisterTile.Score<TVector, TLanes>(ref Unsafe.Add(ref pointBase, (nint)(start + t) * d), d, ref panel, ref tile);
                for (int r = 0; r < PointTile; r++)
                {
                    var rowMax = Fold<TVector, TLanes, TRunnerUp>(ref Unsafe.Add(ref tile, r * width), first, valid, ref Unsafe.Add(ref bestValue, (t + r) * width),
                        ref Unsafe.Add(ref secondValue, (t + r) * width), ref Unsafe.Add(ref bestIndex, (t + r) * width));
                    if (selection.GroupMax.IsEmpty) continue;
                    ref float max = ref selection.GroupMax[(t + r) * selection.Groups + group];
                    max = Math.Max(max, TLanes.MaxAcross(rowMax));
                }
            }
        }
    }

    /// <summary>
    /// Lane-wise running arg-max over one stored tile row of two vectors: the scores of centroids <paramref name="first"/>..
    /// (the first <paramref name="valid"/> lanes real, the rest padding, masked to negative infinity). Panels arrive in
    /// ascending centroid order and the comparison is strict, so within a lane the lower centroid index keeps a tie.
    /// Each lane's runner-up becomes the larger of itself and the smaller of the old best and the new score. Returns the
    /// row's lane-wise maximum (padding at negative infinity).
    /// </summary>
    /// <remarks>The lane indices and masks are rebuilt per call from two integers. Hoisting them per panel and passing four
    /// vectors was not faster: Lloyd seconds 1.05x the former kernel's (median of 8 alternating pairs) against 1.00x for
    /// this form, within the machine's noise.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Fold<TVector, TLanes, TRunnerUp>(ref float scores, int first, int valid, ref float bestValue, ref float secondValue, ref float bestIndex)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        where TRunnerUp : struct, IRunnerUpTracking
    {
        nuint n = (nuint)TLanes.Count;
        var lane0 = TLanes.Indices;
        var lane1 = TLanes.Add(lane0, TLanes.Broadcast(TLanes.Count));
        var validLanes = TLanes.Broadcast(valid);
        var negInf = TLanes.Broadcast(float.NegativeInfinity);
        var s0 = TLanes.Select(TLanes.GreaterThan(validLanes, lane0), TLanes.Load(ref scores, 0), negInf);
        var s1 = TLanes.Select(TLanes.GreaterThan(validLanes, lane1), TLanes.Load(ref scores, n), negInf);
        var old0 = TLanes.Load(ref bestValue, 0);
        var old1 = TLanes.Load(ref bestValue, n);
        var win0 = TLanes.GreaterThan(s0, old0);
        var win1 = TLanes.GreaterThan(s1, old1);
        if (TRunnerUp.Tracked)
        {
            var lost0 = TLanes.Select(win0, old0, s0);
            var lost1 = TLanes.Select(win1, old1, s1);
            var second0 = TLanes.Load(ref secondValue, 0);
            var second1 = TLanes.Load(ref secondValue, n);
            TLanes.Store(TLanes.Select(TLanes.GreaterThan(lost0, second0), lost0, second0), ref secondValue, 0);
            TLanes.Store(TLanes.Select(TLanes.GreaterThan(lost1, second1), lost1, second1), ref secondValue, n);
        }
        TLanes.Store(TLanes.Select(win0, s0, old0), ref bestValue, 0);
        TLanes.Store(TLanes.Select(win1, s1, old1), ref bestValue, n);
        var firstLanes = TLanes.Broadcast(first);
        TLanes.Store(TLanes.Select(win0, TLanes.Add(firstLanes, lane0), TLanes.Load(ref bestIndex, 0)), ref bestIndex, 0);
        TLanes.Store(TLanes.Select(win1, TLanes.Add(firstLanes, lane1), TLanes.Load(ref bestIndex, n)), ref bestIndex, n);
        return TLanes.Select(TLanes.GreaterThan(s1, s0), s1, s0);
    }

    /// <summary>Whether the fold keeps each lane's runner-up: a constant of the struct, so the JIT drops the untaken branch.</summary>
    private interface IRunnerUpTracking
    {
        static abstract bool Tracked { get; }
    }

    private readonly struct WithRunnerUp : IRunnerUpTracking
    {
        public static bool Tracked => true;
    }

    private readonly struct WithoutRunnerUp : IRunnerUpTracking
    {
        public static bool Tracked => false;
    }

    /// <summary>Which groups of panels each micro-tile scores (none given: all), and where the groups' maxima go.</summary>
    private readonly ref struct PanelSelection(ReadOnlySpan<bool> tileGroups, int groups, int panelsPerGroup, Span<float> groupMax)
    {
        private readonly ReadOnlySpan<bool> _tileGroups = tileGroups;

        public int Groups { get; } = groups;

        public int PanelsPerGroup { get; } = panelsPerGroup;

        public Span<float> GroupMax { get; } = groupMax;

        public bool Scores(int tile, int group) => _tileGroups.IsEmpty || _tileGroups[tile * Groups + group];
    }
}
