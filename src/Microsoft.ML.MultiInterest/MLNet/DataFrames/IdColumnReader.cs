using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Reads an id column of any type the library accepts as raw ids (text, integers, floats, or a key with or without
/// KeyValues) as text, so the same edges give the same ids whichever way they were loaded.
/// </summary>
internal static class IdColumnReader
{
    /// <summary>A getter of the column's value as text, on <paramref name="cursor"/>; throws naming the option if the type is not an id type.</summary>
    public static Func<string> Getter(DataViewRowCursor cursor, DataViewSchema.Column column, string option)
    {
        var type = column.Type;
        if (type is TextDataViewType)
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            ReadOnlyMemory<char> v = default;
            return () => { get(ref v); return v.ToString(); };
        }
        if (type is KeyDataViewType key)
        {
            int count = checked((int)key.Count);
            var names = KeyNames.Of(column, count);
            var get = cursor.GetGetter<uint>(column);
            uint v = 0;
            return () => { get(ref v); return v == 0 ? "" : names[(int)v - 1]; };
        }
        if (type.RawType == typeof(int)) return Number<int>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(long)) return Number<long>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(uint)) return Number<uint>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(ulong)) return Number<ulong>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(short)) return Number<short>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(ushort)) return Number<ushort>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(sbyte)) return Number<sbyte>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(byte)) return Number<byte>(cursor, column, v => v.ToString(CultureInfo.InvariantCulture));
        if (type.RawType == typeof(float)) return Number<float>(cursor, column, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (type.RawType == typeof(double)) return Number<double>(cursor, column, v => v.ToString("R", CultureInfo.InvariantCulture));
        throw new ArgumentException($"{option}: the column '{column.Name}' has type {type}; an id column must be text, an integer or a key (or, outside a DataFrame, a float).", option);
    }

    /// <summary>
    /// A getter of a weight column (any numeric type) as the value the column holds, widened to double (exact for every
    /// Single and integer up to 2^53), which <see cref="EdgeWeight.Checked"/> converts to the Single trained with.
    /// </summary>
    public static Func<double> WeightGetter(DataViewRowCursor cursor, DataViewSchema.Column column, string option) =>
        NumberGetter(cursor, column)
        ?? throw new ArgumentException($"{option}: the weight column '{column.Name}' has type {column.Type}; it must be a number.", option);

    /// <summary>
    /// A getter of a column of any of ML.NET's numeric types (not keys) as a double, exact for every Single and every integer
    /// up to 2^53; null for any other type.
    /// </summary>
    public static Func<double>? NumberGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is KeyDataViewType) return null;
        var raw = column.Type.RawType;
        if (raw == typeof(double)) return Widened<double>(cursor, column, v => v);
        if (raw == typeof(float)) return Widened<float>(cursor, column, v => v);
        if (raw == typeof(int)) return Widened<int>(cursor, column, v => v);
        if (raw == typeof(long)) return Widened<long>(cursor, column, v => v);
        if (raw == typeof(short)) return Widened<short>(cursor, column, v => v);
        if (raw == typeof(sbyte)) return Widened<sbyte>(cursor, column, v => v);
        if (raw == typeof(uint)) return Widened<uint>(cursor, column, v => v);
        if (raw == typeof(ulong)) return Widened<ulong>(cursor, column, v => v);
        if (raw == typeof(ushort)) return Widened<ushort>(cursor, column, v => v);
        if (raw == typeof(byte)) return Widened<byte>(cursor, column, v => v);
        return null;
    }

    private static Func<double> Widened<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, double> widen)
    {
        var get = cursor.GetGetter<T>(column);
        T v = default!;
        return () => { get(ref v); return widen(v); };
    }

    private static Func<string> Number<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, string> format)
    {
        var get = cursor.GetGetter<T>(column);
        T v = default!;
        return () => { get(ref v); return format(v); };
    }
}
