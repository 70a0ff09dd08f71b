namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// The planted graph of <see cref="MLNetTestData.Edges"/> under an item key type wider than its items: MapValueToKey fitted
/// on a vocabulary of the graph's items with <see cref="Unused"/> ids without an edge interleaved (before every other item),
/// so that the keys without edges sit between used ones and their rows in a key-indexed table are zero.
/// </summary>
internal static class WideItemKeys
{
    /// <summary>The ids without an edge: "unused0", "unused1", ...</summary>
    public const int Unused = 10;

    private sealed class ItemTerm
    {
        public string Item { get; set; } = "";
    }

    /// <summary>The item vocabulary in key order.</summary>
    public static string[] Vocabulary() => Interleave(MLNetTestData.Edges().Select(e => e.Item).Distinct().ToArray(), "unused", Unused);

    /// <summary>The key mapping to fit on the edges: User over their ids, Item over <see cref="Vocabulary"/>.</summary>
    public static IEstimator<ITransformer> KeyPipeline(MLContext ml)
    {
        var vocabulary = ml.Data.LoadFromEnumerable(Vocabulary().Select(id => new ItemTerm { Item = id }));
        return ml.Transforms.Conversion.MapValueToKey("User").Append(ml.Transforms.Conversion.MapValueToKey("Item", keyData: vocabulary));
    }

    /// <summary><paramref name="used"/> with <paramref name="unused"/> ids "<paramref name="prefix"/>0", ... put before every other one of them.</summary>
    public static string[] Interleave(string[] used, string prefix, int unused)
    {
        var ids = new List<string>();
        for (int i = 0; i < used.Length; i++)
        {
            if (i % 2 == 0 && i / 2 < unused) ids.Add($"{prefix}{i / 2}");
            ids.Add(used[i]);
        }
        return [.. ids];
    }
}
