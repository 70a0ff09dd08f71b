using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Checks that two key columns (or a key column and a vector of keys) of different views use the same key
/// type: the same cardinality and, when both carry text KeyValues, the same values. Keys are only comparable
/// across views when one fitted MapValueToKey transformer produced them all.
/// </summary>
internal static class KeyTypeMatch
{
    /// <summary>One side of the comparison: the column and how to name it in a message.</summary>
    public readonly record struct Side(DataViewSchema.Column Column, string Description);

    /// <summary>Throws unless <paramref name="a"/> and <paramref name="b"/> have the same key type (<see cref="Mismatch"/>).</summary>
    public static void Same(Side a, Side b)
    {
        if (Mismatch(a, b) is { } message) throw new ArgumentException(message);
    }

    /// <summary>Why the two key columns are not keyed alike (another cardinality, or text KeyValues that differ), or null when they are.</summary>
    public static string? Mismatch(Side a, Side b)
    {
        ulong countA = KeyOf(a.Column).Count, countB = KeyOf(b.Column).Count;
        if (countA != countB)
            return $"{a.Description} is a key over {countA} values but {b.Description} is a key over {countB} values: "
                + "the views must be keyed by the same fitted MapValueToKey transformer.";
        var valuesA = Values(a.Column);
        var valuesB = Values(b.Column);
        if (valuesA == null || valuesB == null) return null;
        for (int i = 0; i < valuesA.Length; i++)
        {
            if (!valuesA[i].Span.SequenceEqual(valuesB[i].Span))
                return $"{a.Description} and {b.Description} map key {i + 1} to different values ('{valuesA[i]}' and '{valuesB[i]}'): "
                    + "the views must be keyed by the same fitted MapValueToKey transformer.";
        }
        return null;
    }

    private static KeyDataViewType KeyOf(DataViewSchema.Column column) => column.Type switch
    {
        KeyDataViewType key => key,
        VectorDataViewType { ItemType: KeyDataViewType key } => key,
        _ => throw new InvalidOperationException($"Column '{column.Name}' is not a key column."),
    };

    /// <summary>The text KeyValues of the column, or null when it has none.</summary>
    private static ReadOnlyMemory<char>[]? Values(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (annotation is not { Type: VectorDataViewType { ItemType: TextDataViewType } type } || type.Size != (int)KeyOf(column).Count) return null;
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.Annotations.GetValue("KeyValues", ref values);
        return values.DenseValues().ToArray();
    }
}
