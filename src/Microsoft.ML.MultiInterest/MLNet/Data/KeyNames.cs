using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// Raw ids of a key column as text: its KeyValues annotation when present (numbers written in the invariant
/// culture, integers exactly: <see cref="NumericKeyValues"/>), else the key numbers, made when read (<see cref="KeyNameList.Numbers"/>).
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
        if (NumericKeyValues.Read(column, count) is { } numbers) return KeyNameList.OfNumbers(numbers);
        return KeyNameList.Numbers(count);
    }

    /// <summary>"key 7 ('raw-id')" for error messages: the key and, when the column names its keys, the raw id.</summary>
    public static string Describe(DataViewSchema.Column column, int count, int row)
    {
        var names = Of(column, count);
        string key = (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (uint)row < (uint)count && names[row] != key ? $"key {key} ('{names[row]}')" : $"key {key}";
    }
}
