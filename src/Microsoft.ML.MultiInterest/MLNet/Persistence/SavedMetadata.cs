using System.Globalization;
using Microsoft.ML.MultiInterest.Onnx.Proto;

namespace Microsoft.ML.MultiInterest;

/// <summary>The <c>metadata_props</c> of a saved stage's ONNX graph, as a dictionary.</summary>
internal static class SavedMetadata
{
    public static Dictionary<string, string> Of(ModelProto model)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps) values[entry.Key] = entry.Value;
        return values;
    }

    /// <summary>An integer entry; a clear error when it is missing or malformed.</summary>
    public static int Int(Dictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new InvalidDataException($"The saved stage has no integer metadata entry '{key}'.");

    /// <summary>
    /// A column name every saved stage has recorded since the first format; a clear error when it is missing or empty (a
    /// damaged entry), rather than an empty name that ML.NET's schema lookups refuse with an ArgumentNullException.
    /// </summary>
    public static string Name(Dictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? name) && !string.IsNullOrEmpty(name)
            ? name
            : throw new InvalidDataException($"The saved stage has no column name in its metadata entry '{key}'.");

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
