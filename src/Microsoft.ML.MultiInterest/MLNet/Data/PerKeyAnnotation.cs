using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Marks a column whose value a stage looks up by one key column (a user's embedding by its User key): it holds one value
/// per key by construction, so the readers of <see cref="EntityRows"/> need not read and compare every later row of a key.
/// The mark names the key column as the stage saw it (name, cardinality and a fingerprint of its text or numeric
/// KeyValues), so a key column rebuilt from other values under the same name no longer matches. A column another transform
/// computes (a normalisation, a type conversion) and a loaded model's columns (ML.NET's own transformers) carry no mark and
/// are compared row by row; a transform that passes columns through with their rows (CopyColumns, a row filter, a cache)
/// keeps it, rightly. Not caught: the key column replaced, after the marking stage, by another column of the same name
/// mapped by the same fitted key mapping (the mark then still matches).
/// </summary>
internal static class PerKeyAnnotation
{
    /// <summary>The annotation's name; its value identifies the key column the column is looked up by (<see cref="Identity"/>).</summary>
    public const string Name = "MultiInterest.PerKey";

    /// <summary><paramref name="others"/> (may be null) with the mark that the column is looked up by <paramref name="keyColumn"/>.</summary>
    public static DataViewSchema.Annotations With(DataViewSchema.Column keyColumn, DataViewSchema.Annotations? others = null) =>
        With(Identity(keyColumn), others);

    /// <summary>
    /// The mark every one of <paramref name="columns"/> carries, when they all carry the same one (a rank fusion's sources, all
    /// looked up by one user column); null otherwise.
    /// </summary>
    public static string? Shared(IEnumerable<DataViewSchema.Column> columns)
    {
        string? shared = null;
        foreach (var column in columns)
        {
            if (Read(column) is not { } mark || (shared != null && shared != mark)) return null;
            shared = mark;
        }
        return shared;
    }

    /// <summary><paramref name="others"/> (may be null) with the mark <paramref name="identity"/>, as read by <see cref="Shared"/>.</summary>
    public static DataViewSchema.Annotations With(string identity, DataViewSchema.Annotations? others = null)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (others != null) builder.Add(others, _ => true);
        builder.Add(Name, TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = identity.AsMemory());
        return builder.ToAnnotations();
    }

    /// <summary>Whether <paramref name="column"/> was looked up by a key column identical to <paramref name="keyColumn"/>.</summary>
    public static bool Holds(DataViewSchema.Column column, DataViewSchema.Column keyColumn) =>
        Read(column) is { } mark && mark == Identity(keyColumn);

    /// <summary>The mark's value on <paramref name="column"/>, or null without one.</summary>
    private static string? Read(DataViewSchema.Column column)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Name) is not { Type: TextDataViewType }) return null;
        ReadOnlyMemory<char> value = default;
        column.Annotations.GetValue(Name, ref value);
        return value.ToString();
    }

    /// <summary>The key column's name, cardinality and a fingerprint of its KeyValues.</summary>
    private static string Identity(DataViewSchema.Column keyColumn)
    {
        ulong count = keyColumn.Type is KeyDataViewType key ? key.Count : 0;
        return $"{keyColumn.Name}|{count}|{Fingerprints.GetValue(keyColumn.Annotations, annotations => new Fingerprint(Of(keyColumn, (int)Math.Min(count, int.MaxValue)))).Value}";
    }

    /// <summary>Each key column's fingerprint, by its annotations object: hashed once, not on every schema binding (44 ms at 2M ids).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DataViewSchema.Annotations, Fingerprint> Fingerprints = new();

    private sealed record Fingerprint(string Value);

    /// <summary>A hash of the text or numeric KeyValues; "none" without them, and a value no column matches for any other type.</summary>
    private static string Of(DataViewSchema.Column keyColumn, int count)
    {
        var annotation = keyColumn.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (annotation == null) return "none";
        var hash = new HashCode();
        if (annotation is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            keyColumn.Annotations.GetValue("KeyValues", ref values);
            foreach (var text in values.DenseValues())
            {
                hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.Span));
                hash.Add(text.Length);
            }
            return "text " + hash.ToHashCode().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }
        if (NumericKeyValues.Read(keyColumn, count) is { } numbers)
        {
            numbers.AddTo(ref hash);
            return "numbers " + hash.ToHashCode().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        }
        return $"untracked {Guid.NewGuid():N}";
    }
}
