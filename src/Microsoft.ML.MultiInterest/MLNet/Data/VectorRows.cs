using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Copies one row's value of a known-size vector column into a reader's buffer. ML.NET lets such a row hold fewer values
/// than its type (a <c>MapValue</c> lookup gives an id missing from its map an empty vector), and
/// <see cref="VBuffer{T}.CopyTo(Span{T})"/> would then leave the rest of the buffer holding the previous row's values:
/// a user or item would silently be served another's vector. Every reader of a supplied vector column copies through here,
/// so such a row is refused, naming the column, its option and whose row it is.
/// </summary>
internal static class VectorRows
{
    /// <summary>Copies <paramref name="value"/> into <paramref name="destination"/>, refusing a length other than the destination's.</summary>
    /// <param name="value">The row's value.</param>
    /// <param name="destination">The buffer, as long as the column's type.</param>
    /// <param name="column">The column's name and the option that named it.</param>
    /// <param name="entity">"user" or "item".</param>
    /// <param name="key">The entity's key column, its cardinality and its row (key - 1), described with its id when the column has one.</param>
    /// <param name="parameter">The parameter of the view that holds the column.</param>
    public static void Copy<T>(in VBuffer<T> value, Span<T> destination, (string Name, string Option) column, string entity,
        (DataViewSchema.Column Column, int Count, int Row) key, string parameter = "data")
    {
        if (value.Length != destination.Length)
            throw Short(column, $"{entity} {KeyNames.Describe(key.Column, key.Count, key.Row)}", value.Length, destination.Length, entity, parameter);
        value.CopyTo(destination);
    }

    /// <summary>As above, for an entity named by its raw id.</summary>
    public static void Copy<T>(in VBuffer<T> value, Span<T> destination, (string Name, string Option) column, string entity, string id, string parameter = "data")
    {
        if (value.Length != destination.Length) throw Short(column, $"{entity} '{id}'", value.Length, destination.Length, entity, parameter);
        value.CopyTo(destination);
    }

    /// <summary>As above, for a view whose rows belong to no key: the row is named by its position, 1-based.</summary>
    public static void Copy<T>(in VBuffer<T> value, Span<T> destination, (string Name, string Option) column, long row, string parameter = "data")
    {
        if (value.Length != destination.Length)
            throw Short(column, "row " + (row + 1).ToString(CultureInfo.InvariantCulture), value.Length, destination.Length, "row", parameter);
        value.CopyTo(destination);
    }

    private static ArgumentException Short((string Name, string Option) column, string owner, int length, int size, string entity, string parameter) => new(
        $"Input column '{column.Name}' (option {column.Option}) gives {owner} {length} values, but its type holds {size}: every row must give all of them."
        + (length == 0 ? $" An empty vector is what ML.NET's MapValue gives an id missing from its map: give every {entity} an entry." : ""), parameter);
}
