using Microsoft.ML.MultiInterest.Onnx;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>
/// How a saved stage keeps a per-key table for the keys in use only (format version 2): the table holds a row per present
/// key after row 0 (the row of key 0 and of every other key), an int64 initializer lists the present keys in table order,
/// the key range is a metadata entry, and an <c>ai.onnx.ml</c> LabelEncoder maps a row's key to its table row. A table
/// whose every key is present is saved as in version 1 instead (row = key, gathered by the key itself), and an old stage,
/// which has no key list, reads as that.
/// </summary>
internal static class PresentKeys
{
    /// <summary>Whether rows <paramref name="rows"/> (ascending) are the whole range 0..keyCount-1, so the table can be gathered by key.</summary>
    public static bool AreAll(IReadOnlyList<int> rows, int keyCount) => rows.Count == keyCount;

    /// <summary>
    /// Declares the present rows <paramref name="rows"/> (key - 1, ascending) of a table read by the int64 key scalar
    /// <paramref name="key"/>; returns the scalar naming the table row each input row reads (the key itself when every key is present).
    /// </summary>
    public static string Declare(SavedChainBuilder builder, string key, string keysTable, string countKey, int keyCount, IReadOnlyList<int> rows)
    {
        if (AreAll(rows, keyCount)) return key;
        builder.Metadata(countKey, SavedMetadata.Text(keyCount));
        var keys = rows.Select(r => (long)r + 1).ToArray();
        builder.Graph
            .AddInitializer(keysTable, [keys.Length], keys)
            .KeepAsOutput(keysTable, TensorProto.Types.DataType.Int64, keys.Length);
        return builder.RowOfKey(key, keysTable, rows.Select(r => r + 1).ToArray());
    }

    /// <summary>The present rows (key - 1) a stage declared in <paramref name="keysTable"/>, or null when its table is one row per key.</summary>
    public static int[]? Read(ModelProto model, string keysTable) =>
        model.Graph.Initializer.Any(t => t.Name == keysTable)
            ? OnnxTensorReader.Int64s(OnnxTensorReader.Find(model, keysTable)).Select(k => checked((int)k - 1)).ToArray()
            : null;

    /// <summary>The key range a stage recorded under <paramref name="countKey"/>, or <paramref name="fallback"/> (a table of one row per key).</summary>
    public static int KeyCount(Dictionary<string, string> meta, string countKey, int fallback) =>
        meta.ContainsKey(countKey) ? SavedMetadata.Int(meta, countKey) : fallback;
}
