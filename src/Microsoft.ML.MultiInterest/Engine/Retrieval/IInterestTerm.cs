namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The interest term of multi-interest MMR, whatever the interests are: global item clusters
/// (<see cref="InterestProportionality"/>) or a user's own history interests (<see cref="HistoryInterestRetriever"/>).
/// </summary>
internal interface IInterestTerm
{
    /// <summary>The term's weight nu (0 = plain MMR).</summary>
    double Weight { get; }

    /// <summary>The most components any pool list has.</summary>
    int MaxComponents { get; }

    /// <summary>Writes each pool item's component (-1 for none) and returns how many components the list has.</summary>
    int Assign(int query, ReadOnlySpan<int> items, Span<int> component);

    /// <summary>The components' weights of pool list <paramref name="query"/>.</summary>
    ReadOnlySpan<double> Weights(int query);
}
