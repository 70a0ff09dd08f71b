namespace Microsoft.ML.MultiInterest.Engine;

/// <summary>Which <see cref="INeighborIndex"/> finds the users' neighbours.</summary>
public enum NeighborIndexKind
{
    /// <summary><see cref="ExactNeighborIndex"/>: brute force, the reference (the default).</summary>
    Exact,

    /// <summary><see cref="ClusteredNeighborIndex"/>: inverted lists, approximate, scans a few lists per query.</summary>
    Clustered,
}
