using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Marks a column whose value a stage looks up by one key column (a user's embedding by its User key): it holds one value
/// per key by construction, so the readers of <see cref="EntityRows"/> need not read and compare every later row of a key.
/// The mark names the key column as the stage saw it (name, cardinality and a fingerprint of its KeyValues), so a key column
/// rebuilt from other values under the same name no longer matches. A column made or replaced by any other transform, and
/// a loaded model's columns, carry no mark and are compared row by row.
/// </summary>
internal static class PerKeyAnnotation
{
    /// <summary>The annotation's name; its value identifies the key column the column is looked up by (<see cref="Identity"/>).</summary>
    public const string Name = "MultiInterest.PerKey";

    /// <summary><paramref name="others"/> (may be null) with the mark that the column is looked up by <paramref name="keyColumn"/>.</summary>
    public static DataViewSchema.Annotations With(DataViewSchema.Column keyColumn, DataViewSchema.Annotations? others = null)
    {
        string identity = Identity(keyColumn);
        var builder = new DataViewSchema.Annotations.Builder();
        if (others != null) builder.Add(others, _ => true);
        builder.Add(Name, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = identity.AsMemory());
        return builder.ToAnnotations();
    }

    /// <summary>Whether <paramref name="column"/> was looked up by a key column identical to <paramref name="keyColumn"/>.</summary>
    public static bool Holds(DataViewSchema.Column column, DataViewSchema.Column keyColumn)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Name) is not { Type: TextDataViewType }) return false;
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(Name, ref value);
        return value.Span.SequenceEqual(Identity(keyColumn));
    }

    /// <summary>
    /// The key column's name, cardinality and a fingerprint of its text KeyValues ("none" without them; a KeyValues annotation
    /// of another type gets a value no column matches, so such columns are always compared row by row).
    /// </summary>
    private static string Identity(DataViewSchema.Column keyColumn)
    {
        ulong count = keyColumn.Type is KeyDataViewType key ? key.Count : 0;
        var annotation = keyColumn.Annotations.Schema.GetColumnOrNull("KeyValues");
        string names = "none";
        if (annotation is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            keyColumn.Annotations.GetValue("KeyValues", ref values);
            var hash = new HashCode();
            foreach (var text in values.DenseValues())
            {
                hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.Span));
                hash.Add(text.Length);
            }
            names = hash.ToHashCode().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (annotation != null) names = $"untracked {Guid.NewGuid():N}";
        return $"{keyColumn.Name}|{count}|{names}";
    }
}
