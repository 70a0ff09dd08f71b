namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Which interests the proportionality term of multi-interest MMR spreads a list over.</summary>
public enum MmrInterests
{
    /// <summary>
    /// The user's kNN-Embed mixture over global item clusters (<see cref="InterestProportionality"/>): the pool is the unimodal
    /// top N, and the term reads the mixture and item cluster columns when its weight is positive.
    /// </summary>
    Clusters,

    /// <summary>
    /// The user's own history interests (<see cref="HistoryInterests"/>, <see cref="HistoryInterestRetriever"/>): the history split
    /// by spherical k-means, one implicit-ALS fold-in vector per interest; the pool is the top N by the best score over the user's
    /// vector and its interests' vectors, and the term spreads the list over those interests.
    /// </summary>
    History,
}
