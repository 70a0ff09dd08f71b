using System.Runtime.CompilerServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The micro-kernel of the brute-force search (<see cref="TiledTopKSearch"/>): six consecutive rows against one
/// packed panel (two vectors of rows, interleaved by dimension), twelve accumulators held in registers over the whole
/// dimension, then stored. Each score is one chain of fused multiply-adds over the dimensions in ascending order, so
/// it does not depend on where the pair sits in a tile.
/// </summary>
/// <remarks>
/// <see cref="NearestCentroidKernel"/> scores its micro-tiles with this tile too and folds each stored row into a vectorised
/// running arg-max (the same Lloyd iteration seconds as its former copies of this loop, within noise; an earlier attempt
/// with a per-point scalar arg-max measured 12-35 % slower).
/// </remarks>
internal static class RegisterTile
{
    /// <summary>Rows per micro-tile.</summary>
    public const int Rows = 6;

    /// <summary>
    /// Scores rows <paramref name="rows"/>[0..5] (row-major, <paramref name="dimension"/> floats apart) against
    /// <paramref name="panel"/> and stores row r's 2 x Count scores at <paramref name="tile"/> + r * 2 * Count.
    /// </summary>
    /// <remarks>Storing, rather than returning the accumulators, keeps them out of any call the caller makes next; the
    /// JIT would otherwise spill them inside the dimension loop.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Score<TVector, TLanes>(ref float rows, int dimension, ref float panel, ref float tile)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        // A packed panel holds its two vectors of rows side by side for each dimension.
        => Score<TVector, TLanes>(ref rows, dimension, ref panel, ref Unsafe.Add(ref panel, TLanes.Count), 2 * TLanes.Count, ref tile);

    /// <summary>
    /// As <see cref="Score{TVector, TLanes}(ref float, int, ref float, ref float)"/> for two vectors of rows kept
    /// apart: dimension j of the first is at <paramref name="first"/> + j x <paramref name="stride"/>, of the second at
    /// <paramref name="second"/> + j x <paramref name="stride"/> (the clustered index's single-vector panels).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Score<TVector, TLanes>(ref float rows, int dimension, ref float first, ref float second, int stride, ref float tile)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        int lanes = TLanes.Count;
        int width = 2 * lanes;
        ref float x0 = ref rows;
        ref float x1 = ref Unsafe.Add(ref x0, dimension);
        ref float x2 = ref Unsafe.Add(ref x1, dimension);
        ref float x3 = ref Unsafe.Add(ref x2, dimension);
        ref float x4 = ref Unsafe.Add(ref x3, dimension);
        ref float x5 = ref Unsafe.Add(ref x4, dimension);
        TVector a00 = TLanes.Zero, a01 = TLanes.Zero, a10 = TLanes.Zero, a11 = TLanes.Zero, a20 = TLanes.Zero, a21 = TLanes.Zero;
        TVector a30 = TLanes.Zero, a31 = TLanes.Zero, a40 = TLanes.Zero, a41 = TLanes.Zero, a50 = TLanes.Zero, a51 = TLanes.Zero;
        ref float c0r = ref first;
        ref float c1r = ref second;
        for (int j = 0; j < dimension; j++)
        {
            var c0 = TLanes.Load(ref c0r, 0);
            var c1 = TLanes.Load(ref c1r, 0);
            c0r = ref Unsafe.Add(ref c0r, stride);
            c1r = ref Unsafe.Add(ref c1r, stride);
            var b = TLanes.Broadcast(Unsafe.Add(ref x0, j));
            a00 = TLanes.MultiplyAdd(b, c0, a00);
            a01 = TLanes.MultiplyAdd(b, c1, a01);
            b = TLanes.Broadcast(Unsafe.Add(ref x1, j));
            a10 = TLanes.MultiplyAdd(b, c0, a10);
            a11 = TLanes.MultiplyAdd(b, c1, a11);
            b = TLanes.Broadcast(Unsafe.Add(ref x2, j));
            a20 = TLanes.MultiplyAdd(b, c0, a20);
            a21 = TLanes.MultiplyAdd(b, c1, a21);
            b = TLanes.Broadcast(Unsafe.Add(ref x3, j));
            a30 = TLanes.MultiplyAdd(b, c0, a30);
            a31 = TLanes.MultiplyAdd(b, c1, a31);
            b = TLanes.Broadcast(Unsafe.Add(ref x4, j));
            a40 = TLanes.MultiplyAdd(b, c0, a40);
            a41 = TLanes.MultiplyAdd(b, c1, a41);
            b = TLanes.Broadcast(Unsafe.Add(ref x5, j));
            a50 = TLanes.MultiplyAdd(b, c0, a50);
            a51 = TLanes.MultiplyAdd(b, c1, a51);
        }
        TLanes.Store(a00, ref tile, 0); TLanes.Store(a01, ref tile, (nuint)lanes);
        TLanes.Store(a10, ref tile, (nuint)width); TLanes.Store(a11, ref tile, (nuint)(width + lanes));
        TLanes.Store(a20, ref tile, (nuint)(2 * width)); TLanes.Store(a21, ref tile, (nuint)(2 * width + lanes));
        TLanes.Store(a30, ref tile, (nuint)(3 * width)); TLanes.Store(a31, ref tile, (nuint)(3 * width + lanes));
        TLanes.Store(a40, ref tile, (nuint)(4 * width)); TLanes.Store(a41, ref tile, (nuint)(4 * width + lanes));
        TLanes.Store(a50, ref tile, (nuint)(5 * width)); TLanes.Store(a51, ref tile, (nuint)(5 * width + lanes));
    }

    /// <summary>One bit per score of a stored tile row (2 x Count scores) that is at least <paramref name="bound"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast<TVector, TLanes>(ref float row, float bound)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        var b = TLanes.Broadcast(bound);
        return TLanes.AtLeast(TLanes.Load(ref row, 0), b) | ((ulong)TLanes.AtLeast(TLanes.Load(ref row, (nuint)TLanes.Count), b) << TLanes.Count);
    }
}
