using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>One vector width's register tiles of the Gram (<see cref="GramTiling"/>): 4 output rows by some columns.</summary>
internal interface IGramTiles
{
    /// <summary>Columns of a tile (several vectors).</summary>
    static abstract int TileColumns { get; }

    /// <summary>Columns of a strip (one vector).</summary>
    static abstract int StripColumns { get; }

    /// <summary>Adds rows r0..r1-1 of Y's products to the 4 x <see cref="TileColumns"/> outputs at (i, j), fused before <paramref name="fusedEnd"/>.</summary>
    static abstract void Tile(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g);

    /// <summary>The same for 4 x <see cref="StripColumns"/> outputs.</summary>
    static abstract void Strip(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g);
}

/// <summary>
/// The Gram's walk over its output tiles, shared by the AVX-512 (<see cref="DenseTiles"/>) and AVX2 (<see cref="DenseTiles256"/>)
/// kernels: blocks of 128 rows of Y, then for each group of 4 output rows the tiles, the strips and the single entries
/// left, each entry through <see cref="DenseRows.AccumulateUpper"/>'s operations in its order.
/// </summary>
internal static class GramTiling
{
    // Rows of Y per pass over the output tiles: 128 rows of a few hundred doubles stay in L2.
    private const int RowBlock = 128;

    private const int TileRows = 4;

    /// <summary>
    /// Adds the outer products of rows from..to-1 of <paramref name="y"/> to the upper triangle of
    /// <paramref name="g"/> (entries left of the diagonal inside a tile are written too; callers mirror the upper
    /// triangle). Rows from the first of each group of four are fused as <see cref="DenseRows.AddFour"/> does; the
    /// rows left over after the last group of four are added unfused, as the portable path's single-row tail does.
    /// </summary>
    public static void AccumulateUpper<TTiles>(double[] y, int from, int to, int width, double[] g)
        where TTiles : IGramTiles
    {
        int fusedEnd = from + (to - from) / 4 * 4;
        for (int r0 = from; r0 < to; r0 += RowBlock)
        {
            int r1 = Math.Min(to, r0 + RowBlock);
            int f = Math.Clamp(fusedEnd, r0, r1);
            for (int i = 0; i < width; i += TileRows)
            {
                int rowsInTile = Math.Min(TileRows, width - i);
                int j = i;
                if (rowsInTile == TileRows)
                {
                    // Tiles start on a multiple of their width, left of the diagonal if need be: the few extra entries
                    // cost less than scalar columns, and the caller mirrors the upper triangle over them.
                    for (j = i / TTiles.TileColumns * TTiles.TileColumns; j + TTiles.TileColumns <= width; j += TTiles.TileColumns) TTiles.Tile(y, r0, f, r1, width, i, j, g);
                    for (; j + TTiles.StripColumns <= width; j += TTiles.StripColumns) TTiles.Strip(y, r0, f, r1, width, i, j, g);
                }
                for (; j < width; j++)
                    for (int t = 0; t < rowsInTile; t++)
                        if (j >= i + t) Element(y, r0, f, r1, width, i + t, j, g);
            }
        }
    }

    /// <summary>
    /// The 4 x one-vector strip of both widths: adds rows r0..r1-1 of Y's products to the outputs at (i, j), fused
    /// before <paramref name="fusedEnd"/>, a product and a sum after.
    /// </summary>
    public static void Strip<TVector, TLanes>(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g)
        where TVector : struct
        where TLanes : struct, IDoubleLanes<TVector>
    {
        ref double gRef = ref MemoryMarshal.GetArrayDataReference(g);
        ref double yRef = ref MemoryMarshal.GetArrayDataReference(y);
        nuint o0 = (nuint)(i * width + j), o1 = o0 + (nuint)width, o2 = o1 + (nuint)width, o3 = o2 + (nuint)width;
        var c0 = TLanes.Load(ref gRef, o0);
        var c1 = TLanes.Load(ref gRef, o1);
        var c2 = TLanes.Load(ref gRef, o2);
        var c3 = TLanes.Load(ref gRef, o3);
        for (int r = r0; r < r1; r++)
        {
            nuint row = (nuint)(r * width);
            var b = TLanes.Load(ref yRef, row + (nuint)j);
            var a0 = TLanes.Broadcast(Unsafe.Add(ref yRef, row + (nuint)i));
            var a1 = TLanes.Broadcast(Unsafe.Add(ref yRef, row + (nuint)i + 1));
            var a2 = TLanes.Broadcast(Unsafe.Add(ref yRef, row + (nuint)i + 2));
            var a3 = TLanes.Broadcast(Unsafe.Add(ref yRef, row + (nuint)i + 3));
            if (r < fusedEnd)
            {
                c0 = TLanes.MultiplyAdd(a0, b, c0);
                c1 = TLanes.MultiplyAdd(a1, b, c1);
                c2 = TLanes.MultiplyAdd(a2, b, c2);
                c3 = TLanes.MultiplyAdd(a3, b, c3);
            }
            else
            {
                c0 = TLanes.AddProduct(a0, b, c0);
                c1 = TLanes.AddProduct(a1, b, c1);
                c2 = TLanes.AddProduct(a2, b, c2);
                c3 = TLanes.AddProduct(a3, b, c3);
            }
        }
        TLanes.Store(c0, ref gRef, o0);
        TLanes.Store(c1, ref gRef, o1);
        TLanes.Store(c2, ref gRef, o2);
        TLanes.Store(c3, ref gRef, o3);
    }

    /// <summary>One entry over rows r0..r1-1: fused before <paramref name="fusedEnd"/>, a product and a sum after.</summary>
    private static void Element(double[] y, int r0, int fusedEnd, int r1, int width, int i, int j, double[] g)
    {
        double sum = g[i * width + j];
        for (int r = r0; r < r1; r++)
        {
            double a = y[r * width + i], b = y[r * width + j];
            sum = r < fusedEnd ? Math.FusedMultiplyAdd(a, b, sum) : sum + a * b;
        }
        g[i * width + j] = sum;
    }
}
