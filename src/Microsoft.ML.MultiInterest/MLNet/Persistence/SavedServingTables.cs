namespace Microsoft.ML.MultiInterest;

/// <summary>
/// What a saved retrieval stage keeps for live serving besides its lists: the training history (CSR by user key - 1, or by
/// entry of <see cref="HistoryUsers"/> when the stage saved its trained users only: <see cref="HistoryOffsets"/>, item keys), the item keys that can be recommended, whether seen items are excluded, whether the fit had user vectors (the unimodal fill),
/// and the history and source column names.
/// </summary>
internal sealed record SavedServingTables(int[]? HistoryUsers, long[] HistoryOffsets, long[] HistoryItemKeys, long[] ServingItemKeys, bool ExcludeSeen,
    bool HasUserVectors, string HistoryColumn, string SourceColumn)
{
    /// <summary>The user row of history entry <paramref name="entry"/>.</summary>
    public int UserOf(int entry) => HistoryUsers?[entry] ?? entry;

    /// <summary>The number of history entries (users with a CSR row).</summary>
    public int Entries => HistoryOffsets.Length - 1;
}
