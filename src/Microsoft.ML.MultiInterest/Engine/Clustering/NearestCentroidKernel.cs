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
/// dimension of a panel is two contiguous vectors. A micro-tile of <see cref="PointTile"/> points x one panel
/// keeps its 12 accumulators in registers for the whole dimension: per dimension it loads 2 centroid vectors,
/// broadcasts 6 point values and issues 12 FMAs. Points are processed in
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

    private const int Lanes = 8;
    private const int Lanes512 = 16;

    /// <summary>Centroids per packed panel (columns of the register tile): two vectors of the widest accelerated width.</summary>
    private readonly int _tile = Vector512.IsHardwareAccelerated ? Tile512 : Tile256;

    private readonly int _dimension;
    private readonly int _clusters;
    private readonly int _panels;
    private readonly float[] _packed;
    private readonly float[][] _bestValue;
    private readonly int[][] _bestIndex;

    /// <param name="clusters">Number of centroids.</param>
    /// <param name="dimension">Dimension of points and centroids.</param>
    /// <param name="workers">Number of workers that may call <see cref="AssignBlock"/> concurrently.</param>
    public NearestCentroidKernel(int clusters, int dimension, int workers)
    {
        _dimension = dimension;
        _clusters = clusters;
        _panels = (clusters + _tile - 1) / _tile;
        _packed = new float[(long)_panels * dimension * _tile];
        _bestValue = new float[workers][];
        _bestIndex = new int[workers][];
        for (int w = 0; w < workers; w++)
        {
            _bestValue[w] = new float[BlockPoints * _tile];
            _bestIndex[w] = new int[BlockPoints * _tile];
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
    {
        int NR = _tile;
        int rows = (count + PointTile - 1) / PointTile * PointTile;
        ref float bestValue = ref MemoryMarshal.GetArrayDataReference(_bestValue[worker]);
        ref int bestIndex = ref MemoryMarshal.GetArrayDataReference(_bestIndex[worker]);
        _bestValue[worker].AsSpan(0, rows * NR).Fill(float.NegativeInfinity);
        _bestIndex[worker].AsSpan(0, rows * NR).Clear();

        if (_tile == Tile512) Tiles512(points, start, rows, ref bestValue, ref bestIndex);
        else Tiles256(points, start, rows, ref bestValue, ref bestIndex);

        // Each lane holds the best of its residue class of centroids; pick the best lane, ties to the lower centroid.
        for (int r = 0; r < count; r++)
        {
            float best = float.NegativeInfinity;
            int arg = int.MaxValue;
            for (int l = 0; l < NR; l++)
            {
                float v = Unsafe.Add(ref bestValue, r * NR + l);
                int i = Unsafe.Add(ref bestIndex, r * NR + l);
                if (v > best || (v == best && i < arg))
                {
                    best = v;
                    arg = i;
                }
            }
            cluster[r] = arg;
            score[r] = best;
        }
    }

    /// <summary>
    /// Lane-wise running arg-max. Panels arrive in ascending centroid order and the comparison is strict, so within
    /// a lane the lower centroid index keeps a tie.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fold(Vector256<float> s0, Vector256<float> s1, Vector256<float> valid0, Vector256<float> valid1,
        Vector256<int> index0, Vector256<int> index1, ref float bestValue, ref int bestIndex)
    {
        var negInf = Vector256.Create(float.NegativeInfinity);
        s0 = Vector256.ConditionalSelect(valid0, s0, negInf);
        s1 = Vector256.ConditionalSelect(valid1, s1, negInf);
        var old0 = Vector256.LoadUnsafe(ref bestValue);
        var old1 = Vector256.LoadUnsafe(ref bestValue, Lanes);
        var win0 = Vector256.GreaterThan(s0, old0);
        var win1 = Vector256.GreaterThan(s1, old1);
        Vector256.ConditionalSelect(win0, s0, old0).StoreUnsafe(ref bestValue);
        Vector256.ConditionalSelect(win1, s1, old1).StoreUnsafe(ref bestValue, Lanes);
        Vector256.ConditionalSelect(win0.AsInt32(), index0, Vector256.LoadUnsafe(ref bestIndex)).StoreUnsafe(ref bestIndex);
        Vector256.ConditionalSelect(win1.AsInt32(), index1, Vector256.LoadUnsafe(ref bestIndex, Lanes)).StoreUnsafe(ref bestIndex, Lanes);
    }
    /// <summary>512-bit twin of <see cref="Fold"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fold512(Vector512<float> s0, Vector512<float> s1, Vector512<float> valid0, Vector512<float> valid1,
        Vector512<int> index0, Vector512<int> index1, ref float bestValue, ref int bestIndex)
    {
        var negInf = Vector512.Create(float.NegativeInfinity);
        s0 = Vector512.ConditionalSelect(valid0, s0, negInf);
        s1 = Vector512.ConditionalSelect(valid1, s1, negInf);
        var old0 = Vector512.LoadUnsafe(ref bestValue);
        var old1 = Vector512.LoadUnsafe(ref bestValue, Lanes512);
        var win0 = Vector512.GreaterThan(s0, old0);
        var win1 = Vector512.GreaterThan(s1, old1);
        Vector512.ConditionalSelect(win0, s0, old0).StoreUnsafe(ref bestValue);
        Vector512.ConditionalSelect(win1, s1, old1).StoreUnsafe(ref bestValue, Lanes512);
        Vector512.ConditionalSelect(win0.AsInt32(), index0, Vector512.LoadUnsafe(ref bestIndex)).StoreUnsafe(ref bestIndex);
        Vector512.ConditionalSelect(win1.AsInt32(), index1, Vector512.LoadUnsafe(ref bestIndex, Lanes512)).StoreUnsafe(ref bestIndex, Lanes512);
    }

    /// <summary>All panels against the point block, 256-bit vectors (6 points x 16 centroids per micro-tile).</summary>
    private void Tiles256(float[] points, int start, int rows, ref float bestValue, ref int bestIndex)
    {
        const int NR = Tile256;
        int d = _dimension;
        ref float pointBase = ref MemoryMarshal.GetArrayDataReference(points);
        ref float packedBase = ref MemoryMarshal.GetArrayDataReference(_packed);
        var laneIota0 = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        var laneIota1 = laneIota0 + Vector256.Create(Lanes);
        var allValid = Vector256<float>.AllBitsSet;

        for (int p = 0; p < _panels; p++)
        {
            ref float panel = ref Unsafe.Add(ref packedBase, (nint)p * d * NR);
            var index0 = Vector256.Create(p * NR) + laneIota0;
            var index1 = Vector256.Create(p * NR) + laneIota1;
            // Lanes past the last centroid hold padding; mask them to -infinity so they can never win.
            var valid0 = p == _panels - 1 ? Vector256.LessThan(index0, Vector256.Create(_clusters)).AsSingle() : allValid;
            var valid1 = p == _panels - 1 ? Vector256.LessThan(index1, Vector256.Create(_clusters)).AsSingle() : allValid;

            for (int t = 0; t < rows; t += PointTile)
            {
                ref float x0 = ref Unsafe.Add(ref pointBase, (nint)(start + t) * d);
                ref float x1 = ref Unsafe.Add(ref x0, d);
                ref float x2 = ref Unsafe.Add(ref x1, d);
                ref float x3 = ref Unsafe.Add(ref x2, d);
                ref float x4 = ref Unsafe.Add(ref x3, d);
                ref float x5 = ref Unsafe.Add(ref x4, d);
                Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
                Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
                ref float c = ref panel;
                for (int j = 0; j < d; j++)
                {
                    var c0 = Vector256.LoadUnsafe(ref c);
                    var c1 = Vector256.LoadUnsafe(ref c, Lanes);
                    c = ref Unsafe.Add(ref c, NR);
                    var b = Vector256.Create(Unsafe.Add(ref x0, j));
                    a00 = Vector256.FusedMultiplyAdd(b, c0, a00);
                    a01 = Vector256.FusedMultiplyAdd(b, c1, a01);
                    b = Vector256.Create(Unsafe.Add(ref x1, j));
                    a10 = Vector256.FusedMultiplyAdd(b, c0, a10);
                    a11 = Vector256.FusedMultiplyAdd(b, c1, a11);
                    b = Vector256.Create(Unsafe.Add(ref x2, j));
                    a20 = Vector256.FusedMultiplyAdd(b, c0, a20);
                    a21 = Vector256.FusedMultiplyAdd(b, c1, a21);
                    b = Vector256.Create(Unsafe.Add(ref x3, j));
                    a30 = Vector256.FusedMultiplyAdd(b, c0, a30);
                    a31 = Vector256.FusedMultiplyAdd(b, c1, a31);
                    b = Vector256.Create(Unsafe.Add(ref x4, j));
                    a40 = Vector256.FusedMultiplyAdd(b, c0, a40);
                    a41 = Vector256.FusedMultiplyAdd(b, c1, a41);
                    b = Vector256.Create(Unsafe.Add(ref x5, j));
                    a50 = Vector256.FusedMultiplyAdd(b, c0, a50);
                    a51 = Vector256.FusedMultiplyAdd(b, c1, a51);
                }

                ref float bv = ref Unsafe.Add(ref bestValue, t * NR);
                ref int bi = ref Unsafe.Add(ref bestIndex, t * NR);
                Fold(a00, a01, valid0, valid1, index0, index1, ref bv, ref bi);
                Fold(a10, a11, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, NR), ref Unsafe.Add(ref bi, NR));
                Fold(a20, a21, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 2 * NR), ref Unsafe.Add(ref bi, 2 * NR));
                Fold(a30, a31, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 3 * NR), ref Unsafe.Add(ref bi, 3 * NR));
                Fold(a40, a41, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 4 * NR), ref Unsafe.Add(ref bi, 4 * NR));
                Fold(a50, a51, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 5 * NR), ref Unsafe.Add(ref bi, 5 * NR));
            }
        }

    }

    /// <summary>All panels against the point block, 512-bit vectors (6 points x 32 centroids per micro-tile).</summary>
    private void Tiles512(float[] points, int start, int rows, ref float bestValue, ref int bestIndex)
    {
        const int NR = Tile512;
        int d = _dimension;
        ref float pointBase = ref MemoryMarshal.GetArrayDataReference(points);
        ref float packedBase = ref MemoryMarshal.GetArrayDataReference(_packed);
        var laneIota0 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var laneIota1 = laneIota0 + Vector512.Create(Lanes512);
        var allValid = Vector512<float>.AllBitsSet;

        for (int p = 0; p < _panels; p++)
        {
            ref float panel = ref Unsafe.Add(ref packedBase, (nint)p * d * NR);
            var index0 = Vector512.Create(p * NR) + laneIota0;
            var index1 = Vector512.Create(p * NR) + laneIota1;
            // Lanes past the last centroid hold padding; mask them to -infinity so they can never win.
            var valid0 = p == _panels - 1 ? Vector512.LessThan(index0, Vector512.Create(_clusters)).AsSingle() : allValid;
            var valid1 = p == _panels - 1 ? Vector512.LessThan(index1, Vector512.Create(_clusters)).AsSingle() : allValid;

            for (int t = 0; t < rows; t += PointTile)
            {
                ref float x0 = ref Unsafe.Add(ref pointBase, (nint)(start + t) * d);
                ref float x1 = ref Unsafe.Add(ref x0, d);
                ref float x2 = ref Unsafe.Add(ref x1, d);
                ref float x3 = ref Unsafe.Add(ref x2, d);
                ref float x4 = ref Unsafe.Add(ref x3, d);
                ref float x5 = ref Unsafe.Add(ref x4, d);
                Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
                Vector512<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
                ref float c = ref panel;
                for (int j = 0; j < d; j++)
                {
                    var c0 = Vector512.LoadUnsafe(ref c);
                    var c1 = Vector512.LoadUnsafe(ref c, Lanes512);
                    c = ref Unsafe.Add(ref c, NR);
                    var b = Vector512.Create(Unsafe.Add(ref x0, j));
                    a00 = Vector512.FusedMultiplyAdd(b, c0, a00);
                    a01 = Vector512.FusedMultiplyAdd(b, c1, a01);
                    b = Vector512.Create(Unsafe.Add(ref x1, j));
                    a10 = Vector512.FusedMultiplyAdd(b, c0, a10);
                    a11 = Vector512.FusedMultiplyAdd(b, c1, a11);
                    b = Vector512.Create(Unsafe.Add(ref x2, j));
                    a20 = Vector512.FusedMultiplyAdd(b, c0, a20);
                    a21 = Vector512.FusedMultiplyAdd(b, c1, a21);
                    b = Vector512.Create(Unsafe.Add(ref x3, j));
                    a30 = Vector512.FusedMultiplyAdd(b, c0, a30);
                    a31 = Vector512.FusedMultiplyAdd(b, c1, a31);
                    b = Vector512.Create(Unsafe.Add(ref x4, j));
                    a40 = Vector512.FusedMultiplyAdd(b, c0, a40);
                    a41 = Vector512.FusedMultiplyAdd(b, c1, a41);
                    b = Vector512.Create(Unsafe.Add(ref x5, j));
                    a50 = Vector512.FusedMultiplyAdd(b, c0, a50);
                    a51 = Vector512.FusedMultiplyAdd(b, c1, a51);
                }

                ref float bv = ref Unsafe.Add(ref bestValue, t * NR);
                ref int bi = ref Unsafe.Add(ref bestIndex, t * NR);
                Fold512(a00, a01, valid0, valid1, index0, index1, ref bv, ref bi);
                Fold512(a10, a11, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, NR), ref Unsafe.Add(ref bi, NR));
                Fold512(a20, a21, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 2 * NR), ref Unsafe.Add(ref bi, 2 * NR));
                Fold512(a30, a31, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 3 * NR), ref Unsafe.Add(ref bi, 3 * NR));
                Fold512(a40, a41, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 4 * NR), ref Unsafe.Add(ref bi, 4 * NR));
                Fold512(a50, a51, valid0, valid1, index0, index1, ref Unsafe.Add(ref bv, 5 * NR), ref Unsafe.Add(ref bi, 5 * NR));
            }
        }

    }
}
