using Microsoft.ML.Data;

namespace Microsoft.ML.MultiInterest;

/// <summary>Raw ids of a key column: its KeyValues annotation when present, else the key numbers as strings.</summary>
internal static class KeyNames
{
    public static string[] Of(DataViewSchema.Column column, int count)
    {
        var names = new string[count];
        var annotation = column.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (annotation is { Type: VectorDataViewType { ItemType: TextDataViewType } type } && type.Size == count)
        {
            VBuffer<ReadOnlyMemory<char>> values = default;
            column.Annotations.GetValue("KeyValues", ref values);
            int i = 0;
            foreach (var value in values.DenseValues()) names[i++] = value.ToString();
            return names;
        }
        for (int i = 0; i < count; i++) names[i] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return names;
    }

    /// <summary>"key 7 ('raw-id')" for error messages: the key and, when the column names its keys, the raw id.</summary>
    public static string Describe(DataViewSchema.Column column, int count, int row)
    {
        var names = Of(column, count);
        string key = (row + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (uint)row < (uint)count && names[row] != key ? $"key {key} ('{names[row]}')" : $"key {key}";
    }
}
