namespace Microsoft.ML.MultiInterest.Tests.MLNet;

/// <summary>
/// A graph's edges under a user key type wider than its users: MapValueToKey fitted on a vocabulary of the graph's users with
/// <see cref="Unused"/> ids without an edge interleaved, so that those users' rows in a key-indexed table are zero (they
/// have no vector) and sit between trained ones.
/// </summary>
internal static class WideUserKeys
{
    /// <summary>The user ids without an edge: "nobody0", "nobody1", ...</summary>
    public const int Unused = 4;

    private sealed class UserTerm
    {
        public string User { get; set; } = "";
    }

    /// <summary>The key mapping of the User column over <paramref name="users"/> (the edges' ids) with the unused ids interleaved.</summary>
    public static IEstimator<ITransformer> UserKeys(MLContext ml, IEnumerable<string> users)
    {
        var vocabulary = ml.Data.LoadFromEnumerable(WideItemKeys.Interleave([.. users.Distinct()], "nobody", Unused).Select(id => new UserTerm { User = id }));
        return ml.Transforms.Conversion.MapValueToKey("User", keyData: vocabulary);
    }

    /// <summary>The key mapping to fit on <see cref="MLNetTestData.Edges"/>: User over the wide vocabulary, Item over the edges' ids.</summary>
    public static IEstimator<ITransformer> KeyPipeline(MLContext ml) =>
        UserKeys(ml, MLNetTestData.Edges().Select(e => e.User)).Append(ml.Transforms.Conversion.MapValueToKey("Item"));
}
