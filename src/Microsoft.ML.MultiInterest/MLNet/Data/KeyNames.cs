using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Raw ids of a key column as text: its KeyValues annotation when present (numbers written in the invariant
/// culture), else the key numbers, made when read (<see cref="KeyNameList.Numbers"/>).
/// </summary>
internal static class KeyNames
{
    public static KeyNameList Of(DataViewSchema.Column column, int count)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (annotation is { Type: VectorDataViewType { ItemType: TextDataViewType } type } && type.Size == count)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.Annotations.GetValue("KeyValues", ref values);
            // The annotation's text as it is: each name's string is made when read, not one per key up front.
            return KeyNameList.OfText(values.DenseValues().ToArray());
        }
        if (annotation is { Type: VectorDataViewType { ItemType: NumberDataViewType } numberType } && numberType.Size == count)
        {
            var converted = new double[count];
            if (TryNumbers(column, converted)) return KeyNameList.OfNumbers(converted);
        }
        return KeyNameList.Numbers(count);
    }

    /// <summary>Reads numeric KeyValues of the integer and floating types MapValueToKey produces.</summary>
    internal static bool TryNumbers(DataViewSchema.Column column, double[] into)
    {
        var type = ((VectorDataViewType)column.Annotations.Schema["KeyValues"].Type).ItemType.RawType;
        if (type == typeof(uint)) return Read<uint>(column, into, v => v);
        if (type == typeof(int)) return Read<int>(column, into, v => v);
        if (type == typeof(long)) return Read<long>(column, into, v => v);
        if (type == typeof(ulong)) return Read<ulong>(column, into, v => v);
        if (type == typeof(ushort)) return Read<ushort>(column, into, v => v);
        if (type == typeof(short)) return Read<short>(column, into, v => v);
        if (type == typeof(byte)) return Read<byte>(column, into, v => v);
        if (type == typeof(sbyte)) return Read<sbyte>(column, into, v => v);
        if (type == typeof(float)) return Read<float>(column, into, v => v);
        if (type == typeof(double)) return Read<double>(column, into, v => v);
        return false;
    }

    private static bool Read<T>(DataViewSchema.Column column, double[] into, Func<T, double> convert)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue("KeyValues", ref values);
        int i = 0;
        foreach (var value in values.DenseValues()) into[i++] = convert(value);
        return true;
    }

    /// <summary>"key 7 ('raw-id')" for error messages: the key and, when the column names its keys, the raw id.</summary>
    public static string Describe(DataViewSchema.Column column, int count, int row)
    {
        var names = Of(column, count);
        string key = (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (uint)row < (uint)count && names[row] != key ? $"key {key} ('{names[row]}')" : $"key {key}";
    }
}
