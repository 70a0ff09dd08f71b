namespace Microsoft.ML.MultiInterest;

/// <summary>
/// What a saved retrieval stage keeps for live serving besides its lists: the training history (CSR by user key - 1:
/// <see cref="HistoryOffsets"/>, item keys), the item keys that can be recommended, whether seen items are excluded, whether the fit had user vectors (the unimodal fill),
/// and the history and source column names.
/// </summary>
internal sealed record SavedServingTables(long[] HistoryOffsets, long[] HistoryItemKeys, long[] ServingItemKeys, bool ExcludeSeen,
    bool HasUserVectors,     string HistoryColumn, string SourceColumn);
