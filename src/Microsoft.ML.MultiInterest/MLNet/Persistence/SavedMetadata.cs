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

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
