using System.Runtime.CompilerServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The grouped scan's micro-kernel (<see cref="PanelRows.ScoreQueries"/>): six queries against one or two panels of
/// one list, each loaded vector reused by all six queries, as <see cref="RegisterTile"/> reuses it in the exact search.
/// Each lane is one chain of fused multiply-adds over the dimensions in ascending order, the arithmetic of
/// <see cref="TiledTopKSearch"/>, so a (query, row) score is bit-identical to the exact index's.
/// </summary>
internal static class PanelQueryTile
{
    /// <summary>Queries per tile.</summary>
    public const int Queries = 6;

    /// <summary>
    /// Scores queries <paramref name="queries"/>[0..5] (row-major, <paramref name="dimension"/> floats apart) against
    /// the panels at <paramref name="panel0"/> and <paramref name="panel1"/> and stores query r's 2 x Count scores at
    /// <paramref name="tile"/> + r * 2 * Count (the first panel's lanes first): the exact search's register tile, whose
    /// two vectors of rows here come from two single-vector panels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScorePair<TVector, TLanes>(ref float queries, int dimension, ref float panel0, ref float panel1, ref float tile)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
        => RegisterTile.Score<TVector, TLanes>(ref queries, dimension, ref panel0, ref panel1, TLanes.Count, ref tile);

    /// <summary>As <see cref="ScorePair{TVector, TLanes}"/> for a single panel (a list's odd last panel); query r's
    /// Count scores go to <paramref name="tile"/> + r * 2 * Count, the same rows as the pair kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScoreOne<TVector, TLanes>(ref float queries, int dimension, ref float panel, ref float tile)
        where TVector : struct
        where TLanes : struct, ISimdLanes<TVector>
    {
        int lanes = TLanes.Count;
        int width = 2 * lanes;
        ref float x0 = ref queries;
        ref float x1 = ref Unsafe.Add(ref x0, dimension);
        ref float x2 = ref Unsafe.Add(ref x1, dimension);
        ref float x3 = ref Unsafe.Add(ref x2, dimension);
        ref float x4 = ref Unsafe.Add(ref x3, dimension);
        ref float x5 = ref Unsafe.Add(ref x4, dimension);
        TVector a0 = TLanes.Zero, a1 = TLanes.Zero, a2 = TLanes.Zero, a3 = TLanes.Zero, a4 = TLanes.Zero, a5 = TLanes.Zero;
        for (int j = 0; j < dimension; j++)
        {
            var c = TLanes.Load(ref panel, (nuint)(j * lanes));
            a0 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x0, j)), c, a0);
            a1 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x1, j)), c, a1);
            a2 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x2, j)), c, a2);
            a3 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x3, j)), c, a3);
            a4 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x4, j)), c, a4);
            a5 = TLanes.MultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref x5, j)), c, a5);
        }
        TLanes.Store(a0, ref tile, 0);
        TLanes.Store(a1, ref tile, (nuint)width);
        TLanes.Store(a2, ref tile, (nuint)(2 * width));
        TLanes.Store(a3, ref tile, (nuint)(3 * width));
        TLanes.Store(a4, ref tile, (nuint)(4 * width));
        TLanes.Store(a5, ref tile, (nuint)(5 * width));
    }
}
