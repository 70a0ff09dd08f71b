using System.Text.Json;

namespace Microsoft.ML.MultiInterest.Onnx;

/// <summary>Which top-level fields a manifest of each format version must name (a missing one is damage, not a default).</summary>
public sealed partial class OnnxServingManifest
{
    /// <summary>The top-level fields a manifest of this version names (every property, as the writer serialises them).</summary>
    private static readonly string[] Fields = [.. JsonDocument.Parse(JsonSerializer.Serialize(new OnnxServingManifest(), Json)).RootElement.EnumerateObject().Select(p => p.Name)];

    /// <summary>The fields added after format version 2, by the version that added them (a manifest of an earlier version lacks them).</summary>
    private static readonly Dictionary<string, int> FieldsAddedIn = new(StringComparer.Ordinal)
    {
        ["history_fold_in"] = 3,
        ["history_fold_in_items"] = 3,
        ["file_sha256"] = 4,
        ["manifest_sha256"] = 4,
        ["history_quota_scorer"] = 5,
    };

    /// <summary>The fields of <see cref="Fields"/> the manifest <paramref name="root"/> does not name.</summary>
    private static List<string> MissingFields(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return [.. Fields];
        var named = root.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        return [.. Fields.Where(f => !named.Contains(f))];
    }
}
