namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The items of an engine table that hold no item: every value of their rows zero (-0 counts as zero, NaN does not). A table
/// spread back to an ML.NET key range (<see cref="KeyedEmbeddings.ToDense"/>, <see cref="GraphEmbeddingTransformer.Mixture"/>,
/// a divide-and-conquer model) has such a row for each key without training edges, as an engine graph has for an item
/// without edges. It scores 0 for every query, ahead of every real item scored below 0, so no retriever lists it: the
/// ML.NET stages retrieve among the fitted items, the ONNX graphs mask those rows (item_absence), and the engine's
/// retrievers leave them out with these flags. Over a table whose every row is an item (an ML.NET stage's fitted items, an
/// ONNX directory's scans, which exclude by the mask) the library builds them without the scan (their internal
/// <c>skipZeroRows</c>), so a fitted item whose vector given from elsewhere is zero is listed there as anywhere.
/// </summary>
internal static class ZeroItems
{
    /// <summary>
    /// Per item of <paramref name="rows"/> (<paramref name="rowsPerItem"/> consecutive rows each: an item's components),
    /// whether every value of its rows is zero; null when no item's is (the usual table, which then costs no check).
    /// </summary>
    public static bool[]? Flags(EmbeddingMatrix rows, int rowsPerItem = 1)
    {
        int items = rows.Rows / rowsPerItem, width = rowsPerItem * rows.Dimension;
        bool[]? absent = null;
        for (int i = 0; i < items; i++)
            if (!rows.Values.AsSpan(i * width, width).ContainsAnyExcept(0f)) (absent ??= new bool[items])[i] = true;
        return absent;
    }

    /// <summary>The items <paramref name="flags"/> marks, ascending (none for null).</summary>
    public static int[] Indices(bool[]? flags)
    {
        if (flags == null) return [];
        var indices = new List<int>();
        for (int i = 0; i < flags.Length; i++)
            if (flags[i]) indices.Add(i);
        return [.. indices];
    }
}
