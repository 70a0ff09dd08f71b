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
        if (type.RawType == typeof(float)) return Number<float>(cursor, column, v => v.ToString("R", CultureInfo.InvariantCulture));
        if (type.RawType == typeof(double)) return Number<double>(cursor, column, v => v.ToString("R", CultureInfo.InvariantCulture));
        throw new ArgumentException($"{option}: the column '{column.Name}' has type {type}; an id column must be text, an integer, a float or a key.", option);
    }

    /// <summary>A getter of a weight column (any numeric type) as Single.</summary>
    public static Func<float> WeightGetter(DataViewRowCursor cursor, DataViewSchema.Column column, string option)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(float)) { var g = cursor.GetGetter<float>(column); float v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(double)) { var g = cursor.GetGetter<double>(column); double v = 0; return () => { g(ref v); return (float)v; }; }
        if (raw == typeof(int)) { var g = cursor.GetGetter<int>(column); int v = 0; return () => { g(ref v); return v; }; }
        if (raw == typeof(long)) { var g = cursor.GetGetter<long>(column); long v = 0; return () => { g(ref v); return v; }; }
        throw new ArgumentException($"{option}: the weight column '{column.Name}' has type {column.Type}; it must be a number.", option);
    }

    private static Func<string> Number<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, string> format)
    {
        var get = cursor.GetGetter<T>(column);
        T v = default!;
        return () => { get(ref v); return format(v); };
    }
}
