namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>
/// The default settings of rank fusion (<see cref="RankFusion"/>) as a pipeline stage, in one place:
/// <see cref="RankFusionEstimator.Options"/> and the catalog's <c>RankFusion</c> parameters start from these values.
/// </summary>
public static class RankFusionDefaults
{
    /// <summary>M, the fused list length: <see cref="ClusterQuotaRetrieverDefaults.Candidates"/> (50), the retrievers' own.</summary>
    public const int Candidates = ClusterQuotaRetrieverDefaults.Candidates;

    /// <summary>
    /// The weight of every source when none are given: 1, so the lists take turns (each item's score is 1 / its best rank).
    /// </summary>
    public const double Weight = 1.0;
}
