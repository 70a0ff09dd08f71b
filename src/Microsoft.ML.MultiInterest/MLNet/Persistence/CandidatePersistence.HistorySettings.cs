using Microsoft.ML.MultiInterest.Engine;

namespace Microsoft.ML.MultiInterest;

/// <summary>How a saved retrieval stage keeps the way it reads histories: history-interest MMR's interests and pool, and the fold-in of a new user's history.</summary>
internal static partial class CandidatePersistence
{
    private const string InterestsKey = "MmrInterests", ItemsPerInterestKey = "ItemsPerInterest", MaxInterestsKey = "MaxInterests", InterestIterationsKey = "InterestIterations";
    private const string FoldInLambdaKey = "FoldInRegularization", FoldInNuKey = "FoldInRegularizationExponent", FoldInAlpha0Key = "FoldInUnobservedWeight";
    private const string FoldInMatchKey = "FoldInMatchUserVectors";
    private const string FoldInFittedKey = "FoldInFitted";
    private const string HistoryVectorKey = "HistoryVector";
    private const string PoolSearchKey = "HistoryPoolSearch", PoolListsKey = "HistoryPoolLists", PoolProbesKey = "HistoryPoolProbes", PoolUserProbesKey = "HistoryPoolUserProbes",
        PoolHistoryListsKey = "HistoryPoolHistoryLists";

    /// <summary>
    /// A history-interest MMR stage keeps how it reads interests (the fold-in objective as resolved at Fit), so a loaded model
    /// reads a history's interests as the fitted stage does. Other stages write none of these entries; reading a model without
    /// them gives <see cref="MmrInterests.Clusters"/> and the defaults, what such a stage used.
    /// </summary>
    private static void AddHistoryInterests(SavedChainBuilder builder, RetrievalSettings settings)
    {
        builder.Metadata(InterestsKey, settings.Interests.ToString());
        builder.Metadata(ItemsPerInterestKey, SavedMetadata.Text(settings.ItemsPerInterest));
        builder.Metadata(MaxInterestsKey, SavedMetadata.Text(settings.MaxInterests));
        builder.Metadata(InterestIterationsKey, SavedMetadata.Text(settings.InterestIterations));
        AddFoldIn(builder, settings);
        // The exact pool writes nothing, as before the setting existed.
        if (settings.PoolSearch != HistoryPoolSearch.Exact)
        {
            builder.Metadata(PoolSearchKey, settings.PoolSearch.ToString());
            builder.Metadata(PoolListsKey, SavedMetadata.Text(settings.PoolLists));
            builder.Metadata(PoolProbesKey, SavedMetadata.Text(settings.PoolProbes));
            builder.Metadata(PoolUserProbesKey, SavedMetadata.Text(settings.PoolUserProbes));
            builder.Metadata(PoolHistoryListsKey, settings.PoolHistoryLists ? "true" : "false");
        }
    }

    /// <summary>
    /// The fold-in objective a stage reads histories with (history-interest MMR's interests, or a new user's vector when
    /// <see cref="RetrievalSettings.HistoryVector"/> is FoldIn), as resolved at Fit.
    /// </summary>
    private static void AddFoldIn(SavedChainBuilder builder, RetrievalSettings settings)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        builder.Metadata(FoldInLambdaKey, settings.FoldInRegularization.ToString("R", inv));
        builder.Metadata(FoldInNuKey, settings.FoldInRegularizationExponent.ToString("R", inv));
        builder.Metadata(FoldInAlpha0Key, settings.FoldInUnobservedWeight.ToString("R", inv));
        builder.Metadata(FoldInMatchKey, settings.FoldInMatchUserVectors ? "true" : "false");
        builder.Metadata(FoldInFittedKey, settings.FoldInFitted ? "true" : "false");
    }

    /// <summary>A true/false metadata entry; false when absent (stages saved before it existed).</summary>
    private static bool Flag(Dictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var text) && (text == "true" ? true
            : text == "false" ? false : throw new InvalidDataException($"The saved candidate stage has metadata entry '{key}' = '{text}', which is not true or false."));

    /// <summary>The history-interest settings of a saved stage on top of <paramref name="settings"/>; unchanged when it has none.</summary>
    private static RetrievalSettings ReadHistoryInterests(Dictionary<string, string> meta, RetrievalSettings settings)
    {
        if (!meta.TryGetValue(InterestsKey, out var text)) return ReadHistoryVector(meta, settings);
        if (!Enum.TryParse<MmrInterests>(text, out var interests) || !Enum.IsDefined(interests))
            throw new InvalidDataException($"The saved candidate stage has metadata entry '{InterestsKey}' = '{text}', which is not Clusters or History.");
        var read = ReadFoldIn(meta, settings) with
        {
            Interests = interests,
            ItemsPerInterest = SavedMetadata.Int(meta, ItemsPerInterestKey),
            MaxInterests = SavedMetadata.Int(meta, MaxInterestsKey),
            InterestIterations = SavedMetadata.Int(meta, InterestIterationsKey),
            // History-interest MMR reads every history by its fold-in (also when saved before the setting existed).
            HistoryVector = HistoryVector.FoldIn,
        };
        // Absent from stages saved before it existed and from exact pools: the exact pool.
        if (meta.TryGetValue(PoolSearchKey, out var pool))
        {
            if (!Enum.TryParse<HistoryPoolSearch>(pool, out var search) || !Enum.IsDefined(search))
                throw new InvalidDataException($"The saved candidate stage has metadata entry '{PoolSearchKey}' = '{pool}', which is not Exact or Clustered.");
            read = read with
            {
                PoolSearch = search,
                PoolLists = SavedMetadata.Int(meta, PoolListsKey),
                PoolProbes = SavedMetadata.Int(meta, PoolProbesKey),
                PoolUserProbes = SavedMetadata.Int(meta, PoolUserProbesKey),
                PoolHistoryLists = Flag(meta, PoolHistoryListsKey),
            };
        }
        try
        {
            read.History().Validate();
            read.Pool().Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"The saved candidate stage's history-interest settings are invalid: {e.Message}", e);
        }
        return read;
    }

    /// <summary>The fold-in objective of a saved stage (<see cref="AddFoldIn"/>) on top of <paramref name="settings"/>.</summary>
    private static RetrievalSettings ReadFoldIn(Dictionary<string, string> meta, RetrievalSettings settings)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double Number(string key) => meta.TryGetValue(key, out var value) && double.TryParse(value, System.Globalization.NumberStyles.Float, inv, out double number) ? number
            : throw new InvalidDataException($"The saved candidate stage has no number metadata entry '{key}'.");
        return settings with
        {
            FoldInRegularization = Number(FoldInLambdaKey),
            FoldInRegularizationExponent = Number(FoldInNuKey),
            FoldInUnobservedWeight = Number(FoldInAlpha0Key),
            // Absent from stages saved before it existed, which used the given objective.
            FoldInMatchUserVectors = Flag(meta, FoldInMatchKey),
            // Absent from stages saved before it existed: they refit the objective on load.
            FoldInFitted = Flag(meta, FoldInFittedKey),
        };
    }

    /// <summary>
    /// How a saved stage other than history-interest MMR reads a new user's history: the fold-in it recorded, the
    /// divide-and-conquer encoder (its tables: <see cref="ReadEncoder"/>), or the mean (stages saved without the entry: every
    /// stage before 2026-12-05, and those that chose the mean).
    /// </summary>
    private static RetrievalSettings ReadHistoryVector(Dictionary<string, string> meta, RetrievalSettings settings)
    {
        if (!meta.TryGetValue(HistoryVectorKey, out var text)) return settings;
        if (text == nameof(HistoryVector.Encoder)) return settings with { HistoryVector = HistoryVector.Encoder };
        if (text != nameof(HistoryVector.FoldIn))
            throw new InvalidDataException($"The saved candidate stage has metadata entry '{HistoryVectorKey}' = '{text}', which is not FoldIn or Encoder.");
        var read = ReadFoldIn(meta, settings) with { HistoryVector = HistoryVector.FoldIn };
        try
        {
            read.History().Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"The saved candidate stage's fold-in settings are invalid: {e.Message} It was edited or damaged: fit and save the model again.", e);
        }
        return read;
    }
}
