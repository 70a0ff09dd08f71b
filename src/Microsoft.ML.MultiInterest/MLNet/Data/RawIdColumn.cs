using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// The raw ids MapValueToKey leaves behind: it replaces an id column by a key column of the same name and keeps the
/// original, hidden, before it. A row whose key is missing (0: an id the mapping never saw) is told apart by that raw id.
/// </summary>
internal static class RawIdColumn
{
    /// <summary>The hidden column of <paramref name="key"/>'s name that MapValueToKey replaced, if it is still in the schema.</summary>
    public static DataViewSchema.Column? HiddenBehind(DataViewSchema schema, DataViewSchema.Column key)
    {
        for (int c = key.Index - 1; c >= 0; c--)
        {
            var column = schema[c];
            if (column.Name == key.Name && column.IsHidden && column.Type is not KeyDataViewType && column.Type is PrimitiveDataViewType) return column;
        }
        return null;
    }

    /// <summary>A getter of <paramref name="column"/>'s value as invariant text on <paramref name="cursor"/>; null without a column or for a type ids do not have.</summary>
    public static Func<string>? Text(DataViewRowCursor cursor, DataViewSchema.Column? column)
    {
        if (column is not { } c) return null;
        var type = c.Type.RawType;
        if (type == typeof(ReadOnlyMemory<char>)) return Text<ReadOnlyMemory<char>>(cursor, c);
        if (type == typeof(int)) return Text<int>(cursor, c);
        if (type == typeof(uint)) return Text<uint>(cursor, c);
        if (type == typeof(long)) return Text<long>(cursor, c);
        if (type == typeof(ulong)) return Text<ulong>(cursor, c);
        if (type == typeof(float)) return Text<float>(cursor, c);
        if (type == typeof(double)) return Text<double>(cursor, c);
        if (type == typeof(short)) return Text<short>(cursor, c);
        if (type == typeof(ushort)) return Text<ushort>(cursor, c);
        if (type == typeof(byte)) return Text<byte>(cursor, c);
        if (type == typeof(bool)) return Text<bool>(cursor, c);
        return null;
    }

    private static Func<string> Text<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        };
    }
}
