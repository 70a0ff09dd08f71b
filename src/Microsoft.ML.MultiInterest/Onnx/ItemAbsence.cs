namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>
/// The item rows of an exported table that hold no item. The graphs index items by key, so an item key type wider than the
/// items with training edges (MapValueToKey fitted on a larger vocabulary) gives those keys zero rows; a zero row scores 0,
/// ahead of every real item that scores below 0, and the engine never lists it. A graph over such a table adds this mask
/// (0 for an item, negative infinity for a row without one) to every score, as it adds the exclusion mask, so such a row is
/// never a candidate; <see cref="OnnxRerankTables"/> reads it back for the scans that check the candidates.
/// </summary>
internal static class ItemAbsence
{
    /// <summary>The float <c>[items]</c> initializer holding the mask; only graphs over a table with absent rows have it.</summary>
    public const string InitializerName = "item_absence";

    /// <summary>The mask of <paramref name="items"/>' rows, or null when every key has a vector (the graphs then stay as before).</summary>
    public static float[]? Mask(KeyedEmbeddings items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.IsDense) return null;
        var mask = new float[items.KeyCount];
        mask.AsSpan().Fill(float.NegativeInfinity);
        foreach (int row in items.Rows) mask[row] = 0f;
        return mask;
    }

    /// <summary>Checks that <paramref name="mask"/> (when given) has one entry per item row, each 0 or negative infinity.</summary>
    /// <exception cref="ArgumentException">It has another length or another value.</exception>
    public static void Check(float[]? mask, int items)
    {
        if (mask == null) return;
        if (mask.Length != items) throw new ArgumentException($"The item absence mask has {mask.Length} entries, the item table {items} rows.", nameof(mask));
        for (int i = 0; i < mask.Length; i++)
            if (mask[i] != 0f && !float.IsNegativeInfinity(mask[i]))
                throw new ArgumentException($"Entry {i} of the item absence mask is {mask[i]}: each must be 0 (an item) or negative infinity (no item).", nameof(mask));
    }

    /// <summary>The absent rows (ascending) of the mask read from <paramref name="path"/>, whose table has <paramref name="items"/> rows.</summary>
    /// <exception cref="InvalidDataException">The mask has another shape or a value other than 0 and negative infinity.</exception>
    public static int[] AbsentRows((int[] Shape, Array Values) tensor, string path, int items)
    {
        var values = (float[])tensor.Values;
        if (tensor.Shape.Length != 1 || tensor.Shape[0] != items)
            throw new InvalidDataException($"Initializer '{InitializerName}' of '{path}' has shape [{string.Join(", ", tensor.Shape)}], not [{items}] as the manifest says.");
        var absent = new List<int>();
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNegativeInfinity(values[i])) absent.Add(i);
            else if (values[i] != 0f)
                throw new InvalidDataException($"Entry {i} of initializer '{InitializerName}' of '{path}' is {values[i]}: each must be 0 or negative infinity.");
        }
        return [.. absent];
    }
}
