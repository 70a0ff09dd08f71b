using System.Runtime.InteropServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Columns that belong to a user or an item (its embedding, its cluster, its mixture) repeat on every edge row of that user or
/// item. The readers keep the first row and compare every later one with it, so that a later row that differs (or holds a NaN)
/// is refused by name rather than dropped unread.
/// </summary>
internal static class EntityRows
{
    /// <summary>The refusal of a later row that differs from the entity's first.</summary>
    /// <param name="column">The column's name and the option that named it.</param>
    /// <param name="entity">"user" or "item".</param>
    /// <param name="key">The entity's key column, its cardinality and the entity's row (key - 1), described with its id when the column has one.</param>
    /// <param name="values">How the rows differ, e.g. "0.5 at coordinate 1 on its first row, NaN on a later one".</param>
    /// <param name="what">What the column holds one of per entity: "vector", "cluster"...</param>
    /// <param name="parameter">The parameter of the view that holds the column.</param>
    /// <param name="hint">A sentence on the likely cause, appended; null for none.</param>
    public static ArgumentException Differ((string Name, string Option) column, string entity, (DataViewSchema.Column Column, int Count, int Row) key, string values, string what,
        string parameter = "data", string? hint = null) => new(
        $"Input column '{column.Name}' (option {column.Option}) gives {entity} {KeyNames.Describe(key.Column, key.Count, key.Row)} two values ({values}): "
        + $"it must hold one {what} per {entity}, the same on all of the {entity}'s rows (it belongs to the {entity}, not to the edge)."
        + (hint == null ? "" : " " + hint), parameter);

    /// <summary>Throws <see cref="Differ"/> unless <paramref name="later"/> equals <paramref name="first"/>, naming the first coordinate that differs.</summary>
    public static void RequireSame<T>(ReadOnlySpan<T> first, ReadOnlySpan<T> later, (string Name, string Option) column, string entity,
        (DataViewSchema.Column Column, int Count, int Row) key, string what, string parameter = "data")
        where T : IEquatable<T>
    {
        if (first.SequenceEqual(later)) return;
        int j = 0;
        while (j < first.Length && j < later.Length && first[j].Equals(later[j])) j++;
        // Invariant: a message reads the same on every machine (no decimal comma).
        string values = j < first.Length && j < later.Length
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{first[j]} at coordinate {j} on its first row, {later[j]} on a later one")
            : $"{first.Length} values on its first row, {later.Length} on a later one";
        throw Differ(column, entity, key, values, what, parameter);
    }

    /// <summary>
    /// A fingerprint of one row's raw values, for readers that keep only a transformed copy of the first row (sorted or
    /// compacted): a later row is compared by fingerprint. Process-local (HashCode is seeded per process).
    /// </summary>
    public static int Fingerprint<T1, T2>(ReadOnlySpan<T1> a, ReadOnlySpan<T2> b) where T1 : unmanaged where T2 : unmanaged
    {
        var hash = new HashCode();
        hash.AddBytes(MemoryMarshal.AsBytes(a));
        hash.Add(a.Length);
        hash.AddBytes(MemoryMarshal.AsBytes(b));
        return hash.ToHashCode();
    }
}
